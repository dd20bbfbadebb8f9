//! Bluesky, by the AT Protocol (atproto.com/specs, the `com.atproto` and `app.bsky` lexicons).
//!
//! Writes go to the account's PDS with an app-password session; reads of threads, feeds and
//! followers go to the appview (`read_url`; `https://public.api.bsky.app` in production). The
//! city's own records (its threadgates, which list the replies it hid) are read from its PDS,
//! which is the authority for them.

use crate::http::{Auth, Http};
use crate::{Connector, Draft, Endpoint, Error, ReportReason, Result, Session, parse_time};
use base64::Engine as _;
use plaza_core::Timestamp;
use plaza_core::capture::{
    Author, Capability, Counts, Follower, Item, ItemKind, Media, Page, Profile,
};
use plaza_core::sites::Platform;
use serde::Deserialize;
use serde_json::{Value, json};

const NAME: &str = "Bluesky";

/// The public appview Bluesky runs.
pub const PUBLIC_APPVIEW: &str = "https://public.api.bsky.app";

/// Bluesky's own moderation service (`did#atproto_labeler`). Reports go to the PDS's
/// configured moderation service unless the site names one; on bsky.social that is this one.
pub const BLUESKY_MODERATION: &str = "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler";

/// What the AT Protocol lets an account do.
pub const CAPABILITIES: &[Capability] = &[
    Capability::Publish,
    Capability::Delete,
    Capability::ListPosts,
    Capability::ListComments,
    Capability::HideComment,
    Capability::BlockUser,
    Capability::ReadFollowers,
    Capability::ReadProfile,
    Capability::Report,
];

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    access_jwt: String,
    refresh_jwt: String,
    handle: String,
    did: String,
}

/// A profile as views embed it (`app.bsky.actor.defs#profileViewBasic`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub did: String,
    pub handle: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub followers_count: Option<i64>,
    #[serde(default)]
    pub posts_count: Option<i64>,
}

/// `app.bsky.feed.defs#postView`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostView {
    pub uri: String,
    pub cid: String,
    pub author: ProfileView,
    pub record: Value,
    #[serde(default)]
    pub embed: Option<Value>,
    #[serde(default)]
    pub reply_count: Option<i64>,
    #[serde(default)]
    pub repost_count: Option<i64>,
    #[serde(default)]
    pub like_count: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct FeedViewPost {
    post: PostView,
    #[serde(default)]
    reason: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct AuthorFeed {
    feed: Vec<FeedViewPost>,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Followers {
    followers: Vec<ProfileView>,
    #[serde(default)]
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StrongRef {
    uri: String,
    cid: String,
}

/// The parts of an at:// URI: `at://{repo}/{collection}/{rkey}`.
pub fn split_uri(uri: &str) -> Result<(&str, &str, &str)> {
    let rest = uri
        .strip_prefix("at://")
        .ok_or_else(|| payload("uri", format!("{uri:?} is not an at:// URI")))?;
    let mut parts = rest.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(r), Some(c), Some(k)) if !r.is_empty() && !c.is_empty() && !k.is_empty() => {
            Ok((r, c, k))
        }
        _ => Err(payload(
            "uri",
            format!("{uri:?} lacks a collection or record key"),
        )),
    }
}

/// The web address of a post on bsky.app.
pub fn web_url(uri: &str, handle: &str) -> String {
    match split_uri(uri) {
        Ok((_, _, rkey)) => format!("https://bsky.app/profile/{handle}/post/{rkey}"),
        Err(_) => uri.to_string(),
    }
}

fn payload(endpoint: &str, e: impl std::fmt::Display) -> Error {
    Error::Payload {
        platform: NAME,
        endpoint: endpoint.to_string(),
        reason: e.to_string(),
    }
}

/// Turns a post view into an item.
pub fn post_item(p: &PostView, kind: ItemKind, root: Option<&str>, hidden: bool) -> Result<Item> {
    let text = p
        .record
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let created = p
        .record
        .get("createdAt")
        .and_then(Value::as_str)
        .ok_or_else(|| payload("postView", format!("{} has no record.createdAt", p.uri)))?;
    let parent = p
        .record
        .pointer("/reply/parent/uri")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Item {
        kind,
        platform_id: p.uri.clone(),
        parent,
        root: root.map(str::to_string),
        author: Author {
            id: p.author.did.clone(),
            handle: p.author.handle.clone(),
            name: p.author.display_name.clone().unwrap_or_default(),
        },
        text,
        url: web_url(&p.uri, &p.author.handle),
        created_at: parse_time(NAME, "createdAt", created)?,
        edited_at: None,
        media: embed_media(p.embed.as_ref()),
        hidden,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts {
            likes: p.like_count.unwrap_or(0),
            reposts: p.repost_count.unwrap_or(0),
            replies: p.reply_count.unwrap_or(0),
        },
    })
}

