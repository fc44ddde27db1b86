//! SigV4 request signing: service `cognito-idp`, the run's region, credentials from a
//! [`Provider`]. The signature covers the method, the path, the headers the request carries
//! (`content-type`, `x-amz-target`, ...; not `authorization`, `user-agent`, `x-amzn-trace-id`
//! or `transfer-encoding`, as the AWS SDKs leave them out), `host`, `x-amz-date`,
//! `x-amz-security-token` when there is a session token, and the SHA-256 of the body. Every
//! attempt of a request is signed afresh, so retries carry a current `x-amz-date`.
//!
//! The canonical request and the string to sign are written here, into one buffer each; the
//! `aws-sigv4` crate derives the signing key, and RustCrypto's HMAC-SHA256 signs with it. The signing key depends only on the secret, the day, the region and the
//! service, so a [`Sigv4Signer`] derives it once a day, not once a request: signing through
//! `aws-sigv4`'s whole-request API took about a third of a checked step's cost over a raw
//! client (`cognito-contract bench`). Tests check this signer against `aws-sigv4`'s request
//! signing and against the AWS SigV4 test suite; the SigV4-checking stub under tests recomputes
//! every signature on its own.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use aws_sigv4::sign::v4::generate_signing_key;
use futures_util::future::BoxFuture;
use hmac::{Hmac, KeyInit, Mac};
use http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use hyper::body::Bytes;
use sha2::{Digest, Sha256};

use crate::http::client::RequestSigner;
use crate::http::credentials::{Credentials, Provider};
use crate::http::transport::host_header;

/// The signing name of the Cognito Identity Provider service.
pub const SERVICE: &str = "cognito-idp";

const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");

/// Headers left out of the signature, as the AWS SDKs leave them out (proxies may change them).
const UNSIGNED_HEADERS: [&str; 4] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

/// Signs requests with SigV4.
pub struct Sigv4Signer {
    region: String,
    credentials: Arc<Provider>,
    /// The last signing key derived, for the day and secret it was derived for.
    key: Mutex<Option<SigningKey>>,
}

/// A derived signing key, ready to sign with, and what it was derived from (besides the region
/// and service, which are the signer's).
struct SigningKey {
    day: String,
    secret: String,
    mac: Hmac<Sha256>,
}

impl Sigv4Signer {
    pub fn new(region: &str, credentials: Arc<Provider>) -> Sigv4Signer {
        Sigv4Signer {
            region: region.to_owned(),
            credentials,
            key: Mutex::new(None),
        }
    }

    /// A signer with the dummy credentials `test`/`test` emulators accept.
    pub fn emulator(region: &str) -> Sigv4Signer {
        Sigv4Signer::new(
            region,
            Arc::new(Provider::Static(crate::http::credentials::dummy())),
        )
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Signs `request` with `credentials` as of `time`, adding `authorization`, `x-amz-date` and
    /// (with a session token) `x-amz-security-token`.
    pub fn sign_at(
        &self,
        request: &mut http::Request<Bytes>,
        credentials: &Credentials,
        time: SystemTime,
    ) -> Result<(), String> {
        let stamp = Stamp::of(time)?;
        let mac = self.key_for(credentials, &stamp, time)?;
        add_signature(request, credentials, &self.region, SERVICE, &stamp, mac)
    }

    /// The HMAC keyed with the signing key for `credentials` on the day of `stamp`: the cached
    /// one when it was derived for that day and secret, else a new one (then cached).
    fn key_for(
        &self,
        credentials: &Credentials,
        stamp: &Stamp,
        time: SystemTime,
    ) -> Result<Hmac<Sha256>, String> {
        let mut cached = self.key.lock().unwrap_or_else(PoisonError::into_inner);
        let secret = credentials.secret_access_key();
        if let Some(key) = cached
            .as_ref()
            .filter(|k| k.day == stamp.day && k.secret == secret)
        {
            return Ok(key.mac.clone());
        }
        let mac = keyed(generate_signing_key(secret, time, &self.region, SERVICE).as_ref())?;
        *cached = Some(SigningKey {
            day: stamp.day.clone(),
            secret: secret.to_owned(),
            mac: mac.clone(),
        });
        Ok(mac)
    }
}

impl RequestSigner for Sigv4Signer {
    fn sign<'a>(
        &'a self,
        request: &'a mut http::Request<Bytes>,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let credentials = self.credentials.credentials().await?;
            self.sign_at(request, &credentials, SystemTime::now())
        })
    }
}

