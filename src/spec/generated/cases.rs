//! One generated case per input constraint: a request that breaks exactly that constraint and
//! is valid everywhere else, with the error and message AWS answers with.
//!
//! A case starts from the operation's base request ([`crate::spec::generated::base`]), adds the containers on
//! the member's path where they are missing ([`crate::spec::generated::base::reach`]) and changes one value:
//! - `required`: the member is removed;
//! - lengths, counts and ranges: a value one past the bound that satisfies everything else
//!   (same pattern, valid elements, distinct valid map keys);
//! - `pattern`: a string of allowed length the pattern rejects; `enum`: a string outside it;
//! - `type`: `{}` where a scalar or a list is expected, `[]` where a structure or a map is.
//!
//! The expected error is `InvalidParameterException` with the message of [`crate::spec::generated::message`],
//! or `SerializationException` for type breaks and undecodable blobs. A constraint that cannot
//! be broken alone in JSON is skipped with a [`SkipReason`].

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value, json};

use crate::spec::generated::base::{BaseError, base_request, reach, valid_value};
use crate::spec::generated::constraints::{
    Constraint, Keyword, Step, constraints, escape_pointer, shape_at,
};
use crate::spec::generated::message::{Note, Violation, message, violation_for};
use crate::spec::generated::schema::{Kind, Operation, Shape};
use crate::spec::generated::strings::Strings;

/// The error code a case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    InvalidParameterException,
    SerializationException,
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorCode::InvalidParameterException => "InvalidParameterException",
            ErrorCode::SerializationException => "SerializationException",
        })
    }
}

/// Why a constraint has no case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// The lower bound is 0: nothing is shorter or smaller.
    ZeroLowerBound,
    /// Every string one shorter than `minLength` also breaks the pattern (often: `+` patterns
    /// with `minLength` 1, where only the empty string is shorter).
    ShorterBreaksPattern,
    /// The pattern accepts no string longer than `maxLength`.
    LongerBreaksPattern,
    /// Every string of allowed length matches the pattern (`(?s).*`).
    PatternAcceptsAll,
    /// The member has an enum: a value breaking its length or pattern also breaks the enum.
    EnumAlsoBroken,
    /// No JSON value of another type is in the enum: a type break also breaks the enum.
    TypeAlsoBreaksEnum,
    /// The map key shape has too few distinct valid values for one more entry.
    TooFewDistinctKeys,
    /// The range bound is at the end of the 64-bit integers.
    BoundOverflow,
    /// No valid value could be generated for a container on the path.
    Unreachable,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::ZeroLowerBound => "lower bound is 0",
            SkipReason::ShorterBreaksPattern => "a shorter string also breaks the pattern",
            SkipReason::LongerBreaksPattern => "the pattern admits nothing longer",
            SkipReason::PatternAcceptsAll => "the pattern accepts every string of allowed length",
            SkipReason::EnumAlsoBroken => "the member has an enum, also broken",
            SkipReason::TypeAlsoBreaksEnum => "a wrong type also breaks the enum",
            SkipReason::TooFewDistinctKeys => "too few distinct valid map keys",
            SkipReason::BoundOverflow => "bound at the end of the integers",
            SkipReason::Unreachable => "no valid container on the path",
        }
    }
}

/// One generated case.
#[derive(Debug, Clone)]
pub struct Case {
    /// `generated/<Operation>/<MemberPath>/<keyword>`.
    pub name: String,
    pub constraint: Constraint,
    pub request: Value,
    /// Where the input schema reports the one error this request has (JSON pointer).
    pub pointer: String,
    /// The keyword the schema validator reports: the constraint's, or `propertyNames` for a
    /// map key (the key's own keyword is then inside it).
    pub schema_keyword: &'static str,
    pub error: ErrorCode,
    /// The message AWS answers with, when known.
    pub message: Option<String>,
    /// The one violation the message reports (`InvalidParameterException` cases).
    pub violation: Option<Violation>,
    /// Parts of the message not seen in real AWS answers.
    pub notes: Vec<Note>,
}

