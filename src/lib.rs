//! Quire: a static blog generator.
//!
//! The build is one pipeline that reads top to bottom in [`build`]:
//! `config` → `content` (walk, front matter) → `markdown` → `site` (the model: sorted posts,
//! taxonomies, URLs) → `render` (Tera, view structs) → `output` (fresh folder, atomic swap).
//!
//! Invariants:
//! - Only `content::load`, `Config::load`, `render::Theme::load` and `output` touch the file
//!   system; everything between them is pure.
//! - Nothing outside `output` deletes files, and `output` only deletes inside the output folder
//!   and its own temporary siblings.
//! - The library never prints: it returns a [`Report`] or an [`Error`]; `main` shows them.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod config;
pub mod content;
pub mod error;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod site;

pub use error::{Error, Result};

/// ASCII, lower-case, hyphenated: the form of every generated slug and heading id.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};

use config::Config;
use output::{Copy, Output};
use site::Site;

/// What `quire build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site root (holding `config.toml`).
    pub root: PathBuf,
    /// Overrides `output_dir`; relative paths are relative to the current folder.
    pub output: Option<PathBuf>,
    /// Include drafts and future posts.
    pub drafts: bool,
    /// Overrides `base_url`.
    pub base_url: Option<String>,
    /// The time deciding which posts are in the future; defaults to now.
    pub now: Option<DateTime<FixedOffset>>,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct Report {
    pub posts: usize,
    /// HTML pages written (posts, lists, tag pages, standalone pages).
    pub pages: usize,
    /// All files written, pages included.
    pub files: usize,
    pub output: PathBuf,
    pub elapsed: Duration,
}

/// Load the config at `<root>/config.toml`, with a clear error when there is none.
pub fn load_config(root: &Path) -> Result<Config> {
    let path = root.join("config.toml");
    if !path.is_file() {
        return Err(Error::Other(format!(
            "no config.toml in {}: run this in a site folder, pass --root, or create a site with `quire init`",
            root.display()
        )));
    }
    Config::load(&path, Path::new("config.toml"))
}

/// Build the site: load, assemble, render, write. Previous output is replaced only on success.
pub fn build(options: &BuildOptions) -> Result<Report> {
    let start = Instant::now();
    let root = &options.root;
    let mut config = load_config(root)?;
    if let Some(url) = &options.base_url {
        config.set_base_url(url)?;
    }
    let output_dir = match &options.output {
        Some(dir) => dir.clone(),
        None => root.join(&config.output_dir),
    };
    let output_dir = std::path::absolute(&output_dir).map_err(|e| Error::io(&output_dir, e))?;
    output::check_output_dir(root, &output_dir)?;

    let (theme, content) = rayon::join(|| render::Theme::load(root), || content::load(root));
    let (theme, content) = match (theme, content) {
        (Ok(t), Ok(c)) => (t, c),
        (t, c) => {
            let errors = [t.err(), c.err()].into_iter().flatten().collect();
            return Err(Error::from_many(errors).expect("at least one error"));
        }
    };
    let now = options
        .now
        .unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    let site = Site::assemble(
        &config,
        content,
        &site::Options {
            drafts: options.drafts,
            now,
        },
    )?;
    let mut outputs = render::render(&theme, &site, &config)?;
    let pages = outputs.len();
    let copies = assets(root, &site, &config, &mut outputs)?;
    let files = output::write_site(&output_dir, &outputs, &copies)?;
    Ok(Report {
        posts: site.posts.len(),
        pages,
        files,
        output: output_dir,
        elapsed: start.elapsed(),
    })
}

/// The files copied rather than rendered: the theme's embedded assets (unless the site has a
/// file of the same name), the site's `static/`, and post bundle assets. A file that would
/// replace a generated page is an error.
fn assets(
    root: &Path,
    site: &Site,
    config: &Config,
    outputs: &mut Vec<Output>,
) -> Result<Vec<Copy>> {
    let static_files = output::list_files(&root.join("static"))?;
    let mut copies: Vec<Copy> = static_files
        .into_iter()
        .map(|(from, to)| Copy { from, to })
        .collect();
    for post in &site.posts {
        if post.doc.assets.is_empty() {
            continue;
        }
        let folder = root.join(post.doc.source.parent().unwrap_or(Path::new("")));
        let page_dir = post
            .url
            .strip_prefix(config.base_path.as_str())
            .unwrap_or(&post.url);
        for asset in &post.doc.assets {
            let rel = asset
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            copies.push(Copy {
                from: folder.join(asset),
                to: format!("{page_dir}{rel}"),
            });
        }
    }
    let generated: std::collections::HashSet<&str> =
        outputs.iter().map(|o| o.path.as_str()).collect();
    let mut errors = Vec::new();
    for c in &copies {
        if generated.contains(c.to.as_str()) {
            errors.push(Error::Other(format!(
                "{} would overwrite the generated page {}: rename or remove it",
                content::relative(root, &c.from).display(),
                c.to
            )));
        }
    }
    if let Some(e) = Error::from_many(errors) {
        return Err(e);
    }
    let copied: std::collections::HashSet<&str> = copies.iter().map(|c| c.to.as_str()).collect();
    let theme_assets: Vec<Output> = render::EmbeddedStatic::iter()
        .filter(|name| !copied.contains(name.as_ref()))
        .filter_map(|name| {
            render::EmbeddedStatic::get(&name).map(|f| Output {
                path: name.into_owned(),
                bytes: f.data.into_owned(),
            })
        })
        .collect();
    outputs.extend(theme_assets);
    Ok(copies)
}
