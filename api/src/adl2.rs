//! ADL 2 templates: `POST/GET /definition/template/adl2[/{template_id}[/{version_pattern}]]`.
//!
//! **What `{template_id}` means.** The canonical id is the artefact's HRID *without* its version part
//! (`openEHR-EHR-COMPOSITION.blood_pressure`, with `namespace::` when present); the version travels
//! separately, as the spec's `/{template_id}/{version_pattern}` route and the list's `version` field
//! suggest. For the spec's own examples, a full HRID (`openEHR-EHR-COMPOSITION.test.v1.0.0`) is accepted
//! on GET too: its version then acts as the exact version pattern (400 if a path pattern disagrees).

use crate::answer;
use crate::blob::{get_body, put_body, sha256_hex};
use crate::catalog::StoredBody;
use crate::error::{ApiError, json_response};
use crate::negotiate::{encode_segment, query_param};
use crate::router::Ctx;
use crate::shards::{self, Decision, Index, Record};
use crate::time::now_rfc3339;
use crate::write_id;
use http::{Response, StatusCode};
use openehr_definitions::version::Version;
use openehr_definitions::{ArchetypeHrid, Kind, Metadata, VersionPattern, resolve, validate};
use serde::{Deserialize, Serialize};

const TEXT: &str = "text/plain; charset=utf-8";

/// The list item; the index's first line is exactly the list of these.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ListItem {
    template_id: String,
    version: String,
    concept: String,
    /// The artefact id exactly as written in the header.
    archetype_id: String,
    created_timestamp: String,
}

/// The ADL 2 index: one record per template id and version, versions in SEMVER order.
struct Adl2;

impl Index for Adl2 {
    type Item = ListItem;
    type Private = StoredBody;
    type Sub = Version;
    const ROOT: &'static str = "adl2/index";
    const SHARDS: &'static str = "adl2";

    fn key(item: &ListItem) -> (String, Version) {
        shards::versioned_key(&item.template_id, &item.version)
    }
}

type Entry = Record<Adl2>;

/// The versionless id of an HRID: `[namespace::]publisher-package-CLASS.concept`.
fn versionless_id(hrid: &ArchetypeHrid) -> String {
    let namespace = hrid.namespace.as_deref().map(|n| format!("{n}::")).unwrap_or_default();
    format!("{namespace}{}-{}-{}.{}", hrid.rm_publisher, hrid.rm_package, hrid.rm_class, hrid.concept)
}

pub(crate) fn list(ctx: &Ctx) -> Result<Response<Vec<u8>>, ApiError> {
    Ok(json_response(StatusCode::OK, shards::list::<Adl2>(ctx.layout())?))
}

pub(crate) fn get(ctx: &Ctx, id: &str, path_pattern: Option<&str>) -> Result<Response<Vec<u8>>, ApiError> {
    let (template_id, pattern) = parse_target(id, path_pattern)?;
    let headers = ctx.request.headers();
    let entries: Vec<Entry> = shards::group::<Adl2>(ctx.layout(), &template_id)?;
    let candidates: Vec<(Version, &StoredBody)> =
        entries.iter().filter_map(|e| Version::parse(&e.item.version).ok().map(|v| (v, &e.private))).collect();
    let chosen = resolve(&pattern, candidates.iter().map(|(v, _)| v))
        .and_then(|v| candidates.iter().find(|(candidate, _)| candidate == v))
        .map(|(_, e)| *e)
        .ok_or_else(|| {
            ApiError::not_found(match &pattern {
                VersionPattern::Any => format!("no ADL 2 template {template_id:?} is stored"),
                pattern => format!("no version of ADL 2 template {template_id:?} matches \"{pattern}\""),
            })
        })?;
    answer::stored_body(headers, &chosen.etag, TEXT, || get_body(ctx.store, &chosen.manifest))
}

