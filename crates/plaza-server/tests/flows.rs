//! Flows through the router as a person or an API client would use them, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{City, city};
use plaza_core::record::kinds;
use plaza_core::sites::SiteState;
use plaza_store::RecordFilter;

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { if let Some(c) = super::city(plaza_store::Backend::Sqlite).await { super::$name(c).await } })* }
        mod postgres { $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { if let Some(c) = super::city(plaza_store::Backend::Postgres).await { super::$name(c).await } })* }
    };
}

both!(
    sign_in_throttling_and_sign_out,
    forms_without_the_csrf_token_are_refused,
    a_site_goes_from_proposal_to_the_public_list,
    bad_site_input_names_the_field_and_stores_nothing,
    written_authorization_letter_signature_and_revocation,
    disabling_a_person_ends_their_access,
    api_errors_are_json_with_stable_codes,
    pages_carry_security_headers_and_work_without_javascript,
    record_page_shows_a_verified_proof,
    the_signed_letter_is_filed_by_its_hash,
    a_refused_policy_comes_back_with_its_line_errors,
);

async fn login(c: &City, email: &str, password: &str) -> common::Resp {
    let form = format!(
        "email={}&password={}&next=%2Fstaff",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    c.post("/login", None, &form).await
}

async fn sign_in_throttling_and_sign_out(c: City) {
    let email = "pio@arborvale.example";
    let r = login(&c, email, "wrong password!").await;
    assert_eq!(r.status, 303);
    assert!(
        r.location().starts_with("/login?error="),
        "{}",
        r.location()
    );
    let r = login(&c, email, "correct horse battery").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/staff");
    let cookie = r
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // five failures in the window: even the right password is refused until it passes
    for _ in 0..5 {
        login(&c, email, "wrong password!").await;
    }
    let r = login(&c, email, "correct horse battery").await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("too many attempts"));
    c.clock.advance_ms(16 * 60_000);
    assert_eq!(
        login(&c, email, "correct horse battery").await.location(),
        "/staff"
    );
    // every attempt is on the record
    let failed = c
        .store()
        .records(&RecordFilter {
            kind: Some(kinds::LOGIN_FAILED.into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(failed.len(), 7);
    // sign out ends the session
    assert_eq!(c.get("/staff", Some("clerk")).await.status, 200);
    assert_eq!(c.post("/logout", Some("clerk"), "").await.status, 303);
    assert_eq!(
        c.get("/staff", Some("clerk")).await.location(),
        "/login?next=/staff"
    );
}

async fn forms_without_the_csrf_token_are_refused(c: City) {
    use axum::body::Body;
    use tower::ServiceExt as _;
    let (_, token, _) = &c.users["pio"];
    for token_header in [None, Some("not-the-token")] {
        let mut b = axum::http::Request::post(format!("/staff/sites/{}/step", c.site_active))
            .header("cookie", format!("plaza_session={token}"))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(t) = token_header {
            b = b.header("x-csrf-token", t);
        }
        let r = c
            .router
            .clone()
            .oneshot(b.body(Body::from("step=suspend&reason=test")).unwrap())
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    assert_eq!(
        c.store().site(c.site_active).await.unwrap().state,
        SiteState::Active
    );
    // the token in the form body works as well as the header
    let r = c
        .post(
            &format!("/staff/sites/{}/step", c.site_active),
            Some("pio"),
            "step=suspend&reason=Token+expired",
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        c.store().site(c.site_active).await.unwrap().state,
        SiteState::Suspended
    );
}

async fn a_site_goes_from_proposal_to_the_public_list(c: City) {
    let form = "name=Senior+Center+on+Mastodon&platform=mastodon&handle=%40seniors%40social.example&url=https%3A%2F%2Fsocial.example%2F%40seniors&department=Community+Services&registration_email=seniors%40arborvale.example&purpose=Programs";
    let r = c.post("/staff/sites", Some("staff"), form).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let site = r
        .location()
        .rsplit('/')
        .next()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    let path = format!("/staff/sites/{site}");
    assert!(!c.get("/sites", None).await.body.contains("Senior Center"));
    assert_eq!(
        c.post(
            &format!("{path}/step"),
            Some("pio"),
            "step=open_consultation&reason="
        )
        .await
        .status,
        303
    );
    for (who, area) in [("legal", "legal"), ("hr", "hr"), ("risk", "risk")] {
        let r = c
            .post(
                &format!("{path}/consult"),
                Some(who),
                &format!("area={area}&verdict=sign_off&note="),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // HR may not answer for legal
    assert_eq!(
        c.post(
            &format!("{path}/consult"),
            Some("hr"),
            "area=legal&verdict=sign_off&note="
        )
        .await
        .status,
        403
    );
    // only the City Manager approves
    assert_eq!(
        c.post(&format!("{path}/step"), Some("pio"), "step=approve&reason=")
            .await
            .status,
        403
    );
    assert_eq!(
        c.post(
            &format!("{path}/step"),
            Some("city_manager"),
            "step=approve&reason="
        )
        .await
        .status,
        303
    );
    assert_eq!(
        c.post(
            &format!("{path}/step"),
            Some("pio"),
            "step=activate&reason="
        )
        .await
        .status,
        303
    );
    let page = c.get(&path, Some("pio")).await;
    assert!(
        page.body.contains("site.activated") && page.body.contains("site.approved"),
        "history on the page"
    );
    let public = c.get("/sites", None).await;
    assert!(public.body.contains("Senior Center on Mastodon"));
    let api = c.get("/api/v1/public/sites", None).await.json();
    assert!(
        api["sites"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["handle"] == "@seniors@social.example")
    );
}

async fn bad_site_input_names_the_field_and_stores_nothing(c: City) {
    let before = (
        c.store().tree_size().await.unwrap(),
        c.store().sites().await.unwrap().len(),
    );
    for (form, field) in [
        (
            "name=X&platform=bluesky&handle=x.bsky.social&url=https%3A%2F%2Fbsky.app&department=D&registration_email=someone%40gmail.com&purpose=",
            "registration_email",
        ),
        (
            "name=X&platform=myspace&handle=x&url=https%3A%2F%2Fx.org&department=D&registration_email=a%40arborvale.example&purpose=",
            "platform",
        ),
        (
            "name=X&platform=bluesky&handle=x&url=not+a+url&department=D&registration_email=a%40arborvale.example&purpose=",
            "url",
        ),
    ] {
        let r = c.post("/staff/sites", Some("pio"), form).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains(field), "the page names {field}");
        // the form comes back filled in, the field marked and described, the summary linking to it
        assert!(
            r.body.contains(&format!(
                r#"aria-invalid="true" aria-describedby="{field}-error""#
            )),
            "{field} is marked invalid: {}",
            r.body
        );
        assert!(
            r.body.contains(&format!(r##"href="#{field}""##)),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains(r#"name="department" type="text" value="D""#),
            "{}",
            r.body
        );
        assert!(r.body.contains("Marco Reyes") || r.body.contains("Sign out"));
    }
    let long = "n".repeat(300);
    let r = c.post("/staff/sites", Some("pio"), &format!("name={long}&platform=bluesky&handle=x&url=https%3A%2F%2Fx.org&department=D&registration_email=a%40arborvale.example")).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("longer than 200"));
    let r = c
        .post(
            "/staff/people",
            Some("pio"),
            "name=A&title=B&email=a%40arborvale.example&department=C&roles=wizard",
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("wizard"));
    assert!(r.body.contains(r#"id="roles-error""#), "{}", r.body);
    let r = c
        .post(
            "/staff/people",
            Some("pio"),
            "name=A&title=B&email=a%40arborvale.example&department=C&roles=staff&password=short-pw",
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(r#"id="password-error""#), "{}", r.body);
    assert!(
        !r.body.contains("short-pw"),
        "a refused password is never sent back"
    );
    assert!(r.body.contains(r#"value="staff" checked"#), "{}", r.body);
    assert_eq!(
        before,
        (
            c.store().tree_size().await.unwrap(),
            c.store().sites().await.unwrap().len()
        )
    );
    // an error page keeps the header of whoever is looking at it
    let r = c.get("/staff/sites/999999", Some("pio")).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(
        r.body.contains("Sign out") && r.body.contains("/staff\">dashboard"),
        "{}",
        r.body
    );
    let r = c.get("/no-such-page", None).await;
    assert_eq!(r.status, 404);
    assert!(
        !r.body.contains("Sign out") && r.body.contains("start page"),
        "{}",
        r.body
    );
    // a handle registered already is refused by the store: the form comes back all the same
    let form = "name=Pool&platform=bluesky&handle=pool.arborvale.example&url=https%3A%2F%2Fbsky.app%2Fprofile%2Fpool&department=Recreation&registration_email=pool%40arborvale.example&purpose=";
    let r = c.post("/staff/sites", Some("pio"), form).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = c.post("/staff/sites", Some("pio"), form).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("registered already"), "{}", r.body);
    assert!(
        r.body
            .contains(r#"aria-invalid="true" aria-describedby="handle-error""#),
        "{}",
        r.body
    );
}

async fn written_authorization_letter_signature_and_revocation(c: City) {
    let (moderator, _, _) = c.users["moderator"];
    let form = format!(
        "person={moderator}&site={}&level=moderate&scope=Public+comments+under+C.7&starts=&ends=2030-06-30",
        c.site_active
    );
    assert_eq!(
        c.post("/staff/authorizations", Some("pio"), &form)
            .await
            .status,
        403,
        "only the City Manager grants"
    );
    let r = c
        .post("/staff/authorizations", Some("city_manager"), &form)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location();
    let letter = c.get(&format!("{path}/letter"), Some("city_manager")).await;
    assert!(
        letter.body.contains("User moderator")
            && letter.body.contains("B.9")
            && letter.body.contains("2030-06-30")
    );
    let pdf = c
        .get(&format!("{path}/letter.pdf"), Some("city_manager"))
        .await;
    assert!(pdf.body.starts_with("%PDF-"));
    assert_eq!(pdf.headers.get("content-type").unwrap(), "application/pdf");
    // the grantee sees and signs their own letter; another staff member may not
    assert_eq!(c.get(&path, Some("moderator")).await.status, 200);
    assert_eq!(c.get(&path, Some("staff")).await.status, 403);
    assert_eq!(
        c.post(
            &format!("{path}/attest"),
            Some("moderator"),
            "attestation=I+accept"
        )
        .await
        .status,
        303
    );
    assert!(
        c.get(&path, Some("moderator"))
            .await
            .body
            .contains("I accept")
    );
    // the grant now counts for the moderator on that site
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(
        c.store()
            .authorization(id)
            .await
            .unwrap()
            .status(plaza_core::Timestamp(common::T0)),
        "in force"
    );
    assert_eq!(
        c.post(&format!("{path}/revoke"), Some("pio"), "reason=")
            .await
            .status,
        422,
        "a reason is required"
    );
    assert_eq!(
        c.post(&format!("{path}/revoke"), Some("pio"), "reason=Reassigned")
            .await
            .status,
        303
    );
    assert!(
        c.get(&format!("{path}/letter"), Some("city_manager"))
            .await
            .body
            .contains("REVOKED")
    );
}

async fn disabling_a_person_ends_their_access(c: City) {
    let (staff, _, _) = c.users["staff_granted"];
    assert_eq!(c.get("/staff", Some("staff_granted")).await.status, 200);
    let r = c
        .post(
            &format!("/staff/people/{staff}/disable"),
            Some("hr"),
            "reason=Repeated+policy+violations+(B.17)",
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = c.get("/staff", Some("staff_granted")).await;
    assert_eq!(r.location(), "/login?next=/staff", "the session ended");
    let r = login(
        &c,
        "staff_granted@arborvale.example",
        "correct horse battery",
    )
    .await;
    assert!(r.location().contains("disabled"), "{}", r.location());
    // the disabled pio from the fixture is refused everywhere, even with a session
    assert_eq!(c.get("/staff", Some("disabled")).await.status, 403);
    let rec = c
        .store()
        .records(&RecordFilter {
            kind: Some(kinds::PERSON_DISABLED.into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(rec.iter().any(|e| {
        e.payload
            .as_deref()
            .unwrap()
            .contains("Repeated policy violations")
    }));
}

async fn api_errors_are_json_with_stable_codes(c: City) {
    let r = c.get("/api/v1/sites/99999", Some("pio")).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
    let r = c.send("POST", "/api/v1/sites", Some("pio"), "", Some(r#"{"name":"X","platform":"bluesky","handle":"h","url":"https://x.org","department":"D","registration_email":"a@gmail.com"}"#)).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["code"], "invalid_input");
    assert_eq!(r.json()["error"]["field"], "registration_email");
    let r = c
        .send("POST", "/api/v1/sites", Some("pio"), "", Some("{not json"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "invalid_input");
    let r = c
        .get("/api/v1/proof/inclusion?seq=0&tree_size=1", None)
        .await;
    assert_eq!(r.json()["error"]["field"], "seq");
    let r = c.get("/api/v1/records?from=yesterday", Some("clerk")).await;
    assert_eq!(r.json()["error"]["field"], "from");
    // the OpenAPI document lists every API route
    let doc = c.get("/api/v1/openapi.json", None).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for route in plaza_server::routes::routes()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
    {
        assert!(
            doc["paths"][route.path][route.method.to_lowercase()].is_object(),
            "{} {}",
            route.method,
            route.path
        );
    }
    // the session endpoint gives the CSRF token an API client needs
    let s = c.get("/api/v1/session", Some("pio")).await.json();
    assert_eq!(s["csrf_token"], "csrf-pio");
    assert!(s["person"].get("password_hash").is_none());
}

async fn pages_carry_security_headers_and_work_without_javascript(c: City) {
    for (path, user) in [
        ("/", None),
        ("/policy/comments", None),
        ("/staff", Some("pio")),
        (&*format!("/staff/sites/{}", c.site_active), Some("pio")),
    ] {
        let r = c.get(path, user).await;
        assert_eq!(r.status, 200, "{path}");
        let csp = r
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert!(!r.body.contains("<script"), "{path} needs no JavaScript");
        assert!(
            r.body.contains("<main id=\"main\"")
                && r.body.contains("Skip to main content")
                && r.body.contains("lang=\"en\"")
        );
    }
    let policy = c.get("/policy/comments", None).await.body;
    for n in ["C.7.i", "C.7.xvii", "C.7.xxi"] {
        assert!(policy.contains(n), "{n}");
    }
    // unknown pages are a proper 404 page
    let r = c.get("/no/such/page", None).await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("not_found"));
}

async fn record_page_shows_a_verified_proof(c: City) {
    let r = c.get("/staff/records/3", Some("clerk")).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Verified"), "{}", r.body);
    let r = c
        .get("/staff/records?kind=site.proposed", Some("clerk"))
        .await;
    assert!(r.body.contains("site:"), "filtered list");
    assert!(!r.body.contains("person.created</td>"));
    let t = c.get("/transparency", None).await.body;
    assert!(t.contains("plaza-checkpoint/v1"));
    let latest = c.get("/api/v1/checkpoints/latest", None).await.json();
    let size = latest["tree_size"].as_u64().unwrap();
    let proof = c
        .get(
            &format!("/api/v1/proof/inclusion?seq=2&tree_size={size}"),
            None,
        )
        .await
        .json();
    assert_eq!(proof["root"], latest["root"]);
}

fn multipart(name: &str, data: &str) -> String {
    format!(
        "--plaza\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{data}\r\n--plaza--\r\n"
    )
}

async fn the_signed_letter_is_filed_by_its_hash(c: City) {
    let path = format!("/staff/authorizations/{}", c.grant);
    let upload = format!("{path}/signed-copy");
    // not a PDF or an image: refused, naming the field, nothing filed
    let r = c
        .post(
            &upload,
            Some("staff_granted"),
            &multipart("letter.txt", "hello"),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("file") && r.body.contains("not a PDF"));
    assert_eq!(c.get(&upload, Some("staff_granted")).await.status, 404);
    // another staff member may not file it
    let pdf = "%PDF-1.4 signed by both parties";
    assert_eq!(
        c.post(&upload, Some("staff"), &multipart("letter.pdf", pdf))
            .await
            .status,
        403
    );
    let r = c
        .post(
            &upload,
            Some("staff_granted"),
            &multipart("letter.pdf", pdf),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&path, Some("staff_granted")).await.body;
    assert!(
        page.contains("letter.pdf"),
        "the page links the filed letter"
    );
    let got = c.get(&upload, Some("city_manager")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, pdf);
    assert_eq!(got.headers.get("content-type").unwrap(), "application/pdf");
    // its SHA-256 is in the record, and it counts as the signature
    let sha = plaza_core::hex(&plaza_core::record::sha256(pdf.as_bytes()));
    let a = c.store().authorization(c.grant).await.unwrap();
    assert_eq!(a.signed_copy_sha256.as_deref(), Some(sha.as_str()));
    assert!(a.attested_at.is_some());
    let recs = c
        .store()
        .records(&RecordFilter {
            subject: Some(format!("authorization:{}", c.grant)),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        recs.iter()
            .any(|e| e.payload.as_deref().is_some_and(|p| p.contains(&sha)))
    );
    // a second filing is refused: the filed copy is part of the record
    assert_eq!(
        c.post(
            &upload,
            Some("city_manager"),
            &multipart("other.pdf", "%PDF-1.4 other")
        )
        .await
        .status,
        409
    );
}

async fn a_refused_policy_comes_back_with_its_line_errors(c: City) {
    let before = c.store().policy_versions().await.unwrap().len();
    // a policy file with a syntax error on its second line, pasted into the form
    let pasted = "[policy]\nname = \"Arbor Vale <draft>\"\nversion = ";
    let form = format!(
        "text={}",
        pasted
            .replace('%', "%25")
            .replace('\n', "%0A")
            .replace(' ', "+")
            .replace('"', "%22")
            .replace('<', "%3C")
            .replace('>', "%3E")
            .replace('[', "%5B")
            .replace(']', "%5D")
            .replace('=', "%3D")
    );
    let r = c.post("/staff/policy", Some("pio"), &form).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("line "),
        "the error names its line: {}",
        r.body
    );
    assert!(
        r.body
            .contains(r#"aria-invalid="true" aria-describedby="policy-error""#),
        "{}",
        r.body
    );
    // what was pasted is back in the form, escaped
    assert!(
        r.body.contains("Arbor Vale &#60;draft&#62;")
            || r.body.contains("Arbor Vale &lt;draft&gt;"),
        "{}",
        r.body
    );
    assert_eq!(c.store().policy_versions().await.unwrap().len(), before);
}
