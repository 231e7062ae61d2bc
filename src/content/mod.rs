//! The author's sources: walking `content/`, reading files, and parsing each into a
//! [`Document`]. [`Document::parse`] is pure; [`scan`] and [`read`] do the I/O.

pub mod date;
pub mod front_matter;
pub mod jekyll;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Diagnostic, Error, Result};
use date::Date;

/// What a Markdown file is, by where it sits: a page of a section (`content/<section>/x.md`,
/// a "post"), a standalone page at the top of `content/`, or a section's own `_index.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Post,
    Page,
    Section,
}

/// One taxonomy's terms on a document, as written and normalized for grouping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    pub names: Vec<String>,
    /// `names` normalized ([`term_key`]), computed once here rather than on every rebuild.
    pub keys: Vec<String>,
}

/// The taxonomies Quire has when `config.toml` names none.
pub const DEFAULT_TAXONOMIES: &[&str] = &["tags", "categories"];

/// A lead image from front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub src: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
}

/// One Markdown source file, parsed.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the site root, used in messages (`content/posts/x.md`).
    pub source: PathBuf,
    pub kind: Kind,
    pub title: String,
    pub slug: String,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub author: Option<String>,
    /// Per taxonomy of the site (in the order of the list given to [`Document::parse_with`]),
    /// this document's terms.
    pub terms: Vec<Terms>,
    /// Fingerprint of `terms`, for telling cheaply whether taxonomies changed.
    pub terms_fingerprint: u64,
    /// The section this document belongs to (a section's own `_index.md`: the section it
    /// describes), as a path under `content/` with `/` separators: `""` for the top,
    /// `posts`, `news/world`.
    pub section: String,
    /// A URL path set outright (`path` or `url`): a site path like `/2014/12/12/timeline/`.
    pub path: Option<String>,
    /// `_index.md` only: the section's settings, and where each key is written.
    pub settings: Option<Box<crate::config::SectionSettings>>,
    pub settings_at: Vec<(&'static str, (usize, usize, String))>,
    /// The `description` of the front matter, as written (also the summary when there is no
    /// `summary`).
    pub description: Option<String>,
    /// `date` as RFC 3339, formatted once.
    pub date_rfc3339: Option<String>,
    pub summary: Option<String>,
    pub image: Option<ImageRef>,
    pub draft: bool,
    pub weight: i64,
    /// Old URL paths (`/old/url/`) that redirect to this document.
    pub aliases: Vec<String>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The Markdown after the front matter.
    pub body: Body,
    /// Lines of the file before `body` (the front matter), so a position in the body can be
    /// reported as a position in the file.
    pub body_line: usize,
    /// Where the front matter names the lead image: line, column and the line's text.
    pub image_at: Option<(usize, usize, String)>,
    /// Where the front matter names each alias (as `aliases`): line, column and the line's
    /// text, for an alias that clashes with another output.
    pub aliases_at: Vec<Option<(usize, usize, String)>>,
    /// True when the document is `index.md` in its own folder (a bundle).
    pub is_bundle: bool,
    /// A hash of the file's bytes: what a cache of anything made from the document is keyed
    /// by (see `site::Memo`).
    pub hash: u64,
    /// Hugo's `expiryDate`: not published after it.
    pub expires: Option<Date>,
    /// The template named by `template` (Zola), and where: used when the theme has it.
    pub template: Option<(String, (usize, usize, String))>,
    /// What the build should say about this file without failing (`file:line:col: ...`): a
    /// title taken from the file name, a post with no date.
    pub warnings: Vec<String>,
}

impl Document {
    /// Parse one file's text. `source` is the path relative to the site root; its file name
    /// gives the slug (and the date, for `YYYY-MM-DD-slug.md`) when front matter does not.
    pub fn parse(source: &Path, kind: Kind, text: &str) -> Result<Document> {
        let defaults: Vec<String> = DEFAULT_TAXONOMIES.iter().map(|s| s.to_string()).collect();
        Document::parse_with(source, kind, text, &defaults)
    }

