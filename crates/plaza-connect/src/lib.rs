//! Platform connectors: one [`Connector`] trait for every platform, one module per platform,
//! each written to the platform's published API documentation.
//!
//! A connector turns a platform's payloads into [`plaza_core::capture`] values and performs the
//! few actions the platform's API allows. It knows nothing of the database: the capture engine
//! (in the `plaza` crate) stores what connectors return. Payload parsing is done by pure
//! functions (`parse_*`) so that each can be fuzzed and tested against documented payloads.

pub mod bluesky;
pub mod facebook;
pub mod graph;
pub mod http;
pub mod import;
pub mod instagram;
pub mod mastodon;
pub mod x;
pub mod youtube;

use plaza_core::Timestamp;
use plaza_core::capture::{Author, Capability, Follower, Item, Page, Profile};
use plaza_core::sites::Platform;
use std::future::Future;

/// What went wrong talking to a platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The platform's API does not offer this; the desk shows a manual checklist instead.
    #[error("{platform} does not allow {capability} through its API")]
    Unsupported {
        platform: &'static str,
        capability: &'static str,
    },
    /// The credential was refused or has expired: capture stops until someone renews it.
    #[error("{platform} refused the credential: {reason}")]
    Auth {
        platform: &'static str,
        reason: String,
    },
    /// The platform asked us to slow down.
    #[error("{platform} rate limit reached; retry after {retry_after_secs} s")]
    RateLimited {
        platform: &'static str,
        retry_after_secs: u64,
    },
    /// Any other HTTP error status.
    #[error("{platform} answered {status} to {endpoint}: {body}")]
    Http {
        platform: &'static str,
        endpoint: String,
        status: u16,
        body: String,
    },
    /// The platform answered with something that is not the documented payload.
    #[error("{platform} sent an unexpected payload from {endpoint}: {reason}")]
    Payload {
        platform: &'static str,
        endpoint: String,
        reason: String,
    },
    /// The network: connection refused, timeout, TLS.
    #[error("cannot reach {platform} at {endpoint}: {reason}")]
    Transport {
        platform: &'static str,
        endpoint: String,
        reason: String,
    },
    /// The site's configuration is incomplete or wrong.
    #[error("{0}")]
    Config(String),
}

/// Result with the connector error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable snake_case code for the record and the status page.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unsupported { .. } => "unsupported",
            Error::Auth { .. } => "credential_refused",
            Error::RateLimited { .. } => "rate_limited",
            Error::Http { .. } => "http_error",
            Error::Payload { .. } => "bad_payload",
            Error::Transport { .. } => "unreachable",
            Error::Config(_) => "misconfigured",
        }
    }
}

/// Where a site lives and how to sign in to it. Secrets never go into the record.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The API base: a Bluesky PDS, a Mastodon instance, `https://graph.facebook.com/v21.0`...
    pub base_url: String,
    /// A second service where the platform splits reads from writes (the Bluesky appview).
    pub read_url: Option<String>,
    /// The account: a handle, a page id, a channel id, a user id.
    pub account: String,
    /// The app password or access token.
    pub secret: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url)
            .field("read_url", &self.read_url)
            .field("account", &self.account)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The outcome of signing in: who we are, and until when the credential is good (if the
/// platform says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub account_id: String,
    pub handle: String,
    pub expires_at: Option<Timestamp>,
}

/// A post the city publishes (after PIO approval, in a later issue).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    pub images: Vec<DraftImage>,
}

/// An image to attach, with its alt text (accessibility is not optional for a city).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftImage {
    pub bytes: Vec<u8>,
    pub mime: String,
    pub alt: String,
}

/// Why the city reports an item to the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportReason {
    Spam,
    Violation,
    Misleading,
    Sexual,
    Rude,
    Other,
}

/// One platform. Reads page newest first; the engine decides how far back to go.
///
/// Every action has a default that says the platform does not allow it, so a connector
/// implements exactly what its API offers and [`Connector::capabilities`] lists the same.
pub trait Connector: Send {
    /// The platform.
    fn platform(&self) -> Platform;

    /// What this platform's API lets the city do.
    fn capabilities(&self) -> &'static [Capability];

    /// Signs in (or checks the token) and says until when the credential is good.
    fn connect(&mut self) -> impl Future<Output = Result<Session>> + Send;

    /// The site's profile.
    fn profile(&mut self) -> impl Future<Output = Result<Profile>> + Send;

    /// The account's own posts, newest first.
    fn posts(&mut self, cursor: Option<String>) -> impl Future<Output = Result<Page<Item>>> + Send;

    /// Every public comment under one of the account's posts, at any depth, with the city's
    /// own replies. A comment the platform hides from the public but still holds (a hidden
    /// reply) is returned with `hidden` set when the API shows it.
    fn comments(&mut self, post: &Item) -> impl Future<Output = Result<Vec<Item>>> + Send;

