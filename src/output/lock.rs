//! One build of an output at a time: an advisory lock beside the output folder.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

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

pub(super) fn parent_and_name(output: &Path) -> Result<(&Path, String)> {
    let name = output
        .file_name()
        .ok_or_else(|| Error::Other(format!("{} has no folder name", output.display())))?
        .to_string_lossy()
        .into_owned();
    Ok((output.parent().unwrap_or(Path::new(".")), name))
}

#[cfg(test)]
mod tests {
    use super::*;

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
