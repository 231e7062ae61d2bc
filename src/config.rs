//! `config.toml`: parsed into a raw struct, then validated once into [`Config`]
//! (URLs parsed, permalink pattern checked, defaults applied). Unknown keys are errors that
//! suggest the closest known key, because a typo silently ignored costs an author an afternoon.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result};

/// The validated site configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub title: String,
    pub tagline: String,
    /// Markdown shown under "About This Blog".
    pub description: String,
    pub author: String,
    pub disclaimer: Option<String>,
    /// Absolute, always ending with `/`.
    pub base_url: String,
    /// The path part of `base_url`: `/` or e.g. `/blog/`.
    pub base_path: String,
    pub language: String,
    pub posts_per_page: usize,
    pub latest_posts: usize,
    /// Posts in each Atom and RSS feed, newest first.
    pub feed_limit: usize,
    /// Relative to the site root unless absolute.
    pub output_dir: PathBuf,
    /// Where `config.toml` sets `output_dir`: line, column and the line's text, so a refused
    /// output folder is reported at the setting that chose it.
    pub output_dir_at: Option<(usize, usize, String)>,
    pub permalink: Permalink,
    pub breaking_news: Option<BreakingNews>,
    /// Folders outside the site root that symbolic links in `content/`, `templates/` and
    /// `static/` may point into (by default a link is followed only within the site root),
    /// each as written, with where `config.toml` names it (line, column, the line's text).
    pub allow_symlinks_outside: Vec<(PathBuf, (usize, usize, String))>,
    /// The taxonomies, in the order written (default: tags with feeds, then categories).
    pub taxonomies: Vec<TaxonomyConfig>,
    /// `[sections]`: settings every section has unless its `_index.md` says otherwise.
    pub sections: SectionSettings,
    /// Which posts the home page lists.
    pub home_section: HomeSection,
    /// `[shortcodes]`.
    pub shortcodes: ShortcodeSettings,
    /// `[redirects]`: old URLs that lead to new ones, as redirect pages (sorted by `from`).
    pub redirects: Vec<Redirect>,
    /// `[search]`.
    pub search: SearchSettings,
    pub extra: toml::Table,
}

/// `[search]`: the search page and its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSettings {
    /// Write the index and the `/search/` page (default on).
    pub enabled: bool,
    /// Only the documents of these sections (and their subsections); `"/"` is the pages at
    /// the top of `content/`. `None`: every document.
    pub sections: Option<Vec<String>>,
    /// Where `config.toml` sets `sections`, so a section that does not exist is reported there.
    pub sections_at: Option<(usize, usize, String)>,
    /// Site paths left out: `/about/`, or every path under a prefix ending in `*`.
    pub exclude: Vec<String>,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            enabled: true,
            sections: None,
            sections_at: None,
            exclude: Vec::new(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    sections: Option<toml::Spanned<Vec<String>>>,
    #[serde(default)]
    exclude: Vec<toml::Spanned<String>>,
}

/// One entry of `[redirects]`: `"/2014/05/old-name.html" = "/posts/new-name/"`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Redirect {
    /// The site path it is written at, without the base path (checked like an alias).
    pub from: String,
    /// A site path (the base path is put in front when the page is written) or an absolute
    /// `http(s)://` URL.
    pub to: String,
}

/// `[shortcodes]`: what shortcodes and Liquid tags do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShortcodeSettings {
    /// A shortcode that is unknown or fails is written as its text and listed as a warning
    /// instead of failing the build (as `quire build --keep-going` does).
    #[serde(default)]
    pub keep_going: bool,
    /// The built-in `youtube`, `vimeo`, `gist`, `instagram` and `x` shortcodes write the
    /// provider's player or script (a request to that provider from every reader) instead
    /// of a plain link.
    #[serde(default)]
    pub embeds: bool,
}

/// What the home page lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeSection {
    /// The pages of this section (a path under `content/`, like `posts` or `news/world`) and
    /// of every section below it.
    Section(String),
    /// Every dated page of every section (`home_section = "*"`).
    All,
}

/// One taxonomy: `{ name = "tags", feed = true, paginate_by = 10, sort_by = "date" }`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaxonomyConfig {
    /// The front matter key, the URL segment (`/tags/`) and the name templates see.
    pub name: String,
    /// Atom and RSS feeds for each term.
    pub feed: bool,
    /// Posts per term page; 0 puts them all on one page.
    pub paginate_by: usize,
    pub sort_by: TermOrder,
    /// Write the list page and the term pages (false: terms are only shown on posts).
    pub render: bool,
}

