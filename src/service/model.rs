//! The botocore service model of Cognito Identity Provider, pinned to one botocore release.
//!
//! [`pinned_model`] makes sure the model of [`BOTOCORE_VERSION`] is in the cache (fetching the
//! wheel once with `pip download --require-hashes`, so the bytes are exactly the pinned ones) and
//! loads it; [`Model::load`] reads any other `service-2.json` / `paginators-1.json` pair. Only the
//! facts the schema generator and the index need are kept: documentation text is ignored.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::support::cache;

/// The botocore release whose Cognito Identity Provider model the committed schemas follow.
pub const BOTOCORE_VERSION: &str = "1.44.8";

/// SHA-256 of `botocore-1.44.8-py3-none-any.whl` on PyPI; pip refuses any other bytes.
pub const BOTOCORE_WHEEL_SHA256: &str =
    "76342a76c338701db80dcb8afe1c9bd079283d6fffbb9d881442abb02a215043";

/// Where the service model lives inside the botocore wheel (gzip-compressed JSON).
pub const WHEEL_SERVICE_PATH: &str = "botocore/data/cognito-idp/2016-04-18/service-2.json.gz";

/// Where the paginators live inside the botocore wheel (plain JSON).
pub const WHEEL_PAGINATORS_PATH: &str = "botocore/data/cognito-idp/2016-04-18/paginators-1.json";

/// File names of the extracted model in the cache directory.
pub const SERVICE_FILE: &str = "service-2.json";
/// See [`SERVICE_FILE`].
pub const PAGINATORS_FILE: &str = "paginators-1.json";

/// Why the model could not be fetched or loaded. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a botocore model file: {source} (delete it to have it fetched again, or point at a service-2.json / paginators-1.json file)"
    )]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "cannot write to the cache {path}: {source} (set COGNITO_CONTRACT_CACHE to a writable directory)"
    )]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot run `{command}`: {source} (is python3 with pip installed?)")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error(
        "`{command}` failed ({status}); it needs network access to PyPI and a botocore=={version} wheel with sha256 {sha256}.\n{output}"
    )]
    Pip {
        command: String,
        status: std::process::ExitStatus,
        version: &'static str,
        sha256: &'static str,
        output: String,
    },
    #[error("cannot extract the model from the botocore wheel {wheel}: {output}")]
    Extract { wheel: PathBuf, output: String },
    #[error("the model is inconsistent: {0}")]
    Inconsistent(String),
}

/// A loaded botocore model: service description plus paginators.
#[derive(Debug, Clone)]
pub struct Model {
    /// The botocore release it came from, when known (set by [`pinned_model`]).
    pub botocore_version: Option<String>,
    pub metadata: Metadata,
    pub operations: BTreeMap<String, Operation>,
    pub shapes: BTreeMap<String, Shape>,
    pub paginators: BTreeMap<String, Paginator>,
}

/// `metadata` of service-2.json.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: String,
    #[serde(default)]
    pub endpoint_prefix: Option<String>,
    #[serde(default)]
    pub json_version: Option<String>,
    pub protocol: String,
    #[serde(default)]
    pub service_id: Option<String>,
    #[serde(default)]
    pub target_prefix: Option<String>,
}

/// One operation of the service.
#[derive(Debug, Clone, Deserialize)]
pub struct Operation {
    pub name: String,
    #[serde(default)]
    pub input: Option<ShapeRef>,
    #[serde(default)]
    pub output: Option<ShapeRef>,
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
    /// `"none"` for operations that take no SigV4 signature (older form).
    #[serde(default)]
    pub authtype: Option<String>,
    /// Smithy auth schemes, e.g. `["smithy.api#noAuth"]` (newer form).
    #[serde(default)]
    pub auth: Option<Vec<String>>,
}

impl Operation {
    /// True when the operation is called without AWS credentials.
    pub fn unauthenticated(&self) -> bool {
        self.authtype.as_deref() == Some("none")
            || self
                .auth
                .as_deref()
                .is_some_and(|auth| auth == ["smithy.api#noAuth"])
    }
}

