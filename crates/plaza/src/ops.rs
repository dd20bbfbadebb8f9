//! The operator's commands around capture: `plaza site add|connect|list`, `plaza capture`,
//! `plaza status`. `main.rs` parses the arguments; the work is here so tests can call it.

use crate::capture::{self, Options, Report};
use crate::instance;
use anyhow::{Context, Result, anyhow, bail};
use plaza_core::Timestamp;
use plaza_core::sites::{NewSite, Platform};
use plaza_store::Continuity;
use plaza_store::Store;
use std::path::Path;

/// Reads a secret from a file (an app password, an access token), never from the command line
/// where other users of the machine could see it.
pub fn read_secret(path: &Path) -> Result<String> {
    let s = std::fs::read_to_string(path)
        .with_context(|| format!("reading the secret file {}", path.display()))?;
    let s = s.trim().to_string();
    if s.is_empty() {
        bail!("the secret file {} is empty", path.display());
    }
    Ok(s)
}

/// How to reach a site.
pub struct Connection {
    pub service: Option<String>,
    pub appview: Option<String>,
    pub account: Option<String>,
    pub secret: String,
    pub expires: Option<String>,
}

/// The default API base of each platform.
pub fn default_service(platform: Platform) -> Option<&'static str> {
    match platform {
        Platform::Bluesky => Some("https://bsky.social"),
        Platform::Facebook | Platform::Instagram => Some("https://graph.facebook.com/v21.0"),
        Platform::Youtube => Some("https://www.googleapis.com/youtube/v3"),
        Platform::X => Some("https://api.x.com/2"),
        Platform::Mastodon | Platform::Linkedin => None,
    }
}

fn check_url(field: &str, url: &str) -> Result<String> {
    let u = plaza_core::valid::WebUrl::parse_field(&format!("--{field}"), url)
        .map_err(|e| anyhow!("{e}"))?;
    // Credentials travel to this address: plain http only to this machine.
    let host = u.host();
    let loopback =
        host.starts_with("127.") || host == "localhost" || u.as_str().contains("://[::1]");
    if u.as_str().starts_with("http://") && !loopback {
        bail!(
            "--{field} {url:?} must use https: the credential would cross the network in the clear"
        );
    }
    Ok(u.as_str().trim_end_matches('/').to_string())
}

/// Stores a site's endpoint and secret, and records it.
pub async fn connect(
    store: &Store,
    data: &Path,
    site_id: i64,
    handle: &str,
    platform: Platform,
    c: &Connection,
) -> Result<()> {
    let v = validate(platform, c)?;
    let mut tx = store.begin_write().await?;
    set_endpoint(&mut tx, data, site_id, handle, &v, c).await?;
    tx.commit().await?;
    Ok(())
}

/// A connection's checked values: the service, the appview, the expiry.
struct Checked {
    service: String,
    appview: Option<String>,
    expires: Option<Timestamp>,
}

/// Checks a connection before anything is stored.
fn validate(platform: Platform, c: &Connection) -> Result<Checked> {
    if platform == Platform::Linkedin {
        bail!(
            "LinkedIn has no API Plaza can capture an organisation page with; propose the site in the web interface and record LinkedIn activity by hand (see docs/connectors.md)"
        );
    }
    let service = match (&c.service, default_service(platform)) {
        (Some(s), _) => check_url("service", s)?,
        (None, Some(d)) => d.to_string(),
        (None, None) => bail!(
            "--service is required for {} (the instance's address)",
            platform.label()
        ),
    };
    let appview = c
        .appview
        .as_deref()
        .map(|a| check_url("appview", a))
        .transpose()?;
    let expires = match &c.expires {
        Some(e) => Some(Timestamp::parse(e).ok_or_else(|| {
            anyhow!("--expires {e:?} is not a date (YYYY-MM-DD) or an RFC 3339 time")
        })?),
        None => None,
    };
    Ok(Checked {
        service,
        appview,
        expires,
    })
}

/// Writes the secret file, then the endpoint in `tx` (the caller commits). A secret file left
/// by a transaction that did not commit is overwritten by the next connection of that site.
async fn set_endpoint(
    tx: &mut plaza_store::WriteTx,
    data: &Path,
    site_id: i64,
    handle: &str,
    v: &Checked,
    c: &Connection,
) -> Result<()> {
    let account = c.account.clone().unwrap_or_else(|| handle.to_string());
    let fingerprint = crate::instance::credential_fingerprint(data, &c.secret)?;
    capture::write_secret(data, site_id, &c.secret)?;
    tx.set_endpoint(
        "system:cli",
        site_id,
        &v.service,
        v.appview.as_deref(),
        &account,
        &fingerprint,
        v.expires,
    )
    .await?;
    Ok(())
}

