//! The writer's last writes, kept in memory for the reader: a reader that
//! keeps up takes their records from here instead of reading them back
//! from the file (no read, no checksum: they are the bytes written, and
//! they never left the process). Memory stays bounded: the writes kept add
//! up to at most the write buffer's size (or one write, when it alone is
//! larger). When that is full, a new write is not kept: a reader that far
//! behind reads it from the file, after the kept ones, which are those it
//! reaches first. The buffers go round (kept, read, given back, filled
//! again) instead of being allocated anew.

use std::collections::VecDeque;

/// Buffers kept for the writer's next writes, beyond those in use (the
/// one filled with events, the one written, those kept, the reader's).
const FREE_BUFFERS: usize = 2;

/// One write, as it is in its segment file.
#[derive(Debug)]
pub(crate) struct Tail {
    /// The segment written to, by its first event's number.
    pub base: u64,
    /// The offset in it of `bytes[0]`.
    pub at: u64,
    pub bytes: Vec<u8>,
}

impl Tail {
    fn end(&self) -> u64 {
        self.at + self.bytes.len() as u64
    }
}

/// Writes to the segment written to, in order (with gaps where a write
/// was not kept).
#[derive(Debug, Default)]
pub(crate) struct Tails {
    kept: VecDeque<Tail>,
    /// The bytes of those kept.
    bytes: usize,
    free: Vec<Vec<u8>>,
}

impl Tails {
    /// Keeps `bytes`, just written at offset `at` of the segment `base`,
    /// unless those kept already take `max` bytes: a buffer for the next
    /// write comes back (`bytes` itself when they are not kept).
    pub fn keep(&mut self, base: u64, at: u64, bytes: Vec<u8>, max: usize) -> Vec<u8> {
        if bytes.is_empty() {
            return bytes;
        }
        let in_order = self
            .kept
            .back()
            .is_none_or(|last| last.base == base && last.end() <= at);
        if !in_order {
            self.drop_all();
        }
        if !self.kept.is_empty() && self.bytes + bytes.len() > max {
            return bytes;
        }
        self.bytes += bytes.len();
        self.kept.push_back(Tail { base, at, bytes });
        self.buffer()
    }

    /// Starts over with the first bytes of a new segment `base`.
    pub fn start(&mut self, base: u64, start: &[u8]) {
        self.drop_all();
        let mut bytes = self.buffer();
        bytes.extend_from_slice(start);
        self.bytes = bytes.len();
        self.kept.push_back(Tail { base, at: 0, bytes });
    }

    /// The write that holds offset `offset` of the segment `base`, taken
    /// (those before it, read from the file since, are dropped).
    pub fn take(&mut self, base: u64, offset: u64) -> Option<Tail> {
        loop {
            let oldest = self.kept.front()?;
            if oldest.base != base || oldest.at > offset {
                return None;
            }
            if oldest.end() > offset {
                let tail = self.kept.pop_front()?;
                self.bytes -= tail.bytes.len();
                return Some(tail);
            }
            self.drop_oldest();
        }
    }

    /// Keeps a buffer done with for a next write, emptied, unless enough
    /// are kept.
    pub fn recycle(&mut self, mut buffer: Vec<u8>) {
        if self.free.len() < FREE_BUFFERS && buffer.capacity() > 0 {
            buffer.clear();
            self.free.push(buffer);
        }
    }

    /// A buffer for the next write: one kept, or a new one.
    fn buffer(&mut self) -> Vec<u8> {
        self.free.pop().unwrap_or_default()
    }

    fn drop_oldest(&mut self) {
        if let Some(tail) = self.kept.pop_front() {
            self.bytes -= tail.bytes.len();
            self.recycle(tail.bytes);
        }
    }

    fn drop_all(&mut self) {
        while !self.kept.is_empty() {
            self.drop_oldest();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(tails: &mut Tails, base: u64, at: u64, len: usize, max: usize) {
        let _ = tails.keep(base, at, vec![7; len], max);
    }

    #[test]
    fn a_reader_takes_each_write_in_turn() {
        let mut tails = Tails::default();
        // A header (28 bytes) and a settled mark (29).
        tails.start(5, &[1; 57]);
        write(&mut tails, 5, 57, 71, 1000);
        write(&mut tails, 5, 128, 50, 1000);
        let first = tails.take(5, 28).unwrap();
        assert_eq!((first.at, first.bytes.len()), (0, 57));
        // The reader in the middle of a write gets it whole.
        let second = tails.take(5, 60).unwrap();
        assert_eq!((second.at, second.bytes.len()), (57, 71));
        assert!(tails.take(4, 128).is_none(), "another segment");
        assert_eq!(tails.take(5, 128).unwrap().at, 128);
        assert!(tails.take(5, 178).is_none());
    }

    #[test]
    fn writes_the_reader_passed_are_dropped_and_those_ahead_kept() {
        let mut tails = Tails::default();
        write(&mut tails, 0, 28, 100, 1000);
        write(&mut tails, 0, 128, 100, 1000);
        assert!(tails.take(0, 10).is_none(), "ahead of the reader");
        assert_eq!(tails.take(0, 150).unwrap().at, 128);
        assert!(tails.kept.is_empty());
    }

    #[test]
    fn memory_stays_within_the_bound_the_oldest_kept() {
        let mut tails = Tails::default();
        for i in 0..10 {
            write(&mut tails, 0, 28 + i * 100, 100, 350);
        }
        assert_eq!(tails.bytes, 300);
        assert_eq!(tails.kept.back().unwrap().at, 228);
        assert!(tails.free.len() <= FREE_BUFFERS);
        // A write larger than the bound is kept when nothing else is.
        let mut alone = Tails::default();
        write(&mut alone, 0, 28, 1000, 350);
        assert_eq!(alone.bytes, 1000);
        // Another segment: those kept go.
        write(&mut tails, 1, 28, 10, 350);
        assert_eq!(tails.kept.len(), 1);
        assert_eq!(tails.bytes, 10);
    }

    #[test]
    fn after_a_gap_read_from_the_file_the_next_kept_write_is_taken() {
        let mut tails = Tails::default();
        write(&mut tails, 0, 28, 100, 250);
        write(&mut tails, 0, 128, 100, 250);
        write(&mut tails, 0, 228, 100, 250); // not kept: full
        assert_eq!(tails.take(0, 28).unwrap().at, 28);
        write(&mut tails, 0, 328, 100, 250); // kept: room again
        assert_eq!(tails.take(0, 128).unwrap().at, 128);
        assert!(tails.take(0, 228).is_none(), "read from the file");
        assert_eq!(tails.take(0, 340).unwrap().at, 328);
    }

    #[test]
    fn buffers_go_round() {
        let mut tails = Tails::default();
        let mut buffer = Vec::with_capacity(4096);
        buffer.extend_from_slice(&[3; 100]);
        let spare = tails.keep(0, 28, buffer, 1 << 20);
        assert_eq!(spare.capacity(), 0, "none free yet");
        let taken = tails.take(0, 28).unwrap();
        tails.recycle(taken.bytes);
        let spare = tails.keep(0, 128, vec![3; 10], 1 << 20);
        assert!(
            spare.is_empty() && spare.capacity() >= 4096,
            "the buffer read comes back"
        );
    }
}
