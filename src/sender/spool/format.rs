//! The spool's on-disk format: segment files, each a header and then
//! records, every record checksummed so that a torn or damaged one is
//! recognised instead of read as an event.
//!
//! ```text
//! segment  = header record*
//! header   = "AISPOOL\n" version:u32 flags:u32 base:u64 crc:u32       (28 bytes)
//! record   = len:u32 crc:u32 kind:u8 payload[len]                      (9 + len bytes)
//! kind 1   = an event: its JSON, as it is sent
//! kind 2   = settled: payload is a u64, every event numbered below it is settled
//! kind 3   = settled run: payload is two u64s, the events numbered from the
//!            first up to (not including) the second are settled
//! ```
//!
//! Integers are little-endian; each `crc` is CRC-32 (IEEE) of the bytes
//! before it in the header, or of `kind` and `payload` in a record. Events
//! are numbered in order of writing: the first event of a segment has the
//! number `base` (also in the file's name), the next one `base + 1`.

use crate::sender::MAX_BODY_BYTES;

/// The format this version writes, and the only one it reads.
pub(crate) const VERSION: u32 = 1;

pub(crate) const MAGIC: &[u8; 8] = b"AISPOOL\n";
pub(crate) const HEADER_LEN: usize = 28;
pub(crate) const RECORD_HEADER_LEN: usize = 9;

/// No event's JSON is this long: a longer `len` is damage, not an event.
pub(crate) const MAX_PAYLOAD: usize = MAX_BODY_BYTES;

pub(crate) const KIND_EVENT: u8 = 1;
pub(crate) const KIND_SETTLED: u8 = 2;
pub(crate) const KIND_SETTLED_RUN: u8 = 3;

/// The header of a segment whose first event is numbered `base`.
pub(crate) fn header(base: u64) -> [u8; HEADER_LEN] {
    let mut header = [0; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&VERSION.to_le_bytes());
    header[16..24].copy_from_slice(&base.to_le_bytes());
    let crc = crc32fast::hash(&header[..24]);
    header[24..].copy_from_slice(&crc.to_le_bytes());
    header
}

/// What a segment's header says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Header {
    Valid {
        base: u64,
    },
    /// Not a spool segment at all (another file, or a damaged header).
    NotASegment,
    /// A spool segment of another version of the format.
    Version(u32),
}

pub(crate) fn read_header(bytes: &[u8; HEADER_LEN]) -> Header {
    if &bytes[..8] != MAGIC {
        return Header::NotASegment;
    }
    let crc = u32::from_le_bytes(bytes[24..].try_into().expect("4 bytes"));
    if crc != crc32fast::hash(&bytes[..24]) {
        return Header::NotASegment;
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Header::Version(version);
    }
    Header::Valid {
        base: u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes")),
    }
}

/// The checksum of an event record (computed before taking any lock).
pub(crate) fn event_crc(json: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&[KIND_EVENT]);
    hasher.update(json);
    hasher.finalize()
}

/// Appends an event record whose checksum is `crc` ([`event_crc`]).
pub(crate) fn push_event(out: &mut Vec<u8>, json: &[u8], crc: u32) {
    let len = u32::try_from(json.len()).expect("events are below MAX_PAYLOAD");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.push(KIND_EVENT);
    out.extend_from_slice(json);
}

/// Appends a record saying every event numbered below `below` is settled.
pub(crate) fn push_settled(out: &mut Vec<u8>, below: u64) {
    let payload = below.to_le_bytes();
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&[KIND_SETTLED]);
    hasher.update(&payload);
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&hasher.finalize().to_le_bytes());
    out.push(KIND_SETTLED);
    out.extend_from_slice(&payload);
}

/// Appends a record saying the events numbered `run` are settled.
pub(crate) fn push_settled_run(out: &mut Vec<u8>, run: std::ops::Range<u64>) {
    let mut payload = [0; 16];
    payload[..8].copy_from_slice(&run.start.to_le_bytes());
    payload[8..].copy_from_slice(&run.end.to_le_bytes());
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&[KIND_SETTLED_RUN]);
    hasher.update(&payload);
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&hasher.finalize().to_le_bytes());
    out.push(KIND_SETTLED_RUN);
    out.extend_from_slice(&payload);
}

#[cfg(test)]
pub(crate) const SETTLED_RUN_RECORD_LEN: usize = RECORD_HEADER_LEN + 16;

/// The bytes an event record of this JSON takes.
pub(crate) fn event_record_len(json_len: usize) -> usize {
    RECORD_HEADER_LEN + json_len
}

