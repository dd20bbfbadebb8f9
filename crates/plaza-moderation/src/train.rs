//! Training the learned signals from the labelled public data (parsed by the caller). Labels:
//! `offensive` (TweetEval offensive; Davidson offensive or hate), `hate` (TweetEval hate;
//! Davidson hate speech) and `spam` (YouTube Spam Collection; every tweet counts as not spam).
//! Plaza's own civic comments ([`civic`]) are negatives for every label.
//!
//! Thresholds are chosen on validation data only, for the whole engine's call (what the
//! benchmarks measure), and folded into each label's bias, so that a score of 0.5 is the chosen
//! threshold. For `offensive` and `hate` that is the TweetEval `val` files. For `spam`, whose
//! held-out test is comments on other videos, each video is left out in turn: a model trained
//! on the other videos scores it, the threshold is chosen on the engine's calls on those pooled
//! videos, and the shipped model then learns from every video.

use crate::data::Labelled;
use crate::engine::{Comment, Engine, HATE_GROUP, OFFENSIVE_GROUP, SPAM_GROUP};
use crate::features::Hasher;
use crate::linear::{Example, Linear, Settings};
use crate::metrics::{Figures, best_threshold, evaluate};
use crate::normalize;
use plaza_core::policy::Policy;

/// One tweet in this many is a spam negative (chosen with each video left out in turn, and the
/// share of validation tweets and civic comments scored as spam: docs/moderation.md).
pub const TWEET_SPAM_NEGATIVES_EVERY: usize = 60;

/// How many times each civic training comment (ordinary, sharing a link, or look-alike) counts
/// (chosen on the held-out civic lines, the validation sets and the videos left out:
/// docs/moderation.md).
pub const CIVIC_WEIGHT: usize = 3;

/// The learned labels.
pub const LABELS: [&str; 3] = ["offensive", "hate", "spam"];

/// Plaza's own corpus of ordinary comments on a city's pages, written by the Plaza team: none
/// of them breaks the policy. Two lines in three are training negatives for every label
/// ([`civic::train`]); every third line is held out ([`civic::held_out`]) to measure how often
/// ordinary civic speech is sent to review. The violating comments are for checking the rules.
pub mod civic {
    /// Every line of the corpus.
    pub const ORDINARY: &str = include_str!("../data/civic/ordinary.txt");
    /// Ordinary comments that share a link (news, agencies, the city's own pages, petitions).
    pub const LINKS: &str = include_str!("../data/civic/links.txt");
    /// Ordinary comments whose words share letters with vulgar ones (the county assessor,
    /// Butte County, shiitake, Hitchcock, bitcoin): character n-grams learned from abusive
    /// tweets read them as abuse (the Scunthorpe problem of a learned model).
    pub const LOOKALIKES: &str = include_str!("../data/civic/lookalikes.txt");
    /// Comments that each show one signal, `SIGNAL<TAB>text`: never trained on, only checked.
    pub const VIOLATING: &str = include_str!("../data/civic/violating.txt");

    fn lines(file: &'static str) -> impl Iterator<Item = (usize, &'static str)> {
        file.lines().filter(|l| !l.trim().is_empty()).enumerate()
    }

    /// The training part of a file (lines 1, 2, 4, 5, ...).
    pub fn train(file: &'static str) -> Vec<&'static str> {
        lines(file)
            .filter(|(i, _)| i % 3 != 2)
            .map(|(_, l)| l)
            .collect()
    }

    /// The held-out part of both files (lines 3, 6, 9, ...).
    pub fn held_out() -> Vec<&'static str> {
        lines(ORDINARY)
            .chain(lines(LINKS))
            .filter(|(i, _)| i % 3 == 2)
            .map(|(_, l)| l)
            .collect()
    }

    /// The held-out part of the look-alike comments (lines 3, 6, 9, ...).
    pub fn held_out_lookalikes() -> Vec<&'static str> {
        lines(LOOKALIKES)
            .filter(|(i, _)| i % 3 == 2)
            .map(|(_, l)| l)
            .collect()
    }

    /// The violating comments as (signal, text).
    pub fn violating() -> Vec<(&'static str, &'static str)> {
        VIOLATING
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .collect()
    }
}

