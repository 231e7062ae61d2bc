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
//!
//! The output path is [`resolve`]d the way the kernel will resolve it (symbolic links first,
//! then `..`), every safety rule of [`check_output_dir`] runs on that resolved path, and the
//! build then uses only the resolved path, so the check and the writes cannot disagree. A
//! symbolic link to a folder is written through: the rules apply to its target, which is
//! replaced, and the link is left as it is.
//!
//! Builds of one output exclude each other with a [`Lock`] on `.<name>.quire-lock` beside it:
//! the second waits (and says so through its callback) until the first has swapped. Without
//! it, one build's cleanup removed the other's half-written folder, which was then swapped in.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

/// How many symbolic links [`resolve`] follows before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// `path` made absolute and resolved the way the kernel resolves it when the build creates and
/// writes it: each symbolic link is replaced by its target before the next component is
/// read, so `link/..` is the parent of the link's *target*, not the folder holding the link.
/// Components that do not exist are taken as folders the build will create (`..` after one
/// removes it again, as it would once created). The result has no links, `.` or `..`.
///
/// `std::fs::canonicalize` needs the whole path to exist; normalising `..` first (lexically)
/// answers for a different folder than the one the kernel would write to.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    /// A component still to resolve, owned so a link's target can be pushed in its place.
    enum Part {
        Prefix(OsString),
        Root,
        Parent,
        Name(OsString),
    }
    fn parts(path: &Path) -> impl DoubleEndedIterator<Item = Part> + '_ {
        path.components().filter_map(|c| match c {
            Component::Prefix(p) => Some(Part::Prefix(p.as_os_str().to_os_string())),
            Component::RootDir => Some(Part::Root),
            Component::CurDir => None,
            Component::ParentDir => Some(Part::Parent),
            Component::Normal(n) => Some(Part::Name(n.to_os_string())),
        })
    }
    let path = std::path::absolute(path)?;
    // Still to resolve, last component first.
    let mut todo: Vec<Part> = parts(&path).rev().collect();
    let mut out = PathBuf::new();
    let mut links = 0;
    while let Some(part) = todo.pop() {
        match part {
            // A root starts over, as an absolute link target does (on the same drive, on
            // Windows, unless a prefix came first).
            Part::Prefix(p) => out = PathBuf::from(p),
            Part::Root => {
                let drive = match out.components().next() {
                    Some(Component::Prefix(p)) => PathBuf::from(p.as_os_str()),
                    _ => PathBuf::new(),
                };
                out = drive.join(std::path::MAIN_SEPARATOR_STR);
            }
            // `out` is free of links, so its parent is what the kernel finds at `..`; at the
            // file system root it stays there.
            Part::Parent => {
                out.pop();
            }
            Part::Name(name) => {
                let next = out.join(&name);
                match fs::symlink_metadata(&next) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        links += 1;
                        if links > MAX_LINKS {
                            return Err(io::Error::other(format!(
                                "more than {MAX_LINKS} symbolic links (a loop?) at {}",
                                next.display()
                            )));
                        }
                        let target = fs::read_link(&next)?;
                        // Relative targets are read from the link's folder, `out`.
                        todo.extend(parts(&target).rev());
                    }
                    Ok(_) => out = next,
                    // To be created by the build (or refused by it: a file in the middle).
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                        ) =>
                    {
                        out = next
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(out)
}

/// Check that `output` can be replaced wholesale without touching the author's files, and
/// return it [`resolve`]d: the path every later step must use. Every rule runs on the resolved
/// path: it must not be the file system root, the site root or an ancestor of it, one of the
/// source folders (wherever a link puts them) or inside one; it must not be a file; and an
/// existing non-empty folder must be one Quire wrote.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<PathBuf> {
    let refuse = |reason: String| Error::UnsafeOutput {
        path: output.to_path_buf(),
        reason,
    };
    let resolved =
        resolve(output).map_err(|e| refuse(format!("its path cannot be resolved: {e}")))?;
    // Say where a link led, so a refusal of `link/../x` makes sense.
    let shown = std::path::absolute(output).map(|p| normalize(&p));
    let led = if shown.is_ok_and(|p| p == resolved) {
        String::new()
    } else {
        format!("it leads to {}; ", resolved.display())
    };
    let refuse = |reason: String| Err(refuse(format!("{led}{reason}")));
    let root = resolve(root).unwrap_or_else(|_| root.to_path_buf());
    if resolved.parent().is_none() {
        return refuse("it is the file system root".into());
    }
    if root.starts_with(&resolved) {
        return refuse("it is, or contains, the site root".into());
    }
    for source in ["content", "templates", "static"] {
        let dir = resolve(&root.join(source)).unwrap_or_else(|_| root.join(source));
        if resolved.starts_with(&dir) || dir.starts_with(&resolved) {
            return refuse(format!("it overlaps the site's `{source}` folder"));
        }
    }
    match fs::metadata(&resolved) {
        Ok(meta) if !meta.is_dir() => {
            return refuse(
                "it is an existing file, not a folder; choose a folder for the site".into(),
            );
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(resolved),
        Err(e) => return Err(Error::io(&resolved, e)),
    }
    if resolved.join("config.toml").exists() || resolved.join(".git").exists() {
        return refuse(
            "it holds a config.toml or .git: it looks like a project, not build output".into(),
        );
    }
    if !resolved.join(MARKER).exists() {
        let empty = fs::read_dir(&resolved)
            .map_err(|e| Error::io(&resolved, e))?
            .next()
            .is_none();
        if !empty {
            return refuse(format!(
                "it already exists and was not written by Quire (no {MARKER} file in it); \
                 move it away or choose another `output_dir`"
            ));
        }
    }
    Ok(resolved)
}

/// `path` with `.` and `..` removed lexically: only to tell whether [`resolve`] went through a
/// link, never to decide where to write.
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

/// An exclusive hold on one output folder, from before its leftovers are cleaned until after
/// the swap: an advisory lock (`flock`) on `.<name>.quire-lock` beside the output, holding the
/// holder's pid. Whoever holds it removes the file as it lets go, so no lock file stays beside
/// the output; a build killed while holding it leaves the file but not the lock (the kernel
/// drops it), and the next build reuses and removes it.
#[derive(Debug)]
pub struct Lock {
    file: fs::File,
    path: PathBuf,
}

impl Lock {
    /// Take the lock of `output` (a [`resolve`]d path), creating its parent folder if needed.
    /// If another process holds it, `waiting` is called once with that process's pid (when it
    /// could be read), then this waits for as long as that build takes: a build is never
    /// refused for being second, and never runs beside another one of the same output.
    pub fn acquire(output: &Path, waiting: impl FnOnce(Option<u32>)) -> Result<Lock> {
        let (parent, name) = parent_and_name(output)?;
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let path = parent.join(format!(".{name}.quire-lock"));
        let mut waiting = Some(waiting);
        loop {
            let file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    if let Some(waiting) = waiting.take() {
                        waiting(
                            fs::read_to_string(&path)
                                .ok()
                                .and_then(|s| s.trim().parse().ok()),
                        );
                    }
                    file.lock().map_err(|e| Error::io(&path, e))?;
                }
                // A file system without locks: build unguarded rather than not at all.
                Err(fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {}
                Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
            // The previous holder removes the file as it lets go: if it did while this one
            // waited, the lock is on a file no longer there. Start again with the current one.
            if !same_file(&file, &path) {
                continue;
            }
            let mut file = file;
            file.set_len(0).map_err(|e| Error::io(&path, e))?;
            io::Write::write_all(&mut file, format!("{}\n", std::process::id()).as_bytes())
                .map_err(|e| Error::io(&path, e))?;
            return Ok(Lock { file, path });
        }
    }
}

impl Drop for Lock {
    /// Remove the file while still holding the lock (the file is closed, and the lock
    /// released, right after): a waiter then finds its file gone and opens the next one.
    fn drop(&mut self) {
        #[cfg(unix)]
        if same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether `file` is the file at `path` now.
fn same_file(file: &fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    // Without inode numbers the file is never removed (see `Drop`), so it is the same.
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

fn parent_and_name(output: &Path) -> Result<(&Path, String)> {
    let name = output
        .file_name()
        .ok_or_else(|| Error::Other(format!("{} has no folder name", output.display())))?
        .to_string_lossy()
        .into_owned();
    Ok((output.parent().unwrap_or(Path::new(".")), name))
}

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
        let found = walkdir::WalkDir::new(&self.fresh)
            .min_depth(1)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file() && !(e.depth() == 1 && e.file_name() == MARKER))
            .count();
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
            let staging = Staging::new(&public, Lock::acquire(&public, |_| {}).unwrap()).unwrap();
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

    /// A tree with links of every kind, for [`resolve`]: `site/link` and `site/rel` lead to
    /// `site/a/b`, `site/up` to the folder holding the site, `site/abs` to `/`.
    #[cfg(unix)]
    fn linked_tree() -> (tempfile::TempDir, PathBuf) {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path().canonicalize().unwrap();
        for dir in ["site/content", "site/a/b", "other"] {
            fs::create_dir_all(t.join(dir)).unwrap();
        }
        fs::write(t.join("site/file.txt"), "x").unwrap();
        symlink(t.join("site/a/b"), t.join("site/link")).unwrap();
        for (link, target) in [
            ("rel", "a/b"),
            ("chain", "rel"),
            ("up", ".."),
            ("abs", "/"),
            ("loop1", "loop2"),
            ("loop2", "loop1"),
            ("dangling", "missing/place"),
        ] {
            symlink(target, t.join("site").join(link)).unwrap();
        }
        (tmp, t)
    }

    #[test]
    #[cfg(unix)]
    fn resolve_follows_links_before_dot_dot_like_the_kernel() {
        let (_tmp, t) = linked_tree();
        // (path under the tree, or absolute; what it resolves to, `None` for an error)
        let cases: &[(&str, Option<&str>)] = &[
            ("site/public", Some("site/public")),
            ("site/./public/", Some("site/public")),
            ("site/public/../public", Some("site/public")),
            ("site/link", Some("site/a/b")),
            ("site/link/", Some("site/a/b")),
            // The hole a lexical check left: `..` applies to the link's target.
            ("site/link/../../content", Some("site/content")),
            ("site/link/../precious", Some("site/a/precious")),
            ("site/rel/../..", Some("site")),
            ("site/chain/x/y", Some("site/a/b/x/y")),
            ("site/link/new/deeper", Some("site/a/b/new/deeper")),
            // Missing folders are created, then left by `..`; what follows is still resolved.
            ("site/missing/../content", Some("site/content")),
            ("site/missing/x/../../link/..", Some("site/a")),
            ("site/./a/./link/../..", Some("site")),
            ("site/up/other", Some("other")),
            ("site/up/site/link/..", Some("site/a")),
            ("site/abs", Some("/")),
            ("site/abs/..", Some("/")),
            ("site/dangling", Some("site/missing/place")),
            // Not a folder: resolved as written, for the rules to refuse.
            ("site/file.txt/x", Some("site/file.txt/x")),
            ("site/loop1", None),
            ("site/loop1/x", None),
            ("/..", Some("/")),
            ("/./", Some("/")),
        ];
        let mut wrong = Vec::new();
        for (input, want) in cases {
            let path = if input.starts_with('/') {
                PathBuf::from(input)
            } else {
                t.join(input)
            };
            let want = want.map(|w| {
                if w.starts_with('/') {
                    PathBuf::from(w)
                } else {
                    t.join(w)
                }
            });
            let got = resolve(&path).ok();
            if got != want {
                wrong.push(format!("{input}: got {got:?}, want {want:?}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        // A relative path is resolved from the current folder, like `--output`.
        let here = std::env::current_dir().unwrap().canonicalize().unwrap();
        assert_eq!(resolve(Path::new("x/../y")).unwrap(), here.join("y"));
    }

    #[test]
    #[cfg(unix)]
    fn the_rules_apply_to_the_resolved_path() {
        let (_tmp, t) = linked_tree();
        let root = t.join("site");
        for (bad, reason) in [
            ("link/../../content", "overlaps the site's `content` folder"),
            ("link/../..", "contains, the site root"),
            ("up/site", "contains, the site root"),
            ("abs", "file system root"),
            ("abs/..", "file system root"),
            ("file.txt", "not a folder"),
            ("rel/../../file.txt", "not a folder"),
            ("loop1", "cannot be resolved"),
        ] {
            let err = check_output_dir(&root, &root.join(bad))
                .unwrap_err()
                .to_string();
            assert!(err.contains(reason), "{bad}: {err}");
        }
        // The same through a link to `content`, below folders that do not exist yet.
        std::os::unix::fs::symlink(root.join("content"), root.join("c")).unwrap();
        let err = check_output_dir(&root, &root.join("c/new/deeper")).unwrap_err();
        assert!(err.to_string().contains("`content`"), "{err}");
        // A link to a new folder elsewhere is written through: the target is returned.
        std::os::unix::fs::symlink(t.join("other/site"), root.join("public")).unwrap();
        assert_eq!(
            check_output_dir(&root, &root.join("public")).unwrap(),
            t.join("other/site")
        );
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

    #[test]
    fn the_lock_makes_a_second_build_wait_and_is_removed_after() {
        let tmp = tempfile::tempdir().unwrap();
        let public = tmp.path().join("public");
        let first = Lock::acquire(&public, |_| panic!("nobody holds it")).unwrap();
        let lock_file = tmp.path().join(".public.quire-lock");
        assert_eq!(
            fs::read_to_string(&lock_file).unwrap().trim(),
            std::process::id().to_string()
        );
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let public = public.clone();
            std::thread::spawn(move || {
                let tx2 = tx.clone();
                let lock = Lock::acquire(&public, move |holder| {
                    tx2.send(format!("waiting for {holder:?}")).unwrap()
                })
                .unwrap();
                tx.send("locked".into()).unwrap();
                drop(lock);
            })
        };
        let timeout = std::time::Duration::from_secs(10);
        let pid = std::process::id();
        assert_eq!(
            rx.recv_timeout(timeout).unwrap(),
            format!("waiting for Some({pid})")
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(rx.try_recv().is_err(), "locked while the first held it");
        drop(first);
        assert_eq!(rx.recv_timeout(timeout).unwrap(), "locked");
        waiter.join().unwrap();
        assert!(
            !lock_file.exists(),
            "the lock file is removed by its last holder"
        );
    }
}
