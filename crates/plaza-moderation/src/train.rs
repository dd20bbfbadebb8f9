//! Training the learned signals from the labelled public data (parsed by the caller). Labels:
//! `offensive` (TweetEval offensive; Davidson offensive or hate), `hate` (TweetEval hate;
//! Davidson hate speech) and `spam` (YouTube Spam Collection; every tweet counts as not spam).
//! Thresholds are chosen on validation data only and folded into each label's bias, so that a
//! score of 0.5 is the chosen threshold.

use crate::data::Labelled;
use crate::features::Hasher;
use crate::linear::{Example, Linear, Settings};
use crate::metrics::{Figures, best_threshold, evaluate};
use crate::normalize;

/// The learned labels.
pub const LABELS: [&str; 3] = ["offensive", "hate", "spam"];

/// The training and validation sets.
#[derive(Debug, Clone, Default)]
pub struct Sets {
    pub offensive_train: Vec<Labelled>,
    pub offensive_val: Vec<Labelled>,
    pub hate_train: Vec<Labelled>,
    pub hate_val: Vec<Labelled>,
    pub davidson: Vec<Labelled>,
    pub spam_train: Vec<Labelled>,
    pub spam_val: Vec<Labelled>,
}

/// Validation figures per label, at the chosen threshold.
#[derive(Debug, Clone)]
pub struct Report {
    pub label: &'static str,
    pub threshold: f32,
    pub figures: Figures,
}

fn examples(h: &Hasher, rows: &[Labelled], y: impl Fn(u8) -> Vec<Option<bool>>) -> Vec<Example> {
    rows.iter()
        .map(|r| Example {
            x: h.features(&normalize(&r.text).text),
            y: y(r.label),
        })
        .collect()
}

/// Trains, chooses thresholds on the validation sets, calibrates, and reports.
pub fn train(sets: &Sets, bits: u32, settings: Settings) -> (Linear, Vec<Report>) {
    let h = Hasher::new(bits);
    let mut data = examples(&h, &sets.offensive_train, |l| {
        vec![Some(l == 1), None, Some(false)]
    });
    data.extend(examples(&h, &sets.hate_train, |l| {
        vec![None, Some(l == 1), Some(false)]
    }));
    data.extend(examples(&h, &sets.davidson, |l| {
        vec![Some(l < 2), Some(l == 0), Some(false)]
    }));
    data.extend(examples(&h, &sets.spam_train, |l| {
        vec![None, None, Some(l == 1)]
    }));
    let mut model = Linear::train(h.dims, &LABELS, &data, settings);
    let mut reports = Vec::new();
    for (label, val) in [
        (0, &sets.offensive_val),
        (1, &sets.hate_val),
        (2, &sets.spam_val),
    ] {
        let x: Vec<_> = val
            .iter()
            .map(|r| h.features(&normalize(&r.text).text))
            .collect();
        let truth: Vec<bool> = val.iter().map(|r| r.label == 1).collect();
        let scores: Vec<f32> = x.iter().map(|f| model.score(label, f)).collect();
        let t = best_threshold(&scores, &truth);
        model.bias[label] -= (t / (1.0 - t)).ln();
        let calibrated: Vec<f32> = x.iter().map(|f| model.score(label, f)).collect();
        reports.push(Report {
            label: LABELS[label],
            threshold: t,
            figures: evaluate(&calibrated, &truth, 0.5),
        });
    }
    (model, reports)
}
