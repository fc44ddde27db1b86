//! Sending one awsJson1_1 request: `POST /` with `X-Amz-Target:
//! AWSCognitoIdentityProviderService.<Operation>` and `Content-Type: application/x-amz-json-1.1`.
//!
//! Around each request the client
//! - waits for the run's [`Pacer`] (requests in flight, requests per second),
//! - signs it through a [`RequestSigner`] (SigV4, see [`crate::http::sigv4`]), except operations the
//!   model marks unauthenticated, which are sent unsigned as the AWS SDKs send them,
//! - bounds it with the per-request timeout (from connecting to the last byte of the body),
//! - reads the body in chunks and stops at [`MAX_BODY_BYTES`] (10 MiB): a longer body fails the
//!   request with "body larger than 10 MiB" and is not retried, so a misbehaving target cannot
//!   make the harness hold an unbounded reply in memory, and
//! - retries throttling, server faults and lost connections per its [`RetryPolicy`], re-signing
//!   each attempt, but starts no retry once the attempts have taken the per-request timeout in
//!   all (see [`crate::http::retry::within_budget`]): an attempt that timed out is therefore never
//!   retried, and one request sends for at most twice the per-request timeout, plus the waits
//!   between attempts. The retries are listed in the [`Reply`] (or in the error when no attempt
//!   got a usable reply), so a step that finally fails shows them.
//!
//! The request itself goes out through a [`Transport`]: straight through hyper for a plain-HTTP
//! endpoint (an emulator), through reqwest for HTTPS or a proxy (see
//! [`crate::http::transport`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use http::header::{CONTENT_TYPE as CONTENT_TYPE_HEADER, HeaderMap, HeaderName, HeaderValue};
use http_body_util::BodyExt as _;
use hyper::body::{Body as _, Bytes};
use serde_json::Value;

use crate::http::retry::{Pacer, RetryPolicy, RetryQuota, Retryable, classify, within_budget};
use crate::http::transport::{ReplyBody, Route, SendError, Transport, describe};
use crate::service::error_code::error_code;

/// The awsJson1_1 content type.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The target prefix of every Cognito Identity Provider operation.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";

/// The most of a reply's body the client reads: 10 MiB, far above any Cognito reply. A reply
/// that declares a longer body (`Content-Length`) is not read at all; one that sends more without
/// declaring it is read up to here and dropped. Either fails the request, without retries.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The longest the client waits for a connection: the per-request timeout, at most this.
pub const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The header naming the case a request belongs to, sent only by a client made with
/// [`Client::tagging_cases`] (a replay of a recording answers each case from its own record).
pub const CASE_HEADER: &str = "x-cognito-contract-case";

const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");

tokio::task_local! {
    static CASE: String;
}

/// Runs `future` as case `case_id`'s: a [`Client::tagging_cases`] client sends the id in
/// [`CASE_HEADER`] with every request made inside it.
pub async fn in_case<F: std::future::Future>(case_id: String, future: F) -> F::Output {
    CASE.scope(case_id, future).await
}

/// An unsigned awsJson1_1 call of `operation` with `body` to `uri` (absolute): a `POST` with
/// the `content-type` and `x-amz-target` the protocol wants.
pub fn operation_request(
    uri: &http::Uri,
    operation: &str,
    body: impl Into<Bytes>,
) -> http::Request<Bytes> {
    let mut request = http::Request::new(body.into());
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = uri.clone();
    let headers = request.headers_mut();
    headers.insert(CONTENT_TYPE_HEADER, HeaderValue::from_static(CONTENT_TYPE));
    let target = HeaderValue::try_from(format!("{TARGET_PREFIX}.{operation}"));
    // An operation name that is no header value is sent without the header: the target answers
    // that, as it would any unknown operation.
    if let Ok(target) = target {
        headers.insert(X_AMZ_TARGET, target);
    }
    request
}

