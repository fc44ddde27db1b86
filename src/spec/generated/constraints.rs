//! Every input constraint of an operation, one per (member path, keyword).
//!
//! A path is the chain of [`Step`]s from the request root to a member: structure members by
//! model name, `Item` for the elements of a list, `Key` and `Value` for the keys and values of a
//! map. A member nested in a shared shape is counted once per path it is reachable by (the same
//! `UserPoolIdType` constraints count once in every operation and every place that uses them).
//!
//! Keywords are the JSON Schema keywords the schema generator wrote: `required`, the length,
//! range, item-count and property-count bounds, `pattern`, `enum`, and `type` (one per member,
//! list element and map value: every such position can be sent a value of the wrong JSON type;
//! map keys cannot, JSON keys are always strings).

use std::collections::BTreeMap;
use std::fmt;

use crate::spec::generated::schema::{Kind, Operation, Shape};

/// One step of a member path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// A structure member, by model name.
    Member(String),
    /// The elements of a list.
    Item,
    /// The keys of a map.
    Key,
    /// The values of a map.
    Value,
}

/// A constraint keyword, named as in JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Keyword {
    Required,
    MinLength,
    MaxLength,
    Minimum,
    Maximum,
    MinItems,
    MaxItems,
    MinProperties,
    MaxProperties,
    Pattern,
    Enum,
    Type,
}

impl Keyword {
    /// Every keyword, in report order.
    pub const ALL: [Keyword; 12] = [
        Keyword::Required,
        Keyword::MinLength,
        Keyword::MaxLength,
        Keyword::Minimum,
        Keyword::Maximum,
        Keyword::MinItems,
        Keyword::MaxItems,
        Keyword::MinProperties,
        Keyword::MaxProperties,
        Keyword::Pattern,
        Keyword::Enum,
        Keyword::Type,
    ];

    /// The JSON Schema keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Required => "required",
            Keyword::MinLength => "minLength",
            Keyword::MaxLength => "maxLength",
            Keyword::Minimum => "minimum",
            Keyword::Maximum => "maximum",
            Keyword::MinItems => "minItems",
            Keyword::MaxItems => "maxItems",
            Keyword::MinProperties => "minProperties",
            Keyword::MaxProperties => "maxProperties",
            Keyword::Pattern => "pattern",
            Keyword::Enum => "enum",
            Keyword::Type => "type",
        }
    }

    /// Is this a lower bound (length, value, items or properties)?
    pub fn is_min(self) -> bool {
        matches!(
            self,
            Keyword::MinLength | Keyword::Minimum | Keyword::MinItems | Keyword::MinProperties
        )
    }

    /// Is this an upper bound?
    pub fn is_max(self) -> bool {
        matches!(
            self,
            Keyword::MaxLength | Keyword::Maximum | Keyword::MaxItems | Keyword::MaxProperties
        )
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One constraint of one operation's input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Constraint {
    pub operation: String,
    /// The constrained member; for `required`, the member that must be present.
    pub path: Vec<Step>,
    pub keyword: Keyword,
}

impl Constraint {
    /// The path as a JSON pointer into the request: `/*` for list elements, `/{key}` and
    /// `/{value}` for the keys and values of a map (e.g. `/UserPoolAddOns/AdvancedSecurityMode`,
    /// `/Schema/*/Name`, `/ClientMetadata/{value}`).
    pub fn pointer(&self) -> String {
        self.path
            .iter()
            .map(|step| match step {
                Step::Member(name) => format!("/{}", escape_pointer(name)),
                Step::Item => "/*".to_owned(),
                Step::Key => "/{key}".to_owned(),
                Step::Value => "/{value}".to_owned(),
            })
            .collect()
    }

