//! Hugo: `content/` and `static/` are copied as they are (Quire reads Hugo's front matter,
//! bundles and shortcode syntax); the site's shortcodes are Go templates, so each one Quire
//! has no built-in for becomes a stub to port; `permalinks`, `uglyURLs` and
//! `disablePathToLower` decide the old URLs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use serde_json::Value;

use super::{Basics, Note, OldUrls, Plan, get, get_int, get_str, to_toml};
use crate::content::Document;
use crate::error::{Error, Result};

/// How Hugo made this site's URLs.
#[derive(Debug, Default)]
pub(super) struct Rules {
    /// Section → pattern (`posts` → `/:year/:month/:slug/`).
    permalinks: BTreeMap<String, String>,
    /// `uglyURLs`: `/posts/x.html` rather than `/posts/x/`.
    ugly: bool,
    /// Paths lowercased (unless `disablePathToLower`).
    lower: bool,
}

const USED: &[&str] = &[
    "title",
    "baseURL",
    "languageCode",
    "defaultContentLanguage",
    "params",
    "author",
    "paginate",
    "pagination",
    "taxonomies",
    "permalinks",
    "uglyURLs",
    "disablePathToLower",
    "contentDir",
    "staticDir",
    "theme",
    // Nothing to translate: Quire does these itself.
    "enableRobotsTXT",
    "summaryLength",
    "markup",
    "pygmentsCodeFences",
    "pygmentsUseClasses",
];

const NAMES: &[&str] = &["hugo", "config"];
const EXTENSIONS: &[&str] = &["toml", "yaml", "yml", "json"];

