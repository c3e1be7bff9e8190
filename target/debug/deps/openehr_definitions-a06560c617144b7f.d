/work/main/target/debug/deps/openehr_definitions-a06560c617144b7f.d: src/lib.rs src/adl2/mod.rs src/diagnostic.rs src/ident/mod.rs src/kind.rs src/opt/mod.rs src/opt/schema.rs src/opt/validator.rs src/position.rs src/report.rs src/text.rs src/version.rs src/../docs/codes.md

/work/main/target/debug/deps/libopenehr_definitions-a06560c617144b7f.rlib: src/lib.rs src/adl2/mod.rs src/diagnostic.rs src/ident/mod.rs src/kind.rs src/opt/mod.rs src/opt/schema.rs src/opt/validator.rs src/position.rs src/report.rs src/text.rs src/version.rs src/../docs/codes.md

/work/main/target/debug/deps/libopenehr_definitions-a06560c617144b7f.rmeta: src/lib.rs src/adl2/mod.rs src/diagnostic.rs src/ident/mod.rs src/kind.rs src/opt/mod.rs src/opt/schema.rs src/opt/validator.rs src/position.rs src/report.rs src/text.rs src/version.rs src/../docs/codes.md

src/lib.rs:
src/adl2/mod.rs:
src/diagnostic.rs:
src/ident/mod.rs:
src/kind.rs:
src/opt/mod.rs:
src/opt/schema.rs:
src/opt/validator.rs:
src/position.rs:
src/report.rs:
src/text.rs:
src/version.rs:
src/../docs/codes.md:
