//! Identifier rules of the Definitions API: ADL 1.4 template ids and archetype ids, ADL 2
//! archetype HRIDs and stored query names.
//!
//! Every check returns a [`Diagnostic`] on failure with `line` 1, `column` the 1-based
//! character position of the offending character (one past the end when something is
//! missing at the end) and an empty `path`, so callers can re-position it inside a larger text.
//! Codes: `ID001` empty, `ID002` too long, `ID003` surrounding white space, `ID004` control
//! character, `ID005` forbidden character, `ID006` malformed structure, `ID007` reserved name.

mod archetype_id;
mod hrid;
mod query_name;
mod scan;

pub(crate) use scan::char_column;
mod template_id;

pub use archetype_id::check_archetype_id_14;
pub use hrid::ArchetypeHrid;
pub use query_name::QueryName;
pub use template_id::{TEMPLATE_ID_MAX_LEN, check_template_id};
