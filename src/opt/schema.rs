//! The OPT 1.4 element model: which child elements each schema type allows, generated from the
//! XSD into `schema_table.rs` (see `tools/gen_opt_schema.py`). Lookups are linear scans over a
//! type's few elements, which beats hashing for lists this short.

#[path = "schema_table.rs"]
#[rustfmt::skip]
#[allow(dead_code)] // the generated table names more types than the validator needs
mod table;

pub(super) use table::{ARCHETYPE_ID, INTERVAL_OF_INTEGER, OPERATIONAL_TEMPLATE, TEMPLATE_ID};
#[cfg(test)]
use table::{C_ARCHETYPE_ROOT, C_ATTRIBUTE, C_OBJECT, T_COMPLEX_OBJECT};

/// Index of a complex type in the generated table, or [`LEAF`] for text-only content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TypeId(pub(super) u16);

/// Simple content: text, no child elements.
pub(super) const LEAF: TypeId = TypeId(u16::MAX);

pub(super) struct ElementDecl {
    pub(super) name: &'static str,
    pub(super) ty: TypeId,
    /// `minOccurs >= 1`.
    pub(super) required: bool,
    /// `maxOccurs = 1`.
    pub(super) single: bool,
}

pub(super) struct TypeDecl {
    pub(super) name: &'static str,
    /// Kept for the tests that check `flags` against the real base chains.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) base: Option<TypeId>,
    /// Which key types this type is or extends (`Flag` bits), precomputed so the hot path
    /// never walks base chains.
    pub(super) flags: u8,
    /// Every element the type allows, inherited ones first (at most 64: one bit each in a `u64`).
    pub(super) elements: &'static [ElementDecl],
}

/// Key types whose subtypes the validator treats alike.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
pub(super) enum Kind {
    CObject = 1,
    CAttribute = 2,
    ArchetypeRoot = 4,
    TComplexObject = 8,
}

impl TypeId {
    /// True when the type is `kind` or extends it.
    pub(super) fn is(self, kind: Kind) -> bool {
        self.decl().is_some_and(|d| d.flags & kind as u8 != 0)
    }

    fn decl(self) -> Option<&'static TypeDecl> {
        table::TYPES.get(usize::from(self.0))
    }

    /// The elements this type allows as children (none for [`LEAF`]).
    pub(super) fn elements(self) -> &'static [ElementDecl] {
        self.decl().map_or(&[], |d| d.elements)
    }

    /// The position and declaration of child element `name`, if the type allows it.
    pub(super) fn element(self, name: &str) -> Option<(usize, &'static ElementDecl)> {
        // Comparing the first byte before the whole name skips most calls to `memcmp`.
        let first = name.as_bytes().first();
        self.elements().iter().enumerate().find(|(_, e)| e.name.as_bytes().first() == first && e.name == name)
    }

    /// The type named by an `xsi:type` value (its local part).
    pub(super) fn by_name(name: &str) -> Option<TypeId> {
        let index = table::TYPES.binary_search_by(|t| t.name.cmp(name)).ok()?;
        u16::try_from(index).ok().map(TypeId)
    }

    pub(super) fn name(self) -> &'static str {
        self.decl().map_or("text", |d| d.name)
    }

    /// True when `self` is `ancestor` or extends it, directly or not.
    #[cfg(test)]
    pub(super) fn derives_from(self, ancestor: TypeId) -> bool {
        let mut current = Some(self);
        while let Some(ty) = current {
            if ty == ancestor {
                return true;
            }
            current = ty.decl().and_then(|d| d.base);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search_and_fits_bitsets() {
        assert!(table::TYPES.windows(2).all(|w| w[0].name < w[1].name));
        assert!(table::TYPES.iter().all(|t| t.elements.len() <= 64));
    }

    #[test]
    fn flags_agree_with_the_base_chains() {
        for (i, _) in table::TYPES.iter().enumerate() {
            let ty = TypeId(u16::try_from(i).unwrap());
            assert_eq!(ty.is(Kind::CObject), ty.derives_from(C_OBJECT), "{}", ty.name());
            assert_eq!(ty.is(Kind::CAttribute), ty.derives_from(C_ATTRIBUTE), "{}", ty.name());
            assert_eq!(ty.is(Kind::ArchetypeRoot), ty.derives_from(C_ARCHETYPE_ROOT), "{}", ty.name());
            assert_eq!(ty.is(Kind::TComplexObject), ty.derives_from(T_COMPLEX_OBJECT), "{}", ty.name());
        }
        assert!(!LEAF.is(Kind::CObject));
    }

    #[test]
    fn archetype_root_extends_c_object_and_allows_term_definitions() {
        assert!(C_ARCHETYPE_ROOT.derives_from(C_OBJECT));
        assert_eq!(TypeId::by_name("C_ARCHETYPE_ROOT"), Some(C_ARCHETYPE_ROOT));
        let (_, decl) = C_ARCHETYPE_ROOT.element("term_definitions").unwrap();
        assert!(!decl.single && !decl.required);
        let (_, decl) = OPERATIONAL_TEMPLATE.element("template_id").unwrap();
        assert!(decl.single && decl.required);
        assert!(OPERATIONAL_TEMPLATE.element("nonsense").is_none());
        assert_eq!(TypeId::by_name("NOPE"), None);
    }
}
