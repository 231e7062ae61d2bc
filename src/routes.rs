//! Where each URL of the site is written: the one rule that turns a site URL path into a file
//! under the output folder, and the check that no path, whatever produced it (a permalink
//! pattern, an alias, a slug, a tag, a bundle asset), can name a file outside that folder.
//!
//! Sources check their own paths with [`check_url_path`] so that the error points at the
//! front matter or config line; [`crate::output`] checks every relative path again with
//! [`check_relative`] before joining it onto a folder, so a mistake anywhere upstream is a
//! failed build, never a file written or deleted outside the output.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use foldhash::HashMap;

use crate::error::Error;

/// The longest file or folder name most file systems accept, in bytes.
const MAX_NAME: usize = 255;

/// Why a path cannot name a place in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    /// A URL path that does not start with `/`.
    NotRooted,
    /// A relative output path that starts with `/` (an absolute path).
    Absolute,
    /// Nothing at all.
    Empty,
    /// `//`: an empty segment (a leading `//` is a protocol-relative URL to another host).
    EmptySegment,
    /// A `.` or `..` segment.
    DotSegment(String),
    Backslash,
    /// A control character (a NUL would cut the path short; others are invisible).
    Control,
    QueryOrFragment,
    /// A segment longer than file systems allow.
    TooLong(usize),
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathProblem::NotRooted => f.write_str("it must start with `/`"),
            PathProblem::Absolute => f.write_str("it is an absolute path"),
            PathProblem::Empty => f.write_str("it is empty"),
            PathProblem::EmptySegment => {
                f.write_str("it contains `//` (a path starting with `//` names another host)")
            }
            PathProblem::DotSegment(s) => write!(f, "it contains a `{s}` segment"),
            PathProblem::Backslash => f.write_str("it contains a backslash (`\\`)"),
            PathProblem::Control => f.write_str("it contains a control character"),
            PathProblem::QueryOrFragment => f.write_str("it contains `?` or `#`"),
            PathProblem::TooLong(n) => write!(
                f,
                "one of its segments is {n} bytes long, more than the {MAX_NAME} a file name may have"
            ),
        }
    }
}

/// Check a URL path of the site (`/posts/hello/`, `/feed.xml`, `/`): it starts with exactly
/// one `/` and every segment between slashes is a plain name, so it names a file or folder
/// inside the output folder whatever the platform.
pub fn check_url_path(path: &str) -> Result<(), PathProblem> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(if path.is_empty() {
            PathProblem::Empty
        } else {
            PathProblem::NotRooted
        });
    };
    if rest.is_empty() {
        return Ok(());
    }
    // A trailing `/` marks a folder; every other segment must be a name.
    check_segments(rest.strip_suffix('/').unwrap_or(rest))
}

/// Check a path relative to the output folder (`posts/hello/index.html`), as written to disk.
pub fn check_relative(rel: &str) -> Result<(), PathProblem> {
    if rel.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    check_segments(rel)?;
    // What the platform makes of it: only plain names (no root, prefix or `..`).
    if Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        Ok(())
    } else {
        Err(PathProblem::Absolute)
    }
}

fn check_segments(path: &str) -> Result<(), PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    if path.contains(|c: char| c.is_control()) {
        return Err(PathProblem::Control);
    }
    if path.contains(['?', '#']) {
        return Err(PathProblem::QueryOrFragment);
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err(PathProblem::EmptySegment),
            "." | ".." => return Err(PathProblem::DotSegment(segment.into())),
            s if s.len() > MAX_NAME => return Err(PathProblem::TooLong(s.len())),
            _ => {}
        }
    }
    Ok(())
}

/// The site path an alias (`/old/url/`, `/old.html`) redirects from, relative to the base
/// path. Folder-like paths get a trailing `/` (they are written as `<path>/index.html`).
/// The error is the whole message, for the front matter line that gave the alias.
pub fn alias_path(alias: &str) -> Result<String, String> {
    // Zola reads an alias without a leading `/` from the site root.
    let trimmed = alias.trim();
    let rooted;
    let a = if trimmed.starts_with('/') || trimmed.is_empty() {
        trimmed
    } else {
        rooted = format!("/{trimmed}");
        &rooted
    };
    let problem = match check_url_path(a) {
        Ok(()) if a == "/" => Some("it is the home page".to_string()),
        Ok(()) => None,
        Err(p) => Some(p.to_string()),
    };
    if let Some(problem) = problem {
        return Err(format!(
            "the alias `{alias}` cannot be used: {problem}; write a site path like \"/old/url/\""
        ));
    }
    let last = a.rsplit('/').next().unwrap_or("");
    Ok(if a.ends_with('/') || names_file(last) {
        a.to_string()
    } else {
        format!("{a}/")
    })
}

