//! `quire init` and `quire new`: files written from templates in this module. Neither ever
//! overwrites an existing file.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, Result};

const CONFIG: &str = r#"# Site settings. Every key is documented in Quire's README.
title = "My Quire Blog"
tagline = "Notes, news and analysis"
description = "A blog built with [Quire](https://example.org/quire). Edit `description` in config.toml to say what it covers."
author = "Your Name"
# disclaimer = "Views expressed are the author's own."
base_url = "https://example.org/"
language = "en"
posts_per_page = 10
latest_posts = 5
output_dir = "public"
permalink = "/posts/{slug}/"

# [breaking_news]
# text = "Something urgent happened"
# url = "/posts/welcome/"

[extra]
"#;

const ABOUT: &str = r#"+++
title = "About"
+++

Say who writes this blog and what it covers. This page lives in `content/about.md`.
"#;

const TEMPLATES_README: &str = "Put a template here with the same name as one of Quire's built-in \
theme templates (base.html, index.html, post.html, page.html, taxonomy.html, term.html, 404.html) \
to replace it, or a translation file as i18n/<language>.toml to change single words of the \
theme (see the built-in templates/i18n/en.toml for every key). See Quire's README for the \
variables templates receive and the `t()` function.\n";

/// Create a new site in `dir` (created if missing). Refuses a folder that already holds a site.
pub fn init(dir: &Path, today: NaiveDate) -> Result<Vec<PathBuf>> {
    if dir.join("config.toml").exists() {
        return Err(Error::Other(format!(
            "{} already has a config.toml: not overwriting an existing site",
            dir.display()
        )));
    }
    let welcome = format!(
        "+++\ntitle = \"Welcome to your new blog\"\ndate = {today}\ntags = [\"Meta\"]\n+++\n\n\
         This is your first post. Edit it in `content/posts/`, or create another with\n\
         `quire new \"Post title\"`.\n\n<!-- more -->\n\n## What next\n\n\
         - Set `title`, `author` and `base_url` in `config.toml`.\n\
         - Run `quire serve` to preview, `quire build` to publish to `public/`.\n"
    );
    let files: Vec<(PathBuf, String)> = vec![
        (dir.join("config.toml"), CONFIG.to_string()),
        (dir.join("content/about.md"), ABOUT.to_string()),
        (
            dir.join(format!("content/posts/{today}-welcome.md")),
            welcome,
        ),
        (
            dir.join("templates/README.md"),
            TEMPLATES_README.to_string(),
        ),
        (dir.join("static/.gitkeep"), String::new()),
        (dir.join(".gitignore"), "/public\n".to_string()),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        if path.exists() {
            continue;
        }
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// Create a draft post `content/posts/<date>-<slug>.md` with front matter filled in.
pub fn new_post(root: &Path, title: &str, today: NaiveDate) -> Result<PathBuf> {
    let slug = crate::slugify(title);
    if slug.is_empty() {
        return Err(Error::Other(format!(
            "the title `{title}` has no letters or digits to make a file name from"
        )));
    }
    let path = root.join(format!("content/posts/{today}-{slug}.md"));
    if path.exists() {
        return Err(Error::Other(format!(
            "{} already exists: not overwriting it",
            path.display()
        )));
    }
    // A JSON string literal is also a valid TOML basic string.
    let title_toml = serde_json::to_string(title).expect("a string serializes");
    let text = format!(
        "+++\ntitle = {title_toml}\ndate = {today}\ndraft = true\ntags = []\n# summary = \"\"\n# image = \"/images/lead.svg\"\n# image_caption = \"\"\n+++\n\nWrite here.\n"
    );
    write_new(&path, &text)?;
    Ok(path)
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_post_is_a_dated_draft_with_escaped_title() {
        let tmp = tempfile::tempdir().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let path = new_post(tmp.path(), "Ferry \"fares\" rise", day).unwrap();
        assert!(path.ends_with("content/posts/2026-11-28-ferry-fares-rise.md"));
        let text = fs::read_to_string(&path).unwrap();
        let doc =
            crate::content::Document::parse(&path, crate::content::Kind::Post, &text).unwrap();
        assert_eq!(doc.title, "Ferry \"fares\" rise");
        assert!(doc.draft);
        assert!(
            new_post(tmp.path(), "Ferry \"fares\" rise", day).is_err(),
            "no overwrite"
        );
    }

    #[test]
    fn init_refuses_an_existing_site() {
        let tmp = tempfile::tempdir().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        init(tmp.path(), day).unwrap();
        assert!(init(tmp.path(), day).is_err());
    }
}
