//! Going through the input line by line: each non-blank line becomes an
//! event or a rejection with its reason; rejected lines are copied, as they
//! were, to the rejects file when there is one.

use crate::check::{check_line, parse_line, text};
use crate::lines::{Fingerprint, Input, Line, LineReader, MAX_LINE_BYTES};
use algolia_insights::models::EventsItems;
use algolia_insights::validation::ValidationContext;
use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;

/// What one line of input held.
#[derive(Debug)]
pub enum Scanned {
    /// A line that passed the scan's checks ([`Scan::text`]): an event read
    /// and checked as `send` would, or, for a scan that leaves that to the
    /// sender, UTF-8 text.
    Line { line: u64 },
    /// A line that is not a valid event, and why.
    Rejected { line: u64, reason: String },
}

/// What a scan makes of each line.
enum Mode {
    /// Reads it as an event and checks it as `send` would.
    Check(ValidationContext),
    /// Only checks that it is UTF-8 text.
    Text,
}

/// The lines of an input, read one after the other.
pub struct Scan {
    reader: LineReader<Box<dyn BufRead + Send>>,
    line: Vec<u8>,
    /// What is made of each line.
    mode: Mode,
    rejects: Option<RejectsFile>,
    blank_lines: u64,
}

impl Scan {
    /// A scan that checks every event as `send` would.
    pub fn checking(input: Input, rejects: Option<RejectsFile>) -> Self {
        Self::new(input, rejects, Mode::Check(ValidationContext::now()))
    }

    /// A scan that hands over each line as text ([`Scanned::Line`]): the
    /// sender reads and checks it, and a refusal is reported with
    /// [`reject`](Self::reject).
    pub fn texts(input: Input, rejects: Option<RejectsFile>) -> Self {
        Self::new(input, rejects, Mode::Text)
    }

    /// Keeps the fingerprint of the input read ([`fingerprint`](Self::fingerprint)).
    pub fn fingerprinted(self) -> Self {
        Scan {
            reader: self.reader.fingerprinted(),
            ..self
        }
    }

    /// The number of the last complete line read (ended by its line
    /// ending) and the fingerprint of the input through it, if
    /// [`fingerprinted`](Self::fingerprinted).
    pub fn fingerprint(&self) -> Option<(u64, Fingerprint)> {
        self.reader.fingerprint()
    }

    fn new(input: Input, rejects: Option<RejectsFile>, mode: Mode) -> Self {
        Scan {
            reader: LineReader::new(input.reader),
            line: Vec::new(),
            mode,
            rejects,
            blank_lines: 0,
        }
    }

    /// The next event or rejection; blank lines are counted and skipped.
    pub fn next(&mut self) -> io::Result<Option<Scanned>> {
        loop {
            let rejects = &mut self.rejects;
            let mut spill = |piece: &[u8]| match rejects {
                Some(rejects) => rejects.write_piece(piece),
                None => Ok(()),
            };
            let Some(read) = self.reader.next_line(&mut self.line, &mut spill)? else {
                return Ok(None);
            };
            let line = self.reader.number();
            let checked = match read {
                Line::TooLong { bytes } => Err(format!(
                    "the line is {bytes} bytes long; no event that long fits in a request \
                     (lines are read up to {MAX_LINE_BYTES} bytes)"
                )),
                Line::Complete if self.line.iter().all(u8::is_ascii_whitespace) => {
                    self.blank_lines += 1;
                    continue;
                }
                Line::Complete => match &self.mode {
                    Mode::Check(context) => check_line(&self.line, context).map(drop),
                    Mode::Text => text(&self.line).map(drop),
                },
            };
            return match checked {
                Ok(()) => Ok(Some(Scanned::Line { line })),
                Err(reason) => {
                    if let Some(rejects) = &mut self.rejects {
                        if matches!(read, Line::Complete) {
                            rejects.write_piece(&self.line)?;
                        }
                        rejects.end_line()?;
                    }
                    Ok(Some(Scanned::Rejected { line, reason }))
                }
            };
        }
    }

    /// The line [`next`](Self::next) just returned as [`Scanned::Line`].
    pub fn text(&self) -> &str {
        // Checked as UTF-8 by `next`.
        std::str::from_utf8(&self.line).unwrap_or_default()
    }

    /// The line [`next`](Self::next) just returned, read as an event
    /// without the checks of its values.
    pub fn parse(&self) -> Result<EventsItems, String> {
        parse_line(&self.line)
    }

    /// Rejects the event [`next`](Self::next) just returned (the sender
    /// refused it): its line is copied to the rejects file.
    pub fn reject(&mut self) -> io::Result<()> {
        if let Some(rejects) = &mut self.rejects {
            rejects.write_piece(&self.line)?;
            rejects.end_line()?;
        }
        Ok(())
    }

    /// Bytes of input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.reader.bytes_read()
    }

    /// Lines read so far, blank ones included.
    pub fn lines(&self) -> u64 {
        self.reader.number()
    }

    /// Blank lines skipped so far.
    pub fn blank_lines(&self) -> u64 {
        self.blank_lines
    }

    /// Flushes the rejects file.
    pub fn finish(mut self) -> io::Result<()> {
        match &mut self.rejects {
            Some(rejects) => rejects.out.flush(),
            None => Ok(()),
        }
    }
}

/// The file rejected lines are copied to, one per line.
pub struct RejectsFile {
    out: BufWriter<File>,
    at_line_start: bool,
}

impl RejectsFile {
    pub fn create(path: &Path) -> Result<Self, String> {
        let file = File::create(path)
            .map_err(|error| format!("cannot create {}: {error}", path.display()))?;
        Ok(RejectsFile {
            out: BufWriter::new(file),
            at_line_start: true,
        })
    }

    fn write_piece(&mut self, piece: &[u8]) -> io::Result<()> {
        if let Some(&last) = piece.last() {
            self.out.write_all(piece)?;
            self.at_line_start = last == b'\n';
        }
        Ok(())
    }

    /// Ends the line being written, unless its own line ending already did.
    fn end_line(&mut self) -> io::Result<()> {
        if !self.at_line_start {
            self.out.write_all(b"\n")?;
            self.at_line_start = true;
        }
        Ok(())
    }
}