/// Whether the last segment of a URL path names a file (`old.html`, `style.css`) rather than
/// a folder: only an extension of up to five letters and digits, one of them a letter, counts,
/// so `1.0-Timeline` and `v1.2` are folders, as Zola and Hugo make them.
pub fn names_file(last: &str) -> bool {
    last.rsplit_once('.').is_some_and(|(name, ext)| {
        !name.is_empty()
            && (1..=5).contains(&ext.len())
            && ext.bytes().all(|b| b.is_ascii_alphanumeric())
            && ext.bytes().any(|b| b.is_ascii_alphabetic())
    })
}

/// The file a URL path under the base path is written to, relative to the output folder:
/// folders (`/posts/a/`, the base path itself) get `index.html`. A URL outside the base path
/// is taken as a site path from the root.
pub fn output_path(base_path: &str, url: &str) -> Result<String, PathProblem> {
    let rel = match url.strip_prefix(base_path) {
        Some(rel) => rel,
        None => url.strip_prefix('/').ok_or(PathProblem::NotRooted)?,
    };
    let path = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    check_relative(&path)?;
    Ok(path)
}

/// The folder (relative to the output, `""` or ending in `/`) of a URL path that names one.
pub fn output_dir(base_path: &str, url: &str) -> Result<String, PathProblem> {
    let path = output_path(base_path, url)?;
    Ok(path.strip_suffix("index.html").unwrap_or(&path).to_string())
}

/// What writes a file of the site other than a rendered page, to name both sides of a clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A file of the site's `static/` folder (path relative to the site root).
    Static(PathBuf),
    /// A post bundle's asset (path relative to the site root).
    Bundle(PathBuf),
    /// A file of the built-in theme's assets.
    Theme,
    /// A feed: the URL of the page it mirrors.
    Feed(String),
    /// `sitemap.xml` or `robots.txt`.
    Generated,
}

impl Owner {
    /// Whether a file of `self` replaces one of `other` at the same path by design: the
    /// site's `static/` overrides the theme's assets and the generated feeds, sitemap and
    /// robots.txt (a site's own `static/robots.txt`).
    fn overrides(&self, other: &Owner) -> bool {
        matches!(self, Owner::Static(_))
            && matches!(other, Owner::Theme | Owner::Feed(_) | Owner::Generated)
    }

    /// This owner's words for the file at `path`.
    pub fn describe(&self, path: &str) -> String {
        match self {
            Owner::Static(from) | Owner::Bundle(from) => format!("`{}`", from.display()),
            Owner::Theme => format!("the theme's `{path}`"),
            Owner::Feed(page) => format!("the feed `{path}` of {page}"),
            Owner::Generated => format!("the generated `{path}`"),
        }
    }
}

/// Every output path of a build that is not a rendered page, with what writes it. Claiming
/// a path twice is an error naming both owners, unless one [overrides](Owner::overrides) the
/// other; rendered pages are then checked against it by [`crate::render::render`].
#[derive(Debug, Default)]
pub struct Claims {
    owners: HashMap<String, Owner>,
    clashes: Vec<Error>,
}

impl Claims {
    /// Claim `path` for `owner`. Returns whether `owner` writes it (false when a file that
    /// overrides it, or the first of two clashing owners, already holds it).
    pub fn claim(&mut self, path: String, owner: Owner) -> bool {
        use std::collections::hash_map::Entry;
        match self.owners.entry(path) {
            Entry::Vacant(v) => {
                v.insert(owner);
                true
            }
            Entry::Occupied(mut o) => {
                if owner.overrides(o.get()) {
                    o.insert(owner);
                    true
                } else if o.get().overrides(&owner) {
                    false
                } else {
                    self.clashes.push(Error::OutputClash {
                        first: o.get().describe(o.key()),
                        second: owner.describe(o.key()),
                        path: o.key().clone(),
                    });
                    false
                }
            }
        }
    }

    /// Who writes `path`, if anyone has claimed it.
    pub fn owner(&self, path: &str) -> Option<&Owner> {
        self.owners.get(path)
    }

