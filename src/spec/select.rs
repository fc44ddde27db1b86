//! Loading what a run needs. Usually that is every case of the directory, fully checked
//! ([`load::load_source`]), and the generated validation cases ([`crate::spec::generated`])
//! unless they are left out, checked together with them ([`load_all`]). But cargo-nextest starts one process per case and names it with
//! `--exact ID`: such a process loads and checks only that case file, and learns the rest of the
//! suite (ids for the expectations, operations for the reports) from a quick read of the other
//! files, which keeps the start-up of each process small. Problems in the other files are then
//! reported by the processes that run them (and by any whole run or `cognito-contract list`).

use libtest_mimic::Arguments;
use serde_json::Value;

use crate::service::schemas::SchemaStore;
use crate::spec::case::Case;
use crate::spec::case::CaseRef;
use crate::spec::case_source::{CaseSource, case_id};
use crate::spec::generated;
use crate::spec::load::{self, LoadErrors};

/// The cases to make trials of, and the whole suite they belong to.
#[derive(Debug)]
pub struct Selection {
    /// Fully loaded and checked cases.
    pub cases: Vec<Case>,
    /// Every case of the directory (including `cases`), sorted by id.
    pub suite: Vec<CaseRef>,
}

impl Selection {
    pub fn ids(&self) -> Vec<&str> {
        self.suite.iter().map(|c| c.id.as_str()).collect()
    }
}

/// The case id an `--exact` filter names: libtest-mimic lists trials as `[area] id`, and nextest
/// passes that back.
fn exact_id(args: &Arguments) -> Option<&str> {
    if !args.exact || args.list || !args.skip.is_empty() || args.ignored {
        return None;
    }
    let filter = args.filter.as_deref()?;
    Some(
        match filter.strip_prefix('[').and_then(|f| f.split_once("] ")) {
            Some((_, id)) => id,
            None => filter,
        },
    )
}

/// A case as a listing shows it: its id and its area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub area: String,
}

/// What `--list` shows, in the order a run takes them: the case files of `source` by id, then
/// (when `with_generated`) the generated validation cases by id. Only file names are read and
/// the generated ids come from [`generated::index`], so listing takes milliseconds; a file
/// that does not load is still listed (the run reports it).
pub fn listing(
    source: &CaseSource,
    store: &SchemaStore,
    with_generated: bool,
) -> Result<Vec<Listed>, LoadErrors> {
    let (files, errors) = source.case_files();
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    let listed = |id: String| Listed {
        area: id.split('/').next().unwrap_or(&id).to_owned(),
        id,
    };
    let mut out: Vec<Listed> = files.iter().map(|f| listed(case_id(f))).collect();
    if with_generated {
        out.extend(generated::index::ids(store)?.into_iter().map(listed));
    }
    Ok(out)
}

/// Loads the cases `args` select from `source`, with the generated validation cases when
/// `with_generated` (see the module docs).
pub fn load(
    source: &CaseSource,
    args: &Arguments,
    store: &SchemaStore,
    with_generated: bool,
) -> Result<Selection, LoadErrors> {
    if let Some(id) = exact_id(args) {
        let relative = format!("{id}.json");
        if !id.contains("..") && source.has(&relative) {
            return load_one(source, id, &relative, store, with_generated);
        }
        if with_generated
            && id.starts_with(&format!("{}/", generated::AREA))
            && let Some(case) = generated::suite::load_by_id(store, id)
        {
            let mut suite = Vec::new();
            scan(source, &mut suite);
            suite.extend(generated::suite::refs(store)?);
            suite.sort();
            return Ok(Selection {
                cases: vec![case?],
                suite,
            });
        }
    }
    let cases = load_all(source, store, with_generated)?;
    let suite = cases.iter().map(CaseRef::of).collect();
    Ok(Selection { cases, suite })
}

/// Every case of `source` and, when `with_generated`, every generated validation case, sorted
/// by id; ids and descriptions must be unique across both.
pub fn load_all(
    source: &CaseSource,
    store: &SchemaStore,
    with_generated: bool,
) -> Result<Vec<Case>, LoadErrors> {
    let own = load::load_source(source, store);
    if !with_generated {
        return own;
    }
    let generated = generated_cases(store);
    let (mut cases, generated) = match (own, generated) {
        (Ok(own), Ok(generated)) => (own, generated),
        (own, generated) => {
            let mut errors = own.err().map(|e| e.0).unwrap_or_default();
            errors.extend(generated.err().map(|e| e.0).unwrap_or_default());
            return Err(LoadErrors(errors));
        }
    };
    cases.extend(generated.iter().cloned());
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let errors = load::lint_suite(&cases);
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(LoadErrors(errors))
    }
}

