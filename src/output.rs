//! Writing the site: every file goes into a fresh folder beside the output, which is swapped
//! in only when complete, so readers (and a killed build) only ever see a whole old site or a
//! whole new one. This is the one module that deletes files, and it only deletes inside the
//! output folder and its own temporary siblings.
//!
//! The guarantee, for a build killed at any instant (SIGKILL, a crash; tested by
//! `tests/it/faults.rs`, which kills real builds at random points): the output path holds
//! exactly the previous complete site or exactly the new one, never a mix and never nothing,
//! and the next build removes whatever the killed one left beside it. On Linux the swap is one
//! `renameat2(RENAME_EXCHANGE)`; where that is unsupported it is two renames (old to a
//! `.<name>.quire-old-<pid>` backup, fresh to the output), and the next build first puts a
//! backup back if a kill fell between them. Nothing is fsynced: a power cut is not covered.

use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Relative to the output folder, with `/` separators: `posts/hello/index.html`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A file copied into the site: static files and post bundle assets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub from: PathBuf,
    pub to: String,
}

/// Marks a folder as Quire's own output, so Quire never replaces a folder it did not write.
pub const MARKER: &str = ".quire-output";

/// Check that `output` (absolute) can be replaced wholesale without touching the author's
/// files: it must not be the root, an ancestor of it, the file system root, or one of the source
/// folders or inside them; and an existing non-empty folder must be one Quire wrote.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<()> {
    let refuse = |reason: String| {
        Err(Error::UnsafeOutput {
            path: output.to_path_buf(),
            reason,
        })
    };
    let output = normalize(output);
    let root = normalize(&root.canonicalize().unwrap_or_else(|_| root.to_path_buf()));
    // Resolve symlinks in the part of the output path that exists.
    let output = match output.parent().map(|p| p.canonicalize()) {
        Some(Ok(parent)) => parent.join(output.file_name().unwrap_or_default()),
        _ => output,
    };
    if output.parent().is_none() {
        return refuse("it is the file system root".into());
    }
    if root.starts_with(&output) {
        return refuse("it is, or contains, the site root".into());
    }
    for source in ["content", "templates", "static"] {
        let dir = root.join(source);
        if output.starts_with(&dir) || dir.starts_with(&output) {
            return refuse(format!("it overlaps the site's `{source}` folder"));
        }
    }
    if output.join("config.toml").exists() || output.join(".git").exists() {
        return refuse(
            "it holds a config.toml or .git: it looks like a project, not build output".into(),
        );
    }
    if output.is_dir() && !output.join(MARKER).exists() {
        let empty = fs::read_dir(&output)
            .map_err(|e| Error::io(&output, e))?
            .next()
            .is_none();
        if !empty {
            return refuse(format!(
                "it already exists and was not written by Quire (no {MARKER} file in it); \
                 move it away or choose another `output_dir`"
            ));
        }
    }
    Ok(())
}

/// `path` with `.` and `..` removed lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `rel` joined onto `dir`, if it names a file inside it. Every path this module writes or
/// deletes goes through here, whatever produced it (see [`crate::routes`]).
fn inside(dir: &Path, rel: &str) -> Result<PathBuf> {
    crate::routes::check_relative(rel).map_err(|problem| Error::UnsafePath {
        path: rel.to_string(),
        problem,
    })?;
    Ok(dir.join(rel))
}

/// Write `outputs` and `copies` into a fresh folder and swap it in at `output`.
/// Returns the number of files written.
pub fn write_site(output: &Path, outputs: &[Output], copies: &[Copy]) -> Result<usize> {
    Staging::new(output)?.finish(outputs, copies)
}

/// A fresh folder beside the output that files are written into as they are made (so a
/// large build need not hold every page in memory) and that replaces the output only in
/// [`Staging::finish`]. Dropped unfinished, it is removed and the output stays as it was.
pub struct Staging {
    fresh: PathBuf,
    output: PathBuf,
    written: std::sync::atomic::AtomicUsize,
    done: std::sync::atomic::AtomicBool,
}

