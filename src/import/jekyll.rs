//! Jekyll: the whole site folder is the source. `_posts/` and `_drafts/` folders (top-level
//! or under a category folder) go to `content/` as they are, which Quire reads natively; a
//! Markdown page with front matter goes to `content/`; every file without front matter that
//! Jekyll would publish goes to `static/`. Liquid layouts and HTML pages are the old theme:
//! notes. Includes used by posts become stubs in `templates/includes/`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Basics, Note, OldUrls, Plan, get, get_int, get_str, to_toml};
use crate::content::{Document, jekyll};
use crate::error::{Error, Result};

/// How Jekyll made this site's URLs.
#[derive(Debug, Default)]
pub(super) struct Rules {
    /// The posts' `permalink` pattern, styles (`date`, `pretty`...) expanded.
    posts: String,
    /// Pages end in `/` (style `pretty` or a pattern ending in `/`), else `.html`.
    pretty_pages: bool,
}

const USED: &[&str] = &[
    "title",
    "url",
    "baseurl",
    "description",
    "author",
    "lang",
    "locale",
    "paginate",
    "permalink",
    "exclude",
    "include",
    "markdown",
    "kramdown",
    "highlighter",
    "source",
    "destination",
];

/// Folders and files Jekyll never publishes unless `include` names them.
const EXCLUDED: &[&str] = &[
    "Gemfile",
    "Gemfile.lock",
    "gemfiles",
    "node_modules",
    "vendor",
    "package.json",
    "package-lock.json",
    "Rakefile",
    "README.md",
    "LICENSE",
    "LICENSE.md",
    "CHANGELOG.md",
];

