//! Walking a source folder (`content/`, `templates/`, `static/`) by one set of rules: files in
//! name order; names the caller skips left out; names that are not UTF-8 refused (they cannot
//! become URLs, and converting them lossily made two files one); and a symbolic link followed
//! only when it resolves inside the site root or a folder `allow_symlinks_outside` names, so
//! that `static/env.txt -> /proc/self/environ` cannot publish the build machine's secrets.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::relative;
use crate::error::{Diagnostic, Error, Result};

/// Where symbolic links may lead: the site root and the folders the config allows, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    allowed: Vec<PathBuf>,
}

impl Links {
    /// Links into `root`, or into a folder of `allow_symlinks_outside` (relative to `root`
    /// unless absolute). A folder that cannot be resolved is an error at its config line.
    pub fn new(root: &Path, config: &Config) -> Result<Links> {
        let mut links = Links::within(root)?;
        let mut errors = Vec::new();
        for (dir, (line, col, source)) in &config.allow_symlinks_outside {
            match root.join(dir).canonicalize() {
                Ok(d) => links.allowed.push(d),
                Err(e) => errors.push(Error::Source(Diagnostic {
                    path: PathBuf::from("config.toml"),
                    position: Some((*line, *col)),
                    message: format!(
                        "`allow_symlinks_outside` names `{}`, which cannot be resolved ({e}): \
                         give an existing folder, absolute or relative to the site folder",
                        dir.display()
                    ),
                    source_line: Some(source.clone()),
                })),
            }
        }
        match Error::from_many(errors) {
            Some(e) => Err(e),
            None => Ok(links),
        }
    }

    /// Links into `root` only.
    pub fn within(root: &Path) -> Result<Links> {
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        Ok(Links {
            allowed: vec![root],
        })
    }

    /// Whether the link at `link` may be followed; else the error to report, naming the link
    /// (relative to `root`) and where it leads.
    fn check(&self, root: &Path, link: &Path) -> Result<()> {
        let shown = relative(root, link);
        let written = std::fs::read_link(link)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let message = match link.canonicalize() {
            Ok(target) if self.allowed.iter().any(|d| target.starts_with(d)) => return Ok(()),
            Ok(target) => {
                let target = target.display().to_string();
                let to = if target == written {
                    format!("`{target}`")
                } else {
                    format!("`{written}` (that is, `{target}`)")
                };
                format!(
                    "a symbolic link to {to}, outside the site folder: Quire follows links only \
                     within it, so that no link can publish other files of this machine. Copy \
                     what should be published into the site, or, if that folder is meant to be \
                     shared, add it to `allow_symlinks_outside = [...]` in config.toml"
                )
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => format!(
                "symbolic link to `{written}`, which does not exist: fix or remove the link"
            ),
            Err(e) => format!("cannot follow the symbolic link to `{written}`: {e}"),
        };
        Err(Error::Source(Diagnostic::new(shown, message)))
    }
}

/// Every file under `dir` (absolute paths, in name order) by the rules of this module, leaving
/// out entries whose name `skip` accepts (and what is under them). `dir` missing is no files;
/// every problem found is reported, not only the first.
pub fn files(
    root: &Path,
    dir: &Path,
    links: &Links,
    skip: fn(&str) -> bool,
) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if std::fs::symlink_metadata(dir).is_err() {
        return Ok(out);
    }
    let errors = RefCell::new(Vec::new());
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 {
                if skip(&e.file_name().to_string_lossy()) {
                    return false;
                }
                if e.file_name().to_str().is_none() {
                    let what = if e.file_type().is_dir() {
                        "folder"
                    } else {
                        "file"
                    };
                    errors.borrow_mut().push(Error::Source(Diagnostic::new(
                        escaped(&relative(root, e.path())),
                        format!(
                            "the {what} name is not valid UTF-8 (each byte that is not \
                             is shown as \\xNN), so it cannot be part of a URL: rename it"
                        ),
                    )));
                    return false;
                }
            }
            if e.path_is_symlink()
                && let Err(err) = links.check(root, e.path())
            {
                errors.borrow_mut().push(err);
                return false;
            }
            true
        });
    for entry in walker {
        match entry {
            // Anything else (folders, sockets, pipes) is not a file to read.
            // `dir` itself, even when it is a file rather than a folder: no sources in it.
            Ok(e) if e.depth() == 0 => {}
            Ok(e) if e.file_type().is_file() => out.push(e.into_path()),
            Ok(_) => {}
            Err(e) => errors.borrow_mut().push(walk_error(root, dir, links, e)),
        }
    }
    match Error::from_many(errors.into_inner()) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// A walk error in words: a link loop, or a link that leads nowhere. walkdir finds a loop
/// before the link is checked: a link out of the site (`static/x -> /`, an ancestor of the
/// site) is reported as that rather than as a loop.
fn walk_error(root: &Path, dir: &Path, links: &Links, e: walkdir::Error) -> Error {
    let path = e.path().unwrap_or(dir).to_path_buf();
    if e.loop_ancestor().is_some()
        && let Err(out) = links.check(root, &path)
    {
        return out;
    }
    let shown = relative(root, &path);
    let msg = match (e.loop_ancestor(), e.io_error()) {
        (Some(a), _) => format!("symbolic link loop back to {}", relative(root, a).display()),
        // Say what the link points at rather than walkdir's absolute path.
        (None, Some(io)) => match std::fs::read_link(&path) {
            Ok(to) if io.kind() == std::io::ErrorKind::NotFound => format!(
                "symbolic link to `{}`, which does not exist: fix or remove the link",
                to.display()
            ),
            Ok(to) => format!(
                "cannot follow the symbolic link to `{}`: {io}",
                to.display()
            ),
            Err(_) => format!("cannot read it: {io}"),
        },
        (None, None) => e.to_string(),
    };
    Error::Source(Diagnostic::new(shown, msg))
}

