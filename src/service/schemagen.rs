//! Turns the botocore model into the JSON Schemas (draft 2020-12) committed under `schemas/`.
//!
//! Only shape facts are carried over (types, members, required, lengths, ranges, patterns,
//! enums), never documentation. Every model shape becomes a `$defs` entry of the same name and
//! members `$ref` it, so a schema reads like the model. Output is deterministic (sorted names,
//! 2-space pretty JSON, trailing newline) so regenerating gives a stable `git diff`.
//!
//! Files (paths relative to `schemas/`):
//! - `operations/<Op>.json`: `input`, `output` and `errors` of one operation plus the `$defs`
//!   reachable from them;
//! - `index.json`: the operation index ([`crate::service::schemas::Index`]);
//! - `common-error.json`: the body of protocol-level errors any operation may return
//!   ([`COMMON_ERRORS`]).
//!
//! Mapping rules worth knowing:
//! - model patterns are whole-string matches, JSON Schema `pattern` is a search, so every pattern
//!   is anchored as `^(?:<pattern>)$` after [`translate_pattern`];
//! - timestamps are epoch seconds (`number`) within a plausible window, 2000-01-01 to 2100-01-01
//!   ([`TIMESTAMP_MIN`], [`TIMESTAMP_MAX`], said in the schema's `$comment`), so that a
//!   timestamp in milliseconds fails; blobs are base64 strings whose length bounds are the
//!   model's byte bounds converted to encoded characters ([`base64_len`]);
//! - exception structures also accept `__type` and the message as `Message` (framework errors
//!   use that spelling; Cognito itself sends `message`).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::service::model::{Model, Shape, ShapeType};
use crate::service::schemas::{Index, ModelInfo, OperationInfo, Paginator};

pub use crate::service::schemas::DIALECT;

/// The earliest plausible timestamp: 2000-01-01T00:00:00Z in epoch seconds.
pub const TIMESTAMP_MIN: u64 = 946_684_800;
/// The latest plausible timestamp: 2100-01-01T00:00:00Z in epoch seconds.
pub const TIMESTAMP_MAX: u64 = 4_102_444_800;
/// The `$comment` of every timestamp schema: the window is the harness's plausibility check,
/// not a model constraint (the generated validation cases do not treat it as one).
pub const TIMESTAMP_COMMENT: &str = "timestamp: epoch seconds; the window 946684800 (2000-01-01) \
     to 4102444800 (2100-01-01) is a plausibility check of the harness, not a model constraint: \
     it catches milliseconds";

/// Protocol-level errors any AWS JSON operation may answer with, whatever its model documents:
/// the AWS "Common Errors" list plus the awsJson1_1 front-end errors (signature, token,
/// serialization, unknown operation).
pub const COMMON_ERRORS: &[&str] = &[
    "AccessDeniedException",
    "ExpiredTokenException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "InternalFailure",
    "InvalidAction",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "MalformedHttpRequestException",
    "MissingAuthenticationTokenException",
    "NotAuthorized",
    "OptInRequired",
    "RequestAbortedException",
    "RequestEntityTooLargeException",
    "RequestExpired",
    "RequestTimeoutException",
    "SerializationException",
    "ServiceUnavailable",
    "ThrottlingException",
    "UnknownOperationException",
    "UnrecognizedClientException",
    "ValidationError",
    "ValidationException",
];

/// Strict base64 (RFC 4648 alphabet, padded), as blobs travel in awsJson1_1 bodies.
pub const BASE64_PATTERN: &str = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

