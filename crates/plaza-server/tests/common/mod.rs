//! Test support: a city on a fresh database, sessions for each role, and an in-process client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use plaza_core::checkpoint::SigningKey;
use plaza_core::people::{NewBody, NewPerson};
use plaza_core::policy::DEFAULT_POLICY;
use plaza_core::sites::{Area, NewSite, Step, Verdict};
use plaza_core::{FixedClock, Timestamp};
use plaza_server::{App, ServerConfig};
use plaza_store::testing::fresh_store;
use plaza_store::{Backend, NewGrant, Store};
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt as _;

pub const T0: i64 = 1_790_000_000_000;
pub const DOMAIN: &str = "arborvale.example";

pub fn policy_text() -> String {
    DEFAULT_POLICY.replace(
        "official_email_domains = [\"ci.claremont.ca.us\"]",
        "official_email_domains = [\"arborvale.example\"]",
    )
}

/// A test city.
pub struct City {
    pub app: App,
    pub router: Router,
    pub clock: Arc<FixedClock>,
    /// role name -> (person id, session token, csrf)
    pub users: BTreeMap<&'static str, (i64, String, String)>,
    pub site_active: i64,
    pub site_consult: i64,
    pub target_person: i64,
    pub grant: i64,
}

pub const ROLE_USERS: &[(&str, &str)] = &[
    ("city_manager", "city_manager"),
    ("pio", "pio"),
    ("clerk", "clerk"),
    ("legal", "legal"),
    ("hr", "hr"),
    ("risk", "risk"),
    ("moderator", "moderator"),
    ("staff", "staff"),
    ("staff_granted", "staff"),
    ("grant_view", "staff"),
    ("grant_moderate", "staff"),
    ("grant_administer", "staff"),
    ("official", "official"),
    ("disabled", "pio"),
];

