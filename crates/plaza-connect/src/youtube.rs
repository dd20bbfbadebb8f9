//! YouTube, by the YouTube Data API v3 (developers.google.com/youtube/v3/docs: channels,
//! playlistItems, commentThreads, comments, subscriptions, videos).
//!
//! The site's `base_url` is `https://www.googleapis.com/youtube/v3`, its `account` the channel
//! id (`UC...`) and its `secret` an OAuth 2.0 access token of the channel's owner (scope
//! `youtube.force-ssl`), sent as a bearer token.
//!
//! Posts are the channel's uploads: `channels.list part=contentDetails` names the uploads
//! playlist, and `playlistItems.list` pages through it. That path costs 1 quota unit a page,
//! where `search.list` costs 100 and may omit videos, so it is the one used.
//!
//! Comments: `commentThreads.list` (with the replies it embeds) once for published comments and
//! once with `moderationStatus=heldForReview` for those held from public view, which come back
//! with `hidden` set; `comments.list parentId=` fetches the rest of a long reply thread.
//!
//! Moderation has one verb, `comments.setModerationStatus`: hide = `heldForReview`, un-hide =
//! `published`, delete = `rejected` (the API's `comments.delete` only deletes the owner's own
//! comments), block = `rejected` with `banAuthor=true`. A ban needs one of the person's comments;
//! [`Connector::block`] uses the last comment by that author this connector captured, and
//! [`YouTube::ban_author`] takes the comment directly.

use crate::http::{Auth, Body, Http};
use crate::{Connector, Endpoint, Error, Result, Session, parse_time};
use plaza_core::capture::{Author, Capability, Counts, Follower, Item, ItemKind, Page, Profile};
use plaza_core::sites::Platform;
use reqwest::Method;
use serde::Deserialize;
use std::collections::HashMap;

const NAME: &str = "YouTube";