impl Staging {
    /// Create the fresh folder, after restoring the output from a backup and removing what a
    /// killed build left beside it.
    pub fn new(output: &Path) -> Result<Staging> {
        let parent = output.parent().unwrap_or(Path::new("."));
        let name = output
            .file_name()
            .ok_or_else(|| Error::Other(format!("{} has no folder name", output.display())))?
            .to_string_lossy()
            .into_owned();
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        restore_backup(parent, &name, output)?;
        clean_leftovers(parent, &name)?;
        let fresh = sibling(output, "new");
        let staging = Staging {
            fresh,
            output: output.to_path_buf(),
            written: Default::default(),
            done: Default::default(),
        };
        fs::create_dir_all(&staging.fresh).map_err(|e| Error::io(&staging.fresh, e))?;
        fs::write(staging.fresh.join(MARKER), b"")
            .map_err(|e| Error::io(staging.fresh.join(MARKER), e))?;
        Ok(staging)
    }

    /// Write one file now; safe to call from many threads.
    pub fn write(&self, output: &Output) -> Result<()> {
        let path = inside(&self.fresh, &output.path)?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| self.staged(Error::io(dir, e)))?;
        }
        fs::write(&path, &output.bytes).map_err(|e| self.staged(Error::io(&path, e)))?;
        self.written
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Write the remaining files and swap the folder in. Returns the number of files written,
    /// those given to [`Staging::write`] included.
    pub fn finish(&self, outputs: &[Output], copies: &[Copy]) -> Result<usize> {
        use std::sync::atomic::Ordering;
        if self.done.swap(true, Ordering::SeqCst) {
            return Err(Error::Other("the output was already swapped in".into()));
        }
        match fill(&self.fresh, outputs, copies)
            .and_then(|n| swap(&self.fresh, &self.output).map(|()| n))
        {
            Ok(n) => Ok(n + self.written.load(Ordering::Relaxed)),
            Err(e) => {
                let _ = fs::remove_dir_all(&self.fresh);
                Err(self.staged(e))
            }
        }
    }

    /// An I/O error inside the fresh folder (a full disk, a file size limit), told in terms
    /// of the output: which file could not be written, and that the output was kept.
    fn staged(&self, e: Error) -> Error {
        match e {
            Error::Io { path, source } if path.starts_with(&self.fresh) => {
                let rel = path.strip_prefix(&self.fresh).unwrap_or(&path);
                Error::Other(format!(
                    "cannot write {}: {source}; the build stopped and {} was left as it was",
                    self.output.join(rel).display(),
                    self.output.display()
                ))
            }
            other => other,
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done.load(std::sync::atomic::Ordering::SeqCst) {
            let _ = fs::remove_dir_all(&self.fresh);
        }
    }
}

/// Create `dir` and every folder the files need, before writing them in parallel (so the
/// writers never race on folder creation).
fn create_folders(dir: &Path, outputs: &[Output], copies: &[Copy]) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut folders: Vec<&str> = outputs
        .iter()
        .map(|o| o.path.as_str())
        .chain(copies.iter().map(|c| c.to.as_str()))
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d))
        .collect();
    // Sorted, so parents come before children and each is created once.
    folders.sort_unstable();
    folders.dedup();
    for f in folders {
        let d = inside(dir, f)?;
        fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
    }
    Ok(())
}

fn fill(dir: &Path, outputs: &[Output], copies: &[Copy]) -> Result<usize> {
    create_folders(dir, outputs, copies)?;
    copies.par_iter().try_for_each(|c| {
        fs::copy(&c.from, inside(dir, &c.to)?)
            .map(|_| ())
            .map_err(|e| Error::io(&c.from, e))
    })?;
    outputs.par_iter().try_for_each(|o| {
        let path = inside(dir, &o.path)?;
        fs::write(&path, &o.bytes).map_err(|e| Error::io(&path, e))
    })?;
    Ok(outputs.len() + copies.len())
}

