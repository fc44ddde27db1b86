//! SigV4 request signing with the `aws-sigv4` crate: service `cognito-idp`, the run's region,
//! credentials from a [`Provider`]. The signature covers the method, the path, the headers
//! the request carries (`content-type`, `x-amz-target`), `host`, `x-amz-date`,
//! `x-amz-security-token` when there is a session token, and the SHA-256 of the body. Every
//! attempt of a request is signed afresh, so retries carry a current `x-amz-date`.

use std::sync::Arc;
use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use futures_util::future::BoxFuture;
use reqwest::header::{HeaderName, HeaderValue};

use crate::http::client::RequestSigner;
use crate::http::credentials::{Credentials, Provider};

/// The signing name of the Cognito Identity Provider service.
pub const SERVICE: &str = "cognito-idp";

/// Signs requests with SigV4.
pub struct Sigv4Signer {
    region: String,
    credentials: Arc<Provider>,
}

impl Sigv4Signer {
    pub fn new(region: &str, credentials: Arc<Provider>) -> Sigv4Signer {
        Sigv4Signer {
            region: region.to_owned(),
            credentials,
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
        request: &mut reqwest::Request,
        credentials: &Credentials,
        time: SystemTime,
    ) -> Result<(), String> {
        sign_request(request, credentials, &self.region, SERVICE, time)
    }
}

impl RequestSigner for Sigv4Signer {
    fn sign<'a>(&'a self, request: &'a mut reqwest::Request) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let credentials = self.credentials.credentials().await?;
            self.sign_at(request, &credentials, SystemTime::now())
        })
    }
}

/// Signs `request` for `service` in `region` (the general form of [`Sigv4Signer::sign_at`]).
pub fn sign_request(
    request: &mut reqwest::Request,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), String> {
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign: {e}"))?
        .into();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            value
                .to_str()
                .map(|v| (name.as_str().to_owned(), v.to_owned()))
                .map_err(|_| format!("cannot sign: header {name} is not visible ASCII"))
        })
        .collect::<Result<_, _>>()?;
    let body: &[u8] = request
        .body()
        .map(|body| {
            body.as_bytes()
                .ok_or("cannot sign: the request body is a stream")
        })
        .transpose()?
        .unwrap_or(&[]);
    let url = request.url().as_str().to_owned();
    let method = request.method().as_str().to_owned();
    let signable = SignableRequest::new(
        &method,
        url.as_str(),
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("cannot sign: {e}"))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| format!("cannot sign: {e}"))?
        .into_parts();
    let additions: Vec<(HeaderName, HeaderValue)> = instructions
        .headers()
        .map(|(name, value)| {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
            let mut value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
            value.set_sensitive(name == "authorization" || name == "x-amz-security-token");
            Ok((name, value))
        })
        .collect::<Result<_, String>>()?;
    for (name, value) in additions {
        request.headers_mut().insert(name, value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
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

    fn request(method: reqwest::Method) -> reqwest::Request {
        reqwest::Request::new(method, "https://example.amazonaws.com/".parse().unwrap())
    }

    #[test]
    fn get_vanilla_from_the_aws_test_suite() {
        let mut request = request(reqwest::Method::GET);
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
        let mut request = request(reqwest::Method::POST);
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
        let mut request = reqwest::Client::new()
            .post("https://cognito-idp.eu-west-1.amazonaws.com/")
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.ListUserPools",
            )
            .body(r#"{"MaxResults":1}"#)
            .build()
            .unwrap();
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
