//! What a generated case checks of the error message: never more than the evidence shows.
//!
//! Where every part of the message [`crate::spec::generated::message`] computes was seen in real
//! AWS answers (no [`Note`]), the case expects the exact text. Where some part was not, the case
//! expects a pattern (`{"$regex": ...}`, anchored, `(?s)`) in which each unverified part is left
//! open and the evidenced parts stay literal:
//! - the value (structure and map renderings, sensitive containers, blobs):
//!   `Value.* at '<path>'` (also matches a value left out);
//! - the path through a map value: `at '.*'`;
//! - the constraint (map wrappers, map size wording, blob and erratum bounds): `constraint: .*`;
//! - the order of an enum: `[A, B]` becomes any order of the same values.
//!
//! A `SerializationException` message not seen for that JSON type mismatch is not checked at all
//! (only the error code is).

use regex::escape;

use crate::spec::generated::cases::Case;
use crate::spec::generated::constraints::shape_at;
use crate::spec::generated::message::{Note, Shown, Violation, enum_order};
use crate::spec::generated::schema::Operation;

/// Notes that leave the shown value open.
const VALUE_NOTES: &[Note] = &[
    Note::MapRendering,
    Note::StructureRendering,
    Note::SensitiveContainer,
    Note::SensitiveNull,
    Note::SensitivityContradicted,
    Note::Blob,
];

/// Notes that leave the constraint text open.
const CONSTRAINT_NOTES: &[Note] = &[
    Note::MapWrapper,
    Note::MapSizeWording,
    Note::Blob,
    Note::Erratum,
];

/// The message a generated case expects: the exact text, a partial pattern, or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageCheck {
    Exact(String),
    Pattern(String),
    Unchecked,
}

impl MessageCheck {
    /// The `expect.message` of a case file, if any.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        match self {
            MessageCheck::Exact(text) => Some(text.clone().into()),
            MessageCheck::Pattern(pattern) => Some(serde_json::json!({ "$regex": pattern })),
            MessageCheck::Unchecked => None,
        }
    }
}

/// What `case` (of operation `op`) checks of the message.
pub fn message_check(op: &Operation, case: &Case) -> MessageCheck {
    let Some(message) = &case.message else {
        return MessageCheck::Unchecked;
    };
    if case.notes.is_empty() {
        return MessageCheck::Exact(message.clone());
    }
    match &case.violation {
        Some(violation) => MessageCheck::Pattern(pattern(op, case, violation)),
        // A SerializationException message not seen for this mismatch.
        None => MessageCheck::Unchecked,
    }
}

/// The anchored pattern of a message with one violation and unverified parts.
fn pattern(op: &Operation, case: &Case, violation: &Violation) -> String {
    let noted = |notes: &[Note]| case.notes.iter().any(|n| notes.contains(n));
    let value = if noted(VALUE_NOTES) {
        "Value.* at".to_owned()
    } else {
        match &violation.value {
            Shown::Value(text) => format!("Value '{}' at", escape(text)),
            Shown::Null => "Value null at".to_owned(),
            Shown::Omitted => "Value at".to_owned(),
        }
    };
    let path = if case.notes.contains(&Note::MapEntryPath) {
        ".*".to_owned()
    } else {
        escape(&violation.path)
    };
    let constraint = if noted(CONSTRAINT_NOTES) {
        ".*".to_owned()
    } else if case.notes.contains(&Note::EnumOrder) {
        enum_in_any_order(op, case, &violation.constraint)
    } else {
        escape(&violation.constraint)
    };
    format!(
        "(?s)^1 validation error detected: {value} '{path}' failed to satisfy constraint: {constraint}$"
    )
}

/// The constraint text, escaped, with its enum value list open to any order of the values.
fn enum_in_any_order(op: &Operation, case: &Case, constraint: &str) -> String {
    let values = shape_at(&op.input, &case.constraint.path)
        .map(|shape| enum_order(shape).0)
        .unwrap_or_default();
    let listed = format!("[{}]", values.join(", "));
    let Some((before, after)) = constraint.split_once(&listed) else {
        return ".*".to_owned();
    };
    let one = values
        .iter()
        .map(|v| escape(v))
        .collect::<Vec<_>>()
        .join("|");
    let rest = values.len().saturating_sub(1);
    format!(
        "{}\\[(?:{one})(?:, (?:{one})){{{rest}}}\\]{}",
        escape(before),
        escape(after)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::generated::cases::ErrorCode;
    use crate::spec::generated::constraints::{Constraint, Keyword, Step};
    use serde_json::json;

    fn op() -> Operation {
        Operation::from_document(
            "Op",
            json!({"input": {"type": "object", "properties": {
                "Mode": {"type": "string", "enum": ["A", "B", "C"]}}}}),
        )
        .unwrap()
    }

    fn case(notes: Vec<Note>, value: Shown, constraint: &str) -> Case {
        let violation = Violation {
            path: "mode".into(),
            value,
            constraint: constraint.into(),
        };
        Case {
            name: "generated/Op/Mode/enum".into(),
            constraint: Constraint {
                operation: "Op".into(),
                path: vec![Step::Member("Mode".into())],
                keyword: Keyword::Enum,
            },
            request: json!({"Mode": "x"}),
            pointer: "/Mode".into(),
            schema_keyword: "enum",
            error: ErrorCode::InvalidParameterException,
            message: Some(crate::spec::generated::message::message(
                std::slice::from_ref(&violation),
            )),
            violation: Some(violation),
            notes,
        }
    }

    #[test]
    fn evidenced_messages_are_exact_and_the_rest_partial() {
        let text = "Member must satisfy enum value set: [A, B, C]";
        let exact = case(Vec::new(), Shown::Value("x".into()), text);
        assert_eq!(
            message_check(&op(), &exact),
            MessageCheck::Exact(format!(
                "1 validation error detected: Value 'x' at 'mode' failed to satisfy constraint: {text}"
            ))
        );
        let order = case(vec![Note::EnumOrder], Shown::Value("x".into()), text);
        let MessageCheck::Pattern(pattern) = message_check(&op(), &order) else {
            panic!("a pattern")
        };
        let re = regex::Regex::new(&pattern).unwrap();
        let head = "1 validation error detected: Value 'x' at 'mode' failed to satisfy constraint";
        assert!(re.is_match(&format!(
            "{head}: Member must satisfy enum value set: [C, A, B]"
        )));
        assert!(!re.is_match(&format!(
            "{head}: Member must satisfy enum value set: [C, A]"
        )));
        assert!(!re.is_match(&format!(
            "{head}: Member must satisfy enum value set: [D, A, B]"
        )));
        let hidden = case(
            vec![Note::SensitiveNull, Note::MapWrapper],
            Shown::Null,
            text,
        );
        let MessageCheck::Pattern(pattern) = message_check(&op(), &hidden) else {
            panic!("a pattern")
        };
        assert_eq!(
            pattern,
            "(?s)^1 validation error detected: Value.* at 'mode' failed to satisfy constraint: .*$"
        );
    }
}
