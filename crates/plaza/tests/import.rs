//! `plaza import` as an operator uses it: a Mastodon account archive's outbox.json imported
//! into a site; the same file again adds nothing; a malformed file is refused naming the file and
//! the position, with nothing stored; an import killed with SIGKILL resumes where it stopped,
//! with nothing lost or duplicated and `plaza verify` clean.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use plaza_core::record::kinds;
use plaza_store::{RecordFilter, Store};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn plaza() -> Command {
    Command::new(env!("CARGO_BIN_EXE_plaza"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A new instance with one Mastodon site (no credential needed to import).
fn instance(name: &str) -> (PathBuf, String) {
    let dir = plaza_store::testing::temp_dir(name);
    let data = dir.join("data");
    let pw = dir.join("pw");
    std::fs::write(&pw, "a long enough password\n").unwrap();
    let o = plaza()
        .args([
            "init",
            "--data",
            data.to_str().unwrap(),
            "--admin-name",
            "Pat Example",
        ])
        .args([
            "--admin-email",
            "pat@ci.claremont.ca.us",
            "--admin-password-file",
            pw.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let token = dir.join("token");
    std::fs::write(&token, "unused-token\n").unwrap();
    let o = plaza()
        .args([
            "site",
            "add",
            "mastodon",
            "--handle",
            "city@m.example",
            "--service",
            "https://m.example",
        ])
        .args([
            "--token-file",
            token.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let site = text(&o).split_whitespace().nth(1).unwrap().to_string();
    (data, site)
}

/// An outbox with `notes` notes by the city (every fifth a reply to the one before) and a
/// boost, which is not the city's words.
fn outbox(path: &Path, notes: usize) {
    let mut items = Vec::new();
    for i in 0..notes {
        let id = format!("https://m.example/users/city/statuses/{}", 100_000 + i);
        let reply = (i % 5 == 4)
            .then(|| format!("https://m.example/users/city/statuses/{}", 100_000 + i - 1));
        items.push(json!({
            "id": format!("{id}/activity"), "type": "Create", "actor": "https://m.example/users/city",
            "published": "2025-03-01T10:00:00Z", "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {"id": id, "type": "Note", "published": "2025-03-01T10:00:00Z",
                       "url": format!("https://m.example/@city/{}", 100_000 + i),
                       "attributedTo": "https://m.example/users/city", "inReplyTo": reply,
                       "content": format!("<p>Notice {i}: the library opens at 10 &amp; closes at 6.</p>"),
                       "sensitive": false, "summary": null, "attachment": []}
        }));
        if i == 0 {
            items.push(json!({"id": "https://m.example/users/city/statuses/1/activity", "type": "Announce",
                              "actor": "https://m.example/users/city", "published": "2025-03-01T10:00:00Z",
                              "object": "https://other.example/users/news/statuses/9"}));
        }
    }
    let doc = json!({"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json",
                     "type": "OrderedCollection", "totalItems": items.len(), "orderedItems": items});
    std::fs::write(path, serde_json::to_vec(&doc).unwrap()).unwrap();
}

async fn store(data: &Path) -> Store {
    plaza::instance::open(data, None).await.unwrap().0
}

/// Captured items, counted in the items table and in the record.
async fn captured(store: &Store) -> usize {
    let rows: i64 = store
        .content_counts()
        .await
        .unwrap()
        .iter()
        .map(|(_, p, c)| p + c)
        .sum();
    let mut records = 0;
    let mut before = None;
    loop {
        let page = store
            .records(&RecordFilter {
                before,
                limit: 1000,
                ..RecordFilter::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.header.seq);
        records += page
            .iter()
            .filter(|e| {
                e.header.kind == kinds::CAPTURE_POST || e.header.kind == kinds::CAPTURE_COMMENT
            })
            .count();
    }
    assert_eq!(rows as usize, records, "one record entry per stored item");
    records
}

fn import(data: &Path, site: &str, file: &Path) -> Output {
    plaza()
        .args([
            "import",
            file.to_str().unwrap(),
            "--site",
            site,
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap()
}

#[tokio::test]
async fn an_outbox_imports_once_and_malformed_input_stores_nothing() {
    let (data, site) = instance("import-once");
    let file = data.with_file_name("outbox.json");
    outbox(&file, 40);

    // Malformed: cut in the middle. Refused, naming the file and where; nothing stored.
    let bad = data.with_file_name("broken-outbox.json");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let before = store(&data).await.tree_size().await.unwrap();
    let o = import(&data, &site, &bad);
    assert!(!o.status.success());
    let msg = text(&o);
    assert!(msg.contains("broken-outbox.json"), "{msg}");
    let s = store(&data).await;
    assert_eq!(
        s.tree_size().await.unwrap(),
        before,
        "nothing half-imported"
    );
    s.close().await;

    let o = import(&data, &site, &file);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("40 items, 40 new"), "{}", text(&o));
    let s = store(&data).await;
    assert_eq!(captured(&s).await, 40, "the boost is not imported");
    let size = s.tree_size().await.unwrap();
    s.close().await;

    let o = import(&data, &site, &file);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("nothing to add"), "{}", text(&o));
    let s = store(&data).await;
    assert_eq!(
        s.tree_size().await.unwrap(),
        size,
        "importing twice adds nothing"
    );
    s.close().await;
    let v = plaza()
        .args(["verify", "--data", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", text(&v));
}

#[tokio::test]
async fn an_import_killed_mid_way_resumes_without_loss_or_duplicates() {
    let (data, site) = instance("import-kill");
    let file = data.with_file_name("outbox.json");
    let notes = 60_000;
    outbox(&file, notes);
    let mut child = plaza()
        .args([
            "import",
            file.to_str().unwrap(),
            "--site",
            &site,
            "--data",
            data.to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first batches are committed, then kill it.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = 0;
    for line in lines.by_ref() {
        if line.unwrap().starts_with("imported ") {
            seen += 1;
            if seen == 2 {
                break;
            }
        }
    }
    assert_eq!(seen, 2, "the import printed its progress");
    child.kill().unwrap();
    child.wait().unwrap();
    let s = store(&data).await;
    let partial = captured(&s).await;
    assert!(
        partial >= 1000 && partial < notes,
        "killed mid-way: {partial} of {notes} stored"
    );
    s.close().await;

    let o = import(&data, &site, &file);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("resumed after item"), "{}", text(&o));
    // The import reports its whole effect, over both runs.
    assert!(text(&o).contains("60000 items, 60000 new"), "{}", text(&o));
    let s = store(&data).await;
    assert_eq!(
        captured(&s).await,
        notes,
        "nothing lost, nothing twice: {}",
        text(&o)
    );
    s.close().await;
    let v = plaza()
        .args(["verify", "--data", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", text(&v));
}
