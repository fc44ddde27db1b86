//! The validation message AWS answers an invalid request with, for a set of violations.
//!
//! Form (each piece seen in real Cognito answers unless [`Note`]d as unverified):
//! `N validation error(s) detected: <violation>; <violation>`, each violation
//! `Value '<value>' at '<path>' failed to satisfy constraint: <constraint>`, where
//! - the value is printed raw (strings unquoted inside the quotes, numbers as digits), `null`
//!   unquoted for a missing member (`Value null at 'x'`), and left out for sensitive members
//!   (`Value at 'password' ...`);
//! - the path is the model member names with their first letter lowered (`kMSKeyArn`,
//!   `callbackURLs`), joined with `.`, list elements as `<list>.<n>.member` counted from 1
//!   (`schema.1.member.name`);
//! - a constraint on the elements of a list of scalars is reported at the list, value the whole
//!   list as `[a, b]`, as `Member must satisfy constraint: [<every constraint of the element>]`;
//!   map keys and values likewise as `Map keys must satisfy constraint: [...]` and
//!   `Map value must satisfy constraint: [...]`;
//! - constraint texts: `Member must have length less than or equal to N` (strings and lists),
//!   `Member must have length greater than or equal to N`, `Member must have value less than or
//!   equal to N`, `Member must have value greater than or equal to N`, `Member must satisfy
//!   regular expression pattern: <model pattern>`, `Member must satisfy enum value set: [A, B]`,
//!   `Member must not be null`.
//!
//! Evidence for each form is listed in [`EVIDENCE`].

use serde_json::Value;

use crate::spec::generated::constraints::{Keyword, Step, escape_pointer, shape_at};
use crate::spec::generated::schema::{Kind, Shape};

/// Public reports of real AWS answers each form above is taken from (form, address).
pub const EVIDENCE: &[(&str, &str)] = &[
    (
        "maxLength, list element path schema.1.member.name",
        "https://github.com/aws/aws-cdk/issues/14175",
    ),
    (
        "minLength + pattern, sensitive value left out, `N validation errors detected`, `; `",
        "https://github.com/ks888/LambStatus/issues/6",
    ),
    (
        "pattern, top-level member",
        "https://github.com/anomalyco/guide/issues/127",
    ),
    (
        "pattern, nested path lambdaConfig.customMessage",
        "https://github.com/aws-amplify/amplify-js/issues/3731",
    ),
    (
        "enum value set (order [OPTIONAL, OFF, ON])",
        "https://github.com/rosberglinhares/CloudFormationCognitoCustomResources/issues/1",
    ),
    (
        "enum value set (order [SUPPRESS, RESEND])",
        "https://github.com/awsdocs/aws-doc-sdk-examples/pull/891",
    ),
    (
        "range minimum, number printed as '0'",
        "https://github.com/aws/aws-cli/issues/3926",
    ),
    (
        "range maximum wording (IAM)",
        "https://github.com/boto/botocore/issues/3337",
    ),
    (
        "Member must not be null, `Value null at`",
        "https://github.com/amazon-archives/amazon-cognito-auth-js/issues/65",
    ),
    (
        "list of scalars: whole list '[A]', Member must satisfy constraint: [enum]",
        "https://github.com/aws-solutions/media-insights-on-aws/pull/199",
    ),
    (
        "list element constraints listed max, min, pattern (callbackURLs)",
        "https://github.com/aws/aws-cli/issues/2941",
    ),
    (
        "list printed as [a, b, c] (callbackURLs)",
        "https://github.com/aws/aws-cli/issues/2894",
    ),
    (
        "list length wording for maxItems (logConfigurations, live Cognito)",
        "https://github.com/floci-io/floci/pull/2867",
    ),
    (
        "Map value must satisfy constraint: [max, min] (CodePipeline)",
        "https://github.com/hashicorp/terraform-provider-aws/issues/41023",
    ),
    (
        "Map keys must satisfy constraint: [pattern] (Lambda, sensitive map left out)",
        "https://github.com/trek10inc/serverless-secrets/issues/39",
    ),
    (
        "lowerCamel lowers only the first letter (kMSKeyArn)",
        "https://github.com/highsource/bitcoin-a-day/issues/1",
    ),
    (
        "SerializationException: Start of structure or map found where not expected.",
        "https://github.com/aws-amplify/amplify-js/issues/5165",
    ),
    (
        "SerializationException for a number sent as a string member",
        "https://github.com/pmill/aws-cognito/issues/10",
    ),
];

