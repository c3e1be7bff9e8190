//! `fermyon:spin/variables@2.0.0` from `--var NAME=VALUE` arguments.

use crate::bindings::fermyon::spin::variables::{Error, Host};
use crate::state::RequestState;

impl Host for RequestState {
    fn get(&mut self, name: String) -> wasmtime::Result<Result<String, Error>> {
        if !is_valid_name(&name) {
            return Ok(Err(Error::InvalidName(name)));
        }
        // Spin's environment provider (asked first for every variable) blocks in place on every lookup.
        crate::state::block_in_place_like_spin();
        Ok(self.variables.get(&name).cloned().ok_or(Error::Undefined(name)))
    }
}

/// Spin's rule: lowercase ASCII letters, digits and underscores, starting with a letter.
fn is_valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::is_valid_name;

    #[test]
    fn accepts_spin_style_names_only() {
        assert!(is_valid_name("write_token"));
        assert!(is_valid_name("max_body_bytes2"));
        assert!(!is_valid_name("Write_token"));
        assert!(!is_valid_name("_token"));
        assert!(!is_valid_name("write-token"));
        assert!(!is_valid_name(""));
    }
}
