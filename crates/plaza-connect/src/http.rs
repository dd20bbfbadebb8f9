//! The one HTTP client every connector uses: JSON in and out, and one mapping from HTTP
//! statuses to [`Error`]s, so a refused credential reads the same on every platform.

use crate::{Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A platform's HTTP client.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    platform: &'static str,
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    Bearer(&'a str),
}

impl Http {
    /// A client for one platform with sensible timeouts.
    pub fn new(platform: &'static str) -> Result<Http> {
        crate::init_tls();
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("Plaza/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Http { client, platform })
    }

    /// GET `url?query` and parse the JSON answer.
    pub async fn get<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, &str)],
        auth: Auth<'_>,
    ) -> Result<T> {
        let req = self.client.get(url).query(query);
        Ok(self.send_full(url, req, auth, &[]).await?.0)
    }

    /// GET that also returns the `rel="next"` URL of the answer's `Link` header (Mastodon,
    /// GitHub-style pagination).
    pub async fn get_linked<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, &str)],
        auth: Auth<'_>,
    ) -> Result<(T, Option<String>)> {
        let req = self.client.get(url).query(query);
        self.send_full(url, req, auth, &[]).await
    }

    /// GET with extra headers.
    pub async fn get_with<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, &str)],
        auth: Auth<'_>,
        headers: &[(&str, &str)],
    ) -> Result<T> {
        let req = self.client.get(url).query(query);
        self.send(url, req, auth, headers).await
    }

    /// POST a JSON body and parse the JSON answer.
    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        url: &str,
        body: &B,
        auth: Auth<'_>,
        headers: &[(&str, &str)],
    ) -> Result<T> {
        let req = self.client.post(url).json(body);
        self.send(url, req, auth, headers).await
    }

    /// POST a form (query-string style parameters, as the Graph API takes them).
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        url: &str,
        form: &[(&str, &str)],
        auth: Auth<'_>,
    ) -> Result<T> {
        let req = self.client.post(url).form(form);
        self.send(url, req, auth, &[]).await
    }

    /// POST raw bytes (an image upload).
    pub async fn post_bytes<T: DeserializeOwned>(
        &self,
        url: &str,
        bytes: Vec<u8>,
        mime: &str,
        auth: Auth<'_>,
    ) -> Result<T> {
        let req = self
            .client
            .post(url)
            .header("content-type", mime)
            .body(bytes);
        self.send(url, req, auth, &[]).await
    }

    /// DELETE, PUT and other verbs with an optional JSON body.
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        url: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        auth: Auth<'_>,
    ) -> Result<T> {
        let mut req = self.client.request(method, url).query(query);
        if let Some(b) = body {
            req = req.json(b);
        }
        self.send(url, req, auth, &[]).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
        auth: Auth<'_>,
        headers: &[(&str, &str)],
    ) -> Result<T> {
        Ok(self.send_full(url, req, auth, headers).await?.0)
    }

    /// Any verb, with a query, and a form or JSON body; answers the raw body of a 2xx, so a
    /// connector's pure `parse_*` functions read exactly what the platform sent.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        url: &str,
        query: &[(&str, &str)],
        body: Body<'_>,
        auth: Auth<'_>,
    ) -> Result<Vec<u8>> {
        let mut req = self.client.request(method, url).query(query);
        req = match body {
            Body::None => req,
            Body::Form(f) => req.form(f),
            Body::Json(j) => req.json(j),
        };
        Ok(self.send_raw(url, req, auth, &[]).await?.0)
    }

    async fn send_full<T: DeserializeOwned>(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
        auth: Auth<'_>,
        headers: &[(&str, &str)],
    ) -> Result<(T, Option<String>)> {
        let (bytes, next) = self.send_raw(url, req, auth, headers).await?;
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        let value = serde_json::from_slice(bytes).map_err(|e| Error::Payload {
            platform: self.platform,
            endpoint: endpoint_name(url),
            reason: e.to_string(),
        })?;
        Ok((value, next))
    }

    async fn send_raw(
        &self,
        url: &str,
        mut req: reqwest::RequestBuilder,
        auth: Auth<'_>,
        headers: &[(&str, &str)],
    ) -> Result<(Vec<u8>, Option<String>)> {
        if let Auth::Bearer(token) = auth {
            req = req.bearer_auth(token);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let endpoint = endpoint_name(url);
        // The URL can carry a token in its query (the Graph API's `access_token`): errors keep
        // only the path.
        let resp = req.send().await.map_err(|e| Error::Transport {
            platform: self.platform,
            endpoint: endpoint.clone(),
            reason: error_chain(&e.without_url()),
        })?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let next = resp
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(next_link);
        let retry_after = retry_after.or_else(|| {
            resp.headers()
                .get("x-rate-limit-reset")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(seconds_until)
        });
        let bytes = resp.bytes().await.map_err(|e| Error::Transport {
            platform: self.platform,
            endpoint: endpoint.clone(),
            reason: error_chain(&e.without_url()),
        })?;
        if !(200..300).contains(&status) {
            return Err(status_error(
                self.platform,
                &endpoint,
                status,
                retry_after,
                &bytes,
            ));
        }
        Ok((bytes.to_vec(), next))
    }
}

/// A request body for [`Http::raw`].
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Json(&'a serde_json::Value),
}