    /// The path as `/`-joined model names, `member` for list elements and `key` / `value` for
    /// maps (e.g. `UserPoolAddOns/AdvancedSecurityMode`, `Schema/member/Name`).
    pub fn member_path(&self) -> String {
        self.path
            .iter()
            .map(|step| match step {
                Step::Member(name) => name.as_str(),
                Step::Item => "member",
                Step::Key => "key",
                Step::Value => "value",
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The stable case name `generated/<Operation>/<MemberPath>/<keyword>`.
    pub fn case_name(&self) -> String {
        format!(
            "generated/{}/{}/{}",
            self.operation,
            self.member_path(),
            self.keyword
        )
    }
}

/// Escapes a JSON pointer token (`~` and `/`).
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The shape at `path` under `root`.
pub fn shape_at<'a>(root: &'a Shape, path: &[Step]) -> Option<&'a Shape> {
    path.iter()
        .try_fold(root, |shape, step| match (step, &shape.kind) {
            (Step::Member(name), Kind::Structure { .. }) => shape.member(name),
            (Step::Item, Kind::List(item)) => Some(item.as_ref()),
            (Step::Key, Kind::Map { key, .. }) => Some(key.as_ref()),
            (Step::Value, Kind::Map { value, .. }) => Some(value.as_ref()),
            _ => None,
        })
}

/// The bound keywords of `shape` (lengths, range, items or properties by kind), lower first.
pub fn bound_keywords(shape: &Shape) -> (Keyword, Keyword) {
    match shape.kind {
        Kind::String | Kind::Blob => (Keyword::MinLength, Keyword::MaxLength),
        Kind::List(_) => (Keyword::MinItems, Keyword::MaxItems),
        Kind::Map { .. } => (Keyword::MinProperties, Keyword::MaxProperties),
        _ => (Keyword::Minimum, Keyword::Maximum),
    }
}

/// Every input constraint of `op`, depth first in schema order.
pub fn constraints(op: &Operation) -> Vec<Constraint> {
    let mut out = Vec::new();
    visit(op, &op.input, &mut Vec::new(), false, &mut out);
    out
}

fn visit(
    op: &Operation,
    shape: &Shape,
    path: &mut Vec<Step>,
    required: bool,
    out: &mut Vec<Constraint>,
) {
    let mut push = |keyword| {
        out.push(Constraint {
            operation: op.name.clone(),
            path: path.clone(),
            keyword,
        })
    };
    if required {
        push(Keyword::Required);
    }
    let is_key = path.last() == Some(&Step::Key);
    if !path.is_empty() && !is_key && shape.kind != Kind::Document {
        push(Keyword::Type);
    }
    let (lower, upper) = bound_keywords(shape);
    if shape.min.is_some() && !shape.timestamp {
        push(lower);
    }
    if shape.max.is_some() && !shape.timestamp {
        push(upper);
    }
    if shape.pattern.is_some() {
        push(Keyword::Pattern);
    }
    if shape.enum_values.is_some() {
        push(Keyword::Enum);
    }
    match &shape.kind {
        Kind::Structure { members, required } => {
            for (name, member) in members {
                path.push(Step::Member(name.clone()));
                visit(op, member, path, required.contains(name), out);
                path.pop();
            }
        }
        Kind::List(item) => {
            path.push(Step::Item);
            visit(op, item, path, false, out);
            path.pop();
        }
        Kind::Map { key, value } => {
            for (step, shape) in [(Step::Key, key), (Step::Value, value)] {
                path.push(step);
                visit(op, shape, path, false, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// How many constraints there are of each keyword.
pub fn count_by_keyword<'a>(
    constraints: impl IntoIterator<Item = &'a Constraint>,
) -> BTreeMap<Keyword, usize> {
    let mut counts = BTreeMap::new();
    for constraint in constraints {
        *counts.entry(constraint.keyword).or_default() += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn enumerates_nested_members_once_per_path() {
        let op = Operation::from_document(
            "Op",
            json!({
                "input": {"$ref": "#/$defs/Req"},
                "$defs": {
                    "Req": {"type": "object", "properties": {
                        "A": {"$ref": "#/$defs/Pair"},
                        "B": {"$ref": "#/$defs/Pair"},
                        "L": {"type": "array", "items": {"$ref": "#/$defs/Pair"}, "maxItems": 2},
                        "M": {"type": "object", "propertyNames": {"$ref": "#/$defs/Id"},
                              "additionalProperties": {"$ref": "#/$defs/Id"}}
                    }, "required": ["A"], "additionalProperties": false},
                    "Pair": {"type": "object", "properties": {"Id": {"$ref": "#/$defs/Id"}},
                             "required": ["Id"], "additionalProperties": false},
                    "Id": {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^(?:[a-z]+)$"}
                }
            }),
        )
        .unwrap();
        let all = constraints(&op);
        let names: Vec<String> = all.iter().map(Constraint::case_name).collect();
        assert!(names.contains(&"generated/Op/A/required".to_owned()));
        assert!(names.contains(&"generated/Op/B/Id/maxLength".to_owned()));
        assert!(names.contains(&"generated/Op/L/member/Id/required".to_owned()));
        assert!(names.contains(&"generated/Op/M/key/pattern".to_owned()));
        assert!(!names.contains(&"generated/Op/M/key/type".to_owned()));
        let counts = count_by_keyword(&all);
        // A, B, L/*, M/{key}, M/{value}: Id's three constraints each, A twice (A and A/Id)...
        assert_eq!(counts[&Keyword::Required], 4);
        assert_eq!(counts[&Keyword::MaxLength], 5);
        assert_eq!(counts[&Keyword::MaxItems], 1);
        let pointers: Vec<String> = all.iter().map(Constraint::pointer).collect();
        assert!(pointers.contains(&"/L/*/Id".to_owned()));
        assert!(pointers.contains(&"/M/{value}".to_owned()));
    }
}
