//! `plaza site roles`: the people with a role on a Facebook Page next to Plaza's written
//! authorizations (B.9), against a local server answering with the Graph API's documented
//! payloads (no Facebook server can run here).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::Router;
use axum::extract::{Path as UrlPath, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use plaza::{instance, ops};
use plaza_store::NewGrant;
use serde_json::json;
use std::collections::HashMap;

async fn graph() -> String {
    let app = Router::new().route(
        "/{*path}",
        get(|UrlPath(path): UrlPath<String>, Query(q): Query<HashMap<String, String>>| async move {
            if q.get("access_token").map(String::as_str) != Some("page-token") {
                return (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})),
                )
                    .into_response();
            }
            match path.as_str() {
                "4242" => axum::Json(json!({"id": "4242", "name": "City of Claremont", "username": "cityofclaremont"})).into_response(),
                "4242/roles" => axum::Json(json!({
                    "data": [
                        {"id": "1001", "name": "Pat Example", "tasks": ["MANAGE", "CREATE_CONTENT", "MODERATE"]},
                        {"id": "1002", "name": "Former Intern", "tasks": ["CREATE_CONTENT"]}
                    ],
                    "paging": {"cursors": {"before": "a", "after": "b"}}
                }))
                .into_response(),
                _ => (StatusCode::NOT_FOUND, "no").into_response(),
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn page_roles_are_reconciled_with_written_authorizations() {
    let base = graph().await;
    let data = plaza_store::testing::temp_dir("roles");
    let spec = common::spec(None);
    let (store, _, admin) = instance::init(&data, &spec).await.unwrap();
    let add = ops::AddSite {
        name: Some("City on Facebook".into()),
        reason: "existing page".into(),
        ..common::site(
            "facebook",
            "cityofclaremont",
            "https://www.facebook.com/cityofclaremont",
        )
    };
    let conn = ops::Connection {
        service: Some(base.clone()),
        appview: None,
        account: Some("4242".into()),
        secret: "page-token".into(),
        expires: None,
    };
    let site = ops::add_site(&store, &data, &add, &conn).await.unwrap();

    // Nobody holds a written authorization yet: both roles are flagged.
    let lines = ops::page_roles(&store, &data, site).await.unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.unauthorised()));
    assert_eq!(
        lines[0].person.as_deref(),
        Some("Pat Example <pat@ci.claremont.ca.us>")
    );
    assert_eq!(lines[1].person, None);
    assert_eq!(lines[0].tasks, vec!["MANAGE", "CREATE_CONTENT", "MODERATE"]);

    // The City Manager grants Pat a written authorization: only the intern is left.
    let g = NewGrant::parse(
        admin,
        site,
        "publish",
        "City news and notices",
        "",
        "",
        store.now(),
    )
    .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let id = tx.grant(admin, &g).await.unwrap();
    tx.commit().await.unwrap();
    let lines = ops::page_roles(&store, &data, site).await.unwrap();
    assert_eq!(lines[0].authorization, Some((id, "publish".to_string())));
    assert!(!lines[0].unauthorised());
    assert!(lines[1].unauthorised());

    // A token Facebook refuses (code 190) is named as such.
    let conn = ops::Connection {
        secret: "expired".into(),
        ..conn
    };
    ops::connect(
        &store,
        &data,
        site,
        "cityofclaremont",
        plaza_core::sites::Platform::Facebook,
        &conn,
    )
    .await
    .unwrap();
    let e = ops::page_roles(&store, &data, site).await.unwrap_err();
    assert!(e.to_string().contains("refused the credential"), "{e}");
    store.close().await;
}
