//! How a request reaches the target, and its reply comes back: connections, pools, TLS and
//! proxies, nothing about Cognito. The client ([`crate::http::client`]) builds, signs, times and
//! retries requests; this module only sends one and hands back the reply's head and body.
//!
//! There are two routes, chosen once per endpoint:
//! - **direct**: a plain-HTTP endpoint that no proxy variable covers (an emulator, usually on
//!   loopback) is sent straight over hyper's HTTP/1 connections, kept alive in a small pool of
//!   idle ones (TCP no-delay, a connect timeout). It does only what that needs, so that a checked
//!   step costs little more than the request itself (`cognito-contract bench`): on loopback,
//!   reqwest's layers (URL re-parsing, the redirect and retry services, the proxy lookup) and
//!   hyper-util's general pool cost about 45% of a raw reqwest request's CPU time. A pooled
//!   connection that the server closed while it was idle gives its request back unsent, which
//!   then goes out on a new connection.
//! - **reqwest**: an HTTPS endpoint (real AWS), or a plain-HTTP one that `HTTP_PROXY`,
//!   `ALL_PROXY` (less `NO_PROXY`) send through a proxy, goes through reqwest: rustls with the
//!   platform's roots, and the proxy variables as reqwest reads them. Whether a proxy covers
//!   the endpoint is decided by the same matcher reqwest uses (hyper-util's), so the proxy
//!   variables mean what they meant when every request went through reqwest.
//!
//! Neither route follows redirects or retries: the client does its own retrying, and a target
//! that redirects an API call is answering with that reply.
//!
//! A connection is driven by a task of the tokio runtime that opened it, and a connection opened
//! on a current-thread runtime (each trial thread drives its own, see [`crate::suite::block_on`])
//! must not be used from another: a [`Transport`] therefore keeps one pool per runtime, made on
//! that runtime's first request and dropped when the runtime has shut down.

use std::borrow::Cow;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::{HOST, HeaderValue};
use http_body_util::{Either, Full};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::client::conn::http1::SendRequest;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;

/// A reply's body, as either route delivers it. Its errors are boxed.
pub type ReplyBody = Either<PooledBody, reqwest::Body>;

/// The most idle connections kept per runtime (a trial thread sends one request at a time).
const MAX_IDLE: usize = 4;

/// Why a request got no reply.
#[derive(Debug)]
pub enum SendError {
    /// Connecting took longer than the connect timeout.
    ConnectTimeout,
    /// Anything else: refused, reset, a TLS or proxy failure; the text names the causes.
    Other(String),
}

/// Which route an endpoint's requests take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Direct,
    Reqwest,
}

impl Route {
    /// The route for `endpoint`: direct for plain HTTP that no proxy variable covers.
    pub fn for_endpoint(endpoint: &http::Uri) -> Route {
        Route::with_proxies(endpoint, &Matcher::from_system())
    }

    /// The route for `endpoint` when `proxies` say which destinations go through a proxy.
    fn with_proxies(endpoint: &http::Uri, proxies: &Matcher) -> Route {
        let proxied = || proxies.intercept(endpoint).is_some();
        if endpoint.scheme() == Some(&http::uri::Scheme::HTTP) && !proxied() {
            Route::Direct
        } else {
            Route::Reqwest
        }
    }
}

/// Sends requests to one endpoint over its route, with one connection pool per tokio runtime.
pub struct Transport {
    route: Route,
    /// `host:port`, for direct connections.
    address: String,
    /// The `host` header of direct requests.
    host: HeaderValue,
    connect_timeout: Duration,
    pools: Mutex<Vec<RuntimePool>>,
}

struct RuntimePool {
    runtime: tokio::runtime::Id,
    /// Shared with a task that never ends: while the runtime lives the count is 2.
    alive: Arc<()>,
    pool: Arc<Pool>,
}

enum Pool {
    /// The idle direct connections (shared with the bodies that give theirs back).
    Direct(Arc<Idle>),
    Reqwest(reqwest::Client),
}

