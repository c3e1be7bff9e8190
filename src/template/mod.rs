//! The typed model of an operational template's definition, read in one quick-xml pass. The web
//! template builder reads it; example compositions and FLAT validation are meant to reuse it.

mod model;
mod read;
mod xml;

pub use model::{
    Annotation, ArchetypeTerms, Binding, CAttribute, CObject, DefaultValue, Interval, Kind, OrdinalItem, Primitive,
    QuantityItem, Template, Term,
};

use crate::diagnostic::{Code, Diagnostic};
use crate::opt::validate_opt;
use crate::text::decode_utf8;

/// Validates the OPT, then reads its definition. An invalid OPT yields the validator's
/// diagnostics (errors and warnings), never a partial model.
pub fn parse_template(opt: &[u8]) -> Result<Template, Vec<Diagnostic>> {
    let report = validate_opt(opt);
    if !report.is_valid() {
        return Err(report.diagnostics);
    }
    let text = decode_utf8(opt).map_err(|d| vec![d])?;
    let root = xml::parse(text).map_err(|message| {
        vec![Diagnostic::new(Code::XmlMalformed, format!("the XML could not be read: {message}"), 1, 1, "")]
    })?;
    Ok(read::template(&root))
}
