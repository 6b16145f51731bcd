//! Errors and warnings of the generator: each names where in the spec it arose.

use std::fmt;

/// Where in the spec something is: an optional file (for multi-file specs,
/// relative to the root document's folder) and a JSON pointer inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, or `None` for the root document.
    pub file: Option<String>,
    /// A JSON pointer (RFC 6901) such as `#/components/schemas/Foo`.
    pub pointer: String,
}

impl Location {
    /// The root of the root document.
    pub fn root() -> Self {
        Location {
            file: None,
            pointer: "#".to_string(),
        }
    }

    /// The location of a key below this one (escaped as RFC 6901 says).
    pub fn key(&self, key: &str) -> Self {
        let escaped = key.replace('~', "~0").replace('/', "~1");
        Location {
            file: self.file.clone(),
            pointer: format!("{}/{}", self.pointer, escaped),
        }
    }

    /// The location of an array item below this one.
    pub fn index(&self, index: usize) -> Self {
        Location {
            file: self.file.clone(),
            pointer: format!("{}/{}", self.pointer, index),
        }
    }

    /// The last segment of the pointer, unescaped (a schema's name, usually).
    pub fn last_segment(&self) -> String {
        self.pointer
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .replace("~1", "/")
            .replace("~0", "~")
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}{}", self.pointer),
            None => f.write_str(&self.pointer),
        }
    }
}

/// A spec the generator cannot turn into code, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Where in the spec the problem is.
    pub location: Location,
    /// What is wrong there, and what was expected.
    pub reason: String,
}

impl Error {
    pub(crate) fn new(location: &Location, reason: impl Into<String>) -> Self {
        Error {
            location: location.clone(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

impl std::error::Error for Error {}

/// Something the generator accepted but wants the spec's author to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where in the spec.
    pub location: Location,
    /// What was accepted, and how it was treated.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}: {}", self.location, self.message)
    }
}

pub(crate) type Result<T> = std::result::Result<T, Error>;
