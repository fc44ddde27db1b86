//! A local stand-in for the Cognito endpoint that checks what AWS checks about authentication,
//! for tests that must not (and cannot) reach AWS.
//!
//! [`AwsLike`] listens on 127.0.0.1 and, for every request:
//! - recomputes the SigV4 signature from what it received (method, path, query, the signed
//!   headers' values, the body) and the secret it knows for the access key, with its own
//!   HMAC-SHA256 code ([`canonical_request`], [`string_to_sign`], [`signature`]), independent of
//!   the harness's signer (`http::sigv4`); it answers `InvalidSignatureException` on a
//!   mismatch, `MissingAuthenticationTokenException` when an operation that needs a signature
//!   arrives unsigned, `UnrecognizedClientException` for an unknown key or session token, and
//!   `IncompleteSignatureException` when host, x-amz-date, x-amz-target or the session token
//!   are not signed;
//! - then answers scripted faults (throttling, 5xx) to the first requests, holds back replies
//!   of chosen operations, and finally forwards the request to an upstream (moto) or answers
//!   with a handler.
//!
//! Everything it saw is kept ([`AwsLike::seen`]). It serves on a
//! [`LoopbackServer`](cognito_contract::support::loopback::LoopbackServer) until dropped.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_contract::support::loopback::LoopbackServer;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The service name in the credential scope.
pub const SERVICE: &str = "cognito-idp";

/// A key pair (and session token) the server knows.
#[derive(Debug, Clone)]
pub struct Key {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl Key {
    pub fn new(id: &str, secret: &str, token: Option<&str>) -> Key {
        Key {
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            session_token: token.map(str::to_owned),
        }
    }
}

/// A fault answered instead of serving a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 400 `TooManyRequestsException`, as Cognito throttles.
    TooManyRequests,
    /// 400 `ThrottlingException`.
    Throttling,
    /// A 5xx status with `InternalErrorException`.
    Server(u16),
}

/// Answers an operation with a status and a JSON body (`{"__type": ..., "message": ...}` for
/// errors).
pub type Handler = Arc<dyn Fn(&str, &Value) -> (u16, Value) + Send + Sync>;

#[derive(Clone)]
pub struct Config {
    pub region: String,
    pub keys: Vec<Key>,
    /// Operations that are sent unsigned (from the model).
    pub unauthenticated: HashSet<String>,
    /// A script for the first requests that pass authentication, in order: a fault to answer,
    /// or `None` to serve the request.
    pub faults: Vec<Option<Fault>>,
    /// Operations whose replies are held back this long.
    pub delays: HashMap<String, Duration>,
    /// Forward accepted requests here (e.g. a moto server) ...
    pub upstream: Option<String>,
    /// ... or answer them with this (else `{}`).
    pub handler: Option<Handler>,
}

impl Config {
    /// Knows `test`/`test` (the emulator default) and the keys given; region us-east-1;
    /// unauthenticated operations from the bundled index.
    pub fn new(keys: Vec<Key>) -> Config {
        let mut all = vec![Key::new("test", "test", None)];
        all.extend(keys);
        Config {
            region: "us-east-1".into(),
            keys: all,
            unauthenticated: unauthenticated_operations(),
            faults: Vec::new(),
            delays: HashMap::new(),
            upstream: None,
            handler: None,
        }
    }
}

/// The operations the bundled index marks unauthenticated.
pub fn unauthenticated_operations() -> HashSet<String> {
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/index.json"))
            .expect("schemas/index.json"),
    )
    .expect("index JSON");
    index["operations"]
        .as_object()
        .expect("operations")
        .iter()
        .filter(|(_, op)| op["unauthenticated"] == true)
        .map(|(name, _)| name.clone())
        .collect()
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub operation: String,
    /// It carried an `Authorization` header.
    pub signed: bool,
    pub access_key_id: Option<String>,
    /// The error code the server answered with, if any (authentication, fault or upstream).
    pub error: Option<String>,
    /// Authentication failed with this code.
    pub rejected: Option<String>,
    pub status: u16,
    pub body: Value,
}