/// A constraint without a case.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub constraint: Constraint,
    pub reason: SkipReason,
}

/// The cases and skipped constraints of one or more operations.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub constraints: Vec<Constraint>,
    pub cases: Vec<Case>,
    pub skipped: Vec<Skipped>,
}

impl Generated {
    /// Skipped constraints counted by reason.
    pub fn skipped_by_reason(&self) -> BTreeMap<SkipReason, usize> {
        let mut counts = BTreeMap::new();
        for skipped in &self.skipped {
            *counts.entry(skipped.reason).or_default() += 1;
        }
        counts
    }
}

/// The cases of one operation.
pub fn generate_operation(op: &Operation, strings: &mut Strings) -> Result<Generated, BaseError> {
    let base = base_request(op, strings)?;
    let mut generated = Generated::default();
    for constraint in constraints(op) {
        match case_for(op, &base, &constraint, strings) {
            Ok(case) => generated.cases.push(case),
            Err(reason) => generated.skipped.push(Skipped {
                constraint: constraint.clone(),
                reason,
            }),
        }
        generated.constraints.push(constraint);
    }
    Ok(generated)
}

/// The cases of every operation in `ops`.
pub fn generate_all(ops: &[Operation]) -> Result<Generated, BaseError> {
    let mut strings = Strings::new();
    let mut all = Generated::default();
    for op in ops {
        let generated = generate_operation(op, &mut strings)?;
        all.constraints.extend(generated.constraints);
        all.cases.extend(generated.cases);
        all.skipped.extend(generated.skipped);
    }
    Ok(all)
}

fn pointer_of(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", escape_pointer(t)))
        .collect()
}

/// The case of `constraint`, or why there is none.
pub fn case_for(
    op: &Operation,
    base: &Value,
    constraint: &Constraint,
    strings: &mut Strings,
) -> Result<Case, SkipReason> {
    let path = &constraint.path;
    let shape = shape_at(&op.input, path).ok_or(SkipReason::Unreachable)?;
    let mut request = base.clone();
    let tokens =
        reach(&mut request, &op.input, path, strings).map_err(|_| SkipReason::Unreachable)?;
    let (parent_tokens, last) = tokens.split_at(tokens.len() - 1);
    let parent_pointer = pointer_of(parent_tokens);
    let (pointer, schema_keyword) = if constraint.keyword == Keyword::Required {
        let parent = request
            .pointer_mut(&parent_pointer)
            .and_then(Value::as_object_mut)
            .ok_or(SkipReason::Unreachable)?;
        parent.remove(&last[0]);
        (parent_pointer, "required")
    } else {
        let broken = break_value(shape, constraint.keyword, strings)?;
        let parent = request
            .pointer_mut(&parent_pointer)
            .ok_or(SkipReason::Unreachable)?;
        match (path.last(), parent) {
            (Some(Step::Key), Value::Object(map)) => {
                let Value::String(new_key) = broken else {
                    return Err(SkipReason::Unreachable);
                };
                let entry = map.remove(&last[0]).ok_or(SkipReason::Unreachable)?;
                map.insert(new_key, entry);
                (parent_pointer, "propertyNames")
            }
            (_, Value::Object(object)) => {
                object.insert(last[0].clone(), broken);
                (pointer_of(&tokens), constraint.keyword.as_str())
            }
            (_, Value::Array(items)) => {
                let index: usize = last[0].parse().map_err(|_| SkipReason::Unreachable)?;
                *items.get_mut(index).ok_or(SkipReason::Unreachable)? = broken;
                (pointer_of(&tokens), constraint.keyword.as_str())
            }
            _ => return Err(SkipReason::Unreachable),
        }
    };
    let (error, message, violation, notes) = expectation(op, &request, constraint, shape, &tokens);
    Ok(Case {
        name: constraint.case_name(),
        constraint: constraint.clone(),
        request,
        pointer,
        schema_keyword,
        error,
        message,
        violation,
        notes,
    })
}