/// Signs `request` for `service` in `region` (the general form of [`Sigv4Signer::sign_at`],
/// deriving the signing key anew).
pub fn sign_request(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), String> {
    let stamp = Stamp::of(time)?;
    let key = generate_signing_key(credentials.secret_access_key(), time, region, service);
    add_signature(
        request,
        credentials,
        region,
        service,
        &stamp,
        keyed(key.as_ref())?,
    )
}

/// An HMAC-SHA256 keyed with `key`, a signing key.
fn keyed(key: &[u8]) -> Result<Hmac<Sha256>, String> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .map_err(|_| "cannot sign: the signing key is not an HMAC key".to_owned())
}

/// The request time as SigV4 writes it: `20150830T123600Z`, and its day `20150830`.
struct Stamp {
    time: String,
    day: String,
}

impl Stamp {
    fn of(time: SystemTime) -> Result<Stamp, String> {
        let at = time::OffsetDateTime::from(time);
        let year = u32::try_from(at.year())
            .ok()
            .filter(|y| (1000..=9999).contains(y))
            .ok_or_else(|| format!("cannot sign: the year {} has not 4 digits", at.year()))?;
        let mut day = String::with_capacity(8);
        push_digits(&mut day, year, 4);
        push_digits(&mut day, u32::from(u8::from(at.month())), 2);
        push_digits(&mut day, u32::from(at.day()), 2);
        let mut time = String::with_capacity(16);
        time.push_str(&day);
        time.push('T');
        for part in [at.hour(), at.minute(), at.second()] {
            push_digits(&mut time, u32::from(part), 2);
        }
        time.push('Z');
        Ok(Stamp { time, day })
    }
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u32.pow(place)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// Adds `x-amz-date`, `x-amz-security-token` (with a session token) and `authorization`,
/// signed with `mac` (keyed with the signing key), to `request`.
fn add_signature(
    request: &mut http::Request<Bytes>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    stamp: &Stamp,
    mut mac: Hmac<Sha256>,
) -> Result<(), String> {
    let token = credentials.session_token();
    let (canonical, signed_headers) = canonical_request(request, &stamp.time, token)?;
    let scope = [&stamp.day, "/", region, "/", service, "/aws4_request"].concat();
    let mut string_to_sign = String::with_capacity(200);
    for part in ["AWS4-HMAC-SHA256\n", &stamp.time, "\n", &scope, "\n"] {
        string_to_sign.push_str(part);
    }
    push_sha256_hex(&mut string_to_sign, canonical.as_bytes());
    mac.update(string_to_sign.as_bytes());
    let mut signature = [0u8; 64];
    hex::encode_to_slice(mac.finalize().into_bytes(), &mut signature)
        .expect("64 hex digits for 32 bytes");
    let signature = std::str::from_utf8(&signature).expect("hex digits are ASCII");
    let mut authorization = String::with_capacity(256);
    for part in [
        "AWS4-HMAC-SHA256 Credential=",
        credentials.access_key_id(),
        "/",
        &scope,
        ", SignedHeaders=",
        &signed_headers,
        ", Signature=",
        signature,
    ] {
        authorization.push_str(part);
    }
    let headers = request.headers_mut();
    headers.insert(X_AMZ_DATE, header_value(&stamp.time, false)?);
    if let Some(token) = token {
        headers.insert(X_AMZ_SECURITY_TOKEN, header_value(token, true)?);
    }
    headers.insert(AUTHORIZATION, header_value(&authorization, true)?);
    Ok(())
}

fn header_value(value: &str, sensitive: bool) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| "cannot sign: a signing header is not a valid header value".to_owned())?;
    value.set_sensitive(sensitive);
    Ok(value)
}

