//! A Mastodon account archive's `outbox.json`: an ActivityStreams `OrderedCollection` whose
//! `orderedItems` are the account's activities, oldest first. Take `outbox.json` out of the
//! archive's `.tar.gz` and import that file; the archive itself is not read.
//!
//! Read: every `Create` of a `Note` (or a `Question`, a status with a poll): its `id`,
//! `published`, `updated` (as the edit time), `content` (HTML, turned into the text a reader
//! sees as the connector does), `summary` (the content warning, put before the text as the
//! connector does), `inReplyTo`, `url`, `attributedTo`, and `attachment` (`url`, `name` as the
//! alt text, `mediaType`). Skipped: `Announce` (boosts: not the city's words) and every other
//! activity, and a `Create` whose object is only a link.
//!
//! Ids: a status of the account's own instance (`https://host/users/name/statuses/123`) gets
//! its numeric id, `123`, the id the connector captures it under; anything else keeps its URI.
//! The author is the actor: id its URI, handle `name@host`, no display name (the outbox does
//! not carry it). The outbox is streamed: one activity in memory at a time, plus the ids of the
//! account's own statuses met so far (to find the top of a thread of self-replies).

use super::{ImportError, Sink, count_at, file_name, open, str_at, stream_field};
use crate::mastodon::html_to_text;
use plaza_core::Timestamp;
use plaza_core::capture::{Audience, Author, Counts, Item, ItemKind, Media};
use serde_json::Value;
use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

const FIELD: &str = "orderedItems";

/// Parses an `outbox.json` held in memory.
pub fn parse_mastodon_outbox(bytes: &[u8]) -> Result<Vec<Item>, ImportError> {
    super::collect(|sink| read_slice(super::BYTES, bytes, sink))
}

fn read_slice(file: &str, bytes: &[u8], sink: Sink<'_>) -> Result<(), ImportError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut outbox = Outbox::default();
    let found = stream_field(&mut de, file, FIELD, &mut |i, v| {
        outbox.activity(file, i, &v, &mut *sink)
    })?;
    missing(file, found)
}

pub(crate) fn read_path(path: &Path, sink: Sink<'_>) -> Result<(), ImportError> {
    let file = file_name(path);
    let reader = BufReader::new(open(path)?);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut outbox = Outbox::default();
    let found = stream_field(&mut de, &file, FIELD, &mut |i, v| {
        outbox.activity(&file, i, &v, &mut *sink)
    })?;
    missing(&file, found)
}

fn missing(file: &str, found: bool) -> Result<(), ImportError> {
    if found {
        Ok(())
    } else {
        Err(ImportError::malformed(
            file,
            "top level",
            "no orderedItems: not an ActivityStreams outbox",
        ))
    }
}

/// Who a status was addressed to, read from the `to` and `cc` of the activity and its object:
/// the public collection, the author's followers, or only the accounts it mentions. A status
/// without any addressing is taken as public, as the export does not say otherwise.
fn audience(activity: &Value, object: &Value, actor: &str) -> Audience {
    let mut addressed = Vec::new();
    for v in [activity, object] {
        for field in ["to", "cc"] {
            match v.get(field) {
                Some(Value::String(s)) => addressed.push(s.as_str()),
                Some(Value::Array(list)) => addressed.extend(list.iter().filter_map(Value::as_str)),
                _ => {}
            }
        }
    }
    let followers = format!("{actor}/followers");
    if addressed.is_empty()
        || addressed.iter().any(|a| {
            matches!(
                *a,
                "https://www.w3.org/ns/activitystreams#Public" | "as:Public" | "Public"
            )
        })
    {
        Audience::Public
    } else if addressed.iter().any(|a| *a == followers) {
        Audience::Followers
    } else {
        Audience::Mentioned
    }
}

#[derive(Default)]
struct Outbox {
    /// The account's own statuses met so far, by id, with the top of their thread.
    roots: HashMap<String, String>,
}

