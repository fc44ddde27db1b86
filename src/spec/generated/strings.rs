//! Strings that satisfy, or break in one way, a string [`Shape`]: its length bounds, its
//! anchored pattern, its enum.
//!
//! Valid strings come first from a short list of realistic values ([`CANDIDATES`]), then from a
//! generator that walks the pattern's `regex-syntax` HIR to build a string of an exact length.
//! Lookarounds (`(?<!\.)`) are dropped before parsing and `\b` is read as empty, so the generator
//! may propose a string the pattern rejects: every string is therefore checked with the engine
//! the self-check uses (the `jsonschema` crate's `pattern`, i.e. ECMA-262 semantics), and lengths
//! are counted in characters as JSON Schema counts them.

use std::collections::{BTreeSet, HashMap};

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Value, json};

use crate::spec::generated::schema::{Kind, Shape};

/// Plain values tried before generating from a pattern; the first that fits is used.
pub const CANDIDATES: &[&str] = &[
    "example",
    "us-east-1_Example",
    "Example1",
    "user@example.com",
    "https://example.com/callback",
    "arn:aws:iam::123456789012:role/example",
    "123456",
    "Your code is {####}",
    "Click {##here##} to verify",
];

/// Characters tried, in order, where a string must break a pattern.
const BREAKERS: &[char] = &[
    '!', ' ', '#', '~', 'é', '\t', '\n', '_', '-', '.', '/', 'A', 'a', '0', '\u{1}',
];

/// Characters a generated string prefers, in order, inside a character class.
const PREFERRED: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@+=/:,!#$%&*?~ ";

/// How many concatenation splits the generator tries before giving up on a length.
const SPLIT_BUDGET: usize = 256;

/// Builds and checks strings; keeps one compiled checker per schema it has seen.
#[derive(Default)]
pub struct Strings {
    checkers: HashMap<String, Option<jsonschema::Validator>>,
    hirs: HashMap<String, Option<Hir>>,
}

impl Strings {
    pub fn new() -> Self {
        Strings::default()
    }

    fn check(&mut self, schema: &Value, text: &str) -> bool {
        let key = schema.to_string();
        let validator = self.checkers.entry(key).or_insert_with(|| {
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(schema)
                .ok()
        });
        validator
            .as_ref()
            .is_some_and(|v| v.is_valid(&Value::String(text.to_owned())))
    }

    /// Does `text` match the anchored schema `pattern`?
    pub fn matches(&mut self, pattern: &str, text: &str) -> bool {
        self.check(&json!({ "pattern": pattern }), text)
    }

    /// Does `text` satisfy every constraint of the string `shape`?
    pub fn satisfies(&mut self, shape: &Shape, text: &str) -> bool {
        self.check(&shape.string_schema(), text)
    }

    fn hir(&mut self, pattern: &str) -> Option<Hir> {
        self.hirs
            .entry(pattern.to_owned())
            .or_insert_with(|| {
                regex_syntax::ParserBuilder::new()
                    .build()
                    .parse(&strip_lookarounds(pattern))
                    .ok()
            })
            .clone()
    }

    /// A string of exactly `len` characters that the shape's pattern (and enum) accepts,
    /// whatever its length bounds say; `seed` varies the characters chosen.
    pub fn of_length(&mut self, shape: &Shape, len: usize, seed: usize) -> Option<String> {
        if let Some(values) = &shape.enum_values {
            return values
                .iter()
                .filter(|v| v.chars().count() == len)
                .nth(seed)
                .cloned();
        }
        let Some(pattern) = shape.pattern.clone() else {
            return Some(plain(len, seed));
        };
        if seed == 0
            && let Some(found) = CANDIDATES
                .iter()
                .find(|c| c.chars().count() == len && self.matches(&pattern, c))
        {
            return Some((*found).to_owned());
        }
        let hir = self.hir(&pattern)?;
        let mut out = String::new();
        let mut budget = SPLIT_BUDGET;
        if generate(&hir, len, seed, &mut out, &mut budget) && self.matches(&pattern, &out) {
            return Some(out);
        }
        None
    }

    /// The lengths worth trying for a valid string of `shape`, shortest useful first.
    fn lengths(&mut self, shape: &Shape) -> Vec<usize> {
        let (hir_min, hir_max) = shape
            .pattern
            .clone()
            .and_then(|p| self.hir(&p))
            .map_or((0, None), |h| len_range(&h));
        let lower = shape.min.unwrap_or(0).max(0) as usize;
        let upper = shape.max.map(|m| m.max(0) as usize);
        let start = lower.max(hir_min).max(1);
        let mut lengths: Vec<usize> = (start..start + 16)
            .filter(|l| upper.is_none_or(|u| *l <= u) && hir_max.is_none_or(|m| *l <= m))
            .collect();
        if lower == 0 {
            lengths.push(0);
        }
        lengths
    }