/// Enum orders seen in real answers; AWS does not print enums in model order. Other enums
/// use the model order, which is [`Note::EnumOrder`].
pub const ENUM_ORDER_EVIDENCE: &[(&str, &[&str])] = &[
    ("UserPoolMfaType", &["OPTIONAL", "OFF", "ON"]),
    ("MessageActionType", &["SUPPRESS", "RESEND"]),
];

/// Bounds AWS checks where the schema's differ: the model bound behind an erratum that only
/// concerns replies (keyed by a phrase of the erratum's comment), and blob bounds in bytes
/// (keyed by shape name; the schema has them in base64 characters).
pub const AWS_BOUNDS: &[(&str, Option<i64>, Option<i64>)] = &[
    // CustomAttributeNameType: 1..20 in requests (aws-cdk#14175 shows the 20).
    ("caps names at 20 characters", Some(1), Some(20)),
    ("ImageFileType", Some(0), Some(131_072)),
    ("AssetBytesType", None, Some(1_000_000)),
];

/// The bounds AWS checks for `shape` (see [`AWS_BOUNDS`]), and whether they were found there.
pub fn aws_bounds(shape: &Shape) -> (Option<i64>, Option<i64>, bool) {
    let found = AWS_BOUNDS.iter().find(|(key, _, _)| {
        shape.erratum.as_deref().is_some_and(|c| c.contains(key))
            || (shape.kind == Kind::Blob && shape.name.as_deref() == Some(key))
    });
    match found {
        Some((_, min, max)) => (*min, *max, true),
        None => (shape.min, shape.max, false),
    }
}

/// Sensitive model shapes whose value a real answer printed all the same: `Value
/// 'ap-northeast-1_xxxxxxxxx' at 'clientId'` (<https://github.com/boto/boto3/issues/3581>,
/// 2023). Messages still leave them out, as the model says, with
/// [`Note::SensitivityContradicted`].
pub const SENSITIVE_BUT_PRINTED: &[&str] = &["ClientIdType"];

/// A part of an expected message for which no real AWS answer was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Note {
    /// The enum is printed in model order; AWS prints its own (hash) order.
    EnumOrder,
    /// A map value printed as `{k=v}` (Java form, seen in EventBridge answers only).
    MapRendering,
    /// A structure printed as `{Member=value}`: no Cognito answer shows structure values.
    StructureRendering,
    /// `Map keys/value must satisfy constraint: [...]` seen from Lambda and CodePipeline only.
    MapWrapper,
    /// A structure inside a map value, path `<map>.<key>.value.<member>`, is a guess.
    MapEntryPath,
    /// A container holding sensitive data is assumed left out like a sensitive member.
    SensitiveContainer,
    /// A missing sensitive member is assumed printed `Value null at`.
    SensitiveNull,
    /// The model marks the member sensitive, but a real answer printed its value
    /// ([`SENSITIVE_BUT_PRINTED`]).
    SensitivityContradicted,
    /// Map sizes assumed worded like list lengths.
    MapSizeWording,
    /// Blob bounds are in bytes (from the model) and blob values are not printed as sent; the
    /// form of the value was not seen.
    Blob,
    /// The schema of this member was relaxed by an erratum and what AWS checks is not known.
    Erratum,
    /// The `SerializationException` message for this JSON type mismatch was not seen.
    SerializationMessage,
}

impl Note {
    /// A short description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Note::EnumOrder => "enum order (model order used)",
            Note::MapRendering => "map value rendering {k=v}",
            Note::StructureRendering => "structure value rendering",
            Note::MapWrapper => "Map keys/value wrapper (other services only)",
            Note::MapEntryPath => "path through a map value",
            Note::SensitiveContainer => "container of sensitive data left out",
            Note::SensitiveNull => "missing sensitive member printed as null",
            Note::SensitivityContradicted => "sensitive member printed in a 2023 answer",
            Note::MapSizeWording => "map size wording",
            Note::Blob => "blob bound and value",
            Note::Erratum => "erratum-relaxed bound",
            Note::SerializationMessage => "SerializationException message",
        }
    }
}