/// The order of the posts on a term's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermOrder {
    /// Newest first.
    Date,
    /// Oldest first: the order a series is read in.
    DateAsc,
    Title,
}

/// How a section orders its pages (`sort_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first.
    Date,
    Title,
    /// Lowest `weight` first.
    Weight,
    /// By slug (Zola's `slug`).
    Slug,
    /// By URL (Zola's `permalink`).
    Permalink,
    /// Most recently updated first (Zola's `update_date`; the date when there is no update).
    Updated,
    /// In file name order.
    None,
}

impl SortBy {
    pub fn parse(name: &str) -> Result<SortBy, String> {
        match name.trim() {
            "date" => Ok(SortBy::Date),
            "title" => Ok(SortBy::Title),
            "weight" => Ok(SortBy::Weight),
            "slug" => Ok(SortBy::Slug),
            "permalink" => Ok(SortBy::Permalink),
            "update_date" | "updated" | "lastmod" => Ok(SortBy::Updated),
            "title_bytes" => Ok(SortBy::Title),
            "none" => Ok(SortBy::None),
            other => Err(format!(
                "unknown `sort_by` value `{other}`: use \"date\" (newest first), \"update_date\", \"title\", \"weight\", \"slug\", \"permalink\" or \"none\""
            )),
        }
    }
}

/// A section's settings as written (in `[sections]` or in an `_index.md`); each unset one
/// comes from `[sections]`, then from Quire's defaults ([`Resolved`](SectionSettings::resolve)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionSettings {
    pub sort_by: Option<SortBy>,
    pub paginate_by: Option<usize>,
    pub template: Option<String>,
    pub page_template: Option<String>,
    pub permalink: Option<Permalink>,
    pub feed: Option<bool>,
    pub render: Option<bool>,
    pub transparent: Option<bool>,
    /// Zola's `redirect_to`: the section's list page is a redirect to this site path (from
    /// the root) or `http(s)://` URL. A section's own; never inherited.
    pub redirect_to: Option<String>,
    /// Zola's `insert_anchor_links`.
    pub anchor_links: Option<crate::markdown::AnchorLinks>,
}

/// A setting of [`SectionSettings`] that could not be used, with the key to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub key: &'static str,
    pub message: String,
}

/// [`SectionSettings`] as written, before checking: read from `[sections]` and from the front
/// matter of `_index.md` files.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawSectionSettings {
    pub sort_by: Option<String>,
    pub paginate_by: Option<i64>,
    pub template: Option<String>,
    pub page_template: Option<String>,
    pub permalink: Option<String>,
    /// Zola calls it `generate_feeds`.
    #[serde(alias = "generate_feeds", alias = "generate_feed")]
    pub feed: Option<bool>,
    pub render: Option<bool>,
    pub transparent: Option<bool>,
    pub redirect_to: Option<String>,
    pub insert_anchor_links: Option<String>,
}

impl RawSectionSettings {
    pub fn check(self) -> std::result::Result<SectionSettings, SettingError> {
        let err = |key, message| SettingError { key, message };
        let template = |key: &'static str, name: Option<String>| match name {
            Some(t) if !is_template_name(&t) => Err(err(
                key,
                format!(
                    "`{key}` must name a template file under `templates/`, like \"news.html\", \
                     found `{t}`"
                ),
            )),
            t => Ok(t),
        };
        Ok(SectionSettings {
            sort_by: self
                .sort_by
                .map(|s| SortBy::parse(&s).map_err(|m| err("sort_by", m)))
                .transpose()?,
            paginate_by: match self.paginate_by {
                None => None,
                Some(n) if n >= 0 => Some(n as usize),
                Some(_) => {
                    return Err(err(
                        "paginate_by",
                        "`paginate_by` must be 0 (no pages) or more".into(),
                    ));
                }
            },
            template: template("template", self.template)?,
            page_template: template("page_template", self.page_template)?,
            permalink: self
                .permalink
                .map(|p| Permalink::parse(&p).map_err(|m| err("permalink", m)))
                .transpose()?,
            feed: self.feed,
            render: self.render,
            transparent: self.transparent,
            anchor_links: self
                .insert_anchor_links
                .map(|a| {
                    crate::markdown::AnchorLinks::parse(&a)
                        .map_err(|m| err("insert_anchor_links", m))
                })
                .transpose()?,
            redirect_to: match self.redirect_to.as_deref().map(str::trim) {
                None => None,
                Some(to) => {
                    // Zola reads a path without a leading `/` from the site root.
                    let to = if to.starts_with('/') || to.contains("://") {
                        to.to_string()
                    } else {
                        format!("/{to}")
                    };
                    check_redirect_target(&to).map_err(|m| {
                        err(
                            "redirect_to",
                            format!(
                                "`redirect_to` cannot be `{to}`: {m}; write a site path like \
                                 \"/posts/\" or a full URL"
                            ),
                        )
                    })?;
                    Some(to)
                }
            },
        })
    }
}

