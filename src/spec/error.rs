//! Load errors: one problem in one hand-written file (a case or an expectations file), located by
//! `line:column` for syntax or by JSON pointer for everything else.

use std::fmt;

/// One problem in one case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    /// A JSON pointer (`/steps/0/operation`), or `line:column` for syntax errors, or empty.
    pub location: String,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else if self.location.starts_with('/') {
            write!(f, "{}: at {}: {}", self.file, self.location, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.location, self.message)
        }
    }
}

/// All load errors of a suite.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) loading cases:", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}
