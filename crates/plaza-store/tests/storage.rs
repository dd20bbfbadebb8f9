//! The storage suite: every test runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use plaza_core::checkpoint::SigningKey;
use plaza_core::people::{NewBody, NewPerson};
use plaza_core::policy::DEFAULT_POLICY;
use plaza_core::record::{NewRecord, kinds};
use plaza_core::sites::{Area, NewSite, SiteState, Step, Verdict};
use plaza_core::{FixedClock, Timestamp};
use plaza_store::testing::fresh_store;
use plaza_store::{Backend, NewGrant, Store, StoreError, VerifyError};
use serde_json::json;
use std::sync::Arc;

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { if let Some((s, c)) = super::setup(plaza_store::Backend::Sqlite).await { super::$name(s, c).await } })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { if let Some((s, c)) = super::setup(plaza_store::Backend::Postgres).await { super::$name(s, c).await } })*
        }
    };
}

both!(
    clean_record_verifies,
    changed_payload_byte_is_found,
    deleted_entry_is_found,
    swapped_entries_are_found,
    forged_checkpoint_is_found,
    database_refuses_update_and_delete_on_the_record,
    every_record_names_the_policy_version,
    invalid_policy_stores_nothing,
    bad_person_input_stores_nothing,
    site_lifecycle_is_recorded_step_by_step,
    authorizations_grant_attest_revoke,
    concurrent_appends_keep_one_chain,
    proofs_verify,
    reopening_applies_no_migration_twice,
    verification_across_many_pages_finds_the_same_entry,
);

const T0: i64 = 1_790_000_000_000;

async fn setup(backend: Backend) -> Option<(Store, Arc<FixedClock>)> {
    let clock = Arc::new(FixedClock::at(Timestamp(T0)));
    let store = fresh_store(backend, clock.clone())
        .await
        .expect("test database")?;
    let mut tx = store.begin_write().await.unwrap();
    tx.set_setting("origin", "test.plaza/record").await.unwrap();
    tx.load_policy("system:test", &demo_policy()).await.unwrap();
    tx.commit().await.unwrap();
    Some((store, clock))
}

fn demo_policy() -> String {
    DEFAULT_POLICY.replace(
        "official_email_domains = [\"ci.claremont.ca.us\"]",
        "official_email_domains = [\"arborvale.gov\"]",
    )
}

fn key() -> SigningKey {
    SigningKey::from_seed(&[42u8; 32])
}

fn domains() -> Vec<String> {
    vec!["arborvale.gov".into()]
}

async fn fill(store: &Store, clock: &FixedClock, n: usize) {
    let recs: Vec<NewRecord> = (0..n)
        .map(|i| {
            NewRecord::new(
                "system:test",
                "test.entry",
                format!("thing:{i}"),
                json!({"i": i, "text": format!("entry number {i}")}),
            )
        })
        .collect();
    for chunk in recs.chunks(7) {
        clock.advance_ms(10);
        store.append(chunk).await.unwrap();
    }
}

async fn bad_seq(store: &Store) -> i64 {
    match store.verify(key().public_key()).await {
        Err(VerifyError::Bad(f)) => f.seq,
        other => panic!("expected a verification failure, got {other:?}"),
    }
}

async fn tamper(store: &Store, sql: &str) {
    let guards = store.drop_guards_sql();
    assert_eq!(store.try_statement(guards).await.unwrap(), None);
    assert_eq!(
        store.try_statement(sql).await.unwrap(),
        None,
        "tamper statement failed: {sql}"
    );
}

async fn clean_record_verifies(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 30).await;
    store.make_checkpoint(&key()).await.unwrap().unwrap();
    assert!(
        store.make_checkpoint(&key()).await.unwrap().is_none(),
        "no new checkpoint without new entries"
    );
    fill(&store, &clock, 12).await;
    let cp = store.make_checkpoint(&key()).await.unwrap().unwrap();
    assert_eq!(cp.checkpoint.tree_size, 43);
    let s = store.verify(key().public_key()).await.unwrap();
    assert_eq!((s.records, s.checkpoints), (43, 2));
    // a different trusted key rejects the checkpoints
    let other = SigningKey::from_seed(&[1u8; 32]);
    assert!(store.verify(other.public_key()).await.is_err());
}

async fn changed_payload_byte_is_found(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 20).await;
    store.make_checkpoint(&key()).await.unwrap();
    tamper(
        &store,
        "UPDATE record_payloads SET body = replace(body, 'number 9', 'number 8') WHERE seq = 11",
    )
    .await;
    assert_eq!(bad_seq(&store).await, 11);
}

