//! Opening a spool: taking the directory's lock, upgrading segments of
//! format version 1, then reading every segment to find the events not yet
//! settled. Damage anywhere costs only the records it touched: reading
//! resynchronises after a damaged stretch, and each record's own number
//! says which events a stretch (or a missing file) may have held. Those
//! numbers are settled as lost, so that nothing waits for them. A torn
//! last record of the newest segment (a write the process or the machine
//! did not finish, never acknowledged) is cut off.

use super::error::SpoolError;
use super::format::{self, Content, Header, HEADER_LEN};
use super::migrate;
use super::scan::{read_full, Item, SegmentScan, Stretch};
use super::settled::Settled;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The lock file's name in the spool directory.
pub(crate) const LOCK_FILE: &str = "LOCK";

/// What opening a spool found on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recovery {
    /// Events found in the spool and not yet settled: a sender delivers
    /// them before the events it is given.
    pub events: u64,
    /// Each damaged stretch, torn write or missing file found, in the
    /// order of the files. Every valid record outside them was kept.
    pub damaged: Vec<Damage>,
    /// Segment files found.
    pub segments: u64,
    /// Segments of format version 1 (written by 0.1) rewritten in the
    /// current format.
    pub migrated_segments: u64,
    /// The sequence number of the next event taken: a spool numbers its
    /// events on from one run to the next, and a spooled sender's
    /// [`FailedEvent::sequence`](crate::sender::FailedEvent::sequence) and
    /// [`Delivered::sequences`](crate::sender::Delivered::sequences) are
    /// those numbers. Events numbered below it are from earlier runs.
    pub next_sequence: u64,
}

impl Recovery {
    /// The bytes found damaged or torn.
    pub fn damaged_bytes(&self) -> u64 {
        self.damaged.iter().map(|d| d.bytes).sum()
    }

    /// The most events the damage may have cost: the numbers of the events
    /// that the damaged stretches and missing files held (some may have
    /// been settled already).
    pub fn lost_events(&self) -> u64 {
        self.damaged
            .iter()
            .map(|d| d.sequences.end - d.sequences.start)
            .sum()
    }
}

/// A damaged stretch of a spool file, or events no file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Damage {
    /// What was found.
    pub kind: DamageKind,
    /// The segment file (for [`DamageKind::Missing`], the file before the
    /// missing events).
    pub file: PathBuf,
    /// Where the stretch begins in the file.
    pub offset: u64,
    /// Its length.
    pub bytes: u64,
    /// The sequence numbers of the events it may have held: those between
    /// the valid records around it. Empty when it held none (a torn write,
    /// a header, settled records).
    pub sequences: Range<u64>,
    /// What was wrong with the first bytes of it.
    pub reason: &'static str,
}

/// What kind of [`Damage`] was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DamageKind {
    /// The newest file ends inside a record: a write that the process or
    /// the machine did not finish, so never acknowledged. Cut off.
    TornWrite,
    /// Bytes that hold no valid record (flipped bits, a zeroed page, a
    /// cut). At the end of the newest file, cut off; elsewhere, left in
    /// place until the file is deleted.
    Records,
    /// A segment's header is damaged: its records are read all the same.
    Header,
    /// Events that no file holds: a segment file was deleted, or cut short.
    Missing,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DamageKind::TornWrite => "a torn write",
            DamageKind::Records => "damaged records",
            DamageKind::Header => "a damaged header",
            DamageKind::Missing => "missing events",
        };
        write!(
            f,
            "{what} in {} at byte {} ({} bytes, {})",
            self.file.display(),
            self.offset,
            self.bytes,
            self.reason
        )?;
        if !self.sequences.is_empty() {
            write!(
                f,
                ": events {} to {} may be lost",
                self.sequences.start,
                self.sequences.end - 1
            )?;
        }
        Ok(())
    }
}

/// A segment file found on disk.
#[derive(Debug)]
pub(crate) struct Found {
    pub base: u64,
    pub path: PathBuf,
    /// Its length once any torn tail is cut off.
    pub len: u64,
}