struct State {
    config: Config,
    seen: Mutex<Vec<Seen>>,
    /// Operations in the order their requests arrived (before any reply).
    arrived: Mutex<Vec<String>>,
    faults: Mutex<Vec<Option<Fault>>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    http: reqwest::Client,
}

/// The running server; stopped when dropped.
pub struct AwsLike {
    pub endpoint: String,
    state: Arc<State>,
    /// Serves until dropped.
    _server: LoopbackServer,
}

impl AwsLike {
    pub fn start(config: Config) -> AwsLike {
        let mut faults = config.faults.clone();
        faults.reverse();
        let state = Arc::new(State {
            config,
            seen: Mutex::new(Vec::new()),
            arrived: Mutex::new(Vec::new()),
            faults: Mutex::new(faults),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
        });
        let serving = state.clone();
        let server = LoopbackServer::start(move |request| {
            let state = serving.clone();
            async move { Ok::<_, Infallible>(handle(&state, request).await) }
        })
        .expect("a loopback server");
        AwsLike {
            endpoint: server.endpoint().to_owned(),
            state,
            _server: server,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// The operations of the requests that have arrived so far, answered or not.
    pub fn arrived(&self) -> Vec<String> {
        self.state.arrived.lock().unwrap().clone()
    }

    /// The most requests it was serving at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

fn reply(status: u16, body: &Value) -> Response<Full<Bytes>> {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amzn-requestid", "00000000-0000-0000-0000-000000000000");
    if let Some(code) = body.get("__type").and_then(Value::as_str) {
        builder = builder.header("x-amzn-errortype", code);
    }
    builder
        .body(Full::new(Bytes::from(serde_json::to_vec(body).unwrap())))
        .unwrap()
}

fn error(code: &str, message: &str) -> Value {
    json!({"__type": code, "message": message})
}

async fn handle(state: &State, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let response = serve(state, request).await;
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

async fn serve(state: &State, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let headers = lowercase_headers(&parts.headers);
    let operation = match headers.get("x-amz-target").and_then(|v| v.first()) {
        Some(target) => target.rsplit('.').next().unwrap_or_default().to_owned(),
        None => format!("{} {}", parts.method, parts.uri.path()),
    };
    let json_body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.arrived.lock().unwrap().push(operation.clone());
    let mut seen = Seen {
        operation: operation.clone(),
        signed: headers.contains_key("authorization"),
        access_key_id: None,
        error: None,
        rejected: None,
        status: 200,
        body: json_body.clone(),
    };
    let received = Received {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or_default(),
        headers: &headers,
        body: &body,
    };
    let (status, answer) = match authenticate(state, &operation, &received, &mut seen) {
        Err((code, message)) => {
            seen.rejected = Some(code.clone());
            (400, error(&code, &message))
        }
        Ok(()) => {
            let fault = state.faults.lock().unwrap().pop().flatten();
            match fault {
                Some(fault) => fault_reply(fault),
                None => {
                    if let Some(delay) = state.config.delays.get(&operation) {
                        tokio::time::sleep(*delay).await;
                    }
                    match (&state.config.upstream, &state.config.handler) {
                        (Some(upstream), _) => {
                            return forward(state, upstream, &parts, body, seen).await;
                        }
                        (None, Some(handler)) => handler(&operation, &json_body),
                        (None, None) => (200, json!({})),
                    }
                }
            }
        }
    };
    seen.status = status;
    seen.error = answer
        .get("__type")
        .and_then(Value::as_str)
        .map(str::to_owned);
    state.seen.lock().unwrap().push(seen);
    reply(status, &answer)
}

/// Header values by lowercase name, in the order they came.
fn lowercase_headers(headers: &hyper::HeaderMap) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        map.entry(name.as_str().to_ascii_lowercase())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    map
}

/// Checks the signature of a request that carries one or needs one (a POST of an operation the
/// model does not mark unauthenticated), noting the access key in `seen`.
fn authenticate(
    state: &State,
    operation: &str,
    received: &Received,
    seen: &mut Seen,
) -> Result<(), Rejection> {
    let needs_signature =
        received.method == "POST" && !state.config.unauthenticated.contains(operation);
    if !seen.signed && !needs_signature {
        return Ok(());
    }
    let key = verify(
        received,
        &state.config.keys,
        &state.config.region,
        SystemTime::now(),
    )?;
    seen.access_key_id = Some(key);
    Ok(())
}

/// The reply a scripted fault gets.
fn fault_reply(fault: Fault) -> (u16, Value) {
    match fault {
        Fault::TooManyRequests => (400, error("TooManyRequestsException", "Too many requests")),
        Fault::Throttling => (400, error("ThrottlingException", "Rate exceeded")),
        Fault::Server(status) => (
            status,
            error("InternalErrorException", "Internal server error"),
        ),
    }
}

async fn forward(
    state: &State,
    upstream: &str,
    parts: &hyper::http::request::Parts,
    body: Bytes,
    mut seen: Seen,
) -> Response<Full<Bytes>> {
    let url = format!(
        "{}{}",
        upstream.trim_end_matches('/'),
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut request = state
        .http
        .request(parts.method.as_str().parse().unwrap(), url)
        .body(body.to_vec());
    for name in [
        "content-type",
        "x-amz-target",
        "authorization",
        "x-amz-date",
    ] {
        if let Some(value) = parts.headers.get(name) {
            request = request.header(name, value.as_bytes());
        }
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => {
            seen.status = 502;
            state.seen.lock().unwrap().push(seen);
            return reply(502, &error("BadGateway", &e.to_string()));
        }
    };
    let status = response.status().as_u16();
    let mut builder = Response::builder().status(status);
    for (name, value) in response.headers() {
        if ["content-type", "x-amzn-requestid", "x-amzn-errortype"].contains(&name.as_str()) {
            builder = builder.header(name, value);
        }
    }
    let bytes = response.bytes().await.unwrap_or_default();
    seen.status = status;
    let upstream_body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    seen.error = upstream_body
        .get("__type")
        .and_then(Value::as_str)
        .map(|t| t.rsplit('#').next().unwrap_or(t).to_owned());
    state.seen.lock().unwrap().push(seen);
    builder.body(Full::new(bytes)).unwrap()
}

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// RFC 3986 encoding with the unreserved characters kept, as SigV4 wants.
fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The SigV4 canonical request for what was received: `path` and `query` as they came (still
/// percent-encoded; the path is encoded once more, as for every service but S3), `headers` by
/// lowercase name, `signed` the signed header names in order.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &BTreeMap<String, Vec<String>>,
    signed: &[&str],
    body: &[u8],
) -> String {
    let path = if path.is_empty() { "/" } else { path };
    let canonical_path = uri_encode(path, true);
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    pairs.sort();
    let canonical_query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in signed {
        let values = headers.get(*name).cloned().unwrap_or_default();
        let joined = values
            .iter()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(",");
        canonical_headers.push_str(&format!("{name}:{joined}\n"));
    }
    format!(
        "{method}\n{canonical_path}\n{canonical_query}\n{canonical_headers}\n{}\n{}",
        signed.join(";"),
        hex_sha256(body)
    )
}

/// The SigV4 string to sign.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex_sha256(canonical_request.as_bytes())
    )
}

/// The SigV4 signature: the derived key (date, region, service, `aws4_request`) over the
/// string to sign.
pub fn signature(secret: &str, date: &str, region: &str, service: &str, sts: &str) -> String {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    hex::encode(hmac(&k_signing, sts.as_bytes()))
}

/// Seconds since the epoch of `YYYYMMDDTHHMMSSZ`.
fn parse_amz_date(text: &str) -> Option<u64> {
    if text.len() != 16 || &text[8..9] != "T" || !text.ends_with('Z') {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

/// An error code and message AWS would answer a request with.
pub type Rejection = (String, String);

fn reject<T>(code: &str, message: impl Into<String>) -> Result<T, Rejection> {
    Err((code.to_owned(), message.into()))
}

/// A request as the server received it: `path` and `query` still percent-encoded, `headers` by
/// lowercase name.
pub struct Received<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a BTreeMap<String, Vec<String>>,
    pub body: &'a [u8],
}

impl Received<'_> {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.first()).cloned()
    }
}

/// The fields of an `AWS4-HMAC-SHA256` `Authorization` header.
struct Authorization<'a> {
    access_key: &'a str,
    /// The credential scope: date, region, service.
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(authorization: &str) -> Result<Authorization<'_>, Rejection> {
    let Some(fields) = authorization.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return reject(
            "IncompleteSignatureException",
            format!("unsupported authorization: {authorization}"),
        );
    };
    let mut parts: HashMap<&str, &str> = HashMap::new();
    for field in fields.split(',') {
        if let Some((k, v)) = field.trim().split_once('=') {
            parts.insert(k, v);
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (
        parts.get("Credential"),
        parts.get("SignedHeaders"),
        parts.get("Signature"),
    ) else {
        return reject(
            "IncompleteSignatureException",
            "Authorization lacks Credential, SignedHeaders or Signature",
        );
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, "aws4_request"] = scope[..] else {
        return reject(
            "IncompleteSignatureException",
            format!("bad credential scope {credential}"),
        );
    };
    Ok(Authorization {
        access_key,
        date,
        region,
        service,
        signed: signed.split(';').collect(),
        signature,
    })
}

/// host, x-amz-date and (when sent) x-amz-target must be signed, the names sorted.
fn check_signed_headers(signed: &[&str], received: &Received) -> Result<(), Rejection> {
    for required in ["host", "x-amz-date", "x-amz-target"] {
        if !signed.contains(&required)
            && (required != "x-amz-target" || received.headers.contains_key(required))
        {
            return reject(
                "IncompleteSignatureException",
                format!("{required} is not signed"),
            );
        }
    }
    if !signed.is_sorted() {
        return reject(
            "IncompleteSignatureException",
            "SignedHeaders are not sorted",
        );
    }
    Ok(())
}

/// The session token sent must be the key's, and signed; a key without one takes none.
fn check_session_token(key: &Key, received: &Received, signed: &[&str]) -> Result<(), Rejection> {
    match (&key.session_token, received.header("x-amz-security-token")) {
        (Some(expected), Some(found)) if *expected == found => {
            if !signed.contains(&"x-amz-security-token") {
                return reject(
                    "IncompleteSignatureException",
                    "x-amz-security-token is not signed",
                );
            }
            Ok(())
        }
        (None, None) => Ok(()),
        _ => reject(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
    }
}

/// The `x-amz-date` header: present, well-formed, within 5 minutes of `now`, on the scope's
/// date. Returns it.
fn check_date(received: &Received, scope_date: &str, now: SystemTime) -> Result<String, Rejection> {
    let Some(amz_date) = received.header("x-amz-date") else {
        return reject("IncompleteSignatureException", "no x-amz-date header");
    };
    let Some(when) = parse_amz_date(&amz_date) else {
        return reject(
            "IncompleteSignatureException",
            format!("bad x-amz-date {amz_date}"),
        );
    };
    let now = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
    if now.abs_diff(when) > 300 {
        return reject(
            "InvalidSignatureException",
            format!(
                "Signature expired: {amz_date} is now earlier or later than 5 minutes from now"
            ),
        );
    }
    if !amz_date.starts_with(scope_date) {
        return reject(
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP",
        );
    }
    Ok(amz_date)
}

/// Checks a request's SigV4 signature as AWS would, with the `keys` it knows in `region`;
/// returns the access key id, or the error code and message AWS would answer.
pub fn verify(
    received: &Received,
    keys: &[Key],
    region: &str,
    now: SystemTime,
) -> Result<String, Rejection> {
    let Some(authorization) = received.header("authorization") else {
        return reject(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
    };
    let auth = parse_authorization(&authorization)?;
    let Some(key) = keys.iter().find(|k| k.access_key_id == auth.access_key) else {
        return reject(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
    };
    check_signed_headers(&auth.signed, received)?;
    check_session_token(key, received, &auth.signed)?;
    let amz_date = check_date(received, auth.date, now)?;
    if auth.region != region {
        return reject(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region, not '{}'.",
                auth.region
            ),
        );
    }
    if auth.service != SERVICE {
        return reject(
            "InvalidSignatureException",
            format!("Credential should be scoped to correct service: '{SERVICE}'."),
        );
    }
    let creq = canonical_request(
        received.method,
        received.path,
        received.query,
        received.headers,
        &auth.signed,
        received.body,
    );
    let (date, service) = (auth.date, auth.service);
    let sts = string_to_sign(
        &amz_date,
        &format!("{date}/{region}/{service}/aws4_request"),
        &creq,
    );
    let expected = signature(&key.secret_access_key, date, region, service, &sts);
    if expected != auth.signature {
        return reject(
            "InvalidSignatureException",
            format!(
                "The request signature we calculated does not match the signature you provided. \
                 The Canonical String for this request should have been\n'{creq}'"
            ),
        );
    }
    Ok(key.access_key_id.clone())
}

/// A fake Cognito for the few operations the harness's own tests call: pools are created,
/// described, updated (deletion protection), listed and deleted; `DeleteUserPool` is refused
/// while deletion protection is on, as Cognito refuses it.
pub fn fake_cognito() -> (Handler, Arc<Mutex<BTreeMap<String, Value>>>) {
    let pools: Arc<Mutex<BTreeMap<String, Value>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let counter = Arc::new(AtomicUsize::new(0));
    let state = pools.clone();
    let handler: Handler = Arc::new(move |operation: &str, request: &Value| {
        let mut pools = state.lock().unwrap();
        let id = request["UserPoolId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let not_found = || {
            (
                400,
                error("ResourceNotFoundException", "User pool does not exist."),
            )
        };
        match operation {
            "CreateUserPool" => {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let id = format!("us-east-1_Fake{n:05}");
                let pool = json!({
                    "Id": id,
                    "Name": request["PoolName"],
                    "CreationDate": 1_700_000_000,
                    "DeletionProtection": request.get("DeletionProtection").cloned().unwrap_or(json!("INACTIVE")),
                    "UserPoolTags": request.get("UserPoolTags").cloned().unwrap_or(json!({})),
                });
                pools.insert(id, pool.clone());
                (200, json!({"UserPool": pool}))
            }
            "DescribeUserPool" => match pools.get(&id) {
                Some(pool) => (200, json!({"UserPool": pool})),
                None => not_found(),
            },
            "UpdateUserPool" => match pools.get_mut(&id) {
                Some(pool) => {
                    if let Some(p) = request.get("DeletionProtection") {
                        pool["DeletionProtection"] = p.clone();
                    }
                    (200, json!({}))
                }
                None => not_found(),
            },
            "DeleteUserPool" => match pools.get(&id) {
                Some(pool) if pool["DeletionProtection"] == "ACTIVE" => (
                    400,
                    error(
                        "InvalidParameterException",
                        "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
                    ),
                ),
                Some(_) => {
                    pools.remove(&id);
                    (200, json!({}))
                }
                None => not_found(),
            },
            "ListUserPools" => {
                let listed: Vec<Value> = pools
                    .values()
                    .map(|p| json!({"Id": p["Id"], "Name": p["Name"], "CreationDate": p["CreationDate"]}))
                    .collect();
                (200, json!({"UserPools": listed}))
            }
            _ => (200, json!({})),
        }
    });
    (handler, pools)
}
