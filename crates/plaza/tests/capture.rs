//! The capture engine end to end on both databases, against a local server speaking Mastodon's
//! documented API (no Mastodon server can run here): new items, idempotent passes, edits as
//! versions, deletions by their authors, moderation stored with each comment, follower
//! snapshots, failures, gaps and credential warnings; and a capture killed with SIGKILL in the
//! middle, restarted, with nothing lost or duplicated and the record verifying clean.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::result_large_err
)]

mod common;

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use plaza::capture::{self, Options};
use plaza::{instance, ops};
use plaza_core::record::kinds;
use plaza_core::{Clock, FixedClock, Timestamp};
use plaza_store::testing::{fresh_url, temp_dir};
use plaza_store::{Backend, RecordFilter, Store};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

const T0: i64 = 1_795_000_000_000; // 2026-11-18

#[derive(Default)]
struct World {
    token: String,
    posts: Vec<Value>,
    threads: HashMap<String, Vec<Value>>,
    followers: Vec<Value>,
    /// Statuses that exist although no context lists them (a reply under a deleted reply).
    unlisted: Vec<String>,
    /// Hold the answer for this thread until notified (to kill a capture mid-way).
    gate: Option<(String, Arc<Notify>, Arc<Notify>)>,
}

type Shared = Arc<Mutex<World>>;

fn account(id: &str, acct: &str) -> Value {
    json!({"id": id, "username": acct, "acct": acct, "display_name": acct.to_uppercase(), "note": "",
           "followers_count": 2, "statuses_count": 2})
}

fn status(id: &str, who: Value, text: &str, reply_to: Option<&str>, at: i64) -> Value {
    let created = Timestamp(at).rfc3339();
    json!({"id": id, "created_at": created, "in_reply_to_id": reply_to, "uri": format!("https://m.test/s/{id}"),
           "url": format!("https://m.test/@x/{id}"), "content": format!("<p>{text}</p>"), "account": who,
           "replies_count": 0, "reblogs_count": 0, "favourites_count": 1, "edited_at": null, "reblog": null,
           "media_attachments": [], "spoiler_text": ""})
}

fn authed(w: &Shared, h: &HeaderMap) -> Result<(), Response> {
    let want = format!("Bearer {}", w.lock().unwrap().token);
    if h.get("authorization").and_then(|v| v.to_str().ok()) == Some(want.as_str()) {
        Ok(())
    } else {
        Err((
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "The access token is invalid"})),
        )
            .into_response())
    }
}

async fn server(world: Shared) -> String {
    let app = Router::new()
        .route(
            "/api/v1/accounts/verify_credentials",
            get(|State(w): State<Shared>, h: HeaderMap| async move {
                if let Err(r) = authed(&w, &h) {
                    return r;
                }
                axum::Json(account("1", "city")).into_response()
            }),
        )
        .route(
            "/api/v1/accounts/1/statuses",
            get(
                |State(w): State<Shared>,
                 h: HeaderMap,
                 Query(q): Query<HashMap<String, String>>| async move {
                    if let Err(r) = authed(&w, &h) {
                        return r;
                    }
                    if q.contains_key("max_id") {
                        return axum::Json(json!([])).into_response();
                    }
                    axum::Json(Value::Array(w.lock().unwrap().posts.clone())).into_response()
                },
            ),
        )
        .route(
            "/api/v1/statuses/{id}/context",
            get(
                |State(w): State<Shared>, h: HeaderMap, UrlPath(id): UrlPath<String>| async move {
                    if let Err(r) = authed(&w, &h) {
                        return r;
                    }
                    let gate = w.lock().unwrap().gate.clone();
                    if let Some((gated, reached, release)) = gate
                        && gated == id
                    {
                        reached.notify_one();
                        release.notified().await;
                    }
                    let d = w
                        .lock()
                        .unwrap()
                        .threads
                        .get(&id)
                        .cloned()
                        .unwrap_or_default();
                    axum::Json(json!({"ancestors": [], "descendants": d})).into_response()
                },
            ),
        )
        .route(
            "/api/v1/statuses/{id}",
            get(
                |State(w): State<Shared>, h: HeaderMap, UrlPath(id): UrlPath<String>| async move {
                    if let Err(r) = authed(&w, &h) {
                        return r;
                    }
                    let w = w.lock().unwrap();
                    let found = w.unlisted.contains(&id)
                        || w.threads.values().flatten().any(|s| s["id"] == id.as_str());
                    if found {
                        axum::Json(json!({"id": id})).into_response()
                    } else {
                        (
                            StatusCode::NOT_FOUND,
                            axum::Json(json!({"error": "Record not found"})),
                        )
                            .into_response()
                    }
                },
            ),
        )
        .route(
            "/api/v1/accounts/1/followers",
            get(|State(w): State<Shared>, h: HeaderMap| async move {
                if let Err(r) = authed(&w, &h) {
                    return r;
                }
                axum::Json(Value::Array(w.lock().unwrap().followers.clone())).into_response()
            }),
        )
        .with_state(world);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn city_world(n_posts: usize, comments_each: usize) -> World {
    let city = account("1", "city");
    let mut w = World {
        token: "tok".into(),
        ..World::default()
    };
    for p in 0..n_posts {
        let pid = format!("{}", 1000 + p);
        w.posts.push(status(
            &pid,
            city.clone(),
            &format!("Notice number {p} from the city."),
            None,
            T0 - 3_600_000 * (p as i64 + 1),
        ));
        let mut comments = Vec::new();
        for c in 0..comments_each {
            let cid = format!("{pid}-{c}");
            let who = account(&format!("{}", 100 + c), &format!("resident{c}"));
            comments.push(status(
                &cid,
                who,
                &format!("Thank you for notice {p}, question {c} about the schedule."),
                Some(&pid),
                T0 - 60_000 * (c as i64 + 1),
            ));
        }
        w.threads.insert(pid, comments);
    }
    w.followers = vec![account("100", "resident0"), account("101", "resident1")];
    w
}

struct Instance {
    data: PathBuf,
    url: String,
}

async fn instance(backend: Backend, name: &str) -> Option<Instance> {
    let data = temp_dir(name);
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(fresh_url(backend).await.unwrap()?),
    };
    let spec = common::spec(pg.clone());
    let (store, _, _) = instance::init(&data, &spec).await.unwrap();
    store.close().await;
    let url = pg.unwrap_or_else(|| instance::Config::load(&data).unwrap().database_url(&data));
    Some(Instance { data, url })
}

