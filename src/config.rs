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
    pub extra: toml::Table,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct BreakingNews {
    pub text: String,
    #[serde(default)]
    pub url: Option<String>,
}

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
    extra: toml::Table,
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
        for (key, _) in table.get_ref() {
            let name: &str = key.get_ref();
            if !KNOWN_KEYS.contains(&name) {
                let mut msg = format!("unknown key `{name}`");
                if let Some(best) = closest(name, KNOWN_KEYS) {
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
        Ok(Config {
            title: raw.title,
            tagline: raw.tagline,
            description: raw.description,
            author: raw.author,
            disclaimer: raw.disclaimer.filter(|d| !d.trim().is_empty()),
            base_url,
            base_path,
            language: raw.language,
            posts_per_page: count(raw.posts_per_page, 10, "posts_per_page")?,
            latest_posts: count(raw.latest_posts, 5, "latest_posts")?,
            feed_limit: count(raw.feed_limit, 20, "feed_limit")?,
            output_dir: PathBuf::from(output_dir),
            output_dir_at,
            permalink,
            breaking_news: raw.breaking_news,
            allow_symlinks_outside,
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
