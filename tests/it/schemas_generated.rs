//! The committed `schemas/` are exactly what the generator makes from the pinned botocore model:
//! no file missing, extra or changed. Regenerate with `cognito-contract generate-schemas` (or
//! run this test with `COGNITO_CONTRACT_REGENERATE=1`, which writes the files before comparing).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cognito_contract::service::model::{BOTOCORE_VERSION, pinned_model};
use cognito_contract::service::schemagen;
use cognito_contract::service::schemas::SchemaStore;

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}

/// The generated files on disk (index, common error, operations); the hand-written
/// `*.schema.json` files are not the generator's.
fn committed(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    for relative in ["index.json", "common-error.json"] {
        if let Ok(text) = std::fs::read_to_string(dir.join(relative)) {
            files.insert(PathBuf::from(relative), text);
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("operations")) {
        for entry in entries {
            let path = entry.expect("readable schemas/operations").path();
            let relative = Path::new("operations").join(path.file_name().unwrap());
            let text = std::fs::read_to_string(&path).expect("readable schema file");
            files.insert(relative, text);
        }
    }
    files
}

#[test]
fn committed_schemas_match_the_pinned_model() {
    let model = pinned_model().unwrap_or_else(|e| panic!("pinned model: {e}"));
    let generated = schemagen::generate(&model);
    if cognito_contract::support::env::flag("COGNITO_CONTRACT_REGENERATE") {
        schemagen::write(&schemas_dir(), &generated).expect("write schemas/");
    }
    let on_disk = committed(&schemas_dir());

    let missing: Vec<_> = generated
        .keys()
        .filter(|p| !on_disk.contains_key(*p))
        .collect();
    let extra: Vec<_> = on_disk
        .keys()
        .filter(|p| !generated.contains_key(*p))
        .collect();
    let changed: Vec<_> = generated
        .iter()
        .filter(|(path, text)| on_disk.get(*path).is_some_and(|old| old != *text))
        .map(|(path, _)| path)
        .collect();
    if missing.is_empty() && extra.is_empty() && changed.is_empty() {
        return;
    }
    let mut report = format!(
        "schemas/ differs from what botocore {BOTOCORE_VERSION} generates \
         (run `cognito-contract generate-schemas`):\n"
    );
    for (label, paths) in [
        ("missing", &missing),
        ("extra", &extra),
        ("changed", &changed),
    ] {
        for path in paths.iter().take(20) {
            report.push_str(&format!("  {label}: schemas/{}\n", path.display()));
        }
        if paths.len() > 20 {
            report.push_str(&format!("  ... and {} more {label}\n", paths.len() - 20));
        }
    }
    for path in changed.iter().take(3) {
        let diff = similar_asserts::SimpleDiff::from_str(
            &on_disk[*path],
            &generated[*path],
            "committed",
            "generated",
        );
        let text = diff.to_string();
        let excerpt: String = text.lines().take(60).collect::<Vec<_>>().join("\n");
        report.push_str(&format!(
            "\n--- schemas/{} ---\n{excerpt}\n",
            path.display()
        ));
    }
    panic!("{report}");
}

#[test]
fn index_counts_match_the_pin() {
    let index = SchemaStore::global().index();
    assert_eq!(index.model.botocore.as_deref(), Some(BOTOCORE_VERSION));
    assert_eq!(index.model.operations, 153);
    assert_eq!(index.operations.len(), 153);
    assert_eq!(index.model.documented_errors, 1313);
    let documented: usize = index.operations.values().map(|op| op.errors.len()).sum();
    assert_eq!(documented, 1313);
    let unauthenticated = index
        .operations
        .values()
        .filter(|op| op.unauthenticated)
        .count();
    assert_eq!(unauthenticated, 34);
    assert_eq!(
        index.model.target_prefix,
        "AWSCognitoIdentityProviderService"
    );
    let sign_up = &index.operations["SignUp"];
    assert!(sign_up.unauthenticated);
    assert_eq!(sign_up.target, "AWSCognitoIdentityProviderService.SignUp");
    let list_users = index.operations["ListUsers"].paginator.as_ref().unwrap();
    assert_eq!(list_users.input_token, "PaginationToken");
    assert_eq!(list_users.result_key.as_deref(), Some("Users"));
    assert!(!index.operations["CreateUserPool"].unauthenticated);
}

/// Every schema of every operation compiles (all model patterns are valid for the validator).
#[test]
fn every_schema_compiles() {
    let store = SchemaStore::global();
    let empty = serde_json::json!({});
    for (name, op) in &store.index().operations {
        use cognito_contract::service::schemas::SchemaKind;
        let kinds = [SchemaKind::Input, SchemaKind::Output]
            .into_iter()
            .chain(op.errors.iter().map(|e| SchemaKind::Error(e.clone())));
        for kind in kinds {
            store
                .validate(name, &kind, &empty)
                .unwrap_or_else(|e| panic!("{name} {kind}: {e}"));
        }
    }
}

#[test]
fn every_timestamp_has_the_plausible_window_so_milliseconds_fail() {
    use cognito_contract::service::model::ShapeType;
    use cognito_contract::service::schemagen::{TIMESTAMP_COMMENT, TIMESTAMP_MAX, TIMESTAMP_MIN};
    use cognito_contract::service::schemas::SchemaKind;
    use serde_json::{Value, json};

    let model = pinned_model().unwrap_or_else(|e| panic!("pinned model: {e}"));
    let timestamps: Vec<&String> = model
        .shapes
        .iter()
        .filter(|(_, shape)| shape.shape_type == ShapeType::Timestamp)
        .map(|(name, _)| name)
        .collect();
    assert!(!timestamps.is_empty());
    let window = json!({
        "type": "number",
        "minimum": TIMESTAMP_MIN,
        "maximum": TIMESTAMP_MAX,
        "$comment": TIMESTAMP_COMMENT,
    });
    let mut checked = 0;
    for (path, text) in committed(&schemas_dir()) {
        let document: Value = serde_json::from_str(&text).unwrap();
        let Some(defs) = document.get("$defs").and_then(Value::as_object) else {
            continue;
        };
        for name in &timestamps {
            if let Some(def) = defs.get(name.as_str()) {
                assert_eq!(def, &window, "{} $defs/{name}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
    assert_eq!(TIMESTAMP_MIN, 946_684_800, "2000-01-01T00:00:00Z");
    assert_eq!(TIMESTAMP_MAX, 4_102_444_800, "2100-01-01T00:00:00Z");

    // A DescribeUserPool reply in seconds passes; the same reply in milliseconds does not.
    let store = SchemaStore::global();
    let reply = |created: f64| {
        json!({"UserPool": {"Id": "us-east-1_Example", "Name": "pool",
            "CreationDate": created, "LastModifiedDate": 1_700_000_000.5}})
    };
    let output = SchemaKind::Output;
    let seconds = store.validate("DescribeUserPool", &output, &reply(1_700_000_000.25));
    assert_eq!(seconds.unwrap(), Vec::new());
    let millis = store
        .validate(
            "DescribeUserPool",
            &output,
            &reply(1_700_000_000.25 * 1000.0),
        )
        .unwrap();
    assert_eq!(millis.len(), 1, "{millis:?}");
    assert_eq!(millis[0].pointer, "/UserPool/CreationDate");
}
