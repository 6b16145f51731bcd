//! Why a spool could not be opened.

use std::path::PathBuf;

/// Why [`Spool::open`](super::Spool::open) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpoolError {
    /// Another process (or another spool in this one) has the directory.
    #[error("the spool directory {} is in use by another sender (it holds the lock on {}); a spool has one writer at a time", dir.display(), lock.display())]
    Locked {
        /// The spool directory.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// A file of the spool was written by another version of the format.
    #[error("{} is a spool file of format version {found}; this version of algolia-insights reads version {supported} only: deliver that spool with the version that wrote it, or move it away", path.display())]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// The version this library reads and writes.
        supported: u32,
    },
    /// A file named like a spool segment is not one.
    #[error("{} is named like a spool file but is not one (its header is not a spool header): move it out of the spool directory", path.display())]
    NotASpool {
        /// The file.
        path: PathBuf,
    },
    /// Reading, writing or syncing a file failed.
    #[error("spool {}: {action}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
}

impl SpoolError {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
    ) -> impl FnOnce(std::io::Error) -> SpoolError {
        let path = path.into();
        move |source| SpoolError::Io {
            path,
            action,
            source,
        }
    }
}
