//! SigV4 signing against a local server that recomputes every signature from the known secret
//! (tests/support): every signed operation the bundled suite calls is accepted, unauthenticated
//! operations arrive unsigned, wrong or missing signatures are refused as AWS refuses them, and
//! a run with `--target aws` against that server signs with the environment's credentials,
//! says where they come from without the secret, tags its pools and skips cases that need
//! email delivery. The verifier itself is checked against the AWS SigV4 test suite.

use crate::support::output::binary_without_credentials;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::files::copy_fixture;
use crate::support::{AwsLike, Config, Key, canonical_request, signature, string_to_sign};
use cognito_contract::http::client::{Client, ClientOptions, endpoint_uri, operation_request};
use cognito_contract::http::credentials::{Credentials, Provider};
use cognito_contract::http::sigv4::Sigv4Signer;
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load;
use hyper::body::Bytes;
use serde_json::{Value, json};

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn headers(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
        .collect()
}

#[test]
fn the_verifier_reproduces_the_aws_sigv4_test_suite() {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let scope = "20150830/us-east-1/service/aws4_request";
    let h = headers(&[
        ("host", "example.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
    ]);
    for (method, expected) in [
        (
            "GET",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "POST",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
    ] {
        let creq = canonical_request(method, "/", "", &h, &["host", "x-amz-date"], b"");
        let sts = string_to_sign("20150830T123600Z", scope, &creq);
        assert_eq!(
            signature(secret, "20150830", "us-east-1", "service", &sts),
            expected,
            "{method}-vanilla"
        );
    }
    // Amazon S3's documented GET Object example (canonical request given in the docs).
    let h = headers(&[
        ("host", "examplebucket.s3.amazonaws.com"),
        ("range", "bytes=0-9"),
        (
            "x-amz-content-sha256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        ("x-amz-date", "20130524T000000Z"),
    ]);
    let creq = canonical_request(
        "GET",
        "/test.txt",
        "",
        &h,
        &["host", "range", "x-amz-content-sha256", "x-amz-date"],
        b"",
    );
    let sts = string_to_sign(
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        &creq,
    );
    assert_eq!(
        sts.lines().last(),
        Some("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
    );
    assert_eq!(
        signature(SECRET, "20130524", "us-east-1", "s3", &sts),
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
}

fn signing_client(server: &AwsLike, credentials: Credentials) -> Client {
    let signer = Arc::new(Sigv4Signer::new(
        "us-east-1",
        Arc::new(Provider::Static(credentials)),
    ));
    Client::new(
        &server.endpoint,
        Some(signer),
        &ClientOptions::emulator(Duration::from_secs(10)),
    )
    .unwrap()
}

/// Every operation the bundled cases call, with the first request a case sends to it (rendered
/// crudely: variables become placeholder strings), so bodies look like the real ones.
fn suite_operations() -> BTreeMap<String, Value> {
    let cases = load::load_source(
        &cognito_contract::spec::case_source::CaseSource::Bundled,
        SchemaStore::global(),
    )
    .unwrap();
    let mut operations = BTreeMap::new();
    for case in &cases {
        for (_, _, step) in case.all_steps() {
            if step.operation.is_empty() {
                continue;
            }
            let text = step.request.to_string().replace("${", "{");
            operations
                .entry(step.operation.clone())
                .or_insert_with(|| serde_json::from_str(&text).unwrap());
        }
    }
    operations
}

#[tokio::test]
async fn every_signed_operation_the_suite_calls_is_accepted_and_the_rest_go_unsigned() {
    let server = AwsLike::start(Config::new(vec![
        Key::new(ACCESS_KEY, SECRET, None),
        Key::new(
            "ASIATEMPORARY0001",
            "temporary/secret+x",
            Some("FwoGZXIvYXdzEBYaDH"),
        ),
    ]));
    let operations = suite_operations();
    let unauthenticated = crate::support::unauthenticated_operations();
    assert!(operations.len() >= 25, "{operations:?}");
    assert!(
        operations.keys().any(|op| unauthenticated.contains(op)),
        "the suite calls unauthenticated operations too"
    );
    let long_lived = Credentials::new(ACCESS_KEY, SECRET, None, None, "test");
    let temporary = Credentials::new(
        "ASIATEMPORARY0001",
        "temporary/secret+x",
        Some("FwoGZXIvYXdzEBYaDH".into()),
        None,
        "test",
    );
    for credentials in [long_lived, temporary] {
        let client = signing_client(&server, credentials);
        for (operation, body) in &operations {
            let reply = client
                .send(operation, body, unauthenticated.contains(operation))
                .await
                .unwrap();
            assert_eq!(
                reply.status,
                200,
                "{operation}: {}",
                String::from_utf8_lossy(&reply.body)
            );
        }
    }
    let seen = server.seen();
    assert_eq!(seen.len(), operations.len() * 2);
    let mut signed = BTreeSet::new();
    for request in &seen {
        assert_eq!(request.rejected, None, "{request:?}");
        if unauthenticated.contains(&request.operation) {
            assert!(!request.signed, "{} must go unsigned", request.operation);
        } else {
            assert!(request.signed, "{} must be signed", request.operation);
            signed.insert(request.operation.clone());
        }
    }
    let expected: BTreeSet<String> = operations
        .keys()
        .filter(|op| !unauthenticated.contains(*op))
        .cloned()
        .collect();
    assert_eq!(signed, expected);
    let keys: BTreeSet<_> = seen
        .iter()
        .filter_map(|s| s.access_key_id.clone())
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([ACCESS_KEY.to_owned(), "ASIATEMPORARY0001".to_owned()])
    );
}

/// A ListUserPools request to `endpoint`, signed with the test key for `region` at `time`.
fn signed_list_user_pools(endpoint: &str, region: &str, time: SystemTime) -> http::Request<Bytes> {
    let mut request = operation_request(
        &endpoint_uri(&format!("{endpoint}/")).unwrap(),
        "ListUserPools",
        r#"{"MaxResults":1}"#,
    );
    cognito_contract::http::sigv4::sign_request(
        &mut request,
        &Credentials::new(ACCESS_KEY, SECRET, None, None, "t"),
        region,
        "cognito-idp",
        time,
    )
    .unwrap();
    request
}

/// Sends `request` as it is, through a plain reqwest client.
async fn send_raw(request: http::Request<Bytes>) -> reqwest::Response {
    let request = reqwest::Request::try_from(request).unwrap();
    reqwest::Client::new().execute(request).await.unwrap()
}

#[tokio::test]
async fn wrong_or_missing_signatures_are_refused_as_aws_refuses_them() {
    let server = AwsLike::start(Config::new(vec![Key::new(ACCESS_KEY, SECRET, None)]));
    let body = json!({"MaxResults": 1});

    let wrong = signing_client(
        &server,
        Credentials::new(ACCESS_KEY, "not-the-secret", None, None, "t"),
    );
    let reply = wrong.send("ListUserPools", &body, false).await.unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error_code().as_deref(),
        Some("InvalidSignatureException")
    );

    let unknown = signing_client(
        &server,
        Credentials::new("AKIAUNKNOWN000000", SECRET, None, None, "t"),
    );
    let reply = unknown.send("ListUserPools", &body, false).await.unwrap();
    assert_eq!(
        reply.error_code().as_deref(),
        Some("UnrecognizedClientException")
    );

    let token_missing_on_server = signing_client(
        &server,
        Credentials::new(ACCESS_KEY, SECRET, Some("stolen".into()), None, "t"),
    );
    let reply = token_missing_on_server
        .send("ListUserPools", &body, false)
        .await
        .unwrap();
    assert_eq!(
        reply.error_code().as_deref(),
        Some("UnrecognizedClientException")
    );

    let unsigned = Client::new(
        &server.endpoint,
        None,
        &ClientOptions::emulator(Duration::from_secs(10)),
    )
    .unwrap();
    let reply = unsigned.send("ListUserPools", &body, false).await.unwrap();
    assert_eq!(
        reply.error_code().as_deref(),
        Some("MissingAuthenticationTokenException")
    );
    let reply = unsigned
        .send(
            "SignUp",
            &json!({"ClientId": "x", "Username": "u", "Password": "p"}),
            true,
        )
        .await
        .unwrap();
    assert_eq!(reply.status, 200, "SignUp needs no signature");

    // A body changed after signing no longer matches the signature.
    let mut request = signed_list_user_pools(&server.endpoint, "us-east-1", SystemTime::now());
    *request.body_mut() = Bytes::from_static(br#"{"MaxResults":60}"#);
    let reply = send_raw(request).await;
    assert_eq!(
        reply.headers()["x-amzn-errortype"],
        "InvalidSignatureException"
    );

    // So does one signed for another region, or ten minutes ago.
    for (region, time) in [
        ("eu-west-1", SystemTime::now()),
        ("us-east-1", SystemTime::now() - Duration::from_secs(600)),
    ] {
        let request = signed_list_user_pools(&server.endpoint, region, time);
        let reply = send_raw(request).await;
        assert_eq!(
            reply.headers()["x-amzn-errortype"],
            "InvalidSignatureException",
            "{region} {:?}",
            time.duration_since(UNIX_EPOCH)
        );
    }
    let rejected: Vec<_> = server
        .seen()
        .into_iter()
        .filter_map(|s| s.rejected)
        .collect();
    assert_eq!(rejected.len(), 7, "{rejected:?}");
}

#[tokio::test]
async fn the_emulator_default_signs_with_test_test() {
    let server = AwsLike::start(Config::new(Vec::new()));
    let ctx = cognito_contract::exec::runner::RunContext::new(
        &server.endpoint,
        "us-east-1",
        Duration::from_secs(10),
    )
    .unwrap();
    let reply = ctx
        .client
        .send("ListUserPools", &json!({"MaxResults": 1}), false)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    let seen = server.seen();
    assert_eq!(seen[0].access_key_id.as_deref(), Some("test"));
}

#[test]
fn the_aws_target_signs_with_configured_credentials_and_says_where_they_come_from() {
    let (handler, pools) = crate::support::fake_cognito();
    let mut config = Config::new(vec![Key::new(
        "AKIAENVIRONMENT0042",
        "environment/secret",
        Some("session-token"),
    )]);
    config.region = "eu-west-1".into();
    config.handler = Some(handler);
    let server = AwsLike::start(config);
    let cases = tempfile::tempdir().unwrap();
    copy_fixture("aws_target", cases.path());
    let home = tempfile::tempdir().unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .args(["run", "--target", "aws", "--region", "eu-west-1"])
        .args(["--endpoint", &server.endpoint])
        .args(["--cases", cases.path().to_str().unwrap()])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT0042")
        .env("AWS_SECRET_ACCESS_KEY", "environment/secret")
        .env("AWS_SESSION_TOKEN", "session-token")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");

    assert!(stderr.contains("region:      eu-west-1"), "{stderr}");
    assert!(
        stderr.contains(
            "environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("access key ****0042"), "{stderr}");
    for secret in ["environment/secret", "session-token", "AKIAENVIRONMENT0042"] {
        assert!(
            !stderr.contains(secret) && !stdout.contains(secret),
            "{secret} shown"
        );
    }
    let line = stdout
        .lines()
        .find(|l| l.contains("pools/needs_email"))
        .unwrap_or_default();
    assert!(
        line.ends_with("ignored (requires email-delivery, which the aws target does not set up)"),
        "{stdout}"
    );

    let seen = server.seen();
    assert!(
        seen.iter().all(|s| s.signed && s.rejected.is_none()),
        "{seen:#?}"
    );
    assert!(
        seen.iter()
            .all(|s| s.access_key_id.as_deref() == Some("AKIAENVIRONMENT0042"))
    );
    let create = seen
        .iter()
        .find(|s| s.operation == "CreateUserPool")
        .expect("a pool was created");
    let name = create.body["PoolName"].as_str().unwrap();
    assert!(
        cognito_contract::account::pools::carries_prefix(name),
        "{name}"
    );
    let prefix = &name[..10];
    assert_eq!(
        create.body["UserPoolTags"][cognito_contract::http::aws::RUN_TAG_KEY],
        prefix,
        "{:?}",
        create.body
    );
    assert!(
        pools.lock().unwrap().is_empty(),
        "the teardown deleted the pool"
    );
}

#[test]
fn emulator_runs_leave_requests_as_the_cases_write_them() {
    let (handler, _pools) = crate::support::fake_cognito();
    let mut config = Config::new(Vec::new());
    config.handler = Some(handler);
    let server = AwsLike::start(config);
    let cases = tempfile::tempdir().unwrap();
    copy_fixture("aws_target", cases.path());
    let output = binary_without_credentials()
        .args(["run", "--endpoint", &server.endpoint])
        .args(["--cases", cases.path().to_str().unwrap()])
        .env_remove("AWS_REGION")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("pools/needs_email"))
        .unwrap_or_default();
    assert!(line.ends_with("... ok"), "{stdout}");
    let seen = server.seen();
    let create = seen
        .iter()
        .find(|s| s.operation == "CreateUserPool")
        .unwrap();
    assert!(
        create.body.get("UserPoolTags").is_none(),
        "{:?}",
        create.body
    );
    assert!(
        seen.iter()
            .all(|s| s.signed && s.access_key_id.as_deref() == Some("test"))
    );
}
