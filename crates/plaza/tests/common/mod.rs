//! What the instance-level tests share: a first administrator's instance and a site as an
//! operator registers it from the command line.
#![allow(dead_code)]

use plaza::{instance, ops};

/// A new instance's settings: the default policy, Pat Example as PIO, on `database_url` (the
/// data directory's SQLite file if `None`).
pub fn spec(database_url: Option<String>) -> instance::InitSpec {
    instance::InitSpec {
        policy_text: plaza_core::policy::DEFAULT_POLICY.to_string(),
        origin: "ci.claremont.ca.us/plaza".into(),
        admin_name: "Pat Example".into(),
        admin_title: "Public Information Officer".into(),
        admin_email: "pat@ci.claremont.ca.us".into(),
        admin_department: "Communications".into(),
        admin_roles: "pio,city_manager".into(),
        admin_password: "a long enough password".into(),
        database_url,
    }
}

/// An existing official account to register, with the defaults `plaza site add` uses.
pub fn site(platform: &str, handle: &str, url: &str) -> ops::AddSite {
    ops::AddSite {
        platform: platform.into(),
        name: None,
        handle: handle.into(),
        url: Some(url.into()),
        department: "Communications".into(),
        email: None,
        purpose: "Official city information".into(),
        as_email: None,
        reason: "existing account".into(),
    }
}