/// All that opening found.
#[derive(Debug)]
pub(crate) struct Opened {
    pub lock: File,
    pub segments: Vec<Found>,
    /// The events settled, the lost ones included.
    pub settled: Settled,
    /// The numbers of the events lost to damage, settled as such.
    pub lost: Vec<Range<u64>>,
    /// The number of the next event.
    pub next: u64,
    pub recovery: Recovery,
}

/// Takes the lock of `dir` (creating it) and reads its segments.
pub(crate) fn open(dir: &Path) -> Result<Opened, SpoolError> {
    create_dir(dir)?;
    // A lock file is left by every spool: with it, the directory is one,
    // whatever damage its segments took.
    let was_a_spool = dir.join(LOCK_FILE).exists();
    let lock = lock(dir)?;
    let names = segment_names(dir)?;

    let mut recovery = Recovery::default();
    let mut settled = Settled::new(0);
    let mut scanned = Vec::new();
    let mut any_valid = names.is_empty() || was_a_spool;
    for (i, (base, path)) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        match read_segment(dir, path, *base, last, &mut settled, &mut recovery)? {
            Some(segment) => {
                any_valid |= segment.valid;
                scanned.push(segment);
            }
            None => any_valid = true,
        }
    }
    if !any_valid {
        return Err(SpoolError::NotASpool {
            path: names[0].1.clone(),
        });
    }

    let next = scanned
        .iter()
        .map(|s| s.numbers_below.max(s.base))
        .max()
        .unwrap_or(0);
    let mut lost = Vec::new();
    if let Some(oldest) = scanned.first() {
        place_missing_oldest(oldest, &settled, &mut lost, &mut recovery);
    }
    let mut segments = Vec::new();
    for i in 0..scanned.len() {
        let bound = scanned.get(i + 1).map_or(next, |s| s.base);
        let is_last = i + 1 == scanned.len();
        let segment = &scanned[i];
        place_damage(segment, bound, is_last, &mut lost, &mut recovery);
        if segment.header_damaged {
            repair_header(segment)?;
        }
        if is_last {
            cut_off_tail(segment)?;
        }
        segments.push(Found {
            base: segment.base,
            path: segment.path.clone(),
            len: segment.valid_len,
        });
    }
    for range in &lost {
        settled.settle(range.clone());
    }
    for damage in &recovery.damaged {
        tracing::warn!(
            file = %damage.file.display(),
            offset = damage.offset,
            bytes = damage.bytes,
            sequences = ?damage.sequences,
            reason = damage.reason,
            "spool damage found at opening: {damage}"
        );
    }
    recovery.events = scanned
        .iter()
        .flat_map(|s| s.pieces.iter())
        .filter_map(|piece| match piece {
            Piece::Events(run) => Some(settled.unsettled_in(run.clone())),
            Piece::Damaged(_) => None,
        })
        .sum();
    recovery.segments = segments.len() as u64;
    recovery.next_sequence = next;
    Ok(Opened {
        lock,
        segments,
        settled,
        lost,
        next,
        recovery,
    })
}

/// Creates the directory if needed, with its entry durable in its parent.
fn create_dir(dir: &Path) -> Result<(), SpoolError> {
    let mut missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    std::fs::create_dir_all(dir).map_err(SpoolError::io(dir, "creating the directory"))?;
    missing.reverse();
    for created in missing {
        if let Some(parent) = created.parent().filter(|p| !p.as_os_str().is_empty()) {
            super::writer::sync_dir(parent)
                .map_err(SpoolError::io(parent, "syncing the directory"))?;
        }
    }
    Ok(())
}

