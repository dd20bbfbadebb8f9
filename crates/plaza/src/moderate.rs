//! `plaza moderate`: reads comments from standard input and writes one JSON line per input, in
//! order; `plaza moderate train`: trains the model from the labelled public data.

use anyhow::{Context, Result, anyhow};
use plaza_moderation::data::{davidson, tweeteval, youtube};
use plaza_moderation::engine::{Assessment, Comment, Engine};
use plaza_moderation::linear::{Linear, Settings};
use plaza_moderation::train::civic;
use serde_json::{Map, Value, json};
use std::io::{BufRead, Write};
use std::path::Path;

/// Longest comment text `plaza moderate` accepts, in bytes.
pub const MAX_TEXT: usize = 1 << 20;

/// Builds the engine from a policy file (or the default policy) and a model file (or the
/// shipped model).
pub fn engine(
    policy: Option<&Path>,
    model: Option<&Path>,
    blocklist: Option<&Path>,
) -> Result<Engine> {
    let policy = match policy {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            plaza_core::policy::parse(&text).map_err(|errs| {
                anyhow!(
                    "{} is invalid:\n{}",
                    p.display(),
                    errs.iter()
                        .map(|e| format!("  {e}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })?
        }
        None => plaza_core::policy::Policy::default_policy()
            .map_err(|e| anyhow!("the default policy is invalid: {}", e[0]))?,
    };
    let model = match model {
        Some(m) => Linear::from_bytes(
            &std::fs::read(m).with_context(|| format!("reading {}", m.display()))?,
        )
        .map_err(|e| anyhow!("{}: {e}", m.display()))?,
        None => plaza_moderation::default_model().map_err(|e| anyhow!("the shipped model: {e}"))?,
    };
    let mut e = Engine::new(&policy, Some(model));
    if let Some(b) = blocklist {
        e = e.with_blocklist(
            &std::fs::read_to_string(b).with_context(|| format!("reading {}", b.display()))?,
        );
    }
    Ok(e)
}

fn round(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

/// The JSON line for an assessment.
pub fn to_json(id: &Value, a: &Assessment) -> Value {
    let mut signals = Map::new();
    for (name, score) in &a.signals {
        signals.insert((*name).to_string(), json!(round(*score)));
    }
    let clauses: Vec<Value> = a
        .clauses
        .iter()
        .map(|c| {
            json!({
                "clause": c.clause,
                "score": round(c.score),
                "signals": c.signals,
                "evidence": c.evidence.iter().map(|e| json!({"start": e.start, "end": e.end, "text": e.text})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut out =
        json!({"id": id, "signals": signals, "clauses": clauses, "decision": a.decision.as_str()});
    if a.escalate {
        out["escalate"] = json!(true);
    }
    out
}

fn one(engine: &mut Engine, line: &[u8], n: usize, plain: bool) -> Value {
    if plain {
        let text = String::from_utf8_lossy(line);
        if text.len() > MAX_TEXT {
            return json!({"id": n.to_string(), "error": format!("line {n}: the text is longer than {MAX_TEXT} bytes")});
        }
        let a = engine.assess(&Comment {
            text: &text,
            ..Comment::default()
        });
        return to_json(&json!(n.to_string()), &a);
    }
    let Ok(line) = std::str::from_utf8(line) else {
        return json!({"id": Value::Null, "error": format!("line {n} is not UTF-8")});
    };
    if line.trim().is_empty() {
        return json!({"id": Value::Null, "error": format!("line {n} is empty: expected a JSON object with \"id\" and \"text\"")});
    }
    let v: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({"id": Value::Null, "error": format!("line {n} is not JSON: {e}")}),
    };
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    let Some(obj) = v.as_object() else {
        return json!({"id": Value::Null, "error": format!("line {n} is not a JSON object")});
    };
    if !obj.contains_key("id") {
        return json!({"id": Value::Null, "error": format!("line {n} has no \"id\"")});
    }
    let Some(text) = obj.get("text").and_then(Value::as_str) else {
        return json!({"id": id, "error": format!("line {n} has no \"text\" string")});
    };
    if text.len() > MAX_TEXT {
        return json!({"id": id, "error": format!("line {n}: the text is longer than {MAX_TEXT} bytes")});
    }
    let s = |k: &str| obj.get(k).and_then(Value::as_str);
    let c = Comment {
        text,
        author: s("author"),
        site: s("site"),
        thread: s("thread"),
        parent_text: s("parent_text"),
        at_ms: obj.get("at_ms").and_then(Value::as_i64),
    };
    to_json(&id, &engine.assess(&c))
}

/// Reads comments from `input` and writes one JSON line each to `output`, in order.
pub fn run(
    engine: &mut Engine,
    input: impl BufRead,
    mut output: impl Write,
    plain: bool,
) -> Result<()> {
    for (i, line) in input.split(b'\n').enumerate() {
        let mut line = line?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let v = one(engine, &line, i + 1, plain);
        serde_json::to_writer(&mut output, &v)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(())
}

/// The training settings Plaza's shipped model uses.
pub fn default_settings() -> Settings {
    Settings {
        epochs: 4,
        learning_rate: 0.2,
        l2: 1e-5,
        balance: 0.5,
        ..Settings::default()
    }
}

/// Trains the model from `data` (the directory of the labelled public data) and writes it
/// (unless `out` is `None`: then it only reports the validation figures, for tuning). `folds`,
/// if given, receives each model trained with one spam video left out, to inspect its errors.
pub fn train(
    data: &Path,
    out: Option<&Path>,
    folds: Option<&Path>,
    bits: u32,
    settings: Settings,
) -> Result<()> {
    let read = |name: &str| {
        std::fs::read_to_string(data.join(name))
            .with_context(|| format!("reading {}", data.join(name).display()))
    };
    let tw = |set: &str, split: &str| -> Result<_> {
        tweeteval(
            &read(&format!("{set}/{split}_text.txt"))?,
            &read(&format!("{set}/{split}_labels.txt"))?,
        )
        .map_err(|e| anyhow!("{set} {split}: {e}"))
    };
    let mut spam_videos = Vec::new();
    for f in [
        "youtube-spam/01-9bZkp7q19f0.csv",
        "youtube-spam/04-CevxZvSJLk8.csv",
        "youtube-spam/07-KQ6zr6kCPj8.csv",
    ] {
        let rows = youtube(&read(f)?).map_err(|e| anyhow!("{f}: {e}"))?;
        let name = f
            .trim_start_matches("youtube-spam/")
            .trim_end_matches(".csv");
        spam_videos.push((name.to_string(), rows));
    }
    let sets = plaza_moderation::train::Sets {
        offensive_train: tw("tweeteval-offensive", "train")?,
        offensive_val: tw("tweeteval-offensive", "val")?,
        hate_train: tw("tweeteval-hate", "train")?,
        hate_val: tw("tweeteval-hate", "val")?,
        davidson: davidson(&read("davidson/labeled_data.csv")?)
            .map_err(|e| anyhow!("davidson: {e}"))?,
        spam_videos,
        civic: civic::train(civic::ORDINARY)
            .into_iter()
            .map(String::from)
            .collect(),
        lookalikes: civic::train(civic::LOOKALIKES)
            .into_iter()
            .map(String::from)
            .collect(),
        civic_links: civic::train(civic::LINKS)
            .into_iter()
            .map(String::from)
            .collect(),
    };
    let policy = plaza_core::policy::Policy::default_policy()
        .map_err(|e| anyhow!("the default policy is invalid: {}", e[0]))?;
    let trained = plaza_moderation::train::train(&sets, &policy, bits, settings);
    if let Some(out) = out {
        std::fs::write(out, trained.model.to_bytes())
            .with_context(|| format!("writing {}", out.display()))?;
    }
    for r in &trained.reports {
        let f = r.figures;
        let on = if r.label == "spam" {
            "each video left out"
        } else {
            "TweetEval val"
        };
        println!(
            "{:10} model: macro-F1 {:.3}  F1 {:.3}  precision {:.3}  recall {:.3}  ROC-AUC {:.3}; engine {} {:.3}  (threshold {:.2} calibrated to 0.5; {on})",
            r.label,
            f.macro_f1,
            f.f1,
            f.precision,
            f.recall,
            f.auc,
            if r.label == "spam" { "F1" } else { "macro-F1" },
            r.engine,
            r.threshold
        );
    }
    // the whole engine on each video, with the model that never saw it
    for (fold, (_, rows)) in trained.folds.iter().zip(&sets.spam_videos) {
        if let Some(dir) = folds {
            let path = dir.join(format!("without-{}.plzm", fold.video));
            std::fs::write(&path, fold.model.to_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        let mut engine = Engine::new(&policy, Some(fold.model.clone()));
        let e = eval(&mut engine, rows, "spam", &[1])?;
        println!(
            "video {} left out: model F1 {:.3}; engine (spam or self_promotion) F1 {:.3}  precision {:.3}  recall {:.3}",
            fold.video, fold.figures.f1, e.f1, e.precision, e.recall
        );
    }
    if let Some(out) = out {
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// The score a group of signals gives a comment: "offensive" (any of the eight toxicity-family
/// signals), "hate" (identity_hate), "spam" (spam or self_promotion), or one signal by name.
pub fn group_score(a: &Assessment, group: &str) -> Result<f32> {
    use plaza_moderation::engine::{HATE_GROUP, OFFENSIVE_GROUP, SPAM_GROUP};
    Ok(match group {
        "offensive" => a.group(OFFENSIVE_GROUP),
        "hate" => a.group(HATE_GROUP),
        "spam" => a.group(SPAM_GROUP),
        other if plaza_core::policy::SIGNALS.contains(&other) => a.signal(other),
        other => {
            return Err(anyhow!(
                "unknown signal or group {other:?} (groups: offensive, hate, spam; signals: {})",
                plaza_core::policy::SIGNALS.join(", ")
            ));
        }
    })
}

/// Scores a labelled file and prints the figures.
pub fn eval(
    engine: &mut Engine,
    rows: &[plaza_moderation::data::Labelled],
    group: &str,
    positive: &[u8],
) -> Result<plaza_moderation::metrics::Figures> {
    let mut scores = Vec::with_capacity(rows.len());
    let mut truth = Vec::with_capacity(rows.len());
    for r in rows {
        let a = engine.assess(&Comment {
            text: &r.text,
            ..Comment::default()
        });
        scores.push(group_score(&a, group)?);
        truth.push(positive.contains(&r.label));
    }
    Ok(plaza_moderation::metrics::evaluate(&scores, &truth, 0.5))
}

/// A fixed corpus of comments of about 100 characters for the benchmark (generated, so the
/// benchmark needs no data files).
pub fn bench_corpus(n: usize) -> Vec<String> {
    const OPEN: &[&str] = &[
        "When will",
        "Why did",
        "Thank you for",
        "I can't believe",
        "Please fix",
        "Who approved",
        "Great news about",
        "Check out my channel about",
    ];
    const MID: &[&str] = &[
        "the Oak Street repairs",
        "the new library hours",
        "this stupid parking plan",
        "the park cleanup",
        "the council vote",
        "the water rates",
    ];
    const END: &[&str] = &[
        "? The detour adds twenty minutes every morning.",
        "! Call me at (909) 555-0188 if you want details.",
        ", what a waste of taxpayer money, you idiots.",
        "; see https://www.arborvale.example/news for more.",
        ". Subscribe for more videos http://bit.ly/abc123",
        ". Someone is breaking into cars near the station.",
    ];
    let mut rng = plaza_core::XorShift::new(0x1234_5678_9abc_def1);
    let mut next = move |n: usize| rng.below(n);
    (0..n)
        .map(|i| {
            format!(
                "{} {}{} #{i}",
                OPEN[next(OPEN.len())],
                MID[next(MID.len())],
                END[next(END.len())]
            )
        })
        .collect()
}

/// Peak resident memory of this process in MB (Linux), if known.
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
