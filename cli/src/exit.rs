//! The exit statuses every subcommand shares, so scripts can tell "invalid" from "could not run",
//! and the one way problems with the run itself reach stderr.

use std::fmt;
use std::io::Write;

/// Everything checked is valid / the answer was found.
pub const OK: u8 = 0;
/// Something is invalid, malformed or not found: the tool ran fine, the input did not pass.
pub const FAILED: u8 = 1;
/// Usage or I/O error: the tool could not do what was asked (clap also exits 2 on bad arguments).
pub const USAGE: u8 = 2;

/// Prints `error: ...` on stderr. A failing stderr is ignored: there is nowhere left to report it.
pub fn print_error(message: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
}

/// Writing to stdout failed (usually a closed pipe such as `| head`): nothing more can be reported.
pub fn output_failed(error: &std::io::Error) -> u8 {
    if error.kind() != std::io::ErrorKind::BrokenPipe {
        print_error(format_args!("cannot write output: {error}"));
    }
    USAGE
}
