//! The connections under the client, against a plain-HTTP server written here byte by byte:
//! requests share one kept-alive connection; a server that closes every connection after its
//! reply (as moto does) or drops an idle one costs no retry; the `host` header is the one SigV4
//! signs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognito_contract::http::client::{Client, ClientOptions};
use cognito_contract::http::transport::Route;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the server does with a connection after each reply.
#[derive(Clone, Copy)]
enum AfterReply {
    KeepOpen,
    /// Says `connection: close` and closes.
    Close,
    /// Keeps the connection for a moment, then closes it without a word (an idle timeout).
    DropSoon,
}

/// A server that answers every request with `{}` and counts connections; the request heads it
/// saw are kept.
struct Server {
    endpoint: String,
    connections: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Server {
    async fn start(after: AfterReply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (connections.clone(), heads.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, after, seen.clone()));
            }
        });
        Server {
            endpoint,
            connections,
            heads,
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(stream: tokio::net::TcpStream, after: AfterReply, heads: Arc<Mutex<Vec<String>>>) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await.unwrap();
        heads.lock().unwrap().push(head);
        let close = matches!(after, AfterReply::Close);
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
             x-amzn-requestid: 1\r\ncontent-length: 2\r\n{}\r\n{{}}",
            if close { "connection: close\r\n" } else { "" }
        );
        stream.write_all(reply.as_bytes()).await.unwrap();
        match after {
            AfterReply::KeepOpen => {}
            AfterReply::Close => return,
            AfterReply::DropSoon => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                return;
            }
        }
    }
}

fn client(server: &Server) -> Client {
    Client::new(
        &server.endpoint,
        None,
        &ClientOptions::emulator(Duration::from_secs(5)),
    )
    .unwrap()
}

/// Sends `count` requests through one client, pausing `pause` after each; each must get its
/// reply at the first attempt. Returns how many connections the server saw.
async fn first_attempts(after: AfterReply, count: usize, pause: Duration) -> usize {
    let server = Server::start(after).await;
    let client = client(&server);
    assert_eq!(client.route(), Route::Direct);
    for _ in 0..count {
        let reply = client
            .send("ListUserPools", &json!({}), false)
            .await
            .unwrap();
        let got = (reply.status, reply.attempts);
        assert_eq!(got, (200, 1), "{:?}", reply.retries);
        tokio::time::sleep(pause).await;
    }
    server.connections()
}

#[tokio::test]
async fn requests_share_one_kept_alive_connection() {
    assert_eq!(
        first_attempts(AfterReply::KeepOpen, 20, Duration::ZERO).await,
        1
    );
}

#[tokio::test]
async fn a_server_that_closes_each_connection_costs_no_retry() {
    assert_eq!(
        first_attempts(AfterReply::Close, 20, Duration::ZERO).await,
        20
    );
}

#[tokio::test]
async fn an_idle_connection_the_server_dropped_is_replaced_without_a_retry() {
    // The pause is long enough for the server to have closed the connection.
    let pause = Duration::from_millis(60);
    assert_eq!(first_attempts(AfterReply::DropSoon, 5, pause).await, 5);
}

#[tokio::test]
async fn requests_carry_the_host_and_an_origin_form_target() {
    let server = Server::start(AfterReply::KeepOpen).await;
    let client = client(&server);
    client
        .send("ListUserPools", &json!({}), false)
        .await
        .unwrap();
    let heads = server.heads.lock().unwrap().clone();
    let head = heads[0].to_ascii_lowercase();
    let address = server.endpoint.trim_start_matches("http://");
    assert!(head.starts_with("post / http/1.1\r\n"), "{head}");
    assert!(head.contains(&format!("host: {address}\r\n")), "{head}");
    assert!(
        head.contains("x-amz-target: awscognitoidentityproviderservice.listuserpools\r\n"),
        "{head}"
    );
}