/// A reference to a shape by name (`{"shape": "Name"}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ShapeRef {
    pub shape: String,
}

/// The type of a shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeType {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Blob,
    Timestamp,
}

/// `error` of an exception shape.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub http_status_code: Option<u16>,
    #[serde(default)]
    pub sender_fault: Option<bool>,
}

/// One shape. Which fields are set depends on `shape_type`.
#[derive(Debug, Clone, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub shape_type: ShapeType,
    /// Structure members by name.
    #[serde(default)]
    pub members: BTreeMap<String, ShapeRef>,
    /// Required structure members.
    #[serde(default)]
    pub required: Vec<String>,
    /// Length (string, blob), item count (list), entry count (map) or value (numbers).
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    /// A whole-string regular expression (the model's dialect; see `schemagen::translate_pattern`).
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    /// List items.
    #[serde(default)]
    pub member: Option<ShapeRef>,
    /// Map keys and values.
    #[serde(default)]
    pub key: Option<ShapeRef>,
    #[serde(default)]
    pub value: Option<ShapeRef>,
    /// An error shape.
    #[serde(default)]
    pub exception: bool,
    /// A server-side error.
    #[serde(default)]
    pub fault: bool,
    #[serde(default)]
    pub error: Option<ErrorInfo>,
    /// A Smithy document (any JSON value); botocore writes it as a structure.
    #[serde(default)]
    pub document: bool,
}

/// A paginator of paginators-1.json (single-token form, as all Cognito paginators are).
#[derive(Debug, Clone, Deserialize)]
pub struct Paginator {
    pub input_token: String,
    pub output_token: String,
    #[serde(default)]
    pub limit_key: Option<String>,
    #[serde(default)]
    pub result_key: Option<String>,
}

#[derive(Deserialize)]
struct ServiceFile {
    metadata: Metadata,
    operations: BTreeMap<String, Operation>,
    shapes: BTreeMap<String, Shape>,
}

#[derive(Deserialize)]
struct PaginatorsFile {
    #[serde(default)]
    pagination: BTreeMap<String, Paginator>,
}

impl Model {
    /// Loads a `service-2.json` and its `paginators-1.json` (plain JSON) and checks that every
    /// shape reference resolves.
    pub fn load(service_json: &Path, paginators_json: &Path) -> Result<Model, ModelError> {
        let service: ServiceFile = read_json(service_json)?;
        let paginators: PaginatorsFile = read_json(paginators_json)?;
        let model = Model {
            botocore_version: None,
            metadata: service.metadata,
            operations: service.operations,
            shapes: service.shapes,
            paginators: paginators.pagination,
        };
        model.check()?;
        Ok(model)
    }

    /// The operation named `name`.
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    /// The shape named `name`.
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    /// Number of (operation, documented error) pairs.
    pub fn documented_error_count(&self) -> usize {
        self.operations.values().map(|op| op.errors.len()).sum()
    }