/// Put `fresh` at `output`. With an existing output on Linux, one `renameat2(RENAME_EXCHANGE)`
/// swaps them so the output path is never missing; the old site then sits at `fresh`'s path
/// and is removed (a kill during that removal leaves a `.quire-new-*` folder for the next build
/// to remove).
fn swap(fresh: &Path, output: &Path) -> Result<()> {
    if !output.exists() {
        return fs::rename(fresh, output).map_err(|e| Error::io(output, e));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, fresh, CWD, output, RenameFlags::EXCHANGE) {
            Ok(()) => {
                let _ = fs::remove_dir_all(fresh);
                return Ok(());
            }
            // Not supported by this file system: fall back to two renames below.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(Error::io(output, e.into())),
        }
    }
    swap_by_renames(fresh, output)
}

/// The portable swap: the output becomes a `.<name>.quire-old-<pid>` backup, then `fresh`
/// becomes the output. Between the two renames the output path is missing; a build killed
/// there leaves the backup, which [`restore_backup`] puts back at the start of the next build.
fn swap_by_renames(fresh: &Path, output: &Path) -> Result<()> {
    let backup = sibling(output, "old");
    fs::rename(output, &backup).map_err(|e| Error::io(output, e))?;
    if let Err(e) = fs::rename(fresh, output) {
        let _ = fs::rename(&backup, output);
        return Err(Error::io(output, e));
    }
    let _ = fs::remove_dir_all(&backup);
    Ok(())
}

/// `.<name>.quire-<kind>-<pid>` beside `output`.
fn sibling(output: &Path, kind: &str) -> PathBuf {
    let name = output.file_name().unwrap_or_default().to_string_lossy();
    output.with_file_name(format!(".{name}.quire-{kind}-{}", std::process::id()))
}

/// If the output is missing but a backup of it exists (a build was killed between the two
/// renames of [`swap_by_renames`]), rename the backup back: it is the last complete site.
fn restore_backup(parent: &Path, name: &str, output: &Path) -> Result<()> {
    if fs::symlink_metadata(output).is_ok() {
        return Ok(());
    }
    let prefix = format!(".{name}.quire-old-");
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    // Only one backup exists at a time in practice; with several, the newest is the last site.
    let newest = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|e| e.path().join(MARKER).is_file())
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
    if let Some(backup) = newest {
        fs::rename(backup.path(), output).map_err(|e| Error::io(output, e))?;
    }
    Ok(())
}

