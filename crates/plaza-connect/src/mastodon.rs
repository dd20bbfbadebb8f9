//! Mastodon, by its REST API (docs.joinmastodon.org/methods): statuses, their context,
//! followers, block and report. Mastodon gives an account no way to hide or delete someone
//! else's reply; only the instance's moderators can, so the desk offers a report instead.

use crate::http::{Auth, Http};
use crate::{Connector, Draft, Endpoint, Error, ReportReason, Result, Session, parse_time};
use plaza_core::capture::{
    Author, Capability, Counts, Follower, Item, ItemKind, Media, Page, Profile,
};
use plaza_core::sites::Platform;
use serde::Deserialize;
use serde_json::json;

const NAME: &str = "Mastodon";

/// What Mastodon's API allows an account to do.
pub const CAPABILITIES: &[Capability] = &[
    Capability::Publish,
    Capability::Delete,
    Capability::ListPosts,
    Capability::ListComments,
    Capability::BlockUser,
    Capability::ReadFollowers,
    Capability::ReadProfile,
    Capability::Report,
];

/// A Mastodon account (the Account entity).
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub followers_count: i64,
    #[serde(default)]
    pub statuses_count: i64,
}

/// A Mastodon status (the Status entity), the fields Plaza keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    pub id: String,
    pub created_at: String,
    #[serde(default)]
    pub in_reply_to_id: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    pub uri: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub spoiler_text: String,
    pub account: Account,
    #[serde(default)]
    pub media_attachments: Vec<Attachment>,
    #[serde(default)]
    pub edited_at: Option<String>,
    #[serde(default)]
    pub replies_count: i64,
    #[serde(default)]
    pub reblogs_count: i64,
    #[serde(default)]
    pub favourites_count: i64,
    #[serde(default)]
    pub reblog: Option<serde_json::Value>,
    /// public, unlisted, private (followers only) or direct.
    #[serde(default)]
    pub visibility: String,
}

/// A media attachment.
#[derive(Debug, Clone, Deserialize)]
pub struct Attachment {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
struct Context {
    #[serde(default)]
    descendants: Vec<Status>,
}

/// Turns a status into an item. `root` is the city's post for a comment.
pub fn status_item(s: &Status, kind: ItemKind, root: Option<&str>) -> Result<Item> {
    let mut text = html_to_text(&s.content);
    if !s.spoiler_text.is_empty() {
        text = format!("[{}] {}", s.spoiler_text, text);
    }
    Ok(Item {
        kind,
        platform_id: s.id.clone(),
        parent: s.in_reply_to_id.clone(),
        root: root.map(str::to_string),
        author: Author {
            id: s.account.id.clone(),
            handle: s.account.acct.clone(),
            name: s.account.display_name.clone(),
        },
        text,
        url: s.url.clone().unwrap_or_else(|| s.uri.clone()),
        created_at: parse_time(NAME, "created_at", &s.created_at)?,
        edited_at: match &s.edited_at {
            Some(t) => Some(parse_time(NAME, "edited_at", t)?),
            None => None,
        },
        media: s
            .media_attachments
            .iter()
            .map(|m| Media {
                url: m.url.clone().unwrap_or_default(),
                alt: m.description.clone().unwrap_or_default(),
                mime: m.kind.clone(),
            })
            .collect(),
        hidden: false,
        // "unlisted" is visible to all, only left out of public timelines; a visibility other
        // servers name ("local", "list") is narrower than public, and read as followers-only
        audience: match s.visibility.as_str() {
            "public" | "unlisted" | "" => plaza_core::capture::Audience::Public,
            _ => plaza_core::capture::Audience::Followers,
        },
        counts: Counts {
            likes: s.favourites_count,
            reposts: s.reblogs_count,
            replies: s.replies_count,
        },
    })
}

/// Parses a page of statuses (GET /api/v1/accounts/:id/statuses) into the account's posts;
/// boosts of other people's posts are not the city's words and are skipped. The cursor for the
/// next page is the last status's id, boost or not (`max_id`).
pub fn parse_statuses(body: &[u8]) -> Result<Page<Item>> {
    let statuses: Vec<Status> = serde_json::from_slice(body).map_err(|e| payload("statuses", e))?;
    // Self-replies (thread continuations) come back even with exclude_replies; they are
    // comments in their thread, not posts of their own. Direct messages are never captured.
    let items = statuses
        .iter()
        .filter(|s| s.reblog.is_none() && s.in_reply_to_id.is_none() && s.visibility != "direct")
        .map(|s| status_item(s, ItemKind::Post, None))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        next: statuses.last().map(|s| s.id.clone()),
    })
}

