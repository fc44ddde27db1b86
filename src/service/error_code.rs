//! Reading the error code of an awsJson1_1 reply, as the AWS SDKs do: the `X-Amzn-ErrorType`
//! header first, then the body's `code`, then its top-level `__type`; the value is cut at the
//! first `:` and only what follows the first `#` is kept.

use serde_json::Value;

/// The error code a client reads from a reply, if any.
///
/// `header` is the value of `X-Amzn-ErrorType` (header names are case-insensitive; the caller
/// looks it up), `body` the parsed JSON body if it was JSON.
pub fn error_code(header: Option<&str>, body: Option<&Value>) -> Option<String> {
    let body_field = |name: &str| {
        body.and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let raw = header
        .map(str::to_owned)
        .or_else(|| body_field("code"))
        .or_else(|| body_field("__type"))?;
    let code = sanitize(&raw);
    (!code.is_empty()).then(|| code.to_owned())
}

/// Cuts a raw error type at the first `:` and keeps what follows the first `#`.
pub fn sanitize(raw: &str) -> &str {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    let after_hash = match before_colon.split_once('#') {
        Some((_, rest)) => rest,
        None => before_colon,
    };
    after_hash.trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn header_wins_over_body() {
        let body = json!({"__type": "BodyError", "code": "CodeError"});
        assert_eq!(
            error_code(Some("HeaderError"), Some(&body)).as_deref(),
            Some("HeaderError")
        );
    }

    #[test]
    fn code_wins_over_dunder_type() {
        let body = json!({"__type": "TypeError", "code": "CodeError"});
        assert_eq!(error_code(None, Some(&body)).as_deref(), Some("CodeError"));
    }

    #[test]
    fn nothing_to_read() {
        assert_eq!(error_code(None, Some(&json!({"message": "x"}))), None);
        assert_eq!(error_code(None, None), None);
        assert_eq!(error_code(Some(""), None), None);
    }

    #[test]
    fn namespace_and_uri_are_dropped() {
        assert_eq!(sanitize("ns.a#Foo:http://x/y#z"), "Foo");
        assert_eq!(
            sanitize("NotAuthorizedException:"),
            "NotAuthorizedException"
        );
    }
}
