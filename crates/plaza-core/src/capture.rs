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

/// Who can see an item on its platform. A reply only its author's followers can see is a
/// record like any other, but not a public comment: the desk and a records production should
/// know it was not said to everyone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Anyone who opens it (on Mastodon also "unlisted": left out of public timelines, but
    /// visible to all).
    #[default]
    Public,
    /// Only the author's followers (and accounts it mentions): Mastodon's "private", and any
    /// other audience narrower than public a compatible server names ("local", "list").
    Followers,
    /// Only the accounts it mentions: Mastodon's "direct". Live capture never takes these from
    /// comment threads (they are correspondence); an export of the city's own account holds the
    /// city's own, which are its records.
    Mentioned,
}

impl Audience {
    pub fn as_str(&self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Followers => "followers",
            Audience::Mentioned => "mentioned",
        }
    }
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
    /// Who can see it. Not part of the version's hash: it is who was addressed, not the words.
    #[serde(default)]
    pub audience: Audience,
    pub counts: Counts,
}

impl Item {
    /// The hash that identifies this version: SHA-256 of the canonical JSON of the words and
    /// pictures a reader sees: the item's id, its kind, what it answers, its text, and its
    /// media by alt text. Not the author's current handle or display name (a rename is not an
    /// edit), not media addresses (they change with the CDN), not counts, and not whether it
    /// is hidden (that is the item's state, compared separately). The same version captured
    /// twice, by the API or from an export, has the same hash and is stored once.
    pub fn content_hash(&self) -> String {
        let media: Vec<&str> = self.media.iter().map(|m| m.alt.as_str()).collect();
        let v = serde_json::json!({
            "kind": self.kind.as_str(),
            "platform_id": self.platform_id,
            "parent": self.parent,
            "text": self.text,
            "media": media,
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

/// How often capture passes run by default: every five minutes.
pub const PASS_INTERVAL_MS: i64 = 5 * 60_000;

/// How long before a credential expires the city is warned.
pub const EXPIRY_WARNING_MS: i64 = 14 * Timestamp::DAY_MS;

/// One capture pass as the continuity report sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub ok: bool,
}

/// A period in which a site's capture is not confirmed: between a successful pass and the next
/// one, when a pass failed in between or the passes were further apart than the schedule
/// allows. `to` is `None` while the gap is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub from: Timestamp,
    pub to: Option<Timestamp>,
    /// Failed passes inside the gap.
    pub failures: u32,
}

/// The gaps in a site's capture, oldest first. `runs` in any order; `max_interval_ms` is the
/// longest wait between passes that still counts as continuous (e.g. twice the schedule);
/// `since` is when capture of the site began (its endpoint was set): with no successful pass,
/// everything from then on is a gap.
pub fn gaps(runs: &[Run], since: Timestamp, max_interval_ms: i64, now: Timestamp) -> Vec<Gap> {
    let mut sorted: Vec<Run> = runs.to_vec();
    sorted.sort_by_key(|r| (r.started_at, r.finished_at));
    let mut out = Vec::new();
    // The end of the last confirmed period (the last success's start: items are as of then).
    let mut covered_to = since;
    let mut failures = 0u32;
    for r in &sorted {
        if !r.ok {
            failures += 1;
            continue;
        }
        let waited = r.started_at.0 - covered_to.0;
        if failures > 0 || waited > max_interval_ms {
            out.push(Gap {
                from: covered_to,
                to: Some(r.started_at),
                failures,
            });
        }
        failures = 0;
        covered_to = r.started_at.max(covered_to);
    }
    if failures > 0 || now.0 - covered_to.0 > max_interval_ms {
        out.push(Gap {
            from: covered_to,
            to: None,
            failures,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(start: i64, ok: bool) -> Run {
        Run {
            started_at: Timestamp(start),
            finished_at: Timestamp(start + 1),
            ok,
        }
    }

    #[test]
    fn regular_passes_have_no_gap() {
        let runs: Vec<Run> = (1..=5).map(|i| run(i * 10, true)).collect();
        assert!(gaps(&runs, Timestamp(5), 20, Timestamp(55)).is_empty());
    }

    #[test]
    fn failures_and_long_waits_are_gaps() {
        let runs = vec![
            run(10, true),
            run(20, false),
            run(30, false),
            run(40, true),
            run(200, true),
        ];
        let g = gaps(&runs, Timestamp(0), 20, Timestamp(210));
        assert_eq!(
            g,
            vec![
                Gap {
                    from: Timestamp(10),
                    to: Some(Timestamp(40)),
                    failures: 2
                },
                Gap {
                    from: Timestamp(40),
                    to: Some(Timestamp(200)),
                    failures: 0
                },
            ]
        );
        // The last success was long ago: an open gap.
        let g = gaps(&runs, Timestamp(0), 20, Timestamp(500));
        assert_eq!(
            g.last(),
            Some(&Gap {
                from: Timestamp(200),
                to: None,
                failures: 0
            })
        );
        // A failing pass after the last success opens a gap at once.
        let mut failing = runs.clone();
        failing.push(run(210, false));
        assert_eq!(
            gaps(&failing, Timestamp(0), 20, Timestamp(211)).last(),
            Some(&Gap {
                from: Timestamp(200),
                to: None,
                failures: 1
            })
        );
    }

    #[test]
    fn never_captured_is_one_open_gap() {
        assert_eq!(
            gaps(&[run(10, false)], Timestamp(0), 20, Timestamp(100)),
            vec![Gap {
                from: Timestamp(0),
                to: None,
                failures: 1
            }]
        );
        assert!(gaps(&[], Timestamp(0), 20, Timestamp(10)).is_empty());
    }

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
            audience: crate::capture::Audience::Public,
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
        // Hiding is state, a rename is not an edit, a CDN address is not content.
        let mut c = a.clone();
        c.hidden = true;
        c.author.name = "A. Resident".into();
        c.author.handle = "resident.example".into();
        // who can see it is who was addressed, not the words
        c.audience = Audience::Followers;
        assert_eq!(a.content_hash(), c.content_hash());
        let mut d = a.clone();
        d.media.push(Media {
            url: "https://cdn.example/1".into(),
            alt: "a map".into(),
            mime: "image".into(),
        });
        let mut e = d.clone();
        e.media[0].url = "https://other-cdn.example/1".into();
        assert_eq!(d.content_hash(), e.content_hash());
        assert_ne!(a.content_hash(), d.content_hash());
        assert_eq!(a.content_hash().len(), 64);
    }
}
