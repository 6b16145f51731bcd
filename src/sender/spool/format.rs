//! The spool's on-disk format (version 2): segment files, each a header
//! and then records. Every record carries a marker, its own event number
//! and a checksum, so that it can be found and placed without its
//! neighbours: after a damaged stretch, reading resynchronises on the next
//! record whose marker and checksum hold, and only the damaged records are
//! lost.
//!
//! ```text
//! segment  = header record*
//! header   = "AISPOOL\n" version:u32 flags:u32 base:u64 crc:u32                  (28 bytes)
//! record   = marker:[F5 'R' 'E' 'C'] crc:u32 len:u32 kind:u8 number:u64 payload[len]
//!                                                                           (21 + len bytes)
//! kind 1   = an event numbered `number`: its JSON, as it is sent
//! kind 2   = settled: payload is a u64, every event numbered below it is settled
//! kind 3   = settled run: payload is two u64s, the events numbered from the
//!            first up to (not including) the second are settled
//! ```
//!
//! Integers are little-endian. The header's `crc` is CRC-32 (IEEE) of the
//! bytes before it; a record's is CRC-32 of the bytes after it (`len`,
//! `kind`, `number` and `payload`: one contiguous run). The marker's
//! first byte, 0xF5, never occurs in UTF-8, so never in an event's JSON:
//! a search for the next record only stops in the binary fields. Events
//! are numbered in order of writing, consecutively: the first event of a
//! segment is numbered `base` (also in the file's name). Settled records
//! carry the number of the next event at their writing.
//!
//! Version 1 (0.1) had records without marker and number
//! (`len:u32 crc:u32 kind:u8 payload`); [`v1`] reads them, to migrate.

use crate::sender::MAX_BODY_BYTES;

/// The format this version writes.
pub(crate) const VERSION: u32 = 2;

pub(crate) const MAGIC: &[u8; 8] = b"AISPOOL\n";
pub(crate) const HEADER_LEN: usize = 28;
pub(crate) const MARKER: [u8; 4] = [0xF5, b'R', b'E', b'C'];
pub(crate) const RECORD_HEADER_LEN: usize = 21;

/// No event's JSON is this long: a longer `len` is damage, not an event.
pub(crate) const MAX_PAYLOAD: usize = MAX_BODY_BYTES;

pub(crate) const KIND_EVENT: u8 = 1;
pub(crate) const KIND_SETTLED: u8 = 2;
pub(crate) const KIND_SETTLED_RUN: u8 = 3;

/// The header of a segment whose first event is numbered `base`.
pub(crate) fn header(base: u64) -> [u8; HEADER_LEN] {
    header_of_version(base, VERSION)
}

fn header_of_version(base: u64, version: u32) -> [u8; HEADER_LEN] {
    let mut header = [0; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&version.to_le_bytes());
    header[16..24].copy_from_slice(&base.to_le_bytes());
    let crc = crc32fast::hash(&header[..24]);
    header[24..].copy_from_slice(&crc.to_le_bytes());
    header
}

/// What a segment's header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Header {
    Valid {
        version: u32,
        base: u64,
    },
    /// Not a valid header: another file, or a damaged header.
    Damaged,
}

pub(crate) fn read_header(bytes: &[u8; HEADER_LEN]) -> Header {
    if &bytes[..8] != MAGIC {
        return Header::Damaged;
    }
    if read_u32(&bytes[24..]) != crc32fast::hash(&bytes[..24]) {
        return Header::Damaged;
    }
    Header::Valid {
        version: read_u32(&bytes[8..]),
        base: read_u64(&bytes[16..]),
    }
}

fn read_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"))
}

fn read_u64(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"))
}