/// What the YouTube Data API lets a channel owner do. Not `Publish`: Plaza publishes text and
/// YouTube takes videos; not `Report`: the Data API has no report method.
pub const CAPABILITIES: &[Capability] = &[
    Capability::Delete,
    Capability::ListPosts,
    Capability::ListComments,
    Capability::HideComment,
    Capability::DeleteComment,
    Capability::BlockUser,
    Capability::ReadFollowers,
    Capability::ReadProfile,
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelList {
    #[serde(default)]
    items: Vec<Channel>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Channel {
    id: String,
    #[serde(default)]
    snippet: Option<ChannelSnippet>,
    #[serde(default)]
    content_details: Option<ChannelDetails>,
    #[serde(default)]
    statistics: Option<ChannelStats>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelSnippet {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    custom_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelDetails {
    related_playlists: RelatedPlaylists,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelatedPlaylists {
    uploads: String,
}

/// YouTube writes 64-bit counts as decimal strings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelStats {
    #[serde(default)]
    subscriber_count: Option<String>,
    #[serde(default)]
    video_count: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistItems {
    #[serde(default)]
    items: Vec<PlaylistItem>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistItem {
    snippet: PlaylistSnippet,
    #[serde(default)]
    content_details: Option<PlaylistDetails>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistSnippet {
    published_at: String,
    #[serde(default)]
    channel_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    channel_title: String,
    resource_id: ResourceId,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceId {
    video_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlaylistDetails {
    #[serde(default)]
    video_published_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Threads {
    #[serde(default)]
    items: Vec<Thread>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Thread {
    id: String,
    snippet: ThreadSnippet,
    #[serde(default)]
    replies: Option<Replies>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThreadSnippet {
    top_level_comment: Comment,
    #[serde(default)]
    total_reply_count: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Replies {
    #[serde(default)]
    comments: Vec<Comment>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentList {
    #[serde(default)]
    items: Vec<Comment>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// A comment resource, the fields Plaza keeps.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: String,
    pub snippet: CommentSnippet,
}

/// A comment's `snippet`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentSnippet {
    #[serde(default)]
    pub author_display_name: String,
    #[serde(default)]
    pub author_channel_url: Option<String>,
    #[serde(default)]
    author_channel_id: Option<ChannelRef>,
    #[serde(default)]
    pub text_display: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub like_count: i64,
    /// Set only for the channel owner: `published`, `heldForReview`, `likelySpam`, `rejected`.
    #[serde(default)]
    pub moderation_status: Option<String>,
    pub published_at: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct ChannelRef {
    value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subscriptions {
    #[serde(default)]
    items: Vec<Subscription>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subscription {
    subscriber_snippet: SubscriberSnippet,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriberSnippet {
    channel_id: String,
    #[serde(default)]
    title: String,
}

fn payload(endpoint: &str, e: impl std::fmt::Display) -> Error {
    Error::Payload {
        platform: NAME,
        endpoint: endpoint.to_string(),
        reason: e.to_string(),
    }
}

fn count(endpoint: &str, field: &str, v: &Option<String>) -> Result<i64> {
    match v {
        None => Ok(0),
        Some(s) => s
            .parse()
            .map_err(|_| payload(endpoint, format!("{field} is not a count ({s:?})"))),
    }
}

fn watch_url(video: &str) -> String {
    format!("https://www.youtube.com/watch?v={video}")
}

/// Turns a comment on `video` into an item. `held` says the comment came from the
/// `heldForReview` listing, for when YouTube leaves out its `moderationStatus`.
pub fn comment_item(c: &Comment, video: &str, held: bool) -> Result<Item> {
    let s = &c.snippet;
    let created_at = parse_time(NAME, "publishedAt", &s.published_at)?;
    let edited_at = match &s.updated_at {
        Some(u) if u != &s.published_at => Some(parse_time(NAME, "updatedAt", u)?),
        _ => None,
    };
    let hidden = match s.moderation_status.as_deref() {
        Some(status) => status != "published",
        None => held,
    };
    Ok(Item {
        kind: ItemKind::Comment,
        platform_id: c.id.clone(),
        parent: Some(s.parent_id.clone().unwrap_or_else(|| video.to_string())),
        root: Some(video.to_string()),
        author: Author {
            id: s
                .author_channel_id
                .as_ref()
                .map(|r| r.value.clone())
                .unwrap_or_default(),
            // The display name YouTube shows is the channel's @handle.
            handle: s.author_display_name.clone(),
            name: s.author_display_name.clone(),
        },
        text: s.text_display.clone(),
        url: format!("{}&lc={}", watch_url(video), c.id),
        created_at,
        edited_at,
        media: vec![],
        hidden,
        audience: plaza_core::capture::Audience::Public,
        counts: Counts {
            likes: s.like_count,
            reposts: 0,
            replies: 0,
        },
    })
}

/// Parses `channels.list part=contentDetails` into the channel's uploads playlist id.
pub fn parse_uploads_playlist(body: &[u8]) -> Result<String> {
    let l: ChannelList = serde_json::from_slice(body).map_err(|e| payload("channels", e))?;
    l.items
        .into_iter()
        .next()
        .and_then(|c| c.content_details)
        .map(|d| d.related_playlists.uploads)
        .ok_or_else(|| payload("channels", "the channel was not found"))
}

/// Parses `channels.list part=snippet,statistics` into the profile.
pub fn parse_channel(body: &[u8]) -> Result<Profile> {
    let l: ChannelList = serde_json::from_slice(body).map_err(|e| payload("channels", e))?;
    let c = l
        .items
        .into_iter()
        .next()
        .ok_or_else(|| payload("channels", "the channel was not found"))?;
    let snippet = c.snippet.unwrap_or_default();
    let stats = c.statistics.unwrap_or_default();
    Ok(Profile {
        handle: snippet.custom_url.unwrap_or_else(|| c.id.clone()),
        id: c.id,
        name: snippet.title,
        description: snippet.description,
        followers: count("channels", "subscriberCount", &stats.subscriber_count)?,
        posts: count("channels", "videoCount", &stats.video_count)?,
    })
}

/// Parses a page of the uploads playlist (`playlistItems.list part=snippet,contentDetails`).
/// A video's text is its title, a blank line and its description.
pub fn parse_uploads(body: &[u8]) -> Result<Page<Item>> {
    let l: PlaylistItems = serde_json::from_slice(body).map_err(|e| payload("playlistItems", e))?;
    let items = l
        .items
        .iter()
        .map(|p| {
            let s = &p.snippet;
            let video = &s.resource_id.video_id;
            // `snippet.publishedAt` is when the video joined the playlist; the video's own
            // publication time is `contentDetails.videoPublishedAt`.
            let published = p
                .content_details
                .as_ref()
                .and_then(|d| d.video_published_at.as_deref())
                .unwrap_or(&s.published_at);
            let text = if s.description.is_empty() {
                s.title.clone()
            } else {
                format!("{}\n\n{}", s.title, s.description)
            };
            Ok(Item {
                kind: ItemKind::Post,
                platform_id: video.clone(),
                parent: None,
                root: None,
                author: Author {
                    id: s.channel_id.clone(),
                    handle: s.channel_title.clone(),
                    name: s.channel_title.clone(),
                },
                text,
                url: watch_url(video),
                created_at: parse_time(NAME, "videoPublishedAt", published)?,
                edited_at: None,
                media: vec![],
                hidden: false,
                audience: plaza_core::capture::Audience::Public,
                counts: Counts::default(),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Page {
        items,
        next: l.next_page_token.filter(|t| !t.is_empty()),
    })
}

/// A page of comment threads: the comments, the threads whose replies go beyond those embedded
/// (to fetch with `comments.list parentId=`), and the next page token.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadPage {
    pub items: Vec<Item>,
    pub more_replies: Vec<String>,
    pub next: Option<String>,
}

/// Parses `commentThreads.list part=snippet,replies` for `video`.
pub fn parse_threads(body: &[u8], video: &str, held: bool) -> Result<ThreadPage> {
    let l: Threads = serde_json::from_slice(body).map_err(|e| payload("commentThreads", e))?;
    let mut items = Vec::new();
    let mut more_replies = Vec::new();
    for t in &l.items {
        let mut top = comment_item(&t.snippet.top_level_comment, video, held)?;
        top.counts.replies = t.snippet.total_reply_count;
        items.push(top);
        let embedded = t.replies.as_ref().map_or(&[][..], |r| &r.comments[..]);
        for r in embedded {
            let mut item = comment_item(r, video, held)?;
            if r.snippet.parent_id.is_none() {
                item.parent = Some(t.id.clone());
            }
            items.push(item);
        }
        if t.snippet.total_reply_count > embedded.len() as i64 {
            more_replies.push(t.id.clone());
        }
    }
    Ok(ThreadPage {
        items,
        more_replies,
        next: l.next_page_token.filter(|t| !t.is_empty()),
    })
}

/// Parses `comments.list parentId=` (the replies of one thread) for `video`.
pub fn parse_replies(body: &[u8], video: &str) -> Result<Page<Item>> {
    let l: CommentList = serde_json::from_slice(body).map_err(|e| payload("comments", e))?;
    Ok(Page {
        items: l
            .items
            .iter()
            .map(|c| comment_item(c, video, false))
            .collect::<Result<_>>()?,
        next: l.next_page_token.filter(|t| !t.is_empty()),
    })
}

/// Parses `subscriptions.list part=subscriberSnippet mySubscribers=true`.
pub fn parse_subscribers(body: &[u8]) -> Result<Page<Follower>> {
    let l: Subscriptions = serde_json::from_slice(body).map_err(|e| payload("subscriptions", e))?;
    Ok(Page {
        items: l
            .items
            .into_iter()
            .map(|s| Follower {
                handle: s.subscriber_snippet.title.clone(),
                id: s.subscriber_snippet.channel_id,
                name: s.subscriber_snippet.title,
            })
            .collect(),
        next: l.next_page_token.filter(|t| !t.is_empty()),
    })
}

/// A YouTube channel.
pub struct YouTube {
    http: Http,
    base: String,
    channel_id: String,
    token: String,
    uploads: Option<String>,
    /// The last comment captured from each author (channel id → comment id), for a ban.
    last_comment: HashMap<String, String>,
}

impl YouTube {
    /// A connector for the channel `endpoint.account` with its owner's access token.
    pub fn new(endpoint: &Endpoint) -> Result<YouTube> {
        if endpoint.secret.is_empty() || endpoint.account.is_empty() {
            return Err(Error::Config(
                "a YouTube site needs its channel id and an OAuth access token".into(),
            ));
        }
        Ok(YouTube {
            http: Http::new(NAME)?,
            base: endpoint.base_url.trim_end_matches('/').to_string(),
            channel_id: endpoint.account.clone(),
            token: endpoint.secret.clone(),
            uploads: None,
            last_comment: HashMap::new(),
        })
    }

    async fn call(&self, method: Method, path: &str, query: &[(&str, &str)]) -> Result<Vec<u8>> {
        let url = format!("{}/{path}", self.base);
        self.http
            .raw(method, &url, query, Body::None, Auth::Bearer(&self.token))
            .await
    }

    async fn moderate(&self, comment: &str, status: &str, ban: bool) -> Result<()> {
        let mut q = vec![("id", comment), ("moderationStatus", status)];
        if ban {
            q.push(("banAuthor", "true"));
        }
        // The API answers 204 No Content.
        self.call(Method::POST, "comments/setModerationStatus", &q)
            .await
            .map(drop)
    }

    /// Rejects `comment` and bans its author from commenting on the channel.
    pub async fn ban_author(&mut self, comment: &Item) -> Result<()> {
        self.moderate(&comment.platform_id, "rejected", true).await
    }

    async fn all_replies(&self, video: &str, thread: &str) -> Result<Vec<Item>> {
        crate::every_page(NAME, |token| async move {
            let mut q = vec![
                ("part", "snippet"),
                ("parentId", thread),
                ("maxResults", "100"),
                ("textFormat", "plainText"),
            ];
            if let Some(t) = &token {
                q.push(("pageToken", t));
            }
            parse_replies(&self.call(Method::GET, "comments", &q).await?, video)
        })
        .await
    }

    async fn threads(&self, video: &str, held: bool) -> Result<Vec<Item>> {
        // the ids of every item listed so far: a reply fetched in full is kept once, even if
        // the listing also carried it embedded (on this page or an earlier one)
        let seen = &std::sync::Mutex::new(std::collections::HashSet::<String>::new());
        crate::every_page(NAME, |token| async move {
            let mut q = vec![
                ("part", "snippet,replies"),
                ("videoId", video),
                ("maxResults", "100"),
                ("textFormat", "plainText"),
            ];
            if held {
                q.push(("moderationStatus", "heldForReview"));
            }
            if let Some(t) = &token {
                q.push(("pageToken", t));
            }
            let body = self.call(Method::GET, "commentThreads", &q).await?;
            let page = parse_threads(&body, video, held)?;
            let mut items = page.items;
            let mut more = Vec::new();
            if !held {
                // every reply of a thread with more than the few embedded ones (which the
                // full list repeats)
                for thread in &page.more_replies {
                    more.extend(self.all_replies(video, thread).await?);
                }
            }
            let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.extend(items.iter().map(|i| i.platform_id.clone()));
            for r in more {
                if seen.insert(r.platform_id.clone()) {
                    items.push(r);
                }
            }
            Ok(Page {
                items,
                next: page.next,
            })
        })
        .await
    }
}

impl Connector for YouTube {
    fn platform(&self) -> Platform {
        Platform::Youtube
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    async fn connect(&mut self) -> Result<Session> {
        let body = self
            .call(
                Method::GET,
                "channels",
                &[("part", "snippet,statistics"), ("mine", "true")],
            )
            .await?;
        let p = parse_channel(&body)?;
        if p.id != self.channel_id {
            return Err(Error::Config(format!(
                "the YouTube token belongs to channel {}, not {}: moderation needs the owner's token",
                p.id, self.channel_id
            )));
        }
        // Google access tokens last an hour; the site's token must be refreshed by whoever
        // holds the refresh token. An expired one answers 401 (`credential_refused`).
        Ok(Session {
            account_id: p.id,
            handle: p.handle,
            expires_at: None,
        })
    }

    async fn profile(&mut self) -> Result<Profile> {
        let id = self.channel_id.clone();
        let body = self
            .call(
                Method::GET,
                "channels",
                &[("part", "snippet,statistics"), ("id", &id)],
            )
            .await?;
        parse_channel(&body)
    }

    async fn posts(&mut self, cursor: Option<String>) -> Result<Page<Item>> {
        let uploads = match &self.uploads {
            Some(u) => u.clone(),
            None => {
                let id = self.channel_id.clone();
                let body = self
                    .call(
                        Method::GET,
                        "channels",
                        &[("part", "contentDetails"), ("id", &id)],
                    )
                    .await?;
                let u = parse_uploads_playlist(&body)?;
                self.uploads = Some(u.clone());
                u
            }
        };
        let mut q = vec![
            ("part", "snippet,contentDetails"),
            ("playlistId", uploads.as_str()),
            ("maxResults", "50"),
        ];
        if let Some(c) = &cursor {
            q.push(("pageToken", c));
        }
        let body = self.call(Method::GET, "playlistItems", &q).await?;
        parse_uploads(&body)
    }

    async fn comments(&mut self, post: &Item) -> Result<Vec<Item>> {
        let video = post.platform_id.clone();
        let mut out = self.threads(&video, false).await?;
        for held in self.threads(&video, true).await? {
            match out.iter_mut().find(|i| i.platform_id == held.platform_id) {
                Some(existing) => existing.hidden |= held.hidden,
                None => out.push(held),
            }
        }
        for c in &out {
            if !c.author.id.is_empty() {
                self.last_comment
                    .insert(c.author.id.clone(), c.platform_id.clone());
            }
        }
        Ok(out)
    }

    /// The channel's subscribers (`subscriptions.list mySubscribers=true`). YouTube documents
    /// this for the channel owner's own token only, and lists only subscribers who keep their
    /// subscriptions public: the list is shorter than the subscriber count.
    async fn followers(&mut self, cursor: Option<String>) -> Result<Page<Follower>> {
        let mut q = vec![
            ("part", "subscriberSnippet"),
            ("mySubscribers", "true"),
            ("maxResults", "50"),
        ];
        if let Some(c) = &cursor {
            q.push(("pageToken", c));
        }
        let body = self.call(Method::GET, "subscriptions", &q).await?;
        parse_subscribers(&body)
    }

    async fn delete(&mut self, post: &Item) -> Result<()> {
        self.call(Method::DELETE, "videos", &[("id", &post.platform_id)])
            .await
            .map(drop)
    }

    async fn hide_comment(&mut self, comment: &Item, hidden: bool) -> Result<()> {
        let status = if hidden { "heldForReview" } else { "published" };
        self.moderate(&comment.platform_id, status, false).await
    }

    async fn delete_comment(&mut self, comment: &Item) -> Result<()> {
        self.moderate(&comment.platform_id, "rejected", false).await
    }

    /// Bans the author through one of their comments (rejected, `banAuthor=true`): the last
    /// one this connector captured. Without one, use [`YouTube::ban_author`] with the comment.
    async fn block(&mut self, author: &Author) -> Result<()> {
        let Some(comment) = self.last_comment.get(&author.id).cloned() else {
            return Err(Error::Config(format!(
                "YouTube bans a person through one of their comments; none by {} has been \
                 captured in this session",
                author.handle
            )));
        };
        self.moderate(&comment, "rejected", true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_payloads_are_errors_not_panics() {
        let bad: &[&[u8]] = &[
            b"",
            b"\xfe\xff\x00",
            b"{\"items\":[{\"id\":\"x\",\"snippet\":",
            b"{\"items\":{}}",
            b"{\"items\":[{\"id\":3}]}",
            b"null",
        ];
        for b in bad {
            assert!(parse_uploads(b).is_err(), "{b:?}");
            assert!(parse_threads(b, "v", false).is_err(), "{b:?}");
            assert!(parse_replies(b, "v").is_err(), "{b:?}");
            assert!(parse_subscribers(b).is_err(), "{b:?}");
            assert!(parse_channel(b).is_err(), "{b:?}");
            assert!(parse_uploads_playlist(b).is_err(), "{b:?}");
        }
        assert!(parse_channel(br#"{"items":[]}"#).is_err());
        assert!(parse_uploads_playlist(br#"{"items":[{"id":"UC1"}]}"#).is_err());
        assert!(
            parse_channel(br#"{"items":[{"id":"UC1","statistics":{"subscriberCount":"lots"}}]}"#)
                .is_err()
        );
        assert!(
            parse_threads(
                br#"{"items":[{"id":"t","snippet":{"topLevelComment":{"id":"c","snippet":{"publishedAt":"later"}}}}]}"#,
                "v",
                false
            )
            .is_err()
        );
        let mut x = 0xdead_beef_cafe_f00du64;
        for n in 0..2000 {
            let bytes: Vec<u8> = (0..n % 83)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    b"{}[]\":,itemsnpgTk0123"[(x % 21) as usize]
                })
                .collect();
            let _ = parse_threads(&bytes, "v", true);
            let _ = parse_uploads(&bytes);
            let _ = parse_channel(&bytes);
        }
    }
}
