//! Upgrading a segment of format version 1 (0.1) to version 2 in place:
//! its records are read in order, numbered from the segment's first event,
//! and written to a new file that replaces the old one once it is durable.
//! A migration stopped half-way leaves the old file as it was (and a
//! `.migrating` file that the next opening removes), so that it can run
//! again. Version 1 records carry no number: the first damaged one ends
//! what can be placed, and the rest is reported as damaged.

use super::format::{self, v1, Content, Decoded, HEADER_LEN};
use super::scan::read_full;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The suffix of a segment being migrated.
pub(crate) const MIGRATING: &str = "migrating";
/// The suffix a damaged version-1 segment is kept under once migrated.
pub(crate) const KEPT: &str = "v1-damaged";

/// What migrating a segment found.
#[derive(Debug)]
pub(crate) struct Migrated {
    /// Where the records that could not be read begin, and how many bytes
    /// they are (0 when every record was read).
    pub damaged_at: u64,
    pub damaged_bytes: u64,
    pub reason: &'static str,
}

/// The path of the new file while `segment` is migrated.
pub(crate) fn migrating_path(segment: &Path) -> PathBuf {
    segment.with_extension(format!("seg.{MIGRATING}"))
}

/// Rewrites the version-1 segment at `path`, whose first event is
/// numbered `base`, in version 2, reading its records from `start` (after
/// its header).
pub(crate) fn migrate(path: &Path, base: u64, start: u64, dir: &Path) -> io::Result<Migrated> {
    let mut input = File::open(path)?;
    let file_len = input.metadata()?.len();
    io::Seek::seek(&mut input, io::SeekFrom::Start(start))?;
    let mut input = BufReader::with_capacity(256 << 10, input);
    let new_path = migrating_path(path);
    let new = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&new_path)?;
    let mut out = BufWriter::with_capacity(256 << 10, new);
    out.write_all(&format::header(base))?;

    let mut next = base;
    let mut offset = start;
    let mut record = Vec::new();
    let mut converted = Vec::new();
    let reason = loop {
        record.clear();
        record.resize(v1::RECORD_HEADER_LEN, 0);
        let got = read_full(&mut input, &mut record)?;
        if got == 0 {
            break "";
        }
        record.truncate(got);
        let mut decoded = v1::decode(&record);
        if let Decoded::Incomplete { needed } = decoded {
            if got == v1::RECORD_HEADER_LEN {
                record.resize(needed, 0);
                let more = read_full(&mut input, &mut record[got..])?;
                record.truncate(got + more);
                decoded = v1::decode(&record);
            }
        }
        let len = match decoded {
            Decoded::Record { content, len } => {
                converted.clear();
                match content {
                    Content::Event { .. } => {
                        format::push_event(&mut converted, next, v1::payload(&record[..len]));
                        next += 1;
                    }
                    Content::Settled { below, .. } => {
                        format::push_settled(&mut converted, next, below)
                    }
                    Content::SettledRun { run, .. } => {
                        format::push_settled_run(&mut converted, next, run)
                    }
                }
                out.write_all(&converted)?;
                len
            }
            Decoded::Incomplete { .. } => break "the file ends inside a record",
            Decoded::Damaged(reason) => break reason,
        };
        offset += len as u64;
    };
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()?;
    drop(file);
    if file_len > offset {
        // Records after the damage cannot be placed, but may be intact:
        // the old file is kept beside, for whoever wants to look.
        std::fs::rename(path, path.with_extension(format!("seg.{KEPT}")))?;
    }
    std::fs::rename(&new_path, path)?;
    super::writer::sync_dir(dir)?;
    Ok(Migrated {
        damaged_at: offset,
        damaged_bytes: file_len - offset,
        reason,
    })
}

/// Whether the records after a damaged header are version 1 ones: the
/// first reads as a valid version-1 record.
pub(crate) fn looks_like_v1(path: &Path) -> io::Result<bool> {
    let mut file = File::open(path)?;
    let mut head = [0; HEADER_LEN + v1::RECORD_HEADER_LEN];
    if read_full(&mut file, &mut head)? < head.len() {
        return Ok(false);
    }
    let len = u32::from_le_bytes(head[HEADER_LEN..HEADER_LEN + 4].try_into().expect("4")) as usize;
    if len > format::MAX_PAYLOAD {
        return Ok(false);
    }
    let mut record = head[HEADER_LEN..].to_vec();
    record.resize(v1::RECORD_HEADER_LEN + len, 0);
    let read = read_full(&mut file, &mut record[v1::RECORD_HEADER_LEN..])?;
    record.truncate(v1::RECORD_HEADER_LEN + read);
    Ok(matches!(v1::decode(&record), Decoded::Record { .. }))
}

/// Reads a whole small file (tests).
#[cfg(test)]
fn read(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let mut bytes = Vec::new();
    File::open(path).unwrap().read_to_end(&mut bytes).unwrap();
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sender::spool::format::{KIND_EVENT, KIND_SETTLED};

    fn dir(name: &str) -> PathBuf {
        crate::sender::spool::test_dir(&format!("migrate-{name}"))
    }

    #[test]
    fn a_version_1_segment_is_rewritten_with_numbers() {
        let dir = dir("rewrite");
        let path = dir.join(format::segment_name(40));
        let mut bytes = v1::header(40).to_vec();
        v1::push(&mut bytes, KIND_EVENT, b"{\"a\":1}");
        v1::push(&mut bytes, KIND_EVENT, b"{\"a\":2}");
        v1::push(&mut bytes, KIND_SETTLED, &41u64.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        assert!(looks_like_v1(&path).unwrap());

        let migrated = migrate(&path, 40, HEADER_LEN as u64, &dir).unwrap();
        assert_eq!(migrated.damaged_bytes, 0);
        assert!(!migrating_path(&path).exists());
        let mut expected = format::header(40).to_vec();
        format::push_event(&mut expected, 40, b"{\"a\":1}");
        format::push_event(&mut expected, 41, b"{\"a\":2}");
        format::push_settled(&mut expected, 42, 41);
        assert_eq!(read(&path), expected);
        assert!(!looks_like_v1(&path).unwrap());
    }

    #[test]
    fn a_damaged_version_1_record_ends_what_is_migrated() {
        let dir = dir("damaged");
        let path = dir.join(format::segment_name(0));
        let mut bytes = v1::header(0).to_vec();
        v1::push(&mut bytes, KIND_EVENT, b"{\"a\":1}");
        let second = bytes.len();
        v1::push(&mut bytes, KIND_EVENT, b"{\"a\":2}");
        bytes[second + 10] ^= 1;
        std::fs::write(&path, &bytes).unwrap();

        let migrated = migrate(&path, 0, HEADER_LEN as u64, &dir).unwrap();
        assert_eq!(read(&path.with_extension("seg.v1-damaged")), bytes);
        assert_eq!(migrated.damaged_at, second as u64);
        assert_eq!(migrated.damaged_bytes, (bytes.len() - second) as u64);
        let mut expected = format::header(0).to_vec();
        format::push_event(&mut expected, 0, b"{\"a\":1}");
        assert_eq!(read(&path), expected);
    }
}
