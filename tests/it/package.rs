//! The published crate builds and tests from its own files alone: `build.rs` embeds every file of
//! `cases/` and `schemas/` into the binary, and the tests read `tests/data/`, so all of them must
//! be in the package; and no source or test reaches outside the package directory.

use std::path::Path;
use std::process::Command;

fn files_under(root: &Path, dir: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
        let relative = format!("{dir}/{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            files_under(root, &relative, out);
        } else {
            out.push(relative);
        }
    }
}

#[test]
fn package_includes_every_case_and_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let mut wanted = vec!["build.rs".to_owned(), "Cargo.toml".to_owned()];
    files_under(root, "cases", &mut wanted);
    files_under(root, "schemas", &mut wanted);
    files_under(root, "tests", &mut wanted);
    assert!(wanted.len() > 150, "{} files", wanted.len());
    assert!(wanted.iter().any(|f| f.starts_with("tests/data/")));
    let missing: Vec<&String> = wanted.iter().filter(|f| !listed.contains(f)).collect();
    assert!(missing.is_empty(), "not packaged: {missing:?}");
}

/// No path in the sources or tests climbs out of the package (say to a folder beside the
/// checkout, which a clone elsewhere or an unpacked crate does not have): no run-time path joins
/// `..`, and no `include_str!` climbs above the package root.
#[test]
fn nothing_reads_outside_the_package() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec!["build.rs".to_owned()];
    files_under(root, "src", &mut files);
    files_under(root, "tests", &mut files);
    // Built from pieces so that this file does not match itself.
    let run_time = [
        format!("join(\"{}", ".."),
        format!("\"/{}", ".."),
        format!("{}/shared", ".."),
    ];
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| f.ends_with(".rs")) {
        let depth = file.matches('/').count();
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (number, line) in text.lines().enumerate() {
            let climbs_at_run_time = run_time.iter().any(|c| line.contains(c.as_str()));
            let included_from_above = ["include_str!(\"", "include_bytes!(\""]
                .iter()
                .filter_map(|m| line.split_once(m).map(|(_, rest)| rest))
                .any(|path| path.matches("../").count() > depth);
            if climbs_at_run_time || included_from_above {
                offenders.push(format!("{file}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
