//! Case files for a run: the fixtures kept under `tests/it/fixtures/` (read where they are, or
//! copied into a scratch directory that a run may write into), and cases written from text.

use std::path::{Path, PathBuf};

/// The path of `relative` under `tests/it/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures")
        .join(relative)
}

/// Copies the fixture directory `relative` (see [`fixture`]) with everything below it to `to`.
pub fn copy_fixture(relative: &str, to: &Path) {
    copy_dir(&fixture(relative), to);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes each `(path, text)` under `dir`, creating the folders on the way.
pub fn write_cases(dir: &Path, cases: &[(&str, &str)]) {
    for (path, text) in cases {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