/// The endpoint `text` as a URI the transports take: parsed and normalised as a URL (default
/// port dropped, host lowercased, `.` and `..` resolved), with a trailing `/`.
pub fn endpoint_uri(text: &str) -> Result<http::Uri, String> {
    let url =
        url::Url::parse(text).map_err(|e| format!("the endpoint {text} is not a URL: {e}"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("the endpoint {text} has a query or a fragment"));
    }
    url.as_str()
        .parse()
        .map_err(|e| format!("the endpoint {text} is not a URI: {e}"))
}

/// Adds authentication to a request that is otherwise ready to send. Called once per attempt.
pub trait RequestSigner: Send + Sync {
    fn sign<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
    ) -> BoxFuture<'a, Result<(), String>>;
}

/// How a client sends: timeout, retries, pacing.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientOptions {
    /// The longest one attempt may take, from connecting to the last byte of the reply. It also
    /// bounds retrying: no retry starts once the attempts have taken this long in all.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// Requests in flight at most (`None`: no limit).
    pub max_concurrency: Option<usize>,
    /// Requests per second at most (`None`: no limit).
    pub requests_per_second: Option<f64>,
}

impl ClientOptions {
    /// For emulators: short retry waits, no pacing.
    pub fn emulator(request_timeout: Duration) -> ClientOptions {
        ClientOptions {
            request_timeout,
            retry: RetryPolicy::emulator(),
            max_concurrency: None,
            requests_per_second: None,
        }
    }

    /// For real AWS: the SDKs' standard retries, at most [`AWS_MAX_CONCURRENCY`] requests in
    /// flight and [`AWS_REQUESTS_PER_SECOND`] per second.
    pub fn aws(request_timeout: Duration) -> ClientOptions {
        ClientOptions {
            request_timeout,
            retry: RetryPolicy::standard(),
            max_concurrency: Some(AWS_MAX_CONCURRENCY),
            requests_per_second: Some(AWS_REQUESTS_PER_SECOND),
        }
    }
}

/// Default requests in flight against real AWS.
pub const AWS_MAX_CONCURRENCY: usize = 4;
/// Default requests per second against real AWS: below the lowest Cognito per-category quotas
/// for the operations the suite calls, with the rest of the account's traffic in mind.
pub const AWS_REQUESTS_PER_SECOND: f64 = 5.0;

/// A reply as received (the last attempt's, when there were retries).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// How long the last attempt took.
    pub elapsed: Duration,
    /// How many attempts were made (1 without retries).
    pub attempts: u32,
    /// One line per retried attempt: what it got and how long the client waited.
    pub retries: Vec<String>,
}

impl Reply {
    /// A header's value as text (header names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error code a client reads from the reply, if any.
    pub fn error_code(&self) -> Option<String> {
        let header = self.header("x-amzn-errortype");
        // Every reply is asked (retries depend on it): parse the body only when it can hold
        // one of the members a code is read from.
        let named = |member: &[u8]| memchr::memmem::find(&self.body, member).is_some();
        if header.is_some() || !(named(b"\"code\"") || named(b"\"__type\"")) {
            return error_code(header, None);
        }
        let body = serde_json::from_slice::<Value>(&self.body).ok();
        error_code(header, body.as_ref())
    }
}

/// Sends requests to one endpoint. Clones share the pacer, the retry quota and the connections.
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
    endpoint: String,
    /// The endpoint, parsed once (each request gets a copy, not a parse).
    uri: http::Uri,
    signer: Option<Arc<dyn RequestSigner>>,
    options: ClientOptions,
    pacer: Arc<Pacer>,
    quota: Arc<RetryQuota>,
    /// Send [`CASE_HEADER`] (see [`in_case`]).
    tag_cases: bool,
}

/// What one attempt came to.
enum Attempt {
    Reply(Reply),
    /// No reply (connection refused or reset, timeout, ...): retried.
    Lost(String),
    /// A reply that cannot be used and would be the same again (a body over
    /// [`MAX_BODY_BYTES`]): not retried.
    Unusable(String),
}