fn lock(dir: &Path) -> Result<File, SpoolError> {
    let lock_path = dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(SpoolError::io(&lock_path, "opening the lock file"))?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(SpoolError::Locked {
            dir: dir.to_path_buf(),
            lock: lock_path,
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(SpoolError::io(&lock_path, "locking")(e)),
    }
}

/// The segments in `dir`, oldest first; removes what an interrupted
/// migration left.
fn segment_names(dir: &Path) -> Result<Vec<(u64, PathBuf)>, SpoolError> {
    let mut names = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(SpoolError::io(dir, "listing"))?;
    for entry in entries {
        let entry = entry.map_err(SpoolError::io(dir, "listing"))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(&format!(".seg.{}", migrate::MIGRATING)) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(SpoolError::io(&path, "removing"))?;
        } else if let Some(base) = format::parse_segment_name(name) {
            names.push((base, entry.path()));
        } else if name.ends_with(".seg") {
            tracing::warn!(path = %entry.path().display(), "a file that a spool did not name is left alone");
        }
    }
    names.sort();
    Ok(names)
}

/// What one segment holds, in order.
#[derive(Debug)]
enum Piece {
    /// Events numbered consecutively.
    Events(Range<u64>),
    Damaged(Stretch),
}

#[derive(Debug)]
struct Scanned {
    base: u64,
    path: PathBuf,
    /// Where valid records end (what is after is cut off, in the newest segment).
    valid_len: u64,
    file_len: u64,
    pieces: Vec<Piece>,
    /// Every number its records tell of is below this.
    numbers_below: u64,
    /// It had a valid header or record.
    valid: bool,
    /// Its header was damaged: it is written anew.
    header_damaged: bool,
}

/// Reads one segment (migrating it first if it is of version 1).
/// `None` when it is the newest and its header was torn: it is removed.
fn read_segment(
    dir: &Path,
    path: &Path,
    base: u64,
    last: bool,
    settled: &mut Settled,
    recovery: &mut Recovery,
) -> Result<Option<Scanned>, SpoolError> {
    let io = |doing| SpoolError::io(path, doing);
    let mut file = File::open(path).map_err(io("opening"))?;
    let file_len = file.metadata().map_err(io("reading the size of"))?.len();
    let mut header = [0; HEADER_LEN];
    let got = read_full(&mut file, &mut header).map_err(io("reading"))?;
    if got < HEADER_LEN && last {
        // Torn while its header was written: it never held an event.
        recovery.damaged.push(Damage {
            kind: DamageKind::TornWrite,
            file: path.to_path_buf(),
            offset: 0,
            bytes: file_len,
            sequences: base..base,
            reason: "the file ends inside its header",
        });
        drop(file);
        std::fs::remove_file(path).map_err(io("removing"))?;
        return Ok(None);
    }
    let header = match format::read_header(&header) {
        _ if got < HEADER_LEN => Header::Damaged,
        header => header,
    };
    let mut valid = false;
    let migrate_from = match header {
        Header::Valid {
            version,
            base: in_header,
        } => {
            valid = true;
            if in_header != base {
                tracing::warn!(path = %path.display(), in_header, "a spool file's header names another first event than its file name: the name is used");
            }
            match version {
                format::VERSION => None,
                format::v1::VERSION => Some(HEADER_LEN as u64),
                found => {
                    return Err(SpoolError::UnsupportedVersion {
                        path: path.to_path_buf(),
                        found,
                        supported: format::VERSION,
                    })
                }
            }
        }
        Header::Damaged => {
            recovery.damaged.push(Damage {
                kind: DamageKind::Header,
                file: path.to_path_buf(),
                offset: 0,
                bytes: (HEADER_LEN as u64).min(file_len),
                sequences: base..base,
                reason: "a header whose magic or checksum does not match",
            });
            let v1 = got == HEADER_LEN && migrate::looks_like_v1(path).map_err(io("reading"))?;
            v1.then_some(HEADER_LEN as u64)
        }
    };
    drop(file);
    let mut pieces = Vec::new();
    if let Some(start) = migrate_from {
        let migrated = migrate::migrate(path, base, start, dir).map_err(io("migrating"))?;
        recovery.migrated_segments += 1;
        if migrated.damaged_bytes > 0 {
            // Version 1 records have no number: what follows the first
            // damaged one cannot be placed.
            pieces.push(Piece::Damaged(Stretch {
                offset: migrated.damaged_at,
                bytes: migrated.damaged_bytes,
                to_end: true,
                torn: migrated.reason == "the file ends inside a record",
                reason: migrated.reason,
            }));
        }
    }
    let file = File::open(path).map_err(io("opening"))?;
    let len = file.metadata().map_err(io("reading the size of"))?.len();
    let mut scan = SegmentScan::new(file, HEADER_LEN as u64, len);
    let mut scanned = Scanned {
        base,
        path: path.to_path_buf(),
        valid_len: (HEADER_LEN as u64).min(len),
        file_len: len,
        pieces: Vec::new(),
        numbers_below: base,
        valid,
        header_damaged: matches!(header, Header::Damaged) && migrate_from.is_none(),
    };
    // Events are numbered consecutively from the segment's first, and each
    // record takes at least a record header: a record that tells of a
    // number beyond what the file can hold was not written by a spool
    // (and would run the numbering out).
    let numbers_limit = base.saturating_add(len / format::RECORD_HEADER_LEN as u64 + 1);
    while let Some(item) = scan.next().map_err(io("reading"))? {
        match item {
            Item::Record {
                offset,
                len,
                content,
            } if content.numbers_below() > numbers_limit => {
                scanned.pieces.push(Piece::Damaged(Stretch {
                    offset,
                    bytes: len as u64,
                    to_end: false,
                    torn: false,
                    reason: "a record numbered beyond what its file can hold",
                }));
            }
            Item::Record { content, .. } => {
                scanned.valid = true;
                scanned.valid_len = scan.offset();
                scanned.numbers_below = scanned.numbers_below.max(content.numbers_below());
                match content {
                    Content::Event { number } => push_event(&mut scanned.pieces, number),
                    Content::Settled { below, .. } => settled.settle_below(below),
                    Content::SettledRun { run, .. } => settled.settle(run),
                }
            }
            Item::Damaged(stretch) => scanned.pieces.push(Piece::Damaged(stretch)),
        }
    }
    // A migration's damage was at the end of the old file: it goes last.
    scanned.pieces.extend(pieces);
    Ok(Some(scanned))
}

