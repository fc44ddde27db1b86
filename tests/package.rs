//! The published crate carries its cases and schemas: the harness finds them next to its sources
//! (`CARGO_MANIFEST_DIR`), so every file under `cases/` and `schemas/` must be in the package.

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
    let mut wanted = Vec::new();
    files_under(root, "cases", &mut wanted);
    files_under(root, "schemas", &mut wanted);
    assert!(wanted.len() > 150, "{} files", wanted.len());
    let missing: Vec<&String> = wanted.iter().filter(|f| !listed.contains(f)).collect();
    assert!(missing.is_empty(), "not packaged: {missing:?}");
}
