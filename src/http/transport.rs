//! How a request reaches the target, and its reply comes back: connections, pools, TLS and
//! proxies, nothing about Cognito. The client ([`crate::http::client`]) builds, signs, times and
//! retries requests; this module only sends one and hands back the reply's head and body.
//!
//! There are two routes, chosen once per endpoint:
//! - **direct**: a plain-HTTP endpoint that no proxy variable covers (an emulator, usually on
//!   loopback) is sent straight through hyper-util's pooled HTTP/1 client (keep-alive, no
//!   delay, a connect timeout). It does only what that needs, so that a checked step costs little
//!   more than the request itself (`cognito-contract bench`): reqwest's layers (URL re-parsing,
//!   the redirect and retry services, the proxy lookup) cost a fifth of a request's CPU time on
//!   loopback.
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

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// A reply's body, as either route delivers it. Its errors are boxed.
pub type ReplyBody = Either<Incoming, reqwest::Body>;

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

/// Sends requests over one route, with one connection pool per tokio runtime.
pub struct Transport {
    route: Route,
    connect_timeout: Duration,
    pools: std::sync::Mutex<Vec<RuntimePool>>,
}

struct RuntimePool {
    runtime: tokio::runtime::Id,
    /// Shared with a task that never ends: while the runtime lives the count is 2.
    alive: Arc<()>,
    pool: Arc<Pool>,
}

/// One per runtime and behind an [`Arc`], so the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum Pool {
    Direct(HyperClient<HttpConnector, Full<Bytes>>),
    Reqwest(reqwest::Client),
}

impl Transport {
    /// A transport for `route` that gives up connecting after `connect_timeout`.
    pub fn new(route: Route, connect_timeout: Duration) -> Transport {
        Transport {
            route,
            connect_timeout,
            pools: std::sync::Mutex::new(Vec::new()),
        }
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
            Pool::Direct(client) => {
                let request = request.map(Full::new);
                match client.request(request).await {
                    Ok(response) => Ok(response.map(Either::Left)),
                    Err(e) if e.is_connect() && caused_by_timeout(&e) => {
                        Err(SendError::ConnectTimeout)
                    }
                    Err(e) => Err(SendError::Other(describe(&e))),
                }
            }
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

    /// The pool of the runtime this is called in (made on its first request there).
    fn pool(&self) -> Result<Arc<Pool>, SendError> {
        let handle =
            tokio::runtime::Handle::try_current().map_err(|e| SendError::Other(e.to_string()))?;
        let id = handle.id();
        let mut pools = self
            .pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pools.retain(|p| Arc::strong_count(&p.alive) > 1);
        if let Some(pool) = pools.iter().find(|p| p.runtime == id) {
            return Ok(pool.pool.clone());
        }
        let pool = Arc::new(match self.route {
            Route::Direct => Pool::Direct(self.direct_client()),
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

    fn direct_client(&self) -> HyperClient<HttpConnector, Full<Bytes>> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(self.connect_timeout));
        HyperClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector)
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

/// Whether `error` or one of its causes is an I/O timeout.
fn caused_by_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut)
        {
            return true;
        }
        cause = error.source();
    }
    false
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
    fn a_timeout_is_found_among_the_causes() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("tcp connect error")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let timed_out = Outer(std::io::Error::new(std::io::ErrorKind::TimedOut, "late"));
        let refused = Outer(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(caused_by_timeout(&timed_out));
        assert!(!caused_by_timeout(&refused));
        assert_eq!(describe(&timed_out), "tcp connect error: late");
    }
}