/// Adds an event to the runs of consecutive numbers.
fn push_event(pieces: &mut Vec<Piece>, number: u64) {
    if let Some(Piece::Events(run)) = pieces.last_mut() {
        if run.end == number {
            run.end += 1;
            return;
        }
    }
    pieces.push(Piece::Events(number..number + 1));
}

/// Reports a segment's damaged stretches, each with the numbers of the
/// events it may have held (those missing between the valid records
/// around it), and numbers missing where no stretch is: those numbers are
/// lost. `bound`: every event of this segment is numbered below it.
fn place_damage(
    segment: &Scanned,
    bound: u64,
    last: bool,
    lost: &mut Vec<Range<u64>>,
    recovery: &mut Recovery,
) {
    let mut expected = segment.base;
    let mut pending: Option<&Stretch> = None;
    let mut report = |stretch: Option<&Stretch>, sequences: Range<u64>, at_end: bool| {
        let expected_at_start = sequences.start == segment.base;
        if !sequences.is_empty() {
            lost.push(sequences.clone());
        }
        let damage = match stretch {
            Some(stretch) => Damage {
                kind: if stretch.torn && sequences.is_empty() && last {
                    DamageKind::TornWrite
                } else {
                    DamageKind::Records
                },
                file: segment.path.clone(),
                offset: stretch.offset,
                bytes: stretch.bytes,
                sequences,
                reason: stretch.reason,
            },
            None if sequences.is_empty() => return,
            None => Damage {
                kind: DamageKind::Missing,
                file: segment.path.clone(),
                offset: if at_end { segment.valid_len } else { 0 },
                bytes: 0,
                sequences,
                reason: if at_end {
                    "events after the end of this file are in no file"
                } else if expected_at_start {
                    "events before this file's first record are in no file"
                } else {
                    "events between two of this file's records are in no record"
                },
            },
        };
        recovery.damaged.push(damage);
    };
    for piece in &segment.pieces {
        match piece {
            Piece::Damaged(stretch) => {
                if let Some(before) = pending.replace(stretch) {
                    report(Some(before), expected..expected, false);
                }
            }
            Piece::Events(run) => {
                // Numbers below what was read already, or beyond the next
                // segment's first, are not this segment's: not counted.
                let start = run.start.max(expected);
                if start >= run.end.min(bound) {
                    continue;
                }
                report(pending.take(), expected..start, false);
                expected = run.end.min(bound);
            }
        }
    }
    report(pending.take(), expected..bound.max(expected), true);
}

