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

mod folder;
mod live;
mod lock;
mod staging;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use folder::{check_output_dir, resolve};
pub use live::{apply, apply_all};
pub use lock::Lock;
pub use staging::{Staging, write_site};

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

/// `rel` joined onto `dir`, if it names a file inside it. Every path this module writes or
/// deletes goes through here, whatever produced it (see [`crate::routes`]).
fn inside(dir: &Path, rel: &str) -> Result<PathBuf> {
    crate::routes::check_relative(rel).map_err(|problem| Error::UnsafePath {
        path: rel.to_string(),
        problem,
    })?;
    Ok(dir.join(rel))
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

/// A text file of the site, for the tests of this module and its parts.
#[cfg(test)]
fn out(path: &str, text: &str) -> Output {
    Output {
        path: path.into(),
        bytes: text.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
