//! The dev server's folder, updated in place: changed files replaced through a temporary
//! file and a rename (a reader sees the old bytes or the new), removed files pruned.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Copy, Output, create_folders, inside};
use crate::error::{Error, Result};

/// Apply an incremental update in place (the dev server's folder): changed files are written
/// to a temporary name and renamed over the old ones, so a reader never sees half a file;
/// removed files go, and so do folders they leave empty. Returns the number of files touched.
pub fn apply(dir: &Path, outputs: &[Output], copies: &[Copy], removed: &[String]) -> Result<usize> {
    write_in_place(dir, outputs, copies)?;
    for rel in removed {
        remove_and_prune(dir, &inside(dir, rel)?)?;
    }
    Ok(outputs.len() + copies.len() + removed.len())
}

/// [`apply`] for a whole site into a folder that may hold an older one in any state (the dev
/// server's, after a rebuild panicked half-way): every file is written in place, then every
/// other file in `dir` is removed, so it ends up holding exactly `outputs` and `copies`.
pub fn apply_all(dir: &Path, outputs: &[Output], copies: &[Copy]) -> Result<usize> {
    write_in_place(dir, outputs, copies)?;
    let keep: std::collections::HashSet<PathBuf> = outputs
        .iter()
        .map(|o| dir.join(&o.path))
        .chain(copies.iter().map(|c| dir.join(&c.to)))
        .collect();
    let mut stale = Vec::new();
    // Not following links: a link is removed as a file, never what it points to.
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(&path, e.into())
        })?;
        if !entry.file_type().is_dir() && !keep.contains(entry.path()) {
            stale.push(entry.into_path());
        }
    }
    for path in &stale {
        remove_and_prune(dir, path)?;
    }
    Ok(outputs.len() + copies.len() + stale.len())
}

fn write_in_place(dir: &Path, outputs: &[Output], copies: &[Copy]) -> Result<()> {
    create_folders(dir, outputs, copies)?;
    outputs
        .par_iter()
        .try_for_each(|o| write_replacing(&inside(dir, &o.path)?, &o.bytes))?;
    copies.par_iter().try_for_each(|c| {
        let bytes = fs::read(&c.from).map_err(|e| Error::io(&c.from, e))?;
        write_replacing(&inside(dir, &c.to)?, &bytes)
    })
}

/// Remove the file at `path` (gone already is fine) and the folders up to `dir` it leaves empty.
fn remove_and_prune(dir: &Path, path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    // remove_dir fails on folders that are not empty, which ends the walk up.
    let mut parent = path.parent();
    while let Some(p) = parent.filter(|p| p.starts_with(dir) && *p != dir) {
        if fs::remove_dir(p).is_err() {
            break;
        }
        parent = p.parent();
    }
    Ok(())
}

/// Write a file whose folder exists. A new file is written in place; an existing one is
/// replaced through a temporary file and a rename, so a reader sees the old or the new bytes.
/// The temporary name is short and fixed in length (`.quire-tmp-<pid>-<n>`), whatever the
/// file's: a name near the 255-byte limit plus a prefix and suffix would not fit.
fn write_replacing(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    if !path.exists() {
        return fs::write(path, bytes).map_err(|e| Error::io(path, e));
    }
    let parent = path.parent().unwrap_or(Path::new("."));
    let tmp = parent.join(format!(
        ".quire-tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    if let Err(e) = fs::write(&tmp, bytes) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::out;

    #[test]
    fn a_file_whose_name_is_near_the_length_limit_is_replaced_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let name = format!("{}.txt", "n".repeat(246));
        assert_eq!(name.len(), 250);
        apply(tmp.path(), &[out(&name, "one")], &[], &[]).unwrap();
        apply(tmp.path(), &[out(&name, "two")], &[], &[]).unwrap();
        assert_eq!(fs::read_to_string(tmp.path().join(&name)).unwrap(), "two");
        let names: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }

    #[test]
    fn apply_all_leaves_exactly_the_new_site() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("site");
        let outside = tmp.path().join("outside.txt");
        fs::write(&outside, "keep").unwrap();
        apply(
            &dir,
            &[out("old/index.html", "old"), out("keep.html", "1")],
            &[],
            &[],
        )
        .unwrap();
        // What a panic half-way through a write could leave: a temporary file, a link.
        fs::write(dir.join(".quire-tmp-1-1"), "half").unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("old/link")).unwrap();
        let n = apply_all(&dir, &[out("keep.html", "2"), out("new/a.html", "a")], &[]).unwrap();
        assert_eq!(n, 5);
        let mut files: Vec<_> = walkdir::WalkDir::new(&dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(&dir)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        files.sort();
        assert_eq!(files, ["keep.html", "new", "new/a.html"]);
        assert_eq!(fs::read_to_string(dir.join("keep.html")).unwrap(), "2");
        assert_eq!(
            fs::read_to_string(&outside).unwrap(),
            "keep",
            "links are not followed"
        );
    }
}
