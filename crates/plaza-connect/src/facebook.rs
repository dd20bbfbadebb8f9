//! Facebook Pages, by the Graph API (developers.facebook.com/docs/graph-api, /docs/pages-api).
//!
//! The site's `base_url` is the versioned Graph root (`https://graph.facebook.com/v21.0`), its
//! `account` the Page id and its `secret` a Page access token. The token travels as the
//! documented `access_token` parameter: in the query of a GET or DELETE, in the form body of a
//! POST (never in a stored cursor: see [`crate::graph`]).
//!
//! What the API allows a Page: publish, delete its posts, read its posts and every comment
//! (`filter=stream` lists replies at every depth with their `parent`), hide or un-hide a comment
//! (`is_hidden`), delete a comment, block a person from the Page, read the Page's profile, the
//! people with a role on it, and `feed` webhooks. What it does not allow: listing the Page's
//! followers (the API gives only their number), and reporting content to Meta.

use crate::graph::{self, Id, List};
use crate::http::{Auth, Body, Http};
use crate::{Connector, Draft, Endpoint, Error, Result, Session};
use plaza_core::Timestamp;
use plaza_core::capture::{
    Author, Capability, Counts, Follower, Item, ItemKind, Media, Page, Profile,
};
use plaza_core::sites::Platform;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

const NAME: &str = "Facebook";

/// What the Graph API lets a Page do. Not `ReadFollowers`: the Graph API does not list a Page's
/// followers (only `followers_count`); not `Report`: there is no reporting endpoint.
pub const CAPABILITIES: &[Capability] = &[
    Capability::Publish,
    Capability::Delete,
    Capability::ListPosts,
    Capability::ListComments,
    Capability::HideComment,
    Capability::DeleteComment,
    Capability::BlockUser,
    Capability::ReadProfile,
    Capability::Webhooks,
];

/// The fields Plaza reads from a Page post.
pub const POST_FIELDS: &str = "id,message,created_time,updated_time,permalink_url,from{id,name},\
     shares,comments.summary(total_count).limit(0),reactions.summary(total_count).limit(0)";

/// The fields Plaza reads from a comment.
pub const COMMENT_FIELDS: &str = "id,message,created_time,from{id,name},parent{id},is_hidden,\
     like_count,comment_count,permalink_url,attachment";

/// The fields of the Page's profile.
pub const PROFILE_FIELDS: &str = "id,name,username,about,followers_count,fan_count";