fn embed_media(embed: Option<&Value>) -> Vec<Media> {
    let Some(e) = embed else { return vec![] };
    let images = e
        .get("images")
        .or_else(|| e.pointer("/media/images"))
        .and_then(Value::as_array);
    match images {
        Some(list) => list
            .iter()
            .map(|i| Media {
                url: i
                    .get("fullsize")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                alt: i
                    .get("alt")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                mime: "image".into(),
            })
            .collect(),
        None => vec![],
    }
}

/// Parses `app.bsky.feed.getAuthorFeed`: the account's own posts (reposts of others skipped).
pub fn parse_author_feed(body: &[u8], did: &str) -> Result<Page<Item>> {
    let f: AuthorFeed = serde_json::from_slice(body).map_err(|e| payload("getAuthorFeed", e))?;
    let mut items = Vec::with_capacity(f.feed.len());
    for entry in &f.feed {
        if entry.reason.is_some() || entry.post.author.did != did {
            continue;
        }
        if entry.post.record.get("reply").is_some() {
            continue;
        }
        items.push(post_item(&entry.post, ItemKind::Post, None, false)?);
    }
    Ok(Page {
        items,
        next: f.cursor.filter(|c| !c.is_empty() && !f.feed.is_empty()),
    })
}

/// Parses `app.bsky.feed.getPostThread`: every reply under the root, at any depth. Replies the
/// appview reports as not found or blocked are skipped (their absence is what capture sees).
/// Returns the root post as well, with its fresh counts.
pub fn parse_thread(body: &[u8], hidden: &[String]) -> Result<(Option<Item>, Vec<Item>)> {
    let v: Value = serde_json::from_slice(body).map_err(|e| payload("getPostThread", e))?;
    let thread = v
        .get("thread")
        .ok_or_else(|| payload("getPostThread", "no thread in the answer"))?;
    if !is_post_node(thread) {
        return Ok((None, vec![]));
    }
    let root_view: PostView = serde_json::from_value(
        thread
            .get("post")
            .cloned()
            .ok_or_else(|| payload("getPostThread", "thread has no post"))?,
    )
    .map_err(|e| payload("getPostThread", e))?;
    let root = post_item(&root_view, ItemKind::Post, None, false)?;
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = vec![thread];
    while let Some(node) = stack.pop() {
        let Some(replies) = node.get("replies").and_then(Value::as_array) else {
            continue;
        };
        for r in replies.iter().rev() {
            if !is_post_node(r) {
                continue;
            }
            let view: PostView = serde_json::from_value(r.get("post").cloned().unwrap_or_default())
                .map_err(|e| payload("getPostThread", e))?;
            let is_hidden = hidden.iter().any(|h| h == &view.uri);
            out.push(post_item(
                &view,
                ItemKind::Comment,
                Some(&root.platform_id),
                is_hidden,
            )?);
            stack.push(r);
        }
    }
    Ok((Some(root), out))
}

fn is_post_node(v: &Value) -> bool {
    let t = v.get("$type").and_then(Value::as_str).unwrap_or("");
    (t.is_empty() || t == "app.bsky.feed.defs#threadViewPost") && v.get("post").is_some()
}

/// The time now, for `createdAt` fields and session expiry.
fn now() -> Timestamp {
    use plaza_core::Clock as _;
    plaza_core::SystemClock.now()
}

