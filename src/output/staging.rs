//! A full build's fresh folder beside the output, written as pages are made, verified, and
//! swapped in whole; what a killed build left beside the output is restored or removed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use super::lock::{Lock, parent_and_name};
use super::{Copy, MARKER, Output, create_folders, inside};
use crate::error::{Error, Result};

/// Write `outputs` and `copies` into a fresh folder and swap it in at `output` (a path
/// [`check_output_dir`] returned), waiting for any other build of it first.
/// Returns the number of files written.
pub fn write_site(output: &Path, outputs: &[Output], copies: &[Copy]) -> Result<usize> {
    let lock = Lock::acquire(output, |_| {})?;
    Staging::new(output, lock)?.finish(outputs, copies)
}

/// A fresh folder beside the output that files are written into as they are made (so a
/// large build need not hold every page in memory) and that replaces the output only in
/// [`Staging::finish`]. Dropped unfinished, it is removed and the output stays as it was.
pub struct Staging {
    fresh: PathBuf,
    output: PathBuf,
    written: AtomicUsize,
    /// A hash of each path given to [`Staging::write`]: `finish` counts the distinct ones.
    paths: Mutex<Vec<u64>>,
    done: AtomicBool,
    /// What went wrong without failing the build (an old copy that could not be removed).
    warnings: Mutex<Vec<String>>,
    /// Held until the staging folder is swapped in or removed (fields drop after `drop`).
    _lock: Lock,
}

impl Staging {
    /// Create the fresh folder, after restoring the output from a backup and removing what a
    /// killed build left beside it. `output` is a path [`check_output_dir`] returned, and
    /// `lock` is its [`Lock`]: no other build touches the output or its siblings meanwhile.
    pub fn new(output: &Path, lock: Lock) -> Result<Staging> {
        let (parent, name) = parent_and_name(output)?;
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        restore_backup(parent, &name, output)?;
        let mut warnings = Vec::new();
        clean_leftovers(parent, &name, &mut warnings);
        // A new name, never a leftover that could not be removed: it must start empty.
        let fresh = unused_sibling(output, "new");
        fs::create_dir(&fresh).map_err(|e| Error::io(&fresh, e))?;
        let staging = Staging {
            fresh,
            output: output.to_path_buf(),
            written: AtomicUsize::new(0),
            paths: Mutex::new(Vec::new()),
            done: AtomicBool::new(false),
            warnings: Mutex::new(warnings),
            _lock: lock,
        };
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
        lock(&self.paths).push(path_hash(&output.path));
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Write the remaining files, check that every file is there, and swap the folder in.
    /// Returns the number of files written, those given to [`Staging::write`] included. An
    /// old site that cannot be removed after the swap is a warning ([`Staging::warnings`]):
    /// the new site is in place.
    pub fn finish(&self, outputs: &[Output], copies: &[Copy]) -> Result<usize> {
        if self.done.swap(true, Ordering::SeqCst) {
            return Err(Error::Other("the output was already swapped in".into()));
        }
        let swapped = fill(&self.fresh, outputs, copies).and_then(|n| {
            self.verify(outputs, copies)?;
            swap(&self.fresh, &self.output).map(|old| (n, old))
        });
        match swapped {
            Ok((n, old)) => {
                if let Some(old) = old
                    && let Err(why) = remove_copy(&old)
                {
                    lock(&self.warnings).push(format!(
                        "the new site is in place at {}, but the old one, moved to {}, could \
                         not be removed: {why}. Remove it yourself (for example `chmod -R u+w \
                         '{old}' && rm -rf '{old}'`); later builds try again and only warn.",
                        self.output.display(),
                        old.display(),
                        old = old.display(),
                    ));
                }
                Ok(n + self.written.load(Ordering::Relaxed))
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&self.fresh);
                Err(self.staged(e))
            }
        }
    }

    /// What went wrong without failing the build; `main` prints these as warnings.
    pub fn warnings(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.warnings))
    }

    /// Refuse to swap in a folder that lost files or its marker since they were written
    /// (another process removing it was how an incomplete site got published): as many
    /// distinct files must be there as were written.
    fn verify(&self, outputs: &[Output], copies: &[Copy]) -> Result<()> {
        let mut expected = std::mem::take(&mut *lock(&self.paths));
        expected.extend(outputs.iter().map(|o| path_hash(&o.path)));
        expected.extend(copies.iter().map(|c| path_hash(&c.to)));
        expected.sort_unstable();
        expected.dedup();
        let marked = self.fresh.join(MARKER).is_file();
        let found = count_files(&self.fresh).saturating_sub(usize::from(marked));
        if marked && found == expected.len() {
            return Ok(());
        }
        Err(Error::Other(format!(
            "the new site was not complete when it was to replace {}: {found} of {} files{} \
             in {}; it was not swapped in and {} was left as it was (did another program \
             remove files from it?)",
            self.output.display(),
            expected.len(),
            if marked { "" } else { " and no marker" },
            self.fresh.display(),
            self.output.display(),
        )))
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
        if !self.done.load(Ordering::SeqCst) {
            let _ = fs::remove_dir_all(&self.fresh);
        }
    }
}

