//! Where case files come from: the cases built into the binary ([`CaseSource::Bundled`], see
//! [`crate::support::bundled`]) or a directory on disk ([`CaseSource::Dir`], `--cases DIR`). Both hold
//! case files (`<area>/<name>.json`) and an `expectations/` folder with one file per target;
//! everything that reads cases or expectations goes through here, so no code path depends on
//! the source tree being present at run time.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::spec::error::LoadError;

/// The folder of a case source that holds the expectations files.
pub const EXPECTATIONS_DIR: &str = "expectations";

/// A set of case files and expectations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseSource {
    /// The `cases/` folder of this crate, embedded at build time.
    Bundled,
    /// A directory on disk.
    Dir(PathBuf),
}

impl CaseSource {
    /// The directory on disk, for [`CaseSource::Dir`].
    pub fn directory(&self) -> Option<&Path> {
        match self {
            CaseSource::Bundled => None,
            CaseSource::Dir(dir) => Some(dir),
        }
    }

    /// The case files (every `*.json` except the `expectations/` folder), as `/`-separated paths
    /// relative to the source, sorted; plus an error for each directory that could not be read.
    pub fn case_files(&self) -> (Vec<String>, Vec<LoadError>) {
        match self {
            CaseSource::Bundled => {
                let prefix = format!("{EXPECTATIONS_DIR}/");
                let files = crate::support::bundled::case_files()
                    .iter()
                    .map(|(path, _)| *path)
                    .filter(|path| !path.starts_with(&prefix))
                    .map(str::to_owned)
                    .collect();
                (files, Vec::new())
            }
            CaseSource::Dir(dir) => {
                let mut files = Vec::new();
                let mut errors = Vec::new();
                collect_files(dir, dir, &mut files, &mut errors);
                files.sort();
                (files, errors)
            }
        }
    }

    /// True when the source has the case file `relative`.
    pub fn has(&self, relative: &str) -> bool {
        match self {
            CaseSource::Bundled => crate::support::bundled::case_file(relative).is_some(),
            CaseSource::Dir(dir) => dir.join(relative).is_file(),
        }
    }

    /// The text of the file `relative`, or a load error naming it.
    pub fn read(&self, relative: &str) -> Result<Cow<'static, str>, LoadError> {
        match self {
            CaseSource::Bundled => crate::support::bundled::case_file(relative)
                .map(Cow::Borrowed)
                .ok_or_else(|| self.error(relative, "no such bundled case file".to_owned())),
            CaseSource::Dir(dir) => std::fs::read_to_string(dir.join(relative))
                .map(Cow::Owned)
                .map_err(|e| self.error(relative, format!("cannot read: {e}"))),
        }
    }

    /// The expectations file of `target` as (how to name it, text); `None` when there is none.
    pub fn expectations(
        &self,
        target: &str,
    ) -> Result<Option<(String, Cow<'static, str>)>, LoadError> {
        let relative = format!("{EXPECTATIONS_DIR}/{target}.json");
        let shown = self.shown(&relative);
        match self {
            CaseSource::Bundled => Ok(crate::support::bundled::case_file(&relative)
                .map(|text| (shown, Cow::Borrowed(text)))),
            CaseSource::Dir(dir) => match std::fs::read_to_string(dir.join(&relative)) {
                Ok(text) => Ok(Some((shown, Cow::Owned(text)))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(self.error(&relative, format!("cannot read: {e}"))),
            },
        }
    }

    /// How messages name the file `relative`: from the case folder's own name on, e.g.
    /// `cases/users/x.json` (the bundled cases are `cases/...`).
    pub fn shown(&self, relative: &str) -> String {
        match self {
            CaseSource::Bundled => format!("cases/{relative}"),
            CaseSource::Dir(dir) => dir
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| dir.to_path_buf())
                .join(relative)
                .display()
                .to_string(),
        }
    }

    fn error(&self, relative: &str, message: String) -> LoadError {
        LoadError {
            file: self.shown(relative),
            location: String::new(),
            message,
        }
    }
}

impl std::fmt::Display for CaseSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaseSource::Bundled => f.write_str("the bundled cases"),
            CaseSource::Dir(dir) => write!(f, "{}", dir.display()),
        }
    }
}

/// The id of the case file at `relative`: its path without `.json`.
pub fn case_id(relative: &str) -> String {
    relative
        .strip_suffix(".json")
        .unwrap_or(relative)
        .replace('\\', "/")
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>, errors: &mut Vec<LoadError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(LoadError {
                file: dir.display().to_string(),
                location: String::new(),
                message: format!(
                    "cannot read the case directory: {e} (give --cases, or COGNITO_CONTRACT_CASES, a directory of case files)"
                ),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // The entry's type comes with the directory listing; only a symbolic link needs a
        // `stat` to tell a folder from a file.
        let is_dir = match entry.file_type() {
            Ok(kind) if kind.is_symlink() => path.is_dir(),
            Ok(kind) => kind.is_dir(),
            Err(_) => path.is_dir(),
        };
        if is_dir {
            if dir == root && path.file_name().is_some_and(|n| n == EXPECTATIONS_DIR) {
                continue;
            }
            collect_files(root, &path, out, errors);
        } else if path.extension().is_some_and(|e| e == "json")
            && let Ok(relative) = path.strip_prefix(root)
        {
            let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_and_checkout_folders_list_the_same_case_files() {
        let dir = CaseSource::Dir(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/cases")));
        let (on_disk, errors) = dir.case_files();
        assert!(errors.is_empty(), "{errors:?}");
        let (bundled, errors) = CaseSource::Bundled.case_files();
        assert!(errors.is_empty());
        assert_eq!(bundled, on_disk);
        assert!(!bundled.iter().any(|f| f.starts_with("expectations/")));
        for file in bundled.iter().take(5) {
            assert_eq!(
                CaseSource::Bundled.read(file).unwrap(),
                dir.read(file).unwrap()
            );
            assert_eq!(CaseSource::Bundled.shown(file), dir.shown(file));
        }
    }

    #[test]
    fn expectations_files_are_found_in_both_sources() {
        let dir = CaseSource::Dir(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/cases")));
        for source in [CaseSource::Bundled, dir] {
            let (shown, text) = source.expectations("moto").unwrap().expect("moto.json");
            assert_eq!(shown, "cases/expectations/moto.json");
            assert!(text.contains("\"target\""));
            assert!(source.expectations("no-such-target").unwrap().is_none());
        }
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let source = CaseSource::Dir(PathBuf::from("/no/such/cases"));
        let (files, errors) = source.case_files();
        assert!(files.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].to_string().contains("/no/such/cases"),
            "{}",
            errors[0]
        );
        let error = source.read("users/x.json").unwrap_err();
        assert!(error.to_string().contains("cannot read"), "{error}");
    }
}
