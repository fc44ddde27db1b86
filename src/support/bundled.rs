//! The schemas and cases built into the binary (see `build.rs`): the committed `schemas/` and
//! `cases/` folders as they were at build time, so that the harness needs no source tree at run
//! time. Lookups are by path relative to the folder, with `/` separators.

mod files {
    include!(concat!(env!("OUT_DIR"), "/bundled_files.rs"));
}

/// Every embedded file of `schemas/`: (relative path, text), sorted by path.
pub fn schema_files() -> &'static [(&'static str, &'static str)] {
    files::SCHEMA_FILES
}

/// Every embedded file of `cases/` (cases and `expectations/`): (relative path, text), sorted.
pub fn case_files() -> &'static [(&'static str, &'static str)] {
    files::CASE_FILES
}

/// A hash of the embedded schemas and of the source of the generated validation cases
/// (`build.rs`): equal fingerprints mean equal generated cases.
pub fn generated_fingerprint() -> &'static str {
    files::GENERATED_FINGERPRINT
}

/// The text of `schemas/<relative>`, if it was embedded.
pub fn schema_file(relative: &str) -> Option<&'static str> {
    find(files::SCHEMA_FILES, relative)
}

/// The text of `cases/<relative>`, if it was embedded.
pub fn case_file(relative: &str) -> Option<&'static str> {
    find(files::CASE_FILES, relative)
}

fn find(table: &'static [(&'static str, &'static str)], relative: &str) -> Option<&'static str> {
    table
        .binary_search_by(|(path, _)| (*path).cmp(relative))
        .ok()
        .map(|i| table[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_hold_the_committed_folders() {
        for table in [schema_files(), case_files()] {
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
        }
        assert!(schema_file("index.json").is_some());
        assert!(schema_file("operations/CreateUserPool.json").is_some());
        assert!(case_file("expectations/moto.json").is_some());
        assert!(case_file("no/such.json").is_none());
        let on_disk =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/index.json"))
                .unwrap();
        assert_eq!(schema_file("index.json"), Some(on_disk.as_str()));
    }
}
