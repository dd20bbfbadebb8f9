//! Quality figures: precision, recall, F1 of the positive class, macro-F1 over both classes,
//! and ROC-AUC (the probability that a random positive outscores a random negative, ties half).

/// Figures for one binary signal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub macro_f1: f64,
    pub auc: f64,
    pub support: usize,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Figures for scores against truth at a threshold.
pub fn evaluate(scores: &[f32], truth: &[bool], threshold: f32) -> Figures {
    let (mut tp, mut fp, mut fneg, mut tn) = (0usize, 0usize, 0usize, 0usize);
    for (s, t) in scores.iter().zip(truth) {
        match (*s >= threshold, *t) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fneg += 1,
            (false, false) => tn += 1,
        }
    }
    let div = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (p, r) = (div(tp, tp + fp), div(tp, tp + fneg));
    let (pn, rn) = (div(tn, tn + fneg), div(tn, tn + fp));
    Figures {
        precision: p,
        recall: r,
        f1: f1(p, r),
        macro_f1: (f1(p, r) + f1(pn, rn)) / 2.0,
        auc: auc(scores, truth),
        support: tp + fneg,
    }
}

/// ROC-AUC by ranks (ties count half).
pub fn auc(scores: &[f32], truth: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            if truth[idx[k]] {
                rank_sum += avg;
            }
        }
        i = j + 1;
    }
    let pos = truth.iter().filter(|t| **t).count() as f64;
    let neg = truth.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return 0.5;
    }
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// The threshold that maximises macro-F1 on (validation) scores.
pub fn best_threshold(scores: &[f32], truth: &[bool]) -> f32 {
    let mut best = (0.5f32, -1.0f64);
    for step in 1..100 {
        let t = step as f32 / 100.0;
        let m = evaluate(scores, truth, t).macro_f1;
        if m > best.1 {
            best = (t, m);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_figures() {
        let s = [0.9, 0.8, 0.3, 0.2];
        let t = [true, false, true, false];
        let f = evaluate(&s, &t, 0.5);
        assert_eq!((f.precision, f.recall, f.f1), (0.5, 0.5, 0.5));
        assert!((auc(&s, &t) - 0.75).abs() < 1e-9);
        assert_eq!(auc(&[0.5, 0.5], &[true, false]), 0.5);
        assert_eq!(auc(&[0.1, 0.9], &[false, true]), 1.0);
        assert!(
            (best_threshold(&[0.1, 0.2, 0.7, 0.9], &[false, false, true, true]) - 0.21).abs() < 0.5
        );
    }
}
