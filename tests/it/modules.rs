//! Every test file is compiled: each `.rs` file directly in `tests/it/` is a module that
//! `tests/it/main.rs` declares (a file it does not declare would never build or run), and each
//! `.rs` file directly in `tests/` is a `harness = false` target of its own in `Cargo.toml`
//! (anything else belongs in `tests/it/`).

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The stems of the `.rs` files directly in `dir`.
fn rs_stems(dir: &Path) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    stems.sort();
    stems
}

#[test]
fn main_declares_every_file_of_tests_it() {
    let dir = Path::new(ROOT).join("tests/it");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    let mut declared: Vec<String> = main
        .lines()
        .filter_map(|l| l.strip_prefix("mod "))
        .map(|rest| rest.trim_end_matches(';').to_owned())
        .collect();
    declared.sort();
    let mut files = rs_stems(&dir);
    files.retain(|f| f != "main");
    if dir.join("support/mod.rs").is_file() {
        files.push("support".to_owned());
        files.sort();
    }
    assert_eq!(declared, files, "tests/it/main.rs declares these modules");
}

#[test]
fn each_file_directly_in_tests_is_a_harness_false_target() {
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    let targets: Vec<&str> = manifest
        .split("[[test]]")
        .skip(1)
        .filter(|t| t.contains("harness = false"))
        .filter_map(|t| t.split("name = \"").nth(1)?.split('"').next())
        .collect();
    for stem in rs_stems(&Path::new(ROOT).join("tests")) {
        assert!(
            targets.contains(&stem.as_str()),
            "tests/{stem}.rs is a test binary of its own: move it to tests/it/ and declare it in \
             tests/it/main.rs (or make it a `harness = false` target)"
        );
    }
}