/// Direct connections with no request on them, the most recently used last.
type Idle = Mutex<Vec<SendRequest<Full<Bytes>>>>;

impl Transport {
    /// A transport to `endpoint` (absolute) that gives up connecting after `connect_timeout`.
    pub fn new(endpoint: &http::Uri, connect_timeout: Duration) -> Result<Transport, String> {
        let host = host_header(endpoint)?;
        let port = endpoint.port_u16().unwrap_or(80);
        let address = format!("{}:{port}", endpoint.host().unwrap_or_default());
        Ok(Transport {
            route: Route::for_endpoint(endpoint),
            address,
            host: HeaderValue::try_from(host.as_ref())
                .map_err(|_| format!("the endpoint host {host} is not a header value"))?,
            connect_timeout,
            pools: Mutex::new(Vec::new()),
        })
    }

    pub fn route(&self) -> Route {
        self.route
    }

    /// Sends `request` (whose URI is absolute) and returns the reply's head with its body still
    /// to be read. Bounds only the connecting: the caller bounds the rest.
    pub async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<ReplyBody>, SendError> {
        match &*self.pool()? {
            Pool::Direct(idle) => self.send_direct(idle, request).await,
            Pool::Reqwest(client) => {
                let request = reqwest::Request::try_from(request)
                    .map_err(|e| SendError::Other(describe(&e)))?;
                match client.execute(request).await {
                    Ok(response) => Ok(http::Response::from(response).map(Either::Right)),
                    Err(e) if e.is_connect() && e.is_timeout() => Err(SendError::ConnectTimeout),
                    Err(e) => Err(SendError::Other(describe(&e))),
                }
            }
        }
    }

    /// Sends `request` over an idle connection, or a new one when there is none or the idle
    /// one turns out closed before the request went out.
    async fn send_direct(
        &self,
        idle: &Arc<Idle>,
        mut request: http::Request<Bytes>,
    ) -> Result<http::Response<ReplyBody>, SendError> {
        // Over a connection of its own, a request names only its path; the host goes in `host`.
        let mut target = http::uri::Parts::default();
        target.path_and_query = request.uri().path_and_query().cloned();
        *request.uri_mut() =
            http::Uri::from_parts(target).map_err(|e| SendError::Other(e.to_string()))?;
        request
            .headers_mut()
            .entry(HOST)
            .or_insert_with(|| self.host.clone());
        let mut request = request.map(Full::new);
        loop {
            let (mut connection, pooled) = match checkout(idle).await {
                Some(connection) => (connection, true),
                None => (self.connect().await?, false),
            };
            match connection.try_send_request(request).await {
                Ok(response) => {
                    let back = Arc::downgrade(idle);
                    return Ok(response.map(|body| {
                        Either::Left(PooledBody {
                            body,
                            connection: Some((connection, back)),
                        })
                    }));
                }
                Err(mut e) => match e.take_message() {
                    Some(unsent) if pooled => request = unsent,
                    _ => return Err(SendError::Other(describe(e.error()))),
                },
            }
        }
    }

    /// A new connection to the endpoint, within the connect timeout.
    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, SendError> {
        let connecting = tokio::net::TcpStream::connect(self.address.as_str());
        let stream = match tokio::time::timeout(self.connect_timeout, connecting).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                let message = format!("cannot connect to {}: {e}", self.address);
                return Err(SendError::Other(message));
            }
            Err(_) => return Err(SendError::ConnectTimeout),
        };
        // Requests are small and each waits for its reply: send them at once.
        let _ = stream.set_nodelay(true);
        let (connection, driver) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| SendError::Other(describe(&e)))?;
        // The connection's I/O runs on this runtime until the server or the pool drops it.
        tokio::spawn(async move {
            let _ = driver.await;
        });
        Ok(connection)
    }

    /// The pool of the runtime this is called in (made on its first request there).
    fn pool(&self) -> Result<Arc<Pool>, SendError> {
        let handle =
            tokio::runtime::Handle::try_current().map_err(|e| SendError::Other(e.to_string()))?;
        let id = handle.id();
        let mut pools = self.pools.lock().unwrap_or_else(PoisonError::into_inner);
        pools.retain(|p| Arc::strong_count(&p.alive) > 1);
        if let Some(pool) = pools.iter().find(|p| p.runtime == id) {
            return Ok(pool.pool.clone());
        }
        let pool = Arc::new(match self.route {
            Route::Direct => Pool::Direct(Arc::new(Mutex::new(Vec::new()))),
            Route::Reqwest => Pool::Reqwest(self.reqwest_client()?),
        });
        let alive = Arc::new(());
        let marker = alive.clone();
        handle.spawn(async move {
            let _marker = marker;
            std::future::pending::<()>().await
        });
        pools.push(RuntimePool {
            runtime: id,
            alive,
            pool: pool.clone(),
        });
        Ok(pool)
    }

    fn reqwest_client(&self) -> Result<reqwest::Client, SendError> {
        reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .retry(reqwest::retry::never())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                SendError::Other(format!("cannot build the HTTP client: {}", describe(&e)))
            })
    }
}