impl Client {
    /// A client for `endpoint` (e.g. `http://127.0.0.1:5000`) that signs with `signer` (`None`:
    /// never sign).
    pub fn new(
        endpoint: &str,
        signer: Option<Arc<dyn RequestSigner>>,
        options: &ClientOptions,
    ) -> Result<Client, String> {
        let endpoint = endpoint.trim_end_matches('/').to_owned() + "/";
        let uri = endpoint_uri(&endpoint)?;
        let connect_timeout = options.request_timeout.min(MAX_CONNECT_TIMEOUT);
        Ok(Client {
            transport: Arc::new(Transport::new(&uri, connect_timeout)?),
            endpoint,
            uri,
            signer,
            options: options.clone(),
            pacer: Arc::new(Pacer::new(
                options.max_concurrency,
                options.requests_per_second,
            )),
            quota: Arc::new(RetryQuota::new()),
            tag_cases: false,
        })
    }

    /// This client, sending the id of the case a request belongs to in [`CASE_HEADER`]: for a
    /// target that answers per case (a replay), never for a real one.
    pub fn tagging_cases(mut self) -> Client {
        self.tag_cases = true;
        self
    }

    /// The case header's value for a request made now, if this client sends it.
    fn case_tag(&self) -> Option<String> {
        self.tag_cases
            .then(|| CASE.try_with(Clone::clone).ok())
            .flatten()
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// Whether requests to signed operations get signed.
    pub fn signs(&self) -> bool {
        self.signer.is_some()
    }

    /// How requests reach the endpoint.
    pub fn route(&self) -> Route {
        self.transport.route()
    }

    /// Sends `body` to `operation`, retrying per the policy; `unauthenticated` skips the
    /// signer. `Err` means no attempt got a reply (or the request could not be built).
    pub async fn send(
        &self,
        operation: &str,
        body: &Value,
        unauthenticated: bool,
    ) -> Result<Reply, String> {
        // Bytes: each attempt's copy of the payload is a reference count, not a copy.
        let payload = Bytes::from(serde_json::to_vec(body).map_err(|e| e.to_string())?);
        let mut request = operation_request(&self.uri, operation, payload);
        self.tag(&mut request);
        self.execute(&request, !unauthenticated).await
    }

    /// A plain unsigned `GET` of `path` on the endpoint (e.g. a pool's
    /// `/<pool id>/.well-known/jwks.json`), with the same pacing, timeout and retries.
    pub async fn get(&self, path: &str) -> Result<Reply, String> {
        let url = format!("{}{}", self.endpoint, path.trim_start_matches('/'));
        let mut request = http::Request::new(Bytes::new());
        *request.uri_mut() = endpoint_uri(&url)?;
        self.tag(&mut request);
        self.execute(&request, false).await
    }

    /// Adds [`CASE_HEADER`] to `request` when this client sends it.
    fn tag(&self, request: &mut http::Request<Bytes>) {
        if let Some(case) = self.case_tag()
            && let Ok(value) = HeaderValue::try_from(case)
        {
            request
                .headers_mut()
                .insert(HeaderName::from_static(CASE_HEADER), value);
        }
    }

    /// Sends a copy of `request`, signed if `sign` and there is a signer, retrying per the
    /// policy while the attempts stay within the per-request timeout in all.
    async fn execute(&self, request: &http::Request<Bytes>, sign: bool) -> Result<Reply, String> {
        let policy = &self.options.retry;
        let timeout = self.options.request_timeout;
        let mut retries: Vec<String> = Vec::new();
        let mut spent = 0;
        let mut attempt = 0;
        let mut sending = Duration::ZERO;
        loop {
            attempt += 1;
            let (outcome, took) = self.attempt(request, sign).await?;
            sending += took;
            let (why, code) = match &outcome {
                Attempt::Reply(reply) => {
                    let code = reply.error_code();
                    (classify(reply.status, code.as_deref()), code)
                }
                Attempt::Lost(_) => (Some(Retryable::Transport), None),
                Attempt::Unusable(_) => (None, None),
            };
            // What the attempt got, for the retry notes (written only when there is one).
            let what = || match (&outcome, &code) {
                (Attempt::Reply(reply), Some(code)) => format!("HTTP {} {code}", reply.status),
                (Attempt::Reply(reply), None) => format!("HTTP {}", reply.status),
                (Attempt::Lost(message) | Attempt::Unusable(message), _) => message.clone(),
            };
            let stop = match why {
                None => {
                    if matches!(outcome, Attempt::Reply(_)) {
                        self.quota.release(spent);
                    }
                    None
                }
                Some(_) if attempt >= policy.max_attempts.max(1) => Some(String::new()),
                Some(_) if !within_budget(sending, timeout) => Some(format!(
                    "; not retried: the attempts took {} s in all, the per-request timeout is {} s",
                    seconds(sending),
                    seconds(timeout)
                )),
                Some(why) => {
                    let cost = RetryQuota::cost(why);
                    if self.quota.acquire(cost) {
                        spent += cost;
                        None
                    } else {
                        Some("; not retried: the retry quota is used up".to_owned())
                    }
                }
            };
            if why.is_some() && stop.is_none() {
                let delay = policy.backoff(attempt, random_fraction());
                retries.push(format!(
                    "attempt {attempt}: {}; retried after {} ms",
                    what(),
                    delay.as_millis()
                ));
                tokio::time::sleep(delay).await;
                continue;
            }
            let note = stop.unwrap_or_default();
            if !note.is_empty() && matches!(outcome, Attempt::Reply(_)) {
                retries.push(format!("attempt {attempt}: {}{note}", what()));
            }
            return match outcome {
                Attempt::Reply(mut reply) => {
                    reply.attempts = attempt;
                    reply.retries = retries;
                    Ok(reply)
                }
                Attempt::Lost(message) | Attempt::Unusable(message) if retries.is_empty() => {
                    Err(format!("{message}{note}"))
                }
                Attempt::Lost(message) | Attempt::Unusable(message) => {
                    retries.push(format!("attempt {attempt}: {message}{note}"));
                    Err(format!(
                        "{message} (after {attempt} attempts: {})",
                        same_as(&message, &retries).join("; ")
                    ))
                }
            };
        }
    }

    /// One attempt: wait for the pacer, sign a copy of `request`, send it, read the reply (at
    /// most [`MAX_BODY_BYTES`] of body), all within the per-request timeout. Also returns how
    /// long it took from sending on (the pacer's wait not counted).
    async fn attempt(
        &self,
        request: &http::Request<Bytes>,
        sign: bool,
    ) -> Result<(Attempt, Duration), String> {
        let _permit = self.pacer.admit().await;
        let mut request = copy(request);
        if sign && let Some(signer) = &self.signer {
            signer.sign(&mut request).await?;
        }
        let started = Instant::now();
        let deadline = tokio::time::Instant::from_std(started) + self.options.request_timeout;
        let response = match tokio::time::timeout_at(deadline, self.transport.send(request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(SendError::ConnectTimeout)) => {
                let message = self.timed_out(true);
                return Ok((Attempt::Lost(message), started.elapsed()));
            }
            Ok(Err(SendError::Other(message))) => {
                return Ok((Attempt::Lost(message), started.elapsed()));
            }
            Err(_) => return Ok((Attempt::Lost(self.timed_out(false)), started.elapsed())),
        };
        let (head, body) = response.into_parts();
        let status = head.status.as_u16();
        let body = match self.read_body(body, status, deadline).await {
            Ok(body) => body,
            Err(attempt) => return Ok((attempt, started.elapsed())),
        };
        let elapsed = started.elapsed();
        let reply = Reply {
            status,
            headers: head.headers,
            body,
            elapsed,
            attempts: 1,
            retries: Vec::new(),
        };
        Ok((Attempt::Reply(reply), elapsed))
    }

    /// The reply `body` (of an HTTP `status` reply), at most [`MAX_BODY_BYTES`] of it, read by
    /// `deadline`; else what the attempt came to instead.
    async fn read_body(
        &self,
        mut body: ReplyBody,
        status: u16,
        deadline: tokio::time::Instant,
    ) -> Result<Vec<u8>, Attempt> {
        let too_large = || {
            format!(
                "body larger than {} (the cap on what is read) in an HTTP {status} reply",
                mib(MAX_BODY_BYTES)
            )
        };
        let declared = body.size_hint().exact();
        if let Some(length) = declared
            && length > MAX_BODY_BYTES as u64
        {
            let message = format!(
                "{}: Content-Length {length}; not read, not retried",
                too_large()
            );
            return Err(Attempt::Unusable(message));
        }
        let declared = declared.unwrap_or(0) as usize;
        let mut read = Vec::with_capacity(declared);
        loop {
            let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
                Ok(frame) => frame,
                Err(_) => {
                    return Err(Attempt::Lost(format!(
                        "{} while reading the body of an HTTP {status} reply ({} bytes read)",
                        self.timed_out(false),
                        read.len()
                    )));
                }
            };
            let chunk = match frame {
                None => return Ok(read),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(chunk) => chunk,
                    // Trailers: not part of the body.
                    Err(_) => continue,
                },
                Some(Err(e)) => {
                    return Err(Attempt::Lost(format!(
                        "connection lost while reading the body of an HTTP {status} reply \
                         ({} bytes read): {}",
                        read.len(),
                        describe(&*e)
                    )));
                }
            };
            if read.len() + chunk.len() > MAX_BODY_BYTES {
                let message = format!(
                    "{}: stopped reading at {} bytes; not retried",
                    too_large(),
                    read.len() + chunk.len()
                );
                return Err(Attempt::Unusable(message));
            }
            if read.is_empty() && declared == chunk.len() {
                read = Vec::from(chunk);
            } else {
                read.extend_from_slice(&chunk);
            }
        }
    }

    /// What a timed-out attempt says: the connect timeout (when `connecting` timed out and that
    /// timeout is the shorter) or the per-request timeout.
    fn timed_out(&self, connecting: bool) -> String {
        let timeout = self.options.request_timeout;
        if connecting && timeout > MAX_CONNECT_TIMEOUT {
            format!(
                "timed out connecting after {} s (the connect timeout)",
                seconds(MAX_CONNECT_TIMEOUT)
            )
        } else {
            format!(
                "timed out after {} s (the per-request timeout)",
                seconds(timeout)
            )
        }
    }
}