/// The canonical request of `request` sent at `time` (with the session `token`), and its
/// signed-headers list (`content-type;host;x-amz-date;x-amz-target`).
fn canonical_request(
    request: &http::Request<Bytes>,
    time: &str,
    token: Option<&str>,
) -> Result<(String, String), String> {
    let uri = request.uri();
    if uri.query().is_some() {
        return Err("cannot sign: the request URL has a query string".to_owned());
    }
    let mut headers: Vec<(&str, std::borrow::Cow<'_, str>)> = Vec::new();
    for (name, value) in request.headers() {
        if UNSIGNED_HEADERS.contains(&name.as_str()) {
            continue;
        }
        let value = value
            .to_str()
            .map_err(|_| format!("cannot sign: header {name} is not visible ASCII"))?;
        headers.push((name.as_str(), trim_all(value)));
    }
    if !request.headers().contains_key("host") {
        let host = host_header(uri).map_err(|e| format!("cannot sign: {e}"))?;
        headers.push(("host", host));
    }
    headers.retain(|(name, _)| *name != "x-amz-date" && *name != "x-amz-security-token");
    headers.push(("x-amz-date", time.into()));
    if let Some(token) = token {
        headers.push(("x-amz-security-token", token.into()));
    }
    // Stable: values of a repeated header keep their order and are joined with commas.
    headers.sort_by(|a, b| a.0.cmp(b.0));
    let body = request.body();
    let mut canonical = String::with_capacity(512);
    canonical.push_str(request.method().as_str());
    canonical.push('\n');
    canonical_path(uri.path(), &mut canonical);
    canonical.push_str("\n\n");
    let mut signed = String::with_capacity(64);
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 && headers[i - 1].0 == *name {
            canonical.push(',');
            canonical.push_str(value);
            continue;
        }
        if i > 0 {
            canonical.push('\n');
            signed.push(';');
        }
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(value);
        signed.push_str(name);
    }
    for part in ["\n\n", &signed, "\n"] {
        canonical.push_str(part);
    }
    push_sha256_hex(&mut canonical, body);
    Ok((canonical, signed))
}

/// Appends the SHA-256 of `data` in lowercase hex.
fn push_sha256_hex(out: &mut String, data: &[u8]) {
    let mut hex = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(data), &mut hex).expect("64 hex digits for 32 bytes");
    out.push_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"));
}

