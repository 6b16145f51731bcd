//! Why a spool could not be opened.

use std::fmt;
use std::path::PathBuf;

/// Why [`Spool::open`](super::Spool::open) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SpoolError {
    /// Another process (or another spool in this one) has the directory.
    Locked {
        /// The spool directory.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// A file of the spool was written by another version of the format.
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// The version this library reads and writes.
        supported: u32,
    },
    /// A file named like a spool segment is not one.
    NotASpool {
        /// The file.
        path: PathBuf,
    },
    /// Reading, writing or syncing a file failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
}

impl fmt::Display for SpoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpoolError::Locked { dir, lock } => write!(
                f,
                "the spool directory {} is in use by another sender (it holds the lock on {}); a spool has one writer at a time",
                dir.display(),
                lock.display()
            ),
            SpoolError::UnsupportedVersion {
                path,
                found,
                supported,
            } => write!(
                f,
                "{} is a spool file of format version {found}; this version of algolia-insights reads version {supported} only: deliver that spool with the version that wrote it, or move it away",
                path.display()
            ),
            SpoolError::NotASpool { path } => write!(
                f,
                "{} is named like a spool file but is not one (its header is not a spool header): move it out of the spool directory",
                path.display()
            ),
            SpoolError::Io {
                path,
                action,
                source,
            } => write!(f, "spool {}: {action}: {source}", path.display()),
        }
    }
}

impl std::error::Error for SpoolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SpoolError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
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
