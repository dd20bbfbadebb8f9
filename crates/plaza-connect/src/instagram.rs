//! Instagram professional accounts, by the Instagram Graph API
//! (developers.facebook.com/docs/instagram-platform: IG User, IG Media, IG Comment).
//!
//! The site's `base_url` is the versioned Graph root (`https://graph.facebook.com/v21.0`, or
//! `https://graph.instagram.com/v21.0` with Instagram Login), its `account` the IG user id and
//! its `secret` the access token, sent as the documented `access_token` parameter.
//!
//! What the API allows: read the account's media and their comments with replies (each comment
//! says whether it is `hidden`), hide or un-hide a comment, delete a comment, read the profile.
//! What it does not: block or restrict an account, list followers, delete the account's own
//! media, publish text without an image, or report. The desk shows a manual step for those.

use crate::graph::{self, List};
use crate::http::{Auth, Body, Http};
use crate::{Connector, Endpoint, Error, Result, Session};
use plaza_core::capture::{
    Author, Capability, Counts, Follower, Item, ItemKind, Media, Page, Profile,
};
use plaza_core::sites::Platform;
use reqwest::Method;
use serde::Deserialize;

const NAME: &str = "Instagram";

/// What the Instagram Graph API lets the account do.
pub const CAPABILITIES: &[Capability] = &[
    Capability::ListPosts,
    Capability::ListComments,
    Capability::HideComment,
    Capability::DeleteComment,
    Capability::ReadProfile,
];

/// The fields Plaza reads from a media object.
pub const MEDIA_FIELDS: &str =
    "id,caption,timestamp,permalink,like_count,comments_count,username,media_type,media_url";

const REPLY_FIELDS: &str =
    "id,text,timestamp,username,from{id,username},hidden,like_count,parent_id";

/// The fields Plaza reads from a comment, its first page of replies included.
pub const COMMENT_FIELDS: &str = "id,text,timestamp,username,from{id,username},hidden,like_count,\
     parent_id,replies{id,text,timestamp,username,from{id,username},hidden,like_count,parent_id}";

/// The fields of the profile.
pub const PROFILE_FIELDS: &str = "id,username,name,biography,followers_count,media_count";

/// An IG Media object, the fields Plaza keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct IgMedia {
    pub id: String,
    #[serde(default)]
    pub caption: Option<String>,
    pub timestamp: String,
    #[serde(default)]
    pub permalink: Option<String>,
    #[serde(default)]
    pub like_count: i64,
    #[serde(default)]
    pub comments_count: i64,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub media_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct From {
    id: String,
    #[serde(default)]
    username: String,
}

/// An IG Comment, the fields Plaza keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct IgComment {
    pub id: String,
    #[serde(default)]
    pub text: String,
    pub timestamp: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    from: Option<From>,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub like_count: i64,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    replies: Option<List<IgComment>>,
}

#[derive(Debug, Deserialize)]
struct IgUser {
    id: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    biography: Option<String>,
    #[serde(default)]
    followers_count: i64,
    #[serde(default)]
    media_count: i64,
}

fn payload(endpoint: &str, e: impl std::fmt::Display) -> Error {
    Error::Payload {
        platform: NAME,
        endpoint: endpoint.to_string(),
        reason: e.to_string(),
    }
}

fn media_item(m: &IgMedia, owner_id: &str) -> Result<Item> {
    Ok(Item {
        kind: ItemKind::Post,
        platform_id: m.id.clone(),
        parent: None,
        root: None,
        author: Author {
            id: owner_id.to_string(),
            handle: m.username.clone(),
            name: String::new(),
        },
        text: m.caption.clone().unwrap_or_default(),
        url: m
            .permalink
            .clone()
            .unwrap_or_else(|| format!("https://www.instagram.com/p/{}", m.id)),
        created_at: graph::parse_time(NAME, "timestamp", &m.timestamp)?,
        edited_at: None,
        media: m
            .media_url
            .iter()
            .map(|u| Media {
                url: u.clone(),
                alt: String::new(),
                mime: m.media_type.clone().unwrap_or_default(),
            })
            .collect(),
        hidden: false,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts {
            likes: m.like_count,
            reposts: 0,
            replies: m.comments_count,
        },
    })
}

/// Turns a comment (or reply) under `media` into an item. Instagram shows commenters by user
/// name only, which is kept as the handle (B.23).
pub fn comment_item(c: &IgComment, media: &str) -> Result<Item> {
    let (id, handle) = match &c.from {
        Some(f) => (
            f.id.clone(),
            if f.username.is_empty() {
                c.username.clone()
            } else {
                f.username.clone()
            },
        ),
        None => (String::new(), c.username.clone()),
    };
    Ok(Item {
        kind: ItemKind::Comment,
        platform_id: c.id.clone(),
        parent: Some(c.parent_id.clone().unwrap_or_else(|| media.to_string())),
        root: Some(media.to_string()),
        author: Author {
            id,
            handle,
            name: String::new(),
        },
        text: c.text.clone(),
        url: format!("https://www.instagram.com/p/{media}/c/{}", c.id),
        created_at: graph::parse_time(NAME, "timestamp", &c.timestamp)?,
        edited_at: None,
        media: vec![],
        hidden: c.hidden,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts {
            likes: c.like_count,
            reposts: 0,
            replies: c.replies.as_ref().map_or(0, |r| r.data.len() as i64),
        },
    })
}