    /// [`Document::parse`] for a site whose taxonomies are `taxonomies` (their front matter
    /// keys, in order; `Document::terms` follows it).
    pub fn parse_with(
        source: &Path,
        kind: Kind,
        text: &str,
        taxonomies: &[String],
    ) -> Result<Document> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let err_at = |offset: usize, msg: String| {
            Error::Source(Diagnostic::new(source, msg).at_offset(text, offset))
        };
        let split = front_matter::split(text).map_err(|e| err_at(e.offset, e.message))?;
        let fm = front_matter::parse(split.format, split.front_matter)
            .map_err(|e| err_at(split.front_matter_offset + e.offset, e.message))?;
        let section = section_of(source, kind);
        let mut warnings = Vec::new();
        let warn_at = |offset: usize, msg: String| {
            Diagnostic::new(source, msg)
                .at_offset(text, offset)
                .to_string()
        };
        let given_title = fm.title.as_deref().map(str::trim).filter(|t| !t.is_empty());

        let is_bundle =
            kind != Kind::Section && source.file_name().is_some_and(|n| n == "index.md");
        let stem = if is_bundle {
            source.parent().and_then(Path::file_name)
        } else {
            source.file_stem()
        }
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
        if let Some(prefix) = date::bad_year_prefix(&stem) {
            return Err(Error::Source(Diagnostic::new(
                source,
                format!(
                    "the file name starts with `{prefix}`, which is not a year Quire accepts: \
                     {}; fix the date or rename the file",
                    date::YEARS_ACCEPTED
                ),
            )));
        }
        let (name_date, name_rest) = match date::split_date_prefix(&stem) {
            Some((d, rest)) => (Some(d), rest.to_string()),
            // `2023-02-30-x.md`: a typo, not a slug that happens to start with digits.
            None if date::date_shaped(&stem)
                && matches!(stem.as_bytes().get(10), None | Some(b'-' | b'_')) =>
            {
                return Err(Error::Source(Diagnostic::new(
                    source,
                    format!(
                        "the file name starts with `{}`, which is not a day of the calendar: \
                         fix the date or rename the file",
                        &stem[..10]
                    ),
                )));
            }
            None => (None, stem.clone()),
        };
        let title = match given_title {
            Some(t) => t.to_string(),
            None if kind == Kind::Section => title_from_folder(&section),
            // Zola and Hugo build a page without a title; so does Quire, with a word about it.
            None => {
                let title = title_from_folder(&name_rest);
                let title = if title.is_empty() {
                    stem.clone()
                } else {
                    title
                };
                warnings.push(warn_at(
                    split.front_matter_offset,
                    format!(
                        "no `title` in front matter: the title is \"{title}\", from the file name \
                         (add `title = \"...\"` to choose one)"
                    ),
                ));
                title
            }
        };
        let slug_source = fm.slug.clone().unwrap_or(name_rest);
        let slug = crate::slugify(&slug_source);
        if slug.is_empty() && kind != Kind::Section {
            let what = if fm.slug.is_some() {
                "the `slug` field"
            } else {
                "the file name"
            };
            return Err(err_at(
                split.front_matter_offset,
                format!(
                    "{what} `{slug_source}` gives an empty URL slug: add `slug = \"some-words\"`"
                ),
            ));
        }