impl Outbox {
    fn activity(
        &mut self,
        file: &str,
        index: usize,
        a: &Value,
        sink: Sink<'_>,
    ) -> Result<(), ImportError> {
        let at = |field: &str| format!("{FIELD}[{index}].{field}");
        if !a.is_object() {
            return Err(ImportError::malformed(file, at(""), "not an object"));
        }
        if str_at(a, "/type") != Some("Create") {
            return Ok(());
        }
        let Some(o) = a.get("object").filter(|o| o.is_object()) else {
            return Ok(());
        };
        if !matches!(str_at(o, "/type"), Some("Note" | "Question")) {
            return Ok(());
        }
        let uri = str_at(o, "/id").ok_or_else(|| {
            ImportError::malformed(file, at("object.id"), "missing or not a string")
        })?;
        let actor = str_at(o, "/attributedTo")
            .or_else(|| str_at(a, "/actor"))
            .unwrap_or_default();
        let published = str_at(o, "/published").ok_or_else(|| {
            ImportError::malformed(file, at("object.published"), "missing or not a string")
        })?;
        let time = |field: &str, t: &str| {
            Timestamp::parse_rfc3339(t).map_err(|e| {
                ImportError::malformed(file, at(field), format!("{t:?} is not a time: {e}"))
            })
        };
        let created_at = time("object.published", published)?;
        let edited_at = match str_at(o, "/updated") {
            Some(t) => Some(time("object.updated", t)?),
            None => None,
        };
        let own_prefix = format!("{actor}/statuses/");
        let id = local_id(uri, &own_prefix);
        let mut text = html_to_text(str_at(o, "/content").unwrap_or_default());
        if let Some(cw) = str_at(o, "/summary").filter(|s| !s.is_empty()) {
            text = format!("[{cw}] {text}");
        }
        let reply_to = str_at(o, "/inReplyTo");
        let (kind, parent, root) = match reply_to {
            None => (ItemKind::Post, None, None),
            Some(r) if !actor.is_empty() && r.starts_with(&own_prefix) => {
                let parent = local_id(r, &own_prefix);
                let root = self
                    .roots
                    .get(&parent)
                    .cloned()
                    .unwrap_or_else(|| parent.clone());
                (ItemKind::Comment, Some(parent), Some(root))
            }
            Some(r) => (ItemKind::Post, Some(r.to_string()), None),
        };
        self.roots
            .insert(id.clone(), root.clone().unwrap_or_else(|| id.clone()));
        let media = match o.get("attachment") {
            Some(Value::Array(list)) => list.iter().map(attachment).collect(),
            Some(one @ Value::Object(_)) => vec![attachment(one)],
            _ => vec![],
        };
        let item = Item {
            kind,
            platform_id: id,
            parent,
            root,
            author: author(actor),
            text,
            url: str_at(o, "/url").unwrap_or(uri).to_string(),
            created_at,
            edited_at,
            media,
            hidden: false,
            audience: audience(a, o, actor),
            counts: Counts {
                likes: count_at(o, "/likes/totalItems"),
                reposts: count_at(o, "/shares/totalItems"),
                replies: count_at(o, "/replies/totalItems"),
            },
        };
        sink(item)
    }
}

/// The numeric id of one of the account's own statuses, or the URI of anyone else's.
fn local_id(uri: &str, own_prefix: &str) -> String {
    match uri.strip_prefix(own_prefix) {
        Some(rest) if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => {
            rest.to_string()
        }
        _ => uri.to_string(),
    }
}

/// The actor as an author: `https://host/users/name` is `name@host`.
fn author(actor: &str) -> Author {
    let handle = actor
        .strip_prefix("https://")
        .or_else(|| actor.strip_prefix("http://"))
        .and_then(|rest| {
            let (host, path) = rest.split_once('/')?;
            let name = path
                .strip_prefix("users/")
                .or_else(|| path.strip_prefix('@'))?;
            (!name.is_empty() && !name.contains('/')).then(|| format!("{name}@{host}"))
        })
        .unwrap_or_else(|| actor.to_string());
    Author {
        id: actor.to_string(),
        handle,
        name: String::new(),
    }
}

