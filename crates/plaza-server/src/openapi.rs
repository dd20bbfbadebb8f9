//! The OpenAPI 3.1 document of `/api/v1`, generated from the route table so it cannot drift.

use crate::routes::{Access, routes};
use serde_json::{Map, Value, json};

fn query_params(path: &str) -> Vec<Value> {
    let q = |name: &str, ty: &str, required: bool, desc: &str| json!({"name": name, "in": "query", "required": required, "schema": {"type": ty}, "description": desc});
    match path {
        "/api/v1/proof/inclusion" => vec![
            q("seq", "integer", true, "Sequence number of the entry"),
            q(
                "tree_size",
                "integer",
                true,
                "Tree size of a signed checkpoint",
            ),
        ],
        "/api/v1/proof/consistency" => vec![
            q("first", "integer", true, "Smaller tree size"),
            q("second", "integer", true, "Larger tree size"),
        ],
        "/api/v1/records" => vec![
            q("kind", "string", false, "Record kind, e.g. site.approved"),
            q("subject", "string", false, "Subject, e.g. site:3"),
            q("actor", "string", false, "Actor, e.g. person:2"),
            q("from", "string", false, "From this date or RFC 3339 time"),
            q("to", "string", false, "Before this date or RFC 3339 time"),
            q(
                "before",
                "integer",
                false,
                "Only entries with a smaller sequence number",
            ),
            q(
                "limit",
                "integer",
                false,
                "At most this many (1-1000, default 50)",
            ),
        ],
        _ => vec![],
    }
}

fn request_body(method: &str, path: &str) -> Option<Value> {
    if method != "POST" {
        return None;
    }
    let schema = match path {
        "/api/v1/sites" => {
            json!({"type": "object", "required": ["name", "platform", "handle", "url", "department", "registration_email"],
            "properties": {"name": {"type": "string"}, "platform": {"type": "string", "enum": ["bluesky", "mastodon", "facebook", "instagram", "youtube", "x", "linkedin"]},
            "handle": {"type": "string"}, "url": {"type": "string"}, "department": {"type": "string"}, "registration_email": {"type": "string"}, "purpose": {"type": "string"}}})
        }
        "/api/v1/sites/{id}/step" => json!({"type": "object", "required": ["step"], "properties": {
            "step": {"type": "string", "enum": ["open_consultation", "approve", "activate", "suspend", "reactivate", "terminate"]}, "reason": {"type": "string"}}}),
        "/api/v1/authorizations" => {
            json!({"type": "object", "required": ["person_id", "site_id", "level", "scope"], "properties": {
            "person_id": {"type": "integer"}, "site_id": {"type": "integer"},
            "level": {"type": "string", "enum": ["view", "comment", "edit", "publish", "moderate", "administer"]},
            "scope": {"type": "string"}, "starts": {"type": "string", "format": "date"}, "ends": {"type": "string", "format": "date"}}})
        }
        "/api/v1/authorizations/{id}/revoke" => {
            json!({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}})
        }
        _ => return None,
    };
    Some(json!({"required": true, "content": {"application/json": {"schema": schema}}}))
}

/// The document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for r in routes().iter().filter(|r| r.path.starts_with("/api/v1/")) {
        let mut op = Map::new();
        op.insert("summary".into(), json!(r.summary));
        op.insert(
            "operationId".into(),
            json!(format!(
                "{}_{}",
                r.method.to_lowercase(),
                r.path
                    .trim_start_matches("/api/v1/")
                    .replace(['/', '.', '{', '}'], "_")
            )),
        );
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(|s| json!({"name": s.trim_matches(['{', '}']), "in": "path", "required": true, "schema": {"type": "integer"}}))
            .collect();
        params.extend(query_params(r.path));
        if r.method == "POST" {
            params.push(json!({"name": "X-CSRF-Token", "in": "header", "required": true, "schema": {"type": "string"}, "description": "From GET /api/v1/session"}));
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(b) = request_body(r.method, r.path) {
            op.insert("requestBody".into(), b);
        }
        if r.access == Access::SignedIn {
            op.insert("security".into(), json!([{"session": []}]));
        }
        op.insert(
            "responses".into(),
            json!({
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                "default": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }),
        );
        let entry = paths
            .entry(r.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(r.method.to_lowercase(), Value::Object(op));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Plaza API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Plaza governs a city's official social media and keeps its public record. Errors carry a stable snake_case code."},
        "paths": paths,
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "plaza_session"}},
            "schemas": {"Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": ["invalid_input", "not_found", "unauthenticated", "forbidden", "conflict", "throttled", "csrf_failed", "internal"]},
                "message": {"type": "string"}, "field": {"type": ["string", "null"]}, "request_id": {"type": ["string", "null"]}}}}}}
        }
    })
}