    /// Of these items, which are definitely gone from the platform: asked one by one (or in
    /// batches) where the API allows, because a listing can leave out what still exists. The
    /// default trusts the listing that left them out.
    fn confirm_gone(&mut self, ids: &[String]) -> impl Future<Output = Result<Vec<String>>> + Send {
        let all = ids.to_vec();
        async move { Ok(all) }
    }

    /// How far back [`Connector::comments`] reaches, when it does not list every comment
    /// (X's recent search covers 7 days). `None`: every comment is listed, so one that is
    /// missing is gone. Capture never calls an unlisted comment older than this gone.
    fn comments_window_ms(&self) -> Option<i64> {
        None
    }

    /// The accounts following the site.
    fn followers(
        &mut self,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<Page<Follower>>> + Send;

    /// Publishes a post and returns it as captured.
    fn publish(&mut self, _draft: &Draft) -> impl Future<Output = Result<Item>> + Send {
        let e = self.unsupported(Capability::Publish);
        async move { Err(e) }
    }

    /// Deletes one of the city's own posts.
    fn delete(&mut self, _post: &Item) -> impl Future<Output = Result<()>> + Send {
        let e = self.unsupported(Capability::Delete);
        async move { Err(e) }
    }

    /// Hides (or un-hides) a comment from public view; the comment still exists.
    fn hide_comment(
        &mut self,
        _comment: &Item,
        _hidden: bool,
    ) -> impl Future<Output = Result<()>> + Send {
        let e = self.unsupported(Capability::HideComment);
        async move { Err(e) }
    }

    /// Deletes a comment by someone else under the city's post.
    fn delete_comment(&mut self, _comment: &Item) -> impl Future<Output = Result<()>> + Send {
        let e = self.unsupported(Capability::DeleteComment);
        async move { Err(e) }
    }

    /// Blocks an account from the site (C.9: denial of access after violations).
    fn block(&mut self, _author: &Author) -> impl Future<Output = Result<()>> + Send {
        let e = self.unsupported(Capability::BlockUser);
        async move { Err(e) }
    }

    /// Reports an item to the platform's own moderators.
    fn report(
        &mut self,
        _item: &Item,
        _reason: ReportReason,
        _note: &str,
    ) -> impl Future<Output = Result<()>> + Send {
        let e = self.unsupported(Capability::Report);
        async move { Err(e) }
    }

    /// The error for a capability this platform lacks.
    fn unsupported(&self, capability: Capability) -> Error {
        Error::Unsupported {
            platform: self.platform().label(),
            capability: capability.as_str(),
        }
    }
}

/// What a platform allows, for the connector table (docs/connectors.md) and the desk.
pub fn capabilities(platform: Platform) -> &'static [Capability] {
    match platform {
        Platform::Bluesky => bluesky::CAPABILITIES,
        Platform::Mastodon => mastodon::CAPABILITIES,
        Platform::Facebook => facebook::CAPABILITIES,
        Platform::Instagram => instagram::CAPABILITIES,
        Platform::Youtube => youtube::CAPABILITIES,
        Platform::X => x::CAPABILITIES,
        // LinkedIn has no connector: everything there is a manual step.
        Platform::Linkedin => &[],
    }
}

/// Installs the TLS crypto provider (ring) once per process. Every program that talks to a
/// platform calls this first; calling it again is harmless.
pub fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The error for a listing whose next page has the cursor of the page just read.
pub(crate) fn repeated_cursor(platform: &'static str, cursor: &str) -> Error {
    Error::Payload {
        platform,
        endpoint: "pagination".into(),
        reason: format!("the next-page cursor {cursor:?} repeats one already used"),
    }
}

/// Reads a whole listing: `fetch` reads one page from its cursor (`None` for the first) and
/// says where the next one starts. A next cursor equal to the one just used is an error, not
/// the end: a listing cut short must never read as complete, or capture would call the rest
/// deleted.
pub(crate) async fn every_page<T, Fut>(
    platform: &'static str,
    fetch: impl FnMut(Option<String>) -> Fut,
) -> Result<Vec<T>>
where
    Fut: Future<Output = Result<Page<T>>>,
{
    every_page_from(platform, None, fetch).await
}

