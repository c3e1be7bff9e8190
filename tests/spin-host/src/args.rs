//! Command-line arguments, parsed by hand: a few flags do not justify an argument-parser dependency.

use std::collections::HashMap;

use crate::routes::Route;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::backend::Backend;

pub const USAGE: &str = "usage: spin-test-host --component PATH [--addr 127.0.0.1:0] [--var NAME=VALUE]... \
     [--store atomic|spin-sqlite|redis] [--max-value-bytes N] [--kv-latency-us N] [--listeners N] [--route R]... [--list-imports]";

#[derive(Debug, PartialEq)]
pub struct Args {
    /// The `.wasm` component to serve.
    pub component: PathBuf,
    /// Where to listen; port 0 picks a free port, which is printed once listening.
    pub addr: SocketAddr,
    /// Values for `fermyon:spin/variables`, like `spin up --variable`.
    pub variables: HashMap<String, String>,
    /// Print the component's imports and exports and exit instead of serving.
    pub list_imports: bool,
    /// Whose compare-and-swap and increment semantics the key-value store reproduces.
    pub store: Backend,
    /// Values larger than this are refused by every write, like a backend's item-size limit.
    pub max_value_bytes: Option<usize>,
    /// How long every key-value call that reads or writes data waits first, like a round trip to a backend.
    pub kv_latency: Duration,
    /// How many listeners (like separate `spin up` processes, each compiling the component) share the store.
    /// With a fixed `--addr` port P, listener i listens on P + i.
    pub listeners: u16,
    /// The manifest's `[[trigger.http]] route`s, as `spin up` matches them (default: the catch-all `/...`).
    pub routes: Vec<Route>,
}

impl Args {
    pub fn parse(mut raw: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut component = None;
        let mut addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let mut variables = HashMap::new();
        let mut list_imports = false;
        let mut store = Backend::Atomic;
        let mut max_value_bytes = None;
        let mut kv_latency = Duration::ZERO;
        let mut listeners = 1;
        let mut routes = Vec::new();
        while let Some(flag) = raw.next() {
            match flag.as_str() {
                "--component" => component = Some(PathBuf::from(value_of(&flag, raw.next())?)),
                "--addr" => {
                    let text = value_of(&flag, raw.next())?;
                    addr = text.parse().map_err(|_| format!("--addr: `{text}` is not an IP:PORT address"))?;
                }
                "--var" => {
                    let text = value_of(&flag, raw.next())?;
                    let (name, value) =
                        text.split_once('=').ok_or_else(|| format!("--var: `{text}` is not NAME=VALUE"))?;
                    variables.insert(name.to_owned(), value.to_owned());
                }
                "--store" => {
                    let text = value_of(&flag, raw.next())?;
                    store = Backend::parse(&text)
                        .ok_or_else(|| format!("--store: `{text}` is not one of atomic, spin-sqlite, redis"))?;
                }
                "--max-value-bytes" => {
                    let text = value_of(&flag, raw.next())?;
                    max_value_bytes =
                        Some(text.parse().map_err(|_| format!("--max-value-bytes: `{text}` is not a byte count"))?);
                }
                "--kv-latency-us" => {
                    let text = value_of(&flag, raw.next())?;
                    kv_latency = Duration::from_micros(
                        text.parse()
                            .map_err(|_| format!("--kv-latency-us: `{text}` is not a number of microseconds"))?,
                    );
                }
                "--listeners" => {
                    let text = value_of(&flag, raw.next())?;
                    listeners = text
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("--listeners: `{text}` is not a count from 1 to 65535"))?;
                }
                "--route" => routes.push(Route::parse(&value_of(&flag, raw.next())?)?),
                "--list-imports" => list_imports = true,
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        let component = component.ok_or("--component is required")?;
        if routes.is_empty() {
            routes.push(Route::catch_all());
        }
        Ok(Args { component, addr, variables, list_imports, store, max_value_bytes, kv_latency, listeners, routes })
    }
}

fn value_of(flag: &str, value: Option<String>) -> Result<String, String> {
    value.ok_or_else(|| format!("{flag} needs a value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<Args, String> {
        Args::parse(words.iter().map(|word| (*word).to_owned()))
    }

    #[test]
    fn reads_every_flag() {
        let args = parse(&["--component", "a.wasm", "--addr", "127.0.0.1:8080", "--var", "write_token=s=3"]);
        let args = args.unwrap();
        assert_eq!(args.component, PathBuf::from("a.wasm"));
        assert_eq!(args.addr, SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert_eq!(args.variables.get("write_token").map(String::as_str), Some("s=3"));
        assert!(!args.list_imports);
        assert_eq!((args.store, args.max_value_bytes, args.listeners), (Backend::Atomic, None, 1));
    }

    #[test]
    fn reads_the_store_flags() {
        let args = parse(&["--component", "a", "--store", "redis", "--max-value-bytes", "262144", "--listeners", "2"]);
        let args = args.unwrap();
        assert_eq!((args.store, args.max_value_bytes, args.listeners), (Backend::Redis, Some(262_144), 2));
        assert_eq!(args.kv_latency, Duration::ZERO);
        let args = parse(&["--component", "a", "--kv-latency-us", "1500"]).unwrap();
        assert_eq!(args.kv_latency, Duration::from_micros(1500));
        assert_eq!(parse(&["--component", "a", "--store", "spin-sqlite"]).unwrap().store, Backend::SpinSqlite);
    }

    #[test]
    fn defaults_to_an_ephemeral_loopback_port() {
        assert_eq!(parse(&["--component", "a.wasm"]).unwrap().addr, SocketAddr::from(([127, 0, 0, 1], 0)));
    }

    #[test]
    fn rejects_missing_component_and_bad_values() {
        assert_eq!(parse(&[]).unwrap_err(), "--component is required");
        assert_eq!(parse(&["--component"]).unwrap_err(), "--component needs a value");
        assert_eq!(parse(&["--component", "a", "--var", "x"]).unwrap_err(), "--var: `x` is not NAME=VALUE");
        assert_eq!(
            parse(&["--component", "a", "--addr", "here"]).unwrap_err(),
            "--addr: `here` is not an IP:PORT address"
        );
        assert_eq!(parse(&["--what"]).unwrap_err(), "unknown argument `--what`");
        assert_eq!(
            parse(&["--component", "a", "--store", "sqlite"]).unwrap_err(),
            "--store: `sqlite` is not one of atomic, spin-sqlite, redis"
        );
        assert_eq!(
            parse(&["--component", "a", "--listeners", "0"]).unwrap_err(),
            "--listeners: `0` is not a count from 1 to 65535"
        );
        assert_eq!(
            parse(&["--component", "a", "--max-value-bytes", "-1"]).unwrap_err(),
            "--max-value-bytes: `-1` is not a byte count"
        );
    }
}
