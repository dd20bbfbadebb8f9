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

    async fn send_full<T: DeserializeOwned>(
        &self,
        url: &str,
        mut req: reqwest::RequestBuilder,
        auth: Auth<'_>,
        headers: &[(&str, &str)],
    ) -> Result<(T, Option<String>)> {
        if let Auth::Bearer(token) = auth {
            req = req.bearer_auth(token);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let endpoint = endpoint_name(url);
        let resp = req.send().await.map_err(|e| Error::Transport {
            platform: self.platform,
            endpoint: endpoint.clone(),
            reason: error_chain(&e),
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
        let bytes = resp.bytes().await.map_err(|e| Error::Transport {
            platform: self.platform,
            endpoint: endpoint.clone(),
            reason: error_chain(&e),
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
        let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        let value = serde_json::from_slice(bytes).map_err(|e| Error::Payload {
            platform: self.platform,
            endpoint,
            reason: e.to_string(),
        })?;
        Ok((value, next))
    }
}

/// Maps a non-2xx answer to an error. 401 is always a refused credential; so are the
/// platforms' own "expired token" answers that come back as 400 or 403.
pub fn status_error(
    platform: &'static str,
    endpoint: &str,
    status: u16,
    retry_after: Option<u64>,
    body: &[u8],
) -> Error {
    let text = String::from_utf8_lossy(&body[..body.len().min(400)]).into_owned();
    let lower = text.to_lowercase();
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
}