/// A copy of `request` for one attempt (the body is reference-counted, not copied).
fn copy(request: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// The retry lines with `message`, where an attempt got just that, shortened to "the same":
/// `attempt 1: the same; retried after 8 ms`.
fn same_as(message: &str, retries: &[String]) -> Vec<String> {
    retries
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let head = format!("attempt {}: {message}", i + 1);
            match line.strip_prefix(&head) {
                Some(rest) if rest.is_empty() || rest.starts_with(';') => {
                    format!("attempt {}: the same{rest}", i + 1)
                }
                _ => line.clone(),
            }
        })
        .collect()
}

/// A random number in `[0, 1)` for jitter.
fn random_fraction() -> f64 {
    fastrand::f64()
}

/// A duration in seconds, to the millisecond, for messages: `0.5`, `30`, `0.503`.
fn seconds(duration: Duration) -> f64 {
    Duration::from_millis(duration.as_millis() as u64).as_secs_f64()
}

/// A byte count in whole MiB for messages: `10 MiB`.
fn mib(bytes: usize) -> String {
    format!("{} MiB", bytes / (1024 * 1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_that_got_the_final_message_say_the_same() {
        let retries = vec![
            "attempt 1: refused; retried after 8 ms".to_owned(),
            "attempt 2: reset; retried after 12 ms".to_owned(),
            "attempt 3: refused (os error 111); retried after 9 ms".to_owned(),
            "attempt 4: refused".to_owned(),
        ];
        assert_eq!(
            same_as("refused", &retries),
            [
                "attempt 1: the same; retried after 8 ms",
                "attempt 2: reset; retried after 12 ms",
                "attempt 3: refused (os error 111); retried after 9 ms",
                "attempt 4: the same",
            ]
        );
    }

    #[test]
    fn messages_give_seconds_to_the_millisecond_and_whole_mib() {
        assert_eq!(seconds(Duration::from_micros(503_777)), 0.503);
        assert_eq!(seconds(Duration::from_secs(30)), 30.0);
        assert_eq!(mib(MAX_BODY_BYTES), "10 MiB");
    }
}