/// `path` as text, each byte that is not part of valid UTF-8 written as `\xNN`, so two names
/// that differ only in such bytes stay apart in messages.
pub fn escaped(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write as _;
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02X}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        path.display().to_string()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::fs;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;

    fn none(_: &str) -> bool {
        false
    }

    fn names(root: &Path, files: &[PathBuf]) -> Vec<String> {
        files
            .iter()
            .map(|f| relative(root, f).display().to_string())
            .collect()
    }

    #[test]
    fn links_are_followed_inside_the_root_only() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), "s").unwrap();
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir_all(root.join("static/sub")).unwrap();
        fs::create_dir_all(root.join("shared")).unwrap();
        fs::write(root.join("shared/a.txt"), "a").unwrap();
        fs::write(root.join("static/sub/b.txt"), "b").unwrap();
        symlink("../shared/a.txt", root.join("static/in.txt")).unwrap();
        symlink("../shared", root.join("static/dir")).unwrap();
        // A chain of links, the last one leading out.
        symlink(outside.path().join("secret"), root.join("shared/out")).unwrap();
        symlink("../shared/out", root.join("static/chain")).unwrap();
        let links = Links::within(root).unwrap();
        let err = files(root, &root.join("static"), &links, none).unwrap_err();
        let text = err.to_string();
        // `static/chain` and `static/dir/out` both lead out; nothing else is wrong.
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(
            text.contains("static/chain: a symbolic link to `../shared/out`"),
            "{text}"
        );
        assert!(
            text.contains("static/dir/out: a symbolic link to"),
            "{text}"
        );
        assert!(text.contains("allow_symlinks_outside"), "{text}");

        fs::remove_file(root.join("shared/out")).unwrap();
        fs::remove_file(root.join("static/chain")).unwrap();
        let found = files(root, &root.join("static"), &links, none).unwrap();
        assert_eq!(
            names(root, &found),
            ["static/dir/a.txt", "static/in.txt", "static/sub/b.txt"]
        );
    }

    #[test]
    fn an_allowed_folder_opens_links_into_it_and_no_other() {
        let outside = tempfile::tempdir().unwrap();
        fs::create_dir(outside.path().join("ok")).unwrap();
        fs::write(outside.path().join("ok/x"), "x").unwrap();
        fs::write(outside.path().join("no"), "n").unwrap();
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir(root.join("static")).unwrap();
        symlink(outside.path().join("ok/x"), root.join("static/x")).unwrap();
        symlink(outside.path().join("no"), root.join("static/no")).unwrap();
        let config = Config::parse(
            &format!(
                "title = \"T\"\nbase_url = \"https://e.org/\"\nallow_symlinks_outside = [{:?}]",
                outside.path().join("ok")
            ),
            Path::new("config.toml"),
        )
        .unwrap();
        let links = Links::new(root, &config).unwrap();
        let err = files(root, &root.join("static"), &links, none).unwrap_err();
        assert!(
            err.to_string().starts_with("static/no: a symbolic link"),
            "{err}"
        );
        fs::remove_file(root.join("static/no")).unwrap();
        let found = files(root, &root.join("static"), &links, none).unwrap();
        assert_eq!(names(root, &found), ["static/x"]);

        let config = Config::parse(
            "title = \"T\"\nbase_url = \"https://e.org/\"\nallow_symlinks_outside = [\"nope\"]",
            Path::new("config.toml"),
        )
        .unwrap();
        let err = Links::new(root, &config).unwrap_err();
        assert!(err.to_string().starts_with("config.toml:3:27: "), "{err}");
    }

    #[test]
    fn a_source_folder_that_is_itself_a_link_out_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("passwd"), "p").unwrap();
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        symlink(outside.path(), root.join("static")).unwrap();
        let links = Links::within(root).unwrap();
        let err = files(root, &root.join("static"), &links, none).unwrap_err();
        assert!(
            err.to_string().starts_with("static: a symbolic link"),
            "{err}"
        );
    }

    #[test]
    fn names_that_are_not_utf8_are_refused_with_their_bytes_escaped() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        let dir = root.join("static");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join(OsStr::from_bytes(b"caf\xe9.txt")), "1").unwrap();
        fs::write(dir.join(OsStr::from_bytes(b"caf\xff.txt")), "2").unwrap();
        fs::write(dir.join(OsStr::from_bytes(b"x\xff.swp")), "2").unwrap();
        fs::write(dir.join("ok.txt"), "3").unwrap();
        let skip = |n: &str| n.ends_with(".swp");
        let err = files(root, &dir, &Links::within(root).unwrap(), skip).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("static/caf\\xE9.txt: the file name is not valid UTF-8"),
            "{text}"
        );
        assert!(text.contains("static/caf\\xFF.txt: "), "{text}");
        assert!(text.contains("rename it"), "{text}");
        assert_eq!(text.lines().count(), 2, "{text}");
    }
}