    /// A string that satisfies every constraint of the string `shape`.
    pub fn valid(&mut self, shape: &Shape) -> Option<String> {
        self.distinct(shape, 1).map(|mut v| v.remove(0))
    }

    /// `n` distinct strings that each satisfy the string `shape`, if there are that many.
    pub fn distinct(&mut self, shape: &Shape, n: usize) -> Option<Vec<String>> {
        let mut found: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut accept = |s: String, found: &mut Vec<String>| {
            if seen.insert(s.clone()) {
                found.push(s);
            }
        };
        if let Some(values) = &shape.enum_values {
            for value in values.clone() {
                if self.satisfies(shape, &value) {
                    accept(value, &mut found);
                }
            }
            return (found.len() >= n).then(|| found.into_iter().take(n).collect());
        }
        for candidate in CANDIDATES {
            if found.len() >= n {
                break;
            }
            if self.satisfies(shape, candidate) {
                accept((*candidate).to_owned(), &mut found);
            }
        }
        let lengths = self.lengths(shape);
        for seed in 0..n + 8 {
            for &len in &lengths {
                if found.len() >= n {
                    return Some(found);
                }
                if let Some(s) = self.of_length(shape, len, seed)
                    && self.satisfies(shape, &s)
                {
                    accept(s, &mut found);
                }
            }
        }
        (found.len() >= n).then_some(found)
    }

    /// A string within the shape's length bounds (and not in its enum) that its pattern
    /// rejects.
    pub fn pattern_breaker(&mut self, shape: &Shape) -> Option<String> {
        let pattern = shape.pattern.clone()?;
        let valid = self.valid(shape).unwrap_or_default();
        let lower = shape.min.unwrap_or(0).max(0) as usize;
        let upper = shape.max.map(|m| m.max(0) as usize);
        let fits = |s: &str| {
            let n = s.chars().count();
            n >= lower && upper.is_none_or(|u| n <= u)
        };
        let mut candidates = Vec::new();
        for &c in BREAKERS {
            let chars: Vec<char> = valid.chars().collect();
            if let Some((_, rest)) = chars.split_last() {
                candidates.push(rest.iter().chain([&c]).collect::<String>());
            }
            if let Some((_, rest)) = chars.split_first() {
                candidates.push([&c].into_iter().chain(rest).collect::<String>());
            }
            candidates.push(format!("{valid}{c}"));
            candidates.push(c.to_string().repeat(lower.max(1)));
        }
        candidates.push(String::new());
        candidates.into_iter().find(|s| {
            fits(s)
                && !self.matches(&pattern, s)
                && shape
                    .enum_values
                    .as_ref()
                    .is_none_or(|values| !values.contains(s))
        })
    }

    /// A string of about `len` characters the pattern accepts: exactly `len`, or for blobs
    /// (base64 comes in multiples of four) up to three more (`up`) or fewer.
    pub fn of_length_near(&mut self, shape: &Shape, len: usize, up: bool) -> Option<String> {
        let spread = if shape.kind == Kind::Blob { 4 } else { 1 };
        (0..spread)
            .filter_map(|d| {
                if up {
                    len.checked_add(d)
                } else {
                    len.checked_sub(d)
                }
            })
            .find_map(|l| self.of_length(shape, l, 0))
    }
}

/// `len` plain characters (`aaa...`, `bbb...` for the next seed).
fn plain(len: usize, seed: usize) -> String {
    let letters: Vec<char> = ('a'..='z').collect();
    letters[seed % letters.len()].to_string().repeat(len)
}

/// `pattern` without lookaround groups (`(?=`, `(?!`, `(?<=`, `(?<!`), which `regex-syntax`
/// does not parse.
pub fn strip_lookarounds(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            if let Some(&next) = chars.get(i + 1) {
                out.push(next);
            }
            i += 2;
            continue;
        }
        if in_class {
            in_class = c != ']';
            out.push(c);
            i += 1;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
        let lookaround = ["(?<!", "(?<=", "(?=", "(?!"]
            .iter()
            .any(|p| rest.starts_with(p));
        if lookaround {
            let mut depth = 0usize;
            let mut class = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 1,
                    '[' if !class => class = true,
                    ']' if class => class = false,
                    '(' if !class => depth += 1,
                    ')' if !class => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            continue;
        }
        in_class = c == '[';
        out.push(c);
        i += 1;
    }
    out
}

