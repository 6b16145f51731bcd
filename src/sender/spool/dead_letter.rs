//! The dead-letter file: the events the API rejected, one JSON object per
//! line, synced before those events leave the spool.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Mutex, PoisonError};

/// The file that keeps the events the API rejected, one JSON per line.
pub(crate) struct DeadLetter {
    pub path: PathBuf,
    file: Mutex<BufWriter<std::fs::File>>,
    dirty: AtomicBool,
}

impl DeadLetter {
    pub fn open(path: PathBuf) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        Ok(DeadLetter {
            path,
            file: Mutex::new(BufWriter::new(file)),
            dirty: AtomicBool::new(false),
        })
    }

    pub fn write(&self, json: &str) {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let written = file
            .write_all(json.as_bytes())
            .and_then(|()| file.write_all(b"\n"));
        self.dirty.store(true, SeqCst);
        if let Err(error) = written {
            tracing::error!(path = %self.path.display(), error = %error, event = json, "could not write a rejected event to the dead-letter file");
        }
    }

    /// Makes what was written durable (nothing to do when nothing was).
    pub fn sync(&self) {
        if !self.dirty.load(SeqCst) {
            return;
        }
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        self.dirty.store(false, SeqCst);
        let synced = file.flush().and_then(|()| file.get_ref().sync_data());
        if let Err(error) = synced {
            tracing::error!(path = %self.path.display(), error = %error, "could not sync the dead-letter file");
        }
    }
}
