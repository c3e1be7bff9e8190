//! Serving the browser playground from `www_dir`, refusing any path that could leave it.

use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use std::path::{Component, Path, PathBuf};

/// The file under `root` that `url_path` names (`/` → `index.html`), or `None` when the path is
/// unsafe (`..`, backslashes, NUL, bad escapes) or names nothing.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = openehr_defs_api::percent_decode(url_path, false)?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let mut path = root.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        let mut components = Path::new(segment).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(name)), None) => path.push(name),
            _ => return None,
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    // Symlinks must not lead out of the root either.
    let canonical = path.canonicalize().ok()?;
    let canonical_root = root.canonicalize().ok()?;
    (canonical.starts_with(&canonical_root) && canonical.is_file()).then_some(canonical)
}

/// Reads the file into a response with a content type from its extension.
pub fn respond(file: &Path) -> Response<Vec<u8>> {
    match std::fs::read(file) {
        Ok(bytes) => {
            let mut response = Response::new(bytes);
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type(file)));
            response
        }
        Err(_) => {
            let mut response = Response::new(b"not found".to_vec());
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_root() {
        let root = std::env::temp_dir().join(format!("defs-www-test-{}", std::process::id()));
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("index.html"), "<h1>hi</h1>").unwrap();
        std::fs::write(root.join("sub/app.wasm"), b"\0asm").unwrap();
        assert_eq!(resolve(&root, "/"), Some(root.canonicalize().unwrap().join("index.html")));
        assert!(resolve(&root, "/sub/app.wasm").is_some());
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        for bad in ["/../etc/passwd", "/sub/../../x", "/%2e%2e/x", "/sub%5c..%5cx", "/missing.js", "/%zz"] {
            assert_eq!(resolve(&root, bad), None, "{bad}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}