/// Appends a record, its checksum computed over the bytes after it.
fn push_record(out: &mut Vec<u8>, kind: u8, number: u64, payload: &[u8]) {
    let len = u32::try_from(payload.len()).expect("records are below MAX_PAYLOAD");
    let start = out.len();
    out.extend_from_slice(&MARKER);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&len.to_le_bytes());
    out.push(kind);
    out.extend_from_slice(&number.to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32fast::hash(&out[start + 8..]);
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// Appends the record of the event numbered `number`.
pub(crate) fn push_event(out: &mut Vec<u8>, number: u64, json: &[u8]) {
    push_record(out, KIND_EVENT, number, json);
}

/// Appends a record saying every event numbered below `below` is settled;
/// `next` is the number of the next event at its writing.
pub(crate) fn push_settled(out: &mut Vec<u8>, next: u64, below: u64) {
    push_record(out, KIND_SETTLED, next, &below.to_le_bytes());
}

/// Appends a record saying the events numbered `run` are settled.
pub(crate) fn push_settled_run(out: &mut Vec<u8>, next: u64, run: std::ops::Range<u64>) {
    let mut payload = [0; 16];
    payload[..8].copy_from_slice(&run.start.to_le_bytes());
    payload[8..].copy_from_slice(&run.end.to_le_bytes());
    push_record(out, KIND_SETTLED_RUN, next, &payload);
}

/// The bytes an event record of this JSON takes.
pub(crate) fn event_record_len(json_len: usize) -> usize {
    RECORD_HEADER_LEN + json_len
}

#[cfg(test)]
pub(crate) const SETTLED_RECORD_LEN: usize = RECORD_HEADER_LEN + 8;
#[cfg(test)]
pub(crate) const SETTLED_RUN_RECORD_LEN: usize = RECORD_HEADER_LEN + 16;

/// What a valid record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    /// An event; its JSON is the record's payload.
    Event { number: u64 },
    /// Every event numbered below `below` is settled; `next` was the
    /// number of the next event when it was written.
    Settled { below: u64, next: u64 },
    /// The events numbered `run` are settled; `next` as above.
    SettledRun {
        run: std::ops::Range<u64>,
        next: u64,
    },
}

impl Content {
    /// Every event this record tells of is numbered below this.
    pub(crate) fn numbers_below(&self) -> u64 {
        match self {
            Content::Event { number } => number.saturating_add(1),
            Content::Settled { below, next } => (*below).max(*next),
            Content::SettledRun { run, next } => run.end.max(*next),
        }
    }
}

/// One record read from the front of some bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// A valid record of `len` bytes in all.
    Record { content: Content, len: usize },
    /// The bytes end inside what may be a record of `needed` bytes.
    Incomplete { needed: usize },
    /// Not a record: no marker, a length no event has, a checksum that
    /// does not match, or an unknown kind.
    Damaged(&'static str),
}

/// Reads the record at the start of `bytes`.
pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    decode_checking(bytes, true)
}

/// Reads the record at the start of `bytes` that this process wrote (they
/// never left its memory): as [`decode`], without computing the checksum.
pub(crate) fn decode_written(bytes: &[u8]) -> Decoded {
    decode_checking(bytes, false)
}

fn decode_checking(bytes: &[u8], checksum: bool) -> Decoded {
    let marker = bytes.len().min(MARKER.len());
    if bytes[..marker] != MARKER[..marker] {
        return Decoded::Damaged("no record marker");
    }
    if bytes.len() < RECORD_HEADER_LEN {
        return Decoded::Incomplete {
            needed: RECORD_HEADER_LEN,
        };
    }
    let len = read_u32(&bytes[8..]) as usize;
    if len > MAX_PAYLOAD {
        return Decoded::Damaged("a record length larger than any event");
    }
    let total = RECORD_HEADER_LEN + len;
    if bytes.len() < total {
        return Decoded::Incomplete { needed: total };
    }
    if checksum && read_u32(&bytes[4..]) != crc32fast::hash(&bytes[8..total]) {
        return Decoded::Damaged("a record whose checksum does not match");
    }
    let (kind, number) = (bytes[12], read_u64(&bytes[13..]));
    let payload = &bytes[RECORD_HEADER_LEN..total];
    let content = match (kind, payload.len()) {
        (KIND_EVENT, _) => Content::Event { number },
        (KIND_SETTLED, 8) => Content::Settled {
            below: read_u64(payload),
            next: number,
        },
        (KIND_SETTLED_RUN, 16) => Content::SettledRun {
            run: read_u64(payload)..read_u64(&payload[8..]),
            next: number,
        },
        _ => return Decoded::Damaged("a record of an unknown kind"),
    };
    Decoded::Record {
        content,
        len: total,
    }
}