/// The generated cases of `store` (made once per process for the global store).
fn generated_cases(store: &SchemaStore) -> Result<std::borrow::Cow<'static, [Case]>, LoadErrors> {
    if std::ptr::eq(store, SchemaStore::global()) {
        generated::suite::global().map(std::borrow::Cow::Borrowed)
    } else {
        generated::suite::load_cases(store).map(std::borrow::Cow::Owned)
    }
}

fn load_one(
    source: &CaseSource,
    id: &str,
    relative: &str,
    store: &SchemaStore,
    with_generated: bool,
) -> Result<Selection, LoadErrors> {
    let shown = source.shown(relative);
    let text = source.read(relative).map_err(|e| LoadErrors(vec![e]))?;
    let case = load::load_case(id, &shown, &text, store).map_err(LoadErrors)?;
    let mut suite = Vec::new();
    scan(source, &mut suite);
    if with_generated {
        suite.extend(generated::suite::refs(store)?);
    }
    suite.sort();
    Ok(Selection {
        cases: vec![case],
        suite,
    })
}

/// Every case file of `source`, read just far enough for its id, area and the operations its
/// `steps` call.
fn scan(source: &CaseSource, out: &mut Vec<CaseRef>) {
    for relative in source.case_files().0 {
        let id = case_id(&relative);
        let mut operations: Vec<String> = Vec::new();
        let value: Option<Value> = source
            .read(&relative)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
        let steps = value
            .as_ref()
            .and_then(|v| v.get("steps"))
            .and_then(Value::as_array);
        for op in steps
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("operation").and_then(Value::as_str))
        {
            if !operations.iter().any(|o| o == op) {
                operations.push(op.to_owned());
            }
        }
        out.push(CaseRef {
            area: id.split('/').next().unwrap_or(&id).to_owned(),
            id,
            operations,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Arguments {
        Arguments::from_iter(std::iter::once("contract").chain(list.iter().copied()))
    }

    #[test]
    fn only_an_exact_single_case_filter_narrows_loading() {
        assert_eq!(
            exact_id(&args(&["--exact", "[users] users/a"])),
            Some("users/a")
        );
        assert_eq!(exact_id(&args(&["--exact", "users/a"])), Some("users/a"));
        assert_eq!(exact_id(&args(&["users/a"])), None);
        assert_eq!(exact_id(&args(&["--exact", "--list", "users/a"])), None);
        assert_eq!(exact_id(&args(&[])), None);
    }

    #[test]
    fn the_listing_has_the_ids_and_areas_of_a_full_load_in_run_order() {
        let store = SchemaStore::global();
        for with_generated in [false, true] {
            let mut full = load_all(&CaseSource::Bundled, store, with_generated).unwrap();
            full.sort_by_key(|case| case.area == generated::AREA);
            let listed = listing(&CaseSource::Bundled, store, with_generated).unwrap();
            let expected: Vec<Listed> = full
                .iter()
                .map(|case| Listed {
                    id: case.id.clone(),
                    area: case.area.clone(),
                })
                .collect();
            assert_eq!(listed, expected);
        }
    }

    #[test]
    fn an_exact_run_sees_the_whole_suite_but_loads_one_case() {
        let dir = CaseSource::Bundled;
        let store = SchemaStore::global();
        let full = load(&dir, &args(&[]), store, true).unwrap();
        let generated = full.cases.iter().find(|c| c.id.starts_with("generated/"));
        for id in [full.cases[0].id.clone(), generated.unwrap().id.clone()] {
            let one = load(&dir, &args(&["--exact", &id]), store, true).unwrap();
            assert_eq!(one.cases.len(), 1);
            assert_eq!(one.cases[0].id, id);
            assert_eq!(one.suite, full.suite);
        }
        let own = load(&dir, &args(&[]), store, false).unwrap();
        assert!(!own.cases.iter().any(|c| c.id.starts_with("generated/")));
    }
}