/// Appends the canonical form of `path` (as the URI holds it, percent-encoded): every byte
/// but the unreserved ones and `/` percent-encoded once more, as SigV4 wants for every service
/// but S3. The client's URIs come from the URL parser ([`crate::http::client::endpoint_uri`]),
/// which has already removed `.` and `..` segments.
fn canonical_path(path: &str, out: &mut String) {
    if path.is_empty() {
        out.push('/');
        return;
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// A header value with leading and trailing spaces removed and runs of spaces made one.
fn trim_all(value: &str) -> std::borrow::Cow<'_, str> {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        return value.into();
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::client::{endpoint_uri, operation_request};
    use std::time::{Duration, UNIX_EPOCH};

    /// 2015-08-30T12:36:00Z, the time of the AWS SigV4 test suite.
    fn suite_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    fn suite_credentials() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test-suite",
        )
    }

    fn request(method: http::Method) -> http::Request<Bytes> {
        built(method, "https://example.amazonaws.com/", &[], "")
    }

    /// A request as the client makes them: the URL normalised by the URL parser.
    fn built(
        method: http::Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> http::Request<Bytes> {
        let mut request = http::Request::new(Bytes::copy_from_slice(body.as_bytes()));
        *request.method_mut() = method;
        *request.uri_mut() = endpoint_uri(url).unwrap();
        for (name, value) in headers {
            request.headers_mut().append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        request
    }

    fn uri(text: &str) -> http::Uri {
        endpoint_uri(text).unwrap()
    }

    /// The `authorization` header `aws-sigv4`'s whole-request signing gives `request`.
    fn aws_sigv4_authorization(
        request: &http::Request<Bytes>,
        credentials: &Credentials,
        region: &str,
        time: SystemTime,
    ) -> String {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let identity = credentials.clone().into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(SERVICE)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect();
        let body = request.body();
        let url = request.uri().to_string();
        let signable = SignableRequest::new(
            request.method().as_str(),
            &url,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        instructions
            .headers()
            .find(|(name, _)| *name == "authorization")
            .map(|(_, value)| value.to_owned())
            .unwrap()
    }

    #[test]
    fn signatures_match_aws_sigv4_request_signing() {
        use http::Method;
        let requests = [
            operation_request(
                &uri("http://127.0.0.1:5000/"),
                "ListUserPools",
                r#"{"MaxResults":1}"#,
            ),
            {
                let mut request = operation_request(
                    &uri("https://cognito-idp.eu-west-1.amazonaws.com/"),
                    "SignUp",
                    "{}",
                );
                request
                    .headers_mut()
                    .insert("user-agent", HeaderValue::from_static("left out"));
                request
            },
            built(
                Method::POST,
                "http://localhost:80/a b/%C3%A9/x~y",
                &[
                    ("X-Case", "  two   spaces  "),
                    ("x-repeated", "one"),
                    ("x-empty", ""),
                    ("x-repeated", "two"),
                ],
                "",
            ),
            built(
                Method::GET,
                "https://example.com:8443/.well-known/jwks.json",
                &[],
                "",
            ),
            built(Method::POST, "http://[::1]:5000/", &[], "{}"),
            built(Method::POST, "https://example.com:443/", &[], "{}"),
        ];
        let with_token = Credentials::new("AKID", "secret", Some("tok  en".into()), None, "t");
        let without = Credentials::new("AKID2", "other", None, None, "t");
        for (i, request) in requests.iter().enumerate() {
            for credentials in [&with_token, &without] {
                for region in ["us-east-1", "ap-southeast-2"] {
                    let expected =
                        aws_sigv4_authorization(request, credentials, region, suite_time());
                    let mut signed = request.clone();
                    sign_request(&mut signed, credentials, region, SERVICE, suite_time()).unwrap();
                    assert_eq!(
                        signed.headers()["authorization"].to_str().unwrap(),
                        expected,
                        "request {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_host_signed_is_the_host_hyper_sends() {
        // hyper-util writes the host and any port that is not the scheme's default.
        for (text, host) in [
            ("http://127.0.0.1:5000/", "127.0.0.1:5000"),
            ("http://Example.COM:80/", "example.com"),
            ("https://example.com:443/", "example.com"),
            ("https://example.com:80/", "example.com:80"),
            ("http://[::1]:5000/", "[::1]:5000"),
        ] {
            assert_eq!(host_header(&uri(text)).unwrap(), host, "{text}");
        }
        let unparsed: http::Uri = "http://example.com:80/".parse().unwrap();
        assert_eq!(host_header(&unparsed).unwrap(), "example.com");
    }

    #[test]
    fn the_signing_key_is_derived_again_for_a_new_day_or_secret() {
        let signer = Sigv4Signer::emulator("us-east-1");
        let first = Credentials::new("AKID", "secret", None, None, "t");
        let rotated = Credentials::new("AKID", "rotated", None, None, "t");
        let day = Duration::from_secs(86_400);
        for (credentials, time) in [
            (&first, suite_time()),
            (&first, suite_time() + Duration::from_secs(60)),
            (&first, suite_time() + day),
            (&rotated, suite_time() + day),
            (&first, suite_time()),
        ] {
            let request = built(http::Method::POST, "http://127.0.0.1:5000/", &[], "{}");
            let mut signed = request.clone();
            signer.sign_at(&mut signed, credentials, time).unwrap();
            assert_eq!(
                signed.headers()["authorization"].to_str().unwrap(),
                aws_sigv4_authorization(&request, credentials, "us-east-1", time)
            );
        }
    }

    #[test]
    fn a_query_string_is_refused_rather_than_signed_wrong() {
        let mut request = http::Request::new(Bytes::new());
        *request.uri_mut() = "http://127.0.0.1:5000/?a=b".parse().unwrap();
        let error = sign_request(
            &mut request,
            &suite_credentials(),
            "us-east-1",
            SERVICE,
            suite_time(),
        )
        .unwrap_err();
        assert!(error.contains("query string"), "{error}");
    }

    #[test]
    fn get_vanilla_from_the_aws_test_suite() {
        let mut request = request(http::Method::GET);
        sign_request(
            &mut request,
            &suite_credentials(),
            "us-east-1",
            "service",
            suite_time(),
        )
        .unwrap();
        assert_eq!(
            request.headers()["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(request.headers()["x-amz-date"], "20150830T123600Z");
    }

    #[test]
    fn post_vanilla_from_the_aws_test_suite() {
        let mut request = request(http::Method::POST);
        sign_request(
            &mut request,
            &suite_credentials(),
            "us-east-1",
            "service",
            suite_time(),
        )
        .unwrap();
        let authorization = request.headers()["authorization"].to_str().unwrap();
        assert!(
            authorization.ends_with(
                "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
            ),
            "{authorization}"
        );
    }

    #[test]
    fn cognito_requests_sign_the_target_and_the_session_token() {
        let mut request = operation_request(
            &uri("https://cognito-idp.eu-west-1.amazonaws.com/"),
            "ListUserPools",
            r#"{"MaxResults":1}"#,
        );
        let credentials = Credentials::new("AKID", "secret", Some("tok".into()), None, "t");
        let signer = Sigv4Signer::emulator("eu-west-1");
        signer
            .sign_at(&mut request, &credentials, suite_time())
            .unwrap();
        let authorization = request.headers()["authorization"].to_str().unwrap();
        assert!(
            authorization.contains("Credential=AKID/20150830/eu-west-1/cognito-idp/aws4_request"),
            "{authorization}"
        );
        assert!(
            authorization.contains(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
            ),
            "{authorization}"
        );
        assert_eq!(request.headers()["x-amz-security-token"], "tok");
        assert!(request.headers()["authorization"].is_sensitive());
    }
}
