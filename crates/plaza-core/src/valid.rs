//! Values that can only be built valid ("parse, don't validate"). Each constructor names the
//! field it checks, so a bad input is rejected at the edge with a clear message.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest free-text field Plaza accepts for names, titles and departments.
pub const MAX_SHORT: usize = 200;
/// Longest free-text field for notes, scopes and reasons.
pub const MAX_LONG: usize = 4000;

/// Checks a required single-line text field: trimmed, non-empty, at most `max` characters,
/// no control characters.
pub fn short_text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(v.to_string())
}

/// Checks a multi-line text field: at most `max` characters; may be empty when `required` is false.
pub fn long_text(field: &str, value: &str, max: usize, required: bool) -> Result<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(v.to_string())
}

/// An email address: one `@`, a plausible local part, and a domain of dot-separated labels.
/// Stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses an address for the named field.
    pub fn parse_field(field: &str, value: &str) -> Result<Email> {
        let v = value.trim().to_lowercase();
        if v.is_empty() {
            return Err(Error::invalid(field, "is required"));
        }
        if v.len() > 254 {
            return Err(Error::invalid(field, "is longer than 254 characters"));
        }
        let Some((local, domain)) = v.split_once('@') else {
            return Err(Error::invalid(
                field,
                format!("{v:?} is not an email address (no @)"),
            ));
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.');
        if !local_ok {
            return Err(Error::invalid(
                field,
                format!("{v:?} has an invalid part before the @"),
            ));
        }
        if !valid_domain(domain) {
            return Err(Error::invalid(
                field,
                format!("{v:?} has an invalid domain"),
            ));
        }
        Ok(Email(v))
    }

    /// Parses an address for the field `email`.
    pub fn parse(value: &str) -> Result<Email> {
        Self::parse_field("email", value)
    }

    /// The domain after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }

    /// Whether the address is on one of the official domains (exactly, or a subdomain of one).
    pub fn is_on_domains(&self, domains: &[String]) -> bool {
        let d = self.domain();
        domains.iter().any(|official| {
            let official = official.to_lowercase();
            d == official || d.ends_with(&format!(".{official}"))
        })
    }

    /// Parses an address that must be on one of the city's official domains (B.10).
    pub fn parse_official(field: &str, value: &str, domains: &[String]) -> Result<Email> {
        let email = Self::parse_field(field, value)?;
        if !email.is_on_domains(domains) {
            return Err(Error::invalid(
                field,
                format!(
                    "{} is not on an official city domain ({})",
                    email,
                    domains.join(", ")
                ),
            ));
        }
        Ok(email)
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A DNS name: labels of letters, digits and hyphens, at least two labels, at most 253 bytes.
pub fn valid_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > 253 || !domain.contains('.') {
        return false;
    }
    domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

/// An absolute `https://` or `http://` URL with a host. Plaza does not need a full URL parser
/// for the addresses of sites and websites; it needs to refuse what is clearly not one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(String);

impl WebUrl {
    /// Parses a URL for the named field.
    pub fn parse_field(field: &str, value: &str) -> Result<WebUrl> {
        let v = value.trim();
        if v.is_empty() {
            return Err(Error::invalid(field, "is required"));
        }
        if v.len() > 2048 {
            return Err(Error::invalid(field, "is longer than 2048 characters"));
        }
        let rest = if let Some(r) = v.strip_prefix("https://") {
            r
        } else if let Some(r) = v.strip_prefix("http://") {
            r
        } else {
            return Err(Error::invalid(
                field,
                format!("{v:?} is not a web address (it must start with https:// or http://)"),
            ));
        };
        if v.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
        {
            return Err(Error::invalid(
                field,
                format!("{v:?} contains spaces or characters not allowed in a web address"),
            ));
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(Error::invalid(
                field,
                "must not contain a user name or password",
            ));
        }
        let host = match authority.rsplit_once(':') {
            Some((h, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => h,
            Some((_, _)) if !authority.starts_with('[') => {
                return Err(Error::invalid(field, format!("{v:?} has an invalid port")));
            }
            _ => authority,
        };
        let host_ok = valid_domain(&host.to_lowercase())
            || host == "localhost"
            || host.parse::<std::net::Ipv4Addr>().is_ok()
            || (host.starts_with('[') && host.ends_with(']'));
        if !host_ok {
            return Err(Error::invalid(
                field,
                format!("{v:?} has no valid host name"),
            ));
        }
        Ok(WebUrl(v.to_string()))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host, lower-cased.
    pub fn host(&self) -> String {
        let rest = self.0.split_once("://").map(|(_, r)| r).unwrap_or("");
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        authority.split(':').next().unwrap_or("").to_lowercase()
    }
}

impl TryFrom<String> for WebUrl {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        WebUrl::parse_field("url", &value)
    }
}

impl From<WebUrl> for String {
    fn from(u: WebUrl) -> String {
        u.0
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A platform account handle (`@name`, `name.bsky.social`, `@name@instance`): printable, no
/// spaces, at most 200 characters. Stored without a leading `@` for platforms where that is
/// decoration only.
pub fn handle(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if v.chars().count() > MAX_SHORT {
        return Err(Error::invalid(
            field,
            format!("is longer than {MAX_SHORT} characters"),
        ));
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid(field, "must not contain spaces"));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_validation_names_the_field() {
        let e = Email::parse_field("registration_email", "nobody").unwrap_err();
        assert_eq!(e.field(), Some("registration_email"));
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("Ann.Lee@Arborvale.Example.gov").is_ok());
        assert_eq!(Email::parse("Ann@X.Org").unwrap().as_str(), "ann@x.org");
    }

    #[test]
    fn official_domain_check() {
        let d = vec!["arborvale.gov".to_string()];
        assert!(Email::parse_official("email", "pio@arborvale.gov", &d).is_ok());
        assert!(Email::parse_official("email", "pio@parks.arborvale.gov", &d).is_ok());
        let e = Email::parse_official("email", "pio@gmail.com", &d).unwrap_err();
        assert!(
            e.to_string().contains("not on an official city domain"),
            "{e}"
        );
        assert!(Email::parse_official("email", "pio@evilarborvale.gov", &d).is_err());
    }

    #[test]
    fn urls() {
        assert!(WebUrl::parse_field("url", "https://bsky.app/profile/city.bsky.social").is_ok());
        assert!(WebUrl::parse_field("url", "http://127.0.0.1:2583").is_ok());
        assert!(WebUrl::parse_field("url", "ftp://x.org").is_err());
        assert!(WebUrl::parse_field("url", "https://").is_err());
        assert!(WebUrl::parse_field("url", "https://a b.org").is_err());
        assert!(WebUrl::parse_field("url", "https://user:pw@x.org").is_err());
        assert_eq!(
            WebUrl::parse_field("url", "https://WWW.X.org:8/a")
                .unwrap()
                .host(),
            "www.x.org"
        );
    }

    #[test]
    fn text_limits() {
        assert!(short_text("name", "  ", 10).is_err());
        assert!(short_text("name", "abcdefghijk", 10).is_err());
        assert!(short_text("name", "a\u{0}b", 10).is_err());
        assert_eq!(short_text("name", " Ann ", 10).unwrap(), "Ann");
    }
}
