//! The ids of the generated validation cases without generating them. Listing a suite (and a
//! nextest process that runs one case) needs only the ids, but generating the cases reads every
//! schema and takes a good part of a second; so the ids of the schemas built into the binary
//! are kept in the cache directory ([`crate::support::cache`]), in a file named by the
//! fingerprint `build.rs` computes from the schemas and the generator's source
//! ([`crate::support::bundled::generated_fingerprint`]). The first process generates and writes
//! them; a changed schema or generator has another fingerprint, hence another file. The ids of
//! schemas from a directory are always generated.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::service::schemas::SchemaStore;
use crate::spec::error::LoadErrors;

/// The sorted ids of every generated case of `store`.
pub fn ids(store: &SchemaStore) -> Result<Vec<String>, LoadErrors> {
    if !store.is_embedded() {
        return super::suite::generated_ids(store);
    }
    let dir = crate::support::cache::cache_dir();
    if let Some(ids) = read_from(&dir) {
        return Ok(ids);
    }
    let ids = super::suite::generated_ids(store)?;
    // A cache that cannot be written only costs the next process the same work.
    let _ = write_to(&dir, &ids);
    Ok(ids)
}

/// The file holding the ids of the embedded schemas, below the cache directory `dir`.
pub fn file_in(dir: &Path) -> PathBuf {
    dir.join("generated-ids").join(format!(
        "{}.txt",
        crate::support::bundled::generated_fingerprint()
    ))
}

/// Marks a complete file: the last line.
const END: &str = "# end";

/// The ids kept below `dir`, if a complete file is there.
pub fn read_from(dir: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(file_in(dir)).ok()?;
    let body = text.strip_suffix(&format!("{END}\n"))?;
    Some(body.lines().map(str::to_owned).collect())
}

/// Keeps `ids` below `dir` (written aside, then renamed into place, so that a reader never
/// sees half a file).
pub fn write_to(dir: &Path, ids: &[String]) -> std::io::Result<()> {
    let file = file_in(dir);
    let folder = file.parent().expect("a file in a folder");
    std::fs::create_dir_all(folder)?;
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    for id in ids {
        writeln!(temporary, "{id}")?;
    }
    writeln!(temporary, "{END}")?;
    temporary.persist(&file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_ids_are_the_generated_ones_and_a_partial_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_from(dir.path()), None);
        let store = SchemaStore::global();
        let generated = super::super::suite::generated_ids(store).unwrap();
        assert_eq!(generated.len(), 2714);
        write_to(dir.path(), &generated).unwrap();
        assert_eq!(read_from(dir.path()).as_ref(), Some(&generated));
        let text = std::fs::read_to_string(file_in(dir.path())).unwrap();
        std::fs::write(file_in(dir.path()), &text[..text.len() / 2]).unwrap();
        assert_eq!(read_from(dir.path()), None);
        assert_eq!(ids(store).unwrap(), generated);
    }
}
