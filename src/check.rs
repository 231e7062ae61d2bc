//! Checks over the assembled site, before anything is written: links and images in posts and
//! pages that lead nowhere in the output, `#anchors` their target does not define, content
//! links (`@/posts/x.md`) that name no published document, lead images that are missing, and
//! (for `quire check`) images without alt text. Pure: the output's file list comes in as a
//! function. External links are never fetched.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use foldhash::HashMap;
use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use crate::config::Config;
use crate::content::Document;
use crate::error::Diagnostic;
use crate::markdown::{CONTENT_LINK, LinkRef, Rendered};
use crate::site::Site;

/// What a build does about the problems it finds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Problems fail the build (`quire build`, `quire check`).
    #[default]
    Errors,
    /// Problems are reported with a successful build (`quire serve`).
    Warnings,
    /// No checks (`quire build --no-link-check`).
    Off,
}

/// Which checks run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checks {
    pub mode: Mode,
    /// Also report images without alt text (`quire check`); off for builds, where it is a
    /// matter of style rather than a broken site.
    pub alt_text: bool,
    /// Shortcodes that are unknown or fail are written as their text and reported as
    /// warnings, whatever the mode (`--keep-going`).
    pub keep_going: bool,
}

/// The kinds of problem, for tests and summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A link to a page or file the site does not have.
    BrokenLink,
    /// An image (in the body or the front matter `image`) the site does not have.
    MissingImage,
    /// A `#fragment` that no element of the target page has as its id.
    BrokenAnchor,
    /// `@/path.md` that names no published document.
    UnknownContent,
    /// An image with empty alt text.
    MissingAlt,
    /// A shortcode or Liquid tag that is unknown, malformed or failed to render.
    Shortcode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: Kind,
    pub diagnostic: Diagnostic,
}

/// Every problem in the site's posts and pages, in source order per document and documents in
/// path order. `exists` answers whether the output has a file at a path relative to its root
/// (`posts/x/index.html`); `theme_ids` are ids every page's templates may define.
pub fn check(
    site: &Site,
    config: &Config,
    exists: &(dyn Fn(&str) -> bool + Sync),
    theme_ids: &HashSet<String>,
    checks: Checks,
) -> Vec<Problem> {
    if checks.mode == Mode::Off {
        return Vec::new();
    }
    let documents: Vec<(&Document, &str, &Rendered, Option<&str>)> = site
        .posts
        .iter()
        .map(|p| {
            let image = p.image.as_ref().map(|i| i.src.as_str());
            (&*p.doc, p.url.as_str(), &*p.rendered, image)
        })
        .chain(
            site.pages
                .iter()
                .map(|p| (&*p.doc, p.url.as_str(), &*p.rendered, None)),
        )
        .collect();
    // Both are needed only for the rare link with an anchor into another page or an unknown
    // content link: made on first use (a rebuild checks every document, so this matters).
    let by_url: OnceLock<HashMap<&str, &Rendered>> = OnceLock::new();
    let known: OnceLock<Vec<String>> = OnceLock::new();
    let site_view = SiteFiles {
        base_path: &config.base_path,
        exists,
        documents: &documents,
        by_url: &by_url,
        theme_ids,
        known: &known,
    };
    let mut problems: Vec<(usize, Vec<Problem>)> = documents
        .par_iter()
        .enumerate()
        .map(|(i, &(doc, url, rendered, image))| {
            let mut found = Vec::new();
            if let Some(src) = image
                && let Some(message) = site_view.missing(src, src, url, true)
            {
                let mut d = Diagnostic::new(&doc.source, format!("lead {message}"));
                if let Some((line, col, text)) = &doc.image_at {
                    d.position = Some((*line, *col));
                    d.source_line = Some(text.clone());
                }
                found.push(Problem {
                    kind: Kind::MissingImage,
                    diagnostic: d,
                });
            }
            for link in &rendered.links {
                for (kind, message) in site_view.link(link, url, rendered, checks) {
                    found.push(Problem {
                        kind,
                        diagnostic: doc.diagnostic_in_body(link.position, message),
                    });
                }
            }
            (i, found)
        })
        .filter(|(_, found)| !found.is_empty())
        .collect();
    problems.sort_by(|a, b| documents[a.0].0.source.cmp(&documents[b.0].0.source));
    problems.into_iter().flat_map(|(_, p)| p).collect()
}