        let image = fm
            .image
            .as_ref()
            .or_else(|| fm.images.as_ref().and_then(|i| i.first()))
            .filter(|s| !s.trim().is_empty())
            .map(|src| {
                let caption = fm.image_caption.clone().filter(|c| !c.trim().is_empty());
                ImageRef {
                    src: src.trim().to_string(),
                    alt: fm
                        .image_alt
                        .clone()
                        .filter(|a| !a.trim().is_empty())
                        .or_else(|| caption.clone()),
                    caption,
                }
            });
        // Where the front matter names the image, for messages about it.
        let image_offset = image.as_ref().and_then(|img| {
            Some(split.front_matter_offset + split.front_matter.find(img.src.as_str())?)
        });
        let image_at = image_offset.and_then(|at| {
            let (line, col) = crate::error::line_col(text, at);
            Some((line, col, text.lines().nth(line - 1)?.to_owned()))
        });
        if let Some(img) = &image
            && crate::markdown::is_script_url(&img.src, true)
        {
            return Err(err_at(
                image_offset.unwrap_or(split.front_matter_offset),
                "`image` is a URL that runs code rather than an image: give the path or \
                 address of an image file"
                    .to_string(),
            ));
        }
        // The date: `date` (or Hugo's `publishDate`), the file or bundle folder name
        // (`2024-05-01-x.md`, `2024-05-01-x/index.md`), then a `YYYY/MM/DD/` start of `path`.
        let date = fm
            .date()
            .or(fm.publish_date.map(|d| d.0))
            .or(name_date)
            .or_else(|| {
                let p = fm.path.as_deref().or(fm.url.as_deref())?;
                date::from_url_path(p)
            });
        if date.is_none() && kind == Kind::Post {
            warnings.push(warn_at(
                split.front_matter_offset,
                "no date in the front matter, the file name or `path`: the post is published \
                 undated, after the dated ones (add `date = 2024-05-01` to place it)"
                    .into(),
            ));
        }
        // Checked here, where the front matter text is at hand to point at the entry.
        let entry_at = |field: &str, value: &str| {
            let fm_text = split.front_matter;
            let at = fm_text
                .find(field)
                .and_then(|k| fm_text[k..].find(value).map(|i| k + i))
                .or_else(|| fm_text.find(value))
                // Written with escapes (`\\`), the value is not in the text: point at the key.
                .or_else(|| fm_text.find(field))
                .unwrap_or(0);
            split.front_matter_offset + at
        };
        let mut terms = Vec::with_capacity(taxonomies.len());
        for name in taxonomies {
            let generic = if front_matter::FrontMatter::is_field(name) {
                None
            } else {
                front_matter::term_list(split.format, split.front_matter, name)
                    .map_err(|e| err_at(split.front_matter_offset + e.offset, e.message))?
            };
            let mut names = fm.terms(name, generic.as_deref());
            // The byline feeds an `authors` taxonomy.
            if name == "authors"
                && let Some(author) = fm.author.as_deref().map(str::trim)
                && !author.is_empty()
                && !names.iter().any(|n| term_key(n) == term_key(author))
            {
                names.insert(0, author.to_string());
            }
            if let Some(bad) = names.iter().find(|t| crate::slugify(t).is_empty()) {
                return Err(err_at(
                    entry_at(name, bad),
                    format!(
                        "the {name} entry `{bad}` has no letters or digits to make a URL from: \
                         rename it"
                    ),
                ));
            }
            let keys: Vec<String> = names.iter().map(|t| term_key(t)).collect();
            let count = keys.iter().collect::<HashSet<_>>().len();
            if count > MAX_TERMS_PER_DOCUMENT {
                let at = key_offset(split.front_matter, name).unwrap_or(0);
                return Err(err_at(
                    split.front_matter_offset + at,
                    format!(
                        "{count} {name} on one post, more than the {MAX_TERMS_PER_DOCUMENT} \
                         allowed: each of their pages and feeds lists the post with all of them, \
                         so the output would grow with the square of the count. Keep the ones \
                         readers browse by"
                    ),
                ));
            }
            terms.push(Terms { names, keys });
        }
        let path = match fm.path.as_deref().or(fm.url.as_deref()).map(str::trim) {
            Some(p) if kind == Kind::Section => {
                let key = if fm.path.is_some() { "path" } else { "url" };
                return Err(err_at(
                    entry_at(key, p),
                    format!(
                        "`{key}` sets the URL of a page, not of a section: a section's URL is its \
                         folder's path (rename the folder to change it)"
                    ),
                ));
            }
            Some(p) => {
                let key = if fm.path.is_some() { "path" } else { "url" };
                Some(page_path(p).map_err(|m| err_at(entry_at(key, p), format!("`{key}` {m}")))?)
            }
            // Jekyll's own `permalink` of a post or page, placeholders filled in.
            None => match fm.permalink.as_deref().map(str::trim) {
                Some(pattern) if kind != Kind::Section => {
                    let categories = jekyll::folder_categories(source)
                        .into_iter()
                        .chain(fm.categories())
                        .collect();
                    let vars = jekyll::Vars {
                        date,
                        slug: &slug_source,
                        categories,
                    };
                    let at = entry_at("permalink", pattern);
                    let url = jekyll::expand(pattern, &vars).map_err(|m| err_at(at, m))?;
                    Some(page_path(&url).map_err(|m| err_at(at, format!("`permalink` {m}")))?)
                }
                _ => None,
            },
        };
        let mut settings = None;
        let mut settings_at = Vec::new();
        if kind == Kind::Section {
            let raw = front_matter::section_settings(split.format, split.front_matter)
                .map_err(|e| err_at(split.front_matter_offset + e.offset, e.message))?;
            for key in crate::config::SETTING_KEYS {
                if let Some(at) = key_offset(split.front_matter, key) {
                    let (line, col) = crate::error::line_col(text, split.front_matter_offset + at);
                    let shown = text.lines().nth(line - 1).unwrap_or_default().to_owned();
                    settings_at.push((*key, (line, col, shown)));
                }
            }
            let checked = raw.check().map_err(|e| {
                let at = key_offset(split.front_matter, e.key).unwrap_or(0);
                err_at(split.front_matter_offset + at, e.message)
            })?;
            settings = Some(Box::new(checked));
        }
        let aliases = fm.aliases.clone().unwrap_or_default();
        let alias_errors: Vec<Error> = aliases
            .iter()
            .filter_map(|a| {
                let message = crate::routes::alias_path(a).err()?;
                Some(err_at(entry_at("aliases", a.trim()), message))
            })
            .collect();
        if let Some(e) = Error::from_many(alias_errors) {
            return Err(e);
        }
        let position = |at: usize| {
            let (line, col) = crate::error::line_col(text, at);
            Some((line, col, text.lines().nth(line - 1)?.to_owned()))
        };
        let aliases_at = aliases
            .iter()
            .map(|a| position(entry_at("aliases", a.trim())))
            .collect();
        Ok(Document {
            expires: fm.expiry_date.map(|d| d.0),
            template: fm
                .template
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty() && kind != Kind::Section)
                .and_then(|t| {
                    let at = split.front_matter_offset
                        + key_offset(split.front_matter, "template").unwrap_or(0);
                    Some((t.to_string(), position(at)?))
                }),
            warnings,
            source: source.to_path_buf(),
            kind,
            title,
            slug,
            date,
            date_rfc3339: date.map(|d| d.to_rfc3339()),
            updated: fm.updated.map(|d| d.0),
            author: fm.author.clone().filter(|a| !a.trim().is_empty()),
            terms_fingerprint: crate::fingerprint::of(
                &terms.iter().map(|t| &t.names).collect::<Vec<_>>(),
            ),
            terms,
            section,
            path,
            settings,
            settings_at,
            description: fm.description.clone().filter(|s| !s.trim().is_empty()),
            summary: fm
                .summary
                .clone()
                .or_else(|| fm.description.clone())
                .filter(|s| !s.trim().is_empty())
                .or_else(|| {
                    // Jekyll's `excerpt_separator`: the body up to the marker.
                    let marker = fm
                        .excerpt_separator
                        .as_deref()
                        .filter(|m| !m.trim().is_empty())?;
                    let at = split.body.find(marker)?;
                    Some(split.body[..at].to_string()).filter(|s| !s.trim().is_empty())
                }),
            image,
            draft: fm.is_draft() || in_drafts_folder(source),
            weight: fm.weight.unwrap_or(0),
            aliases,
            extra: fm.extra.unwrap_or_default(),
            body: Body::new(split.body.to_string()),
            body_line: text[..text.len() - split.body.len()].matches('\n').count(),
            image_at,
            aliases_at,
            is_bundle,
            hash: crate::fingerprint::of_bytes(text.as_bytes()),
        })
    }
}

