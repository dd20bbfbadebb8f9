//! What capture brings back from a platform, in one shape for every platform, and what each
//! platform lets the city do (B.19, B.20, B.23).
//!
//! A connector (in `plaza-connect`) turns a platform's payloads into [`Item`]s, [`Follower`]s
//! and a [`Profile`]; the capture engine stores each *version* of an item once, by
//! [`Item::content_hash`]. Counts (likes, reposts, replies) are not part of the version: they
//! change all the time and are kept as the latest figures only.

use crate::Timestamp;
use crate::record::canonical_json;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Something a platform's API lets the city do. The desk offers only what the platform allows;
/// where it does not, it shows a manual checklist instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    Publish,
    Edit,
    Delete,
    ListPosts,
    ListComments,
    HideComment,
    DeleteComment,
    BlockUser,
    ReadFollowers,
    ReadProfile,
    Report,
    Webhooks,
    Streaming,
}

impl Capability {
    /// Every capability, in the order the connector table shows them.
    pub const ALL: [Capability; 13] = [
        Capability::Publish,
        Capability::Edit,
        Capability::Delete,
        Capability::ListPosts,
        Capability::ListComments,
        Capability::HideComment,
        Capability::DeleteComment,
        Capability::BlockUser,
        Capability::ReadFollowers,
        Capability::ReadProfile,
        Capability::Report,
        Capability::Webhooks,
        Capability::Streaming,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Publish => "publish",
            Capability::Edit => "edit",
            Capability::Delete => "delete",
            Capability::ListPosts => "list_posts",
            Capability::ListComments => "list_comments",
            Capability::HideComment => "hide_comment",
            Capability::DeleteComment => "delete_comment",
            Capability::BlockUser => "block_user",
            Capability::ReadFollowers => "read_followers",
            Capability::ReadProfile => "read_profile",
            Capability::Report => "report",
            Capability::Webhooks => "webhooks",
            Capability::Streaming => "streaming",
        }
    }
}

/// A post by the city's account or a comment (reply) by anyone under one of its posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Post,
    Comment,
}

impl ItemKind {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Post => "post",
            ItemKind::Comment => "comment",
        }
    }
}

/// Who wrote an item (B.23: the user name is kept with every comment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The platform's stable id for the account (a DID, a numeric id).
    pub id: String,
    /// The handle or user name as shown.
    pub handle: String,
    /// The display name (may be empty).
    pub name: String,
}

/// An attached image or video, by reference (the platform's URL) with its alt text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    pub url: String,
    #[serde(default)]
    pub alt: String,
    #[serde(default)]
    pub mime: String,
}

/// Engagement figures: the latest values only, never versioned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub likes: i64,
    pub reposts: i64,
    pub replies: i64,
}

/// One post or comment as a platform returns it, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub kind: ItemKind,
    /// The platform's id for the item (an at:// URI, a numeric id); unique within a site.
    pub platform_id: String,
    /// The item this one answers (for comments), by platform id.
    pub parent: Option<String>,
    /// The city's post at the top of the thread (for comments), by platform id.
    pub root: Option<String>,
    pub author: Author,
    /// The text as published, unmodified.
    pub text: String,
    /// Where a person can see it.
    pub url: String,
    pub created_at: Timestamp,
    /// When the platform says it was last edited, if it says.
    pub edited_at: Option<Timestamp>,
    pub media: Vec<Media>,
    /// Hidden by the city on the platform (a hidden reply still exists and is still a record).
    pub hidden: bool,
    pub counts: Counts,
}

impl Item {
    /// The hash that identifies this version: SHA-256 of the canonical JSON of what a reader
    /// sees (kind, ids, author, text, media, hidden), not the counts. The same version captured
    /// twice has the same hash, so it is stored once.
    pub fn content_hash(&self) -> String {
        let v = serde_json::json!({
            "kind": self.kind.as_str(),
            "platform_id": self.platform_id,
            "parent": self.parent,
            "root": self.root,
            "author": self.author.id,
            "handle": self.author.handle,
            "name": self.author.name,
            "text": self.text,
            "media": self.media,
            "hidden": self.hidden,
            "edited_at": self.edited_at,
        });
        // Nothing here is a float or deeply nested, so canonical JSON cannot fail; serde's
        // sorted-key form is the same text if it ever did.
        let text = canonical_json(&v).unwrap_or_else(|_| v.to_string());
        crate::hex(&Sha256::digest(text.as_bytes()))
    }
}

/// One account following the city's site at the time of a snapshot (B.19).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Follower {
    pub id: String,
    pub handle: String,
    pub name: String,
}

/// The site's own profile as the platform shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub handle: String,
    pub name: String,
    pub description: String,
    pub followers: i64,
    pub posts: i64,
}

/// A page of results and the cursor for the next one (`None` at the end).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// Why an item that was captured before is no longer on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gone {
    /// Removed by the city through Plaza (its own action is in the record).
    RemovedByCity,
    /// Deleted by its author, or taken down by the platform: no platform API here tells the
    /// two apart, and neither is the city's act.
    DeletedByAuthor,
}

impl Gone {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Gone::RemovedByCity => "removed_by_city",
            Gone::DeletedByAuthor => "deleted_by_author",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(text: &str) -> Item {
        Item {
            kind: ItemKind::Comment,
            platform_id: "c1".into(),
            parent: Some("p1".into()),
            root: Some("p1".into()),
            author: Author {
                id: "u1".into(),
                handle: "resident".into(),
                name: "A Resident".into(),
            },
            text: text.into(),
            url: "https://example.test/c1".into(),
            created_at: Timestamp(1),
            edited_at: None,
            media: vec![],
            hidden: false,
            counts: Counts::default(),
        }
    }

    #[test]
    fn the_hash_follows_the_text_and_ignores_counts() {
        let a = item("hello");
        let mut b = a.clone();
        b.counts.likes = 40;
        assert_eq!(a.content_hash(), b.content_hash());
        assert_ne!(a.content_hash(), item("hello!").content_hash());
        let mut c = a.clone();
        c.hidden = true;
        assert_ne!(a.content_hash(), c.content_hash());
        assert_eq!(a.content_hash().len(), 64);
    }
}