pub(super) fn plan(src: &Path) -> Result<Plan> {
    let config_rel = ["_config.yml", "_config.yaml", "_config.toml"]
        .into_iter()
        .find(|n| src.join(n).is_file());
    let cfg = match config_rel {
        Some(rel) => super::read_config(&src.join(rel), rel)?,
        None if src.join("_posts").is_dir() => Value::Object(Default::default()),
        None => {
            return Err(Error::Other(format!(
                "no _config.yml and no _posts/ in {}: is it a Jekyll site?",
                src.display()
            )));
        }
    };
    let shown = config_rel.unwrap_or("_config.yml");
    // The site's files may live in a folder of their own (`source: src`, or a build step
    // that copies them: then the shallowest folder holding `_posts/`).
    let root = match get_str(&cfg, "source").map(|s| src.join(s)) {
        Some(dir) if dir.join("_posts").is_dir() => dir,
        _ if src.join("_posts").is_dir() => src.to_path_buf(),
        _ => posts_folder(src).unwrap_or_else(|| src.to_path_buf()),
    };
    let root = root.as_path();
    let mut plan = Plan::default();
    let base_url = get_str(&cfg, "url").map(|u| {
        let path = get_str(&cfg, "baseurl").unwrap_or("").trim_matches('/');
        match path {
            "" => format!("{}/", u.trim_end_matches('/')),
            p => format!("{}/{p}/", u.trim_end_matches('/')),
        }
    });
    let author = get_str(&cfg, "author")
        .map(str::to_string)
        .or_else(|| get_str(get(&cfg, "author")?, "name").map(str::to_string));
    let language = get_str(&cfg, "lang").or_else(|| get_str(&cfg, "locale"));
    let language = language.map(|l| l.replace('_', "-"));
    super::basics(
        &mut plan.config,
        Basics {
            title: get_str(&cfg, "title"),
            base_url,
            description: get_str(&cfg, "description"),
            author,
            language: language.as_deref(),
        },
    );
    if let Some(n) = get_int(&cfg, "paginate").filter(|n| *n > 0) {
        plan.config
            .insert("posts_per_page".into(), toml::Value::Integer(n));
    }
    // `collections: posts: permalink:` wins over the site's `permalink`.
    let style = get(&cfg, "collections")
        .and_then(|c| get(c, "posts"))
        .and_then(|p| get_str(p, "permalink"))
        .or_else(|| get_str(&cfg, "permalink"))
        .unwrap_or("date");
    let posts = jekyll::style(style).to_string();
    let rules = Rules {
        pretty_pages: posts.ends_with('/'),
        posts,
    };
    if let Some(pattern) = quire_permalink(&rules.posts) {
        // For the top `_posts/`; posts under a category folder (`news/_posts/`) are a
        // section of their own, whose old URLs become redirects.
        plan.config
            .insert("permalink".into(), toml::Value::String(pattern));
    }
    // What the site's templates read as `site.<key>`: the config's own keys.
    let mut extra = cfg.as_object().cloned().unwrap_or_default();
    extra.retain(|k, v| {
        !USED.contains(&k.as_str()) && (v.is_string() || v.is_number() || v.is_boolean())
    });
    if let Some(extra) =
        to_toml(&Value::Object(extra)).filter(|t| t.as_table().is_some_and(|t| !t.is_empty()))
    {
        plan.config.insert("extra".into(), extra);
    }
    let mut unused = cfg.clone();
    if let Value::Object(map) = &mut unused {
        map.retain(|_, v| !(v.is_string() || v.is_number() || v.is_boolean()));
    }
    super::unused_keys(&mut plan.notes, &unused, shown, USED);

    let exclude: Vec<String> = strings(get(&cfg, "exclude"));
    let include: Vec<String> = strings(get(&cfg, "include"));
    let mut includes_used = std::collections::BTreeSet::new();
    if root != src {
        plan.notes.push(Note::new(
            super::rel(src, root),
            "the Jekyll source folder: imported from here",
        ));
    }
    for (file, relative) in super::files_under(root, src, &mut plan.notes) {
        let first = relative
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let first = first.unwrap_or_default();
        let named = |list: &[String]| {
            list.iter().any(|e| {
                let e = e.trim_matches('/');
                relative.starts_with(e) || first == e
            })
        };
        if (EXCLUDED.contains(&first.as_str()) || named(&exclude)) && !named(&include) {
            continue;
        }
        let in_posts = relative
            .components()
            .any(|c| c.as_os_str() == "_posts" || c.as_os_str() == "_drafts");
        let front = has_front_matter(&file);
        let markdown = super::is_markdown(&relative);
        if in_posts && markdown {
            find_includes(&file, &mut includes_used);
            plan.copies
                .push((file, Path::new("content").join(&relative)));
            continue;
        }
        // Underscore folders (`_layouts`, `_includes`, `_sass`, `_data`, `_site`) are not
        // published; posts' bundle files inside `_posts/` are copied beside them.
        if relative
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('_'))
            && !named(&include)
        {
            if in_posts {
                plan.copies
                    .push((file, Path::new("content").join(&relative)));
            }
            continue;
        }
        let top_level = relative.components().count() == 1;
        let stem = relative.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if front && ((top_level && stem == "index") || stem == "404") {
            plan.notes.push(Note::new(
                relative,
                "not imported: the built-in theme makes the home page and the 404 page",
            ));
        } else if front && markdown {
            find_includes(&file, &mut includes_used);
            plan.copies
                .push((file, Path::new("content").join(&relative)));
        } else if front {
            plan.notes.push(Note::new(
                relative,
                "a Liquid page or asset (HTML, XML, Sass) not imported: the built-in \
                          theme makes the home, archive, tag pages, feeds, sitemap and 404",
            ));
        } else {
            plan.copies
                .push((file, Path::new("static").join(&relative)));
        }
    }
    for name in includes_used {
        let original = Path::new("_includes").join(&name);
        plan.writes.push((
            Path::new("templates/includes").join(&name),
            super::stub(&original, "Jekyll include"),
        ));
    }
    for dir in ["_layouts", "_sass", "_data", "_plugins"] {
        if root.join(dir).is_dir() {
            plan.notes.push(Note::new(
                dir,
                format!("{dir}/ not imported: it belongs to the old theme or plugins"),
            ));
        }
    }
    plan.old_urls = OldUrls::Jekyll(rules);
    Ok(plan)
}

/// The shallowest folder (two levels down at most, hidden ones included, as `.tmp/src`)
/// that holds `_posts/` and the theme's `_layouts/` or `_includes/` (a category folder holds
/// only `_posts/`).
fn posts_folder(src: &Path) -> Option<PathBuf> {
    walkdir::WalkDir::new(src)
        .follow_links(false)
        .max_depth(3)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_dir() && e.file_name() == "_posts")
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        .filter(|dir| dir.join("_layouts").is_dir() || dir.join("_includes").is_dir())
        .min_by_key(|dir| dir.components().count())
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Whether a file starts with `---` (Jekyll processes only files with front matter).
fn has_front_matter(path: &Path) -> bool {
    use std::io::Read;
    let mut start = [0u8; 4];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let n = f.read(&mut start).unwrap_or(0);
    let start = &start[..n];
    let start = start.strip_prefix(b"\xef\xbb\xbf").unwrap_or(start);
    start.starts_with(b"---")
}