/// The training and validation sets.
#[derive(Debug, Clone, Default)]
pub struct Sets {
    pub offensive_train: Vec<Labelled>,
    pub offensive_val: Vec<Labelled>,
    pub hate_train: Vec<Labelled>,
    pub hate_val: Vec<Labelled>,
    pub davidson: Vec<Labelled>,
    /// Spam-labelled comments, one set per video, with the video's name.
    pub spam_videos: Vec<(String, Vec<Labelled>)>,
    /// Negatives for every label: Plaza's civic training lines without links, and with them.
    pub civic: Vec<String>,
    pub civic_links: Vec<String>,
    /// Negatives for the abuse labels only: Plaza's look-alike training lines ([`civic::LOOKALIKES`];
    /// "is bitcoin accepted for parking citations?" should not teach the spam model that
    /// bitcoin is ordinary).
    pub lookalikes: Vec<String>,
}

/// Validation figures per label, at the chosen threshold.
#[derive(Debug, Clone)]
pub struct Report {
    pub label: &'static str,
    pub threshold: f32,
    /// The model's score alone at the threshold.
    pub figures: Figures,
    /// The figure the threshold was chosen on: the whole engine's macro-F1 on validation
    /// (offensive, hate) or F1 on the pooled videos left out (spam); 0 without videos.
    pub engine: f64,
}

/// A model trained without one spam video, and that video's figures at the chosen threshold.
#[derive(Debug, Clone)]
pub struct Fold {
    pub video: String,
    /// Calibrated with the shipped thresholds, so the engine can be evaluated on the video.
    pub model: Linear,
    pub figures: Figures,
}

/// What training produces.
#[derive(Debug, Clone)]
pub struct Trained {
    pub model: Linear,
    pub reports: Vec<Report>,
    pub folds: Vec<Fold>,
}

fn examples(h: &Hasher, rows: &[Labelled], y: impl Fn(u8) -> Vec<Option<bool>>) -> Vec<Example> {
    rows.iter()
        .map(|r| Example {
            x: h.features(&normalize(&r.text).text),
            y: y(r.label),
        })
        .collect()
}

fn features(h: &Hasher, rows: &[Labelled]) -> Vec<crate::features::Sparse> {
    rows.iter()
        .map(|r| h.features(&normalize(&r.text).text))
        .collect()
}

fn truth(rows: &[Labelled]) -> Vec<bool> {
    rows.iter().map(|r| r.label == 1).collect()
}

/// How much of the measured figure a higher threshold may give up against the best one (about
/// three comments of the 1,138 in the videos, or of the 1,000-1,324 validation tweets): within
/// it, the highest threshold is taken, so that a resident's comment is flagged no more readily
/// than the data require. (The model's own best threshold, [`best_threshold`], is the lowest
/// of equal ones; it only sets the scale the engine's candidates are read on.)
pub const THRESHOLD_TOLERANCE: f64 = 0.0025;

/// The threshold of `label` for the whole engine, which is what the benchmarks measure: each
/// model (its other labels already calibrated) has `label` calibrated at each candidate, the
/// engine assesses the rows that model never saw (`sets[i]` for `models[i]`), and the figure
/// (`measure`) of the group's call (any of `group` >= 0.5) is computed over all of them. The
/// engine's rules (what is promoted, ordinary links, word lists, idioms) change the call, so
/// the threshold best for the model's score alone is not the engine's. The highest threshold
/// within [`THRESHOLD_TOLERANCE`] of the best figure is chosen, with its figure. Candidates run
/// from 0.05 to 0.95 on the model's score as it comes (for offensive and hate, already
/// calibrated at the model's own best threshold).
fn engine_threshold(
    policy: &Policy,
    models: &[&Linear],
    label: usize,
    sets: &[&[Labelled]],
    group: &[&str],
    measure: fn(&Figures) -> f64,
) -> (f32, f64) {
    assert_eq!(models.len(), sets.len(), "one set of rows per model");
    let curve: Vec<(f32, f64)> = (5..96)
        .map(|step| {
            let t = step as f32 / 100.0;
            let (mut scores, mut truth) = (Vec::new(), Vec::new());
            for (m, rows) in models.iter().zip(sets) {
                let mut m = (*m).clone();
                calibrate(&mut m, label, t);
                let mut engine = Engine::new(policy, Some(m));
                for r in rows.iter() {
                    let a = engine.assess(&Comment {
                        text: &r.text,
                        ..Comment::default()
                    });
                    scores.push(a.group(group));
                    truth.push(r.label == 1);
                }
            }
            (t, measure(&evaluate(&scores, &truth, 0.5)))
        })
        .collect();
    let t = highest_near_best(&curve);
    let figure = curve.iter().find(|(c, _)| *c == t).map_or(0.0, |(_, f)| *f);
    (t, figure)
}