/// The expiry (`exp`, seconds) of a JWT, read without checking the signature: only the
/// issuer can check it, and Plaza uses it only to warn before it lapses.
pub fn jwt_expiry(jwt: &str) -> Option<Timestamp> {
    let claims = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("exp")
        .and_then(Value::as_i64)
        .map(|s| Timestamp(s * 1000))
}

/// Link facets (`app.bsky.richtext.facet#link`) for the URLs in a post, by UTF-8 byte offsets.
pub fn link_facets(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("http") {
        let start = from + i;
        let rest = &text[start..];
        if !(rest.starts_with("https://") || rest.starts_with("http://"))
            || (start > 0
                && !text[..start].ends_with(char::is_whitespace)
                && !text[..start].ends_with('('))
        {
            from = start + 4;
            continue;
        }
        let len = rest
            .find(|c: char| c.is_whitespace() || c == ')')
            .unwrap_or(rest.len());
        let url = rest[..len].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        out.push(json!({
            "index": {"byteStart": start, "byteEnd": start + url.len()},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
        }));
        from = start + url.len().max(1);
    }
    out
}

/// The `@handle` mentions in a post with their byte ranges.
pub fn mentions(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices('@') {
        if i > 0 && !text[..i].ends_with(char::is_whitespace) && !text[..i].ends_with('(') {
            continue;
        }
        let rest = &text[i + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let handle = rest[..len].trim_end_matches('.');
        if handle.contains('.') && !handle.starts_with('.') {
            out.push((i, i + 1 + handle.len(), handle));
        }
    }
    out
}

/// A Bluesky account, signed in with an app password.
pub struct Bluesky {
    http: Http,
    pds: String,
    appview: String,
    identifier: String,
    app_password: String,
    moderation: Option<String>,
    session: Option<SessionBody>,
}

impl Bluesky {
    /// A connector for the account `endpoint.account` on the PDS `endpoint.base_url`, reading
    /// through the appview `endpoint.read_url` (the public appview if none).
    pub fn new(endpoint: &Endpoint) -> Result<Bluesky> {
        if endpoint.secret.is_empty() {
            return Err(Error::Config("a Bluesky site needs an app password".into()));
        }
        if endpoint.account.is_empty() {
            return Err(Error::Config("a Bluesky site needs its handle".into()));
        }
        Ok(Bluesky {
            http: Http::new(NAME)?,
            pds: endpoint.base_url.trim_end_matches('/').to_string(),
            appview: endpoint
                .read_url
                .clone()
                .unwrap_or_else(|| PUBLIC_APPVIEW.to_string())
                .trim_end_matches('/')
                .to_string(),
            identifier: endpoint.account.trim_start_matches('@').to_string(),
            app_password: endpoint.secret.clone(),
            moderation: None,
            session: None,
        })
    }

    /// Sends reports to a given moderation service (`did#atproto_labeler`, e.g.
    /// [`BLUESKY_MODERATION`] or a city's own labeler) instead of the PDS's default.
    pub fn with_moderation_service(mut self, service: &str) -> Bluesky {
        self.moderation = Some(service.to_string());
        self
    }

    fn xrpc(&self, host: &str, nsid: &str) -> String {
        format!("{host}/xrpc/{nsid}")
    }

    /// The key of this account's session in the process-wide cache: the PDS, the account and
    /// a hash of the app password (a new password is a new session).
    fn cache_key(&self) -> String {
        use sha2::Digest as _;
        let h = sha2::Sha256::digest(self.app_password.as_bytes());
        format!("{}|{}|{}", self.pds, self.identifier, plaza_core::hex(&h))
    }

    /// Sessions live across passes: bsky.social limits sign-ins (createSession) per account
    /// per day, and a pass every five minutes must not spend them. A session is refreshed when
    /// its access token is near its end; a refused refresh (a revoked app password) surfaces
    /// as a refused credential within two hours.
    fn sessions() -> &'static std::sync::Mutex<std::collections::HashMap<String, SessionBody>> {
        static SESSIONS: std::sync::OnceLock<
            std::sync::Mutex<std::collections::HashMap<String, SessionBody>>,
        > = std::sync::OnceLock::new();
        SESSIONS.get_or_init(Default::default)
    }

    fn cached(&self) -> Option<SessionBody> {
        Self::sessions()
            .lock()
            .ok()
            .and_then(|m| m.get(&self.cache_key()).cloned())
    }

    fn remember(&self) {
        if let (Some(s), Ok(mut m)) = (&self.session, Self::sessions().lock()) {
            m.insert(self.cache_key(), s.clone());
        }
    }

    /// Signs in: the cached session if its access token has ten minutes left, else a refresh
    /// of it, else a new session.
    async fn sign_in(&mut self) -> Result<()> {
        let now = now().0;
        if let Some(s) = self.cached() {
            let fresh = jwt_expiry(&s.access_jwt).is_some_and(|t| t.0 - now > 10 * 60_000);
            self.session = Some(s);
            if !fresh {
                self.refresh().await?;
            }
            return Ok(());
        }
        self.session = None;
        self.login().await?;
        Ok(())
    }

    async fn login(&mut self) -> Result<&SessionBody> {
        if self.session.is_none() {
            let url = self.xrpc(&self.pds, "com.atproto.server.createSession");
            let s: SessionBody = self
                .http
                .post_json(
                    &url,
                    &json!({"identifier": self.identifier, "password": self.app_password}),
                    Auth::None,
                    &[],
                )
                .await?;
            self.session = Some(s);
            self.remember();
        }
        self.session
            .as_ref()
            .ok_or_else(|| Error::Config("no session".into()))
    }

    /// Refreshes the session (com.atproto.server.refreshSession); signs in again if the
    /// refresh token is no longer accepted.
    pub async fn refresh(&mut self) -> Result<()> {
        let Some(s) = self.session.take() else {
            self.login().await?;
            return Ok(());
        };
        let url = self.xrpc(&self.pds, "com.atproto.server.refreshSession");
        match self
            .http
            // No body at all: the PDS refuses one ("A request body was provided when none
            // was expected"), as the test network showed.
            .request::<SessionBody>(
                reqwest::Method::POST,
                &url,
                &[],
                None,
                Auth::Bearer(&s.refresh_jwt),
            )
            .await
        {
            Ok(fresh) => {
                self.session = Some(fresh);
                self.remember();
            }
            // The refresh token was refused: sign in again (which fails, and says so, when the
            // app password itself was revoked).
            Err(Error::Auth { .. } | Error::Http { status: 400, .. }) => {
                self.login().await?;
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    async fn did(&mut self) -> Result<String> {
        Ok(self.login().await?.did.clone())
    }

    async fn token(&mut self) -> Result<String> {
        Ok(self.login().await?.access_jwt.clone())
    }

    /// A write call on the PDS, refreshing the session once if the access token expired.
    async fn write(&mut self, nsid: &str, body: &Value) -> Result<Value> {
        let url = self.xrpc(&self.pds, nsid);
        let token = self.token().await?;
        match self
            .http
            .post_json(&url, body, Auth::Bearer(&token), &[])
            .await
        {
            Err(Error::Auth { .. }) => {
                self.refresh().await?;
                let token = self.token().await?;
                self.http
                    .post_json(&url, body, Auth::Bearer(&token), &[])
                    .await
            }
            other => other,
        }
    }

    async fn read(&self, nsid: &str, query: &[(&str, &str)]) -> Result<Vec<u8>> {
        let url = self.xrpc(&self.appview, nsid);
        let v: Value = self.http.get(&url, query, Auth::None).await?;
        serde_json::to_vec(&v).map_err(|e| payload(nsid, e))
    }

    async fn create_record(&mut self, collection: &str, record: Value) -> Result<StrongRef> {
        let did = self.did().await?;
        let v = self
            .write(
                "com.atproto.repo.createRecord",
                &json!({"repo": did, "collection": collection, "record": record}),
            )
            .await?;
        serde_json::from_value(v).map_err(|e| payload("createRecord", e))
    }

    /// The replies the city hid under one of its posts (its threadgate's `hiddenReplies`).
    async fn hidden_replies(&mut self, post_uri: &str) -> Result<(Option<Value>, Vec<String>)> {
        let (_, _, rkey) = split_uri(post_uri)?;
        let did = self.did().await?;
        let url = self.xrpc(&self.pds, "com.atproto.repo.getRecord");
        let got: Result<Value> = self
            .http
            .get(
                &url,
                &[
                    ("repo", did.as_str()),
                    ("collection", "app.bsky.feed.threadgate"),
                    ("rkey", rkey),
                ],
                Auth::None,
            )
            .await;
        match got {
            Ok(v) => {
                let record = v.get("value").cloned();
                let hidden = record
                    .as_ref()
                    .and_then(|r| r.get("hiddenReplies"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                Ok((record, hidden))
            }
            // No threadgate: nothing hidden. Any other error is an error: reading it as "nothing
            // hidden" would record every hidden reply as shown again.
            Err(Error::Http {
                status: 400 | 404,
                ref body,
                ..
            }) if body.contains("RecordNotFound") => Ok((None, vec![])),
            Err(e) => Err(e),
        }
    }

    /// Resolves a handle to its DID (for mention facets and blocks).
    pub async fn resolve_handle(&self, handle: &str) -> Result<String> {
        let url = self.xrpc(&self.pds, "com.atproto.identity.resolveHandle");
        let v: Value = self
            .http
            .get(&url, &[("handle", handle)], Auth::None)
            .await?;
        v.get("did")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| payload("resolveHandle", "no did in the answer"))
    }

    /// The thread under a post: the post with fresh counts and every reply.
    pub async fn thread(&mut self, uri: &str) -> Result<(Option<Item>, Vec<Item>)> {
        let (_, hidden) = self.hidden_replies(uri).await?;
        let body = self
            .read(
                "app.bsky.feed.getPostThread",
                &[("uri", uri), ("depth", "1000"), ("parentHeight", "0")],
            )
            .await;
        match body {
            Ok(b) => parse_thread(&b, &hidden),
            // The appview answers NotFound for a deleted root.
            Err(Error::Http {
                status: 400,
                ref body,
                ..
            }) if body.contains("NotFound") => Ok((None, vec![])),
            Err(e) => Err(e),
        }
    }
}

impl Connector for Bluesky {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    async fn connect(&mut self) -> Result<Session> {
        self.sign_in().await?;
        let s = self.login().await?;
        // App passwords do not expire; the session's refresh token does, and Plaza renews it
        // by signing in again, so the credential's own expiry is "none".
        Ok(Session {
            account_id: s.did.clone(),
            handle: s.handle.clone(),
            expires_at: None,
        })
    }

    async fn profile(&mut self) -> Result<Profile> {
        let did = self.did().await?;
        let body = self
            .read("app.bsky.actor.getProfile", &[("actor", &did)])
            .await?;
        let p: ProfileView = serde_json::from_slice(&body).map_err(|e| payload("getProfile", e))?;
        Ok(Profile {
            id: p.did,
            handle: p.handle,
            name: p.display_name.unwrap_or_default(),
            description: p.description.unwrap_or_default(),
            followers: p.followers_count.unwrap_or(0),
            posts: p.posts_count.unwrap_or(0),
        })
    }

    async fn posts(&mut self, cursor: Option<String>) -> Result<Page<Item>> {
        let did = self.did().await?;
        let mut query = vec![
            ("actor", did.as_str()),
            ("limit", "100"),
            ("filter", "posts_no_replies"),
        ];
        if let Some(c) = &cursor {
            query.push(("cursor", c));
        }
        let body = self.read("app.bsky.feed.getAuthorFeed", &query).await?;
        parse_author_feed(&body, &did)
    }

    async fn comments(&mut self, post: &Item) -> Result<Vec<Item>> {
        match self.thread(&post.platform_id).await? {
            (Some(_), replies) => Ok(replies),
            // Listed a moment ago but not found now: never read that as "no replies", which
            // would record every reply as deleted. The pass fails and the next one decides.
            (None, _) => Err(Error::Payload {
                platform: NAME,
                endpoint: "app.bsky.feed.getPostThread".into(),
                reason: format!("{} is listed but its thread is not found", post.platform_id),
            }),
        }
    }

    async fn confirm_gone(&mut self, ids: &[String]) -> Result<Vec<String>> {
        // app.bsky.feed.getPosts answers with the posts that exist, 25 at a time, to anyone.
        let mut gone = Vec::new();
        for chunk in ids.chunks(25) {
            let query: Vec<(&str, &str)> = chunk.iter().map(|u| ("uris", u.as_str())).collect();
            let body = self.read("app.bsky.feed.getPosts", &query).await?;
            let v: Value = serde_json::from_slice(&body).map_err(|e| payload("getPosts", e))?;
            let found: Vec<&str> = v
                .get("posts")
                .and_then(Value::as_array)
                .ok_or_else(|| payload("getPosts", "no posts list in the answer"))?
                .iter()
                .filter_map(|p| p.get("uri").and_then(Value::as_str))
                .collect();
            gone.extend(
                chunk
                    .iter()
                    .filter(|u| !found.contains(&u.as_str()))
                    .cloned(),
            );
        }
        Ok(gone)
    }

    async fn followers(&mut self, cursor: Option<String>) -> Result<Page<Follower>> {
        let did = self.did().await?;
        let mut query = vec![("actor", did.as_str()), ("limit", "100")];
        if let Some(c) = &cursor {
            query.push(("cursor", c));
        }
        let body = self.read("app.bsky.graph.getFollowers", &query).await?;
        let f: Followers = serde_json::from_slice(&body).map_err(|e| payload("getFollowers", e))?;
        Ok(Page {
            next: f
                .cursor
                .filter(|c| !c.is_empty() && !f.followers.is_empty()),
            items: f
                .followers
                .into_iter()
                .map(|p| Follower {
                    id: p.did,
                    handle: p.handle,
                    name: p.display_name.unwrap_or_default(),
                })
                .collect(),
        })
    }

    async fn publish(&mut self, draft: &Draft) -> Result<Item> {
        let mut facets = link_facets(&draft.text);
        for (start, end, handle) in mentions(&draft.text) {
            if let Ok(did) = self.resolve_handle(handle).await {
                facets.push(json!({
                    "index": {"byteStart": start, "byteEnd": end},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                }));
            }
        }
        let mut images = Vec::new();
        for img in &draft.images {
            let url = self.xrpc(&self.pds, "com.atproto.repo.uploadBlob");
            let token = self.token().await?;
            let v: Value = self
                .http
                .post_bytes(&url, img.bytes.clone(), &img.mime, Auth::Bearer(&token))
                .await?;
            let blob = v
                .get("blob")
                .cloned()
                .ok_or_else(|| payload("uploadBlob", "no blob in the answer"))?;
            images.push(json!({"image": blob, "alt": img.alt}));
        }
        let now = now().rfc3339();
        let mut record = json!({
            "$type": "app.bsky.feed.post",
            "text": draft.text,
            "createdAt": now,
        });
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        if !images.is_empty() {
            record["embed"] = json!({"$type": "app.bsky.embed.images", "images": images});
        }
        let r = self
            .create_record("app.bsky.feed.post", record.clone())
            .await?;
        let handle = self.login().await?.handle.clone();
        let did = self.did().await?;
        let view = PostView {
            uri: r.uri,
            cid: r.cid,
            author: ProfileView {
                did,
                handle,
                display_name: None,
                description: None,
                followers_count: None,
                posts_count: None,
            },
            record,
            embed: None,
            reply_count: None,
            repost_count: None,
            like_count: None,
        };
        let mut item = post_item(&view, ItemKind::Post, None, false)?;
        item.media = draft
            .images
            .iter()
            .map(|i| Media {
                url: String::new(),
                alt: i.alt.clone(),
                mime: i.mime.clone(),
            })
            .collect();
        Ok(item)
    }

    async fn delete(&mut self, post: &Item) -> Result<()> {
        let (repo, collection, rkey) = split_uri(&post.platform_id)?;
        let body = json!({"repo": repo, "collection": collection, "rkey": rkey});
        self.write("com.atproto.repo.deleteRecord", &body).await?;
        Ok(())
    }

    async fn hide_comment(&mut self, comment: &Item, hidden: bool) -> Result<()> {
        let root = comment
            .root
            .clone()
            .ok_or_else(|| Error::Config("a comment to hide needs its root post".into()))?;
        let (_, _, rkey) = split_uri(&root)?;
        let (existing, mut list) = self.hidden_replies(&root).await?;
        list.retain(|u| u != &comment.platform_id);
        if hidden {
            list.push(comment.platform_id.clone());
        }
        let mut record = existing.unwrap_or_else(|| {
            json!({"$type": "app.bsky.feed.threadgate", "post": root, "createdAt": now().rfc3339()})
        });
        record["hiddenReplies"] = json!(list);
        let did = self.did().await?;
        self.write(
            "com.atproto.repo.putRecord",
            &json!({"repo": did, "collection": "app.bsky.feed.threadgate", "rkey": rkey, "record": record}),
        )
        .await?;
        Ok(())
    }

    async fn block(&mut self, author: &Author) -> Result<()> {
        let now = now().rfc3339();
        self.create_record(
            "app.bsky.graph.block",
            json!({"$type": "app.bsky.graph.block", "subject": author.id, "createdAt": now}),
        )
        .await?;
        Ok(())
    }

    async fn report(&mut self, item: &Item, reason: ReportReason, note: &str) -> Result<()> {
        let reason_type = match reason {
            ReportReason::Spam => "com.atproto.moderation.defs#reasonSpam",
            ReportReason::Violation => "com.atproto.moderation.defs#reasonViolation",
            ReportReason::Misleading => "com.atproto.moderation.defs#reasonMisleading",
            ReportReason::Sexual => "com.atproto.moderation.defs#reasonSexual",
            ReportReason::Rude => "com.atproto.moderation.defs#reasonRude",
            ReportReason::Other => "com.atproto.moderation.defs#reasonOther",
        };
        // The subject needs the record's CID: read it from the author's thread view.
        let body = self
            .read(
                "app.bsky.feed.getPosts",
                &[("uris", item.platform_id.as_str())],
            )
            .await?;
        let v: Value = serde_json::from_slice(&body).map_err(|e| payload("getPosts", e))?;
        let cid = v
            .pointer("/posts/0/cid")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                payload(
                    "getPosts",
                    format!("{} is not on the appview", item.platform_id),
                )
            })?
            .to_string();
        let url = self.xrpc(&self.pds, "com.atproto.moderation.createReport");
        let token = self.token().await?;
        let proxy: Vec<(&str, &str)> = match &self.moderation {
            Some(m) => vec![("atproto-proxy", m.as_str())],
            None => vec![],
        };
        let _: Value = self
            .http
            .post_json(
                &url,
                &json!({
                    "reasonType": reason_type,
                    "reason": note,
                    "subject": {"$type": "com.atproto.repo.strongRef", "uri": item.platform_id, "cid": cid},
                }),
                Auth::Bearer(&token),
                &proxy,
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_split_and_map_to_the_web() {
        let u = "at://did:plc:abc/app.bsky.feed.post/3k2";
        assert_eq!(
            split_uri(u).ok(),
            Some(("did:plc:abc", "app.bsky.feed.post", "3k2"))
        );
        assert!(split_uri("https://x").is_err());
        assert!(split_uri("at://did:plc:abc/app.bsky.feed.post").is_err());
        assert_eq!(
            web_url(u, "city.test"),
            "https://bsky.app/profile/city.test/post/3k2"
        );
    }

    #[test]
    fn facets_use_utf8_byte_offsets() {
        let text = "Café hours: https://arborvale.example/hours. Ask @clerk.arborvale.example";
        let f = link_facets(text);
        assert_eq!(f.len(), 1);
        let start = f[0]["index"]["byteStart"].as_u64().unwrap_or(0) as usize;
        let end = f[0]["index"]["byteEnd"].as_u64().unwrap_or(0) as usize;
        assert_eq!(&text[start..end], "https://arborvale.example/hours");
        let m = mentions(text);
        assert_eq!(m.len(), 1);
        assert_eq!(&text[m[0].0..m[0].1], "@clerk.arborvale.example");
        assert!(mentions("mail me at a@b.example").is_empty());
    }

    #[test]
    fn jwt_expiry_is_read_from_the_claims() {
        let claims =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"exp":1700000000}"#);
        assert_eq!(
            jwt_expiry(&format!("h.{claims}.s")),
            Some(Timestamp(1_700_000_000_000))
        );
        assert_eq!(jwt_expiry("garbage"), None);
    }
}
