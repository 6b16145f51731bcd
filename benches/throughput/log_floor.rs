//! The floor of a spool: the cheapest durable log written by hand, to run
//! beside the in-memory sender in the `spool-floor` scenario. Each event's
//! JSON (written before the clock starts, in one buffer) is framed as the
//! spool frames a record (marker, CRC-32, length, kind, event number), the
//! frames of 1000 events go to the file in one `write`, and a thread of its
//! own makes them durable with `fdatasync`, coalescing the windows that
//! arrive while it syncs. The JSON is that of the first [`HOT`] events, used
//! in turn: a spool frames JSON it has just written, still in cache, and so
//! does this floor (all the events' JSON, read from memory the size of the
//! run, would cost it cache misses no spool pays). Nothing is read back: the sender delivers from
//! memory, so this is less work than any spool does, never more.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;

/// Events per `write` (and per sync request), as the spool scenario syncs.
const WINDOW: usize = 1000;
/// A sync request: with a way to answer once what was written before it
/// is durable, or none.
type Request = Option<mpsc::Sender<()>>;

/// Events whose JSON the log frames in turn.
const HOT: usize = 1024;
/// Bytes before a record's payload: marker, CRC, length, kind, number.
const FRAME: usize = 4 + 4 + 4 + 1 + 8;

/// A log file and the events' JSON, ready to append.
pub struct LogFloor {
    path: PathBuf,
    file: File,
    /// The JSON of the first [`HOT`] events, one after another.
    json: Vec<u8>,
    /// Where each of those ends in `json` (each starts where the one before ends).
    ends: Vec<usize>,
}

/// The log being written: frames of the current window, and the thread
/// that syncs what was written.
pub struct Appending<'a> {
    floor: &'a LogFloor,
    frames: Vec<u8>,
    written: usize,
    sync: Option<mpsc::Sender<Request>>,
    syncer: Option<JoinHandle<std::io::Result<()>>>,
}

impl LogFloor {
    /// A fresh file under the system's temporary directory, and the JSON of
    /// `events`' first [`HOT`].
    pub fn prepare<T: serde::Serialize>(events: &[T]) -> Result<LogFloor, String> {
        let path = std::env::temp_dir().join(format!("insights-bench-log-{}", std::process::id()));
        let file = File::create(&path).map_err(|e| e.to_string())?;
        let mut json = Vec::new();
        let mut ends = Vec::with_capacity(HOT);
        for event in events.iter().take(HOT) {
            serde_json::to_writer(&mut json, event).map_err(|e| e.to_string())?;
            ends.push(json.len());
        }
        Ok(LogFloor {
            path,
            file,
            json,
            ends,
        })
    }

    /// Starts appending: the sync thread waits for the first window.
    pub fn start(&self) -> Result<Appending<'_>, String> {
        let (sync, requests) = mpsc::channel::<Request>();
        let file = self.file.try_clone().map_err(|e| e.to_string())?;
        let syncer = std::thread::spawn(move || {
            while let Ok(first) = requests.recv() {
                let mut answers: Vec<_> = first.into_iter().collect();
                answers.extend(requests.try_iter().flatten());
                file.sync_data()?;
                for answer in answers {
                    let _ = answer.send(());
                }
            }
            Ok(())
        });
        Ok(Appending {
            floor: self,
            frames: Vec::with_capacity(WINDOW * 512),
            written: 0,
            sync: Some(sync),
            syncer: Some(syncer),
        })
    }
}

impl Appending<'_> {
    /// Frames the next event, numbered as it comes; every [`WINDOW`]
    /// events, writes the window and asks for it to be synced.
    pub fn append(&mut self) -> Result<(), String> {
        let i = self.written;
        let hot = i % self.floor.ends.len();
        let start = if hot == 0 {
            0
        } else {
            self.floor.ends[hot - 1]
        };
        let payload = &self.floor.json[start..self.floor.ends[hot]];
        push_frame(&mut self.frames, 1, i as u64, payload);
        self.written += 1;
        if self.written.is_multiple_of(WINDOW) {
            self.write_window(None)?;
        }
        Ok(())
    }

    /// Records that every event appended so far is settled (a frame of
    /// kind 2, numbered as the next event, with no payload), as a spool's
    /// flush does before it returns; [`sync`](Self::sync) makes it durable.
    pub fn settle(&mut self) {
        push_frame(&mut self.frames, 2, self.written as u64, &[]);
    }

    /// Writes what is framed, and asks for it to be synced: the answer
    /// comes once everything appended so far is durable.
    pub fn sync(&mut self) -> Result<mpsc::Receiver<()>, String> {
        let (answer, durable) = mpsc::channel();
        self.write_window(Some(answer))?;
        Ok(durable)
    }

    /// Writes the last window and waits until everything is durable: the
    /// thread syncs once more after each request it takes, so its last
    /// sync began after the last write.
    pub fn finish(mut self) -> Result<(), String> {
        self.write_window(None)?;
        drop(self.sync.take());
        let syncer = self.syncer.take().expect("started with a sync thread");
        syncer
            .join()
            .map_err(|_| "the sync thread panicked".to_string())?
            .map_err(|e| e.to_string())
    }

    fn write_window(&mut self, answer: Request) -> Result<(), String> {
        if self.frames.is_empty() && answer.is_none() {
            return Ok(());
        }
        (&self.floor.file)
            .write_all(&self.frames)
            .map_err(|e| e.to_string())?;
        self.frames.clear();
        let sync = self.sync.as_ref().expect("appending");
        sync.send(answer)
            .map_err(|_| "the sync thread stopped".to_string())
    }
}

/// Frames a record as the spool does: marker, CRC-32 (of what follows it),
/// length, kind, number, payload.
fn push_frame(frames: &mut Vec<u8>, kind: u8, number: u64, payload: &[u8]) {
    let at = frames.len();
    frames.extend_from_slice(&[0xF5, b'R', b'E', b'C', 0, 0, 0, 0]);
    frames.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frames.push(kind);
    frames.extend_from_slice(&number.to_le_bytes());
    frames.extend_from_slice(payload);
    let crc = crc32fast::hash(&frames[at + 8..]);
    frames[at + 4..at + 8].copy_from_slice(&crc.to_le_bytes());
    debug_assert_eq!(frames.len() - at, FRAME + payload.len());
}

impl Drop for LogFloor {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