/// Parses a page of the account's media (`GET /{ig-user-id}/media`). `owner_id` is the IG
/// user id, which the media list does not repeat.
pub fn parse_media(body: &[u8], owner_id: &str) -> Result<Page<Item>> {
    let l: List<IgMedia> = serde_json::from_slice(body).map_err(|e| payload("media", e))?;
    Ok(Page {
        items: l
            .data
            .iter()
            .map(|m| media_item(m, owner_id))
            .collect::<Result<_>>()?,
        next: graph::next_cursor(l.paging.as_ref()),
    })
}

/// A page of comments with their embedded replies, and for each comment whose replies go on
/// beyond the embedded page, the cursor to continue them from.
#[derive(Debug, Clone, PartialEq)]
pub struct Comments {
    pub page: Page<Item>,
    /// (comment id, `after` cursor) for replies not embedded in this answer.
    pub more_replies: Vec<(String, String)>,
}

/// Parses a page of comments (`GET /{ig-media-id}/comments` with `replies{...}`) under `media`:
/// each comment followed by its replies.
pub fn parse_comments(body: &[u8], media: &str) -> Result<Comments> {
    let l: List<IgComment> = serde_json::from_slice(body).map_err(|e| payload("comments", e))?;
    let mut items = Vec::new();
    let mut more_replies = Vec::new();
    for c in &l.data {
        items.push(comment_item(c, media)?);
        if let Some(r) = &c.replies {
            for reply in &r.data {
                let mut item = comment_item(reply, media)?;
                if reply.parent_id.is_none() {
                    item.parent = Some(c.id.clone());
                }
                items.push(item);
            }
            if let Some(after) = graph::next_cursor(r.paging.as_ref()) {
                more_replies.push((c.id.clone(), after));
            }
        }
    }
    Ok(Comments {
        page: Page {
            items,
            next: graph::next_cursor(l.paging.as_ref()),
        },
        more_replies,
    })
}

/// Parses a page of replies (`GET /{ig-comment-id}/replies`) to `comment` under `media`.
pub fn parse_replies(body: &[u8], media: &str, comment: &str) -> Result<Page<Item>> {
    let l: List<IgComment> = serde_json::from_slice(body).map_err(|e| payload("replies", e))?;
    let items = l
        .data
        .iter()
        .map(|c| {
            let mut item = comment_item(c, media)?;
            if c.parent_id.is_none() {
                item.parent = Some(comment.to_string());
            }
            Ok(item)
        })
        .collect::<Result<_>>()?;
    Ok(Page {
        items,
        next: graph::next_cursor(l.paging.as_ref()),
    })
}

/// Parses the profile (`GET /{ig-user-id}?fields=id,username,name,biography,followers_count,
/// media_count`).
pub fn parse_profile(body: &[u8]) -> Result<Profile> {
    let u: IgUser = serde_json::from_slice(body).map_err(|e| payload("user", e))?;
    Ok(Profile {
        id: u.id,
        handle: u.username,
        name: u.name.unwrap_or_default(),
        description: u.biography.unwrap_or_default(),
        followers: u.followers_count,
        posts: u.media_count,
    })
}

/// An Instagram professional account.
pub struct Instagram {
    http: Http,
    base: String,
    user_id: String,
    token: String,
}

impl Instagram {
    /// A connector for the IG user `endpoint.account` with its access token.
    pub fn new(endpoint: &Endpoint) -> Result<Instagram> {
        if endpoint.secret.is_empty() || endpoint.account.is_empty() {
            return Err(Error::Config(
                "an Instagram site needs its IG user id and an access token".into(),
            ));
        }
        Ok(Instagram {
            http: Http::new(NAME)?,
            base: endpoint.base_url.trim_end_matches('/').to_string(),
            user_id: endpoint.account.clone(),
            token: endpoint.secret.clone(),
        })
    }

    async fn call(&self, method: Method, path: &str, params: &[(&str, &str)]) -> Result<Vec<u8>> {
        let url = format!("{}/{path}", self.base);
        let mut p = params.to_vec();
        p.push(("access_token", &self.token));
        if method == Method::POST {
            self.http
                .raw(method, &url, &[], Body::Form(&p), Auth::None)
                .await
        } else {
            self.http
                .raw(method, &url, &p, Body::None, Auth::None)
                .await
        }
    }

