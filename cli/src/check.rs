//! `openehr-defs check`: validates files on a small thread pool and prints the results in
//! sorted path order, as rustc-like text or as one JSON array.

use crate::collect::collect;
use crate::exit;
use crate::render::{self, Tally};
use crate::style::Style;
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

/// Above this many files a progress counter is shown on stderr (when it is a terminal).
const PROGRESS_THRESHOLD: usize = 20;

/// Check OPT 1.4, ADL 2 and AQL files; the kind of each file is detected from its content
/// (`*.aql` files are always AQL queries).
#[derive(clap::Args)]
#[command(
    after_help = "Directories are searched recursively for *.opt, *.xml, *.adls, *.adlt, *.adl and *.aql files;\n\
    files named explicitly are checked whatever their name (*.aql files are always AQL queries).\n\n\
    Examples:\n  \
    openehr-defs check my_template.opt\n  \
    openehr-defs check --quiet templates/ archetypes/\n  \
    openehr-defs check --json templates/ > report.json\n\n\
    Exit status: 0 every file is valid, 1 some file is invalid, 2 a path could not be read."
)]
pub struct Args {
    /// Print one JSON array with one object per file: {path, kind, valid, metadata, diagnostics}.
    #[arg(long)]
    json: bool,
    /// Print only errors (no warnings, no source snippets) and the summary.
    #[arg(long, short)]
    quiet: bool,
    /// Files or directories to check.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// How each file's result is written, decided once before the workers start.
#[derive(Clone, Copy)]
enum Format {
    Human { style: Style, quiet: bool },
    Json,
}

/// What checking one file produced, already rendered so the printing thread only writes.
enum Outcome {
    Checked { tally: Tally, rendered: String },
    Failed(String),
}

pub fn run(args: &Args) -> u8 {
    let collected = collect(&args.paths);
    for error in &collected.errors {
        exit::print_error(format_args!("{error}"));
    }
    let format = if args.json { Format::Json } else { Format::Human { style: Style::for_stdout(), quiet: args.quiet } };
    let show_progress = collected.files.len() > PROGRESS_THRESHOLD && io::stderr().is_terminal();
    let mut printer = Printer {
        out: io::stdout().lock(),
        format,
        tally: Tally::default(),
        failed: collected.errors.len(),
        first: true,
    };
    let mut progress = Progress { total: collected.files.len(), done: 0, shown: show_progress };

    let written = printer.begin().and_then(|()| {
        check_in_parallel(&collected.files, format, |outcome| {
            if outcome.prints_something() {
                progress.clear();
            }
            printer.print(outcome)?;
            progress.advance();
            Ok(())
        })
    });
    progress.clear();
    if let Err(error) = written.and_then(|()| printer.finish()) {
        return exit::output_failed(&error);
    }

    if printer.failed > 0 {
        exit::USAGE
    } else if printer.tally.invalid > 0 {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// Checks `files` on up to `available_parallelism` threads and hands each outcome to `emit`
/// in the order of `files`. Stops early once `emit` fails (stdout gone).
fn check_in_parallel(
    files: &[PathBuf],
    format: Format,
    mut emit: impl FnMut(Outcome) -> io::Result<()>,
) -> io::Result<()> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get()).min(files.len()).max(1);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel::<(usize, Outcome)>();
    thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(index) else { break };
                    if sender.send((index, check_file(path, format))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);

        // Results arrive in any order; hold each until every earlier file has been emitted.
        let mut waiting = BTreeMap::new();
        let mut next_to_emit = 0;
        for (index, outcome) in receiver {
            waiting.insert(index, outcome);
            while let Some(outcome) = waiting.remove(&next_to_emit) {
                next_to_emit += 1;
                if let Err(error) = emit(outcome) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(error);
                }
            }
        }
        Ok(())
    })
}

impl Outcome {
    /// Whether printing it writes anything (a valid file prints nothing in human mode).
    fn prints_something(&self) -> bool {
        match self {
            Outcome::Checked { rendered, .. } => !rendered.is_empty(),
            Outcome::Failed(_) => true,
        }
    }
}

/// Reads, validates and renders one file. A panic in the core is caught so that one bad file
/// cannot take the other results with it.
fn check_file(path: &Path, format: Format) -> Outcome {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => return Outcome::Failed(format!("cannot read `{shown}`: {error}")),
    };
    let name = path.to_string_lossy();
    let Ok(report) = std::panic::catch_unwind(|| openehr_definitions::validate_file(&name, &bytes)) else {
        return Outcome::Failed(format!("internal error while checking `{shown}` (please report this file)"));
    };
    let rendered = match format {
        Format::Human { style, quiet } => render::human(&shown, &bytes, &report, style, quiet),
        Format::Json => match render::json(&shown, &report) {
            Ok(json) => json,
            Err(error) => return Outcome::Failed(format!("cannot encode the report of `{shown}`: {error}")),
        },
    };
    Outcome::Checked { tally: Tally::of(&report), rendered }
}

/// Writes outcomes to stdout as they come and keeps the tally for the summary.
struct Printer<W: Write> {
    out: W,
    format: Format,
    tally: Tally,
    failed: usize,
    first: bool,
}

impl<W: Write> Printer<W> {
    fn begin(&mut self) -> io::Result<()> {
        match self.format {
            Format::Json => self.out.write_all(b"["),
            Format::Human { .. } => Ok(()),
        }
    }

    fn print(&mut self, outcome: Outcome) -> io::Result<()> {
        match outcome {
            Outcome::Checked { tally, rendered } => {
                self.tally.add(&tally);
                if let Format::Json = self.format {
                    self.out.write_all(if self.first { b"\n" } else { b",\n" })?;
                }
                self.first = false;
                self.out.write_all(rendered.as_bytes())
            }
            Outcome::Failed(message) => {
                self.failed += 1;
                exit::print_error(format_args!("{message}"));
                Ok(())
            }
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        match self.format {
            Format::Json => self.out.write_all(if self.first { b"]\n" } else { b"\n]\n" })?,
            Format::Human { style, .. } => writeln!(self.out, "{}", render::summary(&self.tally, self.failed, style))?,
        }
        self.out.flush()
    }
}

/// `checked 45/177` on stderr, redrawn in place; only when stderr is a terminal.
struct Progress {
    total: usize,
    done: usize,
    shown: bool,
}

impl Progress {
    fn advance(&mut self) {
        self.done += 1;
        if self.shown && self.done < self.total {
            let _ = write!(io::stderr().lock(), "\r\x1b[Kchecking {}/{}", self.done, self.total);
        }
    }

    fn clear(&self) {
        if self.shown {
            let _ = write!(io::stderr().lock(), "\r\x1b[K");
        }
    }
}