async fn deleted_entry_is_found(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 20).await;
    store.make_checkpoint(&key()).await.unwrap();
    tamper(
        &store,
        "DELETE FROM record_payloads WHERE seq = 7; DELETE FROM record_entries WHERE seq = 7",
    )
    .await;
    assert_eq!(bad_seq(&store).await, 7);
}

async fn swapped_entries_are_found(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 20).await;
    store.make_checkpoint(&key()).await.unwrap();
    tamper(
        &store,
        "UPDATE record_entries SET seq = -1 WHERE seq = 5; UPDATE record_entries SET seq = 5 WHERE seq = 6; UPDATE record_entries SET seq = 6 WHERE seq = -1; \
         UPDATE record_payloads SET seq = -1 WHERE seq = 5; UPDATE record_payloads SET seq = 5 WHERE seq = 6; UPDATE record_payloads SET seq = 6 WHERE seq = -1",
    )
    .await;
    assert_eq!(bad_seq(&store).await, 5);
}

async fn forged_checkpoint_is_found(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 10).await;
    store.make_checkpoint(&key()).await.unwrap();
    fill(&store, &clock, 10).await;
    // someone signs the next checkpoint with a key that is not the instance's
    let forger = SigningKey::from_seed(&[9u8; 32]);
    store.make_checkpoint(&forger).await.unwrap();
    let size = store.tree_size().await.unwrap();
    assert_eq!(bad_seq(&store).await, size);
    // without the forgery the record verifies; an honest checkpoint altered after signing fails
    tamper(
        &store,
        &format!("DELETE FROM record_checkpoints WHERE tree_size = {size}"),
    )
    .await;
    store.verify(key().public_key()).await.unwrap();
    tamper(
        &store,
        "UPDATE record_checkpoints SET at = at + 1 WHERE tree_size = 11",
    )
    .await;
    assert_eq!(bad_seq(&store).await, 11);
}

async fn database_refuses_update_and_delete_on_the_record(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 3).await;
    store.make_checkpoint(&key()).await.unwrap();
    for sql in [
        "UPDATE record_entries SET actor = 'x' WHERE seq = 1",
        "DELETE FROM record_entries WHERE seq = 1",
        "UPDATE record_payloads SET body = '{}' WHERE seq = 1",
        "DELETE FROM record_payloads WHERE seq = 1",
        "UPDATE record_checkpoints SET at = 0",
        "DELETE FROM record_checkpoints",
        "UPDATE policy_versions SET label = 'x'",
        "DELETE FROM policy_versions",
    ] {
        let refused = store.try_statement(sql).await.unwrap();
        let msg = refused.unwrap_or_else(|| panic!("the database accepted: {sql}"));
        assert!(msg.contains("append-only"), "{sql}: {msg}");
    }
    store.verify(key().public_key()).await.unwrap();
}

