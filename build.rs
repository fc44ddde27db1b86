//! Embeds the committed schemas (`schemas/`) and the bundled cases (`cases/`) into the crate, so
//! that a binary copied away from its source tree still has them. Writes
//! `$OUT_DIR/bundled_files.rs`: two sorted tables of (path relative to the folder, text), each
//! text an `include_str!` of the file. Cargo re-runs this script when anything below either
//! folder changes (a file added, removed or edited).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let mut code = String::new();
    for (name, folder) in [("SCHEMA_FILES", "schemas"), ("CASE_FILES", "cases")] {
        let dir = root.join(folder);
        println!("cargo::rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files);
        files.sort();
        writeln!(code, "pub static {name}: &[(&str, &str)] = &[").unwrap();
        for relative in files {
            let absolute = dir.join(&relative);
            writeln!(
                code,
                "    ({:?}, include_str!({:?})),",
                relative,
                absolute.display().to_string()
            )
            .unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    std::fs::write(out.join("bundled_files.rs"), code).expect("OUT_DIR is writable");
}

/// Every `*.json` file below `dir`, as a `/`-separated path relative to `root`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let relative = path.strip_prefix(root).expect("below root");
            let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
}