/// The highest threshold of a (threshold, figure) curve whose figure is within
/// [`THRESHOLD_TOLERANCE`] of the best (0.5 for an empty curve).
fn highest_near_best(curve: &[(f32, f64)]) -> f32 {
    let best = curve.iter().map(|(_, f)| *f).fold(f64::MIN, f64::max);
    curve
        .iter()
        .filter(|(_, f)| *f >= best - THRESHOLD_TOLERANCE)
        .map(|(t, _)| *t)
        .fold(None, |a: Option<f32>, t| Some(a.map_or(t, |a| a.max(t))))
        .unwrap_or(0.5)
}

/// The threshold on the raw score of `t` chosen on a score already calibrated at `first`.
fn chain(first: f32, t: f32) -> f32 {
    let logit = |p: f32| (p / (1.0 - p)).ln();
    1.0 / (1.0 + (-(logit(first) + logit(t))).exp())
}

/// Moves a label's threshold `t` to 0.5.
fn calibrate(model: &mut Linear, label: usize, t: f32) {
    model.bias[label] -= (t / (1.0 - t)).ln();
}

/// Trains, chooses thresholds on the validation data, calibrates, and reports.
pub fn train(sets: &Sets, policy: &Policy, bits: u32, settings: Settings) -> Trained {
    let h = Hasher::new(bits);
    // A tweet OLID's annotators found not offensive is not hate speech either: as hate
    // negatives, these teach the hate model that talk about immigration, women or politics is
    // not hate by its topic alone. (Offensive tweets stay unknown for hate, and HatEval's hate
    // is not made an offensive positive: that lowered offensive on validation.)
    let mut base = examples(&h, &sets.offensive_train, |l| {
        vec![Some(l == 1), (l == 0).then_some(false), Some(false)]
    });
    base.extend(examples(&h, &sets.hate_train, |l| {
        vec![None, Some(l == 1), Some(false)]
    }));
    // Davidson's "offensive, not hate" (class 1) is unknown for hate: 16,112 of its 19,190
    // tweets carry a gendered slur (bitch, hoe, slut...), while 1,316 of the 1,918 HatEval
    // training tweets with one are hate against women. As hate negatives they taught the
    // opposite of HatEval's definition (hate on validation 0.675 -> 0.712 over five
    // shuffles without them; the model's ROC-AUC 0.746 -> 0.795).
    base.extend(examples(&h, &sets.davidson, |l| {
        vec![Some(l < 2), (l != 1).then_some(l == 0), Some(false)]
    }));
    // Tweets outnumber the YouTube comments 35 to 1: as spam negatives all of them teach the
    // model "YouTube-shaped means spam", and a video left out scores F1 0.79. One in
    // TWEET_SPAM_NEGATIVES_EVERY keeps ordinary tweets out of spam without that.
    for (i, e) in base.iter_mut().enumerate() {
        if i % TWEET_SPAM_NEGATIVES_EVERY != 0 {
            e.y[2] = None;
        }
    }
    // ordinary civic comments count CIVIC_WEIGHT times, those that share a link too (once
    // was enough while the spam threshold was chosen on the model's score alone; with the
    // engine's threshold, three times halves the residents' links sent to review over 13
    // shuffles at a cost of 0.004 on the videos left out: docs/moderation.md); look-alike
    // lines are negatives for the abuse labels only ("is bitcoin accepted for parking
    // citations?" is not a spam lesson)
    let every = vec![Some(false); 3];
    let abuse_only = vec![Some(false), Some(false), None];
    for (text, y) in sets
        .civic
        .iter()
        .chain(&sets.civic_links)
        .map(|t| (t, &every))
        .chain(sets.lookalikes.iter().map(|t| (t, &abuse_only)))
    {
        let x = h.features(&normalize(text).text);
        for _ in 0..CIVIC_WEIGHT {
            base.push(Example {
                x: x.clone(),
                y: y.clone(),
            });
        }
    }
    let videos: Vec<Vec<Example>> = sets
        .spam_videos
        .iter()
        .map(|(_, rows)| examples(&h, rows, |l| vec![None, None, Some(l == 1)]))
        .collect();
    let with_videos = |skip: Option<usize>| {
        let mut data = base.clone();
        for (i, v) in videos.iter().enumerate() {
            if Some(i) != skip {
                data.extend(v.iter().cloned());
            }
        }
        data
    };

    let mut model = Linear::train(h.dims, &LABELS, &with_videos(None), settings);
    let mut reports = Vec::new();
    let mut thresholds = [0.5f32; 2];
    let mut engine_figures = [0.0f64; 2];
    // offensive and hate: the model's best threshold on validation first, then the engine's,
    // on the model so calibrated (hate first, since the offensive group counts identity_hate)
    let val_features = [
        features(&h, &sets.offensive_val),
        features(&h, &sets.hate_val),
    ];
    let val_truth = [truth(&sets.offensive_val), truth(&sets.hate_val)];
    for label in [0, 1] {
        let scores: Vec<f32> = val_features[label]
            .iter()
            .map(|f| model.score(label, f))
            .collect();
        thresholds[label] = best_threshold(&scores, &val_truth[label]);
        calibrate(&mut model, label, thresholds[label]);
    }
    for (label, val, group) in [
        (1, &sets.hate_val, HATE_GROUP),
        (0, &sets.offensive_val, OFFENSIVE_GROUP),
    ] {
        let (t, figure) = engine_threshold(policy, &[&model], label, &[val], group, |f| f.macro_f1);
        calibrate(&mut model, label, t);
        thresholds[label] = chain(thresholds[label], t);
        engine_figures[label] = figure;
    }
    for label in [0, 1] {
        let calibrated: Vec<f32> = val_features[label]
            .iter()
            .map(|f| model.score(label, f))
            .collect();
        reports.push(Report {
            label: LABELS[label],
            threshold: thresholds[label],
            figures: evaluate(&calibrated, &val_truth[label], 0.5),
            engine: engine_figures[label],
        });
    }

    // spam: each video scored by a model that never saw it, and the threshold chosen for what
    // is measured, the whole engine's spam call on the pooled videos
    // (each fold model's scores on its own video, kept to report the model's figures)
    let mut fold_models = Vec::new();
    let mut fold_scores: Vec<Vec<f32>> = Vec::new();
    if videos.len() > 1 {
        for (k, video) in videos.iter().enumerate() {
            let mut m = Linear::train(h.dims, &LABELS, &with_videos(Some(k)), settings);
            for label in [0, 1] {
                calibrate(&mut m, label, thresholds[label]);
            }
            fold_scores.push(video.iter().map(|e| m.score(2, &e.x)).collect());
            fold_models.push(m);
        }
    }
    let pooled = fold_scores.concat();
    let pooled_truth: Vec<bool> = sets
        .spam_videos
        .iter()
        .take(fold_scores.len())
        .flat_map(|(_, rows)| truth(rows))
        .collect();
    let (spam_threshold, spam_engine) = if fold_models.is_empty() {
        (0.5, 0.0)
    } else {
        let folds: Vec<&Linear> = fold_models.iter().collect();
        let videos: Vec<&[Labelled]> = sets.spam_videos.iter().map(|(_, r)| &r[..]).collect();
        engine_threshold(policy, &folds, 2, &videos, SPAM_GROUP, |f| f.f1)
    };
    calibrate(&mut model, 2, spam_threshold);
    reports.push(Report {
        label: LABELS[2],
        threshold: spam_threshold,
        figures: evaluate(&pooled, &pooled_truth, spam_threshold),
        engine: spam_engine,
    });
    let folds = fold_models
        .into_iter()
        .zip(sets.spam_videos.iter().zip(&fold_scores))
        .map(|(mut m, ((video, rows), scores))| {
            calibrate(&mut m, 2, spam_threshold);
            Fold {
                video: video.clone(),
                figures: evaluate(scores, &truth(rows), spam_threshold),
                model: m,
            }
        })
        .collect();
    Trained {
        model,
        reports,
        folds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_threshold_near_the_best_is_chosen() {
        let curve = [
            (0.1, 0.960),
            (0.2, 0.950),
            (0.3, 0.958),
            (0.4, 0.956),
            (0.5, 0.940),
        ];
        // 0.958 and 0.960 are within the tolerance of the best; 0.956 is not
        assert_eq!(highest_near_best(&curve), 0.3);
        assert_eq!(highest_near_best(&[(0.2, 0.9)]), 0.2);
        assert_eq!(highest_near_best(&[]), 0.5);
    }

    #[test]
    fn a_threshold_chosen_on_a_calibrated_score_chains_to_the_raw_score() {
        let mut one = Linear {
            dims: 4,
            labels: vec!["spam".into()],
            weights: vec![vec![0.0; 4]],
            bias: vec![0.7],
            scales: None,
        };
        let mut two = one.clone();
        calibrate(&mut one, 0, 0.3);
        calibrate(&mut one, 0, 0.6);
        calibrate(&mut two, 0, chain(0.3, 0.6));
        assert!((one.bias[0] - two.bias[0]).abs() < 1e-5);
        assert!((chain(0.3, 0.5) - 0.3).abs() < 1e-6);
    }

    /// A model that gives every comment the offensive score 0.4123: calling every comment
    /// offensive is best (macro-F1 0.40 against 0.25 for none), and the highest threshold that
    /// does it is the highest candidate at or below the score, 0.41.
    #[test]
    fn the_engine_threshold_is_the_highest_that_keeps_the_best_call() {
        let dims = 1 << 12;
        let model = Linear {
            dims,
            labels: LABELS.iter().map(|l| l.to_string()).collect(),
            weights: vec![vec![0.0; dims as usize]; 3],
            bias: vec![(0.4123f32 / 0.5877).ln(), -5.0, -5.0],
            scales: None,
        };
        let val = rows(&[("hello there", 1), ("good morning", 1), ("nice day", 0)]);
        let policy = Policy::default_policy().unwrap();
        let (t, figure) = engine_threshold(&policy, &[&model], 0, &[&val], OFFENSIVE_GROUP, |f| {
            f.macro_f1
        });
        assert_eq!(t, 0.41);
        assert!((figure - 0.4).abs() < 1e-9, "{figure}");
    }

    fn rows(lines: &[(&str, u8)]) -> Vec<Labelled> {
        lines
            .iter()
            .map(|(t, l)| Labelled {
                text: t.to_string(),
                label: *l,
            })
            .collect()
    }

    /// A small training run end to end: deterministic, and the engine's thresholds put the
    /// labelled words on the right side of 0.5.
    #[test]
    fn training_is_deterministic_and_calibrated_for_the_engine() {
        let abuse = [
            ("you are a snargle wumpus", 1),
            ("what a snargle wumpus", 1),
            ("snargle wumpus again", 1),
            ("the park opens at nine", 0),
            ("thanks for fixing the road", 0),
            ("the library is open late", 0),
        ];
        let spam = |v: &str| {
            rows(&[
                (&format!("buy zorbex pills now {v}"), 1),
                (&format!("zorbex pills cheap {v}"), 1),
                (&format!("get zorbex pills today {v}"), 1),
                (&format!("great song {v}"), 0),
                (&format!("love this video {v}"), 0),
                (&format!("what a voice {v}"), 0),
            ])
        };
        let sets = Sets {
            offensive_train: rows(&abuse),
            offensive_val: rows(&abuse),
            hate_train: rows(&abuse),
            hate_val: rows(&abuse),
            spam_videos: vec![
                ("a".into(), spam("one")),
                ("b".into(), spam("two")),
                ("c".into(), spam("three")),
            ],
            civic: vec!["when is the next council meeting".into()],
            ..Sets::default()
        };
        let policy = Policy::default_policy().unwrap();
        let settings = Settings {
            epochs: 20,
            ..Settings::default()
        };
        let first = train(&sets, &policy, 12, settings);
        let again = train(&sets, &policy, 12, settings);
        assert_eq!(first.model.to_bytes(), again.model.to_bytes());
        assert_eq!(first.folds.len(), 3);
        let mut engine = Engine::new(&policy, Some(first.model));
        let score = |e: &mut Engine, text: &str, group: &[&str]| {
            e.assess(&Comment {
                text,
                ..Comment::default()
            })
            .group(group)
        };
        assert!(score(&mut engine, "buy zorbex pills now", SPAM_GROUP) >= 0.5);
        assert!(score(&mut engine, "love this song", SPAM_GROUP) < 0.5);
        assert!(score(&mut engine, "you snargle wumpus", OFFENSIVE_GROUP) >= 0.5);
        assert!(score(&mut engine, "the park opens late", OFFENSIVE_GROUP) < 0.5);
    }
}