    /// The clashes found, if any, as one error.
    pub fn into_result(self) -> Result<Self, Error> {
        match Error::from_many(self.clashes) {
            Some(e) => Err(e),
            None => Ok(Claims {
                owners: self.owners,
                clashes: Vec::new(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_last_segments_name_files() {
        for file in ["old.html", "style.css", "feed.xml", "a.b", "photo.JPEG"] {
            assert!(names_file(file), "{file}");
        }
        for folder in [
            "1.0-Timeline",
            "v1.2",
            "node.js-tips",
            "plain",
            ".hidden",
            "x.toolong",
        ] {
            assert!(!names_file(folder), "{folder}");
        }
    }

    #[test]
    fn site_paths_are_plain_names_under_one_slash() {
        for good in [
            "/",
            "/posts/a/",
            "/feed.xml",
            "/a/b/c.html",
            "/.well-known/x",
            "/...x/",
        ] {
            assert_eq!(check_url_path(good), Ok(()), "{good}");
        }
        let long = format!("/{}/", "a".repeat(256));
        let cases: &[(&str, PathProblem)] = &[
            ("", PathProblem::Empty),
            ("posts/a/", PathProblem::NotRooted),
            ("//srv/other/victim.txt", PathProblem::EmptySegment),
            ("/posts//welcome/", PathProblem::EmptySegment),
            ("/a/../../etc/", PathProblem::DotSegment("..".into())),
            ("/./x", PathProblem::DotSegment(".".into())),
            ("/..", PathProblem::DotSegment("..".into())),
            ("/a\\..\\b/", PathProblem::Backslash),
            ("/a\0b/", PathProblem::Control),
            ("/a?b", PathProblem::QueryOrFragment),
            ("/a#b", PathProblem::QueryOrFragment),
            (&long, PathProblem::TooLong(256)),
        ];
        for (bad, problem) in cases {
            assert_eq!(check_url_path(bad).as_ref(), Err(problem), "{bad:?}");
        }
    }

    #[test]
    fn claims_name_both_owners_of_a_path_unless_one_overrides() {
        let mut claims = Claims::default();
        assert!(claims.claim("style.css".into(), Owner::Theme));
        assert!(claims.claim("style.css".into(), Owner::Static("static/style.css".into())));
        assert!(claims.claim(
            "robots.txt".into(),
            Owner::Static("static/robots.txt".into())
        ));
        assert!(!claims.claim("robots.txt".into(), Owner::Generated));
        assert!(claims.claim(
            "posts/a/x.png".into(),
            Owner::Static("static/posts/a/x.png".into())
        ));
        assert!(!claims.claim(
            "posts/a/x.png".into(),
            Owner::Bundle("content/posts/a/x.png".into())
        ));
        assert_eq!(
            claims.owner("style.css"),
            Some(&Owner::Static("static/style.css".into()))
        );
        let err = claims.into_result().unwrap_err().to_string();
        assert_eq!(
            err,
            "`static/posts/a/x.png` and `content/posts/a/x.png` would both be written to \
             posts/a/x.png: change one of them"
        );
    }

    #[test]
    fn aliases_are_site_paths() {
        assert_eq!(alias_path("/old/url"), Ok("/old/url/".into()));
        assert_eq!(alias_path(" /old.html "), Ok("/old.html".into()));
        // Without the leading `/`, from the site root (Zola).
        assert_eq!(alias_path("old/url"), Ok("/old/url/".into()));
        assert_eq!(
            alias_path("2014/12/12/1.0-Timeline.html"),
            Ok("/2014/12/12/1.0-Timeline.html".into())
        );
        for bad in [
            "/",
            "",
            "../x",
            "https://example.org/x",
            "//srv/other/victim.txt",
            "/a/../../b/",
            "/a?x",
            "/a\\b",
        ] {
            let err = alias_path(bad).unwrap_err();
            assert!(err.contains("cannot be used"), "{bad}: {err}");
        }
    }

    #[test]
    fn relative_paths_never_leave_the_folder() {
        assert_eq!(check_relative("posts/a/index.html"), Ok(()));
        for bad in [
            "/srv/other/victim.txt",
            "",
            "../x",
            "a/../../x",
            "a//b",
            "a/./b",
            "a\\b",
            "a/",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn output_paths_are_pretty_urls_under_the_base_path() {
        let out = |base, url| output_path(base, url);
        assert_eq!(out("/", "/"), Ok("index.html".into()));
        assert_eq!(out("/blog/", "/blog/"), Ok("index.html".into()));
        assert_eq!(
            out("/blog/", "/blog/posts/a/"),
            Ok("posts/a/index.html".into())
        );
        assert_eq!(out("/blog/", "/blog/404.html"), Ok("404.html".into()));
        assert_eq!(
            out("/", "/tags/x/page/2/"),
            Ok("tags/x/page/2/index.html".into())
        );
        assert_eq!(out("/", "//srv/x.txt"), Err(PathProblem::Absolute));
        assert_eq!(out("/blog/", "/blog//srv/x/"), Err(PathProblem::Absolute));
        assert_eq!(
            out("/", "/a/../../x/"),
            Err(PathProblem::DotSegment("..".into()))
        );
        assert_eq!(output_dir("/", "/posts/a/"), Ok("posts/a/".into()));
        assert_eq!(output_dir("/blog/", "/blog/"), Ok("".into()));
    }
}
