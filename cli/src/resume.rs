//! `send --spool DIR`: where an import got to, by content. Every event up
//! to a line is durable in the spool once `sync` says so; that line, with
//! the fingerprint of the input up to its end (its length in bytes and
//! their CRC-32), is then written to `DIR/cli-progress` (a new file
//! renamed over the old, so a kill leaves the old or the new one, never
//! half of one). It is saved every [`SAVE_EVERY`] while reading, and at
//! the end. A run with the same spool first checks that its input starts
//! with those bytes: if so it starts after that line (the spool delivers
//! what the last run left first), so nothing accepted is sent again
//! beyond the lines taken after the last save; if not (the input was
//! edited, rotated or replaced) it refuses, naming `--restart`, rather
//! than skip or repeat lines silently.

use crate::lines::Fingerprint;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often the progress is saved while reading.
pub const SAVE_EVERY: Duration = Duration::from_millis(200);

const FILE: &str = "cli-progress";

pub struct Progress {
    file: PathBuf,
    /// The input, as an absolute path; `None` for standard input, which
    /// cannot be resumed.
    input: Option<String>,
    /// Every event on this line or before is in the spool.
    pub done_through: u64,
    last_save: Instant,
}

/// What an earlier run saved.
struct Saved {
    input: String,
    line: u64,
    fingerprint: Option<Fingerprint>,
}

impl Progress {
    /// Reads the progress kept in `dir` and checks that `input` starts as
    /// the input it was saved for did: its lines through `done_through`
    /// were taken by an earlier run. With `restart`, the saved progress is
    /// dropped: the input is read from its first line.
    ///
    /// # Errors
    ///
    /// When `input` does not start with the bytes the earlier run read, or
    /// the saved progress cannot be checked: a message that says why and
    /// how to go on.
    pub fn load(
        dir: &Path,
        input: &str,
        regular_file: bool,
        restart: bool,
    ) -> Result<Progress, String> {
        let file = dir.join(FILE);
        // Only a regular file can be read twice (its start checked, then
        // read): standard input, a pipe or a device are read once, from
        // their first line.
        let input = regular_file.then(|| {
            std::fs::canonicalize(input)
                .map_or_else(|_| input.to_string(), |p| p.display().to_string())
        });
        let mut progress = Progress {
            file,
            input,
            done_through: 0,
            last_save: Instant::now(),
        };
        if restart {
            match std::fs::remove_file(&progress.file) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(format!(
                        "--restart: cannot remove {}: {error}",
                        progress.file.display()
                    ))
                }
                _ => return Ok(progress),
            }
        }
        let Some(saved) = read_saved(&progress.file)? else {
            return Ok(progress);
        };
        let Some(input) = &progress.input else {
            // Not a regular file: read from its start; the saved progress
            // stays for the file it is about.
            return Ok(progress);
        };
        let Some(fingerprint) = saved.fingerprint else {
            return Err(format!(
                "{} records that an earlier run (of algolia-insights 0.1) read {} through line {}, \
                 without a fingerprint of its content to check that {input} is that input: \
                 run again with --restart to deliver what the spool holds, then read {input} from \
                 its first line (lines the earlier run took may be sent twice)",
                progress.file.display(),
                saved.input,
                saved.line
            ));
        };
        let start = std::fs::File::open(input)
            .and_then(|mut file| Fingerprint::of_prefix(&mut file, fingerprint.bytes))
            .map_err(|error| format!("cannot read {input}: {error}"))?;
        if start != Some(fingerprint) {
            let how = if start.is_none() {
                "is shorter than"
            } else {
                "does not start with"
            };
            return Err(format!(
                "{input} {how} the {} bytes (through line {}) that the last run with the spool {} \
                 had read from {}: it was edited, rotated or replaced since, so where to go on is \
                 unknown and nothing was sent from it. Run again with --restart to deliver what \
                 the spool holds, then read {input} from its first line (lines the last run took \
                 may be sent twice), or give another --spool directory",
                fingerprint.bytes,
                saved.line,
                progress.file.parent().unwrap_or(Path::new(".")).display(),
                saved.input
            ));
        }
        progress.done_through = saved.line;
        Ok(progress)
    }

    /// Whether lines are counted across runs (regular files only).
    pub fn resumable(&self) -> bool {
        self.input.is_some()
    }

    /// Whether a save is due.
    pub fn due(&self) -> bool {
        self.resumable() && self.last_save.elapsed() >= SAVE_EVERY
    }

    /// Records that every event through `line`, whose end is where the
    /// input's `fingerprint` ends, is durable in the spool.
    pub fn save(&mut self, line: u64, fingerprint: Fingerprint) -> Result<(), String> {
        self.last_save = Instant::now();
        let Some(input) = &self.input else {
            return Ok(());
        };
        let text = serde_json::json!({
            "version": 2,
            "input": input,
            "line": line,
            "bytes": fingerprint.bytes,
            "crc32": fingerprint.crc32,
        })
        .to_string();
        let temporary = self.file.with_extension("tmp");
        let written = (|| {
            use std::io::Write;
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temporary, &self.file)?;
            #[cfg(unix)]
            std::fs::File::open(self.file.parent().unwrap_or(Path::new(".")))?.sync_all()?;
            Ok::<_, std::io::Error>(())
        })();
        written.map_err(|error| {
            format!(
                "cannot save the progress in {}: {error}",
                self.file.display()
            )
        })?;
        self.done_through = line;
        Ok(())
    }
}

/// The progress an earlier run saved, if any.
fn read_saved(file: &Path) -> Result<Option<Saved>, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("cannot read {}: {error}", file.display())),
    };
    let unreadable = || {
        format!(
            "{} is not a progress file this version reads: run again with --restart to deliver \
             what the spool holds, then read the input from its first line",
            file.display()
        )
    };
    let saved: serde_json::Value = serde_json::from_str(&text).map_err(|_| unreadable())?;
    let (Some(input), Some(line)) = (saved["input"].as_str(), saved["line"].as_u64()) else {
        return Err(unreadable());
    };
    let fingerprint = match (saved["bytes"].as_u64(), saved["crc32"].as_u64()) {
        (Some(bytes), Some(crc32)) => Some(Fingerprint {
            bytes,
            crc32: u32::try_from(crc32).map_err(|_| unreadable())?,
        }),
        _ => None,
    };
    Ok(Some(Saved {
        input: input.to_string(),
        line,
        fingerprint,
    }))
}
