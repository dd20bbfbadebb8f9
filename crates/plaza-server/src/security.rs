//! Request-wide guards: the CSRF check on every non-GET request, security headers (CSP and
//! friends), and the rendering of errors as JSON or HTML.

use crate::App;
use crate::ctx::{PRE_COOKIE, SESSION_COOKIE, cookie, token_hash};
use crate::error::{AppError, ErrorInfo};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Largest request body Plaza reads (a policy file is about 60 KB).
pub const MAX_BODY: usize = 1024 * 1024;
/// Largest upload (a scanned, signed letter).
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// Whether a path takes an upload.
pub fn is_upload(path: &str) -> bool {
    path.ends_with("/signed-copy")
}

/// The value of a multipart part named `name` (a short text part such as the CSRF token).
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let start = body
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())?;
    let rest = &body[start..];
    let value_start = rest.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let value = &rest[value_start..];
    let end = value.windows(2).position(|w| w == b"\r\n")?;
    std::str::from_utf8(&value[..end]).ok().map(str::to_string)
}

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Every state-changing request carries the session's CSRF token (form field `csrf` or header
/// `X-CSRF-Token`); the sign-in form carries the pre-session cookie's token.
pub async fn csrf_guard(State(app): State<App>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    // Platform webhooks cannot carry a CSRF token; they authenticate by HMAC (hooks.rs).
    if req.uri().path().starts_with("/hooks/") {
        return next.run(req).await;
    }
    let headers = req.headers().clone();
    let expected = match cookie(&headers, SESSION_COOKIE) {
        Some(token) => match app.store.session(&token_hash(&token)).await {
            Ok(Some(s)) => Some(s.csrf),
            Ok(None) => cookie(&headers, PRE_COOKIE),
            Err(e) => return AppError::from(e).into_response(),
        },
        None => cookie(&headers, PRE_COOKIE),
    };
    let (parts, body) = req.into_parts();
    let limit = if is_upload(parts.uri.path()) {
        MAX_UPLOAD
    } else {
        MAX_BODY
    };
    let multipart = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return AppError::Domain(plaza_core::Error::invalid(
                "body",
                format!("is larger than {} KB", limit / 1024),
            ))
            .into_response();
        }
    };
    let given = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| {
            if multipart {
                multipart_field(&bytes, "csrf")
            } else {
                form_field(&bytes, "csrf")
            }
        });
    let ok = matches!((&expected, &given), (Some(e), Some(g)) if constant_time_eq(e, g));
    if !ok {
        return AppError::Csrf.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Security headers on every response.
pub async fn headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

/// Turns an [`ErrorInfo`] response into JSON (API) or an HTML page (UI); an unauthenticated
/// page request goes to the sign-in page.
pub async fn render_errors(State(app): State<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    // Webhooks answer the platform in plain text, as they are.
    if path.starts_with("/hooks/") {
        return next.run(req).await;
    }
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    // the session cookie alone, kept to show the signed-in header on an error page
    let cookie = req.headers().get(header::COOKIE).cloned();
    let mut resp = next.run(req).await;
    let info = match resp.extensions_mut().remove::<ErrorInfo>() {
        Some(i) => i,
        None if resp.status() == StatusCode::NOT_FOUND
            && resp.headers().get(header::CONTENT_TYPE).is_none() =>
        {
            AppError::NotFound.info()
        }
        None if (resp.status() == StatusCode::UNPROCESSABLE_ENTITY
            || resp.status() == StatusCode::BAD_REQUEST)
            && !is_html(&resp) =>
        {
            // axum's own rejections (a malformed form or query, in plain text): say what is
            // wrong. A page answered 422 (a form shown again with its error) passes as it is.
            let body = axum::body::to_bytes(std::mem::take(resp.body_mut()), 64 * 1024)
                .await
                .unwrap_or_default();
            ErrorInfo {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_input",
                message: String::from_utf8_lossy(&body).to_string(),
                field: None,
                request_id: None,
            }
        }
        None => return resp,
    };
    if path.starts_with("/api/") {
        let body = serde_json::json!({"error": {"code": info.code, "message": info.message, "field": info.field, "request_id": info.request_id}});
        let mut r = (info.status, axum::Json(body)).into_response();
        if let Some(retry) = resp.headers().get(header::RETRY_AFTER) {
            r.headers_mut().insert(header::RETRY_AFTER, retry.clone());
        }
        return r;
    }
    if info.code == "unauthenticated" {
        let next = crate::auth::urlencode(&format!("{path}{query}"));
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let mut headers = axum::http::HeaderMap::new();
    if let Some(c) = cookie {
        headers.insert(header::COOKIE, c);
    }
    let ctx = crate::ctx::load(&app, &headers, &path)
        .await
        .ok()
        .flatten()
        .filter(|c| !c.principal.disabled);
    let page = crate::views::ErrorPage {
        nav: crate::views::Nav::any(&app, &ctx).await,
        status: info.status.as_u16(),
        title: error_title(info.status).to_string(),
        code: info.code.to_string(),
        message: info.message,
        field: info.field.as_deref().map(field_label).unwrap_or_default(),
        signed_in: ctx.is_some(),
    };
    match crate::views::html(&page) {
        Ok(mut r) => {
            *r.status_mut() = info.status;
            r
        }
        Err(_) => (info.status, "error").into_response(),
    }
}

fn is_html(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The heading of an error page, in words a person uses.
fn error_title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
            "Please check what you entered"
        }
        StatusCode::FORBIDDEN => "You cannot do this",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::CONFLICT => "This cannot be done now",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        _ => "Something went wrong",
    }
}

/// A form field's name as a person reads it: `registration_email` is "Registration email".
fn field_label(field: &str) -> String {
    let words = field.replace(['_', '-'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_pages_speak_plainly() {
        assert_eq!(field_label("registration_email"), "Registration email");
        assert_eq!(field_label("url"), "Url");
        assert_eq!(field_label(""), "");
        assert_eq!(
            error_title(StatusCode::UNPROCESSABLE_ENTITY),
            "Please check what you entered"
        );
        assert_eq!(
            error_title(StatusCode::INTERNAL_SERVER_ERROR),
            "Something went wrong"
        );
    }

    #[test]
    fn reads_form_fields() {
        assert_eq!(
            form_field(b"a=1&csrf=abc&b=2", "csrf").as_deref(),
            Some("abc")
        );
        assert_eq!(form_field(b"a=1", "csrf"), None);
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        let body = b"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok123\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1\r\n--b--\r\n";
        assert_eq!(multipart_field(body, "csrf").as_deref(), Some("tok123"));
        assert_eq!(multipart_field(body, "other"), None);
    }
}
