//! What a template index keeps privately about each template: where its body is, its ETag, and the
//! write that stored it. Shared by the ADL 1.4 and ADL 2 indexes.

use crate::blob::Manifest;
use serde::{Deserialize, Serialize};

/// Where a template's bytes are and their strong ETag.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "FlatBody")]
pub(crate) struct StoredBody {
    /// The strong ETag, quotes included: SHA-256 of the body, computed once at upload.
    pub etag: String,
    #[serde(flatten)]
    pub manifest: Manifest,
    /// The write that stored it (empty for templates stored before write ids existed).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub write: String,
}

/// The same fields read directly: a flattened field makes serde buffer every field of the value first,
/// which was a third of the API's time for `GET` of one template (it reads its record on every request).
#[derive(Deserialize)]
struct FlatBody {
    etag: String,
    size: u64,
    chunks: Vec<String>,
    #[serde(default)]
    write: String,
}

impl From<FlatBody> for StoredBody {
    fn from(flat: FlatBody) -> Self {
        StoredBody { etag: flat.etag, manifest: Manifest { size: flat.size, chunks: flat.chunks }, write: flat.write }
    }
}

/// One template's record as the `…/id/…` read cache holds it: the list fields and the body, flat.
#[derive(Debug, Serialize)]
pub(crate) struct CacheValue<'a, I> {
    #[serde(flatten)]
    pub item: &'a I,
    #[serde(flatten)]
    pub body: &'a StoredBody,
}
