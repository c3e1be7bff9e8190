//! `openehr-defs serve`: the Definitions API and the validation page on this machine, with the
//! data kept where `spin up` keeps it, for when no Spin host is at hand.

use std::net::SocketAddr;
use std::path::PathBuf;

use openehr_defs_server::{Config, ServeConfig, SettingsNeeded};

use crate::exit;

/// Serve the Definitions API (and the validation page) on this machine.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    openehr-defs serve\n  \
    openehr-defs serve --addr 127.0.0.1:0 --data /tmp/cdr --write-token s3cret\n\n\
    The data lives in DATA/.spin/sqlite_key_value.db, the file `spin up` uses for the default\n\
    key-value store of an app in DATA: `--data edge` shares it with the Spin app in edge/.")]
pub struct Args {
    /// Address to listen on; port 0 picks a free one (the real address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Application directory holding the database (created if missing).
    #[arg(long, default_value = ".")]
    data: PathBuf,
    /// Directory of static files served at `/` (the validation page); default `www` if it exists.
    #[arg(long)]
    www: Option<PathBuf>,
    /// Path prefix of the API, e.g. `/rest/openehr/v1`.
    #[arg(long, default_value = "/v1")]
    base_path: String,
    /// CORS: `*`, a comma-separated list of origins, or `none` for no CORS headers.
    #[arg(long, default_value = "*")]
    allowed_origins: String,
    /// Require `Authorization: Bearer TOKEN` on POST and PUT.
    #[arg(long, env = "OPENEHR_DEFS_WRITE_TOKEN", hide_env_values = true)]
    write_token: Option<String>,
    /// Largest accepted request body, in bytes (413 above).
    #[arg(long, default_value_t = Config::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Largest value written to the store, in bytes: bodies are chunked and indexes sharded under it.
    #[arg(long, default_value_t = Config::default().max_value_bytes)]
    max_value_bytes: usize,
    /// Path prefix of the Ehrscape-compatible template routes (`/template…`); `none` for none.
    #[arg(long, default_value = openehr_defs_server::DEFAULT_EHRSCAPE_BASE_PATH)]
    ehrscape_base_path: String,
    /// Allow DELETE of ADL 1.4 templates (otherwise 405); write-protected like uploads.
    #[arg(long)]
    allow_delete: bool,
}

pub fn run(args: Args) -> u8 {
    openehr_defs_server::log_to_stderr();
    let www_dir = args.www.or_else(|| Some(PathBuf::from("www")).filter(|dir| dir.is_dir()));
    // The flags are the API's named settings, parsed by the API crate exactly as the Spin app's variables are.
    let setting = |name: &str| match name {
        "base_path" => Some(args.base_path.clone()),
        "allowed_origins" => Some(args.allowed_origins.clone()),
        "max_body_bytes" => Some(args.max_body_bytes.to_string()),
        "max_value_bytes" => Some(args.max_value_bytes.to_string()),
        "write_token" => args.write_token.clone(),
        "ehrscape_base_path" => Some(args.ehrscape_base_path.clone()),
        "allow_delete" => Some(args.allow_delete.to_string()),
        _ => None,
    };
    let api = Config::from_settings(setting, SettingsNeeded::all());
    let config = ServeConfig { addr: args.addr, data_dir: args.data, www_dir, api };
    match openehr_defs_server::serve(config) {
        Ok(()) => exit::OK,
        Err(error) => {
            exit::print_error(format_args!("cannot serve: {error}"));
            exit::USAGE
        }
    }
}
