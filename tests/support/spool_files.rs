//! The spool's files, read and damaged from outside the library: a reader
//! of the format written here from its description (so that it checks the
//! library rather than repeats it), the kinds of damage a disk does, and
//! which events a damage destroyed.
//!
//! ```text
//! record = F5 'R' 'E' 'C' | crc u32 | len u32 | kind u8 | number u64 | payload[len]
//! ```

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub const HEADER_LEN: u64 = 28;
const RECORD_HEADER_LEN: usize = 21;
const MARKER: [u8; 4] = [0xF5, b'R', b'E', b'C'];

/// A record found in a segment file.
#[derive(Debug, Clone)]
pub struct Record {
    pub file: PathBuf,
    pub bytes: Range<u64>,
    pub kind: u8,
    pub number: u64,
    pub payload: Vec<u8>,
}

impl Record {
    /// The user token of an event record.
    pub fn user_token(&self) -> Option<String> {
        let json: serde_json::Value = serde_json::from_slice(&self.payload).ok()?;
        Some(json["userToken"].as_str()?.to_string())
    }
}

/// The segment files of a spool, oldest first (none before the spool
/// made its directory: a run killed that early).
pub fn segments(dir: &Path) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(error) => panic!("listing {}: {error}", dir.display()),
    };
    let mut segments: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    segments.sort();
    segments
}

/// Every record of an undamaged segment, in order.
pub fn records(file: &Path) -> Vec<Record> {
    let bytes = std::fs::read(file).unwrap();
    let mut at = HEADER_LEN as usize;
    let mut records = Vec::new();
    while at < bytes.len() {
        assert_eq!(
            bytes[at..at + 4],
            MARKER,
            "{}: a record at {at}",
            file.display()
        );
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        let end = at + RECORD_HEADER_LEN + len;
        records.push(Record {
            file: file.to_path_buf(),
            bytes: at as u64..end as u64,
            kind: bytes[at + 12],
            number: u64::from_le_bytes(bytes[at + 13..at + 21].try_into().unwrap()),
            payload: bytes[at + RECORD_HEADER_LEN..end].to_vec(),
        });
        at = end;
    }
    records
}

/// The event records of every segment of a spool.
pub fn events(dir: &Path) -> Vec<Record> {
    segments(dir)
        .iter()
        .flat_map(|s| records(s))
        .filter(|r| r.kind == 1)
        .collect()
}

/// What a disk can do to a spool.
#[derive(Debug, Clone)]
pub enum Damage {
    /// XORs a byte of a file.
    Flip { file: PathBuf, at: u64, mask: u8 },
    /// Zeroes a 4 KiB page of a file (or what of it is there).
    ZeroPage { file: PathBuf, page: u64 },
    /// Cuts a file short.
    Truncate { file: PathBuf, len: u64 },
    /// Deletes a file.
    Delete { file: PathBuf },
}

impl Damage {
    pub fn apply(&self) {
        match self {
            Damage::Flip { file, at, mask } => {
                let mut bytes = std::fs::read(file).unwrap();
                // Nothing to flip past the end of a file cut short before.
                if let Some(byte) = bytes.get_mut(*at as usize) {
                    *byte ^= mask;
                }
                std::fs::write(file, bytes).unwrap();
            }
            Damage::ZeroPage { file, page } => {
                let mut bytes = std::fs::read(file).unwrap();
                let start = (*page as usize * 4096).min(bytes.len());
                let end = (start + 4096).min(bytes.len());
                bytes[start..end].fill(0);
                std::fs::write(file, bytes).unwrap();
            }
            Damage::Truncate { file, len } => {
                let handle = std::fs::OpenOptions::new().write(true).open(file).unwrap();
                handle.set_len(*len).unwrap();
            }
            Damage::Delete { file } => std::fs::remove_file(file).unwrap(),
        }
    }

    /// The bytes of `file` this damage destroys.
    fn destroys(&self, file: &Path) -> Range<u64> {
        match self {
            Damage::Flip { file: f, at, .. } if f == file => *at..at + 1,
            Damage::ZeroPage { file: f, page } if f == file => page * 4096..(page + 1) * 4096,
            Damage::Truncate { file: f, len } if f == file => *len..u64::MAX,
            Damage::Delete { file: f } if f == file => 0..u64::MAX,
            _ => 0..0,
        }
    }

    /// Whether it destroys any byte of `record`.
    pub fn touches(&self, record: &Record) -> bool {
        let destroyed = self.destroys(&record.file);
        destroyed.start < record.bytes.end && record.bytes.start < destroyed.end
    }
}

/// The user tokens of the events whose records no damage touches.
pub fn intact(events: &[Record], damage: &[Damage]) -> BTreeSet<String> {
    events
        .iter()
        .filter(|r| !damage.iter().any(|d| d.touches(r)))
        .map(|r| r.user_token().unwrap())
        .collect()
}

/// Copies a spool directory (its segments) into a fresh one.
pub fn copy_spool(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for segment in segments(from) {
        std::fs::copy(&segment, to.join(segment.file_name().unwrap())).unwrap();
    }
}

/// The same damage, on the copy in `dir` of the spool it was made for.
pub fn moved(damage: &Damage, dir: &Path) -> Damage {
    let there = |file: &PathBuf| dir.join(file.file_name().unwrap());
    match damage {
        Damage::Flip { file, at, mask } => Damage::Flip {
            file: there(file),
            at: *at,
            mask: *mask,
        },
        Damage::ZeroPage { file, page } => Damage::ZeroPage {
            file: there(file),
            page: *page,
        },
        Damage::Truncate { file, len } => Damage::Truncate {
            file: there(file),
            len: *len,
        },
        Damage::Delete { file } => Damage::Delete { file: there(file) },
    }
}