/// What `plaza site add` needs besides the connection.
pub struct AddSite {
    pub platform: String,
    pub name: Option<String>,
    pub handle: String,
    pub url: Option<String>,
    pub department: String,
    pub email: Option<String>,
    pub purpose: String,
    pub as_email: Option<String>,
    pub reason: String,
}

/// `plaza site add`: registers an existing official account as an active site and connects it.
pub async fn add_site(store: &Store, data: &Path, a: &AddSite, c: &Connection) -> Result<i64> {
    let platform = Platform::parse(&a.platform).map_err(|e| anyhow!("{e}"))?;
    let checked = validate(platform, c)?;
    let (_, policy) = store.policy().await?;
    let domains = policy.settings.official_email_domains.clone();
    let email = match &a.email {
        Some(e) => e.clone(),
        None => format!(
            "social@{}",
            domains.first().ok_or_else(|| anyhow!(
                "the policy names no official email domain; pass --email"
            ))?
        ),
    };
    let handle = a.handle.trim().trim_start_matches('@').to_string();
    let url = a.url.clone().unwrap_or_else(|| match platform {
        Platform::Bluesky => format!("https://bsky.app/profile/{handle}"),
        _ => c
            .service
            .clone()
            .unwrap_or_else(|| format!("https://{handle}")),
    });
    let name = a
        .name
        .clone()
        .unwrap_or_else(|| format!("{} on {}", handle, platform.label()));
    let site = NewSite::parse(
        &name,
        platform.as_str(),
        &handle,
        &url,
        &a.department,
        &email,
        &a.purpose,
        &domains,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let actor =
        match &a.as_email {
            Some(e) => store
                .person_by_email(e)
                .await?
                .ok_or_else(|| anyhow!("--as {e}: no such person in this instance"))?,
            None => store.people().await?.into_iter().next().ok_or_else(|| {
                anyhow!("this instance has no people yet: run `plaza init` first")
            })?,
        };
    // The site and its connection are stored together or not at all.
    let mut tx = store.begin_write().await?;
    let id = tx
        .register_existing_site(actor.id, &site, &a.reason)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    set_endpoint(&mut tx, data, id, &handle, &checked, c).await?;
    tx.commit().await?;
    Ok(id)
}

/// Prints a capture report line per site.
pub fn print_reports(reports: &[Report]) {
    for r in reports {
        let s = &r.summary;
        match &s.error {
            None => println!(
                "site {} ({}, {}): {} posts and {} comments read; {} new, {} new versions, {} gone{}",
                r.site_id,
                r.site,
                r.platform,
                s.posts_seen,
                s.comments_seen,
                s.new_items,
                s.new_versions,
                s.gone,
                s.followers
                    .map(|f| format!("; {f} followers snapshotted"))
                    .unwrap_or_default()
            ),
            Some((code, msg)) => println!(
                "site {} ({}, {}): FAILED ({code}): {msg}; {} new, {} new versions, {} gone before it failed",
                r.site_id, r.site, r.platform, s.new_items, s.new_versions, s.gone
            ),
        }
    }
    if reports.is_empty() {
        println!("no active site has a connection: add one with `plaza site add`");
    }
}

/// `plaza capture --once`.
pub async fn capture_once(data: &Path, site: Option<i64>) -> Result<Vec<Report>> {
    let (store, _) = instance::open(data, None).await?;
    let mut engine = engine_for(&store).await?;
    let reports = capture::capture_all(&store, data, &mut engine, site, &Options::default()).await;
    store.close().await;
    reports
}

/// The moderation engine for an instance: its active policy (named by its version id) and the
/// shipped model (named by its SHA-256).
pub async fn engine_for(store: &Store) -> Result<plaza_moderation::engine::Engine> {
    let (version, policy) = store.policy().await?;
    let model = plaza_moderation::default_model().map_err(|e| anyhow!("the shipped model: {e}"))?;
    Ok(plaza_moderation::engine::Engine::new(&policy, Some(model))
        .with_policy_version(version)
        .with_model_id(plaza_moderation::default_model_id()))
}

/// Prints the continuity of every active site; returns whether anything needs attention.
pub fn print_status(sites: &[Continuity]) -> bool {
    let mut attention = false;
    for c in sites {
        let last = c
            .last_success_at
            .map(|t| t.human())
            .unwrap_or_else(|| "never".into());
        let expiry = match (c.connected, c.credential_expires_at) {
            (false, _) => "none".to_string(),
            (true, Some(t)) => format!("expires {}", t.date()),
            (true, None) => "does not expire".to_string(),
        };
        let state = if !c.connected {
            "NOT CONNECTED"
        } else if c.failures > 0 {
            "FAILING"
        } else if c.warnings.is_empty() {
            "ok"
        } else {
            "ATTENTION"
        };
        println!(
            "site {} {} ({}): {state}; last capture {last}; credential {expiry}; {} gap(s)",
            c.site_id,
            c.site,
            c.platform,
            c.gaps.len()
        );
        for g in &c.gaps {
            println!(
                "  gap from {} to {}{}",
                g.from.human(),
                g.to.map(|t| t.human())
                    .unwrap_or_else(|| "now (open)".into()),
                if g.failures > 0 {
                    format!(
                        " ({} failed pass{})",
                        g.failures,
                        if g.failures == 1 { "" } else { "es" }
                    )
                } else {
                    String::new()
                }
            );
        }
        for w in &c.warnings {
            println!("  warning: {w}");
            attention = true;
        }
    }
    if sites.is_empty() {
        println!("no active sites");
    }
    attention
}

/// One line of the page-roles reconciliation (B.9: only people the City Manager authorised in
/// writing may post).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoleLine {
    /// The platform's name for the person.
    pub name: String,
    pub platform_id: String,
    pub tasks: Vec<String>,
    /// The Plaza person matched (by an official account on the platform, else by name).
    pub person: Option<String>,
    /// The in-force written authorization for this site, if any: its id and level.
    pub authorization: Option<(i64, String)>,
}