async fn open(i: &Instance, clock: Arc<FixedClock>) -> Store {
    let c: Arc<dyn Clock> = clock;
    Store::open(&i.url, c).await.unwrap()
}

fn connection(base: &str, secret: &str, expires: Option<&str>) -> ops::Connection {
    ops::Connection {
        service: Some(base.into()),
        appview: None,
        account: None,
        secret: secret.into(),
        expires: expires.map(str::to_string),
    }
}

/// Record entries of one kind, newest first.
async fn entries_of(store: &Store, kind: &str) -> Vec<plaza_core::record::StoredEntry> {
    store
        .records(&RecordFilter {
            kind: Some(kind.into()),
            limit: 100_000,
            ..RecordFilter::default()
        })
        .await
        .unwrap()
}

async fn count_kind(store: &Store, kind: &str) -> usize {
    entries_of(store, kind).await.len()
}

/// An entry's payload, parsed.
fn payload_of(e: &plaza_core::record::StoredEntry) -> Value {
    serde_json::from_str(e.payload.as_deref().unwrap()).unwrap()
}

async fn verify(store: &Store, data: &Path) {
    let key = instance::load_key(data).unwrap();
    store.verify_paged(key.public_key(), 7).await.unwrap();
}

/// The staff dashboard as the first administrator sees it.
async fn dashboard(store: &Store, data: &Path) -> String {
    staff_page(store, data, "/staff").await
}

