//! Sending one awsJson1_1 request: `POST /` with `X-Amz-Target:
//! AWSCognitoIdentityProviderService.<Operation>` and `Content-Type: application/x-amz-json-1.1`.
//! Authentication plugs in through [`RequestSigner`]; operations the model marks unauthenticated
//! are sent without it, as the AWS SDKs send them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

/// The awsJson1_1 content type.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The target prefix of every Cognito Identity Provider operation.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";

/// Adds authentication to a request that is otherwise ready to send.
pub trait RequestSigner: Send + Sync {
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), String>;
}

/// An `Authorization` header that emulators accept: SigV4-shaped, with the dummy access key
/// `test` and the run's region in the credential scope (moto reads the region from it), but no
/// real signature. Real SigV4 signing is another [`RequestSigner`].
#[derive(Debug, Clone)]
pub struct EmulatorAuthorization {
    pub region: String,
}

impl RequestSigner for EmulatorAuthorization {
    fn sign(&self, request: &mut reqwest::Request) -> Result<(), String> {
        let date = "20260101";
        let value = format!(
            "AWS4-HMAC-SHA256 Credential=test/{date}/{}/cognito-idp/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={}",
            self.region,
            "0".repeat(64)
        );
        let headers = request.headers_mut();
        headers.insert(
            "authorization",
            HeaderValue::from_str(&value).map_err(|e| e.to_string())?,
        );
        headers.insert("x-amz-date", HeaderValue::from_static("20260101T000000Z"));
        Ok(())
    }
}

/// A reply as received.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

impl Reply {
    /// A header's value as text (header names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends requests to one endpoint.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: String,
    signer: Arc<dyn RequestSigner>,
}

impl Client {
    /// A client for `endpoint` (e.g. `http://127.0.0.1:5000`) that signs with `signer`.
    pub fn new(
        endpoint: &str,
        signer: Arc<dyn RequestSigner>,
        timeout: Duration,
    ) -> Result<Client, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()?;
        Ok(Client {
            http,
            endpoint: endpoint.trim_end_matches('/').to_owned() + "/",
            signer,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Sends `body` to `operation`; `unauthenticated` skips the signer.
    pub async fn send(
        &self,
        operation: &str,
        body: &Value,
        unauthenticated: bool,
    ) -> Result<Reply, String> {
        let payload = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        let mut request = self
            .http
            .post(&self.endpoint)
            .header("content-type", CONTENT_TYPE)
            .header("x-amz-target", format!("{TARGET_PREFIX}.{operation}"))
            .body(payload)
            .build()
            .map_err(|e| e.to_string())?;
        if !unauthenticated {
            self.signer.sign(&mut request)?;
        }
        let started = Instant::now();
        let response = self.http.execute(request).await.map_err(describe)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(describe)?.to_vec();
        Ok(Reply {
            status,
            headers,
            body,
            elapsed: started.elapsed(),
        })
    }
}

/// A reqwest error with its causes, which carry the useful part ("connection refused").
fn describe(error: reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