/// Every shortcode that could not be expanded, in the site's posts, pages and sections
/// (documents in path order). Checked whatever the mode: a shortcode is content, not a link.
pub fn shortcodes(site: &Site) -> Vec<Problem> {
    let sections = site
        .sections
        .iter()
        .filter_map(|s| Some((s.doc.as_deref()?, s.rendered.as_deref()?)));
    let mut documents: Vec<(&Document, &Rendered)> = site
        .posts
        .iter()
        .map(|p| (&*p.doc, &*p.rendered))
        .chain(site.pages.iter().map(|p| (&*p.doc, &*p.rendered)))
        .chain(sections)
        .filter(|(_, r)| !r.problems.is_empty())
        .collect();
    documents.sort_by(|a, b| a.0.source.cmp(&b.0.source));
    documents
        .into_iter()
        .flat_map(|(doc, rendered)| {
            rendered.problems.iter().map(|p| Problem {
                kind: Kind::Shortcode,
                diagnostic: doc.diagnostic_in_body(p.position, p.message.clone()),
            })
        })
        .collect()
}

/// One warning per kind of kramdown markup (Jekyll) left out of any document, with the
/// number of documents that had it.
pub fn kramdown(site: &Site) -> Vec<String> {
    use crate::markdown::shortcode::Kramdown;
    let rendered = site
        .posts
        .iter()
        .map(|p| &*p.rendered)
        .chain(site.pages.iter().map(|p| &*p.rendered))
        .chain(site.sections.iter().filter_map(|s| s.rendered.as_deref()));
    let mut counts: std::collections::BTreeMap<Kramdown, usize> = Default::default();
    for r in rendered {
        for kind in &r.kramdown {
            *counts.entry(*kind).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(kind, n)| {
            let documents = if n == 1 { "document" } else { "documents" };
            match kind {
                Kramdown::Toc => format!(
                    "kramdown's `{{:toc}}` (and the list item before it) was left out of {n} \
                     {documents}: templates show a table of contents from the headings \
                     (`post.toc`)"
                ),
                Kramdown::Attributes => format!(
                    "kramdown attribute lists (`{{: .class}}`) were left out of {n} {documents}: \
                     headings take attributes as `## Title {{#id .class}}`"
                ),
                Kramdown::Extension => format!(
                    "kramdown extensions (`{{::options}}`, `{{::nomarkdown}}`, `{{:/}}`) were left \
                     out of {n} {documents}; what they enclosed is read as Markdown"
                ),
            }
        })
        .collect()
}

/// What a link can lead to.
struct SiteFiles<'a> {
    base_path: &'a str,
    exists: &'a (dyn Fn(&str) -> bool + Sync),
    documents: &'a [(&'a Document, &'a str, &'a Rendered, Option<&'a str>)],
    by_url: &'a OnceLock<HashMap<&'a str, &'a Rendered>>,
    theme_ids: &'a HashSet<String>,
    /// Every published document's content path, for suggestions.
    known: &'a OnceLock<Vec<String>>,
}

