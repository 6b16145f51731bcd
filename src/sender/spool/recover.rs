//! Opening a spool: taking the directory's lock, then reading every
//! segment to find the events not yet settled. A torn last record (the
//! process or the machine stopped in the middle of a write) is cut off and
//! counted; the records before it are kept.

use super::error::SpoolError;
use super::format::{self, Decoded, Header, HEADER_LEN, RECORD_HEADER_LEN};
use super::settled::Settled;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The lock file's name in the spool directory.
pub(crate) const LOCK_FILE: &str = "LOCK";

/// What opening a spool found on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recovery {
    /// Events found in the spool and not yet settled: a sender delivers
    /// them before the events it is given.
    pub events: u64,
    /// Records found torn or damaged, and cut off (a torn last record is
    /// one): the records before each are kept.
    pub torn_records: u64,
    /// The bytes cut off with them.
    pub torn_bytes: u64,
    /// Segment files found.
    pub segments: u64,
    /// The sequence number of the next event taken: a spool numbers its
    /// events on from one run to the next, and a spooled sender's
    /// [`FailedEvent::sequence`](crate::sender::FailedEvent::sequence) and
    /// [`Delivered::sequences`](crate::sender::Delivered::sequences) are
    /// those numbers. Events numbered below it are from earlier runs.
    pub next_sequence: u64,
}

/// A segment file found on disk.
#[derive(Debug)]
pub(crate) struct Found {
    pub base: u64,
    pub path: PathBuf,
    /// Its length once any torn tail is cut off.
    pub len: u64,
    /// The events in it.
    pub events: u64,
}

/// All that opening found.
#[derive(Debug)]
pub(crate) struct Opened {
    pub lock: File,
    pub segments: Vec<Found>,
    /// The events settled.
    pub settled: Settled,
    /// The number of the next event.
    pub next: u64,
    pub recovery: Recovery,
}

/// Takes the lock of `dir` (creating it) and reads its segments.
pub(crate) fn open(dir: &Path) -> Result<Opened, SpoolError> {
    std::fs::create_dir_all(dir).map_err(SpoolError::io(dir, "creating the directory"))?;
    let lock_path = dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(SpoolError::io(&lock_path, "opening the lock file"))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(SpoolError::Locked {
                dir: dir.to_path_buf(),
                lock: lock_path,
            })
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(SpoolError::io(&lock_path, "locking")(e));
        }
    }

    let mut names = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(SpoolError::io(dir, "listing"))?;
    for entry in entries {
        let entry = entry.map_err(SpoolError::io(dir, "listing"))?;
        if let Some(base) = entry
            .file_name()
            .to_str()
            .and_then(format::parse_segment_name)
        {
            names.push((base, entry.path()));
        }
    }
    names.sort();

    let mut recovery = Recovery::default();
    let mut segments = Vec::new();
    let mut settled = Settled::new(0);
    let mut next = 0;
    let last = names.len().saturating_sub(1);
    for (i, (base, path)) in names.into_iter().enumerate() {
        if i == 0 {
            // Segments are deleted once settled: what precedes the oldest is.
            settled.settle_below(base);
        }
        let Some(scan) = scan(&path, i == last, &mut settled)? else {
            // The last segment, torn before its header was complete: it
            // held no event.
            recovery.torn_records += 1;
            std::fs::remove_file(&path).map_err(SpoolError::io(&path, "removing"))?;
            continue;
        };
        if scan.base != base {
            return Err(SpoolError::NotASpool { path });
        }
        if scan.torn_bytes > 0 {
            recovery.torn_records += 1;
            recovery.torn_bytes += scan.torn_bytes;
            tracing::warn!(
                path = %path.display(),
                bytes = scan.torn_bytes,
                reason = scan.torn_reason,
                "a torn record at the end of a spool file is cut off; the records before it are kept"
            );
            let file = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(SpoolError::io(&path, "opening"))?;
            file.set_len(scan.valid_len)
                .and_then(|()| file.sync_all())
                .map_err(SpoolError::io(&path, "cutting off a torn record"))?;
        }
        next = next.max(base + scan.events);
        recovery.segments += 1;
        segments.push(Found {
            base,
            path,
            len: scan.valid_len,
            events: scan.events,
        });
    }
    recovery.events = segments
        .iter()
        .map(|s| settled.unsettled_in(s.base..s.base + s.events))
        .sum();
    recovery.next_sequence = next;
    Ok(Opened {
        lock,
        segments,
        settled,
        next,
        recovery,
    })
}

struct Scan {
    base: u64,
    events: u64,
    valid_len: u64,
    torn_bytes: u64,
    torn_reason: &'static str,
}

/// Reads one segment, record by record (never more than one record in
/// memory). `None` when it is the last segment and its header is torn.
fn scan(path: &Path, last: bool, settled: &mut Settled) -> Result<Option<Scan>, SpoolError> {
    let mut file = File::open(path).map_err(SpoolError::io(path, "opening"))?;
    let file_len = file
        .metadata()
        .map_err(SpoolError::io(path, "reading the size of"))?
        .len();
    let mut header = [0; HEADER_LEN];
    if file_len < HEADER_LEN as u64 {
        if last {
            return Ok(None);
        }
        return Err(SpoolError::NotASpool {
            path: path.to_path_buf(),
        });
    }
    file.read_exact(&mut header)
        .map_err(SpoolError::io(path, "reading"))?;
    let base = match format::read_header(&header) {
        Header::Valid { base } => base,
        Header::Version(found) => {
            return Err(SpoolError::UnsupportedVersion {
                path: path.to_path_buf(),
                found,
                supported: format::VERSION,
            })
        }
        Header::NotASegment => {
            return Err(SpoolError::NotASpool {
                path: path.to_path_buf(),
            })
        }
    };
    let mut reader = io::BufReader::with_capacity(256 << 10, file);
    let mut scan = Scan {
        base,
        events: 0,
        valid_len: HEADER_LEN as u64,
        torn_bytes: 0,
        torn_reason: "",
    };
    let mut record = Vec::new();
    loop {
        record.clear();
        record.resize(RECORD_HEADER_LEN, 0);
        let got = read_full(&mut reader, &mut record).map_err(SpoolError::io(path, "reading"))?;
        if got == 0 {
            break;
        }
        let mut decoded = if got < RECORD_HEADER_LEN {
            Decoded::Incomplete {
                needed: RECORD_HEADER_LEN,
            }
        } else {
            format::decode(&record)
        };
        if let Decoded::Incomplete { needed } = decoded {
            if got == RECORD_HEADER_LEN {
                record.resize(needed, 0);
                let more = read_full(&mut reader, &mut record[RECORD_HEADER_LEN..])
                    .map_err(SpoolError::io(path, "reading"))?;
                record.truncate(RECORD_HEADER_LEN + more);
                decoded = format::decode(&record);
            }
        }
        match decoded {
            Decoded::Event { len, .. } => {
                scan.events += 1;
                scan.valid_len += len as u64;
            }
            Decoded::Settled { below, len } => {
                settled.settle_below(below);
                scan.valid_len += len as u64;
            }
            Decoded::SettledRun { run, len } => {
                settled.settle(run);
                scan.valid_len += len as u64;
            }
            Decoded::Incomplete { .. } => {
                scan.torn_reason = "the file ends inside the record";
                break;
            }
            Decoded::Damaged(reason) => {
                scan.torn_reason = reason;
                break;
            }
        }
    }
    scan.torn_bytes = file_len - scan.valid_len;
    Ok(Some(scan))
}

/// Reads until `buf` is full or the file ends; the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
