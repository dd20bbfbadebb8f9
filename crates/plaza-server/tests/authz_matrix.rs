//! The authorization matrix: every route of the router against every role and grant level,
//! on SQLite and on PostgreSQL. Expectations are written out by hand here, independent of the
//! authorization module, and every route of the router must have one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{City, ROLE_USERS, city};
use plaza_core::record::kinds;
use plaza_server::routes::{Access, routes};
use plaza_store::{Backend, RecordFilter};

const OVERSIGHT: &[&str] = &["city_manager", "pio", "clerk", "legal", "hr", "risk"];
const STAFF: &[&str] = &[
    "city_manager",
    "pio",
    "clerk",
    "legal",
    "hr",
    "risk",
    "moderator",
    "staff",
    "staff_granted",
    "grant_view",
    "grant_moderate",
    "grant_administer",
];
const ALL: &str = "*";

/// Who may use each signed-in route; public routes are open to all.
fn allowed(method: &str, path: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Vec::new();
    let mut add = |xs: &[&'static str]| v.extend_from_slice(xs);
    match (method, path) {
        ("GET", "/staff")
        | ("POST", "/staff/policy/acknowledge")
        | ("GET", "/staff/policy")
        | ("GET", "/api/v1/session") => {
            add(STAFF);
            add(&["official"]);
        }
        ("POST", "/staff/policy") => add(&["city_manager", "pio"]),
        ("GET", "/staff/sites")
        | ("GET", "/staff/sites/new")
        | ("POST", "/staff/sites")
        | ("GET", "/api/v1/sites")
        | ("POST", "/api/v1/sites") => add(STAFF),
        ("GET", "/staff/sites/{id}") | ("GET", "/api/v1/sites/{id}") => {
            add(OVERSIGHT);
            add(&[
                "moderator",
                "staff_granted",
                "grant_view",
                "grant_moderate",
                "grant_administer",
            ]);
        }
        ("POST", "/staff/sites/{id}/step") | ("POST", "/api/v1/sites/{id}/step") => {
            add(&["city_manager", "pio"])
        }
        ("POST", "/staff/sites/{id}/consult") => add(&["legal"]),
        ("GET", "/staff/people")
        | ("GET", "/staff/people/{id}")
        | ("GET", "/api/v1/people")
        | ("GET", "/api/v1/people/{id}") => add(OVERSIGHT),
        ("GET", "/staff/people/new")
        | ("POST", "/staff/people")
        | ("POST", "/staff/people/{id}/disable")
        | ("POST", "/staff/people/{id}/enable")
        | ("POST", "/staff/people/{id}/accounts") => add(&["city_manager", "pio", "hr"]),
        ("POST", "/staff/bodies") => add(&["city_manager", "pio", "clerk"]),
        ("GET", "/staff/authorizations") | ("GET", "/api/v1/authorizations") => add(OVERSIGHT),
        ("GET", "/staff/authorizations/new")
        | ("POST", "/staff/authorizations")
        | ("POST", "/api/v1/authorizations") => add(&["city_manager"]),
        ("GET", "/staff/authorizations/{id}")
        | ("GET", "/staff/authorizations/{id}/letter")
        | ("GET", "/staff/authorizations/{id}/letter.pdf")
        | ("GET", "/staff/authorizations/{id}/signed-copy") => {
            add(OVERSIGHT);
            add(&["staff_granted"]);
        }
        ("POST", "/staff/authorizations/{id}/attest")
        | ("POST", "/staff/authorizations/{id}/signed-copy") => {
            add(&["city_manager", "staff_granted"])
        }
        ("POST", "/staff/authorizations/{id}/revoke")
        | ("POST", "/api/v1/authorizations/{id}/revoke") => add(&["city_manager", "pio"]),
        ("GET", "/staff/records")
        | ("GET", "/staff/records/{seq}")
        | ("GET", "/api/v1/records")
        | ("GET", "/api/v1/records/{seq}") => add(OVERSIGHT),
        _ => add(&[ALL]),
    }
    v
}

/// A concrete request for a route: the path with ids filled in, and a body that is complete
/// in shape but invalid in content, so an allowed request passes authorization and then
/// stops at validation without changing anything.
fn concrete(c: &City, method: &str, path: &str) -> (String, String, Option<String>) {
    let p = path
        .replace("/sites/{id}", &format!("/sites/{}", c.site_active))
        .replace("/people/{id}", &format!("/people/{}", c.target_person))
        .replace(
            "/authorizations/{id}",
            &format!("/authorizations/{}", c.grant),
        )
        .replace("{seq}", "2")
        .replace(
            "/hooks/facebook/{id}",
            &format!("/hooks/facebook/{}", c.site_active),
        );
    let p = match p.as_str() {
        "/api/v1/proof/inclusion" => "/api/v1/proof/inclusion?seq=1&tree_size=2".to_string(),
        "/api/v1/proof/consistency" => "/api/v1/proof/consistency?first=1&second=2".to_string(),
        _ => p,
    };
    let (form, json): (&str, Option<&str>) = match (method, path) {
        ("POST", "/login") => (
            "email=nobody%40arborvale.example&password=wrong-password&next=",
            None,
        ),
        ("POST", "/staff/policy") => ("text=", None),
        ("POST", "/staff/sites") => (
            "name=&platform=bluesky&handle=x&url=https%3A%2F%2Fx.org&department=d&registration_email=x%40arborvale.example",
            None,
        ),
        ("POST", "/staff/sites/{id}/step") => ("step=terminate&reason=", None),
        ("POST", "/staff/sites/{id}/consult") => ("area=legal&verdict=sign_off&note=", None),
        ("POST", "/staff/people") => ("name=&title=&email=&department=", None),
        ("POST", "/staff/people/{id}/disable") => ("reason=", None),
        ("POST", "/staff/people/{id}/accounts") => ("platform=&handle=", None),
        ("POST", "/staff/bodies") => ("name=&seats=x&quorum=y", None),
        ("POST", "/staff/authorizations") => ("person=x&site=y&level=view", None),
        ("POST", "/staff/authorizations/{id}/attest") => ("attestation=", None),
        ("POST", "/staff/authorizations/{id}/revoke") => ("reason=", None),
        ("POST", "/staff/authorizations/{id}/signed-copy") => (
            "--plaza\r\nContent-Disposition: form-data; name=\"file\"; filename=\"empty.pdf\"\r\n\r\n\r\n--plaza--\r\n",
            None,
        ),
        ("POST", "/api/v1/sites") => (
            "",
            Some(
                r#"{"name":"","platform":"bluesky","handle":"h","url":"https://x.org","department":"d","registration_email":"x@arborvale.example"}"#,
            ),
        ),
        ("POST", "/api/v1/sites/{id}/step") => ("", Some(r#"{"step":"terminate","reason":""}"#)),
        ("POST", "/api/v1/authorizations") => (
            "",
            Some(r#"{"person_id":0,"site_id":0,"level":"view","scope":""}"#),
        ),
        ("POST", "/api/v1/authorizations/{id}/revoke") => ("", Some(r#"{"reason":""}"#)),
        _ => ("", None),
    };
    (p, form.to_string(), json.map(str::to_string))
}

async fn matrix(backend: Backend) {
    let Some(c) = city(backend).await else { return };
    // every served route has an entry in the table, and every public route is marked public
    let table = routes();
    let mut pairs: Vec<_> = table.iter().map(|r| (r.method, r.path)).collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(
        pairs.len(),
        table.len(),
        "every method and path appears once"
    );
    let mut checked = 0;
    let mut users: Vec<Option<&str>> = ROLE_USERS.iter().map(|(n, _)| Some(*n)).collect();
    users.push(None);
    // grant levels on the lifecycle: suspending needs the City Manager, the PIO or an
    // `administer` grant on that site (no reason given, so an allowed request stops at 422)
    for (path, form, json) in [
        (
            format!("/staff/sites/{}/step", c.site_active),
            "step=suspend&reason=",
            None,
        ),
        (
            format!("/api/v1/sites/{}/step", c.site_active),
            "",
            Some(r#"{"step":"suspend","reason":""}"#),
        ),
    ] {
        for (who, _) in ROLE_USERS {
            let r = c.send("POST", &path, Some(who), form, json).await;
            let ok = ["city_manager", "pio", "grant_administer"].contains(who);
            if ok {
                assert_eq!(r.status, 422, "{who} may suspend via {path}: {}", r.body);
            } else {
                assert_eq!(r.status, 403, "{who} may not suspend via {path}");
            }
        }
    }
    // signing out ends the session, so it goes last
    let mut ordered: Vec<_> = table.iter().collect();
    ordered.sort_by_key(|r| r.path == "/logout");
    for route in ordered {
        let expect = allowed(route.method, route.path);
        assert_eq!(
            route.access == Access::Public,
            expect == [ALL],
            "route table access of {} {}",
            route.method,
            route.path
        );
        let (path, form, json) = concrete(&c, route.method, route.path);
        for user in &users {
            let ok =
                expect == [ALL] || user.is_some_and(|u| u != "disabled" && expect.contains(&u));
            let r = c
                .send(route.method, &path, *user, &form, json.as_deref())
                .await;
            let who = user.unwrap_or("anonymous");
            if ok {
                assert!(
                    r.status != 401
                        && r.status != 403
                        && (expect == [ALL] || !r.location().starts_with("/login"))
                        && r.status.as_u16() < 500,
                    "{who} should be allowed {} {path}: got {} {}",
                    route.method,
                    r.status,
                    r.body.chars().take(300).collect::<String>()
                );
            } else if user.is_none() {
                if path.starts_with("/api/") {
                    assert_eq!(r.status, 401, "anonymous {} {path}", route.method);
                    assert_eq!(r.json()["error"]["code"], "unauthenticated");
                } else {
                    assert!(
                        r.status == 303 && r.location().starts_with("/login"),
                        "anonymous {} {path}: {} {}",
                        route.method,
                        r.status,
                        r.location()
                    );
                }
            } else {
                assert_eq!(
                    r.status,
                    403,
                    "{who} must be refused {} {path}: {}",
                    route.method,
                    r.body.chars().take(300).collect::<String>()
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, table.len() * (ROLE_USERS.len() + 1));
    // nothing the matrix sent changed a site or a person
    assert_eq!(
        c.store().site(c.site_active).await.unwrap().state,
        plaza_core::sites::SiteState::Active
    );
    assert!(
        c.store()
            .person(c.target_person)
            .await
            .unwrap()
            .disabled_at
            .is_none()
    );
    assert!(
        c.store()
            .authorization(c.grant)
            .await
            .unwrap()
            .revoked_at
            .is_none()
    );
    // refusals are on the record, with who and why
    let denied = c
        .store()
        .records(&RecordFilter {
            kind: Some(kinds::ACCESS_DENIED.into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(denied.len() > 50, "{} denials recorded", denied.len());
    assert!(denied.iter().all(|e| e.header.actor.starts_with("person:")
        && e.payload.as_deref().is_some_and(|p| p.contains("reason"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_sqlite() {
    matrix(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_postgres() {
    matrix(Backend::Postgres).await;
}
