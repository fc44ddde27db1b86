//! Embeds the committed schemas (`schemas/`) and the bundled cases (`cases/`) into the crate, so
//! that a binary copied away from its source tree still has them. Writes
//! `$OUT_DIR/bundled_files.rs`: two sorted tables of (path relative to the folder, text), each
//! text an `include_str!` of the file. Cargo re-runs this script when anything below either
//! folder changes (a file added, removed or edited).
//!
//! It also writes `GENERATED_FINGERPRINT`, a hash of what the generated validation cases are
//! made from (the schemas and the generator's source, [`GENERATOR_SOURCES`]): listing keeps
//! the generated case ids in the cache under that name, so that a changed schema or generator
//! never lists stale ids.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The source folders and files the generated cases are made by, besides the schemas.
const GENERATOR_SOURCES: &[&str] = &["src/spec/generated", "src/service/schemas.rs"];

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let mut code = String::new();
    let mut fingerprint = Fnv::default();
    for (name, folder) in [("SCHEMA_FILES", "schemas"), ("CASE_FILES", "cases")] {
        let dir = root.join(folder);
        println!("cargo::rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files, "json");
        files.sort();
        writeln!(code, "pub static {name}: &[(&str, &str)] = &[").unwrap();
        for relative in files {
            let absolute = dir.join(&relative);
            if folder == "schemas" {
                fingerprint.file(&relative, &absolute);
            }
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
    for source in GENERATOR_SOURCES {
        let path = root.join(source);
        println!("cargo::rerun-if-changed={}", path.display());
        if !path.is_dir() {
            fingerprint.file(source, &path);
            continue;
        }
        let mut files = Vec::new();
        collect(&path, &path, &mut files, "rs");
        files.sort();
        for relative in files {
            fingerprint.file(&format!("{source}/{relative}"), &path.join(&relative));
        }
    }
    writeln!(
        code,
        "pub const GENERATED_FINGERPRINT: &str = \"{:016x}\";",
        fingerprint.0
    )
    .unwrap();
    std::fs::write(out.join("bundled_files.rs"), code).expect("OUT_DIR is writable");
}

/// 64-bit FNV-1a over names and contents: enough to tell versions of the sources apart.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn file(&mut self, name: &str, path: &Path) {
        let content =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        self.bytes(name.as_bytes());
        self.bytes(&(content.len() as u64).to_le_bytes());
        self.bytes(&content);
    }
}

/// Every `*.<extension>` file below `dir`, as a `/`-separated path relative to `root`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<String>, extension: &str) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            collect(root, &path, out, extension);
        } else if path.extension().is_some_and(|e| e == extension) {
            let relative = path.strip_prefix(root).expect("below root");
            let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
}