pub(super) fn plan(src: &Path) -> Result<Plan> {
    let mut found = None;
    'search: for dir in ["", "config/_default"] {
        for name in NAMES {
            for ext in EXTENSIONS {
                let rel = Path::new(dir).join(format!("{name}.{ext}"));
                if src.join(&rel).is_file() {
                    found = Some(rel);
                    break 'search;
                }
            }
        }
    }
    let Some(rel) = found else {
        return Err(Error::Other(format!(
            "no hugo.toml, config.toml (or .yaml, .json) in {}: is it a Hugo site?",
            src.display()
        )));
    };
    let shown = rel.display().to_string();
    let mut cfg = super::read_config(&src.join(&rel), &shown)?;
    // `config/_default/params.toml` and friends hold one key each.
    if rel.starts_with("config") {
        for key in ["params", "permalinks", "taxonomies"] {
            for ext in EXTENSIONS {
                let path = src.join(format!("config/_default/{key}.{ext}"));
                if path.is_file()
                    && let Value::Object(map) = &mut cfg
                {
                    map.insert(key.into(), super::read_config(&path, key)?);
                }
            }
        }
    }
    let mut plan = Plan::default();
    let empty = Value::Null;
    let params = get(&cfg, "params").unwrap_or(&empty);
    let author = get_str(params, "author")
        .or_else(|| get_str(&cfg, "author"))
        .map(str::to_string)
        .or_else(|| {
            let a = get(params, "author").or_else(|| get(&cfg, "author"))?;
            get_str(a, "name").map(str::to_string)
        });
    let language =
        get_str(&cfg, "languageCode").or_else(|| get_str(&cfg, "defaultContentLanguage"));
    super::basics(
        &mut plan.config,
        Basics {
            title: get_str(&cfg, "title"),
            base_url: get_str(&cfg, "baseURL").map(str::to_string),
            description: get_str(params, "description"),
            author,
            language,
        },
    );
    if let Some(tagline) = get_str(params, "subtitle").or_else(|| get_str(params, "tagline")) {
        plan.config
            .insert("tagline".into(), toml::Value::String(tagline.into()));
    }
    let per_page = get_int(&cfg, "paginate")
        .or_else(|| get(&cfg, "pagination").and_then(|p| get_int(p, "pagerSize")));
    if let Some(n) = per_page.filter(|n| *n > 0) {
        plan.config
            .insert("posts_per_page".into(), toml::Value::Integer(n));
    }
    // Hugo writes a feed for every term; its default taxonomies are tags and categories.
    let names: Vec<String> = match get(&cfg, "taxonomies").and_then(Value::as_object) {
        Some(map) => map
            .values()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        None => vec!["tags".into(), "categories".into()],
    };
    let list: Vec<_> = names.into_iter().map(|n| (n, true, None)).collect();
    plan.config.insert(
        "taxonomies".into(),
        super::taxonomies(&list, &mut plan.notes, &shown),
    );
    if let Some(Value::Array(main)) = get(params, "mainSections")
        && let [Value::String(section)] = main.as_slice()
    {
        plan.config
            .insert("home_section".into(), toml::Value::String(section.clone()));
    }
    let mut extra = params.as_object().cloned().unwrap_or_default();
    for key in [
        "description",
        "author",
        "subtitle",
        "tagline",
        "mainSections",
    ] {
        extra.remove(key);
    }
    if let Some(extra) =
        to_toml(&Value::Object(extra)).filter(|t| t.as_table().is_some_and(|t| !t.is_empty()))
    {
        plan.config.insert("extra".into(), extra);
    }

    let mut rules = Rules {
        ugly: get(&cfg, "uglyURLs")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        lower: !get(&cfg, "disablePathToLower")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        ..Rules::default()
    };
    if let Some(permalinks) = get(&cfg, "permalinks") {
        // `[permalinks.page]` (Hugo 0.115+) or `[permalinks]` directly.
        let pages = get(permalinks, "page").unwrap_or(permalinks);
        for (section, pattern) in pages.as_object().into_iter().flatten() {
            if let Some(p) = pattern.as_str() {
                rules.permalinks.insert(section.clone(), p.to_string());
            }
        }
    }
    if let Some(pattern) = rules
        .permalinks
        .get("posts")
        .and_then(|p| quire_permalink(p))
    {
        plan.config
            .insert("permalink".into(), toml::Value::String(pattern));
    }
    super::unused_keys(&mut plan.notes, &cfg, &shown, USED);

    let content = get_str(&cfg, "contentDir").unwrap_or("content").to_string();
    let statics = get_str(&cfg, "staticDir").unwrap_or("static").to_string();
    super::copy_tree(&mut plan, src, &content, "content");
    super::copy_static(&mut plan, src, &statics);
    let theme = get_str(&cfg, "theme").map(str::to_string);
    let mut shortcode_dirs = vec![
        PathBuf::from("layouts/shortcodes"),
        PathBuf::from("layouts/_shortcodes"),
    ];
    if let Some(t) = &theme {
        shortcode_dirs.push(Path::new("themes").join(t).join("layouts/shortcodes"));
        shortcode_dirs.push(Path::new("themes").join(t).join("layouts/_shortcodes"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for dir in shortcode_dirs {
        for (file, relative) in super::files_under(&src.join(&dir), src, &mut plan.notes) {
            let Some(name) = relative.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            // `x.html`, `x.md` and output-format variants (`x.amp.html`) are one shortcode.
            let name = name.split('.').next().unwrap_or(name).to_string();
            if !seen.insert(name.clone()) {
                continue;
            }
            let original = super::rel(src, &file);
            if crate::markdown::shortcode::is_built_in(&name) {
                plan.notes.push(Note::new(original, format!(
                        "the site's own `{name}` shortcode is a Go template: Quire's built-in \
                         `{name}` renders it instead (override it in templates/shortcodes/{name}.html)"
                    )));
                continue;
            }
            plan.writes.push((
                Path::new("templates/shortcodes").join(format!("{name}.html")),
                super::stub(&original, "Hugo shortcode"),
            ));
        }
    }
    for (dir, what) in [
        ("assets", "Hugo Pipes assets"),
        ("data", "data files"),
        ("i18n", "translation tables"),
    ] {
        if src.join(dir).is_dir() {
            plan.notes.push(Note::new(
                dir,
                format!("{what} not imported: Quire has no equivalent"),
            ));
        }
    }
    plan.old_urls = OldUrls::Hugo(rules);
    Ok(plan)
}

/// A Hugo permalink Quire can write itself (`/:year/:month/:slug/` → `/{year}/{month}/{slug}/`).
fn quire_permalink(pattern: &str) -> Option<String> {
    let mut out = String::new();
    for (text, token) in tokens(pattern) {
        out.push_str(&text);
        match token.as_deref() {
            None => {}
            Some("year") => out.push_str("{year}"),
            Some("month") => out.push_str("{month}"),
            Some("day") => out.push_str("{day}"),
            Some("section") => out.push_str("posts"),
            Some(
                "slug"
                | "title"
                | "filename"
                | "slugorfilename"
                | "contentbasename"
                | "slugorcontentbasename",
            ) => out.push_str("{slug}"),
            Some(_) => return None,
        }
    }
    let out = if out.ends_with('/') {
        out
    } else {
        format!("{out}/")
    };
    crate::config::Permalink::parse(&out).ok().map(|_| out)
}

/// A pattern as (text before, token) pairs: `/:year/x-:slug/` →
/// `[("/", year), ("/x-", slug), ("/", none)]`.
fn tokens(pattern: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push((std::mem::take(&mut text), Some(name)));
        } else {
            text.push(c);
        }
    }
    out.push((text, None));
    out
}

