//! What Meta's Graph API editions (Facebook Pages, Instagram) share: cursor paging, the time
//! format, and how a token travels.
//!
//! Paging (developers.facebook.com/docs/graph-api/results): a list answers
//! `{"data":[..],"paging":{"cursors":{"before":..,"after":..},"next":..}}`; `next` is absent on
//! the last page. Plaza keeps the `after` cursor, never the `next` URL, because that URL carries
//! the access token and a cursor is stored with the capture run.

use crate::{Error, Result};
use plaza_core::Timestamp;
use serde::Deserialize;

/// A Graph API list: `data` and `paging`.
#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(default)]
    pub paging: Option<Paging>,
}

/// `paging` of a Graph API list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Paging {
    #[serde(default)]
    pub cursors: Option<Cursors>,
    #[serde(default)]
    pub next: Option<String>,
}

/// `paging.cursors`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Cursors {
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
}

/// A bare `{"id": ..}` (a comment's `parent`, a created object).
#[derive(Debug, Clone, Deserialize)]
pub struct Id {
    pub id: String,
}

/// The cursor of the next page: `paging.cursors.after`, only when the answer says there is a
/// next page (`paging.next` present).
pub fn next_cursor(paging: Option<&Paging>) -> Option<String> {
    let p = paging?;
    let next = p.next.as_ref()?;
    // Some edges page without a cursors object; their `next` address carries `after=`.
    p.cursors
        .as_ref()
        .and_then(|c| c.after.clone())
        .or_else(|| {
            next.split(['?', '&'])
                .find_map(|kv| kv.strip_prefix("after="))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        })
}

/// Parses a Graph API time. The API writes ISO 8601 with a basic offset
/// (`2026-11-20T17:05:00+0000`); RFC 3339 (`+00:00`, `Z`) is accepted as well.
pub fn parse_time(platform: &'static str, field: &str, text: &str) -> Result<Timestamp> {
    let fixed = match text.len().checked_sub(5).and_then(|i| text.get(i..)) {
        Some(tail)
            if (tail.starts_with('+') || tail.starts_with('-'))
                && tail[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            let i = text.len() - 5;
            format!("{}{}:{}", &text[..i], &tail[..3], &tail[3..])
        }
        _ => text.to_string(),
    };
    crate::parse_time(platform, field, &fixed)
}

/// `{"success": true}`, the answer to a Graph API update or delete; `false` is an error.
pub fn parse_success(platform: &'static str, endpoint: &str, body: &[u8]) -> Result<()> {
    #[derive(Deserialize)]
    struct Success {
        success: bool,
    }
    let s: Success = serde_json::from_slice(body).map_err(|e| Error::Payload {
        platform,
        endpoint: endpoint.to_string(),
        reason: e.to_string(),
    })?;
    if s.success {
        Ok(())
    } else {
        Err(Error::Payload {
            platform,
            endpoint: endpoint.to_string(),
            reason: "the platform answered success: false".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times_and_cursors() {
        let t = parse_time("Facebook", "created_time", "2026-11-20T17:05:00+0000").unwrap();
        assert_eq!(t.rfc3339(), "2026-11-20T17:05:00.000Z");
        let t = parse_time("Facebook", "created_time", "2026-11-20T12:05:00-0500").unwrap();
        assert_eq!(t.rfc3339(), "2026-11-20T17:05:00.000Z");
        assert!(parse_time("Facebook", "t", "2026-11-20T17:05:00Z").is_ok());
        assert!(parse_time("Facebook", "t", "+0000").is_err());
        assert!(parse_time("Facebook", "t", "é+000").is_err());
        assert!(parse_time("Facebook", "t", "").is_err());
        let p = Paging {
            cursors: Some(Cursors {
                before: None,
                after: Some("A".into()),
            }),
            next: None,
        };
        assert_eq!(next_cursor(Some(&p)), None, "no next: last page");
        let p = Paging {
            next: Some("https://graph/x?after=A".into()),
            ..p
        };
        assert_eq!(next_cursor(Some(&p)).as_deref(), Some("A"));
        assert!(parse_success("Facebook", "/c", br#"{"success":false}"#).is_err());
        assert!(parse_success("Facebook", "/c", br#"{"success":true}"#).is_ok());
    }
}
