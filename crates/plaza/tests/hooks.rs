//! Facebook Page webhooks through the real router: the subscription check with the verify
//! token, a delivery signed with the app secret recorded and turned into a capture request, and
//! deliveries with a missing or wrong signature refused with nothing recorded. The payload is
//! the documented `feed` change shape (no Facebook server can run here).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::Request;
use plaza::{instance, ops};
use plaza_core::record::kinds;
use plaza_store::RecordFilter;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt as _;

#[tokio::test]
async fn facebook_webhooks_are_verified_recorded_and_trigger_a_capture() {
    let data = plaza_store::testing::temp_dir("hooks");
    let spec = common::spec(None);
    let (store, key, _) = instance::init(&data, &spec).await.unwrap();
    let add = ops::AddSite {
        reason: "existing page".into(),
        ..common::site(
            "facebook",
            "cityofclaremont",
            "https://www.facebook.com/cityofclaremont",
        )
    };
    let conn = ops::Connection {
        service: Some("http://127.0.0.1:9".into()),
        appview: None,
        account: Some("4242".into()),
        secret: "page-token".into(),
        expires: None,
    };
    let site = ops::add_site(&store, &data, &add, &conn).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let app = plaza_server::router(plaza_server::App {
        store: store.clone(),
        key: Arc::new(key),
        config: Arc::new(plaza_server::ServerConfig {
            secrets_dir: Some(data.join("secrets")),
            capture_now: Some(tx),
            ..plaza_server::ServerConfig::default()
        }),
    });
    let send = |req: Request<Body>| {
        let app = app.clone();
        async move {
            let r = app.oneshot(req).await.unwrap();
            let status = r.status().as_u16();
            let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let path = format!("/hooks/facebook/{site}");

    // A delivery larger than 1 MB is refused before it is read whole.
    let big = vec![b'x'; (1 << 20) + 10];
    let (status, _) = send(Request::post(&path).body(Body::from(big)).unwrap()).await;
    assert_eq!(status, 413);

    // Not set up yet.
    let (status, _) = send(Request::get(&path).body(Body::empty()).unwrap()).await;
    assert_eq!(status, 404);

    let secret = "app-secret-of-the-city";
    let token = ops::webhook_setup(&store, &data, site, secret)
        .await
        .unwrap();
    assert_eq!(token.len(), 36);

    // The subscription check echoes the challenge only with the right verify token.
    let ok = format!("{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444");
    assert_eq!(
        send(Request::get(&ok).body(Body::empty()).unwrap()).await,
        (200, "1158201444".to_string())
    );
    let bad = format!("{path}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1");
    assert_eq!(
        send(Request::get(&bad).body(Body::empty()).unwrap())
            .await
            .0,
        400
    );

    // A delivery: a comment added under a Page post.
    let body = r#"{"object":"page","entry":[{"id":"4242","time":1795000000,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","post_id":"4242_77","comment_id":"77_901","parent_id":"4242_77","from":{"id":"555","name":"A Resident"},"message":"When is the council meeting?","created_time":1795000000}}]}]}"#;
    let sig = format!(
        "sha256={}",
        plaza_core::hex(&plaza_connect::facebook::hmac_sha256(
            secret.as_bytes(),
            body.as_bytes()
        ))
    );
    let before = store.tree_size().await.unwrap();
    for wrong in ["", "sha256=00", &sig.replace('a', "b")] {
        let mut req = Request::post(&path).header("content-type", "application/json");
        if !wrong.is_empty() {
            req = req.header("x-hub-signature-256", wrong);
        }
        let (status, text) = send(req.body(Body::from(body)).unwrap()).await;
        assert_eq!(status, 400, "{wrong}: {text}");
        assert!(text.contains("X-Hub-Signature-256"), "{text}");
    }
    assert_eq!(
        store.tree_size().await.unwrap(),
        before,
        "refused deliveries record nothing"
    );
    assert!(rx.try_recv().is_err(), "and trigger nothing");

    let req = Request::post(&path)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", &sig)
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(req).await, (200, "ok".to_string()));
    assert_eq!(
        rx.try_recv().ok(),
        Some(site),
        "a capture of the site was asked for"
    );
    let e = store
        .records(&RecordFilter {
            kind: Some(kinds::CAPTURE_WEBHOOK.into()),
            limit: 10,
            ..RecordFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(e.len(), 1);
    let payload: Value = serde_json::from_str(e[0].payload.as_deref().unwrap()).unwrap();
    assert_eq!(payload["changes"][0]["comment_id"], "77_901");
    assert_eq!(payload["changes"][0]["verb"], "add");
    assert_eq!(payload["changes"][0]["from"]["name"], "A Resident");

    // A signed delivery about another Page of the same Meta app: accepted, not recorded here.
    let other = body.replace("\"id\":\"4242\"", "\"id\":\"9999\"");
    let sig = format!(
        "sha256={}",
        plaza_core::hex(&plaza_connect::facebook::hmac_sha256(
            secret.as_bytes(),
            other.as_bytes()
        ))
    );
    let size = store.tree_size().await.unwrap();
    let req = Request::post(&path)
        .header("x-hub-signature-256", &sig)
        .body(Body::from(other))
        .unwrap();
    assert_eq!(send(req).await, (200, "nothing for this site".to_string()));
    assert_eq!(store.tree_size().await.unwrap(), size);
    assert!(rx.try_recv().is_err());
    store.close().await;
}