impl SectionSettings {
    /// These settings, each unset one taken from `defaults`.
    pub fn or(&self, defaults: &SectionSettings) -> SectionSettings {
        SectionSettings {
            sort_by: self.sort_by.or(defaults.sort_by),
            paginate_by: self.paginate_by.or(defaults.paginate_by),
            template: self.template.clone().or_else(|| defaults.template.clone()),
            page_template: self
                .page_template
                .clone()
                .or_else(|| defaults.page_template.clone()),
            permalink: self
                .permalink
                .clone()
                .or_else(|| defaults.permalink.clone()),
            feed: self.feed.or(defaults.feed),
            render: self.render.or(defaults.render),
            transparent: self.transparent.or(defaults.transparent),
            redirect_to: self.redirect_to.clone(),
            anchor_links: self.anchor_links.or(defaults.anchor_links),
        }
    }
}

/// Where a redirect may lead: a site path from the root or an `http(s)://` URL, with nothing
/// that could end the attribute or the meta refresh it is written into.
fn check_redirect_target(to: &str) -> std::result::Result<(), &'static str> {
    if to
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\".contains(c))
    {
        return Err("it contains a space, a quote, `<`, `>` or a backslash");
    }
    let absolute = ["https://", "http://"]
        .iter()
        .any(|scheme| to.len() > scheme.len() && to[..scheme.len()].eq_ignore_ascii_case(scheme));
    if absolute || (to.starts_with('/') && !to.starts_with("//")) {
        Ok(())
    } else {
        Err("it is neither a path starting with `/` nor an http(s) URL")
    }
}

/// A template name a setting may give: a relative path of plain names ending in `.html`.
fn is_template_name(name: &str) -> bool {
    name.ends_with(".html")
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains('\\'))
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct BreakingNews {
    pub text: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// The keys of a section's settings (in `[sections]` and `_index.md`).
pub const SETTING_KEYS: &[&str] = &[
    "sort_by",
    "paginate_by",
    "template",
    "page_template",
    "permalink",
    "feed",
    "generate_feeds",
    "render",
    "transparent",
    "redirect_to",
    "insert_anchor_links",
];

const KNOWN_KEYS: &[&str] = &[
    "title",
    "tagline",
    "description",
    "author",
    "disclaimer",
    "base_url",
    "language",
    "posts_per_page",
    "latest_posts",
    "feed_limit",
    "output_dir",
    "permalink",
    "breaking_news",
    "allow_symlinks_outside",
    "taxonomies",
    "sections",
    "home_section",
    "shortcodes",
    "redirects",
    "search",
    "extra",
];

#[derive(Deserialize)]
struct RawConfig {
    title: String,
    #[serde(default)]
    tagline: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    disclaimer: Option<String>,
    base_url: toml::Spanned<String>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default)]
    posts_per_page: Option<toml::Spanned<i64>>,
    #[serde(default)]
    latest_posts: Option<toml::Spanned<i64>>,
    #[serde(default)]
    feed_limit: Option<toml::Spanned<i64>>,
    #[serde(default)]
    output_dir: Option<toml::Spanned<String>>,
    #[serde(default)]
    permalink: Option<toml::Spanned<String>>,
    #[serde(default)]
    breaking_news: Option<BreakingNews>,
    #[serde(default)]
    allow_symlinks_outside: Vec<toml::Spanned<String>>,
    #[serde(default)]
    taxonomies: Option<toml::Spanned<Vec<RawTaxonomy>>>,
    #[serde(default)]
    sections: Option<toml::Spanned<RawSectionSettings>>,
    #[serde(default)]
    home_section: Option<toml::Spanned<String>>,
    #[serde(default)]
    shortcodes: ShortcodeSettings,
    #[serde(default)]
    redirects: std::collections::BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    search: RawSearch,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    name: toml::Spanned<String>,
    #[serde(default)]
    feed: bool,
    #[serde(default)]
    paginate_by: Option<toml::Spanned<i64>>,
    #[serde(default)]
    sort_by: Option<toml::Spanned<String>>,
    #[serde(default)]
    render: Option<bool>,
}

