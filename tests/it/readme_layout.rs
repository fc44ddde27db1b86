//! README's Layout table matches the real folders: one row per layer of `src/lib.rs`, in the
//! same order, each naming every `.rs` file of its folder and nothing else.

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn rs_files(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rs_files(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(base).unwrap();
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn the_layout_table_lists_every_layer_and_file() {
    let lib = std::fs::read_to_string(Path::new(ROOT).join("src/lib.rs")).unwrap();
    let layers: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .collect();
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let section = readme
        .split("\n## Layout")
        .nth(1)
        .expect("README has a Layout section");
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| `src/"))
        .collect();
    let named: Vec<&str> = rows
        .iter()
        .map(|r| {
            r.split('`')
                .nth(1)
                .unwrap()
                .trim_start_matches("src/")
                .trim_end_matches('/')
        })
        .collect();
    assert_eq!(named, layers, "the rows name the layers of lib.rs in order");
    let mut problems = Vec::new();
    for (layer, row) in layers.iter().zip(&rows) {
        let dir = Path::new(ROOT).join("src").join(layer);
        let mut files = Vec::new();
        rs_files(&dir, &dir, &mut files);
        files.sort();
        let cells: Vec<&str> = row.split('|').collect();
        let mut listed: Vec<String> = cells[3]
            .split(',')
            .map(|f| f.trim().trim_matches('`').to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        listed.sort();
        if listed != files {
            problems.push(format!(
                "src/{layer}/: README lists {listed:?}, the folder has {files:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
