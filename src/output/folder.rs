//! Which folder the output really is, and whether Quire may replace it: [`resolve`] follows
//! the path as the kernel will (symbolic links before `..`), and [`check_output_dir`] runs
//! every safety rule on that resolved path and returns it for every later step to use.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::MARKER;
use crate::error::{Error, Result};

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
    let marked = resolved.join(MARKER).exists();
    // A config.toml in Quire's own output came from `static/`; a `.git` is never Quire's (a
    // checkout of a deploy branch must not be replaced wholesale).
    if (resolved.join("config.toml").exists() && !marked) || resolved.join(".git").exists() {
        return refuse(
            "it holds a config.toml or .git: it looks like a project, not build output".into(),
        );
    }
    if !marked {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{out, write_site};

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
}