/// A person or Page as the Graph API names it (`from`, a blocked account).
#[derive(Debug, Clone, Deserialize)]
pub struct GraphUser {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

impl GraphUser {
    fn author(&self) -> Author {
        Author {
            id: self.id.clone(),
            // Facebook shows people by name; there is no public handle.
            handle: self.name.clone(),
            name: self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Total {
    #[serde(default)]
    summary: Option<TotalCount>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct TotalCount {
    #[serde(default)]
    total_count: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Shares {
    #[serde(default)]
    count: i64,
}

/// A Page post (the Post node), the fields Plaza keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct Post {
    pub id: String,
    #[serde(default)]
    pub message: Option<String>,
    pub created_time: String,
    /// The time of creation, the last edit *or the last comment*: not an edit time, so it is not
    /// taken as `edited_at` (that would make every new comment a new version of the post).
    #[serde(default)]
    pub updated_time: Option<String>,
    #[serde(default)]
    pub permalink_url: Option<String>,
    #[serde(default)]
    pub from: Option<GraphUser>,
    #[serde(default)]
    shares: Option<Shares>,
    #[serde(default)]
    comments: Option<Total>,
    #[serde(default)]
    reactions: Option<Total>,
}

/// A comment (the Comment node), the fields Plaza keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    pub id: String,
    #[serde(default)]
    pub message: String,
    pub created_time: String,
    /// Absent when Facebook withholds the commenter (the API documents that profile data may
    /// not be returned); the item then has an empty author.
    #[serde(default)]
    pub from: Option<GraphUser>,
    #[serde(default)]
    pub parent: Option<Id>,
    #[serde(default)]
    pub is_hidden: bool,
    #[serde(default)]
    pub like_count: i64,
    #[serde(default)]
    pub comment_count: i64,
    #[serde(default)]
    pub permalink_url: Option<String>,
    #[serde(default)]
    pub attachment: Option<Value>,
}

/// Someone with a role on the Page (`GET /{page-id}/roles`): for reconciling who may act for
/// the city on the platform with who may in Plaza.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PageRole {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// The tasks the person may perform: MANAGE, CREATE_CONTENT, MODERATE, ADVERTISE, ANALYZE...
    #[serde(default)]
    pub tasks: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PageNode {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    about: Option<String>,
    #[serde(default)]
    followers_count: Option<i64>,
    #[serde(default)]
    fan_count: Option<i64>,
}

fn payload(endpoint: &str, e: impl std::fmt::Display) -> Error {
    Error::Payload {
        platform: NAME,
        endpoint: endpoint.to_string(),
        reason: e.to_string(),
    }
}

fn post_item(p: &Post) -> Result<Item> {
    let author = p
        .from
        .as_ref()
        .map(GraphUser::author)
        .unwrap_or_else(|| Author {
            id: p.id.split('_').next().unwrap_or_default().to_string(),
            handle: String::new(),
            name: String::new(),
        });
    let total = |t: &Option<Total>| {
        t.as_ref()
            .and_then(|t| t.summary.as_ref())
            .map_or(0, |s| s.total_count)
    };
    Ok(Item {
        kind: ItemKind::Post,
        platform_id: p.id.clone(),
        parent: None,
        root: None,
        author,
        text: p.message.clone().unwrap_or_default(),
        url: p
            .permalink_url
            .clone()
            .unwrap_or_else(|| format!("https://www.facebook.com/{}", p.id)),
        created_at: graph::parse_time(NAME, "created_time", &p.created_time)?,
        edited_at: None,
        media: vec![],
        hidden: false,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts {
            likes: total(&p.reactions),
            reposts: p.shares.as_ref().map_or(0, |s| s.count),
            replies: total(&p.comments),
        },
    })
}

fn attachment_media(a: &Value) -> Option<Media> {
    let url = a
        .pointer("/media/image/src")
        .or_else(|| a.get("url"))
        .and_then(Value::as_str)?;
    Some(Media {
        url: url.to_string(),
        alt: a
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        mime: a
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}

/// Turns a comment under `post` into an item. A top-level comment's parent is the post.
pub fn comment_item(c: &Comment, post: &str) -> Result<Item> {
    Ok(Item {
        kind: ItemKind::Comment,
        platform_id: c.id.clone(),
        parent: Some(
            c.parent
                .as_ref()
                .map_or_else(|| post.to_string(), |p| p.id.clone()),
        ),
        root: Some(post.to_string()),
        author: c.from.as_ref().map(GraphUser::author).unwrap_or(Author {
            id: String::new(),
            handle: String::new(),
            name: String::new(),
        }),
        text: c.message.clone(),
        url: c
            .permalink_url
            .clone()
            .unwrap_or_else(|| format!("https://www.facebook.com/{}", c.id)),
        created_at: graph::parse_time(NAME, "created_time", &c.created_time)?,
        edited_at: None,
        media: c.attachment.iter().filter_map(attachment_media).collect(),
        hidden: c.is_hidden,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts {
            likes: c.like_count,
            reposts: 0,
            replies: c.comment_count,
        },
    })
}

/// Parses one post (`GET /{post-id}?fields=...`).
pub fn parse_post(body: &[u8]) -> Result<Item> {
    let p: Post = serde_json::from_slice(body).map_err(|e| payload("post", e))?;
    post_item(&p)
}

/// Parses a page of the Page's posts (`GET /{page-id}/published_posts`).
pub fn parse_posts(body: &[u8]) -> Result<Page<Item>> {
    let l: List<Post> = serde_json::from_slice(body).map_err(|e| payload("published_posts", e))?;
    Ok(Page {
        items: l.data.iter().map(post_item).collect::<Result<_>>()?,
        next: graph::next_cursor(l.paging.as_ref()),
    })
}

/// Parses a page of comments (`GET /{post-id}/comments?filter=stream`) under `post`.
pub fn parse_comments(body: &[u8], post: &str) -> Result<Page<Item>> {
    let l: List<Comment> = serde_json::from_slice(body).map_err(|e| payload("comments", e))?;
    Ok(Page {
        items: l
            .data
            .iter()
            .map(|c| comment_item(c, post))
            .collect::<Result<_>>()?,
        next: graph::next_cursor(l.paging.as_ref()),
    })
}

/// Parses the Page's profile (`GET /{page-id}?fields=id,name,username,about,followers_count,
/// fan_count`). The Graph API gives no post count: `posts` is 0.
pub fn parse_profile(body: &[u8]) -> Result<Profile> {
    let p: PageNode = serde_json::from_slice(body).map_err(|e| payload("page", e))?;
    Ok(Profile {
        handle: p.username.clone().unwrap_or_else(|| p.id.clone()),
        id: p.id,
        name: p.name,
        description: p.about.unwrap_or_default(),
        followers: p.followers_count.or(p.fan_count).unwrap_or(0),
        posts: 0,
    })
}

/// Parses the accounts blocked from the Page (`GET /{page-id}/blocked`).
pub fn parse_blocked(body: &[u8]) -> Result<Page<Author>> {
    let l: List<GraphUser> = serde_json::from_slice(body).map_err(|e| payload("blocked", e))?;
    Ok(Page {
        items: l.data.iter().map(GraphUser::author).collect(),
        next: graph::next_cursor(l.paging.as_ref()),
    })
}

/// Parses the answer to `POST /{page-id}/blocked`: `{"<user id>": true}` per account.
pub fn parse_block(body: &[u8], user: &str) -> Result<()> {
    let v: serde_json::Map<String, Value> =
        serde_json::from_slice(body).map_err(|e| payload("blocked", e))?;
    match v.get(user) {
        Some(Value::Bool(true)) => Ok(()),
        _ => Err(payload(
            "blocked",
            format!("Facebook did not confirm blocking {user}"),
        )),
    }
}

/// Parses the people with a role on the Page (`GET /{page-id}/roles`).
pub fn parse_roles(body: &[u8]) -> Result<Page<PageRole>> {
    let l: List<PageRole> = serde_json::from_slice(body).map_err(|e| payload("roles", e))?;
    Ok(Page {
        items: l.data,
        next: graph::next_cursor(l.paging.as_ref()),
    })
}

/// What happened in a `feed` webhook change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    Add,
    Edited,
    Remove,
    Hide,
    Unhide,
    /// Any other documented verb (block, unblock, mute, follow, update...), as sent.
    Other(String),
}

/// One `feed` change from a Page webhook: a post or comment added, edited, removed or hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookChange {
    /// The Page the change is about (`entry[].id`).
    pub page_id: String,
    /// `comment`, `post`, `status`, `photo`, `reaction`, `share`...
    pub item: String,
    pub verb: Verb,
    pub post_id: Option<String>,
    pub comment_id: Option<String>,
    pub parent_id: Option<String>,
    pub from: Option<Author>,
    pub message: Option<String>,
    pub created_time: Option<Timestamp>,
}

/// Parses a Page webhook delivery (`{"object":"page","entry":[{"id","time","changes":[{"field":
/// "feed","value":{..}}]}]}`) into its `feed` changes; other fields are skipped.
pub fn parse_webhook(body: &[u8]) -> Result<Vec<WebhookChange>> {
    let v: Value = serde_json::from_slice(body).map_err(|e| payload("webhook", e))?;
    if v.get("object").and_then(Value::as_str) != Some("page") {
        return Err(payload(
            "webhook",
            "not a Page webhook (object is not \"page\")",
        ));
    }
    let entries = v
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| payload("webhook", "no entry list"))?;
    let mut out = Vec::new();
    for entry in entries {
        let page_id = match entry.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(payload("webhook", "an entry has no Page id")),
        };
        let Some(changes) = entry.get("changes").and_then(Value::as_array) else {
            continue;
        };
        for change in changes {
            if change.get("field").and_then(Value::as_str) != Some("feed") {
                continue;
            }
            let value = change
                .get("value")
                .filter(|v| v.is_object())
                .ok_or_else(|| payload("webhook", "a feed change has no value"))?;
            out.push(webhook_change(&page_id, value)?);
        }
    }
    Ok(out)
}

fn webhook_change(page_id: &str, v: &Value) -> Result<WebhookChange> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let item = text("item").ok_or_else(|| payload("webhook", "a feed change has no item"))?;
    let verb = match text("verb")
        .ok_or_else(|| payload("webhook", "a feed change has no verb"))?
        .as_str()
    {
        "add" => Verb::Add,
        "edited" | "edit" => Verb::Edited,
        "remove" | "delete" => Verb::Remove,
        "hide" => Verb::Hide,
        "unhide" => Verb::Unhide,
        other => Verb::Other(other.to_string()),
    };
    let from = match v.get("from") {
        Some(f) => Some(
            serde_json::from_value::<GraphUser>(f.clone())
                .map_err(|e| payload("webhook", format!("from: {e}")))?
                .author(),
        ),
        None => None,
    };
    // Webhooks send `created_time` as a Unix time in seconds; accept a Graph time string too.
    let created_time = match v.get("created_time") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => {
            let secs = n
                .as_i64()
                .ok_or_else(|| payload("webhook", "created_time is not a whole number"))?;
            let millis = secs
                .checked_mul(1000)
                .ok_or_else(|| payload("webhook", "created_time is out of range"))?;
            Some(Timestamp(millis))
        }
        Some(Value::String(s)) => Some(graph::parse_time(NAME, "created_time", s)?),
        Some(_) => return Err(payload("webhook", "created_time is not a time")),
    };
    Ok(WebhookChange {
        page_id: page_id.to_string(),
        item,
        verb,
        post_id: text("post_id"),
        comment_id: text("comment_id"),
        parent_id: text("parent_id"),
        from,
        message: text("message"),
        created_time,
    })
}