/// The names of the includes a document uses (`{% include note.html x=1 %}`).
fn find_includes(path: &Path, found: &mut std::collections::BTreeSet<String>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    for (at, _) in text.match_indices("{%") {
        let rest = text[at + 2..].trim_start_matches('-').trim_start();
        if let Some(rest) = rest.strip_prefix("include ") {
            let name = rest.split_whitespace().next().unwrap_or("");
            // A plain file name: anything else (a variable, a path out) is not a template name.
            if !name.is_empty()
                && name.split('/').all(|s| {
                    !s.is_empty()
                        && s != ".."
                        && s != "."
                        && s.chars().all(|c| c.is_alphanumeric() || "._-".contains(c))
                })
            {
                found.insert(name.to_string());
            }
        }
    }
}

/// A Jekyll posts pattern Quire can write itself.
fn quire_permalink(pattern: &str) -> Option<String> {
    if pattern.contains(":categories") || pattern.contains(":output_ext") {
        return None;
    }
    // `/:year/:title` is served as `/:year/:title/` by Quire: a static host sends the old
    // form to the new one by itself (a folder without its slash).
    let pattern = if pattern.ends_with('/') {
        pattern.to_string()
    } else {
        format!("{pattern}/")
    };
    let out = pattern
        .replace(":year", "{year}")
        .replace(":month", "{month}")
        .replace(":day", "{day}")
        .replace(":title", "{slug}")
        .replace(":slug", "{slug}");
    let last = out.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    (!out.contains(':') && !last.contains('.'))
        .then_some(out)
        .filter(|p| crate::config::Permalink::parse(p).is_ok())
}

/// The URL Jekyll gave a post or page; `None` for a draft (Jekyll does not publish them).
pub(super) fn old_url(rules: &Rules, doc: &Document, front: &Value) -> Option<String> {
    let in_folder = |name: &str| doc.source.components().any(|c| c.as_os_str() == name);
    if in_folder("_drafts") {
        return None;
    }
    let stem = super::stem(doc);
    let name =
        crate::content::date::split_date_prefix(&stem).map_or(stem.as_str(), |(_, rest)| rest);
    let mut vars = jekyll::Vars {
        date: doc.date,
        slug: get_str(front, "slug").unwrap_or(name),
        categories: Vec::new(),
    };
    if !in_folder("_posts") {
        // A page: its own `permalink`, else its path with `.html` (or `/` for `pretty`).
        if let Some(p) = get_str(front, "permalink") {
            return jekyll::expand(p, &vars).ok();
        }
        let mut url = String::from("/");
        for f in super::folders(doc) {
            url.push_str(&f);
            url.push('/');
        }
        if stem != "index" {
            url.push_str(&stem);
            url.push_str(if rules.pretty_pages { "/" } else { ".html" });
        }
        return Some(url);
    }
    // Categories: the folders above `_posts/`, then the front matter's.
    vars.categories = jekyll::folder_categories(&doc.source);
    for key in ["categories", "category"] {
        match get(front, key) {
            Some(Value::String(s)) => vars
                .categories
                .extend(s.split_whitespace().map(str::to_string)),
            Some(Value::Array(a)) => vars.categories.extend(a.iter().filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })),
            _ => {}
        }
    }
    let pattern = get_str(front, "permalink").unwrap_or(&rules.posts);
    jekyll::expand(pattern, &vars).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jekyll_patterns_quire_can_write() {
        assert_eq!(
            quire_permalink("/:year/:month/:day/:title/").as_deref(),
            Some("/{year}/{month}/{day}/{slug}/")
        );
        assert_eq!(quire_permalink("/:categories/:year/:title/"), None);
        assert_eq!(quire_permalink("/:year/:title:output_ext"), None);
        assert_eq!(
            quire_permalink("/:year/:title").as_deref(),
            Some("/{year}/{slug}/")
        );
        assert_eq!(quire_permalink("/:year/:title.html"), None);
    }
}