/// [`every_page`] from the cursor `first` (a listing whose first page came embedded in
/// another answer).
pub(crate) async fn every_page_from<T, Fut>(
    platform: &'static str,
    first: Option<String>,
    mut fetch: impl FnMut(Option<String>) -> Fut,
) -> Result<Vec<T>>
where
    Fut: Future<Output = Result<Page<T>>>,
{
    let mut out = Vec::new();
    // every cursor used so far: a platform that leads back to one (A, B, A) would loop
    let mut used: std::collections::HashSet<String> = first.iter().cloned().collect();
    let mut cursor = first;
    loop {
        let page = fetch(cursor.clone()).await?;
        out.extend(page.items);
        match page.next {
            None => return Ok(out),
            Some(n) if used.insert(n.clone()) => cursor = Some(n),
            Some(n) => return Err(repeated_cursor(platform, &n)),
        }
    }
}

/// Parses an RFC 3339 time from a payload, naming the field when it is not one.
pub(crate) fn parse_time(platform: &'static str, field: &str, text: &str) -> Result<Timestamp> {
    Timestamp::parse_rfc3339(text).map_err(|e| Error::Payload {
        platform,
        endpoint: field.to_string(),
        reason: format!("{field} is not an RFC 3339 time ({text:?}): {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing served from `pages` (cursor asked for, items, next cursor); records the asks.
    async fn read(
        first: Option<&str>,
        pages: &[(Option<&str>, &[u32], Option<&str>)],
    ) -> (Result<Vec<u32>>, Vec<Option<String>>) {
        let asked = std::cell::RefCell::new(Vec::new());
        let result = every_page_from("Test", first.map(str::to_string), |cursor| {
            asked.borrow_mut().push(cursor.clone());
            let page = pages
                .iter()
                .find(|(c, _, _)| c.map(str::to_string) == cursor)
                .map(|(_, items, next)| Page {
                    items: items.to_vec(),
                    next: next.map(str::to_string),
                });
            async move {
                page.ok_or_else(|| Error::Payload {
                    platform: "Test",
                    endpoint: "listing".into(),
                    reason: format!("no page at {cursor:?}"),
                })
            }
        })
        .await;
        (result, asked.into_inner())
    }

    #[tokio::test]
    async fn every_page_reads_to_the_end_and_refuses_a_repeated_cursor() {
        let (all, asked) = read(
            None,
            &[
                (None, &[1, 2], Some("b")),
                (Some("b"), &[3], Some("c")),
                (Some("c"), &[], None),
            ],
        )
        .await;
        assert_eq!(all.unwrap(), vec![1, 2, 3]);
        assert_eq!(asked, vec![None, Some("b".into()), Some("c".into())]);
        // a platform that answers page "b" with "b" again would loop, or end early and read
        // as complete: it is an error naming the cursor
        let (err, asked) = read(
            None,
            &[(None, &[1], Some("b")), (Some("b"), &[2], Some("b"))],
        )
        .await;
        let err = err.unwrap_err().to_string();
        assert!(err.contains("\"b\" repeats"), "{err}");
        assert_eq!(asked.len(), 2);
        // nor may it lead back to an earlier page (a, b, a, b, ... would never end)
        let (err, asked) = read(
            None,
            &[
                (None, &[1], Some("a")),
                (Some("a"), &[2], Some("b")),
                (Some("b"), &[3], Some("a")),
            ],
        )
        .await;
        assert!(err.unwrap_err().to_string().contains("\"a\" repeats"));
        assert_eq!(asked.len(), 3);
        // from a cursor given by an earlier answer (Instagram's replies past the embedded ones)
        let (all, asked) = read(
            Some("r2"),
            &[(Some("r2"), &[7], Some("r3")), (Some("r3"), &[8], None)],
        )
        .await;
        assert_eq!(all.unwrap(), vec![7, 8]);
        assert_eq!(asked[0].as_deref(), Some("r2"));
        let (err, _) = read(Some("r2"), &[(Some("r2"), &[7], Some("r2"))]).await;
        assert!(
            err.is_err(),
            "a replies listing cut short is an error, not the end"
        );
        // an error from a page ends the listing with that error
        let (err, _) = read(None, &[(None, &[1], Some("gone"))]).await;
        assert!(err.unwrap_err().to_string().contains("no page"));
    }

    /// docs/connectors.md's table says what each connector's `CAPABILITIES` says.
    #[test]
    fn the_connector_table_matches_the_code() {
        let doc = include_str!("../../../docs/connectors.md");
        let rows: Vec<Vec<&str>> = doc
            .lines()
            .skip_while(|l| !l.starts_with("| What |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
            .collect();
        assert_eq!(rows.len(), Capability::ALL.len());
        for (row, cap) in rows.iter().zip(Capability::ALL) {
            for (i, platform) in Platform::ALL.iter().enumerate() {
                let cell = row[i + 1];
                assert_eq!(
                    cell.starts_with("yes"),
                    capabilities(*platform).contains(&cap),
                    "{} / {}: {cell:?}",
                    platform.label(),
                    cap.as_str()
                );
            }
        }
    }
}
