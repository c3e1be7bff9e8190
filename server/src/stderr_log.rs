//! The server's log: one line per record on stderr, `2026-12-02T14:00:00.000Z INFO message`. The API crate
//! reports every 5xx with its cause through the `log` facade; `serve` adds one line per request.

use log::{Level, LevelFilter, Log, Metadata, Record};
use std::io::Write;

struct Stderr;

static STDERR: Stderr = Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= Level::Info
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let line = format!("{} {:<5} {}\n", openehr_defs_api::now_rfc3339(), record.level(), record.args());
            // One write per line, so lines from concurrent requests never interleave; a closed stderr is ignored.
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }

    fn flush(&self) {}
}

/// Sends the `log` records of this process (info and above) to stderr. Call once, from the binary.
pub fn log_to_stderr() {
    if log::set_logger(&STDERR).is_ok() {
        log::set_max_level(LevelFilter::Info);
    }
}
