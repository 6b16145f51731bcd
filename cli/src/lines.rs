//! Reading JSON Lines input one line at a time in bounded memory: a line
//! longer than the limit is not kept whole, but its bytes are still handed
//! over (to the rejects file) so that nothing is lost.

use std::fs::File;
use std::io::{self, BufRead, BufReader};

/// Lines longer than this cannot hold an event the API accepts (2 MB per
/// request), even with generous white space.
pub const MAX_LINE_BYTES: usize = 4_000_000;

/// The input: a file (whose size is known, for progress) or standard input.
pub struct Input {
    pub reader: Box<dyn BufRead + Send>,
    /// The size in bytes, when it is a regular file.
    pub size: Option<u64>,
    /// The name to show in messages.
    pub name: String,
}

/// Opens `FILE`, or standard input for `-`.
pub fn open(path: &str) -> Result<Input, String> {
    if path == "-" {
        return Ok(Input {
            reader: Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
            size: None,
            name: "standard input".to_string(),
        });
    }
    let file = File::open(path).map_err(|error| format!("cannot open {path}: {error}"))?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    Ok(Input {
        reader: Box::new(BufReader::with_capacity(1 << 16, file)),
        size,
        name: path.to_string(),
    })
}

/// One line of input.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line (without its line ending), in the caller's buffer.
    Complete,
    /// A line over [`MAX_LINE_BYTES`]: its bytes went to the spill, not the buffer.
    TooLong { bytes: u64 },
}

/// Reads numbered lines from a [`BufRead`].
pub struct LineReader<R> {
    input: R,
    number: u64,
    bytes_read: u64,
    max_line: usize,
    /// The checksum of every byte read, when asked for.
    crc: Option<crc32fast::Hasher>,
    /// The last line ended by a line ending, and the fingerprint through it.
    complete: Option<(u64, Fingerprint)>,
}

/// What identifies the start of an input: its first `bytes` bytes, and
/// their CRC-32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub bytes: u64,
    pub crc32: u32,
}

impl Fingerprint {
    /// The fingerprint of the first `bytes` bytes of `input`; `None` when
    /// it is shorter.
    pub fn of_prefix(input: &mut impl io::Read, bytes: u64) -> io::Result<Option<Fingerprint>> {
        let mut hasher = crc32fast::Hasher::new();
        let mut buf = vec![0; 1 << 16];
        let mut left = bytes;
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let read = match input.read(&mut buf[..want]) {
                Ok(0) => return Ok(None),
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            hasher.update(&buf[..read]);
            left -= read as u64;
        }
        Ok(Some(Fingerprint {
            bytes,
            crc32: hasher.finalize(),
        }))
    }
}

impl<R: BufRead> LineReader<R> {
    pub fn new(input: R) -> Self {
        Self::with_limit(input, MAX_LINE_BYTES)
    }

    pub fn with_limit(input: R, max_line: usize) -> Self {
        LineReader {
            input,
            number: 0,
            bytes_read: 0,
            max_line,
            crc: None,
            complete: None,
        }
    }

    /// Keeps a checksum of the bytes read, for [`fingerprint`](Self::fingerprint).
    pub fn fingerprinted(mut self) -> Self {
        self.crc = Some(crc32fast::Hasher::new());
        self.complete = Some((
            0,
            Fingerprint {
                bytes: 0,
                crc32: crc32fast::hash(&[]),
            },
        ));
        self
    }

    /// The number of the last line that ended with its line ending, and
    /// the fingerprint of the input through that ending, if
    /// [`fingerprinted`](Self::fingerprinted). A last line without one
    /// (a file still being written) is not in it.
    pub fn fingerprint(&self) -> Option<(u64, Fingerprint)> {
        self.complete
    }