/// The shortest and longest lengths (in characters) of the strings `hir` matches.
pub fn len_range(hir: &Hir) -> (usize, Option<usize>) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (0, Some(0)),
        HirKind::Literal(literal) => {
            let n = String::from_utf8_lossy(&literal.0).chars().count();
            (n, Some(n))
        }
        HirKind::Class(_) => (1, Some(1)),
        HirKind::Capture(capture) => len_range(&capture.sub),
        HirKind::Repetition(rep) => {
            let (lo, hi) = len_range(&rep.sub);
            let min = lo.saturating_mul(rep.min as usize);
            let max = match (rep.max, hi) {
                (_, Some(0)) => Some(0),
                (Some(m), Some(h)) => Some((m as usize).saturating_mul(h)),
                _ => None,
            };
            (min, max)
        }
        HirKind::Concat(parts) => {
            parts
                .iter()
                .map(len_range)
                .fold((0, Some(0)), |(lo, hi), (l, h)| {
                    (
                        lo.saturating_add(l),
                        hi.zip(h).map(|(a, b)| a.saturating_add(b)),
                    )
                })
        }
        HirKind::Alternation(parts) => {
            let ranges: Vec<_> = parts.iter().map(len_range).collect();
            let lo = ranges.iter().map(|r| r.0).min().unwrap_or(0);
            let hi = ranges
                .iter()
                .try_fold(0usize, |acc, r| r.1.map(|h| acc.max(h)));
            (lo, hi)
        }
    }
}

fn fits(range: (usize, Option<usize>), len: usize) -> bool {
    len >= range.0 && range.1.is_none_or(|h| len <= h)
}

/// A character of `class`, preferring plain ASCII; `seed` picks among the preferred ones.
fn pick(class: &Class, seed: usize) -> Option<char> {
    let contains = |c: char| match class {
        Class::Unicode(u) => u.ranges().iter().any(|r| r.start() <= c && c <= r.end()),
        Class::Bytes(b) => {
            c.is_ascii()
                && b.ranges()
                    .iter()
                    .any(|r| r.start() <= c as u8 && c as u8 <= r.end())
        }
    };
    let preferred: Vec<char> = PREFERRED.chars().filter(|c| contains(*c)).collect();
    if !preferred.is_empty() {
        return Some(preferred[seed % preferred.len()]);
    }
    match class {
        Class::Unicode(u) => u
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .take(4096)
            .find(|c| !c.is_control())
            .or_else(|| u.ranges().first().map(|r| r.start())),
        Class::Bytes(b) => b
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .find(|b| b.is_ascii() && !b.is_ascii_control())
            .map(char::from),
    }
}

/// Appends to `out` a string of exactly `len` characters matched by `hir` (lookarounds read as
/// empty); false when none was found within the split budget.
fn generate(hir: &Hir, len: usize, seed: usize, out: &mut String, budget: &mut usize) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => len == 0,
        HirKind::Literal(literal) => {
            let text = String::from_utf8_lossy(&literal.0);
            let ok = text.chars().count() == len;
            if ok {
                out.push_str(&text);
            }
            ok
        }
        HirKind::Class(class) => {
            let found = if len == 1 { pick(class, seed) } else { None };
            found.map(|c| out.push(c)).is_some()
        }
        HirKind::Capture(capture) => generate(&capture.sub, len, seed, out, budget),
        HirKind::Concat(parts) => concat(parts, len, seed, out, budget),
        HirKind::Alternation(parts) => {
            let n = parts.len();
            (0..n).any(|i| {
                let part = &parts[(i + seed) % n];
                if !fits(len_range(part), len) {
                    return false;
                }
                let mark = out.len();
                let ok = generate(part, len, seed, out, budget);
                if !ok {
                    out.truncate(mark);
                }
                ok
            })
        }
        HirKind::Repetition(rep) => {
            let (lo, hi) = len_range(&rep.sub);
            let min = rep.min as usize;
            let max = rep.max.map(|m| m as usize);
            if len == 0 {
                return min == 0
                    || (lo == 0 && (0..min).all(|_| generate(&rep.sub, 0, seed, out, budget)));
            }
            if hi == Some(0) {
                return false;
            }
            let floor = min.max(1);
            let count = match hi {
                None => floor,
                Some(h) => floor.max(len.div_ceil(h)),
            };
            if max.is_some_and(|m| count > m) || count.saturating_mul(lo) > len {
                return false;
            }
            let mark = out.len();
            let mut remaining = len;
            // Iterations of the same length generate the same text: make it once.
            let mut last: Option<(usize, String)> = None;
            for i in 0..count {
                let left = count - i - 1;
                let take = (remaining - left * lo).min(hi.unwrap_or(usize::MAX));
                match &last {
                    Some((n, text)) if *n == take => out.push_str(text),
                    _ => {
                        let mut piece = String::new();
                        if !generate(&rep.sub, take, seed, &mut piece, budget) {
                            out.truncate(mark);
                            return false;
                        }
                        out.push_str(&piece);
                        last = Some((take, piece));
                    }
                }
                remaining -= take;
            }
            remaining == 0
        }
    }
}

