//! Bluesky against a real AT Protocol network on loopback (PLC, PDS and appview from the npm
//! registry's `@atproto/dev-env`, started by `scripts/test` through `tests/bluesky/start.sh`).
//! `PLAZA_TEST_BLUESKY` names the network's ready file; without it the test is skipped, and with
//! `PLAZA_REQUIRE_BLUESKY=1` (as CI sets) a missing network fails the run.
//!
//! The city publishes (link and mention facets, an image with alt text); another account
//! replies; one capture pass brings the reply into Plaza, classified and in the record; the
//! city hides it (threadgate), which the next pass records as a new version; the author deletes
//! it, and the pass after records that the author deleted it. Followers are snapshotted,
//! the author blocked, the post deleted; the record verifies clean.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use plaza::capture::{self, Options};
use plaza::{instance, ops};
use plaza_connect::bluesky::Bluesky;
use plaza_connect::{Connector, Draft, DraftImage, Endpoint, ReportReason};
use plaza_core::capture::{Author, Capability, ItemKind};
use plaza_core::record::kinds;
use plaza_store::RecordFilter;
use serde_json::{Value, json};

/// A 4x4 PNG, made for this test.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x08, 0x02, 0x00, 0x00, 0x00, 0x26, 0x93, 0x09,
    0x29, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xd0, 0xca, 0xdf, 0x00,
    0x47, 0x0c, 0xc4, 0x71, 0x00, 0x0e, 0x92, 0x14, 0x91, 0x34, 0xa2, 0x25, 0xeb, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn network() -> Option<Value> {
    let Ok(path) = std::env::var("PLAZA_TEST_BLUESKY") else {
        assert!(
            std::env::var("PLAZA_REQUIRE_BLUESKY").as_deref() != Ok("1"),
            "PLAZA_REQUIRE_BLUESKY=1 but PLAZA_TEST_BLUESKY names no network"
        );
        eprintln!("skipped: no Bluesky test network (run scripts/test)");
        return None;
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    Some(serde_json::from_str(&text).unwrap())
}

/// The appview indexes the PDS's event stream asynchronously: wait until it has caught up.
async fn settle(http: &reqwest::Client, net: &Value) {
    let url = format!("{}/process-all", net["control_url"].as_str().unwrap());
    let r = http.post(url).send().await.unwrap();
    assert!(r.status().is_success(), "process-all: {}", r.status());
}

/// The resident, as another client would act: a session and raw XRPC calls.
struct Resident {
    http: reqwest::Client,
    pds: String,
    did: String,
    jwt: String,
}

impl Resident {
    /// A new account on the test PDS (the dev PDS needs no invite), so every run of this test
    /// starts from clean accounts even on a network that earlier runs used.
    async fn new_account(http: &reqwest::Client, net: &Value, prefix: &str) -> (Resident, String) {
        let pds = net["pds_url"].as_str().unwrap().to_string();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let handle = format!(
            "{prefix}{:x}{:x}.test",
            std::process::id() % 4096,
            nanos % 1_048_576
        );
        let s: Value = http
            .post(format!("{pds}/xrpc/com.atproto.server.createAccount"))
            .json(&json!({"handle": handle, "email": format!("{}@plaza.invalid", handle.replace('.', "-")),
                          "password": "a long enough test password"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = Resident {
            http: http.clone(),
            pds,
            did: s["did"]
                .as_str()
                .unwrap_or_else(|| panic!("createAccount: {s}"))
                .into(),
            jwt: s["accessJwt"].as_str().unwrap().into(),
        };
        (r, handle)
    }

    async fn call(&self, nsid: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/xrpc/{nsid}", self.pds))
            .bearer_auth(&self.jwt)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{nsid}: {status} {v}");
        v
    }

    async fn create(&self, collection: &str, record: Value) -> Value {
        self.call(
            "com.atproto.repo.createRecord",
            json!({"repo": self.did, "collection": collection, "record": record}),
        )
        .await
    }
}

fn now() -> String {
    plaza_core::Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    )
    .rfc3339()
}

#[tokio::test]
async fn a_reply_on_a_real_pds_is_captured_classified_hidden_and_its_deletion_recorded() {
    let Some(net) = network() else { return };
    plaza_connect::init_tls();
    let http = reqwest::Client::new();
    let pds = net["pds_url"].as_str().unwrap();
    let appview = net["appview_url"].as_str().unwrap();
    // Fresh accounts: the city (signing in with an app password, as a city would) and a
    // resident.
    let (city_account, city_handle) = Resident::new_account(&http, &net, "city").await;
    let city_handle = city_handle.as_str();
    let app_password = city_account
        .call(
            "com.atproto.server.createAppPassword",
            json!({"name": "plaza"}),
        )
        .await["password"]
        .as_str()
        .unwrap()
        .to_string();
    let (resident, resident_handle) = Resident::new_account(&http, &net, "res").await;
    let resident_handle = resident_handle.as_str();
    settle(&http, &net).await;

    // An instance with the city's Bluesky account registered from the command line.
    let data = plaza_store::testing::temp_dir("bluesky");
    let spec = common::spec(None);
    let (store, key, _) = instance::init(&data, &spec).await.unwrap();
    let secret = data.with_extension("app-password");
    std::fs::write(&secret, &app_password).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plaza"))
        .args([
            "site",
            "add",
            "bluesky",
            "--handle",
            city_handle,
            "--service",
            pds,
            "--appview",
            appview,
            "--app-password-file",
            secret.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Plaza keeps the credential in its own data directory: the file the operator passed can
    // go (and a test leaves no app password behind), and everything below works without it.
    std::fs::remove_file(&secret).unwrap();
    let site = store
        .sites()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.handle == city_handle)
        .unwrap();

    // The city publishes through the connector: link and mention facets, an image with alt.
    let endpoint = Endpoint {
        base_url: pds.into(),
        read_url: Some(appview.into()),
        account: city_handle.into(),
        secret: app_password.clone(),
    };
    let mut city = Bluesky::new(&endpoint).unwrap();
    let session = city.connect().await.unwrap();
    assert_eq!(session.handle, city_handle);
    let post = city
        .publish(&Draft {
            text: format!("Leaf pickup starts Monday: https://arborvale.example/leaves. Questions? Ask @{resident_handle}"),
            images: vec![DraftImage { bytes: PNG.to_vec(), mime: "image/png".into(), alt: "Map of the pickup zones".into() }],
        })
        .await
        .unwrap();
    settle(&http, &net).await;
    let posts: Value = http
        .get(format!("{appview}/xrpc/app.bsky.feed.getPosts"))
        .query(&[("uris", post.platform_id.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let view = &posts["posts"][0];
    let facets = view["record"]["facets"].as_array().unwrap();
    assert!(
        facets
            .iter()
            .any(|f| f["features"][0]["uri"] == "https://arborvale.example/leaves"),
        "{view}"
    );
    assert!(
        facets
            .iter()
            .any(|f| f["features"][0]["did"] == resident.did.as_str()),
        "{view}"
    );
    assert_eq!(view["embed"]["images"][0]["alt"], "Map of the pickup zones");
    let cid = view["cid"].as_str().unwrap().to_string();

    // Another account replies, and follows the city.
    let strong = json!({"uri": post.platform_id, "cid": cid});
    let reply = resident
        .create(
            "app.bsky.feed.post",
            json!({"$type": "app.bsky.feed.post", "text": "You idiots never pick up on time, total morons.",
                   "createdAt": now(), "reply": {"root": strong, "parent": strong}}),
        )
        .await;
    let reply_uri = reply["uri"].as_str().unwrap().to_string();
    resident
        .create("app.bsky.graph.follow", json!({"$type": "app.bsky.graph.follow", "subject": session.account_id, "createdAt": now()}))
        .await;
    settle(&http, &net).await;

    // One capture pass: the reply is in Plaza, classified, and in the record.
    let mut engine = ops::engine_for(&store).await.unwrap();
    let opts = Options::default();
    let r = capture::capture_site(&store, &data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(r.summary.error, None, "{:?}", r.summary);
    assert_eq!((r.summary.posts_seen, r.summary.comments_seen), (1, 1));
    assert_eq!(r.summary.followers, Some(1));
    let captured = store
        .captured(site.id, &reply_uri)
        .await
        .unwrap()
        .expect("the reply was captured");
    assert_eq!(captured.kind, "comment");
    assert_eq!(captured.author_handle, resident_handle);
    assert_eq!(captured.state, "live");
    assert_eq!(captured.decision.as_deref(), Some("review"));
    let entries = store
        .records(&RecordFilter {
            kind: Some(kinds::CAPTURE_COMMENT.into()),
            limit: 10,
            ..RecordFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let payload: Value = serde_json::from_str(entries[0].payload.as_deref().unwrap()).unwrap();
    assert_eq!(payload["platform_id"], reply_uri);
    assert_eq!(payload["author"]["id"], resident.did.as_str());
    assert_eq!(payload["moderation"]["decision"], "review");
    let captured_post = store
        .captured(site.id, &post.platform_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(captured_post.replies, 1);

    // The city hides the reply (threadgate hiddenReplies): the next pass records a new version.
    let mut comments = city.comments(&post).await.unwrap();
    assert_eq!(comments.len(), 1);
    let comment = comments.remove(0);
    assert_eq!(comment.kind, ItemKind::Comment);
    // The session is refreshed (com.atproto.server.refreshSession) and still acts.
    city.refresh().await.unwrap();
    city.hide_comment(&comment, true).await.unwrap();
    // A report to the network's moderation service (Ozone, through the PDS).
    city.report(&comment, ReportReason::Rude, "C.7.i: insults")
        .await
        .unwrap();
    settle(&http, &net).await;
    let r = capture::capture_site(&store, &data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(
        (r.summary.new_items, r.summary.new_versions, r.summary.gone),
        (0, 1, 0),
        "{:?}",
        r.summary
    );
    let hidden = store.captured(site.id, &reply_uri).await.unwrap().unwrap();
    assert_eq!((hidden.state.as_str(), hidden.versions), ("hidden", 2));

    // The author deletes the reply: recorded as deleted by its author, the original kept.
    let (_, _, rkey) = plaza_connect::bluesky::split_uri(&reply_uri).unwrap();
    resident
        .call(
            "com.atproto.repo.deleteRecord",
            json!({"repo": resident.did, "collection": "app.bsky.feed.post", "rkey": rkey}),
        )
        .await;
    settle(&http, &net).await;
    let r = capture::capture_site(&store, &data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(
        (r.summary.new_items, r.summary.new_versions, r.summary.gone),
        (0, 0, 1),
        "{:?}",
        r.summary
    );
    let gone = store.captured(site.id, &reply_uri).await.unwrap().unwrap();
    assert_eq!(gone.state, "deleted_by_author");
    assert_eq!(gone.body, "You idiots never pick up on time, total morons.");
    let g = store
        .records(&RecordFilter {
            kind: Some(kinds::CAPTURE_GONE.into()),
            limit: 10,
            ..RecordFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(g.len(), 1);
    let payload: Value = serde_json::from_str(g[0].payload.as_deref().unwrap()).unwrap();
    assert_eq!(payload["by"], "deleted_by_author");
    assert_eq!(payload["author"]["handle"], resident_handle);

    // Blocking through the API (app.bsky.graph.block in the city's repository).
    assert!(city.capabilities().contains(&Capability::BlockUser));
    city.block(&Author {
        id: resident.did.clone(),
        handle: resident_handle.into(),
        name: String::new(),
    })
    .await
    .unwrap();
    let blocks: Value = http
        .get(format!("{pds}/xrpc/com.atproto.repo.listRecords"))
        .query(&[
            ("repo", session.account_id.as_str()),
            ("collection", "app.bsky.graph.block"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        blocks["records"][0]["value"]["subject"],
        resident.did.as_str()
    );

    // The city deletes its post: the next pass records the post as gone.
    city.delete(&post).await.unwrap();
    settle(&http, &net).await;
    let r = capture::capture_site(&store, &data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(r.summary.gone, 1, "{:?}", r.summary);

    // A refused app password is a failed pass with the platform's reason, not a crash.
    std::fs::write(capture::secret_path(&data, site.id), "wrong-app-password").unwrap();
    let r = capture::capture_site(&store, &data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(
        r.summary.error.as_ref().map(|e| e.0.as_str()),
        Some("credential_refused"),
        "{:?}",
        r.summary
    );

    store.verify_paged(key.public_key(), 5).await.unwrap();
    store.close().await;
}