fn attachment(a: &Value) -> Media {
    Media {
        url: str_at(a, "/url").unwrap_or_default().to_string(),
        alt: str_at(a, "/name").unwrap_or_default().to_string(),
        mime: str_at(a, "/mediaType").unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    pub(crate) const SAMPLE: &str = r#"{
      "@context": "https://www.w3.org/ns/activitystreams",
      "id": "outbox.json", "type": "OrderedCollection", "totalItems": 4,
      "orderedItems": [
        {"id": "https://town.example/users/city/statuses/100/activity", "type": "Create",
         "actor": "https://town.example/users/city",
         "object": {"id": "https://town.example/users/city/statuses/100", "type": "Note",
           "published": "2024-03-01T09:00:00Z", "inReplyTo": null,
           "to": ["https://www.w3.org/ns/activitystreams#Public"],
           "url": "https://town.example/@city/100",
           "attributedTo": "https://town.example/users/city",
           "content": "<p>Road works on Main St &amp; 2nd.</p><p>Detour posted.</p>",
           "summary": null, "sensitive": false,
           "attachment": [{"type": "Document", "mediaType": "image/png",
             "url": "https://town.example/media/1.png", "name": "Map of the detour"}]}},
        {"id": "https://town.example/users/city/statuses/101/activity", "type": "Announce",
         "actor": "https://town.example/users/city",
         "object": "https://other.example/users/bob/statuses/5"},
        {"id": "https://town.example/users/city/statuses/102/activity", "type": "Create",
         "actor": "https://town.example/users/city",
         "object": {"id": "https://town.example/users/city/statuses/102", "type": "Note",
           "published": "2024-03-01T10:00:00Z",
           "inReplyTo": "https://town.example/users/city/statuses/100",
           "attributedTo": "https://town.example/users/city",
           "to": ["https://town.example/users/city/followers"], "cc": [],
           "content": "<p>Update: open again.</p>", "attachment": []}},
        {"id": "https://town.example/users/city/statuses/103/activity", "type": "Create",
         "actor": "https://town.example/users/city",
         "object": {"id": "https://town.example/users/city/statuses/103", "type": "Note",
           "published": "2024-03-01T11:00:00Z",
           "inReplyTo": "https://town.example/users/city/statuses/102",
           "attributedTo": "https://town.example/users/city",
           "summary": "parking", "content": "<p>Lot B too.</p>"}},
        {"id": "https://town.example/users/city/statuses/104/activity", "type": "Create",
         "actor": "https://town.example/users/city",
         "object": {"id": "https://town.example/users/city/statuses/104", "type": "Note",
           "published": "2024-03-02T08:00:00Z",
           "inReplyTo": "https://other.example/users/bob/statuses/9",
           "attributedTo": "https://town.example/users/city",
           "to": "https://other.example/users/bob",
           "content": "<p>@bob thanks!</p>"}}
      ]
    }"#;

    #[test]
    fn creates_become_items_and_boosts_are_skipped() {
        let items = parse_mastodon_outbox(SAMPLE.as_bytes()).unwrap();
        assert_eq!(items.len(), 4);
        let first = &items[0];
        assert_eq!(first.kind, ItemKind::Post);
        assert_eq!(first.platform_id, "100");
        assert_eq!(first.text, "Road works on Main St & 2nd.\nDetour posted.");
        assert_eq!(first.url, "https://town.example/@city/100");
        assert_eq!(first.author.handle, "city@town.example");
        assert_eq!(first.author.id, "https://town.example/users/city");
        assert_eq!(first.media[0].alt, "Map of the detour");
        assert_eq!(first.media[0].mime, "image/png");
        assert_eq!(first.created_at.rfc3339(), "2024-03-01T09:00:00.000Z");

        // addressed to the public, to followers, to nobody said (public), to one account
        let audiences: Vec<Audience> = items.iter().map(|i| i.audience).collect();
        assert_eq!(
            audiences,
            [
                Audience::Public,
                Audience::Followers,
                Audience::Public,
                Audience::Mentioned
            ]
        );

        let reply = &items[1];
        assert_eq!(reply.kind, ItemKind::Comment);
        assert_eq!(reply.parent.as_deref(), Some("100"));
        assert_eq!(reply.root.as_deref(), Some("100"));

        // A reply to a reply: the root is found through the earlier one.
        let deeper = &items[2];
        assert_eq!(deeper.kind, ItemKind::Comment);
        assert_eq!(deeper.parent.as_deref(), Some("102"));
        assert_eq!(deeper.root.as_deref(), Some("100"));
        assert_eq!(deeper.text, "[parking] Lot B too.");

        // A reply under someone else's post is the city's post, answering it.
        let other = &items[3];
        assert_eq!(other.kind, ItemKind::Post);
        assert_eq!(
            other.parent.as_deref(),
            Some("https://other.example/users/bob/statuses/9")
        );
        assert_eq!(other.root, None);
    }

    #[test]
    fn the_file_is_streamed_and_resumable() {
        let dir = std::env::temp_dir().join(format!("plaza-outbox-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("outbox.json");
        std::fs::write(&path, SAMPLE).unwrap();
        let format = super::super::Format::MastodonOutbox;
        assert_eq!(super::super::scan(format, &path).unwrap(), 4);
        let mut seen = vec![];
        let total = super::super::read(format, &path, 2, &mut |i, item| {
            seen.push((i, item.platform_id));
            Ok(())
        })
        .unwrap();
        assert_eq!(total, 4);
        assert_eq!(seen, vec![(2, "103".to_string()), (3, "104".to_string())]);
        // The callback's own error comes back unchanged.
        let err = super::super::read(format, &path, 0, &mut |_, _| {
            Err(ImportError::io("db", "disk full"))
        })
        .unwrap_err();
        assert!(matches!(err, ImportError::Io { ref file, .. } if file == "db"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_say_where() {
        let truncated = &SAMPLE.as_bytes()[..SAMPLE.len() / 2];
        match parse_mastodon_outbox(truncated) {
            Err(ImportError::Malformed { position, .. }) => {
                assert!(position.starts_with("orderedItems["), "{position}")
            }
            other => panic!("{other:?}"),
        }
        let bad_time = SAMPLE.replace("2024-03-01T10:00:00Z", "yesterday");
        match parse_mastodon_outbox(bad_time.as_bytes()) {
            Err(ImportError::Malformed { position, .. }) => {
                assert_eq!(position, "orderedItems[2].object.published")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_mastodon_outbox(b"{\"type\": \"OrderedCollection\"}"),
            Err(ImportError::Malformed { .. })
        ));
        assert!(parse_mastodon_outbox(b"[]").is_err());
        assert!(parse_mastodon_outbox(b"{\"orderedItems\": []} x").is_err());
    }
}