fn default_language() -> String {
    "en".into()
}

impl Config {
    /// Read and validate `path` (normally `<root>/config.toml`). `shown` is the name used in
    /// messages.
    pub fn load(path: &Path, shown: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(shown, e))?;
        Config::parse(&text, shown)
    }

    /// Parse and validate config text; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let diag = |offset: usize, msg: String| {
            Error::Source(Diagnostic::new(path, msg).at_offset(text, offset))
        };
        let table = toml::de::DeTable::parse(text)
            .map_err(|e| diag(e.span().map_or(0, |s| s.start), e.message().to_string()))?;
        // `[sections]` takes the section settings and nothing else (an `_index.md` may hold
        // other keys: it is front matter too).
        let sections = table
            .get_ref()
            .get("sections")
            .and_then(|v| match v.get_ref() {
                toml::de::DeValue::Table(t) => Some(t),
                _ => None,
            });
        let keys = table.get_ref().keys().map(|k| (k, KNOWN_KEYS));
        let section_keys = sections
            .into_iter()
            .flat_map(|t| t.keys())
            .map(|k| (k, SETTING_KEYS));
        for (key, known) in keys.chain(section_keys) {
            let name: &str = key.get_ref();
            if !known.contains(&name) {
                let mut msg = format!("unknown key `{name}`");
                if let Some(best) = closest(name, known) {
                    msg.push_str(&format!(" (did you mean `{best}`?)"));
                }
                return Err(diag(key.span().start, msg));
            }
        }
        let mut raw: RawConfig = toml::from_str(text).map_err(|e| {
            let message = crate::error::plain_types(e.message());
            diag(e.span().map_or(0, |s| s.start), message)
        })?;
        for text in [
            &mut raw.title,
            &mut raw.tagline,
            &mut raw.description,
            &mut raw.author,
        ]
        .into_iter()
        .chain(raw.disclaimer.as_mut())
        .chain(raw.breaking_news.as_mut().map(|b| &mut b.text))
        {
            crate::strip_controls(text);
        }
        if let Some(url) = raw.breaking_news.as_ref().and_then(|b| b.url.as_deref())
            && crate::markdown::is_script_url(url, false)
        {
            return Err(diag(
                text.find(url).unwrap_or(0),
                "`breaking_news.url` is a URL that runs code: give the address of a page".into(),
            ));
        }

        let (base_url, base_path) = parse_base_url(raw.base_url.get_ref())
            .map_err(|msg| diag(raw.base_url.span().start, msg))?;
        let count = |v: Option<toml::Spanned<i64>>, default: usize, key: &str| match v {
            None => Ok(default),
            Some(v) if *v.get_ref() >= 1 => Ok(*v.get_ref() as usize),
            Some(v) => Err(diag(v.span().start, format!("`{key}` must be at least 1"))),
        };
        let permalink = match raw.permalink {
            None => Permalink::parse(DEFAULT_PERMALINK).expect("default permalink is valid"),
            Some(p) => Permalink::parse(p.get_ref()).map_err(|msg| diag(p.span().start, msg))?,
        };
        let (output_dir, output_dir_at) = match raw.output_dir {
            None => ("public".to_string(), None),
            Some(dir) if dir.get_ref().trim().is_empty() => {
                return Err(diag(
                    dir.span().start,
                    "`output_dir` must not be empty".into(),
                ));
            }
            Some(dir) => {
                let (line, col) = crate::error::line_col(text, dir.span().start);
                let source = text.lines().nth(line - 1).unwrap_or_default().to_string();
                (dir.into_inner(), Some((line, col, source)))
            }
        };
        let mut allow_symlinks_outside = Vec::new();
        for dir in raw.allow_symlinks_outside {
            let start = dir.span().start;
            if dir.get_ref().trim().is_empty() {
                return Err(diag(
                    start,
                    "`allow_symlinks_outside` entries must be folder paths, not empty".into(),
                ));
            }
            let (line, col) = crate::error::line_col(text, start);
            let source = text.lines().nth(line - 1).unwrap_or_default().to_string();
            allow_symlinks_outside.push((PathBuf::from(dir.into_inner()), (line, col, source)));
        }
        let posts_per_page = count(raw.posts_per_page, 10, "posts_per_page")?;
        let taxonomies = match raw.taxonomies {
            None => vec![
                TaxonomyConfig {
                    name: "tags".into(),
                    feed: true,
                    paginate_by: posts_per_page,
                    sort_by: TermOrder::Date,
                    render: true,
                },
                TaxonomyConfig {
                    name: "categories".into(),
                    feed: false,
                    paginate_by: posts_per_page,
                    sort_by: TermOrder::Date,
                    render: true,
                },
            ],
            Some(list) => {
                let mut out: Vec<TaxonomyConfig> = Vec::new();
                for t in list.into_inner() {
                    let name = t.name.get_ref().trim().to_string();
                    let at = t.name.span().start;
                    if name.is_empty()
                        || !name.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                        })
                    {
                        return Err(diag(
                            at,
                            format!(
                                "a taxonomy name is a front matter key and a URL segment: use \
                                 lowercase letters, digits, `-` and `_`, like \"authors\", found `{name}`"
                            ),
                        ));
                    }
                    if matches!(name.as_str(), "page" | "archive") {
                        return Err(diag(
                            at,
                            format!(
                                "`/{name}/` is one of Quire's own URLs: name the taxonomy differently"
                            ),
                        ));
                    }
                    if out.iter().any(|o| o.name == name) {
                        return Err(diag(at, format!("the taxonomy `{name}` is listed twice")));
                    }
                    let paginate_by = match t.paginate_by {
                        None => posts_per_page,
                        Some(n) if *n.get_ref() >= 0 => *n.get_ref() as usize,
                        Some(n) => {
                            return Err(diag(
                                n.span().start,
                                "`paginate_by` must be 0 (all on one page) or more".into(),
                            ));
                        }
                    };
                    let sort_by = match t.sort_by {
                        None if name == "series" => TermOrder::DateAsc,
                        None => TermOrder::Date,
                        Some(s) => match s.get_ref().trim() {
                            "date" => TermOrder::Date,
                            "date-asc" => TermOrder::DateAsc,
                            "title" => TermOrder::Title,
                            other => {
                                return Err(diag(
                                    s.span().start,
                                    format!(
                                        "unknown taxonomy `sort_by` value `{other}`: use \"date\" \
                                         (newest first), \"date-asc\" (oldest first) or \"title\""
                                    ),
                                ));
                            }
                        },
                    };
                    out.push(TaxonomyConfig {
                        name,
                        feed: t.feed,
                        paginate_by,
                        sort_by,
                        render: t.render.unwrap_or(true),
                    });
                }
                out
            }
        };
        let mut redirects = Vec::with_capacity(raw.redirects.len());
        for (from, to) in raw.redirects {
            let at = to.span().start;
            let from = crate::routes::alias_path(&from)
                .map_err(|m| diag(at, m.replacen("the alias", "the redirect", 1)))?;
            let to = to.into_inner();
            check_redirect_target(&to).map_err(|m| {
                diag(
                    at,
                    format!(
                        "the redirect from `{from}` cannot go to `{to}`: {m}; write a site path \
                         like \"/posts/new-name/\" or a full URL"
                    ),
                )
            })?;
            if crate::routes::alias_path(&to).is_ok_and(|t| t == from) {
                return Err(diag(
                    at,
                    format!("the redirect from `{from}` leads to itself: a reader would loop"),
                ));
            }
            redirects.push(Redirect { from, to });
        }
        let search = {
            let mut exclude = Vec::with_capacity(raw.search.exclude.len());
            for path in raw.search.exclude {
                let at = path.span().start;
                let p = path.into_inner();
                let trimmed = p.trim();
                if !trimmed.starts_with('/') || trimmed.contains("..") {
                    return Err(diag(
                        at,
                        format!(
                            "`[search] exclude` takes site paths like \"/about/\" or \"/drafts/*\", \
                             found `{p}`"
                        ),
                    ));
                }
                exclude.push(trimmed.to_string());
            }
            let (sections, sections_at) = match raw.search.sections {
                None => (None, None),
                Some(s) => {
                    let (line, col) = crate::error::line_col(text, s.span().start);
                    let source = text.lines().nth(line - 1).unwrap_or_default().to_string();
                    (Some(s.into_inner()), Some((line, col, source)))
                }
            };
            SearchSettings {
                enabled: raw.search.enabled.unwrap_or(true),
                sections,
                sections_at,
                exclude,
            }
        };
        let sections = match raw.sections {
            None => SectionSettings::default(),
            Some(s) => {
                let at = s.span().start;
                s.into_inner().check().map_err(|e| {
                    let key_at = text[at..]
                        .find(&format!("\n{}", e.key))
                        .map_or(at, |i| at + i + 1);
                    diag(key_at, e.message)
                })?
            }
        };
        let home_section = match raw.home_section {
            None => HomeSection::Section("posts".into()),
            Some(h) if h.get_ref().trim() == "*" => HomeSection::All,
            Some(h) => {
                let path = h.get_ref().trim().trim_matches('/').to_string();
                if path.is_empty()
                    || path.split('/').any(|seg| {
                        seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\')
                    })
                {
                    return Err(diag(
                        h.span().start,
                        format!(
                            "`home_section` names a folder under `content/`, like \"posts\" or \
                             \"news\", or is \"*\" for every dated page, found `{}`",
                            h.get_ref()
                        ),
                    ));
                }
                HomeSection::Section(path)
            }
        };
        Ok(Config {
            taxonomies,
            sections,
            home_section,
            title: raw.title,
            tagline: raw.tagline,
            description: raw.description,
            author: raw.author,
            disclaimer: raw.disclaimer.filter(|d| !d.trim().is_empty()),
            base_url,
            base_path,
            language: raw.language,
            posts_per_page,
            latest_posts: count(raw.latest_posts, 5, "latest_posts")?,
            feed_limit: count(raw.feed_limit, 20, "feed_limit")?,
            output_dir: PathBuf::from(output_dir),
            output_dir_at,
            permalink,
            breaking_news: raw.breaking_news,
            allow_symlinks_outside,
            shortcodes: raw.shortcodes,
            redirects,
            search,
            extra: raw.extra,
        })
    }

    /// Replace `base_url` (e.g. from `--base-url`), keeping everything else.
    pub fn set_base_url(&mut self, url: &str) -> Result<()> {
        let (base_url, base_path) = parse_base_url(url).map_err(Error::Other)?;
        self.base_url = base_url;
        self.base_path = base_path;
        Ok(())
    }

    /// An absolute URL for a site path such as `/posts/x/` (which already carries the base path).
    pub fn absolute(&self, path: &str) -> String {
        let origin_end = self.base_url.len() - self.base_path.len();
        format!("{}{}", &self.base_url[..origin_end], path)
    }
}