/// A document's path as content links name it: relative to `content/`, with `/` separators.
pub fn content_path(source: &std::path::Path) -> String {
    let rel = source.strip_prefix("content").unwrap_or(source);
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// Tags that differ only in case or spacing are one tag.
pub fn term_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The section a file at `source` (`content/…`) belongs to, as a path under `content/`: its
/// folder, or for a bundle's `index.md` the folder above.
pub fn section_of(source: &Path, kind: Kind) -> String {
    let mut folder = source.parent().unwrap_or(Path::new(""));
    if kind != Kind::Section && source.file_name().is_some_and(|n| n == "index.md") {
        folder = folder.parent().unwrap_or(Path::new(""));
    }
    let path = content_path(folder);
    // Jekyll's `_posts/` and `_drafts/` hold the posts of the folder they are in (the top
    // ones: of `posts`), and are not sections of their own.
    if !path.split('/').any(is_jekyll_folder) {
        return path;
    }
    let kept: Vec<&str> = path.split('/').filter(|s| !is_jekyll_folder(s)).collect();
    if kept.is_empty() {
        "posts".to_string()
    } else {
        kept.join("/")
    }
}

fn is_jekyll_folder(segment: &str) -> bool {
    segment == "_posts" || segment == "_drafts"
}

/// Whether `source` is in a Jekyll `_drafts/` folder (a draft whatever its front matter says).
fn in_drafts_folder(source: &Path) -> bool {
    source.components().any(|c| c.as_os_str() == "_drafts")
}

/// A section's title when its `_index.md` gives none: the folder's name, words apart, the
/// first letter capital (`world-news` → "World news").
pub fn title_from_folder(section: &str) -> String {
    let name = section.rsplit('/').next().unwrap_or(section);
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A `path`/`url` value as a site path: relative to the site root with or without the leading
/// slash; `/` added at the end unless it names a file (`old.html`, see
/// [`crate::routes::names_file`]). Refused when it would leave
/// the site or is not a plain path.
fn page_path(value: &str) -> std::result::Result<String, String> {
    let trimmed = value.trim().trim_start_matches('/');
    if trimmed.is_empty() {
        return Err(
            "must name a path under the site, like \"about/team/\", not the site root".into(),
        );
    }
    let mut path = format!("/{trimmed}");
    let last = path.rsplit('/').next().unwrap_or("");
    if !path.ends_with('/') && !crate::routes::names_file(last) {
        path.push('/');
    }
    crate::routes::check_url_path(&path).map_err(|problem| {
        format!(
            "cannot be used: {problem}; write a site path like \"about/team/\", found `{value}`"
        )
    })?;
    Ok(path)
}

/// The most distinct tags (and, apart, categories) one document may have. Every tag's list
/// page and feeds show the post with all its tags, so the output grows with the square of
/// this count: 4,000 tags on one post wrote 1.9 GB in 58 s. A hundred is more than any post
/// is browsed by.
pub const MAX_TERMS_PER_DOCUMENT: usize = 100;

/// Where the front matter `text` sets `key` (`tags = [` in TOML, `tags:` in YAML, also under
/// `[taxonomies]`): the offset of the key at the start of its line.
fn key_offset(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let after = line.trim_start().strip_prefix(key).map(str::trim_start);
        if after.is_some_and(|a| a.starts_with(['=', ':'])) {
            return Some(offset + indent);
        }
        offset += line.len();
    }
    None
}

/// A document's Markdown source. A build that runs once lets it go as soon as it is rendered
/// ([`Body::release`]): on a large site the sources are a third of the memory. Nothing here
/// reads it again: the rendering keeps every link's line and column, and the session reads
/// the line a diagnostic quotes from the file ([`source_line`]).
pub struct Body {
    text: Mutex<Option<String>>,
}

impl Body {
    pub fn new(text: String) -> Body {
        Body {
            text: Mutex::new(Some(text)),
        }
    }

    /// Call `f` with the text (empty once released).
    pub fn with<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let guard = self.text.lock().unwrap_or_else(|e| e.into_inner());
        f(guard.as_deref().unwrap_or(""))
    }

    /// Free the text.
    pub fn release(&self) {
        *self.text.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Line `line` (1-based) of the file at `path` under `root`, for showing a diagnostic whose
/// source text is no longer held.
pub fn source_line(root: &Path, path: &Path, line: usize) -> Option<String> {
    let text = std::fs::read_to_string(root.join(path)).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.lines().nth(line.checked_sub(1)?).map(str::to_owned)
}

impl Clone for Body {
    fn clone(&self) -> Body {
        let text = self.text.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Body {
            text: Mutex::new(text),
        }
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.with(|t| f.debug_tuple("Body").field(&t).finish())
    }
}

impl PartialEq<&str> for Body {
    fn eq(&self, other: &&str) -> bool {
        self.with(|t| t == *other)
    }
}

impl Document {
    /// A problem at byte `offset` of the body, reported at its line and column in the file.
    /// A diagnostic at `position` (1-based line and column) of the body, as a position in
    /// the file. The line's text is added while the body is held.
    pub fn diagnostic_in_body(
        &self,
        (line, col): (usize, usize),
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut d = Diagnostic::new(&self.source, message);
        d.position = Some((line + self.body_line, col));
        d.source_line = self
            .body
            .with(|b| b.lines().nth(line.saturating_sub(1)).map(str::to_owned));
        d
    }
}

/// The files found in `content/`: which are documents and which are bundle assets.
#[derive(Debug, Default, Clone)]
pub struct Scan {
    /// Markdown sources (absolute paths) in name order.
    pub sources: Vec<(PathBuf, Kind)>,
    /// Bundle folder (absolute) -> its other files, relative to the folder.
    pub assets: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// Other files of `content/` outside bundles (a section's images, as Zola and Hugo
    /// publish them), absolute: copied to the same path under the output.
    pub loose: Vec<PathBuf>,
}

/// Names never published from any source folder: editor temporaries (`x~`, `.x.swp`, `.#x`,
/// `#x#`, Vim's `4913` write test), system clutter (`.DS_Store`, `Thumbs.db`) and
/// version-control folders. `static/` publishes everything else, hidden files included
/// (`.well-known/`, `.htaccess`, `.nojekyll`).
pub fn is_editor_temporary(name: &str) -> bool {
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || name.starts_with(".#")
        || name.starts_with('#')
        || matches!(
            name,
            ".DS_Store" | "Thumbs.db" | ".git" | ".hg" | ".svn" | ".jj" | ".bzr"
        )
}

/// Names that are never content: [`is_editor_temporary`], and in `content/` every hidden name.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.') || is_editor_temporary(name)
}

/// Whether files with this extension are Markdown documents: `md`, and the other names
/// Jekyll blogs use (`markdown`, `mkd`, `mdown`, `mkdn`, `mdwn`).
pub fn is_markdown_extension(ext: &str) -> bool {
    ["md", "markdown", "mkd", "mdown", "mkdn", "mdwn"]
        .iter()
        .any(|m| ext.eq_ignore_ascii_case(m))
}

/// Walk `<root>/content` and sort what is there into documents and bundle assets. Symbolic
/// links are followed as `links` allows (see [`crate::walk`]).
pub fn scan(root: &Path, links: &crate::walk::Links) -> Result<Scan> {
    let dir = root.join("content");
    let files = crate::walk::files(root, &dir, links, is_ignored_name)?;

    // A folder with an `index.md` (and no `_index.md`) is a page bundle: the other files in
    // it are the page's assets. Every other folder is a section.
    let sections: HashSet<&Path> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "_index.md"))
        .filter_map(|f| f.parent())
        .collect();
    let mut bundles: HashSet<&Path> = HashSet::new();
    let mut errors = Vec::new();
    for f in &files {
        if f.file_name().is_some_and(|n| n == "index.md")
            && let Some(folder) = f.parent()
            && folder != dir
        {
            if sections.contains(folder) {
                errors.push(Error::Source(Diagnostic::new(
                    relative(root, f),
                    format!(
                        "`{}` has both `_index.md` (a section) and `index.md` (a page with its \
                         files): a folder is one or the other, so rename or move one of them",
                        relative(root, folder).display()
                    ),
                )));
                continue;
            }
            bundles.insert(folder);
        }
    }
    if let Some(e) = Error::from_many(errors) {
        return Err(e);
    }
    let bundle_of = |f: &Path| {
        f.ancestors()
            .skip(1)
            .take_while(|a| *a != dir)
            .find(|a| bundles.contains(a))
            .map(Path::to_path_buf)
    };

    let mut scan = Scan::default();
    for f in &files {
        let is_md = f
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(is_markdown_extension);
        let at_top = f.parent() == Some(&dir);
        match bundle_of(f) {
            Some(b) if f.parent() == Some(&b) && f.file_name().is_some_and(|n| n == "index.md") => {
                let top = b.parent() == Some(&dir);
                scan.sources
                    .push((f.clone(), if top { Kind::Page } else { Kind::Post }))
            }
            Some(b) => {
                let rel = f.strip_prefix(&b).unwrap_or(f).to_path_buf();
                scan.assets.entry(b).or_default().push(rel);
            }
            None if !is_md => scan.loose.push(f.clone()),
            None if f.file_name().is_some_and(|n| n == "_index.md") => {
                scan.sources.push((f.clone(), Kind::Section))
            }
            None if at_top => scan.sources.push((f.clone(), Kind::Page)),
            None => scan.sources.push((f.clone(), Kind::Post)),
        }
    }
    Ok(scan)
}