/// A mutex's contents, whether or not a thread panicked holding it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn path_hash(path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes())
}

/// The number of files under `dir`, not following links, its folders read in parallel (a
/// large site is mostly folders of one `index.html`: opening folders is the cost).
fn count_files(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut files = 0;
    let mut folders = Vec::new();
    for entry in entries.flatten() {
        match entry.file_type() {
            Ok(t) if t.is_dir() => folders.push(entry.path()),
            Ok(t) if t.is_file() => files += 1,
            _ => {}
        }
    }
    files + folders.par_iter().map(|f| count_files(f)).sum::<usize>()
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

/// Put `fresh` at `output`, and return where the old site went (for the caller to remove),
/// if there was one. With an existing output on Linux, one `renameat2(RENAME_EXCHANGE)` swaps
/// them so the output path is never missing; the old site then sits at `fresh`'s path (a kill
/// before it is removed leaves a `.quire-new-*` folder for the next build to remove).
fn swap(fresh: &Path, output: &Path) -> Result<Option<PathBuf>> {
    if fs::symlink_metadata(output).is_err() {
        fs::rename(fresh, output).map_err(|e| Error::io(output, e))?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, fresh, CWD, output, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(Some(fresh.to_path_buf())),
            // Not supported by this file system: fall back to two renames below.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(Error::io(output, e.into())),
        }
    }
    swap_by_renames(fresh, output).map(Some)
}

/// The portable swap: the output becomes a `.<name>.quire-old-<pid>` backup, then `fresh`
/// becomes the output; returns the backup. Between the two renames the output path is
/// missing; a build killed there leaves the backup, which [`restore_backup`] puts back at the
/// start of the next build.
fn swap_by_renames(fresh: &Path, output: &Path) -> Result<PathBuf> {
    let backup = unused_sibling(output, "old");
    fs::rename(output, &backup).map_err(|e| Error::io(output, e))?;
    if let Err(e) = fs::rename(fresh, output) {
        let _ = fs::rename(&backup, output);
        return Err(Error::io(output, e));
    }
    Ok(backup)
}

/// `.<name>.quire-<kind>-<pid>` beside `output`, or `.<name>.quire-<kind>-<pid>.<n>` if that
/// is taken (by a leftover that could not be removed).
fn unused_sibling(output: &Path, kind: &str) -> PathBuf {
    let name = output.file_name().unwrap_or_default().to_string_lossy();
    let base = format!(".{name}.quire-{kind}-{}", std::process::id());
    (0..)
        .map(|n| match n {
            0 => output.with_file_name(&base),
            n => output.with_file_name(format!("{base}.{n}")),
        })
        .find(|p| fs::symlink_metadata(p).is_err())
        .expect("an unused name")
}

/// The pid in the tail of a `.<name>.quire-<kind>-<pid>[.<n>]` name.
fn pid_of(tail: &str) -> Option<u32> {
    tail.split('.').next()?.parse().ok()
}

/// Whether `pid` is a running process other than this one: its staging folders are not
/// ours to remove. The lock already keeps builds of one output apart; this guards against
/// anything that slips past it (an older Quire without the lock).
fn alive_elsewhere(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Pid, test_kill_process};
        match i32::try_from(pid).ok().and_then(Pid::from_raw) {
            // Signal 0 checks existence; EPERM means it exists but is someone else's.
            Some(p) => !matches!(test_kill_process(p), Err(rustix::io::Errno::SRCH)),
            None => false,
        }
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// The sibling folders a build of `name` leaves, of `kind` (`new` or `old`), as (path, pid).
fn siblings(parent: &Path, name: &str, kind: &str) -> Vec<(fs::DirEntry, Option<u32>)> {
    let prefix = format!(".{name}.quire-{kind}-");
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let file_name = e.file_name();
            let tail = file_name
                .to_string_lossy()
                .strip_prefix(&prefix)?
                .to_string();
            Some((e, pid_of(&tail)))
        })
        .filter(|(_, pid)| !pid.is_some_and(alive_elsewhere))
        .collect()
}