impl RoleLine {
    /// A person with a role that can post or moderate but no written authorization.
    pub fn unauthorised(&self) -> bool {
        self.authorization.is_none()
    }
}

/// `plaza site roles ID`: everyone with a role on a Facebook Page next to Plaza's written
/// authorizations for the site.
pub async fn page_roles(store: &Store, data: &Path, site_id: i64) -> Result<Vec<RoleLine>> {
    use plaza_connect::Connector as _;
    let site = store.site(site_id).await.map_err(|e| anyhow!("{e}"))?;
    if site.platform != Platform::Facebook {
        bail!(
            "page roles can be read from Facebook Pages only; {} is on {}",
            site.name,
            site.platform.label()
        );
    }
    let ep = capture::endpoint(store, data, &site).await?;
    let mut fb = plaza_connect::facebook::Facebook::new(&ep).map_err(|e| anyhow!("{e}"))?;
    fb.connect().await.map_err(|e| anyhow!("{e}"))?;
    let roles = fb.page_roles().await.map_err(|e| anyhow!("{e}"))?;
    let now = store.now();
    let grants: Vec<_> = store
        .authorizations(None, Some(site.id))
        .await?
        .into_iter()
        .filter(|a| a.status(now) == "in force")
        .collect();
    let people = store.people().await?;
    let mut out = Vec::new();
    for r in roles {
        let mut person = None;
        for p in &people {
            let accounts = store.official_accounts(p.id).await?;
            if accounts
                .iter()
                .any(|a| a.platform == Platform::Facebook && a.handle == r.id)
            {
                person = Some(p);
                break;
            }
        }
        let person = person.or_else(|| {
            people
                .iter()
                .find(|p| p.name.trim().eq_ignore_ascii_case(r.name.trim()))
        });
        let authorization = person.and_then(|p| {
            grants
                .iter()
                .find(|g| g.person_id == p.id)
                .map(|g| (g.id, g.level.as_str().to_string()))
        });
        out.push(RoleLine {
            name: r.name,
            platform_id: r.id,
            tasks: r.tasks,
            person: person.map(|p| format!("{} <{}>", p.name, p.email)),
            authorization,
        });
    }
    Ok(out)
}

/// `plaza site webhook ID --app-secret-file F`: sets up Facebook webhooks for a site. Stores the
/// app secret and a new verify token in the data directory and returns the verify token, which
/// the city enters in the Meta app's webhook settings with the callback URL
/// `https://PLAZA/hooks/facebook/ID`.
pub async fn webhook_setup(
    store: &Store,
    data: &Path,
    site_id: i64,
    app_secret: &str,
) -> Result<String> {
    let site = store.site(site_id).await.map_err(|e| anyhow!("{e}"))?;
    if site.platform != Platform::Facebook {
        bail!(
            "webhooks are set up for Facebook Pages only; {} is on {}",
            site.name,
            site.platform.label()
        );
    }
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("no randomness for the verify token: {e}"))?;
    let token = plaza_core::hex(&bytes);
    let fingerprint = crate::instance::credential_fingerprint(data, app_secret)?;
    let dir = data.join("secrets");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    crate::instance::write_secret(&dir.join(format!("site-{site_id}.app-secret")), app_secret)?;
    crate::instance::write_secret(&dir.join(format!("site-{site_id}.verify-token")), &token)?;
    let mut tx = store.begin_write().await?;
    tx.append(&[plaza_core::record::NewRecord::new(
        "system:cli",
        plaza_core::record::kinds::SITE_WEBHOOK_SET,
        format!("site:{site_id}"),
        serde_json::json!({
            "platform": "facebook",
            "callback_path": format!("/hooks/facebook/{site_id}"),
            "app_secret_fingerprint": fingerprint,
        }),
    )])
    .await?;
    tx.commit().await?;
    Ok(token)
}