/// Rewrites a model pattern into the ECMA-262 dialect of JSON Schema, unanchored.
///
/// botocore patterns come from Java-style whole-string regexes. Nearly all of them are already
/// valid ECMA-262 with the `u` flag (`\p{L}`, `[\w+=,.@-]`, `(?<!\.)`, `\x21` all are, and the
/// validator maps `\w`/`\d`/`\s` to their ECMA meaning). The one construct ECMA lacks is a
/// leading inline flag group: `(?s)` (dot matches line breaks) is dropped and every `.` outside a
/// character class becomes `[\s\S]`. Anything else is returned unchanged.
///
/// The translation matters even though the validator compiles `(?s).*` without complaint: it
/// rewrites `.` to the ECMA "any but a line terminator", so the flag is silently lost and a
/// multi-line `SmsInviteMessageType` (the one model pattern with `(?s)`) would be rejected.
pub fn translate_pattern(pattern: &str) -> String {
    let Some(rest) = pattern.strip_prefix("(?s)") else {
        return pattern.to_owned();
    };
    let mut out = String::with_capacity(rest.len() + 8);
    let mut in_class = false;
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '.' if !in_class => out.push_str(r"[\s\S]"),
            _ => out.push(c),
        }
    }
    out
}

/// `pattern` as a whole-string JSON Schema pattern: translated, then `^(?:...)$`.
pub fn anchored_pattern(pattern: &str) -> String {
    format!("^(?:{})$", translate_pattern(pattern))
}

/// Length in base64 characters (padded) of `bytes` bytes of data.
pub fn base64_len(bytes: i64) -> i64 {
    (bytes.max(0) + 2) / 3 * 4
}

fn def_ref(shape: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{shape}") })
}

fn set(map: &mut Map<String, Value>, key: &str, value: Option<i64>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), Value::from(value));
    }
}

/// The JSON Schema of one model shape (members as `$ref`s to their shapes).
pub fn shape_schema(shape: &Shape) -> Value {
    if shape.document {
        return Value::Bool(true);
    }
    let mut s = Map::new();
    match shape.shape_type {
        ShapeType::Structure => structure_keywords(shape, &mut s),
        ShapeType::String => {
            s.insert("type".into(), "string".into());
            set(&mut s, "minLength", shape.min);
            set(&mut s, "maxLength", shape.max);
            if let Some(pattern) = &shape.pattern {
                s.insert("pattern".into(), anchored_pattern(pattern).into());
            }
            if let Some(values) = &shape.enum_values {
                s.insert("enum".into(), json!(values));
            }
        }
        ShapeType::Integer | ShapeType::Long => {
            s.insert("type".into(), "integer".into());
            set(&mut s, "minimum", shape.min);
            set(&mut s, "maximum", shape.max);
        }
        ShapeType::Float | ShapeType::Double => {
            s.insert("type".into(), "number".into());
            set(&mut s, "minimum", shape.min);
            set(&mut s, "maximum", shape.max);
        }
        ShapeType::Boolean => {
            s.insert("type".into(), "boolean".into());
        }
        ShapeType::Timestamp => {
            s.insert("type".into(), "number".into());
            s.insert("minimum".into(), TIMESTAMP_MIN.into());
            s.insert("maximum".into(), TIMESTAMP_MAX.into());
            s.insert("$comment".into(), TIMESTAMP_COMMENT.into());
        }
        ShapeType::Blob => {
            s.insert("type".into(), "string".into());
            set(&mut s, "minLength", shape.min.map(base64_len));
            set(&mut s, "maxLength", shape.max.map(base64_len));
            s.insert("pattern".into(), BASE64_PATTERN.into());
        }
        ShapeType::List => list_keywords(shape, &mut s),
        ShapeType::Map => map_keywords(shape, &mut s),
    }
    Value::Object(s)
}