/// If the output is missing but a backup of it exists (a build was killed between the two
/// renames of [`swap_by_renames`]), rename the backup back: it is the last complete site.
fn restore_backup(parent: &Path, name: &str, output: &Path) -> Result<()> {
    if fs::symlink_metadata(output).is_ok() {
        return Ok(());
    }
    // Only one backup exists at a time in practice; with several, the newest is the last site.
    // One without its marker is an old site partly removed, never a whole one.
    let newest = siblings(parent, name, "old")
        .into_iter()
        .map(|(e, _)| e)
        .filter(|e| e.path().join(MARKER).is_file())
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
    if let Some(backup) = newest {
        fs::rename(backup.path(), output).map_err(|e| Error::io(output, e))?;
    }
    Ok(())
}

/// Remove what a killed build left beside the output: `.<name>.quire-new-*` folders (a
/// half-written site, or the old site an exchange left there) and `.<name>.quire-old-*`
/// backups (once the output exists again). One that cannot be removed is a warning, not an
/// error: it is not part of the site, and the build must not fail because of it.
fn clean_leftovers(parent: &Path, name: &str, warnings: &mut Vec<String>) {
    for (entry, _) in siblings(parent, name, "new")
        .into_iter()
        .chain(siblings(parent, name, "old"))
    {
        let path = entry.path();
        if let Err(why) = remove_copy(&path) {
            warnings.push(format!(
                "could not remove {path}, left beside the output by an earlier build: {why}. \
                 It is not part of the site; remove it yourself (for example `chmod -R u+w \
                 '{path}' && rm -rf '{path}'`).",
                path = path.display()
            ));
        }
    }
}

/// Remove a copy of the site Quire made (an old site after the swap, a leftover): its marker
/// first, so a copy that cannot be removed whole is never taken for a complete site again.
/// The error says which folder stopped it, when one is read-only.
fn remove_copy(dir: &Path) -> std::result::Result<(), String> {
    let _ = fs::remove_file(dir.join(MARKER));
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => {
            let read_only = walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(|e| e.ok())
                .find(|e| {
                    e.file_type().is_dir() && e.metadata().is_ok_and(|m| m.permissions().readonly())
                });
            Err(match read_only {
                Some(d) => format!("{e}; the folder {} is read-only", d.path().display()),
                None => e.to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::out;

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
    fn leftovers_of_a_killed_build_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let stale = tmp.path().join(".public.quire-new-999999999");
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
        let backup = swap_by_renames(&fresh, &public).unwrap();
        remove_copy(&backup).unwrap();
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
        fs::rename(&public, tmp.path().join(".public.quire-old-999999999")).unwrap();
        fs::create_dir_all(tmp.path().join(".public.quire-new-999999999/posts")).unwrap();
        let staging = Staging::new(&public, Lock::acquire(&public, |_| {}).unwrap()).unwrap();
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

    #[cfg(target_os = "linux")]
    #[test]
    fn a_leftover_of_a_live_process_is_kept_and_a_dead_ones_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let live = tmp.path().join(format!(".public.quire-new-{}", child.id()));
        let dead = tmp.path().join(".public.quire-new-999999999");
        let dead_backup = tmp.path().join(".public.quire-old-999999999.3");
        for dir in [&live, &dead, &dead_backup] {
            fs::create_dir_all(dir.join("posts")).unwrap();
        }
        write_site(&tmp.path().join("public"), &[out("index.html", "x")], &[]).unwrap();
        let (live_kept, dead_kept) = (live.exists(), dead.exists() || dead_backup.exists());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(live_kept, "a live build's folder was removed");
        assert!(!dead_kept, "a dead build's folder was left");
        // Once that process is gone, the next build removes it.
        write_site(&tmp.path().join("public"), &[out("index.html", "y")], &[]).unwrap();
        assert!(!live.exists());
    }

    #[test]
    fn a_staging_folder_that_lost_files_is_not_swapped_in() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        write_site(&public, &[out("index.html", "old")], &[]).unwrap();
        for lose in ["a/index.html", MARKER] {
            let staging = Staging::new(&public, Lock::acquire(&public, |_| {}).unwrap()).unwrap();
            staging.write(&out("a/index.html", "A")).unwrap();
            staging.write(&out("b/index.html", "B")).unwrap();
            fs::remove_file(staging.fresh.join(lose)).unwrap();
            let err = staging
                .finish(&[out("index.html", "new")], &[])
                .unwrap_err();
            assert!(err.to_string().contains("not complete"), "{err}");
            drop(staging);
            assert_eq!(
                fs::read_to_string(public.join("index.html")).unwrap(),
                "old"
            );
        }
        // The same path written twice counts once.
        let staging = Staging::new(&public, Lock::acquire(&public, |_| {}).unwrap()).unwrap();
        staging.write(&out("index.html", "first")).unwrap();
        staging.finish(&[out("index.html", "new")], &[]).unwrap();
        assert_eq!(
            fs::read_to_string(public.join("index.html")).unwrap(),
            "new"
        );
    }
}