pub fn read(
    root: &Path,
    path: &Path,
    kind: Kind,
    taxonomies: &[String],
) -> Result<(u64, Document)> {
    let shown = relative(root, path);
    let bytes = std::fs::read(path).map_err(|e| Error::io(&shown, e))?;
    let hash = crate::fingerprint::of_bytes(&bytes);
    let text = decode(&shown, bytes)?;
    let mut doc = Document::parse_with(&shown, kind, &text, taxonomies)?;
    doc.hash = hash;
    Ok((hash, doc))
}

/// UTF-8 text, or an error pointing at the first byte that is not.
fn decode(shown: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        Error::Source(
            Diagnostic::new(
                shown,
                "the file is not valid UTF-8 text: save it as UTF-8".to_string(),
            )
            .at_offset(&prefix, valid),
        )
    })
}

/// `path` relative to `root` for messages, or as given when it is elsewhere.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(path: &str, text: &str) -> Result<Document> {
        Document::parse(Path::new(path), Kind::Post, text)
    }

    #[test]
    fn date_and_slug_come_from_a_jekyll_file_name() {
        let d = post(
            "content/posts/2023-11-02-Market Day.md",
            "---\ntitle: M\n---\nx",
        )
        .unwrap();
        assert_eq!(d.slug, "market-day");
        assert_eq!(d.date.unwrap().to_rfc3339(), "2023-11-02T00:00:00+00:00");
    }

    #[test]
    fn front_matter_date_and_slug_win_over_the_file_name() {
        let d = post(
            "content/posts/2023-11-02-x.md",
            "+++\ntitle = \"M\"\ndate = 2024-01-01\nslug = \"Ça Va\"\n+++\n",
        )
        .unwrap();
        assert_eq!(d.slug, "ca-va");
        assert_eq!(d.date.unwrap().to_rfc3339(), "2024-01-01T00:00:00+00:00");
    }

    #[test]
    fn bundle_slug_is_the_folder_name() {
        let d = post(
            "content/posts/Lighthouse/index.md",
            "+++\ntitle = \"L\"\n+++\n",
        )
        .unwrap();
        assert!(d.is_bundle);
        assert_eq!(d.slug, "lighthouse");
    }

    #[test]
    fn bom_and_crlf_are_handled() {
        let d = post(
            "content/posts/a.md",
            "\u{feff}+++\r\ntitle = \"A\"\r\n+++\r\nBody\r\n",
        )
        .unwrap();
        assert_eq!(d.title, "A");
        assert_eq!(d.body, "Body\r\n");
    }

    #[test]
    fn a_released_body_still_places_diagnostics_and_the_line_is_read_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("content/posts/a.md");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = "\u{feff}+++\r\ntitle = \"A\"\r\n+++\r\nFirst\r\nsee [x](nowhere)\r\n";
        std::fs::write(&path, text).unwrap();
        let (_, d) = read(dir.path(), &path, Kind::Post, &["tags".into()]).unwrap();
        let rendered = d
            .body
            .with(|b| crate::markdown::render(b, &Default::default()));
        let at = rendered.links[0].position;
        assert_eq!(at, (2, 5));
        let before = d.diagnostic_in_body(at, "no such page");
        assert_eq!(before.position, Some((5, 5)));
        assert_eq!(before.source_line.as_deref(), Some("see [x](nowhere)"));
        d.body.release();
        let after = d.diagnostic_in_body(at, "no such page");
        assert_eq!(after.position, before.position);
        assert_eq!(after.source_line, None, "nothing is read again");
        let line = source_line(dir.path(), Path::new("content/posts/a.md"), 5);
        assert_eq!(line.as_deref(), Some("see [x](nowhere)"));
    }

    #[test]
    fn an_image_url_that_runs_code_is_an_error_at_its_line() {
        let err = post(
            "content/posts/a.md",
            "+++\ntitle = \"A\"\nimage = \"javascript:alert(1)\"\n+++\nBody\n",
        )
        .unwrap_err();
        let Error::Source(d) = &err else {
            panic!("{err}")
        };
        assert_eq!(d.position, Some((3, 10)), "{err}");
        assert!(d.message.contains("runs code"), "{err}");
    }

    #[test]
    fn missing_title_comes_from_the_file_name_with_a_warning_at_its_line() {
        let d = post(
            "content/posts/market_day.md",
            "+++\ndate = 2024-01-01\n+++\n",
        )
        .unwrap();
        assert_eq!(d.title, "Market day");
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
        assert!(
            d.warnings[0].starts_with("content/posts/market_day.md:2:1: no `title`"),
            "{:?}",
            d.warnings
        );
        let d = post(
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2024-01-01\n+++\n",
        )
        .unwrap();
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }

    #[test]
    fn bad_date_names_file_line_and_column() {
        let err = post(
            "content/posts/x.md",
            "+++\ntitle = \"X\"\ndate = \"May 1\"\n+++\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("content/posts/x.md:3:8:"), "{text}");
        assert!(text.contains("expected a date like 2024-05-01"), "{text}");
    }

    #[test]
    fn yaml_error_line_is_counted_in_the_file() {
        let err = post("content/posts/y.md", "---\ntitle: Y\ndate: 42\n---\n").unwrap_err();
        assert!(
            err.to_string().starts_with("content/posts/y.md:3:"),
            "{err}"
        );
    }

    #[test]
    fn image_alt_falls_back_to_caption() {
        let d = post(
            "content/posts/a.md",
            "+++\ntitle = \"A\"\nimage = \"/a.svg\"\nimage_caption = \"The quay\"\n+++\n",
        )
        .unwrap();
        let img = d.image.unwrap();
        assert_eq!(img.alt.as_deref(), Some("The quay"));
        assert_eq!(img.caption.as_deref(), Some("The quay"));
    }

    #[test]
    fn tag_without_letters_points_at_the_entry() {
        let err = post(
            "content/posts/q.md",
            "+++\ntitle = \"Q???\"\ntags = [\"ok\", \"???\"]\n+++\n",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("content/posts/q.md:3:16: the tags entry `???`"),
            "{err}"
        );
    }

    #[test]
    fn more_than_a_hundred_tags_is_an_error_at_the_key() {
        let list = |n: usize| {
            (0..n)
                .map(|i| format!("\"t{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ok = post(
            "content/posts/a.md",
            &format!("+++\ntitle = \"tags\"\ntags = [{}]\n+++\n", list(100)),
        )
        .unwrap();
        assert_eq!(ok.terms[0].keys.len(), 100);
        // Spellings of one tag count once.
        let dupes = (0..300).map(|i| ["\"Rust\"", "\"rust\"", "\"RUST\""][i % 3]);
        let text = format!(
            "+++\ntitle = \"x\"\ntags = [{}]\n+++\n",
            dupes.collect::<Vec<_>>().join(",")
        );
        post("content/posts/a.md", &text).unwrap();
        let err = post(
            "content/posts/a.md",
            &format!("+++\ntitle = \"tags: x\"\ntags = [{}]\n+++\n", list(101)),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("content/posts/a.md:3:1: 101 tags on one post, more than the 100"),
            "{err}"
        );
        let yaml = format!(
            "---\ntitle: x\ntaxonomies:\n  categories: [{}]\n---\n",
            list(4000)
        );
        let err = post("content/posts/a.md", &yaml).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("content/posts/a.md:4:3: 4000 categories on one post"),
            "{err}"
        );
    }

    #[test]
    fn impossible_file_name_date_is_an_error() {
        let err = post("content/posts/2023-02-30-x.md", "+++\ntitle = \"X\"\n+++\n").unwrap_err();
        assert!(err.to_string().contains("`2023-02-30`"), "{err}");
        // Digits that are not a date prefix are just part of the slug.
        let d = post("content/posts/2023-02-300.md", "+++\ntitle = \"X\"\n+++\n").unwrap();
        assert_eq!(d.slug, "2023-02-300");
    }

    #[test]
    fn invalid_utf8_points_at_the_bad_byte() {
        let err = decode(Path::new("p.md"), b"ab\ncd\xff".to_vec()).unwrap_err();
        assert!(err.to_string().starts_with("p.md:2:3: "), "{err}");
    }
}