/// Hugo's `urlize`: spaces become `-`, characters a path should not hold are dropped.
fn urlize(text: &str, lower: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_whitespace() {
            out.push('-');
        } else if c.is_alphanumeric() || "./_-#+~".contains(c) {
            out.push(c);
        }
    }
    if lower { out.to_lowercase() } else { out }
}

/// A document's relative aliases where Hugo put them: under the page's folder
/// (`old-name` in `content/posts/x.md` is `/posts/old-name/`).
pub(super) fn relative_aliases(doc: &Document) -> Vec<String> {
    let folders = super::folders(doc);
    doc.aliases
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.starts_with('/') && !a.is_empty() && !folders.is_empty())
        .map(|a| format!("/{}/{a}", folders.join("/")))
        .collect()
}

/// The URL Hugo gave a post or page.
pub(super) fn old_url(rules: &Rules, doc: &Document, front: &Value) -> Option<String> {
    if let Some(url) = get_str(front, "url") {
        return Some(if url.starts_with('/') {
            url.to_string()
        } else {
            format!("/{url}")
        });
    }
    let folders = super::folders(doc);
    let filename = super::stem(doc);
    let slug = get_str(front, "slug").map(str::to_string);
    let title = || urlize(&doc.title, rules.lower);
    let pattern = folders.first().and_then(|s| rules.permalinks.get(s));
    let path = match pattern {
        Some(pattern) => {
            let date = doc.date;
            let mut out = String::new();
            for (text, token) in tokens(pattern) {
                out.push_str(&text);
                let Some(token) = token else { continue };
                let value = match token.as_str() {
                    "year" => format!("{:04}", date?.year()),
                    "month" => format!("{:02}", date?.month()),
                    "monthname" => date?.format("%B").to_string(),
                    "day" => format!("{:02}", date?.day()),
                    "weekday" => date?.weekday().num_days_from_sunday().to_string(),
                    "weekdayname" => date?.format("%A").to_string(),
                    "yearday" => date?.ordinal().to_string(),
                    "section" => folders[0].clone(),
                    "sections" => folders.join("/"),
                    "title" => title(),
                    "slug" => slug.clone().unwrap_or_else(title),
                    "filename" | "contentbasename" => filename.clone(),
                    "slugorfilename" | "slugorcontentbasename" => {
                        slug.clone().unwrap_or_else(|| filename.clone())
                    }
                    _ => return None,
                };
                out.push_str(&value);
            }
            out
        }
        None => {
            let mut path = String::from("/");
            for f in &folders {
                path.push_str(f);
                path.push('/');
            }
            path.push_str(slug.as_deref().unwrap_or(&filename));
            path
        }
    };
    let path: String = path
        .split('/')
        .map(|seg| urlize(seg, rules.lower))
        .collect::<Vec<_>>()
        .join("/");
    let path = path.trim_end_matches('/');
    Some(if rules.ugly && !path.ends_with(".html") {
        format!("{path}.html")
    } else {
        format!("{path}/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permalinks_quire_can_write_are_translated() {
        assert_eq!(
            quire_permalink("/:year/:month/:slug/").as_deref(),
            Some("/{year}/{month}/{slug}/")
        );
        assert_eq!(quire_permalink("/:filename").as_deref(), Some("/{slug}/"));
        assert_eq!(
            quire_permalink("/:section/:title/").as_deref(),
            Some("/posts/{slug}/")
        );
        assert_eq!(quire_permalink("/:year/:weekdayname/"), None);
        assert_eq!(quire_permalink("/:year/"), None);
    }

    #[test]
    fn urlize_keeps_letters_and_lowercases() {
        assert_eq!(urlize("Hello, World!", true), "hello-world");
        assert_eq!(urlize("Über Café", false), "Über-Café");
    }
}
