//! The one reader of the process environment, with one meaning of true and false.
//!
//! An empty variable counts as unset. A flag is false when unset or set to `0`, `false`, `no` or
//! `off` (any case, surrounding blanks ignored), and true otherwise: `1`, `true`, `yes`, `on`, or
//! any other value, as the opt-ins have always read it.

use std::path::PathBuf;

/// The value of `name`, or `None` when it is unset, empty or not Unicode.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// The path `name` holds, or `None` when it is unset or empty (a path need not be Unicode).
pub fn path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// Whether the flag `name` is on (see the module's documentation).
pub fn flag(name: &str) -> bool {
    var(name).is_some_and(|value| truthy(&value))
}

/// Whether a flag's `value` means true: not empty, and not `0`, `false`, `no` or `off`.
pub fn truthy(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

#[cfg(test)]
mod tests {
    use super::truthy;

    #[test]
    fn the_truth_table() {
        for value in ["1", "true", "TRUE", "yes", "Yes", "on", " on "] {
            assert!(truthy(value), "{value:?}");
        }
        for value in [
            "", " ", "0", "false", "False", "no", "NO", "off", "Off", " off ",
        ] {
            assert!(!truthy(value), "{value:?}");
        }
    }
}
