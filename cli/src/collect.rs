//! Turns the PATH arguments of `check` into the sorted list of files to check.

use std::fs;
use std::path::{Path, PathBuf};

use openehr_definitions::is_definition_file_name;

/// The files to check, sorted and without duplicates, plus every path that could not be read.
#[derive(Default)]
pub struct Collected {
    pub files: Vec<PathBuf>,
    pub errors: Vec<String>,
}

/// Expands `paths`: a file is taken whatever its name, a directory is walked recursively for
/// definition files (the core's `DEFINITION_EXTENSIONS`). Symbolic links to directories are not
/// followed, so a link cycle cannot loop.
pub fn collect(paths: &[PathBuf]) -> Collected {
    let mut collected = Collected::default();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut collected),
            Ok(_) => collected.files.push(path.clone()),
            Err(error) => collected.errors.push(format!("cannot read `{}`: {error}", path.display())),
        }
    }
    collected.files.sort();
    collected.files.dedup();
    collected
}

fn walk(dir: &Path, collected: &mut Collected) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            collected.errors.push(format!("cannot read directory `{}`: {error}", dir.display()));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                collected.errors.push(format!("cannot read directory `{}`: {error}", dir.display()));
                continue;
            }
        };
        let path = entry.path();
        let is_real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_real_dir {
            walk(&path, collected);
        } else if is_definition_file_name(&path.to_string_lossy()) && path.is_file() {
            collected.files.push(path);
        }
    }
}