/// HMAC-SHA256, as Meta signs webhook deliveries.
pub use plaza_core::record::hmac_sha256;

/// Checks a webhook's `X-Hub-Signature-256` header (`sha256=<hex HMAC-SHA256 of the raw body,
/// keyed with the app secret>`). The comparison takes the same time wherever the first
/// difference is.
pub fn verify_webhook_signature(app_secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(given) = decode_hex32(hex) else {
        return false;
    };
    let expected = hmac_sha256(app_secret, body);
    expected
        .iter()
        .zip(given.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

fn decode_hex32(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// A Facebook Page.
pub struct Facebook {
    http: Http,
    base: String,
    page_id: String,
    token: String,
}

impl Facebook {
    /// A connector for the Page `endpoint.account` with a Page access token.
    pub fn new(endpoint: &Endpoint) -> Result<Facebook> {
        if endpoint.secret.is_empty() {
            return Err(Error::Config(
                "a Facebook site needs a Page access token".into(),
            ));
        }
        if endpoint.account.is_empty() {
            return Err(Error::Config("a Facebook site needs its Page id".into()));
        }
        Ok(Facebook {
            http: Http::new(NAME)?,
            base: endpoint.base_url.trim_end_matches('/').to_string(),
            page_id: endpoint.account.clone(),
            token: endpoint.secret.clone(),
        })
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Vec<u8>> {
        let url = format!("{}/{path}", self.base);
        let mut q = query.to_vec();
        q.push(("access_token", &self.token));
        self.http
            .raw(Method::GET, &url, &q, Body::None, Auth::None)
            .await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<Vec<u8>> {
        let url = format!("{}/{path}", self.base);
        let mut f = form.to_vec();
        f.push(("access_token", &self.token));
        self.http
            .raw(Method::POST, &url, &[], Body::Form(&f), Auth::None)
            .await
    }

    async fn delete_node(&self, id: &str) -> Result<()> {
        let url = format!("{}/{id}", self.base);
        let body = self
            .http
            .raw(
                Method::DELETE,
                &url,
                &[("access_token", &self.token)],
                Body::None,
                Auth::None,
            )
            .await?;
        graph::parse_success(NAME, id, &body)
    }

    /// The accounts blocked from the Page, a page at a time.
    pub async fn blocked(&mut self, cursor: Option<String>) -> Result<Page<Author>> {
        let mut q = vec![("fields", "id,name"), ("limit", "100")];
        if let Some(c) = &cursor {
            q.push(("after", c));
        }
        let body = self.get(&format!("{}/blocked", self.page_id), &q).await?;
        parse_blocked(&body)
    }

    /// Everyone with a role on the Page, from `GET /{page-id}/roles` (documented in the current
    /// Graph API reference; it lists people outside a Business Manager; business users are on
    /// `/{page-id}/assigned_users`, which needs the business id and is not read here).
    pub async fn page_roles(&mut self) -> Result<Vec<PageRole>> {
        let (this, path) = (&*self, &format!("{}/roles", self.page_id));
        crate::every_page(NAME, |cursor| async move {
            let mut q = vec![("fields", "id,name,tasks"), ("limit", "100")];
            if let Some(c) = &cursor {
                q.push(("after", c));
            }
            parse_roles(&this.get(path, &q).await?)
        })
        .await
    }
}

impl Connector for Facebook {
    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    async fn connect(&mut self) -> Result<Session> {
        let body = self
            .get(&self.page_id, &[("fields", "id,name,username")])
            .await?;
        let p = parse_profile(&body)?;
        // A Page token obtained from a long-lived user token does not expire; one from a
        // short-lived user token lasts about an hour. The Graph API tells which only through
        // `debug_token`, which needs the app's own token: when the token dies, the next call
        // answers code 190 and capture stops with `credential_refused`.
        Ok(Session {
            account_id: p.id,
            handle: p.handle,
            expires_at: None,
        })
    }

    async fn profile(&mut self) -> Result<Profile> {
        let body = self
            .get(&self.page_id, &[("fields", PROFILE_FIELDS)])
            .await?;
        parse_profile(&body)
    }

    async fn posts(&mut self, cursor: Option<String>) -> Result<Page<Item>> {
        let mut q = vec![("fields", POST_FIELDS), ("limit", "25")];
        if let Some(c) = &cursor {
            q.push(("after", c));
        }
        let body = self
            .get(&format!("{}/published_posts", self.page_id), &q)
            .await?;
        parse_posts(&body)
    }

    async fn comments(&mut self, post: &Item) -> Result<Vec<Item>> {
        let (this, path) = (&*self, &format!("{}/comments", post.platform_id));
        crate::every_page(NAME, |cursor| async move {
            let mut q = vec![
                ("filter", "stream"),
                ("order", "chronological"),
                ("fields", COMMENT_FIELDS),
                ("limit", "100"),
            ];
            if let Some(c) = &cursor {
                q.push(("after", c));
            }
            parse_comments(&this.get(path, &q).await?, &post.platform_id)
        })
        .await
    }

    /// The Graph API does not list a Page's followers (only their number, in the profile):
    /// always [`Error::Unsupported`].
    async fn followers(&mut self, _cursor: Option<String>) -> Result<Page<Follower>> {
        Err(self.unsupported(Capability::ReadFollowers))
    }

    async fn publish(&mut self, draft: &Draft) -> Result<Item> {
        if !draft.images.is_empty() {
            return Err(Error::Config(
                "Plaza publishes text to Facebook; attach photos on Facebook".into(),
            ));
        }
        let body = self
            .post(
                &format!("{}/feed", self.page_id),
                &[("message", &draft.text)],
            )
            .await?;
        let created: Id = serde_json::from_slice(&body).map_err(|e| payload("feed", e))?;
        let body = self.get(&created.id, &[("fields", POST_FIELDS)]).await?;
        parse_post(&body)
    }

    async fn delete(&mut self, post: &Item) -> Result<()> {
        self.delete_node(&post.platform_id).await
    }

    async fn hide_comment(&mut self, comment: &Item, hidden: bool) -> Result<()> {
        let value = if hidden { "true" } else { "false" };
        let body = self
            .post(&comment.platform_id, &[("is_hidden", value)])
            .await?;
        graph::parse_success(NAME, &comment.platform_id, &body)
    }

    async fn delete_comment(&mut self, comment: &Item) -> Result<()> {
        self.delete_node(&comment.platform_id).await
    }

    async fn block(&mut self, author: &Author) -> Result<()> {
        if author.id.is_empty() {
            return Err(Error::Config(
                "Facebook did not say who wrote this comment; block them on the Page".into(),
            ));
        }
        let body = self
            .post(
                &format!("{}/blocked", self.page_id),
                &[("user", &author.id)],
            )
            .await?;
        parse_block(&body, &author.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn signatures_are_checked() {
        let sig = format!("sha256={}", hex(&hmac_sha256(b"s", b"body")));
        assert!(verify_webhook_signature(b"s", b"body", &sig));
        assert!(verify_webhook_signature(
            b"s",
            b"body",
            &sig.to_uppercase().replace("SHA256=", "sha256=")
        ));
        assert!(!verify_webhook_signature(b"s", b"body!", &sig));
        assert!(!verify_webhook_signature(b"t", b"body", &sig));
        assert!(!verify_webhook_signature(
            b"s",
            b"body",
            &sig[..sig.len() - 2]
        ));
        assert!(!verify_webhook_signature(b"s", b"body", "sha1=abc"));
        assert!(!verify_webhook_signature(b"s", b"body", ""));
        assert!(!verify_webhook_signature(
            b"s",
            b"body",
            &format!("sha256={}", "zz".repeat(32))
        ));
        assert!(!verify_webhook_signature(
            b"s",
            b"body",
            &format!("sha256={}", "é".repeat(32))
        ));
    }

    #[test]
    fn malformed_payloads_are_errors_not_panics() {
        let bad: &[&[u8]] = &[
            b"",
            b"\xff\xfe\x00garbage",
            b"{\"data\":[{\"id\":\"1\",\"created_time\":",
            b"{\"data\":\"posts\"}",
            b"{\"data\":[{\"id\":7,\"created_time\":\"2026-11-20T17:05:00+0000\"}]}",
            b"{\"data\":[{\"id\":\"1\",\"created_time\":\"yesterday\"}]}",
            b"null",
        ];
        assert!(parse_post(b"[]").is_err());
        for b in bad {
            assert!(parse_posts(b).is_err(), "{b:?}");
            assert!(parse_comments(b, "p").is_err(), "{b:?}");
            assert!(parse_post(b).is_err(), "{b:?}");
            assert!(parse_webhook(b).is_err(), "{b:?}");
        }
        for b in &bad[..4] {
            assert!(parse_profile(b).is_err(), "{b:?}");
            assert!(parse_blocked(b).is_err(), "{b:?}");
            assert!(parse_roles(b).is_err(), "{b:?}");
            assert!(parse_block(b, "1").is_err(), "{b:?}");
        }
        assert!(parse_block(br#"{"1": false}"#, "1").is_err());
        let webhooks: &[&[u8]] = &[
            br#"{"object":"user","entry":[]}"#,
            br#"{"object":"page"}"#,
            br#"{"object":"page","entry":[{"changes":[]}]}"#,
            br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed"}]}]}"#,
            br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"verb":"add"}}]}]}"#,
            br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","created_time":1e300}}]}]}"#,
            br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","created_time":9223372036854775807}}]}]}"#,
            br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","from":"me"}}]}]}"#,
        ];
        for b in webhooks {
            assert!(parse_webhook(b).is_err(), "{}", String::from_utf8_lossy(b));
        }
        // Random bytes never panic.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for n in 0..2000 {
            let bytes: Vec<u8> = (0..n % 97)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    b"{}[]\":,0123456789abcdefghijklmnopqrstuvwxyz_ \\+-."[(x % 49) as usize]
                })
                .collect();
            let _ = parse_posts(&bytes);
            let _ = parse_comments(&bytes, "p");
            let _ = parse_webhook(&bytes);
            let _ = parse_profile(&bytes);
            let _ = parse_block(&bytes, "1");
        }
    }
}