pub async fn city(backend: Backend) -> Option<City> {
    let clock = Arc::new(FixedClock::at(Timestamp(T0)));
    let store = fresh_store(backend, clock.clone())
        .await
        .expect("test database")?;
    let key = SigningKey::from_seed(&[3u8; 32]);
    let domains = vec![DOMAIN.to_string()];
    let mut tx = store.begin_write().await.unwrap();
    tx.set_setting("origin", "test/plaza").await.unwrap();
    tx.load_policy("system:test", &policy_text()).await.unwrap();
    store.register_key(&mut tx, &key).await.unwrap();
    let body = tx
        .create_body(
            "system:test",
            &NewBody::parse("City Council", 5, 3).unwrap(),
        )
        .await
        .unwrap();
    let hash = plaza_server::hash_password("correct horse battery").unwrap();
    let mut users = BTreeMap::new();
    for (name, roles) in ROLE_USERS {
        let body_id = (*roles == "official").then_some(body);
        let p = NewPerson::parse(
            &format!("User {name}"),
            "Tester",
            &format!("{name}@{DOMAIN}"),
            "Testing",
            roles,
            body_id,
            &domains,
        )
        .unwrap();
        let id = tx
            .create_person("system:test", &p, Some(&hash))
            .await
            .unwrap();
        let token = format!("token-{name}");
        let csrf = format!("csrf-{name}");
        tx.create_session(
            &plaza_server::ctx::token_hash(&token),
            id,
            &csrf,
            Timestamp(T0 + 3_600_000),
        )
        .await
        .unwrap();
        users.insert(*name, (id, token, csrf));
    }
    let target = tx
        .create_person(
            "system:test",
            &NewPerson::parse(
                "Target Person",
                "Clerk typist",
                &format!("target@{DOMAIN}"),
                "Testing",
                "staff",
                None,
                &domains,
            )
            .unwrap(),
            None,
        )
        .await
        .unwrap();
    let cm = users["city_manager"].0;
    let pio = users["pio"].0;
    let mk = |n: &str, h: &str| {
        NewSite::parse(
            n,
            "bluesky",
            h,
            &format!("https://bsky.app/profile/{h}"),
            "Parks",
            &format!("parks@{DOMAIN}"),
            "",
            &domains,
        )
        .unwrap()
    };
    let a = tx
        .propose_site(pio, &mk("Parks", "parks.arborvale.example"))
        .await
        .unwrap();
    tx.step_site(pio, a, Step::OpenConsultation, "")
        .await
        .unwrap();
    for (area, who) in [
        (Area::Legal, "legal"),
        (Area::Hr, "hr"),
        (Area::Risk, "risk"),
    ] {
        tx.consult(users[who].0, a, area, Verdict::SignOff, "")
            .await
            .unwrap();
    }
    tx.step_site(cm, a, Step::Approve, "").await.unwrap();
    tx.step_site(pio, a, Step::Activate, "").await.unwrap();
    let b = tx
        .propose_site(pio, &mk("Library", "library.arborvale.example"))
        .await
        .unwrap();
    tx.step_site(pio, b, Step::OpenConsultation, "")
        .await
        .unwrap();
    let g = NewGrant::parse(
        users["staff_granted"].0,
        a,
        "publish",
        "Park news",
        "",
        "",
        Timestamp(T0),
    )
    .unwrap();
    let grant = tx.grant(cm, &g).await.unwrap();
    for (who, level) in [
        ("grant_view", "view"),
        ("grant_moderate", "moderate"),
        ("grant_administer", "administer"),
    ] {
        let g = NewGrant::parse(users[who].0, a, level, "Matrix", "", "", Timestamp(T0)).unwrap();
        tx.grant(cm, &g).await.unwrap();
    }
    tx.disable_person(
        "system:test",
        users["disabled"].0,
        "Policy violation under review",
    )
    .await
    .unwrap();
    // the disabled user's session is gone with the disabling; give them one back to prove it is refused anyway
    tx.create_session(
        &plaza_server::ctx::token_hash("token-disabled"),
        users["disabled"].0,
        "csrf-disabled",
        Timestamp(T0 + 3_600_000),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    store.make_checkpoint(&key).await.unwrap();
    let app = App {
        store,
        key: Arc::new(key),
        config: Arc::new(ServerConfig {
            secure_cookies: false,
            blob_dir: Some(plaza_store::testing::temp_dir("blobs")),
            ..ServerConfig::default()
        }),
    };
    let router = plaza_server::router(app.clone());
    Some(City {
        app,
        router,
        clock,
        users,
        site_active: a,
        site_consult: b,
        target_person: target,
        grant,
    })
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl City {
    pub fn store(&self) -> &Store {
        &self.app.store
    }

    /// Sends a request as `user` (None: anonymous). For POSTs, `form` is url-encoded unless
    /// `json` is set; the user's CSRF token is added.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        user: Option<&str>,
        form: &str,
        json: Option<&str>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(u) = user {
            let (_, token, csrf) = &self.users[u];
            b = b.header("cookie", format!("plaza_session={token}"));
            if method == "POST" {
                b = b.header("x-csrf-token", csrf.clone());
            }
        } else if method == "POST" {
            b = b
                .header("cookie", "plaza_pre=pre-token")
                .header("x-csrf-token", "pre-token");
        }
        let body = match (method, json) {
            ("POST", Some(j)) => {
                b = b.header("content-type", "application/json");
                Body::from(j.to_string())
            }
            ("POST", None) if form.starts_with("--plaza") => {
                b = b.header("content-type", "multipart/form-data; boundary=plaza");
                Body::from(form.to_string())
            }
            ("POST", None) => {
                b = b.header("content-type", "application/x-www-form-urlencoded");
                Body::from(form.to_string())
            }
            _ => Body::empty(),
        };
        let resp = self
            .router
            .clone()
            .oneshot(b.body(body).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 10 * 1024 * 1024)
            .await
            .unwrap();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    pub async fn get(&self, path: &str, user: Option<&str>) -> Resp {
        self.send("GET", path, user, "", None).await
    }

    pub async fn post(&self, path: &str, user: Option<&str>, form: &str) -> Resp {
        self.send("POST", path, user, form, None).await
    }
}