/// The closest known name to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&name.to_lowercase(), k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn parse_base_url(input: &str) -> Result<(String, String), String> {
    let url = url::Url::parse(input.trim())
        .map_err(|e| format!("`base_url` is not a valid URL ({e}): `{input}`"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "`base_url` must be an http or https URL like \"https://example.org/\", found `{input}`"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`base_url` must not have a query or fragment: `{input}`"
        ));
    }
    let mut s = url.to_string();
    if !s.ends_with('/') {
        s.push('/');
    }
    let mut path = url.path().to_string();
    if !path.ends_with('/') {
        path.push('/');
    }
    if let Err(problem) = crate::routes::check_url_path(&path) {
        return Err(format!(
            "`base_url` cannot be used: its path {problem}, found `{input}`"
        ));
    }
    Ok((s, path))
}

pub const DEFAULT_PERMALINK: &str = "/posts/{slug}/";

/// A URL pattern for posts, e.g. `/{year}/{month}/{slug}/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalink {
    parts: Vec<PermalinkPart>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PermalinkPart {
    Text(String),
    Year,
    Month,
    Day,
    Slug,
}

impl Permalink {
    pub fn parse(pattern: &str) -> Result<Permalink, String> {
        // First: `\posts\{slug}\` is a backslash mistake before it is a missing `/`.
        if pattern.contains('\\') {
            return Err(format!(
                "`permalink` must not contain a backslash `\\`: URLs separate folders with `/`, \
                 like \"/posts/{{slug}}/\", found `{pattern}`"
            ));
        }
        if !pattern.starts_with('/') || !pattern.ends_with('/') {
            return Err(format!(
                "`permalink` must start and end with `/`, like \"/posts/{{slug}}/\", found `{pattern}`"
            ));
        }
        let mut parts = Vec::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(PermalinkPart::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("unclosed `{{` in permalink `{pattern}`"))?
                + open;
            parts.push(match &rest[open + 1..close] {
                "year" => PermalinkPart::Year,
                "month" => PermalinkPart::Month,
                "day" => PermalinkPart::Day,
                "slug" => PermalinkPart::Slug,
                other => {
                    return Err(format!(
                        "unknown permalink token `{{{other}}}`; use {{year}}, {{month}}, {{day}} or {{slug}}"
                    ));
                }
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PermalinkPart::Text(rest.to_string()));
        }
        if !parts.contains(&PermalinkPart::Slug) {
            return Err(format!(
                "`permalink` must contain {{slug}} so posts get distinct URLs, found `{pattern}`"
            ));
        }
        let permalink = Permalink { parts };
        // Every URL it makes must be a plain site path: tokens expand to digits and slugs, so
        // checking one expansion checks the pattern's own text.
        if let Err(problem) =
            crate::routes::check_url_path(&permalink.expand("slug", Some((2024, 1, 1))))
        {
            return Err(format!(
                "`permalink` cannot be used: {problem}; write a site path like \"/posts/{{slug}}/\", found `{pattern}`"
            ));
        }
        Ok(permalink)
    }