/// Splits `len` over the parts of a concatenation, largest share to the leftmost part first,
/// backtracking until one split generates.
fn concat(parts: &[Hir], len: usize, seed: usize, out: &mut String, budget: &mut usize) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return len == 0;
    };
    let own = len_range(first);
    let others = rest
        .iter()
        .map(len_range)
        .fold((0usize, Some(0usize)), |(lo, hi), (l, h)| {
            (
                lo.saturating_add(l),
                hi.zip(h).map(|(a, b)| a.saturating_add(b)),
            )
        });
    // This part takes n characters: own.0 <= n <= own.1 and the rest can take len - n.
    let low = own.0.max(others.1.map_or(0, |h| len.saturating_sub(h)));
    let Some(high) = len
        .checked_sub(others.0)
        .map(|h| own.1.map_or(h, |o| o.min(h)))
    else {
        return false;
    };
    if low > high {
        return false;
    }
    let mut tries: Vec<usize> = (0..4).filter_map(|d| high.checked_sub(d)).collect();
    tries.extend((0..4).map(|d| low + d));
    tries.retain(|n| (low..=high).contains(n));
    tries.dedup();
    let mut seen = BTreeSet::new();
    for n in tries {
        if !seen.insert(n) || *budget == 0 {
            continue;
        }
        *budget -= 1;
        let mark = out.len();
        if generate(first, n, seed, out, budget) && concat(rest, len - n, seed, out, budget) {
            return true;
        }
        out.truncate(mark);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(min: Option<i64>, max: Option<i64>, pattern: Option<&str>) -> Shape {
        let mut shape = crate::spec::generated::schema::Operation::from_document(
            "Op",
            json!({"input": {"type": "object", "properties": {"S": {"type": "string"}}}}),
        )
        .unwrap()
        .input
        .member("S")
        .unwrap()
        .clone();
        shape.min = min;
        shape.max = max;
        shape.pattern = pattern.map(|p| format!("^(?:{p})$"));
        shape
    }

    #[test]
    fn strips_lookarounds() {
        assert_eq!(
            strip_lookarounds(r"^[0-9A-Za-z\.\-_]*(?<!\.)$"),
            r"^[0-9A-Za-z\.\-_]*$"
        );
        assert_eq!(strip_lookarounds(r"a(?=[)(])b"), "ab");
        assert_eq!(strip_lookarounds(r"\(?=x"), r"\(?=x");
    }

    #[test]
    fn generates_exact_lengths() {
        let mut strings = Strings::new();
        let pool_id = string(Some(1), Some(55), Some(r"[\w-]+_[0-9a-zA-Z]+"));
        for len in [3, 10, 55] {
            let s = strings.of_length(&pool_id, len, 0).unwrap();
            assert_eq!(s.chars().count(), len);
            assert!(strings.satisfies(&pool_id, &s), "{s}");
        }
        let blob = string(
            None,
            None,
            Some("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"),
        );
        assert_eq!(strings.of_length(&blob, 8, 0).as_deref(), Some("Example1"));
        assert_eq!(
            strings.of_length(&blob, 12, 0).as_deref(),
            Some("aaaaaaaaaaaa")
        );
        assert!(strings.of_length(&blob, 6, 0).is_none());
        let code = string(Some(6), Some(140), Some(r".*\{####\}.*"));
        assert_eq!(strings.valid(&code).as_deref(), Some("Your code is {####}"));
        let s = strings.of_length(&code, 141, 0).unwrap();
        assert!(strings.matches(code.pattern.as_deref().unwrap(), &s));
    }

    #[test]
    fn distinct_values_run_out_when_the_pattern_is_narrow() {
        let mut strings = Strings::new();
        let level = string(None, None, Some("Level[1-4]"));
        assert_eq!(strings.distinct(&level, 4).unwrap().len(), 4);
        assert!(strings.distinct(&level, 5).is_none());
    }

    #[test]
    fn breaks_patterns_within_lengths() {
        let mut strings = Strings::new();
        let name = string(Some(1), Some(128), Some(r"[\w\s+=,.@-]+"));
        let broken = strings.pattern_breaker(&name).unwrap();
        assert!(!strings.matches(name.pattern.as_deref().unwrap(), &broken));
        let anything = string(None, Some(10), Some(r"[\s\S]*"));
        assert!(strings.pattern_breaker(&anything).is_none());
    }
}
