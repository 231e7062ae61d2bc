//! Zola: Quire reads Zola's content layout, front matter and Tera shortcodes as they are, so
//! the import copies `content/`, `static/` and `templates/shortcodes/` and translates
//! `config.toml`. Zola's other templates are a theme written for Zola's variables: the
//! built-in theme takes their place (a note says how many).

use std::path::Path;

use serde_json::Value;

use super::{Basics, Note, OldUrls, Plan, get, get_int, get_str, to_toml};
use crate::content::Document;
use crate::error::{Error, Result};

const USED: &[&str] = &[
    "title",
    "base_url",
    "description",
    "default_language",
    "author",
    "taxonomies",
    "extra",
    "paginate_by",
    // Read by Quire the same way, or without meaning for a static copy.
    "generate_feeds",
    "generate_feed",
    "feed_filenames",
    "feed_filename",
    "generate_sitemap",
    "generate_robots_txt",
    "theme",
];

pub(super) fn plan(src: &Path) -> Result<Plan> {
    let path = src.join("config.toml");
    if !path.is_file() {
        return Err(Error::Other(format!(
            "no config.toml in {}: is it a Zola site?",
            src.display()
        )));
    }
    let cfg = super::read_config(&path, "config.toml")?;
    let mut plan = Plan {
        old_urls: OldUrls::Zola,
        ..Plan::default()
    };
    let extra = get(&cfg, "extra");
    let author = get_str(&cfg, "author")
        .or_else(|| extra.and_then(|e| get_str(e, "author")))
        .map(str::to_string);
    super::basics(
        &mut plan.config,
        Basics {
            title: get_str(&cfg, "title"),
            base_url: get_str(&cfg, "base_url").map(str::to_string),
            description: get_str(&cfg, "description"),
            author,
            language: get_str(&cfg, "default_language"),
        },
    );
    if let Some(Value::Array(list)) = get(&cfg, "taxonomies") {
        let list: Vec<(String, bool, Option<i64>)> = list
            .iter()
            .filter_map(|t| {
                let name = get_str(t, "name")?.to_string();
                let feed = get(t, "feed")
                    .or_else(|| get(t, "rss"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                Some((name, feed, get_int(t, "paginate_by")))
            })
            .collect();
        plan.config.insert(
            "taxonomies".into(),
            super::taxonomies(&list, &mut plan.notes, "config.toml"),
        );
    }
    if let Some(extra) = extra.and_then(to_toml) {
        plan.config.insert("extra".into(), extra);
    }
    super::unused_keys(&mut plan.notes, &cfg, "config.toml", USED);

    super::copy_tree(&mut plan, src, "content", "content");
    super::copy_static(&mut plan, src, "static");
    // Shortcodes: the site's own, then its theme's (the site's win: the first copy of a
    // path is kept).
    let theme = get_str(&cfg, "theme").map(|t| format!("themes/{t}/templates/shortcodes"));
    for from in ["templates/shortcodes".to_string()]
        .into_iter()
        .chain(theme)
    {
        let start = plan.copies.len();
        super::copy_tree(&mut plan, src, &from, "templates/shortcodes");
        // Zola's Tera 1 accepts a few forms Tera 2 refuses (`is not ending_with("x")`): such
        // a template becomes a stub, named with the reason, instead of failing the build.
        let copied: Vec<_> = plan.copies.drain(start..).collect();
        for (file, to) in copied {
            match tera_problem(&file, &super::rel(src, &file)) {
                None => {
                    plan.templates.push(to.clone());
                    plan.copies.push((file, to));
                }
                Some(problem) => {
                    let original = super::rel(src, &file);
                    plan.notes.push(Note::new(
                        original.clone(),
                        format!("not a Tera 2 template ({problem}): written as a stub to port"),
                    ));
                    plan.writes
                        .push((to, super::stub(&original, "Zola shortcode")));
                }
            }
        }
    }
    let mut theme_templates = Vec::new();
    for (file, relative) in super::files_under(&src.join("templates"), src, &mut Vec::new()) {
        if !relative.starts_with("shortcodes") {
            theme_templates.push(file);
        }
    }
    if !theme_templates.is_empty() {
        plan.notes.push(Note::new(
            "templates",
            format!(
                "{} theme templates not imported: they use Zola's variables, and Quire's \
                 built-in theme renders the pages (README \"Templates\" says how to override it)",
                theme_templates.len()
            ),
        ));
    }
    if src.join("sass").is_dir() {
        plan.notes.push(Note::new(
            "sass",
            "Sass files not imported: Quire does not compile Sass (put the CSS in static/)",
        ));
    }
    Ok(plan)
}

/// Why a shortcode template does not load as Quire loads it (Tera 2, with Quire's filters
/// and functions), if it does not.
fn tera_problem(path: &Path, shown: &Path) -> Option<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Some(e.to_string()),
    };
    let name = path.file_name()?.to_string_lossy();
    let sources = std::collections::BTreeMap::from([(
        format!("shortcodes/{name}"),
        (shown.to_path_buf(), text),
    )]);
    let error = crate::render::Theme::from_sources(sources).err()?;
    // The first line says what; the rest quotes the template.
    let message = error.to_string();
    Some(message.lines().next().unwrap_or("").trim().to_string())
}

/// Zola's URL: `path` as written, else the section folders and the slug (the front matter
/// `slug`, else the file or bundle name without its date), each made into a slug.
pub(super) fn old_url(doc: &Document, front: &Value) -> Option<String> {
    if let Some(path) = get_str(front, "path") {
        return Some(format!("/{}/", path.trim_matches('/')).replace("//", "/"));
    }
    let stem = super::stem(doc);
    let slug = match get_str(front, "slug") {
        Some(s) => crate::slugify(s),
        None => {
            let name = crate::content::date::split_date_prefix(&stem)
                .map_or(stem.as_str(), |(_, rest)| rest);
            crate::slugify(name.trim_start_matches(['_', '-']))
        }
    };
    let mut url = String::from("/");
    for folder in super::folders(doc) {
        url.push_str(&crate::slugify(&folder));
        url.push('/');
    }
    url.push_str(&slug);
    url.push('/');
    Some(url)
}