    /// The number of the last line read (the first line is 1).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// Bytes read so far, line endings included.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Reads the next line into `line` (cleared first). A line over the
    /// limit is passed to `spill` in pieces, ending with its line ending, and
    /// `line` is left empty. `None` at the end of the input.
    pub fn next_line(
        &mut self,
        line: &mut Vec<u8>,
        spill: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<Option<Line>> {
        line.clear();
        let mut spilled: Option<u64> = None;
        let mut ended_line = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                break;
            }
            let (piece, ends_line) = match memchr::memchr(b'\n', available) {
                Some(end) => (&available[..=end], true),
                None => (available, false),
            };
            let taken = piece.len();
            match &mut spilled {
                Some(total) => {
                    spill(piece)?;
                    *total += taken as u64;
                }
                None if line.len() + taken > self.max_line + 2 => {
                    // Over the limit (the 2 leaves room for `\r\n`): stop keeping it.
                    spill(line)?;
                    spill(piece)?;
                    spilled = Some((line.len() + taken) as u64);
                    line.clear();
                }
                None => line.extend_from_slice(piece),
            }
            if let Some(crc) = &mut self.crc {
                crc.update(piece);
            }
            self.input.consume(taken);
            self.bytes_read += taken as u64;
            if ends_line {
                ended_line = true;
                break;
            }
        }
        if spilled.is_none() && line.is_empty() {
            return Ok(None);
        }
        self.number += 1;
        let ended = match spilled {
            Some(_) => ended_line,
            None => line.last() == Some(&b'\n'),
        };
        if ended {
            if let Some(crc) = &self.crc {
                let fingerprint = Fingerprint {
                    bytes: self.bytes_read,
                    crc32: crc.clone().finalize(),
                };
                self.complete = Some((self.number, fingerprint));
            }
        }
        if let Some(total) = spilled {
            return Ok(Some(Line::TooLong { bytes: total }));
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Ok(Some(Line::Complete))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line's number, and its bytes: kept (`Ok`) or spilled (`Err`).
    type Numbered = (u64, Result<Vec<u8>, Vec<u8>>);

    fn read_all(text: &[u8], limit: usize) -> Vec<Numbered> {
        let mut reader = LineReader::with_limit(io::BufReader::with_capacity(4, text), limit);
        let mut out = Vec::new();
        let mut line = Vec::new();
        loop {
            let mut spilled = Vec::new();
            let mut spill = |piece: &[u8]| {
                spilled.extend_from_slice(piece);
                Ok(())
            };
            match reader.next_line(&mut line, &mut spill).unwrap() {
                None => break,
                Some(Line::Complete) => out.push((reader.number(), Ok(line.clone()))),
                Some(Line::TooLong { bytes }) => {
                    assert_eq!(bytes as usize, spilled.len());
                    out.push((reader.number(), Err(spilled)))
                }
            }
        }
        out
    }

    #[test]
    fn lines_are_numbered_and_endings_removed() {
        let lines = read_all(b"a\r\nbb\n\nccc", 100);
        assert_eq!(
            lines,
            vec![
                (1, Ok(b"a".to_vec())),
                (2, Ok(b"bb".to_vec())),
                (3, Ok(Vec::new())),
                (4, Ok(b"ccc".to_vec())),
            ]
        );
    }

    #[test]
    fn long_lines_are_spilled_whole_and_reading_goes_on() {
        let lines = read_all(b"short\nthis line is long\nok", 8);
        assert_eq!(lines[0], (1, Ok(b"short".to_vec())));
        assert_eq!(lines[1], (2, Err(b"this line is long\n".to_vec())));
        assert_eq!(lines[2], (3, Ok(b"ok".to_vec())));
    }

    #[test]
    fn the_fingerprint_is_that_of_the_bytes_read_through_the_last_line() {
        let text = b"first\r\nsecond\nthird";
        let mut reader =
            LineReader::new(io::BufReader::with_capacity(3, &text[..])).fingerprinted();
        let mut line = Vec::new();
        let mut spill = |_: &[u8]| Ok(());
        reader.next_line(&mut line, &mut spill).unwrap();
        reader.next_line(&mut line, &mut spill).unwrap();
        let (number, seen) = reader.fingerprint().unwrap();
        assert_eq!((number, seen.bytes), (2, 14));
        // The last line has no line ending: the fingerprint stays at line 2.
        reader.next_line(&mut line, &mut spill).unwrap();
        assert_eq!(reader.fingerprint(), Some((2, seen)));
        let prefix = Fingerprint::of_prefix(&mut &text[..], 14).unwrap().unwrap();
        assert_eq!(seen, prefix);
        assert_eq!(seen.crc32, crc32fast::hash(b"first\r\nsecond\n"));
        assert_ne!(
            Fingerprint::of_prefix(&mut &b"first\r\nsecomd\n"[..], 14).unwrap(),
            Some(seen)
        );
        assert_eq!(Fingerprint::of_prefix(&mut &text[..5], 14).unwrap(), None);
        assert_eq!(LineReader::new(&text[..]).fingerprint(), None);
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(read_all(b"", 8).is_empty());
    }
}