/// The keywords of a structure: its members as properties (an exception's also `__type` and
/// the message in both spellings), the required ones, nothing else allowed.
fn structure_keywords(shape: &Shape, s: &mut Map<String, Value>) {
    s.insert("type".into(), "object".into());
    let mut properties: Map<String, Value> = shape
        .members
        .iter()
        .map(|(name, target)| (name.clone(), def_ref(&target.shape)))
        .collect();
    if shape.exception {
        properties.insert("__type".into(), json!({"type": "string"}));
        let message = properties
            .get("message")
            .cloned()
            .unwrap_or_else(|| json!({"type": "string"}));
        properties
            .entry("message")
            .or_insert_with(|| message.clone());
        properties.entry("Message").or_insert(message);
    }
    properties.sort_keys();
    s.insert("properties".into(), Value::Object(properties));
    if !shape.required.is_empty() {
        let required: BTreeSet<&String> = shape.required.iter().collect();
        s.insert("required".into(), json!(required));
    }
    s.insert("additionalProperties".into(), false.into());
}

/// The keywords of a list: the items' shape and how many there may be.
fn list_keywords(shape: &Shape, s: &mut Map<String, Value>) {
    s.insert("type".into(), "array".into());
    if let Some(member) = &shape.member {
        s.insert("items".into(), def_ref(&member.shape));
    }
    set(s, "minItems", shape.min);
    set(s, "maxItems", shape.max);
}

/// The keywords of a map: the keys' and values' shapes and how many entries there may be.
fn map_keywords(shape: &Shape, s: &mut Map<String, Value>) {
    s.insert("type".into(), "object".into());
    if let Some(key) = &shape.key {
        s.insert("propertyNames".into(), def_ref(&key.shape));
    }
    if let Some(value) = &shape.value {
        s.insert("additionalProperties".into(), def_ref(&value.shape));
    }
    set(s, "minProperties", shape.min);
    set(s, "maxProperties", shape.max);
}

/// Shapes referenced directly by `shape`.
fn children(shape: &Shape) -> impl Iterator<Item = &str> {
    shape
        .members
        .values()
        .chain(shape.member.iter())
        .chain(shape.key.iter())
        .chain(shape.value.iter())
        .map(|r| r.shape.as_str())
}

/// Every shape reachable from `roots` (roots included), sorted by name.
pub fn reachable<'m>(
    model: &'m Model,
    roots: impl IntoIterator<Item = &'m str>,
) -> BTreeSet<&'m str> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = roots.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(shape) = model.shape(name) {
            todo.extend(children(shape).filter(|child| !seen.contains(child)));
        }
    }
    seen
}

/// A place where the model's constraint contradicts what the service itself accepts or sends,
/// so a schema generated to the letter would reject real requests or replies. Each one relaxes
/// one structure member (or, with no member, a whole shape) and says why in the generated
/// schema's `$comment`.
pub struct Erratum {
    /// The structure whose member is relaxed, or the shape itself when `member` is `None`.
    pub shape: &'static str,
    pub member: Option<&'static str>,
    pub reason: &'static str,
    /// Keywords that replace the shape's own (the rest are kept).
    pub replace: fn() -> Value,
}

/// The known errata of the Cognito model.
pub const ERRATA: &[Erratum] = &[
    Erratum {
        shape: "SchemaAttributeType",
        member: Some("Name"),
        reason: "the model caps names at 20 characters (CustomAttributeNameType), but \
                 DescribeUserPool and CreateUserPool return the standard attribute \
                 phone_number_verified (21) and custom attributes as custom:<name> (up to 27)",
        replace: || json!({"maxLength": 27}),
    },
    Erratum {
        shape: "DomainType",
        member: None,
        reason: "the model allows only a 63-character prefix without dots, but custom domains \
                 are fully qualified names (auth.example.com) in requests and replies, and \
                 CloudFrontDomain is a CloudFront host name (d111111abcdef8.cloudfront.net)",
        replace: || json!({"maxLength": 253, "pattern": "^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)$"}),
    },
];

/// `schema` with the erratum's keywords and a `$comment` saying why.
fn amended(schema: &Value, erratum: &Erratum) -> Value {
    let mut schema = schema.as_object().cloned().unwrap_or_default();
    if let Value::Object(replace) = (erratum.replace)() {
        schema.extend(replace);
    }
    schema.insert(
        "$comment".into(),
        format!("erratum: {}", erratum.reason).into(),
    );
    schema.sort_keys();
    Value::Object(schema)
}

