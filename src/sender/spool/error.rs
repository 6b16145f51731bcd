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
    /// A file of the spool was written by a newer version of the format.
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// The version this library writes (it reads that one and the
        /// older ones, which it upgrades).
        supported: u32,
    },
    /// The directory is not a spool: it has no lock file, and no file
    /// named like a segment holds a spool header or record.
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
                "{} is a spool file of format version {found}; this version of algolia-insights reads versions 1 to {supported}: deliver that spool with the version that wrote it, or move it away",
                path.display()
            ),
            SpoolError::NotASpool { path } => write!(
                f,
                "{} is named like a spool file, but neither it nor any other file of the directory holds a spool header or record, and there is no lock file: the directory is not a spool (move such files away, or open another directory)",
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