/// The payload of a record [`decode`] found valid.
pub(crate) fn payload(record: &[u8]) -> &[u8] {
    &record[RECORD_HEADER_LEN..]
}

/// The file name of the segment whose first event is numbered `base`.
pub(crate) fn segment_name(base: u64) -> String {
    format!("{base:020}.seg")
}

/// The number in a segment's file name, if it is one.
pub(crate) fn parse_segment_name(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".seg")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // No spool numbers that many events: such a name was not written by
    // one (and would run the numbering out).
    digits.parse().ok().filter(|base| *base <= MAX_SEGMENT_BASE)
}

/// The largest first event number a segment's name may carry (2^62: a
/// million events a second for 146 000 years).
pub(crate) const MAX_SEGMENT_BASE: u64 = 1 << 62;

/// Version 1 of the format, read to migrate a spool left by 0.1.
pub(crate) mod v1 {
    use super::{read_u32, read_u64, Content, Decoded, MAX_PAYLOAD};

    pub(crate) const VERSION: u32 = 1;
    pub(crate) const RECORD_HEADER_LEN: usize = 9;

    /// Reads the version-1 record at the start of `bytes`. Its events have
    /// no number: [`Content::Event`]'s is 0, the reader counts them.
    pub(crate) fn decode(bytes: &[u8]) -> Decoded {
        if bytes.len() < RECORD_HEADER_LEN {
            return Decoded::Incomplete {
                needed: RECORD_HEADER_LEN,
            };
        }
        let len = read_u32(bytes) as usize;
        if len > MAX_PAYLOAD {
            return Decoded::Damaged("a record length larger than any event");
        }
        let total = RECORD_HEADER_LEN + len;
        if bytes.len() < total {
            return Decoded::Incomplete { needed: total };
        }
        let body = &bytes[8..total];
        if crc32fast::hash(body) != read_u32(&bytes[4..]) {
            return Decoded::Damaged("a record whose checksum does not match");
        }
        let payload = &body[1..];
        let content = match (body[0], payload.len()) {
            (super::KIND_EVENT, _) => Content::Event { number: 0 },
            (super::KIND_SETTLED, 8) => Content::Settled {
                below: read_u64(payload),
                next: 0,
            },
            (super::KIND_SETTLED_RUN, 16) => Content::SettledRun {
                run: read_u64(payload)..read_u64(&payload[8..]),
                next: 0,
            },
            _ => return Decoded::Damaged("a record of an unknown kind"),
        };
        Decoded::Record {
            content,
            len: total,
        }
    }

    /// The payload of a valid version-1 record.
    pub(crate) fn payload(record: &[u8]) -> &[u8] {
        &record[RECORD_HEADER_LEN..]
    }

    /// A version-1 header, for tests that write a version-1 segment.
    #[cfg(test)]
    pub(crate) fn header(base: u64) -> [u8; super::HEADER_LEN] {
        super::header_of_version(base, VERSION)
    }