/// Applies [`ERRATA`] to the `$defs` of one operation document.
fn apply_errata(defs: &mut Map<String, Value>) {
    for erratum in ERRATA {
        let Some(member) = erratum.member else {
            if let Some(shape) = defs.get(erratum.shape) {
                let fixed = amended(shape, erratum);
                defs.insert(erratum.shape.to_owned(), fixed);
            }
            continue;
        };
        let member_ref = defs
            .get(erratum.shape)
            .and_then(|s| s.pointer(&format!("/properties/{member}/$ref")))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .map(str::to_owned);
        let Some(target) = member_ref.and_then(|name| defs.get(&name).cloned()) else {
            continue;
        };
        let fixed = amended(&target, erratum);
        if let Some(Value::Object(properties)) = defs
            .get_mut(erratum.shape)
            .and_then(|s| s.get_mut("properties"))
        {
            properties.insert(member.to_owned(), fixed);
        }
    }
}

/// The schema of a reply body with no output shape: an empty object.
pub fn empty_object_schema() -> Value {
    json!({"type": "object", "additionalProperties": false})
}

/// The schema document `operations/<Op>.json` of operation `name` (which must exist).
pub fn operation_schema(model: &Model, name: &str) -> Value {
    let op = &model.operations[name];
    let roots = op
        .input
        .iter()
        .chain(op.output.iter())
        .chain(&op.errors)
        .map(|r| r.shape.as_str());
    let mut defs: Map<String, Value> = reachable(model, roots)
        .into_iter()
        .map(|shape| (shape.to_owned(), shape_schema(&model.shapes[shape])))
        .collect();
    apply_errata(&mut defs);
    let errors: BTreeMap<&str, Value> = op
        .errors
        .iter()
        .map(|e| (e.shape.as_str(), def_ref(&e.shape)))
        .collect();
    json!({
        "$schema": DIALECT,
        "$id": format!("urn:cognito-contract:operation:{name}"),
        "input": op.input.as_ref().map_or_else(empty_object_schema, |r| def_ref(&r.shape)),
        "output": op.output.as_ref().map_or_else(empty_object_schema, |r| def_ref(&r.shape)),
        "errors": errors,
        "$defs": defs,
    })
}

/// The schema of protocol-level error bodies (`common-error.json`): `__type` and the message
/// in either spelling; other members are allowed.
pub fn common_error_schema() -> Value {
    json!({
        "$schema": DIALECT,
        "$id": "urn:cognito-contract:common-error",
        "type": "object",
        "properties": {
            "Message": {"type": "string"},
            "__type": {"type": "string"},
            "message": {"type": "string"},
        },
        "additionalProperties": true,
    })
}

/// The operation index (`index.json`).
pub fn index(model: &Model) -> Index {
    let prefix = model.metadata.target_prefix.clone().unwrap_or_default();
    let operations = model
        .operations
        .iter()
        .map(|(name, op)| {
            // Sorted but not deduplicated: the model lists NotAuthorizedException twice for
            // VerifySoftwareToken, and the index keeps the model's count of documented errors.
            let mut errors: Vec<String> = op.errors.iter().map(|e| e.shape.clone()).collect();
            errors.sort();
            let info = OperationInfo {
                target: format!("{prefix}.{name}"),
                input: op.input.as_ref().map(|r| r.shape.clone()),
                output: op.output.as_ref().map(|r| r.shape.clone()),
                errors,
                unauthenticated: op.unauthenticated(),
                paginator: model.paginators.get(name).map(|p| Paginator {
                    input_token: p.input_token.clone(),
                    output_token: p.output_token.clone(),
                    limit_key: p.limit_key.clone(),
                    result_key: p.result_key.clone(),
                }),
            };
            (name.clone(), info)
        })
        .collect();
    Index {
        model: ModelInfo {
            botocore: model.botocore_version.clone(),
            api_version: model.metadata.api_version.clone(),
            target_prefix: prefix,
            operations: model.operations.len(),
            documented_errors: model.documented_error_count(),
        },
        common_errors: COMMON_ERRORS.iter().map(|e| (*e).to_owned()).collect(),
        operations,
    }
}