    /// Whether the pattern needs the post's date.
    pub fn uses_date(&self) -> bool {
        self.parts.iter().any(|p| {
            matches!(
                p,
                PermalinkPart::Year | PermalinkPart::Month | PermalinkPart::Day
            )
        })
    }

    /// The path (without base path) for a post. `date` is `(year, month, day)`; posts without a
    /// date are only accepted by the caller when [`Permalink::uses_date`] is false.
    pub fn expand(&self, slug: &str, date: Option<(i32, u32, u32)>) -> String {
        let (y, m, d) = date.unwrap_or((0, 0, 0));
        let mut out = String::new();
        for part in &self.parts {
            match part {
                PermalinkPart::Text(t) => out.push_str(t),
                PermalinkPart::Year => out.push_str(&format!("{y:04}")),
                PermalinkPart::Month => out.push_str(&format!("{m:02}")),
                PermalinkPart::Day => out.push_str(&format!("{d:02}")),
                PermalinkPart::Slug => out.push_str(slug),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("config.toml"))
    }

    #[test]
    fn sections_take_only_section_settings() {
        let c = parse(
            "title = \"T\"\nbase_url = \"https://e.org/\"\n[sections]\nsort_by = \"title\"\ngenerate_feeds = true\n",
        )
        .unwrap();
        assert_eq!(c.sections.sort_by, Some(SortBy::Title));
        assert_eq!(c.sections.feed, Some(true));
        let err = parse(
            "title = \"T\"\nbase_url = \"https://e.org/\"\n[sections]\nsort_bu = \"title\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("config.toml:4:1: unknown key `sort_bu` (did you mean `sort_by`?)"),
            "{err}"
        );
    }

    #[test]
    fn redirects_are_site_paths_to_a_path_or_a_url() {
        let base = "title = \"T\"\nbase_url = \"https://e.org/\"\n[redirects]\n";
        let c = parse(&format!(
            "{base}\"old/x.html\" = \"/posts/x/\"\n\"/a\" = \"https://elsewhere.org/a\"\n"
        ))
        .unwrap();
        assert_eq!(
            c.redirects,
            [
                Redirect {
                    from: "/a/".into(),
                    to: "https://elsewhere.org/a".into()
                },
                Redirect {
                    from: "/old/x.html".into(),
                    to: "/posts/x/".into()
                },
            ]
        );
        for (line, words) in [
            ("\"/x/\" = \"posts/x/\"", "neither a path starting with `/`"),
            ("\"/x/\" = \"javascript:alert(1)\"", "neither a path"),
            ("\"/x/\" = \"/a\\\"b\"", "a quote"),
            ("\"/x/\" = \"//evil.org/\"", "neither a path"),
            ("\"/x/\" = \"/x\"", "leads to itself"),
            ("\"../x\" = \"/y/\"", "the redirect `../x` cannot be used"),
            ("\"/\" = \"/y/\"", "home page"),
        ] {
            let err = parse(&format!("{base}{line}\n")).unwrap_err().to_string();
            assert!(err.starts_with("config.toml:4:"), "{line}: {err}");
            assert!(err.contains(words), "{line}: {err}");
        }
    }

    #[test]
    fn defaults_apply() {
        let c = parse("title = \"T\"\nbase_url = \"https://example.org\"").unwrap();
        assert_eq!(c.base_url, "https://example.org/");
        assert_eq!(c.base_path, "/");
        assert_eq!(c.language, "en");
        assert_eq!(c.posts_per_page, 10);
        assert_eq!(c.latest_posts, 5);
        assert_eq!(c.feed_limit, 20);
        assert_eq!(c.output_dir, PathBuf::from("public"));
        assert_eq!(c.permalink.expand("x", None), "/posts/x/");
    }

    #[test]
    fn control_characters_are_dropped_and_a_script_url_is_refused() {
        let c = parse(
            "title = \"T\\u0007i\\u001bt\\u0085le \\u202e\"\nbase_url = \"https://e.org/\"\n\
             [breaking_news]\ntext = \"Storm\\u0000 warning\"\nurl = \"/storm/\"",
        )
        .unwrap();
        assert_eq!(c.title, "Title \u{202e}");
        assert_eq!(c.breaking_news.unwrap().text, "Storm warning");
        let err = parse(
            "title = \"T\"\nbase_url = \"https://e.org/\"\n\
             [breaking_news]\ntext = \"Storm\"\nurl = \"javascript:alert(1)\"",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("config.toml:5:8:"), "{err}");
    }

    #[test]
    fn feed_limit_is_read_and_must_be_positive() {
        let c = parse("title = \"T\"\nbase_url = \"https://e.org/\"\nfeed_limit = 3").unwrap();
        assert_eq!(c.feed_limit, 3);
        let err =
            parse("title = \"T\"\nbase_url = \"https://e.org/\"\nfeed_limit = 0").unwrap_err();
        assert!(
            err.to_string().contains("`feed_limit` must be at least 1"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_is_named_with_a_suggestion_and_position() {
        let err =
            parse("title = \"T\"\nbase_url = \"https://e.org/\"\npost_per_page = 3\n").unwrap_err();
        let Error::Source(d) = err else {
            panic!("{err}")
        };
        assert_eq!(d.position, Some((3, 1)));
        assert!(d.message.contains("`post_per_page`"), "{}", d.message);
        assert!(
            d.message.contains("did you mean `posts_per_page`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn base_url_with_path_gives_base_path() {
        let c = parse("title = \"T\"\nbase_url = \"https://e.org/blog\"").unwrap();
        assert_eq!(c.base_url, "https://e.org/blog/");
        assert_eq!(c.base_path, "/blog/");
        assert_eq!(c.absolute("/blog/posts/a/"), "https://e.org/blog/posts/a/");
    }

    #[test]
    fn bad_base_url_is_an_error_at_its_position() {
        let err = parse("title = \"T\"\nbase_url = \"example\"").unwrap_err();
        assert!(err.to_string().starts_with("config.toml:2:12:"), "{err}");
    }

    #[test]
    fn wrong_type_is_reported_with_position() {
        let err = parse("title = 3\nbase_url = \"https://e.org/\"").unwrap_err();
        assert!(err.to_string().starts_with("config.toml:1:9:"), "{err}");
    }

    #[test]
    fn permalink_tokens_expand() {
        let p = Permalink::parse("/{year}/{month}/{day}/{slug}/").unwrap();
        assert!(p.uses_date());
        assert_eq!(p.expand("hi", Some((2024, 5, 1))), "/2024/05/01/hi/");
        assert!(Permalink::parse("/posts/{title}/").is_err());
        assert!(Permalink::parse("/posts/").is_err());
        assert!(Permalink::parse("posts/{slug}").is_err());
        for pattern in ["/posts\\{slug}/", "\\posts\\{slug}\\", "/{slug}/\\"] {
            let err = Permalink::parse(pattern).unwrap_err();
            assert!(err.contains("must not contain a backslash"), "{err}");
        }
        let err = Permalink::parse("/posts/../{slug}/").unwrap_err();
        assert!(err.contains("a `..` segment"), "{err}");
    }
}
