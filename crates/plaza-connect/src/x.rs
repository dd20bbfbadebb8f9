//! X (formerly Twitter), by the X API v2 (docs.x.com/x-api: posts, users, search, hide replies,
//! blocks).
//!
//! The site's `base_url` is `https://api.x.com/2`, its `account` the numeric user id and its
//! `secret` an OAuth 2.0 user access token (Authorization Code with PKCE; scopes `tweet.read
//! tweet.write users.read follows.read tweet.moderate.write block.write`), sent as a bearer
//! token.
//!
//! Replies are found by searching the post's conversation (`conversation_id:<id>`) with
//! `GET /tweets/search/recent`, which X documents as covering the last 7 days only: a reply
//! older than a week that capture has not already seen cannot be read through the API. X does
//! not say which replies are hidden (no field for it), so captured replies never carry `hidden`
//! from X; the city's own hide actions are in Plaza's record.
//!
//! Blocking (`POST /users/:id/blocking`) is documented in v2 but X has withdrawn or restricted
//! it on some access tiers; where the tier refuses it, the error says so and the desk shows the
//! manual step. X offers no way to delete someone else's reply, nor to report through the API.

use crate::http::{Auth, Body, Http};
use crate::{Connector, Draft, Endpoint, Error, Result, Session, parse_time};
use plaza_core::capture::{Author, Capability, Counts, Follower, Item, ItemKind, Page, Profile};
use plaza_core::sites::Platform;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

const NAME: &str = "X";

/// What the X API v2 lets an account do.
pub const CAPABILITIES: &[Capability] = &[
    Capability::Publish,
    Capability::Delete,
    Capability::ListPosts,
    Capability::ListComments,
    Capability::HideComment,
    Capability::BlockUser,
    Capability::ReadFollowers,
    Capability::ReadProfile,
];

/// The post fields Plaza asks for.
pub const TWEET_FIELDS: &str =
    "created_at,author_id,conversation_id,in_reply_to_user_id,public_metrics,referenced_tweets";

/// The user fields Plaza asks for with posts.
pub const USER_FIELDS: &str = "username,name,protected";

/// A post (the Tweet object), the fields Plaza keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct Tweet {
    pub id: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub author_id: Option<String>,
    #[serde(default)]
    pub conversation_id: Option<String>,
    #[serde(default)]
    public_metrics: Option<TweetMetrics>,
    #[serde(default)]
    referenced_tweets: Vec<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct TweetMetrics {
    #[serde(default)]
    retweet_count: i64,
    #[serde(default)]
    reply_count: i64,
    #[serde(default)]
    like_count: i64,
    #[serde(default)]
    quote_count: i64,
}

