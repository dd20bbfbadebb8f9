//! Training the learned signals from the labelled public data (parsed by the caller). Labels:
//! `offensive` (TweetEval offensive; Davidson offensive or hate), `hate` (TweetEval hate;
//! Davidson hate speech) and `spam` (YouTube Spam Collection; every tweet counts as not spam).
//! Plaza's own civic comments ([`civic`]) are negatives for every label.
//!
//! Thresholds are chosen on validation data only and folded into each label's bias, so that a
//! score of 0.5 is the chosen threshold. For `offensive` and `hate` that is the TweetEval `val`
//! files. For `spam`, whose held-out test is comments on other videos, each video is left out in
//! turn: a model trained on the other videos scores it, the threshold is chosen on those pooled
//! out-of-video scores, and the shipped model then learns from every video.

use crate::data::Labelled;
use crate::features::Hasher;
use crate::linear::{Example, Linear, Settings};
use crate::metrics::{Figures, best_threshold, evaluate};
use crate::normalize;

/// One tweet in this many is a spam negative (chosen with each video left out in turn, and the
/// share of validation tweets and civic comments scored as spam: docs/moderation.md).
pub const TWEET_SPAM_NEGATIVES_EVERY: usize = 60;

/// How many times each ordinary civic training comment counts (chosen on the held-out civic
/// lines, the validation sets and the videos left out: docs/moderation.md).
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
    pub figures: Figures,
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

/// Moves a label's threshold `t` to 0.5.
fn calibrate(model: &mut Linear, label: usize, t: f32) {
    model.bias[label] -= (t / (1.0 - t)).ln();
}

/// Trains, chooses thresholds on the validation data, calibrates, and reports.
pub fn train(sets: &Sets, bits: u32, settings: Settings) -> Trained {
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
    // ordinary civic comments count CIVIC_WEIGHT times; those with links once, or links
    // would stop counting towards spam; look-alike lines are negatives for the abuse labels
    // only ("is bitcoin accepted for parking citations?" is not a spam lesson)
    let every = vec![Some(false); 3];
    let abuse_only = vec![Some(false), Some(false), None];
    for (text, times, y) in sets
        .civic
        .iter()
        .map(|t| (t, CIVIC_WEIGHT, &every))
        .chain(sets.civic_links.iter().map(|t| (t, 1, &every)))
        .chain(
            sets.lookalikes
                .iter()
                .map(|t| (t, CIVIC_WEIGHT, &abuse_only)),
        )
    {
        let x = h.features(&normalize(text).text);
        for _ in 0..times {
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

    // spam: each video scored by a model that never saw it
    let mut fold_models = Vec::new();
    let (mut pooled, mut pooled_truth) = (Vec::new(), Vec::new());
    if videos.len() > 1 {
        for (k, (_, rows)) in sets.spam_videos.iter().enumerate() {
            let m = Linear::train(h.dims, &LABELS, &with_videos(Some(k)), settings);
            pooled.extend(videos[k].iter().map(|e| m.score(2, &e.x)));
            pooled_truth.extend(truth(rows));
            fold_models.push(m);
        }
    }
    let spam_threshold = if pooled.is_empty() {
        0.5
    } else {
        best_threshold(&pooled, &pooled_truth)
    };

    let mut model = Linear::train(h.dims, &LABELS, &with_videos(None), settings);
    let mut reports = Vec::new();
    let mut thresholds = [0.5f32; 3];
    for (label, val) in [(0, &sets.offensive_val), (1, &sets.hate_val)] {
        let x = features(&h, val);
        let truth = truth(val);
        let scores: Vec<f32> = x.iter().map(|f| model.score(label, f)).collect();
        let t = best_threshold(&scores, &truth);
        thresholds[label] = t;
        calibrate(&mut model, label, t);
        let calibrated: Vec<f32> = x.iter().map(|f| model.score(label, f)).collect();
        reports.push(Report {
            label: LABELS[label],
            threshold: t,
            figures: evaluate(&calibrated, &truth, 0.5),
        });
    }
    thresholds[2] = spam_threshold;
    calibrate(&mut model, 2, spam_threshold);
    reports.push(Report {
        label: LABELS[2],
        threshold: spam_threshold,
        figures: evaluate(&pooled, &pooled_truth, spam_threshold),
    });
    let folds = fold_models
        .into_iter()
        .zip(sets.spam_videos.iter().zip(&videos))
        .map(|(mut m, ((video, rows), examples))| {
            for (label, t) in thresholds.iter().enumerate() {
                calibrate(&mut m, label, *t);
            }
            let scores: Vec<f32> = examples.iter().map(|e| m.score(2, &e.x)).collect();
            Fold {
                video: video.clone(),
                figures: evaluate(&scores, &truth(rows), 0.5),
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