    /// Appends a version-1 record, for tests.
    #[cfg(test)]
    pub(crate) fn push(out: &mut Vec<u8>, kind: u8, payload: &[u8]) {
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&[kind]);
        hasher.update(payload);
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&hasher.finalize().to_le_bytes());
        out.push(kind);
        out.extend_from_slice(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(number: u64, json: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        push_event(&mut bytes, number, json);
        bytes
    }

    #[test]
    fn records_read_back_as_written() {
        let mut bytes = event(7, br#"{"a":1}"#);
        push_settled(&mut bytes, 8, 42);
        push_settled_run(&mut bytes, 8, 50..60);
        let first = event_record_len(7);
        assert_eq!(
            decode(&bytes),
            Decoded::Record {
                content: Content::Event { number: 7 },
                len: first
            }
        );
        assert_eq!(payload(&bytes[..first]), br#"{"a":1}"#);
        assert_eq!(
            decode(&bytes[first..]),
            Decoded::Record {
                content: Content::Settled { below: 42, next: 8 },
                len: SETTLED_RECORD_LEN
            }
        );
        assert_eq!(
            decode(&bytes[first + SETTLED_RECORD_LEN..]),
            Decoded::Record {
                content: Content::SettledRun {
                    run: 50..60,
                    next: 8
                },
                len: SETTLED_RUN_RECORD_LEN
            }
        );
        assert_eq!(
            bytes.len(),
            first + SETTLED_RECORD_LEN + SETTLED_RUN_RECORD_LEN
        );
    }

    #[test]
    fn a_cut_or_flipped_record_is_never_read_as_a_record() {
        let bytes = event(3, br#"{"a":1}"#);
        for cut in 0..bytes.len() {
            assert!(
                matches!(decode(&bytes[..cut]), Decoded::Incomplete { .. }),
                "cut at {cut}"
            );
        }
        for at in 0..bytes.len() {
            for bit in 0..8 {
                let mut flipped = bytes.clone();
                flipped[at] ^= 1 << bit;
                assert!(
                    !matches!(decode(&flipped), Decoded::Record { .. }),
                    "flipped bit {bit} of byte {at}"
                );
            }
        }
        let mut huge = bytes.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(decode(&huge), Decoded::Damaged(_)));
    }

    #[test]
    fn the_marker_never_occurs_in_json() {
        // Every byte of UTF-8 text is below 0xF5.
        let json = "{\"k\":\"é ✓ 😀 \\u00f5\"}".as_bytes();
        assert!(json.iter().all(|&b| b < MARKER[0]));
        assert!(std::str::from_utf8(&[MARKER[0], 0x80, 0x80, 0x80]).is_err());
    }

    #[test]
    fn headers_carry_the_version_and_the_first_number() {
        let header = header(7);
        assert_eq!(
            read_header(&header),
            Header::Valid {
                version: VERSION,
                base: 7
            }
        );
        assert_eq!(
            read_header(&v1::header(9)),
            Header::Valid {
                version: 1,
                base: 9
            }
        );
        let mut damaged = header;
        damaged[17] ^= 1;
        assert_eq!(read_header(&damaged), Header::Damaged);
        assert_eq!(read_header(&[0; HEADER_LEN]), Header::Damaged);
    }

    #[test]
    fn version_1_records_read_as_before() {
        let mut bytes = Vec::new();
        v1::push(&mut bytes, KIND_EVENT, br#"{"a":1}"#);
        v1::push(&mut bytes, KIND_SETTLED, &5u64.to_le_bytes());
        assert_eq!(
            v1::decode(&bytes),
            Decoded::Record {
                content: Content::Event { number: 0 },
                len: 16
            }
        );
        assert_eq!(v1::payload(&bytes[..16]), br#"{"a":1}"#);
        assert_eq!(
            v1::decode(&bytes[16..]),
            Decoded::Record {
                content: Content::Settled { below: 5, next: 0 },
                len: 17
            }
        );
        bytes[20] ^= 1;
        assert!(matches!(v1::decode(&bytes[16..]), Decoded::Damaged(_)));
    }

    #[test]
    fn segment_names_sort_by_number() {
        assert_eq!(segment_name(12), "00000000000000000012.seg");
        let last = MAX_SEGMENT_BASE;
        assert_eq!(parse_segment_name(&segment_name(last)), Some(last));
        assert_eq!(parse_segment_name(&segment_name(last + 1)), None);
        assert_eq!(parse_segment_name(&segment_name(u64::MAX)), None);
        assert_eq!(parse_segment_name("12.seg"), None);
        assert_eq!(parse_segment_name("LOCK"), None);
    }
}