    fn check(&self) -> Result<(), ModelError> {
        let missing = |owner: &str, target: &ShapeRef| {
            (!self.shapes.contains_key(&target.shape)).then(|| {
                ModelError::Inconsistent(format!(
                    "{owner} refers to shape {} which the model does not define",
                    target.shape
                ))
            })
        };
        for (name, op) in &self.operations {
            let refs = op.input.iter().chain(op.output.iter()).chain(&op.errors);
            if let Some(error) = refs
                .filter_map(|r| missing(&format!("operation {name}"), r))
                .next()
            {
                return Err(error);
            }
        }
        for (name, shape) in &self.shapes {
            let refs = shape
                .members
                .values()
                .chain(shape.member.iter())
                .chain(shape.key.iter())
                .chain(shape.value.iter());
            if let Some(error) = refs
                .filter_map(|r| missing(&format!("shape {name}"), r))
                .next()
            {
                return Err(error);
            }
            if let Some(required) = shape
                .required
                .iter()
                .find(|m| !shape.members.contains_key(*m))
            {
                return Err(ModelError::Inconsistent(format!(
                    "shape {name} requires member {required} which it does not have"
                )));
            }
        }
        for name in self.paginators.keys() {
            if !self.operations.contains_key(name) {
                return Err(ModelError::Inconsistent(format!(
                    "paginator {name} names no operation of the model"
                )));
            }
        }
        Ok(())
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ModelError> {
    let text = fs::read_to_string(path).map_err(|source| ModelError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ModelError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// The cache directory that holds the extracted pinned model.
pub fn pinned_model_dir() -> PathBuf {
    cache::cache_dir().join(format!("botocore-{BOTOCORE_VERSION}"))
}

/// The pinned model (botocore [`BOTOCORE_VERSION`]), fetched into [`pinned_model_dir`] on first
/// use. Concurrent callers (other test processes) wait on a file lock instead of fetching twice.
pub fn pinned_model() -> Result<Model, ModelError> {
    let dir = pinned_model_dir();
    let service = dir.join(SERVICE_FILE);
    let paginators = dir.join(PAGINATORS_FILE);
    if !(service.is_file() && paginators.is_file()) {
        cache::with_lock(&dir, || fetch_into(&dir)).map_err(|source| ModelError::Cache {
            path: dir.clone(),
            source,
        })??;
    }
    let mut model = Model::load(&service, &paginators)?;
    model.botocore_version = Some(BOTOCORE_VERSION.to_owned());
    Ok(model)
}

/// Downloads the pinned wheel and extracts the two model files into `dir` (atomically: temp file
/// then rename). Does nothing when another process already did it.
fn fetch_into(dir: &Path) -> Result<(), ModelError> {
    let service = dir.join(SERVICE_FILE);
    let paginators = dir.join(PAGINATORS_FILE);
    if service.is_file() && paginators.is_file() {
        return Ok(());
    }
    let cache_err = |path: &Path| {
        let path = path.to_owned();
        move |source| ModelError::Cache { path, source }
    };
    let work = dir.join(format!(".fetch-{}", std::process::id()));
    if work.exists() {
        fs::remove_dir_all(&work).map_err(cache_err(&work))?;
    }
    fs::create_dir_all(&work).map_err(cache_err(&work))?;
    let result = download_and_extract(&work, &service, &paginators);
    // Best effort: a leftover work dir is only wasted space and is removed on the next fetch.
    let _ = fs::remove_dir_all(&work);
    result
}

fn download_and_extract(work: &Path, service: &Path, paginators: &Path) -> Result<(), ModelError> {
    let cache_err = |path: &Path| {
        let path = path.to_owned();
        move |source| ModelError::Cache { path, source }
    };
    let requirements = work.join("requirements.txt");
    fs::write(
        &requirements,
        format!("botocore=={BOTOCORE_VERSION} --hash=sha256:{BOTOCORE_WHEEL_SHA256}\n"),
    )
    .map_err(cache_err(&requirements))?;
    let wheels = work.join("wheels");
    let mut pip = Command::new("python3");
    pip.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--disable-pip-version-check", "--require-hashes", "-r"])
        .arg(&requirements)
        .arg("-d")
        .arg(&wheels);
    let command = format!(
        "python3 -m pip download --no-deps --only-binary=:all: --require-hashes -r {} -d {}",
        requirements.display(),
        wheels.display()
    );
    let output = pip.output().map_err(|source| ModelError::Spawn {
        command: command.clone(),
        source,
    })?;
    if !output.status.success() {
        return Err(ModelError::Pip {
            command,
            status: output.status,
            version: BOTOCORE_VERSION,
            sha256: BOTOCORE_WHEEL_SHA256,
            output: combined(&output),
        });
    }
    let wheel = wheels.join(format!("botocore-{BOTOCORE_VERSION}-py3-none-any.whl"));
    if !wheel.is_file() {
        return Err(ModelError::Extract {
            wheel,
            output: format!("pip did not leave the wheel there\n{}", combined(&output)),
        });
    }
    let service_tmp = work.join(SERVICE_FILE);
    let paginators_tmp = work.join(PAGINATORS_FILE);
    let script = "import gzip, sys, zipfile\n\
        wheel, member_gz, member, out_gz, out = sys.argv[1:6]\n\
        with zipfile.ZipFile(wheel) as z:\n\
        \x20   open(out_gz, 'wb').write(gzip.decompress(z.read(member_gz)))\n\
        \x20   open(out, 'wb').write(z.read(member))\n";
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&wheel)
        .arg(WHEEL_SERVICE_PATH)
        .arg(WHEEL_PAGINATORS_PATH)
        .arg(&service_tmp)
        .arg(&paginators_tmp)
        .output()
        .map_err(|source| ModelError::Spawn {
            command: "python3 -c <extract script>".to_owned(),
            source,
        })?;
    if !output.status.success() {
        return Err(ModelError::Extract {
            wheel,
            output: combined(&output),
        });
    }
    // Refuse to cache something that does not load.
    Model::load(&service_tmp, &paginators_tmp)?;
    fs::rename(&paginators_tmp, paginators).map_err(cache_err(paginators))?;
    fs::rename(&service_tmp, service).map_err(cache_err(service))?;
    Ok(())
}

fn combined(output: &std::process::Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "cognito-contract-model-{name}-{}",
            std::process::id()
        ));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SERVICE: &str = r#"{
      "metadata": {"apiVersion": "2016-04-18", "protocol": "json", "targetPrefix": "P"},
      "operations": {
        "Open": {"name": "Open", "input": {"shape": "In"}, "errors": [{"shape": "Oops"}],
                 "authtype": "none", "auth": ["smithy.api#noAuth"], "documentation": "x"},
        "Closed": {"name": "Closed", "input": {"shape": "In"}, "output": {"shape": "In"}}
      },
      "shapes": {
        "In": {"type": "structure", "members": {"A": {"shape": "S", "documentation": "d"}},
               "required": ["A"]},
        "S": {"type": "string", "min": 1, "max": 3, "pattern": "[a-z]+"},
        "Oops": {"type": "structure", "members": {"message": {"shape": "S"}}, "exception": true,
                 "error": {"httpStatusCode": 400, "senderFault": true}}
      }
    }"#;