async fn every_record_names_the_policy_version(store: Store, clock: Arc<FixedClock>) {
    let (v1, _) = store.policy().await.unwrap();
    fill(&store, &clock, 2).await;
    let mut tx = store.begin_write().await.unwrap();
    let (v2, _) = tx
        .load_policy(
            "person:1",
            &demo_policy().replace("version = \"2017-06-13\"", "version = \"2026-01-01\""),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    fill(&store, &clock, 1).await;
    assert_ne!(v1, v2);
    let latest = store
        .record(store.tree_size().await.unwrap())
        .await
        .unwrap();
    assert_eq!(latest.header.policy_version, Some(v2));
    assert_eq!(
        store.record(2).await.unwrap().header.policy_version,
        Some(v1)
    );
    assert_eq!(store.policy().await.unwrap().1.meta.version, "2026-01-01");
}

async fn invalid_policy_stores_nothing(store: Store, _clock: Arc<FixedClock>) {
    let before = (
        store.tree_size().await.unwrap(),
        store.policy_versions().await.unwrap().len(),
    );
    let mut tx = store.begin_write().await.unwrap();
    let err = tx
        .load_policy(
            "person:1",
            &demo_policy().replace("minimum_years = 2", "minimum_years = 0"),
        )
        .await
        .unwrap_err();
    drop(tx);
    assert!(err.to_string().contains("line"), "{err}");
    assert_eq!(
        before,
        (
            store.tree_size().await.unwrap(),
            store.policy_versions().await.unwrap().len()
        )
    );
}

async fn bad_person_input_stores_nothing(store: Store, _clock: Arc<FixedClock>) {
    let p = NewPerson::parse(
        "Ann Lee",
        "PIO",
        "ann@arborvale.gov",
        "Communications",
        "pio",
        None,
        &domains(),
    )
    .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    tx.create_person("system:test", &p, None).await.unwrap();
    tx.commit().await.unwrap();
    let size = store.tree_size().await.unwrap();
    // same email again: refused, naming the field, nothing written
    let mut tx = store.begin_write().await.unwrap();
    let err = tx.create_person("system:test", &p, None).await.unwrap_err();
    drop(tx);
    match err {
        StoreError::Domain(e) => assert_eq!(e.field(), Some("email")),
        other => panic!("{other:?}"),
    }
    // an official on a body that does not exist: refused
    let o = NewPerson::parse(
        "Bo",
        "Mayor",
        "bo@arborvale.gov",
        "Council",
        "official",
        Some(999),
        &domains(),
    )
    .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    assert!(tx.create_person("system:test", &o, None).await.is_err());
    drop(tx);
    assert_eq!(store.tree_size().await.unwrap(), size);
    assert_eq!(store.people_count().await.unwrap(), 1);
}

async fn people_and_site(store: &Store) -> (i64, i64, i64, i64, i64, i64) {
    let mut tx = store.begin_write().await.unwrap();
    let mk =
        |n: &str, e: &str, r: &str| NewPerson::parse(n, "T", e, "D", r, None, &domains()).unwrap();
    let cm = tx
        .create_person(
            "system:test",
            &mk("Cam", "cm@arborvale.gov", "city_manager"),
            None,
        )
        .await
        .unwrap();
    let legal = tx
        .create_person(
            "system:test",
            &mk("Lee", "legal@arborvale.gov", "legal"),
            None,
        )
        .await
        .unwrap();
    let hr = tx
        .create_person("system:test", &mk("Hal", "hr@arborvale.gov", "hr"), None)
        .await
        .unwrap();
    let risk = tx
        .create_person(
            "system:test",
            &mk("Ria", "risk@arborvale.gov", "risk"),
            None,
        )
        .await
        .unwrap();
    let staff = tx
        .create_person(
            "system:test",
            &mk("Sam", "sam@arborvale.gov", "staff"),
            None,
        )
        .await
        .unwrap();
    let s = NewSite::parse(
        "Parks on Bluesky",
        "bluesky",
        "parks.arborvale.gov",
        "https://bsky.app/profile/parks.arborvale.gov",
        "Parks",
        "parks@arborvale.gov",
        "Park news",
        &domains(),
    )
    .unwrap();
    let site = tx.propose_site(staff, &s).await.unwrap();
    tx.commit().await.unwrap();
    (cm, legal, hr, risk, staff, site)
}

async fn site_lifecycle_is_recorded_step_by_step(store: Store, _clock: Arc<FixedClock>) {
    let (cm, legal, hr, risk, _staff, site) = people_and_site(&store).await;
    let mut tx = store.begin_write().await.unwrap();
    // consultation before it is opened: refused
    assert!(
        tx.consult(legal, site, Area::Legal, Verdict::SignOff, "")
            .await
            .is_err()
    );
    tx.step_site(cm, site, Step::OpenConsultation, "")
        .await
        .unwrap();
    tx.consult(legal, site, Area::Legal, Verdict::SignOff, "")
        .await
        .unwrap();
    tx.consult(hr, site, Area::Hr, Verdict::SignOff, "")
        .await
        .unwrap();
    // approval before risk answered: refused
    assert!(tx.step_site(cm, site, Step::Approve, "").await.is_err());
    tx.consult(
        risk,
        site,
        Area::Risk,
        Verdict::Object,
        "Needs a retention plan",
    )
    .await
    .unwrap();
    assert!(
        tx.step_site(cm, site, Step::Approve, "").await.is_err(),
        "approval over an objection needs a reason"
    );
    tx.step_site(cm, site, Step::Approve, "Retention plan attached")
        .await
        .unwrap();
    tx.step_site(cm, site, Step::Activate, "").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.site(site).await.unwrap().state, SiteState::Active);
    let history = store
        .records(&plaza_store::RecordFilter {
            subject: Some(format!("site:{site}")),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let kinds_seen: Vec<&str> = history
        .iter()
        .rev()
        .map(|e| e.header.kind.as_str())
        .collect();
    assert_eq!(
        kinds_seen,
        vec![
            kinds::SITE_PROPOSED,
            kinds::SITE_CONSULTATION,
            kinds::SITE_CONSULTATION,
            kinds::SITE_CONSULTATION,
            kinds::SITE_CONSULTATION,
            kinds::SITE_APPROVED,
            kinds::SITE_ACTIVATED
        ]
    );
    assert!(
        history[1]
            .payload
            .as_ref()
            .unwrap()
            .contains("\"over_objections\":[\"risk\"]")
    );
    assert_eq!(store.consultations(site).await.unwrap().len(), 3);
}

async fn authorizations_grant_attest_revoke(store: Store, clock: Arc<FixedClock>) {
    let (cm, _l, _h, _r, staff, site) = people_and_site(&store).await;
    let now = clock.now_ts();
    let g = NewGrant::parse(
        staff,
        site,
        "publish",
        "Park events and closures",
        "",
        "2030-01-01",
        now,
    )
    .unwrap();
    assert_eq!(
        NewGrant::parse(staff, site, "overlord", "x", "", "", now)
            .unwrap_err()
            .field(),
        Some("level")
    );
    assert_eq!(
        NewGrant::parse(staff, site, "view", "x", "2030-01-01", "2029-01-01", now)
            .unwrap_err()
            .field(),
        Some("ends")
    );
    let mut tx = store.begin_write().await.unwrap();
    let id = tx.grant(cm, &g).await.unwrap();
    tx.attest(staff, id, "in-app attestation by the grantee")
        .await
        .unwrap();
    assert!(tx.attest(staff, id, "again").await.is_err());
    tx.commit().await.unwrap();
    let a = store.authorization(id).await.unwrap();
    assert!(a.grant().in_force(now));
    assert_eq!(a.status(now), "in force");
    clock.advance_ms(1000);
    let mut tx = store.begin_write().await.unwrap();
    assert!(tx.revoke(cm, id, "  ").await.is_err());
    tx.revoke(cm, id, "Left the department").await.unwrap();
    tx.commit().await.unwrap();
    let a = store.authorization(id).await.unwrap();
    assert!(!a.grant().in_force(clock.now_ts()));
    assert_eq!(a.revoke_reason.as_deref(), Some("Left the department"));
    assert_eq!(
        store.authorizations(Some(staff), None).await.unwrap().len(),
        1
    );
}

async fn concurrent_appends_keep_one_chain(store: Store, _clock: Arc<FixedClock>) {
    let mut tasks = Vec::new();
    for t in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                s.append(&[NewRecord::new(
                    "system:test",
                    "test.concurrent",
                    format!("t{t}"),
                    json!({"i": i}),
                )])
                .await
                .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    store.make_checkpoint(&key()).await.unwrap();
    let s = store.verify(key().public_key()).await.unwrap();
    assert_eq!(s.records, 81);
}

async fn proofs_verify(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 25).await;
    let first = store.make_checkpoint(&key()).await.unwrap().unwrap();
    fill(&store, &clock, 14).await;
    let second = store.make_checkpoint(&key()).await.unwrap().unwrap();
    let n = second.checkpoint.tree_size as i64;
    for seq in [1, 13, 26, n] {
        let p = store.inclusion_proof(seq, n).await.unwrap();
        assert_eq!(p.root, second.checkpoint.root);
        assert!(plaza_core::merkle::verify_inclusion(
            (seq - 1) as u64,
            n as u64,
            &p.leaf_hash,
            &p.path,
            &p.root
        ));
    }
    let c = store
        .consistency_proof(first.checkpoint.tree_size as i64, n)
        .await
        .unwrap();
    assert!(plaza_core::merkle::verify_consistency(
        c.first as u64,
        c.second as u64,
        &first.checkpoint.root,
        &second.checkpoint.root,
        &c.path
    ));
    assert!(store.inclusion_proof(0, n).await.is_err());
    assert!(store.inclusion_proof(5, n + 1).await.is_err());
}

async fn reopening_applies_no_migration_twice(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 2).await;
    let body = NewBody::parse("City Council", 5, 3).unwrap();
    let mut tx = store.begin_write().await.unwrap();
    tx.create_body("system:test", &body).await.unwrap();
    assert!(tx.create_body("system:test", &body).await.is_err());
    tx.commit().await.unwrap();
    assert_eq!(store.bodies().await.unwrap().len(), 1);
}

trait NowTs {
    fn now_ts(&self) -> Timestamp;
}
impl NowTs for FixedClock {
    fn now_ts(&self) -> Timestamp {
        plaza_core::Clock::now(self)
    }
}

async fn verification_across_many_pages_finds_the_same_entry(store: Store, clock: Arc<FixedClock>) {
    fill(&store, &clock, 15).await;
    store.make_checkpoint(&key()).await.unwrap();
    fill(&store, &clock, 25).await;
    store.make_checkpoint(&key()).await.unwrap();
    for page in [1, 3, 7, 16, 1000] {
        let s = store.verify_paged(key().public_key(), page).await.unwrap();
        assert_eq!((s.records, s.checkpoints), (41, 2), "page {page}");
    }
    tamper(
        &store,
        "DELETE FROM record_payloads WHERE seq = 22; DELETE FROM record_entries WHERE seq = 22",
    )
    .await;
    for page in [1, 3, 7, 21, 1000] {
        match store.verify_paged(key().public_key(), page).await {
            Err(VerifyError::Bad(f)) => assert_eq!(f.seq, 22, "page {page}"),
            other => panic!("page {page}: {other:?}"),
        }
    }
}
