//! Validation probe for the learned signals: trains on the training splits of the public data
//! and prints validation figures (never a test split). Usage:
//! `cargo run --release -p plaza-moderation --example probe -- ../shared/data/moderation`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use plaza_moderation::data::{Labelled, davidson, tweeteval, youtube};
use plaza_moderation::features::{Hasher, Sparse};
use plaza_moderation::linear::{Example, Linear, Settings};
use plaza_moderation::metrics::{best_threshold, evaluate};
use plaza_moderation::normalize;
use std::path::Path;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

fn feats(h: &Hasher, rows: &[Labelled]) -> Vec<Sparse> {
    rows.iter()
        .map(|r| h.features(&normalize(&r.text).text))
        .collect()
}

fn report(name: &str, m: &Linear, label: usize, x: &[Sparse], truth: &[bool]) {
    let scores: Vec<f32> = x.iter().map(|f| m.score(label, f)).collect();
    let t = best_threshold(&scores, truth);
    let f = evaluate(&scores, truth, t);
    let f5 = evaluate(&scores, truth, 0.5);
    println!(
        "{name:10} val: macro-F1 {:.3} F1 {:.3} P {:.3} R {:.3} AUC {:.3} at threshold {t:.2} (at 0.5: macro-F1 {:.3}, F1 {:.3}); n={}",
        f.macro_f1,
        f.f1,
        f.precision,
        f.recall,
        f.auc,
        f5.macro_f1,
        f5.f1,
        truth.len()
    );
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/moderation".into());
    let dir = Path::new(&dir);
    let h = Hasher::new(20);
    let labels = ["offensive", "hate", "spam"];
    let off_train = tweeteval(
        &read(dir, "tweeteval-offensive/train_text.txt"),
        &read(dir, "tweeteval-offensive/train_labels.txt"),
    )
    .unwrap();
    let off_val = tweeteval(
        &read(dir, "tweeteval-offensive/val_text.txt"),
        &read(dir, "tweeteval-offensive/val_labels.txt"),
    )
    .unwrap();
    let hate_train = tweeteval(
        &read(dir, "tweeteval-hate/train_text.txt"),
        &read(dir, "tweeteval-hate/train_labels.txt"),
    )
    .unwrap();
    let hate_val = tweeteval(
        &read(dir, "tweeteval-hate/val_text.txt"),
        &read(dir, "tweeteval-hate/val_labels.txt"),
    )
    .unwrap();
    let dav = davidson(&read(dir, "davidson/labeled_data.csv")).unwrap();
    let yt_train: Vec<Labelled> = [
        "youtube-spam/01-9bZkp7q19f0.csv",
        "youtube-spam/04-CevxZvSJLk8.csv",
    ]
    .iter()
    .flat_map(|f| youtube(&read(dir, f)).unwrap())
    .collect();
    let yt_val = youtube(&read(dir, "youtube-spam/07-KQ6zr6kCPj8.csv")).unwrap();
    let mut data = Vec::new();
    for (r, x) in off_train.iter().zip(feats(&h, &off_train)) {
        data.push(Example {
            x,
            y: vec![Some(r.label == 1), None, Some(false)],
        });
    }
    for (r, x) in hate_train.iter().zip(feats(&h, &hate_train)) {
        data.push(Example {
            x,
            y: vec![None, Some(r.label == 1), Some(false)],
        });
    }
    for (r, x) in dav.iter().zip(feats(&h, &dav)) {
        data.push(Example {
            x,
            y: vec![Some(r.label < 2), Some(r.label == 0), Some(false)],
        });
    }
    for (r, x) in yt_train.iter().zip(feats(&h, &yt_train)) {
        data.push(Example {
            x,
            y: vec![None, None, Some(r.label == 1)],
        });
    }
    let t = std::time::Instant::now();
    let env = |k: &str, d: f32| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let settings = Settings {
        epochs: env("EPOCHS", 6.0) as usize,
        learning_rate: env("LR", 0.5),
        l2: env("L2", 1e-6),
        balance: env("BAL", 0.5),
        ..Settings::default()
    };
    let m = Linear::train(h.dims, &labels, &data, settings);
    println!(
        "trained on {} examples in {:.1} s",
        data.len(),
        t.elapsed().as_secs_f64()
    );
    let truth = |rows: &[Labelled]| rows.iter().map(|r| r.label == 1).collect::<Vec<_>>();
    report("offensive", &m, 0, &feats(&h, &off_val), &truth(&off_val));
    report("hate", &m, 1, &feats(&h, &hate_val), &truth(&hate_val));
    report("spam", &m, 2, &feats(&h, &yt_val), &truth(&yt_val));
}