/// How the value of a violation is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// `Value '<text>' at`.
    Value(String),
    /// `Value null at`.
    Null,
    /// `Value at` (sensitive).
    Omitted,
}

/// One violation as AWS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The dotted lowerCamel path (`userPoolAddOns.advancedSecurityMode`).
    pub path: String,
    pub value: Shown,
    /// The constraint text (`Member must have length less than or equal to 128`).
    pub constraint: String,
}

impl Violation {
    /// `Value '<value>' at '<path>' failed to satisfy constraint: <constraint>`.
    pub fn text(&self) -> String {
        let value = match &self.value {
            Shown::Value(text) => format!("Value '{text}' at"),
            Shown::Null => "Value null at".to_owned(),
            Shown::Omitted => "Value at".to_owned(),
        };
        format!(
            "{value} '{}' failed to satisfy constraint: {}",
            self.path, self.constraint
        )
    }
}

/// The whole message: `1 validation error detected: ...` or
/// `N validation errors detected: ...; ...`.
pub fn message(violations: &[Violation]) -> String {
    let head = match violations.len() {
        1 => "1 validation error detected".to_owned(),
        n => format!("{n} validation errors detected"),
    };
    let body: Vec<String> = violations.iter().map(Violation::text).collect();
    format!("{head}: {}", body.join("; "))
}

