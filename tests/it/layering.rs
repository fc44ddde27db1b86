//! The crate's folders are layers (listed in order in `src/lib.rs`), and a layer uses only the
//! layers before it: every `crate::` path in a file of one layer names the same layer or an
//! earlier one. Within and across layers, no module imports back into a module that imports it
//! (no cycles). Parsed from the sources; no compiler help needed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// The layers in the order `lib.rs` declares them.
fn layers() -> Vec<String> {
    let lib = std::fs::read_to_string(Path::new(SRC).join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|rest| rest.split(';').next().unwrap().trim().to_owned())
        .collect()
}

/// Every source file below `src/` (but `lib.rs` and `main.rs`) with its module path, e.g.
/// `spec/load.rs` -> `spec::load`, `report/mod.rs` -> `report`.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(SRC), &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let relative = file
            .strip_prefix(SRC)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if relative == "lib.rs" || relative == "main.rs" {
            continue;
        }
        let module = relative
            .trim_end_matches(".rs")
            .trim_end_matches("/mod")
            .replace('/', "::");
        out.insert(module, std::fs::read_to_string(&file).unwrap());
    }
    out
}

/// The modules a source text names with `crate::` paths (the longest known module prefix of
/// each path), including `use crate::{a, b::c}` groups. Comments are skipped.
fn references(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '{')
                .collect();
            let path = path.trim_end_matches(':').trim_end_matches('{');
            let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            let longest = (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|candidate| known.contains(candidate));
            if let Some(module) = longest {
                found.insert(module);
            }
        }
    }
    found
}

fn layer_of(module: &str) -> &str {
    module.split("::").next().unwrap()
}

#[test]
fn every_crate_path_goes_to_the_same_or_an_earlier_layer() {
    let order = layers();
    assert!(order.len() >= 8, "lib.rs declares the layers: {order:?}");
    let rank = |layer: &str| {
        order
            .iter()
            .position(|l| l == layer)
            .unwrap_or_else(|| panic!("{layer} is not declared in lib.rs"))
    };
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut upward = Vec::new();
    for (module, text) in &modules {
        for target in references(text, &known) {
            if rank(layer_of(&target)) > rank(layer_of(module)) {
                upward.push(format!("{module} uses {target}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that go up a layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_module_imports_back_into_one_that_imports_it() {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    // A module's own sub-modules and its parent are part of it for this purpose: the edge is
    // to the module that owns the item.
    let graph: BTreeMap<&str, BTreeSet<String>> = modules
        .iter()
        .map(|(module, text)| {
            let edges = references(text, &known)
                .into_iter()
                .filter(|t| t != module)
                .collect();
            (module.as_str(), edges)
        })
        .collect();
    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first search for a path that returns to `start`.
        let mut stack: Vec<(String, Vec<String>)> =
            vec![(start.to_string(), vec![start.to_string()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in graph.get(node.as_str()).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    cycle.push(next.clone());
                    cycles.push(cycle.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_parser_sees_grouped_and_nested_paths() {
    let known: BTreeSet<String> = ["spec", "spec::load", "exec::runner", "exec"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let text = "use crate::spec::load::{self, LoadError};\nfn f() { crate::exec::runner::x(); }\n// crate::exec::nothing\n";
    let found = references(text, &known);
    assert_eq!(
        found,
        ["exec::runner", "spec::load"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