/// A staff page as the first administrator sees it.
async fn staff_page(store: &Store, data: &Path, path: &str) -> String {
    use tower::ServiceExt as _;
    let admin = store.people().await.unwrap().remove(0);
    let token = format!("dash-{}", store.now().0);
    let mut tx = store.begin_write().await.unwrap();
    tx.create_session(
        &plaza_server::ctx::token_hash(&token),
        admin.id,
        "csrf",
        Timestamp(store.now().0 + 3_600_000),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let app = plaza_server::router(plaza_server::App {
        store: store.clone(),
        key: Arc::new(instance::load_key(data).unwrap()),
        config: Arc::new(plaza_server::ServerConfig::default()),
    });
    let r = app
        .oneshot(
            axum::http::Request::get(path)
                .header("cookie", format!("plaza_session={token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = axum::body::to_bytes(r.into_body(), 1 << 22).await.unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

async fn capture_flow(backend: Backend) {
    let Some(inst) = instance(backend, "capture-flow").await else {
        return;
    };
    let clock = Arc::new(FixedClock::at(Timestamp(T0)));
    let store = open(&inst, clock.clone()).await;
    let world: Shared = Arc::new(Mutex::new(city_world(2, 2)));
    world
        .lock()
        .unwrap()
        .threads
        .get_mut("1000")
        .unwrap()
        .push(status(
            "1000-x",
            account("300", "troll"),
            "you are a stupid idiot and a moron",
            Some("1000"),
            T0 - 1000,
        ));
    let base = server(world.clone()).await;
    let add = ops::AddSite {
        name: Some("City on Mastodon".into()),
        email: Some("social@ci.claremont.ca.us".into()),
        ..common::site("mastodon", "city@m.test", "https://m.test/@city")
    };
    let expires = Timestamp(T0 + 20 * Timestamp::DAY_MS).date();
    let site_id = ops::add_site(
        &store,
        &inst.data,
        &add,
        &connection(&base, "tok", Some(&expires)),
    )
    .await
    .unwrap();
    let site = store.site(site_id).await.unwrap();
    let mut engine = ops::engine_for(&store).await.unwrap();
    let opts = Options::default();

    // Pass 1: everything is new.
    let r = capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(r.summary.error, None);
    assert_eq!((r.summary.posts_seen, r.summary.comments_seen), (2, 5));
    assert_eq!(
        (r.summary.new_items, r.summary.new_versions, r.summary.gone),
        (7, 0, 0)
    );
    assert_eq!(r.summary.followers, Some(2));
    let troll = store.captured(site_id, "1000-x").await.unwrap().unwrap();
    assert_eq!(troll.author_handle, "troll");
    assert_eq!(troll.decision.as_deref(), Some("review"));
    let a: Value = serde_json::from_str(troll.assessment.as_deref().unwrap()).unwrap();
    assert!(
        a["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["clause"].as_str().unwrap().starts_with("C.7")),
        "{a}"
    );
    let polite = store.captured(site_id, "1000-0").await.unwrap().unwrap();
    assert_eq!(polite.decision.as_deref(), Some("allow"));
    assert_eq!(count_kind(&store, kinds::CAPTURE_COMMENT).await, 5);
    assert_eq!(count_kind(&store, kinds::CAPTURE_FOLLOWERS).await, 1);
    let versions = store.version_count(site_id).await.unwrap();
    assert_eq!(versions, 7);

    // Pass 2, nothing changed: nothing new, one run entry more, no second follower snapshot
    // the same day.
    let size = store.tree_size().await.unwrap();
    clock.advance_ms(5 * 60_000);
    let r = capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(
        (
            r.summary.new_items,
            r.summary.new_versions,
            r.summary.gone,
            r.summary.followers
        ),
        (0, 0, 0, None)
    );
    assert_eq!(store.tree_size().await.unwrap(), size + 1);
    assert_eq!(store.version_count(site_id).await.unwrap(), versions);

    // An edit is a new version; a deletion by its author is recorded as such.
    {
        let mut w = world.lock().unwrap();
        let t = w.threads.get_mut("1001").unwrap();
        t[0]["content"] = json!("<p>Thank you, question edited.</p>");
        t[0]["edited_at"] = json!(Timestamp(T0 + 1000).rfc3339());
        t.remove(1);
    }
    clock.advance_ms(5 * 60_000);
    let r = capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(
        (r.summary.new_items, r.summary.new_versions, r.summary.gone),
        (0, 1, 1)
    );
    let edited = store.captured(site_id, "1001-0").await.unwrap().unwrap();
    assert_eq!(
        (edited.versions, edited.body.as_str()),
        (2, "Thank you, question edited.")
    );
    let gone = store.captured(site_id, "1001-1").await.unwrap().unwrap();
    assert_eq!(gone.state, "deleted_by_author");
    assert_eq!(
        gone.body, "Thank you for notice 1, question 1 about the schedule.",
        "the original stays"
    );
    let g = entries_of(&store, kinds::CAPTURE_GONE).await;
    assert_eq!(g.len(), 1);
    let payload = payload_of(&g[0]);
    assert_eq!(
        (payload["by"].as_str(), payload["author"]["handle"].as_str()),
        (Some("deleted_by_author"), Some("resident1"))
    );
    // A second pass does not record the deletion twice.
    clock.advance_ms(5 * 60_000);
    let r = capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(
        (r.summary.new_items, r.summary.new_versions, r.summary.gone),
        (0, 0, 0)
    );
    // A comment the context leaves out but that still exists is asked about, and kept.
    {
        let mut w = world.lock().unwrap();
        let t = w.threads.get_mut("1000").unwrap();
        let i = t.iter().position(|s| s["id"] == "1000-0").unwrap();
        t.remove(i);
        w.unlisted.push("1000-0".into());
    }
    clock.advance_ms(5 * 60_000);
    let r = capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(r.summary.gone, 0, "still there: not deleted");
    assert_eq!(
        store
            .captured(site_id, "1000-0")
            .await
            .unwrap()
            .unwrap()
            .state,
        "live"
    );

    // All is well: no warnings, no gaps.
    let c = capture::continuity(&store, &opts).await.unwrap();
    let me = c.iter().find(|c| c.site_id == site_id).unwrap();
    assert!(me.warnings.is_empty(), "{:?}", me.warnings);
    assert!(me.gaps.is_empty(), "{:?}", me.gaps);

    // The token is revoked: the pass fails, is recorded, and status says so at once.
    world.lock().unwrap().token = "rotated".into();
    clock.advance_ms(5 * 60_000);
    let r = capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(
        r.summary.error.as_ref().map(|e| e.0.as_str()),
        Some("credential_refused")
    );
    assert_eq!(count_kind(&store, kinds::CAPTURE_FAILED).await, 1);
    let c = capture::continuity(&store, &opts).await.unwrap();
    let me = c.iter().find(|c| c.site_id == site_id).unwrap();
    assert!(
        me.warnings
            .iter()
            .any(|w| w.contains("capture failing (1 in a row)")),
        "{:?}",
        me.warnings
    );
    assert_eq!(me.gaps.last().map(|g| (g.to, g.failures)), Some((None, 1)));
    // The dashboard says it too.
    let html = dashboard(&store, &inst.data).await;
    assert!(html.contains("capture failing (1 in a row)"), "{html}");
    assert!(html.contains("City on Mastodon"));

    // The city renews the token; a week later the credential's expiry is near: warned.
    ops::connect(
        &store,
        &inst.data,
        site_id,
        &site.handle,
        site.platform,
        &connection(&base, "rotated", Some(&expires)),
    )
    .await
    .unwrap();
    clock.advance_ms(7 * Timestamp::DAY_MS);
    let r = capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(r.summary.error, None);
    assert_eq!(
        r.summary.followers,
        Some(2),
        "a day later: a new follower snapshot"
    );
    let c = capture::continuity(&store, &opts).await.unwrap();
    let me = c.iter().find(|c| c.site_id == site_id).unwrap();
    assert!(
        me.warnings
            .iter()
            .any(|w| w.contains("credential expires on")),
        "{:?}",
        me.warnings
    );
    assert!(
        !me.warnings.iter().any(|w| w.contains("keyed fingerprints")),
        "{:?}",
        me.warnings
    );
    // A site connected before credentials had keyed fingerprints (a bare SHA-256 in the
    // record) is flagged: its secret should be replaced.
    assert_eq!(
        store
            .try_statement(&format!(
                "UPDATE site_endpoints SET secret_fingerprint = '{}' WHERE site_id = {site_id}",
                "ab".repeat(32)
            ))
            .await
            .unwrap(),
        None
    );
    let c = capture::continuity(&store, &opts).await.unwrap();
    let old = c.iter().find(|c| c.site_id == site_id).unwrap();
    assert!(
        old.warnings
            .iter()
            .any(|w| w.contains("keyed fingerprints") && w.contains("replace it")),
        "{:?}",
        old.warnings
    );
    // The week without captures since the renewal is a gap the report names.
    assert_eq!(me.gaps.len(), 1, "{:?}", me.gaps);
    assert!(me.gaps[0].to.is_some());

    // A valid token of another account is not the city's: the pass refuses to capture.
    let other = ops::Connection {
        account: Some("someone-else@m.test".into()),
        ..connection(&base, "rotated", None)
    };
    ops::connect(
        &store,
        &inst.data,
        site_id,
        &site.handle,
        site.platform,
        &other,
    )
    .await
    .unwrap();
    clock.advance_ms(5 * 60_000);
    let r = capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    let (code, msg) = r.summary.error.clone().unwrap();
    assert_eq!(code, "misconfigured");
    assert!(
        msg.contains("not as the site's account someone-else@m.test"),
        "{msg}"
    );
    assert_eq!(r.summary.new_items, 0);
    verify(&store, &inst.data).await;
    store.close().await;
}

#[tokio::test]
async fn capture_flow_sqlite() {
    capture_flow(Backend::Sqlite).await;
}

#[tokio::test]
async fn capture_flow_postgres() {
    capture_flow(Backend::Postgres).await;
}

/// `plaza capture --once` is killed with SIGKILL while it waits for the second thread; the
/// first thread is committed, the rest is not. Run again, it adds exactly what is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_killed_mid_way_loses_and_duplicates_nothing() {
    let inst = instance(Backend::Sqlite, "capture-kill").await.unwrap();
    let world: Shared = Arc::new(Mutex::new(city_world(3, 40)));
    let reached = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    // Posts are read newest first: 1000, then 1001 (held), then 1002.
    world.lock().unwrap().gate = Some(("1001".into(), reached.clone(), release.clone()));
    let base = server(world.clone()).await;
    let clock = Arc::new(FixedClock::at(Timestamp(T0)));
    let site_id = {
        let store = open(&inst, clock.clone()).await;
        let add = common::site("mastodon", "city@m.test", "https://m.test/@city");
        let id = ops::add_site(&store, &inst.data, &add, &connection(&base, "tok", None))
            .await
            .unwrap();
        store.close().await;
        id
    };
    let data = inst.data.to_str().unwrap().to_string();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_plaza"))
        .args(["capture", "--once", "--data", &data])
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    reached.notified().await;
    child.start_kill().unwrap();
    let status = child.wait().await.unwrap();
    assert!(!status.success());
    world.lock().unwrap().gate = None;
    release.notify_waiters();

    let store = open(&inst, clock.clone()).await;
    assert_eq!(
        store
            .captured(site_id, "1000-39")
            .await
            .unwrap()
            .map(|c| c.state),
        Some("live".to_string())
    );
    assert!(
        store.captured(site_id, "1001-0").await.unwrap().is_none(),
        "the held thread was not half-stored"
    );
    verify(&store, &inst.data).await;
    let before = store.version_count(site_id).await.unwrap();
    assert_eq!(before, 3 + 40, "three posts and the first thread");
    store.close().await;

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_plaza"))
        .args(["capture", "--once", "--data", &data])
        .output()
        .await
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("80 new, 0 new versions, 0 gone"), "{text}");

    let store = open(&inst, clock).await;
    assert_eq!(store.version_count(site_id).await.unwrap(), 3 + 120);
    assert_eq!(
        count_kind(&store, kinds::CAPTURE_COMMENT).await,
        120,
        "no comment recorded twice"
    );
    assert_eq!(count_kind(&store, kinds::CAPTURE_POST).await, 3);
    verify(&store, &inst.data).await;
    store.close().await;
    let v = tokio::process::Command::new(env!("CARGO_BIN_EXE_plaza"))
        .args(["verify", "--data", &data])
        .output()
        .await
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

/// A platform whose API lists only recent comments, like X's 7-day search: the engine's own
/// logic, with an in-memory connector (the X connector itself is contract-tested separately).
struct Windowed {
    post: plaza_core::capture::Item,
    comments: Vec<plaza_core::capture::Item>,
}

impl plaza_connect::Connector for Windowed {
    fn platform(&self) -> plaza_core::sites::Platform {
        plaza_core::sites::Platform::X
    }
    fn capabilities(&self) -> &'static [plaza_core::capture::Capability] {
        &[
            plaza_core::capture::Capability::ListPosts,
            plaza_core::capture::Capability::ListComments,
        ]
    }
    async fn connect(&mut self) -> plaza_connect::Result<plaza_connect::Session> {
        Ok(plaza_connect::Session {
            account_id: "1".into(),
            handle: "city".into(),
            expires_at: None,
        })
    }
    async fn profile(&mut self) -> plaza_connect::Result<plaza_core::capture::Profile> {
        Ok(plaza_core::capture::Profile::default())
    }
    async fn posts(
        &mut self,
        _: Option<String>,
    ) -> plaza_connect::Result<plaza_core::capture::Page<plaza_core::capture::Item>> {
        Ok(plaza_core::capture::Page {
            items: vec![self.post.clone()],
            next: None,
        })
    }
    async fn comments(
        &mut self,
        _: &plaza_core::capture::Item,
    ) -> plaza_connect::Result<Vec<plaza_core::capture::Item>> {
        Ok(self.comments.clone())
    }
    async fn followers(
        &mut self,
        _: Option<String>,
    ) -> plaza_connect::Result<plaza_core::capture::Page<plaza_core::capture::Follower>> {
        Ok(plaza_core::capture::Page {
            items: vec![],
            next: None,
        })
    }
    fn comments_window_ms(&self) -> Option<i64> {
        Some(7 * Timestamp::DAY_MS)
    }
}

fn item(id: &str, kind: plaza_core::capture::ItemKind, at: i64) -> plaza_core::capture::Item {
    plaza_core::capture::Item {
        kind,
        platform_id: id.into(),
        parent: (kind == plaza_core::capture::ItemKind::Comment).then(|| "p".to_string()),
        root: (kind == plaza_core::capture::ItemKind::Comment).then(|| "p".to_string()),
        author: plaza_core::capture::Author {
            id: format!("a-{id}"),
            handle: format!("h{id}"),
            name: String::new(),
        },
        text: format!("text of {id}"),
        url: format!("https://x.example/{id}"),
        created_at: Timestamp(at),
        edited_at: None,
        media: vec![],
        hidden: false,
        audience: plaza_core::capture::Audience::Public,
        counts: plaza_core::capture::Counts::default(),
    }
}

/// A fresh SQLite instance at `T0` with one connected site on X (its API is whatever the test
/// serves as the connector), and the moderation engine capture uses.
async fn x_site(
    name: &str,
) -> (
    Instance,
    Arc<FixedClock>,
    Store,
    i64,
    plaza_store::Site,
    plaza_moderation::engine::Engine,
) {
    let inst = instance(Backend::Sqlite, name).await.unwrap();
    let clock = Arc::new(FixedClock::at(Timestamp(T0)));
    let store = open(&inst, clock.clone()).await;
    let add = common::site("x", "city", "https://x.com/city");
    let site_id = ops::add_site(
        &store,
        &inst.data,
        &add,
        &connection("https://api.x.example/2", "tok", None),
    )
    .await
    .unwrap();
    let site = store.site(site_id).await.unwrap();
    let engine = ops::engine_for(&store).await.unwrap();
    (inst, clock, store, site_id, site, engine)
}

#[tokio::test]
async fn comments_beyond_a_platforms_listing_window_are_not_called_deleted() {
    use plaza_core::capture::ItemKind::{Comment, Post};
    let (_inst, clock, store, site_id, site, mut engine) = x_site("capture-window").await;
    let day = Timestamp::DAY_MS;
    let mut conn = Windowed {
        post: item("p", Post, T0 - 5 * day),
        comments: vec![
            item("old", Comment, T0 - 2 * day),
            item("new", Comment, T0 - day / 2),
        ],
    };
    let r = capture::capture_with(&store, &mut engine, &site, &mut conn, &Options::default())
        .await
        .unwrap();
    assert_eq!((r.summary.new_items, r.summary.gone), (3, 0));
    // Ten days later neither comment is listed any more: both have aged out of the platform's
    // 7-day listing and may well still be there, so neither is called gone.
    clock.advance_ms(10 * day);
    conn.comments.clear();
    let r = capture::capture_with(&store, &mut engine, &site, &mut conn, &Options::default())
        .await
        .unwrap();
    assert_eq!(
        r.summary.gone, 0,
        "comments older than the window are not judged"
    );
    assert_eq!(
        store.captured(site_id, "old").await.unwrap().unwrap().state,
        "live"
    );
    // A comment inside the window that disappears is gone.
    conn.comments = vec![item("fresh", Comment, T0 + 10 * day - day / 2)];
    capture::capture_with(&store, &mut engine, &site, &mut conn, &Options::default())
        .await
        .unwrap();
    conn.comments.clear();
    clock.advance_ms(60_000);
    let r = capture::capture_with(&store, &mut engine, &site, &mut conn, &Options::default())
        .await
        .unwrap();
    assert_eq!(r.summary.gone, 1);
    assert_eq!(
        store
            .captured(site_id, "fresh")
            .await
            .unwrap()
            .unwrap()
            .state,
        "deleted_by_author"
    );
    store.close().await;
}

/// The review's cases: a hide undone (a state seen before) is a new version, not a storage
/// error; an imported post the API does not list is not "deleted"; comments seen before are
/// not assessed again (the engine's flood counter would grow every pass).
#[tokio::test]
async fn state_flips_imports_and_repeated_passes_record_only_what_happened() {
    use plaza_core::capture::ItemKind::{Comment, Post};
    let (inst, clock, store, site_id, site, mut engine) = x_site("capture-flips").await;
    let opts = Options::default();

    // An older post from an export, which the API's listing does not show.
    let imported = item("old-from-export", Post, T0 - 3 * Timestamp::DAY_MS);
    let mut tx = store.begin_write().await.unwrap();
    tx.capture_items(
        "system:import",
        site_id,
        &[plaza_store::Captured {
            item: imported,
            assessment: None,
        }],
        plaza_store::Source::Import,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut a = item("c1", Comment, T0 - 60_000);
    a.author.id = "same-author".into();
    let mut b = item("c2", Comment, T0 - 30_000);
    b.author.id = "same-author".into();
    let mut conn = Windowed {
        post: item("p", Post, T0 - Timestamp::DAY_MS),
        comments: vec![a.clone(), b.clone()],
    };
    let r = capture::capture_with(&store, &mut engine, &site, &mut conn, &opts)
        .await
        .unwrap();
    assert_eq!(r.summary.error, None);
    assert_eq!(
        (r.summary.new_items, r.summary.gone),
        (3, 0),
        "the imported post is not called deleted"
    );
    assert_eq!(
        store
            .captured(site_id, "old-from-export")
            .await
            .unwrap()
            .unwrap()
            .state,
        "live"
    );
    let first = store
        .captured(site_id, "c2")
        .await
        .unwrap()
        .unwrap()
        .assessment;

    // Twelve more passes, nothing changes: nothing is recorded, the assessment stays as it was.
    let size = store.tree_size().await.unwrap();
    for _ in 0..12 {
        clock.advance_ms(5 * 60_000);
        let r = capture::capture_with(&store, &mut engine, &site, &mut conn, &opts)
            .await
            .unwrap();
        assert_eq!(
            (r.summary.new_items, r.summary.new_versions, r.summary.gone),
            (0, 0, 0)
        );
    }
    assert_eq!(
        store.tree_size().await.unwrap(),
        size + 12,
        "one run entry per pass, nothing else"
    );
    assert_eq!(
        store
            .captured(site_id, "c2")
            .await
            .unwrap()
            .unwrap()
            .assessment,
        first
    );
    // A third comment by the same author in the thread, a minute later, is their third, not their
    // twenty-seventh: comments seen before were not fed to the flood counter again.
    let mut c = item("c3", Comment, T0);
    c.author.id = "same-author".into();
    conn.comments.push(c);
    clock.advance_ms(5 * 60_000);
    capture::capture_with(&store, &mut engine, &site, &mut conn, &opts)
        .await
        .unwrap();
    let c3: Value = serde_json::from_str(
        &store
            .captured(site_id, "c3")
            .await
            .unwrap()
            .unwrap()
            .assessment
            .unwrap(),
    )
    .unwrap();
    assert!(
        c3["signals"]["thread_takeover"].as_f64().unwrap() < 0.5,
        "{c3}"
    );

    // Hidden, shown again, hidden again: three state changes, each a version, no error.
    for (hidden, versions) in [(true, 2), (false, 3), (true, 4)] {
        conn.comments[0].hidden = hidden;
        clock.advance_ms(5 * 60_000);
        let r = capture::capture_with(&store, &mut engine, &site, &mut conn, &opts)
            .await
            .unwrap();
        assert_eq!(r.summary.error, None);
        assert_eq!(r.summary.new_versions, 1);
        let c = store.captured(site_id, "c1").await.unwrap().unwrap();
        assert_eq!(
            (c.versions, c.state.as_str()),
            (versions, if hidden { "hidden" } else { "live" })
        );
    }
    // A rename of the author is not an edit.
    conn.comments[1].author.name = "New Display Name".into();
    clock.advance_ms(5 * 60_000);
    let r = capture::capture_with(&store, &mut engine, &site, &mut conn, &opts)
        .await
        .unwrap();
    assert_eq!(r.summary.new_versions, 0);
    verify(&store, &inst.data).await;
    store.close().await;
}

#[tokio::test]
async fn a_policy_loaded_while_capture_runs_governs_the_next_pass() {
    let Some(inst) = instance(Backend::Sqlite, "capture-policy").await else {
        return;
    };
    let clock = Arc::new(FixedClock::at(Timestamp(T0)));
    let store = open(&inst, clock.clone()).await;
    let link = "Cheap permits, no waiting: https://scam-deals.net/permits";
    let world: Shared = Arc::new(Mutex::new(city_world(1, 0)));
    let comment = |id: &str, at: i64| status(id, account("300", "seller"), link, Some("1000"), at);
    let mut followers_only = status(
        "1000-f",
        account("301", "neighbour"),
        "Is the pool open on Sunday?",
        Some("1000"),
        T0 - 3000,
    );
    followers_only["visibility"] = json!("private");
    // a reply first served without its visibility (as before Plaza read it)
    let later_known = status(
        "1000-g",
        account("302", "resident"),
        "Thanks for the notice.",
        Some("1000"),
        T0 - 2500,
    );
    world.lock().unwrap().threads.insert(
        "1000".into(),
        vec![comment("1000-a", T0 - 2000), followers_only, later_known],
    );
    let base = server(world.clone()).await;
    let site_id = ops::add_site(
        &store,
        &inst.data,
        &common::site("mastodon", "city@m.test", "https://m.test/@city"),
        &connection(&base, "tok", None),
    )
    .await
    .unwrap();
    let site = store.site(site_id).await.unwrap();
    let opts = Options::default();
    let malicious = |c: &plaza_store::CapturedRow| -> f64 {
        let a: Value = serde_json::from_str(c.assessment.as_deref().unwrap()).unwrap();
        a["signals"]["malicious_link"].as_f64().unwrap()
    };

    // The server's engine, built when it started, under version 1.
    let mut engine = ops::engine_for(&store).await.unwrap();
    let v1 = capture::follow_policy(&store, &mut engine).await.unwrap();
    capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    let before = store.captured(site_id, "1000-a").await.unwrap().unwrap();
    assert!(malicious(&before) < 0.5, "no blocklist yet");
    // a followers-only reply is captured, and marked so in the table, the record and the page
    assert_eq!(before.audience, "public");
    let private = store.captured(site_id, "1000-f").await.unwrap().unwrap();
    assert_eq!(private.audience, "followers");
    let entry = store.record(private.record_seq).await.unwrap();
    assert_eq!(payload_of(&entry)["audience"], "followers");
    let page = staff_page(&store, &inst.data, &format!("/staff/sites/{site_id}")).await;
    assert!(
        page.contains("Is the pool open on Sunday?</td><td>on the platform, visible to its author&#39;s followers only</td>"),
        "{page}"
    );

    // The PIO loads a version that blocks the domain; the same link is posted again.
    let mut tx = store.begin_write().await.unwrap();
    let (v2, _) = tx
        .load_policy(
            "person:1",
            &plaza_core::policy::DEFAULT_POLICY.replacen(
                "blocked_domains = []",
                "blocked_domains = [\"scam-deals.net\"]",
                1,
            ),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    world
        .lock()
        .unwrap()
        .threads
        .get_mut("1000")
        .unwrap()
        .push(comment("1000-b", T0 - 1000));
    world.lock().unwrap().threads.get_mut("1000").unwrap()[2]["visibility"] = json!("private");
    clock.advance_ms(5 * 60_000);
    assert_eq!(
        capture::follow_policy(&store, &mut engine).await.unwrap(),
        v2
    );
    assert_ne!(v1, v2);
    capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    let after = store.captured(site_id, "1000-b").await.unwrap().unwrap();
    assert!(malicious(&after) >= 0.9, "{:?}", after.assessment);
    // the reply whose audience is now known is corrected, with an entry saying so, and is
    // not a new version
    let corrected = store.captured(site_id, "1000-g").await.unwrap().unwrap();
    assert_eq!(
        (corrected.audience.as_str(), corrected.versions),
        ("followers", 1)
    );
    let notes = entries_of(&store, kinds::CAPTURE_AUDIENCE).await;
    assert_eq!(notes.len(), 1);
    let note = payload_of(&notes[0]);
    assert_eq!(
        (&note["platform_id"], &note["from"], &note["to"]),
        (&json!("1000-g"), &json!("public"), &json!("followers"))
    );
    // a pass that sees nothing new writes no second correction
    clock.advance_ms(5 * 60_000);
    capture::capture_site(&store, &inst.data, &mut engine, &site, &opts)
        .await
        .unwrap();
    assert_eq!(count_kind(&store, kinds::CAPTURE_AUDIENCE).await, 1);
    assert_eq!(after.decision.as_deref(), Some("review"));
    // the comment is on the record under the version that judged it
    let entries = entries_of(&store, kinds::CAPTURE_COMMENT).await;
    let versions: Vec<Option<i64>> = entries.iter().map(|e| e.header.policy_version).collect();
    assert!(
        versions.contains(&Some(v1)) && versions.contains(&Some(v2)),
        "{versions:?}"
    );
    // and each assessment names the version that judged it, in the item and in its entry
    for (c, v) in [(&before, v1), (&after, v2)] {
        let a: Value = serde_json::from_str(c.assessment.as_deref().unwrap()).unwrap();
        assert_eq!(a["policy_version"], v, "{a}");
        // and the model that scored it: the SHA-256 of the shipped model file
        assert_eq!(a["model"], plaza_moderation::default_model_id(), "{a}");
    }
    let id = plaza_moderation::default_model_id();
    assert!(
        id.len() == 64
            && id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{id}"
    );
    assert!(
        entries
            .iter()
            .all(|e| payload_of(e)["moderation"]["model"] == plaza_moderation::default_model_id()),
        "every captured comment's entry names the model: {:?}",
        entries
            .iter()
            .map(|e| payload_of(e)["moderation"].clone())
            .collect::<Vec<_>>()
    );
    let judged: Vec<Value> = entries
        .iter()
        .map(|e| payload_of(e)["moderation"]["policy_version"].clone())
        .collect();
    assert!(
        judged.contains(&json!(v1)) && judged.contains(&json!(v2)),
        "{judged:?}"
    );
    // A version loaded between a comment's assessment and its write: the entry's header
    // names the newer version, the assessment the one that judged it.
    let late = capture::assess(
        &mut engine,
        &site,
        vec![item(
            "1000-late",
            plaza_core::capture::ItemKind::Comment,
            T0,
        )],
        None,
    );
    let mut tx = store.begin_write().await.unwrap();
    let (v3, _) = tx
        .load_policy("person:1", plaza_core::policy::DEFAULT_POLICY)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    tx.capture_items("system:capture", site_id, &late, plaza_store::Source::Live)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let row = store.captured(site_id, "1000-late").await.unwrap().unwrap();
    let entry = store.record(row.record_seq).await.unwrap();
    assert_eq!(entry.header.policy_version, Some(v3));
    assert_eq!(payload_of(&entry)["moderation"]["policy_version"], v2);
    verify(&store, &inst.data).await;
}