/// Parses a status context (GET /api/v1/statuses/:id/context) into the comments under `root`.
pub fn parse_context(body: &[u8], root: &str) -> Result<Vec<Item>> {
    let c: Context = serde_json::from_slice(body).map_err(|e| payload("context", e))?;
    // Direct messages are private correspondence, not public comments: never captured.
    c.descendants
        .iter()
        .filter(|s| s.visibility != "direct")
        .map(|s| status_item(s, ItemKind::Comment, Some(root)))
        .collect()
}

fn payload(endpoint: &str, e: impl std::fmt::Display) -> Error {
    Error::Payload {
        platform: NAME,
        endpoint: endpoint.to_string(),
        reason: e.to_string(),
    }
}

/// Mastodon statuses are HTML. The record keeps the text a reader sees: paragraphs and line
/// breaks become newlines, tags go, entities are decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            out.push_str(&decode_entities(&rest[lt..]));
            rest = "";
            break;
        };
        let tag = rest[lt + 1..lt + gt].trim().to_ascii_lowercase();
        let name = tag.split([' ', '/']).find(|t| !t.is_empty()).unwrap_or("");
        if name == "br" || (tag.starts_with("/p") && name == "p") {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    out.trim_end_matches('\n').to_string()
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        match plaza_core::char_reference(&rest[amp..]) {
            Some((len, c)) => {
                out.push(c);
                rest = &rest[amp + len..];
            }
            None => {
                out.push('&');
                rest = &rest[amp + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A Mastodon account on an instance.
pub struct Mastodon {
    http: Http,
    base: String,
    token: String,
    account_id: Option<String>,
}

impl Mastodon {
    /// A connector for `endpoint.base_url` (the instance) with an access token.
    pub fn new(endpoint: &Endpoint) -> Result<Mastodon> {
        if endpoint.secret.is_empty() {
            return Err(Error::Config(
                "a Mastodon site needs an access token".into(),
            ));
        }
        Ok(Mastodon {
            http: Http::new(NAME)?,
            base: endpoint.base_url.trim_end_matches('/').to_string(),
            token: endpoint.secret.clone(),
            account_id: None,
        })
    }

    async fn me(&mut self) -> Result<Account> {
        let url = format!("{}/api/v1/accounts/verify_credentials", self.base);
        let a: Account = self.http.get(&url, &[], Auth::Bearer(&self.token)).await?;
        self.account_id = Some(a.id.clone());
        Ok(a)
    }

    async fn account_id(&mut self) -> Result<String> {
        match &self.account_id {
            Some(id) => Ok(id.clone()),
            None => Ok(self.me().await?.id),
        }
    }

    async fn get_bytes(&self, url: &str, query: &[(&str, &str)]) -> Result<Vec<u8>> {
        let v: serde_json::Value = self.http.get(url, query, Auth::Bearer(&self.token)).await?;
        serde_json::to_vec(&v).map_err(|e| payload(url, e))
    }
}

impl Connector for Mastodon {
    fn platform(&self) -> Platform {
        Platform::Mastodon
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    async fn connect(&mut self) -> Result<Session> {
        let a = self.me().await?;
        // Mastodon access tokens do not expire until revoked.
        Ok(Session {
            account_id: a.id,
            handle: a.acct,
            expires_at: None,
        })
    }

    async fn profile(&mut self) -> Result<Profile> {
        let a = self.me().await?;
        Ok(Profile {
            id: a.id,
            handle: a.acct,
            name: a.display_name,
            description: html_to_text(&a.note),
            followers: a.followers_count,
            posts: a.statuses_count,
        })
    }

    async fn posts(&mut self, cursor: Option<String>) -> Result<Page<Item>> {
        let id = self.account_id().await?;
        let url = format!("{}/api/v1/accounts/{id}/statuses", self.base);
        let mut query = vec![
            ("limit", "40"),
            ("exclude_replies", "true"),
            ("exclude_reblogs", "true"),
        ];
        if let Some(c) = &cursor {
            query.push(("max_id", c));
        }
        let body = self.get_bytes(&url, &query).await?;
        parse_statuses(&body)
    }

    async fn comments(&mut self, post: &Item) -> Result<Vec<Item>> {
        let url = format!("{}/api/v1/statuses/{}/context", self.base, post.platform_id);
        let body = self.get_bytes(&url, &[]).await?;
        parse_context(&body, &post.platform_id)
    }

    async fn followers(&mut self, cursor: Option<String>) -> Result<Page<Follower>> {
        let id = self.account_id().await?;
        let url = cursor.unwrap_or_else(|| format!("{}/api/v1/accounts/{id}/followers", self.base));
        let query: &[(&str, &str)] = if url.contains('?') {
            &[]
        } else {
            &[("limit", "80")]
        };
        let (accounts, next): (Vec<Account>, _) = self
            .http
            .get_linked(&url, query, Auth::Bearer(&self.token))
            .await?;
        Ok(Page {
            items: accounts
                .into_iter()
                .map(|a| Follower {
                    id: a.id,
                    handle: a.acct,
                    name: a.display_name,
                })
                .collect(),
            next,
        })
    }

    async fn confirm_gone(&mut self, ids: &[String]) -> Result<Vec<String>> {
        // GET /api/v1/statuses/:id answers 404 for a deleted status.
        let mut gone = Vec::new();
        for id in ids {
            let url = format!("{}/api/v1/statuses/{id}", self.base);
            match self
                .http
                .get::<serde_json::Value>(&url, &[], Auth::Bearer(&self.token))
                .await
            {
                Ok(_) => {}
                Err(Error::Http { status: 404, .. }) => gone.push(id.clone()),
                Err(e) => return Err(e),
            }
        }
        Ok(gone)
    }

    async fn publish(&mut self, draft: &Draft) -> Result<Item> {
        if !draft.images.is_empty() {
            return Err(Error::Config(
                "Plaza publishes text to Mastodon; attach images on the instance".into(),
            ));
        }
        let url = format!("{}/api/v1/statuses", self.base);
        let s: Status = self
            .http
            .post_json(
                &url,
                &json!({"status": draft.text}),
                Auth::Bearer(&self.token),
                &[],
            )
            .await?;
        status_item(&s, ItemKind::Post, None)
    }

    async fn delete(&mut self, post: &Item) -> Result<()> {
        let url = format!("{}/api/v1/statuses/{}", self.base, post.platform_id);
        let _: serde_json::Value = self
            .http
            .request(
                reqwest::Method::DELETE,
                &url,
                &[],
                None,
                Auth::Bearer(&self.token),
            )
            .await?;
        Ok(())
    }

    async fn block(&mut self, author: &Author) -> Result<()> {
        let url = format!("{}/api/v1/accounts/{}/block", self.base, author.id);
        let _: serde_json::Value = self
            .http
            .post_json(&url, &json!({}), Auth::Bearer(&self.token), &[])
            .await?;
        Ok(())
    }

    async fn report(&mut self, item: &Item, reason: ReportReason, note: &str) -> Result<()> {
        let url = format!("{}/api/v1/reports", self.base);
        let category = match reason {
            ReportReason::Spam => "spam",
            ReportReason::Violation => "violation",
            _ => "other",
        };
        let body = json!({
            "account_id": item.author.id,
            "status_ids": [item.platform_id],
            "comment": note,
            "category": category,
        });
        let _: serde_json::Value = self
            .http
            .post_json(&url, &body, Auth::Bearer(&self.token), &[])
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_the_text_a_reader_sees() {
        assert_eq!(
            html_to_text("<p>Road closed &amp; detour</p><p>Line two<br>three &#39;x&#x27;</p>"),
            "Road closed & detour\nLine two\nthree 'x'"
        );
        assert_eq!(html_to_text("a &bogus; <b"), "a &bogus; <b");
        assert_eq!(html_to_text(""), "");
    }
}