/// Seconds from now until a Unix time (X's `x-rate-limit-reset`), at least one.
fn seconds_until(epoch_secs: u64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    epoch_secs.saturating_sub(now).max(1)
}

/// The Graph API's (Facebook, Instagram) error code: `{"error":{"type":..,"code":190,..}}`.
/// Google's error body also has `error.code` (the HTTP status) but no `type`, so it is not read
/// as a Graph code.
pub fn graph_error_code(body: &[u8]) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let e = v.get("error")?;
    e.get("type")?.as_str()?;
    e.get("code")?.as_i64()
}

/// Maps a non-2xx answer to an error. 401 is always a refused credential; so are the
/// platforms' own "expired token" answers that come back as 400 or 403. A Graph API error is
/// judged by its documented code: 190 (invalid or expired access token) and 102 (session) are a
/// refused credential, 4, 17, 32 and 613 are rate limits, anything else (a missing permission,
/// a bad parameter) is an ordinary error.
pub fn status_error(
    platform: &'static str,
    endpoint: &str,
    status: u16,
    retry_after: Option<u64>,
    body: &[u8],
) -> Error {
    let text = String::from_utf8_lossy(&body[..body.len().min(400)]).into_owned();
    if let Some(code) = graph_error_code(body) {
        return match code {
            190 | 102 => Error::Auth {
                platform,
                reason: format!("{endpoint} answered {status}: {text}"),
            },
            4 | 17 | 32 | 613 => Error::RateLimited {
                platform,
                retry_after_secs: retry_after.unwrap_or(3600),
            },
            _ if status == 401 => Error::Auth {
                platform,
                reason: format!("{endpoint} answered {status}: {text}"),
            },
            _ => Error::Http {
                platform,
                endpoint: endpoint.to_string(),
                status,
                body: text,
            },
        };
    }
    let lower = text.to_lowercase();
    // Google's API quota: 403 with reason quotaExceeded / rateLimitExceeded. The daily quota
    // resets at midnight Pacific time, so without a Retry-After the wait is an hour.
    if status == 403 && (lower.contains("quotaexceeded") || lower.contains("ratelimitexceeded")) {
        return Error::RateLimited {
            platform,
            retry_after_secs: retry_after.unwrap_or(3600),
        };
    }
    let expired = lower.contains("expiredtoken")
        || lower.contains("invalidtoken")
        || lower.contains("authenticationrequired")
        || lower.contains("oauthexception")
        || lower.contains("expired")
        || lower.contains("invalid_token");
    if status == 401 || ((status == 400 || status == 403) && expired) {
        return Error::Auth {
            platform,
            reason: format!("{endpoint} answered {status}: {text}"),
        };
    }
    if status == 429 {
        return Error::RateLimited {
            platform,
            retry_after_secs: retry_after.unwrap_or(60),
        };
    }
    Error::Http {
        platform,
        endpoint: endpoint.to_string(),
        status,
        body: text,
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288).
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let mut pieces = part.split(';');
        let target = pieces.next()?.trim();
        let is_next = pieces.any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        let url = target.strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

/// The path of a URL without its query (tokens can travel in queries; they must not reach
/// logs or the record).
fn endpoint_name(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_errors() {
        assert_eq!(
            status_error("X", "/e", 401, None, b"").code(),
            "credential_refused"
        );
        assert_eq!(
            status_error("Bluesky", "/e", 400, None, br#"{"error":"ExpiredToken"}"#).code(),
            "credential_refused"
        );
        assert_eq!(
            status_error("X", "/e", 429, Some(9), b""),
            Error::RateLimited {
                platform: "X",
                retry_after_secs: 9
            }
        );
        assert_eq!(
            status_error("X", "/e", 500, None, b"boom").code(),
            "http_error"
        );
        assert_eq!(
            next_link(
                r#"<https://m.test/api/v1/x?max_id=7>; rel="next", <https://m.test/api/v1/x?min_id=9>; rel="prev""#
            ),
            Some("https://m.test/api/v1/x?max_id=7".to_string())
        );
        assert_eq!(next_link(r#"<https://m.test/p>; rel="prev""#), None);
        assert_eq!(endpoint_name("https://a/b?access_token=s"), "https://a/b");
    }

    #[test]
    fn graph_errors_are_judged_by_their_code() {
        let expired = br#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A1"}}"#;
        assert_eq!(
            status_error("Facebook", "/e", 400, None, expired).code(),
            "credential_refused"
        );
        let permission = br#"{"error":{"message":"(#200) Permissions error","type":"OAuthException","code":200,"fbtrace_id":"A2"}}"#;
        assert_eq!(
            status_error("Facebook", "/e", 403, None, permission).code(),
            "http_error"
        );
        let limit = br#"{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4}}"#;
        assert_eq!(
            status_error("Facebook", "/e", 400, None, limit).code(),
            "rate_limited"
        );
        let google =
            br#"{"error":{"code":403,"message":"quota","errors":[{"reason":"quotaExceeded"}]}}"#;
        assert_eq!(graph_error_code(google), None);
        assert_eq!(
            status_error("YouTube", "/e", 403, None, google).code(),
            "rate_limited"
        );
        assert!(seconds_until(0) >= 1);
    }
}