/// A model member name as AWS writes it in paths: first letter lowered (`KMSKeyArn` ->
/// `kMSKeyArn`).
pub fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The model pattern behind an anchored schema pattern (`^(?:P)$` -> `P`, `[\s\S]` back to
/// `.` under `(?s)`).
pub fn model_pattern(schema_pattern: &str) -> String {
    let inner = schema_pattern
        .strip_prefix("^(?:")
        .and_then(|p| p.strip_suffix(")$"))
        .unwrap_or(schema_pattern);
    if inner.contains(r"[\s\S]") {
        format!("(?s){}", inner.replace(r"[\s\S]", "."))
    } else {
        inner.to_owned()
    }
}

/// Renders a JSON value as AWS (Java) prints it: strings raw, lists `[a, b]`, maps `{k=v}`.
pub fn render(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}={}", render(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// The enum values of `shape` in the order AWS prints them, and whether that order is seen.
pub fn enum_order(shape: &Shape) -> (Vec<String>, bool) {
    let values = shape.enum_values.clone().unwrap_or_default();
    let seen = shape.name.as_deref().and_then(|name| {
        ENUM_ORDER_EVIDENCE
            .iter()
            .find(|(n, order)| *n == name && order.len() == values.len())
            .filter(|(_, order)| order.iter().all(|v| values.iter().any(|m| m == v)))
    });
    match seen {
        Some((_, order)) => (order.iter().map(|v| (*v).to_owned()).collect(), true),
        None => {
            let trivially = values.len() < 2;
            (values, trivially)
        }
    }
}

/// The text of one constraint of `shape` (`None` when the shape has no such constraint).
pub fn constraint_text(shape: &Shape, keyword: Keyword) -> Option<String> {
    let length = |bound: &str, n: i64| format!("Member must have length {bound} {n}");
    let value = |bound: &str, n: i64| format!("Member must have value {bound} {n}");
    let (min, max, _) = aws_bounds(shape);
    Some(match keyword {
        Keyword::Required => "Member must not be null".to_owned(),
        Keyword::MinLength | Keyword::MinItems | Keyword::MinProperties => {
            length("greater than or equal to", min?)
        }
        Keyword::MaxLength | Keyword::MaxItems | Keyword::MaxProperties => {
            length("less than or equal to", max?)
        }
        Keyword::Minimum => value("greater than or equal to", min?),
        Keyword::Maximum => value("less than or equal to", max?),
        Keyword::Pattern => format!(
            "Member must satisfy regular expression pattern: {}",
            model_pattern(shape.pattern.as_deref()?)
        ),
        Keyword::Enum => {
            shape.enum_values.as_ref()?;
            format!(
                "Member must satisfy enum value set: [{}]",
                enum_order(shape).0.join(", ")
            )
        }
        Keyword::Type => return None,
    })
}

/// Every constraint text of `shape` in the order AWS lists them inside a
/// `Member must satisfy constraint: [...]`: upper bound, lower bound, pattern, enum.
pub fn all_constraint_texts(shape: &Shape) -> Vec<String> {
    let (lower, upper) = crate::spec::generated::constraints::bound_keywords(shape);
    [upper, lower, Keyword::Pattern, Keyword::Enum]
        .into_iter()
        .filter_map(|k| constraint_text(shape, k))
        .collect()
}

/// The violation AWS reports for breaking `keyword` at `path` in `request`, with the notes of
/// the parts not seen in real answers. `tokens` are the JSON pointer tokens of `path` in
/// `request` (list index, map key), as [`crate::spec::generated::base::reach`] returns them.
pub fn violation_for(
    root: &Shape,
    request: &Value,
    path: &[Step],
    tokens: &[String],
    keyword: Keyword,
) -> Option<(Violation, Vec<Note>)> {
    let mut notes = Vec::new();
    // AWS reports at the last structure member; trailing list/map steps become wrappers.
    let last_member = path.iter().rposition(|s| matches!(s, Step::Member(_)))?;
    let segments = path_segments(&path[..=last_member], tokens, &mut notes)?;
    let reported = shape_at(root, &path[..=last_member])?;
    let target = shape_at(root, path)?;
    let trailing = &path[last_member + 1..];
    let constraint = if trailing.is_empty() {
        constraint_text(target, keyword)?
    } else {
        wrap(reported, trailing, &mut notes)?
    };
    constraint_notes(&constraint, keyword, target, reported, &mut notes);
    let pointer: String = tokens[..=last_member]
        .iter()
        .map(|t| format!("/{}", escape_pointer(t)))
        .collect();
    let value = shown_value(request.pointer(&pointer), reported, &mut notes);
    notes.sort();
    notes.dedup();
    let violation = Violation {
        path: segments.join("."),
        value,
        constraint,
    };
    Some((violation, notes))
}

/// The path segments AWS writes for `path` (ending at a structure member): lowerCamel member
/// names, `<n>.member` for list elements (from 1), `<key>.value` through map values.
fn path_segments(path: &[Step], tokens: &[String], notes: &mut Vec<Note>) -> Option<Vec<String>> {
    let mut segments = Vec::new();
    for (i, step) in path.iter().enumerate() {
        match step {
            Step::Member(name) => segments.push(lower_camel(name)),
            Step::Item => {
                let index: usize = tokens.get(i)?.parse().ok()?;
                segments.push((index + 1).to_string());
                segments.push("member".to_owned());
            }
            Step::Value => {
                segments.push(tokens.get(i)?.clone());
                segments.push("value".to_owned());
                notes.push(Note::MapEntryPath);
            }
            Step::Key => return None,
        }
    }
    Some(segments)
}

/// The notes the constraint text of a violation needs.
fn constraint_notes(
    constraint: &str,
    keyword: Keyword,
    target: &Shape,
    reported: &Shape,
    notes: &mut Vec<Note>,
) {
    if constraint.contains("enum value set") && !enum_order(target).1 {
        notes.push(Note::EnumOrder);
    }
    if matches!(keyword, Keyword::MinProperties | Keyword::MaxProperties) {
        notes.push(Note::MapSizeWording);
    }
    if target.kind == Kind::Blob || reported.kind == Kind::Blob {
        notes.push(Note::Blob);
    }
    if [target, reported]
        .iter()
        .any(|s| s.erratum.is_some() && !aws_bounds(s).2)
    {
        notes.push(Note::Erratum);
    }
}

/// How the value of the `reported` member (`sent`, if it was sent) shows, with its notes.
fn shown_value(sent: Option<&Value>, reported: &Shape, notes: &mut Vec<Note>) -> Shown {
    match sent {
        None | Some(Value::Null) => {
            if reported.holds_sensitive() {
                notes.push(Note::SensitiveNull);
            }
            Shown::Null
        }
        Some(_) if reported.holds_sensitive() => {
            if !reported.sensitive {
                notes.push(Note::SensitiveContainer);
            }
            if reported
                .name
                .as_deref()
                .is_some_and(|n| SENSITIVE_BUT_PRINTED.contains(&n))
            {
                notes.push(Note::SensitivityContradicted);
            }
            Shown::Omitted
        }
        Some(value) => {
            rendering_notes(reported, notes);
            Shown::Value(render(value))
        }
    }
}

/// `Member must satisfy constraint: [...]` / `Map value ...` / `Map keys ...` around the
/// constraints of the element `steps` lead to from the collection `shape`.
fn wrap(shape: &Shape, steps: &[Step], notes: &mut Vec<Note>) -> Option<String> {
    let (step, rest) = steps.split_first()?;
    let (prefix, element) = match (step, &shape.kind) {
        (Step::Item, Kind::List(item)) => ("Member must satisfy constraint", item.as_ref()),
        (Step::Value, Kind::Map { value, .. }) => {
            notes.push(Note::MapWrapper);
            ("Map value must satisfy constraint", value.as_ref())
        }
        (Step::Key, Kind::Map { key, .. }) => {
            notes.push(Note::MapWrapper);
            ("Map keys must satisfy constraint", key.as_ref())
        }
        _ => return None,
    };
    let mut texts = all_constraint_texts(element);
    if !rest.is_empty() {
        texts.push(wrap(element, rest, notes)?);
    }
    Some(format!("{prefix}: [{}]", texts.join(", ")))
}

fn rendering_notes(shape: &Shape, notes: &mut Vec<Note>) {
    match &shape.kind {
        Kind::Structure { .. } => notes.push(Note::StructureRendering),
        Kind::Map { value, .. } => {
            notes.push(Note::MapRendering);
            rendering_notes(value, notes);
        }
        Kind::List(item) => rendering_notes(item, notes),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::generated::schema::Operation;
    use serde_json::json;

    /// A request shape shaped like the parts of CreateUserPool, AdminCreateUser,
    /// CreateUserPoolClient and ListIdentityProviders the evidence is about.
    fn root() -> Shape {
        Operation::from_document(
            "Op",
            json!({
                "input": {"type": "object", "properties": {
                    "Schema": {"type": "array", "items": {"$ref": "#/$defs/SchemaAttributeType"}},
                    "Username": {"$ref": "#/$defs/UsernameType"},
                    "MfaConfiguration": {"$ref": "#/$defs/UserPoolMfaType"},
                    "MessageAction": {"$ref": "#/$defs/MessageActionType"},
                    "MaxResults": {"type": "integer", "minimum": 1, "maximum": 60},
                    "UserPoolId": {"type": "string", "pattern": "^(?:[\\w-]+_[0-9a-zA-Z]+)$"},
                    "ExplicitAuthFlows": {"type": "array", "items": {"type": "string", "enum": ["A", "B"]}},
                    "CallbackURLs": {"type": "array", "items": {"type": "string", "minLength": 1,
                        "maxLength": 1024, "pattern": "^(?:[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+)$"}},
                    "LambdaConfig": {"type": "object", "properties": {
                        "CustomMessage": {"type": "string", "pattern": "^(?:arn:[\\w+=/,.@-]+)$"}}},
                    "Variables": {"type": "object", "propertyNames": {"type": "string",
                        "pattern": "^(?:[a-zA-Z]([a-zA-Z0-9_])+)$"}, "additionalProperties": {"$ref": "#/$defs/PasswordType"}}
                }},
                "$defs": {
                    "SchemaAttributeType": {"type": "object", "properties": {
                        "Name": {"type": "string", "minLength": 1, "maxLength": 20}}},
                    "UsernameType": {"type": "string", "minLength": 1, "maxLength": 128,
                        "pattern": "^(?:[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+)$"},
                    "UserPoolMfaType": {"type": "string", "enum": ["OFF", "ON", "OPTIONAL"]},
                    "MessageActionType": {"type": "string", "enum": ["RESEND", "SUPPRESS"]},
                    "PasswordType": {"type": "string"}
                }
            }),
        )
        .unwrap()
        .input
    }

    fn member(name: &str) -> Step {
        Step::Member(name.to_owned())
    }

    fn one(request: Value, path: &[Step], tokens: &[&str], keyword: Keyword) -> String {
        let tokens: Vec<String> = tokens.iter().map(|t| (*t).to_owned()).collect();
        let (violation, _) = violation_for(&root(), &request, path, &tokens, keyword).unwrap();
        message(&[violation])
    }

    #[test]
    fn reproduces_aws_cdk_14175_list_element_path() {
        let request = json!({"Schema": [{"Name": "phone_number_verified"}]});
        let path = [member("Schema"), Step::Item, member("Name")];
        assert_eq!(
            one(request, &path, &["Schema", "0", "Name"], Keyword::MaxLength),
            "1 validation error detected: Value 'phone_number_verified' at 'schema.1.member.name' \
             failed to satisfy constraint: Member must have length less than or equal to 20"
        );
    }

    #[test]
    fn reproduces_lambstatus_6_sensitive_and_joined() {
        let root = root();
        let request = json!({"Username": ""});
        let path = [member("Username")];
        let tokens = vec!["Username".to_owned()];
        let violations: Vec<Violation> = [Keyword::MinLength, Keyword::Pattern]
            .into_iter()
            .map(|k| violation_for(&root, &request, &path, &tokens, k).unwrap().0)
            .collect();
        assert_eq!(
            message(&violations),
            r"2 validation errors detected: Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+"
        );
    }

    #[test]
    fn reproduces_enum_orders_seen() {
        assert_eq!(
            one(
                json!({"MfaConfiguration": "false"}),
                &[member("MfaConfiguration")],
                &["MfaConfiguration"],
                Keyword::Enum
            ),
            "1 validation error detected: Value 'false' at 'mfaConfiguration' failed to satisfy \
             constraint: Member must satisfy enum value set: [OPTIONAL, OFF, ON]"
        );
        assert!(
            one(json!({"MessageAction": "SURPRESS"}), &[member("MessageAction")], &["MessageAction"], Keyword::Enum)
                .ends_with("Value 'SURPRESS' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [SUPPRESS, RESEND]")
        );
    }

    #[test]
    fn reproduces_range_pattern_and_null() {
        assert_eq!(
            one(
                json!({"MaxResults": 0}),
                &[member("MaxResults")],
                &["MaxResults"],
                Keyword::Minimum
            ),
            "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: \
             Member must have value greater than or equal to 1"
        );
        assert_eq!(
            one(
                json!({"UserPoolId": "YOUR_USER_POOL_ID"}),
                &[member("UserPoolId")],
                &["UserPoolId"],
                Keyword::Pattern
            ),
            r"1 validation error detected: Value 'YOUR_USER_POOL_ID' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
        );
        let nested = [member("LambdaConfig"), member("CustomMessage")];
        assert!(
            one(
                json!({"LambdaConfig": {"CustomMessage": "fn"}}),
                &nested,
                &["LambdaConfig", "CustomMessage"],
                Keyword::Pattern
            )
            .contains("Value 'fn' at 'lambdaConfig.customMessage' failed")
        );
        assert!(
            one(
                json!({}),
                &[member("MaxResults")],
                &["MaxResults"],
                Keyword::Required
            )
            .ends_with(
                "Value null at 'maxResults' failed to satisfy constraint: Member must not be null"
            )
        );
    }

    #[test]
    fn reproduces_list_and_map_wrappers() {
        let flows = [member("ExplicitAuthFlows"), Step::Item];
        let (violation, notes) = violation_for(
            &root(),
            &json!({"ExplicitAuthFlows": ["ADMIN_USER_PASSWORD_AUTH"]}),
            &flows,
            &["ExplicitAuthFlows".into(), "0".into()],
            Keyword::Enum,
        )
        .unwrap();
        assert_eq!(
            violation.text(),
            "Value '[ADMIN_USER_PASSWORD_AUTH]' at 'explicitAuthFlows' failed to satisfy constraint: \
             Member must satisfy constraint: [Member must satisfy enum value set: [A, B]]"
        );
        assert_eq!(notes, [Note::EnumOrder]);
        let urls = [member("CallbackURLs"), Step::Item];
        assert!(
            one(json!({"CallbackURLs": ["a b", "c"]}), &urls, &["CallbackURLs", "0"], Keyword::Pattern)
                .ends_with(r"Value '[a b, c]' at 'callbackURLs' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+]")
        );
        let keys = [member("Variables"), Step::Key];
        assert!(
            one(json!({"Variables": {"a": "x"}}), &keys, &["Variables", "a"], Keyword::Pattern)
                .ends_with("Value at 'variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(lower_camel("KMSKeyArn"), "kMSKeyArn");
        assert_eq!(lower_camel("CallbackURLs"), "callbackURLs");
        assert_eq!(model_pattern(r"^(?:[\s\S]*)$"), "(?s).*");
        assert_eq!(model_pattern("^(?:^(a|b)$)$"), "^(a|b)$");
        assert_eq!(render(&json!({"k": [1, "v"]})), "{k=[1, v]}");
    }
}
