//! SEMVER version patterns of the Definitions API and the two questions asked of them: which
//! stored version does a pattern mean ([`resolve`]), and which version does a stored query PUT
//! get ([`next_query_version`]).
//!
//! Pre-releases (`1.0.0-rc.1`) are deliberately second-class: they are found only by an exact
//! pattern naming them, and they never bump the release numbers a new version is computed
//! from. Build metadata (`+build.5`) is ignored when comparing, as SEMVER §10 requires.

mod next;
mod pattern;
mod resolve;
mod strings;

pub use next::next_query_version;
pub use pattern::VersionPattern;
pub use resolve::resolve;
pub use semver::Version;
pub use strings::{next_query_version_str, resolve_str};