    #[test]
    fn loads_a_small_model() {
        let dir = scratch("small");
        let service = write(&dir, "s.json", SERVICE);
        let pag = write(
            &dir,
            "p.json",
            r#"{"pagination": {"Closed": {"input_token": "T", "output_token": "T", "limit_key": "L", "result_key": "R"}}}"#,
        );
        let model = Model::load(&service, &pag).unwrap();
        assert!(model.operation("Open").unwrap().unauthenticated());
        assert!(!model.operation("Closed").unwrap().unauthenticated());
        assert_eq!(model.documented_error_count(), 1);
        let oops = model.shape("Oops").unwrap();
        assert!(oops.exception);
        assert_eq!(oops.error.as_ref().unwrap().http_status_code, Some(400));
        assert_eq!(model.shape("S").unwrap().pattern.as_deref(), Some("[a-z]+"));
        assert_eq!(model.paginators["Closed"].limit_key.as_deref(), Some("L"));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn rejects_dangling_references() {
        let dir = scratch("dangling");
        let service = write(
            &dir,
            "s.json",
            &SERVICE.replace(r#""shape": "S""#, r#""shape": "Gone""#),
        );
        let pag = write(&dir, "p.json", "{}");
        let error = Model::load(&service, &pag).unwrap_err();
        assert!(error.to_string().contains("Gone"), "{error}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn names_the_file_that_does_not_parse() {
        let dir = scratch("parse");
        let service = write(&dir, "s.json", "{\"metadata\": 1}");
        let pag = write(&dir, "p.json", "{}");
        let error = Model::load(&service, &pag).unwrap_err();
        assert!(matches!(error, ModelError::Parse { .. }));
        assert!(error.to_string().contains("s.json"), "{error}");
        fs::remove_dir_all(dir).unwrap();
    }
}
