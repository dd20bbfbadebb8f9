//! The demo city is browsable page by page: as each demo role, follow every same-site link
//! from the dashboard and the public pages. No page may fail, no link may lead nowhere, and no
//! page may offer a link its viewer is not allowed to open.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::Request;
use plaza_server::{App, ServerConfig};
use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;
use tower::ServiceExt as _;

fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("href=\"") {
        rest = &rest[i + 6..];
        let Some(end) = rest.find('"') else { break };
        let href = rest[..end].replace("&amp;", "&");
        if href.starts_with('/') && !href.starts_with("//") {
            out.push(href);
        }
        rest = &rest[end..];
    }
    out
}

async fn get(app: &axum::Router, path: &str, cookie: Option<&str>) -> (u16, String, String) {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    let r = app
        .clone()
        .oneshot(b.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(r.into_body(), 20 * 1024 * 1024)
        .await
        .unwrap();
    (status, ctype, String::from_utf8_lossy(&bytes).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_link_of_the_demo_works_for_every_role() {
    let dir = plaza_store::testing::temp_dir("demo_crawl").join("data");
    let (store, key) = plaza::demo::seed(&dir).await.unwrap();
    // sign each demo user in through a session of their own
    let mut sessions = vec![(String::from("anonymous"), None)];
    let mut tx = store.begin_write().await.unwrap();
    for (user, ..) in plaza::demo::LOGINS {
        let person = store
            .person_by_email(&format!("{user}@{}", plaza::demo::DOMAIN))
            .await
            .unwrap()
            .unwrap();
        let token = format!("crawl-{user}");
        let expires = plaza_core::Timestamp(store.now().0 + 3_600_000);
        tx.create_session(
            &plaza_server::ctx::token_hash(&token),
            person.id,
            "csrf",
            expires,
        )
        .await
        .unwrap();
        sessions.push((user.to_string(), Some(format!("plaza_session={token}"))));
    }
    tx.commit().await.unwrap();
    let app = plaza_server::router(App {
        store,
        key: Arc::new(key),
        config: Arc::new(ServerConfig {
            secure_cookies: false,
            ..ServerConfig::default()
        }),
    });
    let mut total = 0;
    for (who, cookie) in &sessions {
        let start = if cookie.is_some() { "/staff" } else { "/" };
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([start.to_string(), "/".to_string()]);
        while let Some(path) = queue.pop_front() {
            if !seen.insert(path.clone()) || seen.len() > 400 {
                continue;
            }
            let (status, ctype, body) = get(&app, &path, cookie.as_deref()).await;
            let anonymous_to_login = cookie.is_none() && status == 303;
            assert!(
                status == 200 || anonymous_to_login,
                "{who}: GET {path} answered {status}: {}",
                body.chars().take(300).collect::<String>()
            );
            if ctype.starts_with("text/html") {
                for l in links(&body) {
                    if !seen.contains(&l) {
                        queue.push_back(l);
                    }
                }
            }
        }
        assert!(seen.len() > 5, "{who} saw only {} pages", seen.len());
        total += seen.len();
    }
    assert!(total > 200, "crawled {total} pages");
}