/// Splits a GET target into the versionless id and the version pattern to resolve.
fn parse_target(id: &str, path_pattern: Option<&str>) -> Result<(String, VersionPattern), ApiError> {
    let parse_pattern = |p: &str| {
        VersionPattern::parse(p).map_err(|d| ApiError::invalid(format!("version pattern {p:?} is malformed"), vec![d]))
    };
    if let Ok(hrid) = ArchetypeHrid::parse(id) {
        // The HRID names one version; a path pattern may only narrow it down (`X.v1.0.0/1.0` is 1.0.0).
        let exact = parse_pattern(&hrid.version)?;
        if let (Some(p), VersionPattern::Exact(version)) = (path_pattern, &exact)
            && !parse_pattern(p)?.matches(version)
        {
            return Err(ApiError::not_found(format!(
                "the template_id names version {version}, which the path's version pattern \"{p}\" excludes"
            )));
        }
        return Ok((versionless_id(&hrid), exact));
    }
    // A versionless id is valid when adding a version makes it a valid HRID. A diagnostic about the
    // added part points just past the end of what the client sent, never into text it did not send.
    ArchetypeHrid::parse(&format!("{id}.v1.0.0")).map_err(|mut d| {
        let end = u32::try_from(id.chars().count()).unwrap_or(u32::MAX).saturating_add(1);
        d.column = d.column.min(end);
        ApiError::invalid(format!("{id:?} is not an ADL 2 template id"), vec![d])
    })?;
    Ok((id.to_owned(), parse_pattern(path_pattern.unwrap_or(""))?))
}

pub(crate) fn upload(ctx: &Ctx) -> Result<Response<Vec<u8>>, ApiError> {
    let headers = ctx.request.headers();
    let body = ctx.request.body();
    let report = validate(body);
    if report.kind != Kind::Adl2 || !report.valid {
        return Err(ApiError::invalid("the body is not a valid ADL 2 artefact", report.diagnostics));
    }
    let header = match report.metadata {
        Some(Metadata::Adl2(header)) => header,
        _ => return Err(ApiError::invalid("the body is not an ADL 2 artefact", report.diagnostics)),
    };
    let (Some(hrid), Some(written_id)) = (header.hrid, header.id) else {
        return Err(ApiError::invalid("the ADL 2 artefact has no readable id", report.diagnostics));
    };
    let version = Version::parse(&hrid.version).map_err(|e| {
        ApiError::invalid(
            format!("the artefact id's version {:?} is not a full SEMVER version: {e}", hrid.version),
            vec![],
        )
    })?;
    if let Some(requested) = query_param(ctx.request.uri().query(), "version")
        && requested != version.to_string()
    {
        return Err(ApiError::invalid(
            format!("?version={requested} disagrees with the artefact id's version {version}"),
            vec![],
        ));
    }
    let template_id = versionless_id(&hrid);
    let layout = ctx.layout();
    let write = write_id::new()?;
    let entry = Entry {
        item: ListItem {
            template_id: template_id.clone(),
            version: version.to_string(),
            concept: hrid.concept.clone(),
            archetype_id: written_id,
            created_timestamp: now_rfc3339(),
        },
        private: StoredBody {
            etag: format!("\"{}\"", sha256_hex(body)),
            manifest: StoredBody::default().manifest,
            write: write.clone(),
        },
    };
    let etag = entry.private.etag.clone();
    let new_key = Adl2::key(&entry.item);
    let exists = || ApiError::conflict(format!("ADL 2 template {template_id:?} version {version} already exists"));
    // Checked before the chunks are written, so a conflict leaves nothing behind.
    if shards::group::<Adl2>(layout, &template_id)?.iter().any(|e| Adl2::key(&e.item) == new_key) {
        return Err(exists());
    }
    let mut entry = entry;
    entry.private.manifest = put_body(layout.store, body, layout.max_value_bytes)?;
    shards::commit::<Adl2, ()>(
        layout,
        Some(&template_id),
        &write,
        |records| records.iter().any(|r| r.private.write == write).then_some(()),
        |records| match records.binary_search_by(|e| Adl2::key(&e.item).cmp(&new_key)) {
            Ok(_) => Err(exists()),
            Err(at) => {
                records.insert(at, entry.clone());
                Ok(Decision::Write(()))
            }
        },
    )?;

    let location = ctx.location(&format!("/definition/template/adl2/{}/{version}", encode_segment(&template_id)));
    let identifier = serde_json::json!({ "template_id": template_id, "version": version.to_string() });
    answer::created(headers, &location, &etag, (body, TEXT), &identifier)
}