/// Remove what a killed build left beside the output: `.<name>.quire-new-*` folders (a
/// half-written site, or the old site an exchange left there) and `.<name>.quire-old-*`
/// backups (once the output exists again).
fn clean_leftovers(parent: &Path, name: &str) -> Result<()> {
    let prefixes = [format!(".{name}.quire-new-"), format!(".{name}.quire-old-")];
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str()))
            && entry.file_type().is_ok_and(|t| t.is_dir())
        {
            let path = entry.path();
            fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Every file under `dir` (a folder of the site at `root`), as (absolute path, path relative
/// to `dir` with `/` separators), by the rules of [`crate::walk`]: editor temporaries and
/// version-control folders are skipped, hidden files kept, links followed only where `links`
/// allows.
pub fn list_files(
    root: &Path,
    dir: &Path,
    links: &crate::walk::Links,
) -> Result<Vec<(PathBuf, String)>> {
    let files = crate::walk::files(root, dir, links, crate::content::is_editor_temporary)?;
    Ok(files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (path, rel)
        })
        .collect())
}

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

    fn out(path: &str, text: &str) -> Output {
        Output {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn writes_then_replaces_the_whole_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        write_site(&public, &[out("a/index.html", "A"), out("b.txt", "B")], &[]).unwrap();
        assert_eq!(
            fs::read_to_string(public.join("a/index.html")).unwrap(),
            "A"
        );
        write_site(&public, &[out("c/index.html", "C")], &[]).unwrap();
        assert!(!public.join("a").exists(), "old files are gone");
        assert_eq!(
            fs::read_to_string(public.join("c/index.html")).unwrap(),
            "C"
        );
        let siblings: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(siblings.len(), 1, "no temporary folders left");
    }

    #[test]
    fn no_path_outside_the_folder_is_written_copied_or_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("site/public");
        let victim = tmp.path().join("victim.txt");
        fs::write(&victim, "precious").unwrap();
        let absolute = victim.display().to_string();
        let bad = [
            absolute.as_str(),
            "../../victim.txt",
            "a/../../../victim.txt",
            "a//b",
            "",
        ];
        for rel in bad {
            let err = write_site(&public, &[out(rel, "x")], &[]).unwrap_err();
            assert!(matches!(err, Error::UnsafePath { .. }), "{rel:?}: {err}");
            let copy = Copy {
                from: victim.clone(),
                to: rel.to_string(),
            };
            let err = write_site(&public, &[], &[copy]).unwrap_err();
            assert!(matches!(err, Error::UnsafePath { .. }), "{rel:?}: {err}");
            let staging = Staging::new(&public).unwrap();
            assert!(staging.write(&out(rel, "x")).is_err(), "{rel:?}");
            drop(staging);
            let live = tmp.path().join("site/live");
            fs::create_dir_all(&live).unwrap();
            assert!(apply(&live, &[out(rel, "x")], &[], &[]).is_err(), "{rel:?}");
            assert!(
                apply(&live, &[], &[], &[rel.to_string()]).is_err(),
                "{rel:?}"
            );
        }
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!public.exists(), "no failed write left an output behind");
    }

    #[test]
    fn leftovers_of_a_killed_build_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let stale = tmp.path().join(".public.quire-new-99999");
        fs::create_dir_all(stale.join("x")).unwrap();
        write_site(&tmp.path().join("public"), &[out("index.html", "x")], &[]).unwrap();
        assert!(!stale.exists());
    }

    #[test]
    fn the_portable_swap_replaces_the_output_and_leaves_nothing_beside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        write_site(&public, &[out("old.txt", "old")], &[]).unwrap();
        let fresh = tmp.path().join(".public.quire-new-1");
        fs::create_dir_all(&fresh).unwrap();
        fs::write(fresh.join("new.txt"), "new").unwrap();
        swap_by_renames(&fresh, &public).unwrap();
        assert_eq!(fs::read_to_string(public.join("new.txt")).unwrap(), "new");
        assert!(!public.join("old.txt").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_backup_left_between_the_two_renames_is_restored_then_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        write_site(&public, &[out("index.html", "last good")], &[]).unwrap();
        // A build killed after renaming the output to its backup, before the fresh folder
        // took its place: no output, a backup, and a half-written fresh folder.
        fs::rename(&public, tmp.path().join(".public.quire-old-99999")).unwrap();
        fs::create_dir_all(tmp.path().join(".public.quire-new-99999/posts")).unwrap();
        let staging = Staging::new(&public).unwrap();
        assert_eq!(
            fs::read_to_string(public.join("index.html")).unwrap(),
            "last good",
            "the backup is the output again before anything else happens"
        );
        drop(staging);
        assert_eq!(
            fs::read_to_string(public.join("index.html")).unwrap(),
            "last good"
        );
        write_site(&public, &[out("index.html", "new")], &[]).unwrap();
        assert_eq!(
            fs::read_to_string(public.join("index.html")).unwrap(),
            "new"
        );
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"], "no backups or staging folders left");
    }

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

    #[test]
    fn refuses_outputs_that_overlap_the_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("content")).unwrap();
        for bad in [".", "content", "content/x", "..", "/", "static"] {
            let out = root.join(bad);
            assert!(
                check_output_dir(root, &out).is_err(),
                "{bad} should be refused"
            );
        }
        assert!(check_output_dir(root, &root.join("public")).is_ok());
    }

    #[test]
    fn refuses_a_folder_quire_did_not_write() {
        let tmp = tempfile::tempdir().unwrap();
        let docs = tmp.path().join("docs");
        fs::create_dir_all(&docs).unwrap();
        fs::write(docs.join("notes.txt"), "mine").unwrap();
        let err = check_output_dir(tmp.path(), &docs).unwrap_err();
        assert!(err.to_string().contains("not written by Quire"), "{err}");
        // Once Quire has written it, it may replace it.
        let public = tmp.path().join("public");
        write_site(&public, &[out("index.html", "x")], &[]).unwrap();
        assert!(check_output_dir(tmp.path(), &public).is_ok());
    }
}