#[cfg(test)]
pub(crate) const SETTLED_RECORD_LEN: usize = RECORD_HEADER_LEN + 8;

/// One record read from the front of some bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded<'a> {
    Event {
        json: &'a [u8],
        len: usize,
    },
    Settled {
        below: u64,
        len: usize,
    },
    SettledRun {
        run: std::ops::Range<u64>,
        len: usize,
    },
    /// The bytes end inside the record, which needs `needed` bytes in all.
    Incomplete {
        needed: usize,
    },
    /// Not a record: a length no event has, an unknown kind, or a checksum
    /// that does not match.
    Damaged(&'static str),
}

/// Reads the record at the start of `bytes`.
pub(crate) fn decode(bytes: &[u8]) -> Decoded<'_> {
    if bytes.len() < RECORD_HEADER_LEN {
        return Decoded::Incomplete {
            needed: RECORD_HEADER_LEN,
        };
    }
    let len = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes")) as usize;
    if len > MAX_PAYLOAD {
        return Decoded::Damaged("a record length larger than any event");
    }
    let total = RECORD_HEADER_LEN + len;
    if bytes.len() < total {
        return Decoded::Incomplete { needed: total };
    }
    let crc = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    let body = &bytes[8..total];
    if crc32fast::hash(body) != crc {
        return Decoded::Damaged("a record whose checksum does not match");
    }
    let payload = &body[1..];
    match body[0] {
        KIND_EVENT => Decoded::Event {
            json: payload,
            len: total,
        },
        KIND_SETTLED if payload.len() == 8 => Decoded::Settled {
            below: u64::from_le_bytes(payload.try_into().expect("8 bytes")),
            len: total,
        },
        KIND_SETTLED_RUN if payload.len() == 16 => Decoded::SettledRun {
            run: u64::from_le_bytes(payload[..8].try_into().expect("8 bytes"))
                ..u64::from_le_bytes(payload[8..].try_into().expect("8 bytes")),
            len: total,
        },
        _ => Decoded::Damaged("a record of an unknown kind"),
    }
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
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let mut bytes = Vec::new();
        push_event(&mut bytes, br#"{"a":1}"#, event_crc(br#"{"a":1}"#));
        push_settled(&mut bytes, 42);
        push_settled_run(&mut bytes, 50..60);
        assert_eq!(
            decode(&bytes[16 + SETTLED_RECORD_LEN..]),
            Decoded::SettledRun {
                run: 50..60,
                len: SETTLED_RUN_RECORD_LEN
            }
        );
        assert_eq!(
            decode(&bytes),
            Decoded::Event {
                json: br#"{"a":1}"#,
                len: 16
            }
        );
        assert_eq!(
            decode(&bytes[16..]),
            Decoded::Settled {
                below: 42,
                len: SETTLED_RECORD_LEN
            }
        );
        assert_eq!(
            bytes.len(),
            event_record_len(7) + SETTLED_RECORD_LEN + SETTLED_RUN_RECORD_LEN
        );
    }

    #[test]
    fn a_cut_or_flipped_record_is_never_read_as_an_event() {
        let mut bytes = Vec::new();
        push_event(&mut bytes, br#"{"a":1}"#, event_crc(br#"{"a":1}"#));
        for cut in 0..bytes.len() {
            assert!(
                matches!(decode(&bytes[..cut]), Decoded::Incomplete { .. }),
                "cut at {cut}"
            );
        }
        for at in 4..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assert!(
                matches!(decode(&flipped), Decoded::Damaged(_)),
                "flipped byte {at}"
            );
        }
        let mut huge = bytes.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(decode(&huge), Decoded::Damaged(_)));
    }

    #[test]
    fn headers_carry_the_version_and_the_first_number() {
        let header = header(7);
        assert_eq!(read_header(&header), Header::Valid { base: 7 });
        let mut other = header;
        other[8..12].copy_from_slice(&2u32.to_le_bytes());
        let crc = crc32fast::hash(&other[..24]);
        other[24..].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(read_header(&other), Header::Version(2));
        let mut damaged = header;
        damaged[17] ^= 1;
        assert_eq!(read_header(&damaged), Header::NotASegment);
        assert_eq!(read_header(&[0; HEADER_LEN]), Header::NotASegment);
    }

    #[test]
    fn segment_names_sort_by_number() {
        assert_eq!(segment_name(12), "00000000000000000012.seg");
        assert_eq!(parse_segment_name(&segment_name(u64::MAX)), Some(u64::MAX));
        assert_eq!(parse_segment_name("12.seg"), None);
        assert_eq!(parse_segment_name("LOCK"), None);
    }
}