/// 2-space pretty JSON with a trailing newline.
pub fn to_text<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    text.push('\n');
    text
}

/// Every generated file: path relative to `schemas/` -> file text.
pub fn generate(model: &Model) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from("index.json"), to_text(&index(model)));
    files.insert(
        PathBuf::from("common-error.json"),
        to_text(&common_error_schema()),
    );
    for name in model.operations.keys() {
        files.insert(
            Path::new("operations").join(format!("{name}.json")),
            to_text(&operation_schema(model, name)),
        );
    }
    files
}

/// Writes `files` under `dir` (each atomically: temp file + rename) and removes stale
/// `operations/*.json` files that `files` does not contain.
pub fn write(dir: &Path, files: &BTreeMap<PathBuf, String>) -> io::Result<()> {
    for (relative, text) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read_to_string(&path).is_ok_and(|old| old == *text) {
            continue;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)?;
    }
    let operations = dir.join("operations");
    if operations.is_dir() {
        for entry in std::fs::read_dir(&operations)? {
            let path = entry?.path();
            let relative = Path::new("operations").join(path.file_name().unwrap_or_default());
            if path.extension().is_some_and(|e| e == "json") && !files.contains_key(&relative) {
                std::fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}

/// Generates the schemas of `model` into `dir` (the `generate-schemas` subcommand).
pub fn generate_into(dir: &Path, model: &Model) -> io::Result<()> {
    write(dir, &generate(model))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::model::ShapeRef;
    use rstest::rstest;

    fn validator(schema: &Value) -> jsonschema::Validator {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(schema)
            .unwrap_or_else(|e| panic!("{schema} does not compile: {e}"))
    }

    fn shape(shape_type: ShapeType) -> Shape {
        Shape {
            shape_type,
            members: BTreeMap::new(),
            required: Vec::new(),
            min: None,
            max: None,
            pattern: None,
            enum_values: None,
            member: None,
            key: None,
            value: None,
            exception: false,
            fault: false,
            error: None,
            document: false,
        }
    }

    #[rstest]
    #[case("[a-z]+", "[a-z]+")]
    #[case("(?s).*", r"[\s\S]*")]
    #[case(r"(?s)a.b\.[.]", r"a[\s\S]b\.[.]")]
    #[case(r"[\p{L}\p{M}]+", r"[\p{L}\p{M}]+")]
    fn translates_patterns(#[case] model: &str, #[case] ecma: &str) {
        assert_eq!(translate_pattern(model), ecma);
    }

    #[rstest]
    #[case("(?s).*", "line one\nline two", true)]
    #[case(".*\\{####\\}.*", "code {####} here", true)]
    #[case("[a-z]+", "abc", true)]
    #[case("[a-z]+", "abc1", false)]
    #[case("[a-z]+", "1abc", false)]
    #[case("[0-9]+", "12a34", false)]
    #[case(r"[\w+=/]+", "é", false)]
    #[case(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "héllo", true)]
    #[case(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "two words", false)]
    #[case(r"^[0-9A-Za-z\.\-_]*(?<!\.)$", "ends.", false)]
    #[case(r"^[0-9A-Za-z\.\-_]*(?<!\.)$", "a.b", true)]
    #[case(r"[A-Za-z0-9-_+/=.]+", "a-b_c+/=.", true)]
    #[case(r"[A-Za-z0-9-_+/=.]+", "a b", false)]
    fn anchored_patterns_match_whole_strings(
        #[case] pattern: &str,
        #[case] text: &str,
        #[case] matches: bool,
    ) {
        let schema = json!({"type": "string", "pattern": anchored_pattern(pattern)});
        assert_eq!(
            validator(&schema).is_valid(&json!(text)),
            matches,
            "{pattern} vs {text:?}"
        );
    }

    #[rstest]
    #[case("", true)]
    #[case("QQ==", true)]
    #[case("QUI=", true)]
    #[case("QUJD", true)]
    #[case("QUJDRA==", true)]
    #[case("QUJD RA==", false)]
    #[case("QQ=", false)]
    #[case("Q", false)]
    #[case("QUJD!A==", false)]
    fn base64_pattern(#[case] text: &str, #[case] valid: bool) {
        let mut blob = shape(ShapeType::Blob);
        blob.max = Some(4);
        let schema = shape_schema(&blob);
        assert_eq!(validator(&schema).is_valid(&json!(text)), valid, "{text:?}");
    }

    #[rstest]
    #[case(0, 0)]
    #[case(1, 4)]
    #[case(3, 4)]
    #[case(4, 8)]
    #[case(131072, 174764)]
    fn base64_lengths(#[case] bytes: i64, #[case] chars: i64) {
        assert_eq!(base64_len(bytes), chars);
    }

    #[test]
    fn map_schema_checks_keys_values_and_size() {
        let mut map = shape(ShapeType::Map);
        map.key = Some(ShapeRef { shape: "K".into() });
        map.value = Some(ShapeRef { shape: "V".into() });
        map.min = Some(1);
        map.max = Some(2);
        let mut key = shape(ShapeType::String);
        key.max = Some(3);
        key.pattern = Some("[a-z]+".into());
        let mut value = shape(ShapeType::Integer);
        value.min = Some(0);
        let schema = json!({
            "$ref": "#/$defs/M",
            "$defs": {"M": shape_schema(&map), "K": shape_schema(&key), "V": shape_schema(&value)},
        });
        let v = validator(&schema);
        assert!(v.is_valid(&json!({"ab": 1})));
        assert!(!v.is_valid(&json!({})), "minProperties");
        assert!(
            !v.is_valid(&json!({"a": 1, "b": 2, "c": 3})),
            "maxProperties"
        );
        assert!(!v.is_valid(&json!({"abcd": 1})), "key maxLength");
        assert!(!v.is_valid(&json!({"AB": 1})), "key pattern");
        assert!(!v.is_valid(&json!({"ab": -1})), "value minimum");
        assert!(!v.is_valid(&json!({"ab": "1"})), "value type");
    }

    #[test]
    fn exceptions_accept_type_and_both_message_spellings() {
        let mut error = shape(ShapeType::Structure);
        error.exception = true;
        error.members.insert(
            "message".into(),
            ShapeRef {
                shape: "Msg".into(),
            },
        );
        let schema = json!({
            "$ref": "#/$defs/E",
            "$defs": {"E": shape_schema(&error), "Msg": {"type": "string"}},
        });
        let v = validator(&schema);
        assert!(v.is_valid(&json!({"__type": "E", "message": "m"})));
        assert!(v.is_valid(&json!({"__type": "E", "Message": "m"})));
        assert!(!v.is_valid(&json!({"__type": "E", "Other": "m"})));
        assert!(!v.is_valid(&json!({"Message": 1})));
    }

    #[test]
    fn structures_are_closed_and_require_members() {
        let mut s = shape(ShapeType::Structure);
        s.members.insert("B".into(), ShapeRef { shape: "T".into() });
        s.members.insert("A".into(), ShapeRef { shape: "T".into() });
        s.required = vec!["B".into(), "A".into()];
        let schema = shape_schema(&s);
        assert_eq!(schema["required"], json!(["A", "B"]));
        let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["A", "B"]);
        assert_eq!(schema["additionalProperties"], json!(false));
    }
}