impl SiteFiles<'_> {
    /// The problems of one link of the page at `page_url`.
    fn link(
        &self,
        link: &LinkRef,
        page_url: &str,
        rendered: &Rendered,
        checks: Checks,
    ) -> Vec<(Kind, String)> {
        let mut found = Vec::new();
        let is_image = link.image_alt.is_some();
        if checks.alt_text
            && link
                .image_alt
                .as_deref()
                .is_some_and(|a| a.trim().is_empty())
        {
            found.push((
                Kind::MissingAlt,
                format!(
                    "image `{}` has no alt text: describe it between the brackets, `![a harbour at dusk](...)`",
                    link.dest
                ),
            ));
        }
        if let Some(target) = &link.content
            && link.href.starts_with(CONTENT_LINK)
        {
            let path = target.split('#').next().unwrap_or_default();
            let known = self.known.get_or_init(|| {
                self.documents
                    .iter()
                    .map(|d| crate::content::content_path(&d.0.source))
                    .collect()
            });
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            let hint = match crate::config::closest(path, &known) {
                Some(k) => format!(": did you mean `@/{k}`?"),
                None => String::new(),
            };
            found.push((
                Kind::UnknownContent,
                format!(
                    "`{CONTENT_LINK}{target}` names no published document (content links are paths under content/, like `@/posts/hello.md`){hint}"
                ),
            ));
            return found;
        }
        if let Some(message) = self.missing(&link.dest, &link.href, page_url, is_image) {
            let kind = if is_image {
                Kind::MissingImage
            } else {
                Kind::BrokenLink
            };
            found.push((kind, message));
            return found;
        }
        if let Some(message) = self.broken_anchor(&link.dest, &link.href, page_url, rendered) {
            found.push((Kind::BrokenAnchor, message));
        }
        found
    }

    /// Why `href` (on the page at `page_url`, written as `dest`) leads nowhere, or `None` if
    /// it leads to a file of the site or out of it.
    fn missing(&self, dest: &str, href: &str, page_url: &str, is_image: bool) -> Option<String> {
        let path = internal_path(href, page_url)?;
        let what = if is_image { "image" } else { "link" };
        let Some(rel) = path.strip_prefix(self.base_path) else {
            return Some(format!(
                "{what} `{dest}` points outside the site, which is published under `{}`",
                self.base_path
            ));
        };
        let rel = rel.trim_start_matches('/');
        let found = if rel.is_empty() || rel.ends_with('/') {
            (self.exists)(&format!("{rel}index.html"))
        } else {
            // Static hosts serve `/x` from `x/index.html` too (with a redirect).
            (self.exists)(rel) || (self.exists)(&format!("{rel}/index.html"))
        };
        if found {
            return None;
        }
        let looks_like_file = rel
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
        Some(if is_image {
            format!("image `{dest}` not found: the site has no file `{rel}`")
        } else if looks_like_file {
            format!("link `{dest}` leads to a file the site does not have (`{rel}`)")
        } else {
            let resolved = if *path == *dest {
                String::new()
            } else {
                format!(" (`{path}`)")
            };
            format!("link `{dest}` leads to a page the site does not have{resolved}")
        })
    }

    /// Why the `#fragment` of `href` is not on its target page. Only posts and pages are
    /// checked, against the ids of their body and the literal ids of the theme's templates;
    /// list pages are not (their ids come from data).
    fn broken_anchor(
        &self,
        dest: &str,
        href: &str,
        page_url: &str,
        own: &Rendered,
    ) -> Option<String> {
        let (before, fragment) = href.split_once('#')?;
        let fragment = percent_decode_str(fragment).decode_utf8_lossy();
        if fragment.is_empty() || fragment == "top" {
            return None;
        }
        let target = if before.is_empty() {
            own
        } else {
            let path = internal_path(before, page_url)?;
            let page = if path.ends_with('/') {
                path
            } else {
                Cow::Owned(format!("{path}/"))
            };
            let by_url = self
                .by_url
                .get_or_init(|| self.documents.iter().map(|d| (d.1, d.2)).collect());
            *by_url.get(&*page)?
        };
        if self.theme_ids.contains(&*fragment)
            || crate::html::ids(&target.html).any(|id| id == fragment)
        {
            return None;
        }
        let headings: Vec<&str> = target.headings.iter().map(|h| h.id.as_str()).collect();
        let hint = match crate::config::closest(&fragment, &headings) {
            Some(id) => format!(": did you mean `#{id}`?"),
            None => String::new(),
        };
        Some(format!(
            "link `{dest}`: the page has no heading or element with the id `{fragment}`{hint}"
        ))
    }
}

/// The site path (percent-decoded, `.` and `..` resolved) `href` leads to from the page at
/// `page_url`, or `None` for links that leave the site (`https:`, `mailto:`, `//host`).
fn internal_path<'a>(href: &'a str, page_url: &str) -> Option<Cow<'a, str>> {
    if href.starts_with("//") || crate::markdown::has_scheme(href) {
        return None;
    }
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let path = &href[..end];
    let joined: Cow<str> = if path.is_empty() {
        Cow::Owned(page_url.to_string())
    } else if path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        let dir = &page_url[..page_url.rfind('/').map_or(0, |i| i + 1)];
        Cow::Owned(format!("{dir}{path}"))
    };
    let decoded = percent_decode_str(&joined).decode_utf8_lossy();
    if !decoded.contains("/.") {
        return Some(Cow::Owned(decoded.into_owned()));
    }
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {}
            ".." => {
                if parts.len() > 1 {
                    parts.pop();
                }
            }
            s => parts.push(s),
        }
        // A trailing `.` or `..` names a folder: keep the slash.
        if i == last && matches!(*seg, "." | "..") {
            parts.push("");
        }
    }
    Some(Cow::Owned(parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_paths_resolve_against_the_page() {
        let p = |href| internal_path(href, "/blog/posts/a/").map(|c| c.into_owned());
        assert_eq!(p("/blog/x/").as_deref(), Some("/blog/x/"));
        assert_eq!(p("b.png").as_deref(), Some("/blog/posts/a/b.png"));
        assert_eq!(p("../b/#t").as_deref(), Some("/blog/posts/b/"));
        assert_eq!(p("./..").as_deref(), Some("/blog/posts/"));
        assert_eq!(p("../../../../x").as_deref(), Some("/x"));
        assert_eq!(p("#t").as_deref(), Some("/blog/posts/a/"));
        assert_eq!(
            p("caf%C3%A9.png").as_deref(),
            Some("/blog/posts/a/café.png")
        );
        assert_eq!(p("https://example.org/"), None);
        assert_eq!(p("//cdn.example/x"), None);
        assert_eq!(p("mailto:a@b.c"), None);
    }
}