    /// The replies of `comment` after those embedded in its listing, from the cursor `after`.
    /// A repeated cursor is an error here too: replies cut short would be called deleted.
    async fn replies(&self, media: &str, comment: &str, after: String) -> Result<Vec<Item>> {
        let path = &format!("{comment}/replies");
        crate::every_page_from(NAME, Some(after), |cursor| async move {
            let mut q = vec![("fields", REPLY_FIELDS)];
            if let Some(c) = &cursor {
                q.push(("after", c));
            }
            parse_replies(&self.call(Method::GET, path, &q).await?, media, comment)
        })
        .await
    }
}

impl Connector for Instagram {
    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    async fn connect(&mut self) -> Result<Session> {
        let p = self.profile().await?;
        // Long-lived Instagram tokens last 60 days unless refreshed; a token derived from a
        // Page token lasts as long as that. The API does not say which here: an expired token
        // answers code 190, which stops capture with `credential_refused`.
        Ok(Session {
            account_id: p.id,
            handle: p.handle,
            expires_at: None,
        })
    }

    async fn profile(&mut self) -> Result<Profile> {
        let body = self
            .call(Method::GET, &self.user_id, &[("fields", PROFILE_FIELDS)])
            .await?;
        parse_profile(&body)
    }

    async fn posts(&mut self, cursor: Option<String>) -> Result<Page<Item>> {
        let mut q = vec![("fields", MEDIA_FIELDS), ("limit", "25")];
        if let Some(c) = &cursor {
            q.push(("after", c));
        }
        let body = self
            .call(Method::GET, &format!("{}/media", self.user_id), &q)
            .await?;
        parse_media(&body, &self.user_id)
    }

    async fn comments(&mut self, post: &Item) -> Result<Vec<Item>> {
        let media = post.platform_id.as_str();
        let (this, path) = (&*self, &format!("{media}/comments"));
        crate::every_page(NAME, |cursor| async move {
            let mut q = vec![("fields", COMMENT_FIELDS), ("limit", "50")];
            if let Some(c) = &cursor {
                q.push(("after", c));
            }
            let body = this.call(Method::GET, path, &q).await?;
            let mut c = parse_comments(&body, media)?;
            // replies beyond those embedded in the comment, each comment's after its own
            for (comment, after) in c.more_replies {
                c.page
                    .items
                    .extend(this.replies(media, &comment, after).await?);
            }
            Ok(c.page)
        })
        .await
    }

    /// The Instagram Graph API gives the follower count only: always [`Error::Unsupported`].
    async fn followers(&mut self, _cursor: Option<String>) -> Result<Page<Follower>> {
        Err(self.unsupported(Capability::ReadFollowers))
    }

    async fn hide_comment(&mut self, comment: &Item, hidden: bool) -> Result<()> {
        let value = if hidden { "true" } else { "false" };
        let body = self
            .call(Method::POST, &comment.platform_id, &[("hide", value)])
            .await?;
        graph::parse_success(NAME, &comment.platform_id, &body)
    }

    async fn delete_comment(&mut self, comment: &Item) -> Result<()> {
        let body = self.call(Method::DELETE, &comment.platform_id, &[]).await?;
        graph::parse_success(NAME, &comment.platform_id, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_payloads_are_errors_not_panics() {
        let bad: &[&[u8]] = &[
            b"",
            b"\x00\xff not json",
            b"{\"data\":[{\"id\":\"1\",\"timestamp\":\"2026-11-20T17:05:00+0000\"",
            b"{\"data\":{\"id\":\"1\"}}",
            b"{\"data\":[{\"id\":1,\"timestamp\":\"2026-11-20T17:05:00+0000\"}]}",
            b"{\"data\":[{\"id\":\"1\",\"timestamp\":\"soon\"}]}",
            b"{\"data\":[{\"id\":\"1\",\"timestamp\":\"2026-11-20T17:05:00+0000\",\"hidden\":\"yes\",\"like_count\":\"x\"}]}",
            b"null",
        ];
        for b in bad {
            assert!(parse_media(b, "u").is_err(), "{b:?}");
            assert!(parse_comments(b, "m").is_err(), "{b:?}");
            assert!(parse_replies(b, "m", "c").is_err(), "{b:?}");
        }
        for b in &bad[..4] {
            assert!(parse_profile(b).is_err(), "{b:?}");
        }
        assert!(parse_profile(br#"{"id":"1","followers_count":"many"}"#).is_err());
        assert!(
            parse_comments(
                br#"{"data":[{"id":"1","timestamp":"2026-11-20T17:05:00+0000","replies":{"data":[{"id":"2","timestamp":"x"}]}}]}"#,
                "m"
            )
            .is_err()
        );
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for n in 0..2000 {
            let bytes: Vec<u8> = (0..n % 89)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 24) as u8
                })
                .collect();
            let _ = parse_media(&bytes, "u");
            let _ = parse_comments(&bytes, "m");
            let _ = parse_profile(&bytes);
        }
    }
}
