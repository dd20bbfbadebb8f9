//! Validation probe for the learned signals: trains on the training splits of the public data
//! and prints validation figures (never a test split); settings from the environment
//! (EPOCHS, LR, L2, BAL, BITS). Usage:
//! `cargo run --release -p plaza-moderation --example probe -- ../shared/data/moderation`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use plaza_moderation::data::{davidson, tweeteval, youtube};
use plaza_moderation::linear::Settings;
use plaza_moderation::train::{Sets, train};
use std::path::Path;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/moderation".into());
    let dir = Path::new(&dir);
    let tw = |set: &str, split: &str| {
        tweeteval(
            &read(dir, &format!("{set}/{split}_text.txt")),
            &read(dir, &format!("{set}/{split}_labels.txt")),
        )
        .unwrap()
    };
    let sets = Sets {
        offensive_train: tw("tweeteval-offensive", "train"),
        offensive_val: tw("tweeteval-offensive", "val"),
        hate_train: tw("tweeteval-hate", "train"),
        hate_val: tw("tweeteval-hate", "val"),
        davidson: davidson(&read(dir, "davidson/labeled_data.csv")).unwrap(),
        spam_train: [
            "youtube-spam/01-9bZkp7q19f0.csv",
            "youtube-spam/04-CevxZvSJLk8.csv",
        ]
        .iter()
        .flat_map(|f| youtube(&read(dir, f)).unwrap())
        .collect(),
        spam_val: youtube(&read(dir, "youtube-spam/07-KQ6zr6kCPj8.csv")).unwrap(),
    };
    let env = |k: &str, d: f32| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let settings = Settings {
        epochs: env("EPOCHS", 4.0) as usize,
        learning_rate: env("LR", 0.2),
        l2: env("L2", 1e-5),
        balance: env("BAL", 0.5),
        ..Settings::default()
    };
    let t = std::time::Instant::now();
    let (model, reports) = train(&sets, env("BITS", 18.0) as u32, settings);
    if let Ok(out) = std::env::var("OUT") {
        std::fs::write(&out, model.to_bytes()).unwrap();
        println!("wrote {out}");
    }
    println!("trained in {:.1} s", t.elapsed().as_secs_f64());
    for r in reports {
        let f = r.figures;
        println!(
            "{:10} val: macro-F1 {:.3} F1 {:.3} P {:.3} R {:.3} AUC {:.3} (threshold {:.2} calibrated to 0.5)",
            r.label, f.macro_f1, f.f1, f.precision, f.recall, f.auc, r.threshold
        );
    }
}