/// An idle connection that is still open and ready for a request, if there is one. (A
/// connection is ready once its task has seen the last reply through, which it may not have had
/// the chance to do yet: waiting for that lets it run.)
async fn checkout(idle: &Idle) -> Option<SendRequest<Full<Bytes>>> {
    loop {
        let mut connection = idle.lock().unwrap_or_else(PoisonError::into_inner).pop()?;
        if !connection.is_closed() && connection.ready().await.is_ok() {
            return Some(connection);
        }
    }
}

/// The body of a direct reply. Once it has been read to its end, its connection goes back to
/// the idle ones (unless the server closed it); a body dropped before its end takes its
/// connection with it.
pub struct PooledBody {
    body: Incoming,
    connection: Option<(SendRequest<Full<Bytes>>, Weak<Idle>)>,
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if let Poll::Ready(None) = polled
            && let Some((connection, idle)) = this.connection.take()
            && let Some(idle) = idle.upgrade()
            && !connection.is_closed()
        {
            let mut idle = idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE {
                idle.push(connection);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The `host` header a request to `uri` carries, as hyper and reqwest write it: the host, and
/// the port unless it is the scheme's default. SigV4 signs this value.
pub fn host_header(uri: &http::Uri) -> Result<Cow<'_, str>, String> {
    let host = uri.host().ok_or("the request URL has no host")?;
    let default = match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    Ok(match uri.port_u16() {
        Some(port) if port != default => format!("{host}:{port}").into(),
        _ => host.into(),
    })
}

/// An error with its causes, which carry the useful part ("connection refused").
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // hyper-util repeats its cause in its own text; say each part once.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_goes_direct_unless_a_proxy_covers_it_and_https_through_reqwest() {
        let uri = |text: &str| text.parse::<http::Uri>().unwrap();
        let none = Matcher::builder().build();
        let proxies = Matcher::builder()
            .http("http://127.0.0.1:3128")
            .no("127.0.0.2")
            .build();
        let cases = [
            ("http://127.0.0.1:5000/", &none, Route::Direct),
            (
                "https://cognito-idp.us-east-1.amazonaws.com/",
                &none,
                Route::Reqwest,
            ),
            ("http://127.0.0.1:5000/", &proxies, Route::Reqwest),
            ("http://127.0.0.2:5000/", &proxies, Route::Direct),
        ];
        for (endpoint, matcher, route) in cases {
            assert_eq!(
                Route::with_proxies(&uri(endpoint), matcher),
                route,
                "{endpoint}"
            );
        }
    }

    #[test]
    fn an_error_is_described_with_its_causes_each_once() {
        #[derive(Debug)]
        struct Outer(std::io::Error, &'static str);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.1)
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let late = || std::io::Error::new(std::io::ErrorKind::TimedOut, "late");
        assert_eq!(
            describe(&Outer(late(), "tcp connect error")),
            "tcp connect error: late"
        );
        assert_eq!(
            describe(&Outer(late(), "tcp connect error: late")),
            "tcp connect error: late"
        );
    }
}