/// Reports the events numbered below the oldest segment that no settled
/// record settled: a segment before it was lost (deleted, or not found).
/// A segment is deleted only once a later one holds a settled record that
/// covers it (the writer writes one into the segment it starts when it
/// gives the disk back), so what precedes the oldest is settled unless a
/// file went missing, or the records that said so were damaged.
fn place_missing_oldest(
    oldest: &Scanned,
    settled: &Settled,
    lost: &mut Vec<Range<u64>>,
    recovery: &mut Recovery,
) {
    let runs = settled.unsettled_runs(0..oldest.base);
    let (Some(first), Some(last)) = (runs.first(), runs.last()) else {
        return;
    };
    recovery.damaged.push(Damage {
        kind: DamageKind::Missing,
        file: oldest.path.clone(),
        offset: 0,
        bytes: 0,
        sequences: first.start..last.end,
        reason: "events before the oldest file are in no file, and no record settled them",
    });
    lost.extend(runs);
}

/// Writes a damaged header anew, so that the file reads as a segment again.
fn repair_header(segment: &Scanned) -> Result<(), SpoolError> {
    use std::io::Write;
    let path = &segment.path;
    let mut file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(SpoolError::io(path, "opening"))?;
    file.write_all(&format::header(segment.base))
        .and_then(|()| file.sync_all())
        .map_err(SpoolError::io(path, "writing a damaged header anew"))
}

/// Cuts the newest segment back to its last valid record: writing goes
/// on from there.
fn cut_off_tail(segment: &Scanned) -> Result<(), SpoolError> {
    if segment.valid_len >= segment.file_len {
        return Ok(());
    }
    let path = &segment.path;
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(SpoolError::io(path, "opening"))?;
    file.set_len(segment.valid_len.max(HEADER_LEN as u64))
        .and_then(|()| file.sync_all())
        .map_err(SpoolError::io(path, "cutting off a damaged tail"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spool_with(name: &str, records: &[u8]) -> PathBuf {
        let dir = crate::sender::spool::test_dir(&format!("recover-{name}"));
        let mut bytes = format::header(0).to_vec();
        bytes.extend_from_slice(records);
        std::fs::write(dir.join(format::segment_name(0)), bytes).unwrap();
        dir
    }

    #[test]
    fn a_record_numbered_beyond_its_file_is_damage_not_the_next_number() {
        let mut records = Vec::new();
        for number in 0..3 {
            format::push_event(&mut records, number, b"{}");
        }
        let crafted = records.len() as u64 + HEADER_LEN as u64;
        format::push_event(&mut records, u64::MAX - 1, b"{}");
        format::push_settled(&mut records, u64::MAX, u64::MAX);
        format::push_event(&mut records, 3, b"{}");
        let dir = spool_with("crafted", &records);
        let opened = open(&dir).unwrap();
        assert_eq!(opened.next, 4);
        assert_eq!(opened.settled.below(), 0);
        assert_eq!(opened.recovery.events, 4);
        assert_eq!(opened.recovery.damaged.len(), 2, "{:?}", opened.recovery);
        assert_eq!(opened.recovery.damaged[0].offset, crafted);
        assert!(opened.lost.is_empty(), "{:?}", opened.lost);
        drop(opened);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_segment_name_beyond_any_numbering_is_left_alone() {
        let dir = spool_with("name", &[]);
        let stray = dir.join(format::segment_name(u64::MAX));
        std::fs::write(&stray, format::header(u64::MAX)).unwrap();
        let opened = open(&dir).unwrap();
        assert_eq!(opened.segments.len(), 1);
        assert_eq!(opened.next, 0);
        assert!(stray.exists());
        drop(opened);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