/// The error, message and notes AWS answers a case with.
fn expectation(
    op: &Operation,
    request: &Value,
    constraint: &Constraint,
    shape: &Shape,
    tokens: &[String],
) -> (ErrorCode, Option<String>, Option<Violation>, Vec<Note>) {
    match constraint.keyword {
        Keyword::Type => {
            let (text, seen) = match shape.kind {
                Kind::Structure { .. } | Kind::Map { .. } => {
                    ("Start of list found where not expected.", false)
                }
                Kind::String => ("Start of structure or map found where not expected.", true),
                _ => ("Start of structure or map found where not expected.", false),
            };
            let notes = if seen {
                Vec::new()
            } else {
                vec![Note::SerializationMessage]
            };
            (
                ErrorCode::SerializationException,
                Some(text.to_owned()),
                None,
                notes,
            )
        }
        Keyword::Pattern if shape.kind == Kind::Blob => (
            ErrorCode::SerializationException,
            None,
            None,
            vec![Note::Blob, Note::SerializationMessage],
        ),
        keyword => match violation_for(&op.input, request, &constraint.path, tokens, keyword) {
            Some((violation, notes)) => (
                ErrorCode::InvalidParameterException,
                Some(message(std::slice::from_ref(&violation))),
                Some(violation),
                notes,
            ),
            None => (ErrorCode::InvalidParameterException, None, None, Vec::new()),
        },
    }
}

/// A value of `shape` that breaks `keyword` and nothing else of `shape`.
pub fn break_value(
    shape: &Shape,
    keyword: Keyword,
    strings: &mut Strings,
) -> Result<Value, SkipReason> {
    let has_enum = shape.enum_values.is_some();
    match keyword {
        Keyword::Required => Err(SkipReason::Unreachable),
        Keyword::Type => match shape.kind {
            _ if has_enum => Err(SkipReason::TypeAlsoBreaksEnum),
            Kind::Structure { .. } | Kind::Map { .. } => Ok(json!([])),
            _ => Ok(json!({})),
        },
        Keyword::MinLength | Keyword::MaxLength | Keyword::Pattern if has_enum => {
            Err(SkipReason::EnumAlsoBroken)
        }
        Keyword::MinLength | Keyword::MaxLength | Keyword::Pattern | Keyword::Enum => {
            break_string(shape, keyword, strings).map(Value::String)
        }
        Keyword::Minimum => {
            let min = shape.min.ok_or(SkipReason::Unreachable)?;
            min.checked_sub(1)
                .map(Value::from)
                .ok_or(SkipReason::BoundOverflow)
        }
        Keyword::Maximum => {
            let max = shape.max.ok_or(SkipReason::Unreachable)?;
            max.checked_add(1)
                .map(Value::from)
                .ok_or(SkipReason::BoundOverflow)
        }
        Keyword::MinItems | Keyword::MaxItems => break_items(shape, keyword, strings),
        Keyword::MinProperties | Keyword::MaxProperties => {
            break_properties(shape, keyword, strings)
        }
    }
}

/// A string of `shape` that breaks its length bound, its pattern or its enum (`keyword`).
fn break_string(
    shape: &Shape,
    keyword: Keyword,
    strings: &mut Strings,
) -> Result<String, SkipReason> {
    match keyword {
        Keyword::MinLength => {
            let min = shape.min.ok_or(SkipReason::Unreachable)?;
            if min <= 0 {
                return Err(SkipReason::ZeroLowerBound);
            }
            strings
                .of_length_near(shape, (min - 1) as usize, false)
                .ok_or(SkipReason::ShorterBreaksPattern)
        }
        Keyword::MaxLength => {
            let max = shape.max.ok_or(SkipReason::Unreachable)?;
            strings
                .of_length_near(shape, max.max(0) as usize + 1, true)
                .ok_or(SkipReason::LongerBreaksPattern)
        }
        Keyword::Pattern => strings
            .pattern_breaker(shape)
            .ok_or(SkipReason::PatternAcceptsAll),
        _ => {
            let values = shape.enum_values.as_deref().unwrap_or_default();
            let mut open = shape.clone();
            open.enum_values = None;
            ["INVALID", "INVALID_VALUE", "invalid", "x"]
                .into_iter()
                .find(|c| !values.iter().any(|v| v == c) && strings.satisfies(&open, c))
                .map(|c| c.to_owned())
                .ok_or(SkipReason::EnumAlsoBroken)
        }
    }
}

