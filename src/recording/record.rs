//! `run --record DIR`: an [`Observer`] that normalises each case's exchanges and, when the case
//! is over, writes them to `DIR/<case id>.json` (pretty JSON, members sorted by name). The
//! recording's manifest (`DIR/recording.json`) names the target it was recorded against.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::exec::failure::Failure;
use crate::exec::observe::{CaseObserver, Exchange, Observer};
use crate::recording::normalise::Normaliser;
use crate::recording::{
    CaseRecording, MANIFEST, Manifest, RecordedExchange, case_file, normalise_exchange,
    normaliser_for, pretty,
};
use crate::spec::case::Case;
use crate::spec::template::Vars;

/// Records a run into a directory.
pub struct Recorder {
    dir: PathBuf,
    recorded_against: String,
    /// Files that could not be written.
    errors: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    /// A recorder writing into `dir` (created if missing), with its manifest written now.
    pub fn new(dir: PathBuf, recorded_against: &str, region: &str) -> Result<Recorder, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let manifest = Manifest {
            recorded_against: recorded_against.to_owned(),
            region: region.to_owned(),
            harness: format!("cognito-contract {}", env!("CARGO_PKG_VERSION")),
        };
        let path = dir.join(MANIFEST);
        std::fs::write(&path, pretty(&manifest))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Recorder {
            dir,
            recorded_against: recorded_against.to_owned(),
            errors: Arc::default(),
        })
    }

    /// The case files that could not be written, one message each.
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl Observer for Recorder {
    fn start(&self, case: &Case, builtins: &Vars) -> Box<dyn CaseObserver> {
        Box::new(CaseRecorder {
            path: case_file(&self.dir, &case.id),
            recording: CaseRecording {
                recorded_against: self.recorded_against.clone(),
                case: case.id.clone(),
                exchanges: Vec::new(),
            },
            normaliser: normaliser_for(builtins),
            errors: self.errors.clone(),
        })
    }
}

struct CaseRecorder {
    path: PathBuf,
    recording: CaseRecording,
    normaliser: Normaliser,
    errors: Arc<Mutex<Vec<String>>>,
}

impl CaseObserver for CaseRecorder {
    fn exchange(&mut self, exchange: &Exchange<'_>) -> Vec<Failure> {
        let recorded: RecordedExchange = normalise_exchange(&mut self.normaliser, exchange);
        self.recording.exchanges.push(recorded);
        Vec::new()
    }

    fn finish(self: Box<Self>) {
        let written = self
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&self.path, pretty(&self.recording)));
        if let Err(e) = written
            && let Ok(mut errors) = self.errors.lock()
        {
            errors.push(format!("cannot write {}: {e}", self.path.display()));
        }
    }
}