#[derive(Debug, Clone, Deserialize)]
struct Reference {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

/// A user (the User object), the fields Plaza keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    public_metrics: Option<UserMetrics>,
    /// A protected account's posts are seen only by the followers it approved.
    #[serde(default)]
    pub protected: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct UserMetrics {
    #[serde(default)]
    followers_count: i64,
    #[serde(default)]
    tweet_count: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Includes {
    #[serde(default)]
    users: Vec<User>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Meta {
    #[serde(default)]
    next_token: Option<String>,
}

/// A list answer: `data` (absent when there is nothing), `includes`, `meta`, and `errors` for
/// partial failures.
#[derive(Debug, Clone, Deserialize)]
struct ListAnswer<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
    #[serde(default)]
    includes: Includes,
    #[serde(default)]
    meta: Meta,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
struct OneAnswer<T> {
    #[serde(default)]
    data: Option<T>,
    #[serde(default)]
    includes: Includes,
    #[serde(default)]
    errors: Vec<Value>,
}

fn payload(endpoint: &str, e: impl std::fmt::Display) -> Error {
    Error::Payload {
        platform: NAME,
        endpoint: endpoint.to_string(),
        reason: e.to_string(),
    }
}

fn author_of(t: &Tweet, users: &[User]) -> Author {
    let id = t.author_id.clone().unwrap_or_default();
    match users.iter().find(|u| u.id == id) {
        Some(u) => Author {
            id,
            handle: u.username.clone(),
            name: u.name.clone(),
        },
        None => Author {
            id,
            handle: String::new(),
            name: String::new(),
        },
    }
}

/// Turns a post into an item. `root` is the city's post for a reply.
pub fn tweet_item(t: &Tweet, users: &[User], root: Option<&str>) -> Result<Item> {
    let created = t
        .created_at
        .as_deref()
        .ok_or_else(|| payload("tweets", format!("post {} has no created_at", t.id)))?;
    let author = author_of(t, users);
    let m = t.public_metrics.clone().unwrap_or_default();
    let handle = if author.handle.is_empty() {
        "i/web"
    } else {
        &author.handle
    };
    Ok(Item {
        kind: if root.is_some() {
            ItemKind::Comment
        } else {
            ItemKind::Post
        },
        platform_id: t.id.clone(),
        parent: t
            .referenced_tweets
            .iter()
            .find(|r| r.kind == "replied_to")
            .map(|r| r.id.clone()),
        root: root.map(str::to_string),
        url: format!("https://x.com/{handle}/status/{}", t.id),
        author,
        text: t.text.clone(),
        created_at: parse_time(NAME, "created_at", created)?,
        edited_at: None,
        media: vec![],
        hidden: false,
        // a protected account's reply is seen only by the followers it approved
        audience: if users
            .iter()
            .any(|u| Some(&u.id) == t.author_id.as_ref() && u.protected)
        {
            plaza_core::capture::Audience::Followers
        } else {
            plaza_core::capture::Audience::Public
        },
        counts: Counts {
            likes: m.like_count,
            reposts: m.retweet_count + m.quote_count,
            replies: m.reply_count,
        },
    })
}

/// Parses a page of the account's posts (`GET /users/:id/tweets`).
pub fn parse_timeline(body: &[u8]) -> Result<Page<Item>> {
    let a: ListAnswer<Tweet> =
        serde_json::from_slice(body).map_err(|e| payload("users/:id/tweets", e))?;
    Ok(Page {
        items: a
            .data
            .iter()
            .map(|t| tweet_item(t, &a.includes.users, None))
            .collect::<Result<_>>()?,
        next: a.meta.next_token,
    })
}

/// Parses a page of a conversation search (`GET /tweets/search/recent`) into the replies
/// under `root` (the root post itself is left out).
pub fn parse_conversation(body: &[u8], root: &str) -> Result<Page<Item>> {
    let a: ListAnswer<Tweet> =
        serde_json::from_slice(body).map_err(|e| payload("tweets/search/recent", e))?;
    Ok(Page {
        items: a
            .data
            .iter()
            .filter(|t| t.id != root)
            .map(|t| tweet_item(t, &a.includes.users, Some(root)))
            .collect::<Result<_>>()?,
        next: a.meta.next_token,
    })
}

/// Parses one post (`GET /tweets/:id`).
pub fn parse_tweet(body: &[u8]) -> Result<Item> {
    let a: OneAnswer<Tweet> = serde_json::from_slice(body).map_err(|e| payload("tweets/:id", e))?;
    let t = a
        .data
        .ok_or_else(|| payload("tweets/:id", format!("no post: {:?}", a.errors)))?;
    tweet_item(&t, &a.includes.users, None)
}

/// Parses a user (`GET /users/:id`, `GET /users/me`) into the profile.
pub fn parse_user(body: &[u8]) -> Result<Profile> {
    let a: OneAnswer<User> = serde_json::from_slice(body).map_err(|e| payload("users/:id", e))?;
    let u = a
        .data
        .ok_or_else(|| payload("users/:id", format!("no user: {:?}", a.errors)))?;
    let m = u.public_metrics.unwrap_or_default();
    Ok(Profile {
        id: u.id,
        handle: u.username,
        name: u.name,
        description: u.description.unwrap_or_default(),
        followers: m.followers_count,
        posts: m.tweet_count,
    })
}

/// Parses a page of followers (`GET /users/:id/followers`).
pub fn parse_followers(body: &[u8]) -> Result<Page<Follower>> {
    let a: ListAnswer<User> =
        serde_json::from_slice(body).map_err(|e| payload("users/:id/followers", e))?;
    Ok(Page {
        items: a
            .data
            .into_iter()
            .map(|u| Follower {
                id: u.id,
                handle: u.username,
                name: u.name,
            })
            .collect(),
        next: a.meta.next_token,
    })
}

/// Reads a boolean confirmation `{"data":{"<field>": <bool>}}` (hidden, blocking, deleted).
pub fn parse_confirmation(body: &[u8], endpoint: &str, field: &str) -> Result<bool> {
    let v: Value = serde_json::from_slice(body).map_err(|e| payload(endpoint, e))?;
    v.get("data")
        .and_then(|d| d.get(field))
        .and_then(Value::as_bool)
        .ok_or_else(|| payload(endpoint, format!("no data.{field} in the answer")))
}

/// An X account.
pub struct X {
    http: Http,
    base: String,
    user_id: String,
    token: String,
}

impl X {
    /// A connector for the user `endpoint.account` with an OAuth 2.0 user access token.
    pub fn new(endpoint: &Endpoint) -> Result<X> {
        if endpoint.secret.is_empty() || endpoint.account.is_empty() {
            return Err(Error::Config(
                "an X site needs its user id and an OAuth 2.0 user access token".into(),
            ));
        }
        Ok(X {
            http: Http::new(NAME)?,
            base: endpoint.base_url.trim_end_matches('/').to_string(),
            user_id: endpoint.account.clone(),
            token: endpoint.secret.clone(),
        })
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Vec<u8>> {
        let url = format!("{}/{path}", self.base);
        let body = match body {
            Some(j) => Body::Json(j),
            None => Body::None,
        };
        self.http
            .raw(method, &url, query, body, Auth::Bearer(&self.token))
            .await
    }

    fn confirm(ok: bool, endpoint: &str, what: &str) -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(payload(endpoint, format!("X did not confirm {what}")))
        }
    }
}

impl Connector for X {
    fn platform(&self) -> Platform {
        Platform::X
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    /// Recent search covers the last 7 days.
    fn comments_window_ms(&self) -> Option<i64> {
        Some(7 * plaza_core::Timestamp::DAY_MS)
    }

    async fn connect(&mut self) -> Result<Session> {
        let body = self
            .call(
                Method::GET,
                "users/me",
                &[("user.fields", "username,name")],
                None,
            )
            .await?;
        let me = parse_user(&body)?;
        if me.id != self.user_id {
            return Err(Error::Config(format!(
                "the X token belongs to user {}, not {}",
                me.id, self.user_id
            )));
        }
        // OAuth 2.0 user tokens last two hours and are renewed with the refresh token (scope
        // `offline.access`) by whoever holds it; an expired one answers 401.
        Ok(Session {
            account_id: me.id,
            handle: me.handle,
            expires_at: None,
        })
    }

    async fn profile(&mut self) -> Result<Profile> {
        let body = self
            .call(
                Method::GET,
                &format!("users/{}", self.user_id),
                &[("user.fields", "username,name,description,public_metrics")],
                None,
            )
            .await?;
        parse_user(&body)
    }

    async fn posts(&mut self, cursor: Option<String>) -> Result<Page<Item>> {
        let mut q = vec![
            ("max_results", "100"),
            ("exclude", "retweets,replies"),
            ("tweet.fields", TWEET_FIELDS),
            ("expansions", "author_id"),
            ("user.fields", USER_FIELDS),
        ];
        if let Some(c) = &cursor {
            q.push(("pagination_token", c));
        }
        let body = self
            .call(
                Method::GET,
                &format!("users/{}/tweets", self.user_id),
                &q,
                None,
            )
            .await?;
        parse_timeline(&body)
    }

    /// The replies of the last 7 days under `post`, at any depth (recent search's window).
    async fn comments(&mut self, post: &Item) -> Result<Vec<Item>> {
        let (this, query) = (&*self, &format!("conversation_id:{}", post.platform_id));
        crate::every_page(NAME, |token| async move {
            let mut q = vec![
                ("query", query.as_str()),
                ("max_results", "100"),
                ("tweet.fields", TWEET_FIELDS),
                ("expansions", "author_id"),
                ("user.fields", USER_FIELDS),
            ];
            if let Some(t) = &token {
                q.push(("next_token", t));
            }
            let body = this
                .call(Method::GET, "tweets/search/recent", &q, None)
                .await?;
            parse_conversation(&body, &post.platform_id)
        })
        .await
    }

    async fn followers(&mut self, cursor: Option<String>) -> Result<Page<Follower>> {
        let mut q = vec![("max_results", "1000"), ("user.fields", USER_FIELDS)];
        if let Some(c) = &cursor {
            q.push(("pagination_token", c));
        }
        let body = self
            .call(
                Method::GET,
                &format!("users/{}/followers", self.user_id),
                &q,
                None,
            )
            .await?;
        parse_followers(&body)
    }

    async fn publish(&mut self, draft: &Draft) -> Result<Item> {
        if !draft.images.is_empty() {
            return Err(Error::Config(
                "Plaza publishes text to X; attach images on X".into(),
            ));
        }
        let body = self
            .call(
                Method::POST,
                "tweets",
                &[],
                Some(&json!({"text": draft.text})),
            )
            .await?;
        let created: OneAnswer<Tweet> =
            serde_json::from_slice(&body).map_err(|e| payload("tweets", e))?;
        let id = created
            .data
            .map(|t| t.id)
            .ok_or_else(|| payload("tweets", "no post in the answer"))?;
        // The answer to a post has no time: read the post back as it is stored.
        let body = self
            .call(
                Method::GET,
                &format!("tweets/{id}"),
                &[
                    ("tweet.fields", TWEET_FIELDS),
                    ("expansions", "author_id"),
                    ("user.fields", USER_FIELDS),
                ],
                None,
            )
            .await?;
        parse_tweet(&body)
    }

    async fn delete(&mut self, post: &Item) -> Result<()> {
        let endpoint = "tweets/:id";
        let body = self
            .call(
                Method::DELETE,
                &format!("tweets/{}", post.platform_id),
                &[],
                None,
            )
            .await?;
        Self::confirm(
            parse_confirmation(&body, endpoint, "deleted")?,
            endpoint,
            "the deletion",
        )
    }

    async fn hide_comment(&mut self, comment: &Item, hidden: bool) -> Result<()> {
        let endpoint = "tweets/:id/hidden";
        let body = self
            .call(
                Method::PUT,
                &format!("tweets/{}/hidden", comment.platform_id),
                &[],
                Some(&json!({"hidden": hidden})),
            )
            .await?;
        let now = parse_confirmation(&body, endpoint, "hidden")?;
        Self::confirm(now == hidden, endpoint, "the reply's new visibility")
    }

    /// Blocks the author. X documents this endpoint in v2 but refuses it on some access tiers;
    /// the refusal comes back as an HTTP error naming the endpoint.
    async fn block(&mut self, author: &Author) -> Result<()> {
        let endpoint = "users/:id/blocking";
        let body = self
            .call(
                Method::POST,
                &format!("users/{}/blocking", self.user_id),
                &[],
                Some(&json!({"target_user_id": author.id})),
            )
            .await?;
        Self::confirm(
            parse_confirmation(&body, endpoint, "blocking")?,
            endpoint,
            "the block",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_payloads_are_errors_not_panics() {
        let bad: &[&[u8]] = &[
            b"",
            b"\x80\x81garbage",
            b"{\"data\":[{\"id\":\"1\",\"text\":",
            b"{\"data\":{\"id\":\"1\"}}",
            b"{\"data\":[{\"id\":1}]}",
            b"{\"data\":[{\"id\":\"1\",\"text\":\"t\",\"created_at\":\"tuesday\"}]}",
            b"{\"data\":[{\"id\":\"1\",\"text\":\"t\"}]}",
            b"null",
        ];
        for b in bad {
            assert!(parse_timeline(b).is_err(), "{b:?}");
            assert!(parse_conversation(b, "9").is_err(), "{b:?}");
        }
        for b in &bad[..3] {
            assert!(parse_followers(b).is_err(), "{b:?}");
            assert!(parse_user(b).is_err(), "{b:?}");
            assert!(parse_tweet(b).is_err(), "{b:?}");
            assert!(parse_confirmation(b, "e", "hidden").is_err(), "{b:?}");
        }
        assert!(parse_user(br#"{"errors":[{"title":"Not Found Error"}]}"#).is_err());
        assert!(parse_tweet(br#"{"data":{"id":"1","text":"no time"}}"#).is_err());
        assert!(parse_confirmation(br#"{"data":{"hidden":"yes"}}"#, "e", "hidden").is_err());
        assert!(parse_followers(br#"{"data":[{"id":1}]}"#).is_err());
        let mut x = 0x0123_4567_89ab_cdefu64;
        for n in 0..2000 {
            let bytes: Vec<u8> = (0..n % 91)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 32) as u8
                })
                .collect();
            let _ = parse_timeline(&bytes);
            let _ = parse_conversation(&bytes, "1");
            let _ = parse_user(&bytes);
            let _ = parse_confirmation(&bytes, "e", "hidden");
        }
    }
}