/// A list of valid elements one past the item-count bound `keyword`.
fn break_items(
    shape: &Shape,
    keyword: Keyword,
    strings: &mut Strings,
) -> Result<Value, SkipReason> {
    let Kind::List(item) = &shape.kind else {
        return Err(SkipReason::Unreachable);
    };
    let count = count_past(shape, keyword)?;
    let element = if count > 0 {
        valid_value(item, strings).map_err(|_| SkipReason::Unreachable)?
    } else {
        Value::Null
    };
    Ok(Value::Array(vec![element; count]))
}

/// A map of distinct valid keys and valid values one past the property-count bound `keyword`.
fn break_properties(
    shape: &Shape,
    keyword: Keyword,
    strings: &mut Strings,
) -> Result<Value, SkipReason> {
    let Kind::Map { key, value } = &shape.kind else {
        return Err(SkipReason::Unreachable);
    };
    let count = count_past(shape, keyword)?;
    let mut map = Map::new();
    if count > 0 {
        let keys = strings
            .distinct(key, count)
            .ok_or(SkipReason::TooFewDistinctKeys)?;
        let entry = valid_value(value, strings).map_err(|_| SkipReason::Unreachable)?;
        for k in keys {
            map.insert(k, entry.clone());
        }
    }
    Ok(Value::Object(map))
}

/// The element count one past the bound `keyword` of a list or map.
fn count_past(shape: &Shape, keyword: Keyword) -> Result<usize, SkipReason> {
    if keyword.is_min() {
        let min = shape.min.ok_or(SkipReason::Unreachable)?;
        if min <= 0 {
            return Err(SkipReason::ZeroLowerBound);
        }
        Ok((min - 1) as usize)
    } else {
        let max = shape.max.ok_or(SkipReason::Unreachable)?;
        Ok(max.max(0) as usize + 1)
    }
}

/// One error the input schema reports: keyword, instance pointer, and for `propertyNames` the
/// keyword the key itself broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub keyword: String,
    pub pointer: String,
    pub inner_keyword: Option<String>,
}

/// Every error `validator` reports for `request`.
pub fn schema_errors(validator: &jsonschema::Validator, request: &Value) -> Vec<SchemaError> {
    validator
        .iter_errors(request)
        .map(|error| {
            let inner_keyword = match error.kind() {
                jsonschema::error::ValidationErrorKind::PropertyNames { error } => {
                    Some(error.kind().keyword().to_owned())
                }
                _ => None,
            };
            SchemaError {
                keyword: error.kind().keyword().to_owned(),
                pointer: error.instance_path().as_str().to_owned(),
                inner_keyword,
            }
        })
        .collect()
}

/// Checks that `case.request` fails `validator` at exactly the intended keyword and pointer
/// and nowhere else; the error says what was found instead.
pub fn self_check(case: &Case, validator: &jsonschema::Validator) -> Result<(), String> {
    let errors = schema_errors(validator, &case.request);
    let expected_inner = (case.schema_keyword == "propertyNames")
        .then(|| case.constraint.keyword.as_str().to_owned());
    match errors.as_slice() {
        [only]
            if only.keyword == case.schema_keyword
                && only.pointer == case.pointer
                && only.inner_keyword == expected_inner =>
        {
            Ok(())
        }
        _ => Err(format!(
            "{}: expected one `{}` error at `{}`, got {errors:?}",
            case.name, case.schema_keyword, case.pointer
        )),
    }
}
