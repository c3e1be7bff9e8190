//! Write ids: 128 random bits per write, so that a re-read can tell this write's records from any
//! other's (see "Write ids" in [`crate::store`]).

use crate::store::StoreError;

/// A fresh id: 32 lower-case hex digits.
pub(crate) fn new() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::unavailable(format!("no randomness for a write id: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_32_hex_digits_and_differ() {
        let (a, b) = (super::new().unwrap(), super::new().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }
}
