//! `send --spool DIR`: where an import got to. Every event up to a line is
//! durable in the spool once `sync` returns; that line is then written to
//! `DIR/cli-progress` (a new file renamed over the old, so a kill leaves
//! the old or the new one, never half of one). A run with the same spool
//! and input starts after that line, and the spool delivers what the last
//! run left first: nothing accepted is sent again, beyond the lines taken
//! after the last save (at most `SAVE_EVERY` of reading).

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

impl Progress {
    /// Reads the progress kept in `dir` for `input` (0 for another input).
    pub fn load(dir: &Path, input: &str) -> Progress {
        let input = (input != "-").then(|| {
            std::fs::canonicalize(input)
                .map_or_else(|_| input.to_string(), |p| p.display().to_string())
        });
        let file = dir.join(FILE);
        let saved = std::fs::read_to_string(&file)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
        let done_through = match (&saved, &input) {
            (Some(saved), Some(input)) if saved["input"].as_str() == Some(input.as_str()) => {
                saved["line"].as_u64().unwrap_or(0)
            }
            _ => 0,
        };
        Progress {
            file,
            input,
            done_through,
            last_save: Instant::now(),
        }
    }

    /// Whether lines are counted across runs (not for standard input).
    pub fn resumable(&self) -> bool {
        self.input.is_some()
    }

    /// Whether a save is due.
    pub fn due(&self) -> bool {
        self.resumable() && self.last_save.elapsed() >= SAVE_EVERY
    }

    /// Records that every event through `line` is durable in the spool.
    pub fn save(&mut self, line: u64) -> Result<(), String> {
        self.last_save = Instant::now();
        let Some(input) = &self.input else {
            return Ok(());
        };
        let text = serde_json::json!({ "input": input, "line": line }).to_string();
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
