//! A small HTTP/1 server on a free loopback port, on a thread and a current-thread runtime of its
//! own, so that it shares no threads with the client it answers: the benchmark's stub, the
//! replay of a recording, and the tests' SigV4-checking stand-in for AWS. Each request goes to a handler function; the server stops when its
//! handle is dropped.

use std::convert::Infallible;
use std::future::Future;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};

/// What a handler answers.
pub type Reply = Response<Full<Bytes>>;

/// A running server; stops when dropped.
pub struct LoopbackServer {
    endpoint: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl LoopbackServer {
    /// Serves `handler` on a free port of 127.0.0.1.
    pub fn start<H, F>(handler: H) -> Result<LoopbackServer, String>
    where
        H: Fn(Request<Incoming>) -> F + Clone + Send + 'static,
        F: Future<Output = Result<Reply, Infallible>> + Send + 'static,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || serve(listener, handler, stopped));
        Ok(LoopbackServer {
            endpoint: format!("http://{address}"),
            _stop: stop,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

fn serve<H, F>(
    listener: std::net::TcpListener,
    handler: H,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) where
    H: Fn(Request<Incoming>) -> F + Clone + Send + 'static,
    F: Future<Output = Result<Reply, Infallible>> + Send + 'static,
{
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async move {
        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
            return;
        };
        loop {
            let stream = tokio::select! {
                _ = &mut stopped => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => continue,
                },
            };
            let service = hyper::service::service_fn(handler.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_each_request_with_the_handler_and_stops_when_dropped() {
        let server = LoopbackServer::start(|request: Request<Incoming>| async move {
            let body = format!("you asked for {}", request.uri().path());
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body))))
        })
        .unwrap();
        let endpoint = server.endpoint().to_owned();
        let get = |path: &str| {
            let url = format!("{endpoint}{path}");
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move { reqwest::get(url).await?.text().await })
        };
        assert_eq!(get("/a").unwrap(), "you asked for /a");
        assert_eq!(get("/b").unwrap(), "you asked for /b");
        drop(server);
        // The server's thread notices the drop at its next turn: wait for it, up to 10 s.
        let stopped = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            get("/a").is_err()
        });
        assert!(stopped, "the server stopped with its handle");
    }
}
