//! Quire: a static blog generator.
//!
//! The build is one pipeline that reads top to bottom in [`Session::build`]:
//! `config` → `content` (walk, front matter) → `markdown` → `site` (the model: sorted posts,
//! taxonomies, URLs) → `render` (Tera, view structs), `feed` and `sitemap` → `output` (fresh
//! folder, atomic swap).
//!
//! Invariants:
//! - Only `content` (scan, read), `Config::load`, `render::Theme::load`, the asset listing in
//!   `session`, `walk` (the one walker of source folders they use) and `output` touch the file
//!   system; everything between them is pure.
//! - Nothing outside `output` deletes files, and `output` only deletes inside the output folder
//!   and its own temporary siblings.
//! - The library never prints: it returns a [`Report`] or an [`Error`]; `main` shows them.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod check;
pub mod config;
pub mod content;
pub mod error;
pub mod feed;
pub mod fingerprint;
pub mod generate;
pub mod highlight;
pub mod html;
pub mod import;
pub mod markdown;
pub mod output;
pub mod render;
pub mod routes;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod session;
pub mod site;
pub mod sitemap;
pub mod table;
pub mod walk;

pub use error::{Error, Result};

/// ASCII, lower-case, hyphenated: the form of every generated slug and heading id.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

/// Remove the characters HTML and XML forbid in text: control characters other than tab and
/// line breaks, and the noncharacters U+FFFE and U+FFFF. They are invisible, make pages
/// invalid and feeds unreadable, and reach titles and tags by copy and paste.
pub fn strip_controls(text: &mut String) {
    let forbidden = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    if text.contains(forbidden) {
        text.retain(|c| !forbidden(c));
    }
}

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use config::Config;
pub use session::{Changes, Progress, Report, Session, Step};

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
    /// Which checks run on links and images, and whether they fail the build.
    pub checks: check::Checks,
    /// Where to report progress (a progress bar on a terminal).
    pub progress: session::Progress,
    /// Pages hold a placeholder for each fragment (`templates/fragments/`) instead of its HTML,
    /// and [`session::Update::fragments`] has the HTML: the dev server fills them in as it
    /// serves, so a change to a fragment alone re-renders no page.
    pub live_fragments: bool,
    /// The search index is not made by the build but by [`session::Session::finish_search`]
    /// afterwards: the dev server reloads pages first and updates the index after.
    pub defer_search: bool,
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

/// The output folder a build writes to: `--output`, else `output_dir` under the root.
pub fn output_dir(options: &BuildOptions, config: &Config) -> Result<PathBuf> {
    let dir = match &options.output {
        Some(dir) => dir.clone(),
        None => options.root.join(&config.output_dir),
    };
    std::path::absolute(&dir).map_err(|e| Error::io(&dir, e))
}

/// Run the whole build in memory, writing nothing, with every check on; the problems are in
/// the report. Errors that stop a build (bad front matter, duplicate URLs...) are errors here.
pub fn check(options: &BuildOptions) -> Result<Report> {
    let mut options = options.clone();
    options.checks = check::Checks {
        mode: check::Mode::Warnings,
        alt_text: true,
        keep_going: false,
    };
    let config = load_config(&options.root)?;
    let out = output_dir(&options, &config)?;
    let mut session = Session::once(options);
    session.build(&Changes::everything(), &out, |_| Ok(0))
}

/// Build the site: load, assemble, render, then write everything into a fresh folder that
/// replaces the output only on success.
///
/// The output path is resolved (symbolic links first, then `..`) and checked, and only the
/// resolved path is used from then on. If another process is building the same output, this
/// reports [`Step::Waiting`] and waits for it to finish, then checks the output again.
pub fn build(options: &BuildOptions) -> Result<Report> {
    let config = load_config(&options.root)?;
    let out = output_dir(options, &config)?;
    let checked = |out: &Path| {
        output::check_output_dir(&options.root, out).map_err(|e| {
            match (e, &config.output_dir_at) {
                // Chosen by `output_dir` (not `--output`): point at the setting.
                (Error::UnsafeOutput { path, reason }, Some((line, col, source)))
                    if options.output.is_none() =>
                {
                    Error::Source(error::Diagnostic {
                        path: "config.toml".into(),
                        position: Some((*line, *col)),
                        message: format!(
                            "`output_dir` {} cannot be the output folder: {reason}",
                            path.display()
                        ),
                        source_line: Some(source.clone()),
                    })
                }
                (e, _) => e,
            }
        })
    };
    let out = checked(&out)?;
    let lock = output::Lock::acquire(&out, |holder| {
        options.progress.report(Step::Waiting {
            output: out.clone(),
            holder,
        })
    })?;
    // The build we waited for may have changed what is there.
    checked(&out)?;
    let mut session = Session::once(options.clone());
    // Pages are written as they are rendered, into a folder that replaces the output only
    // when everything succeeded.
    let staging = output::Staging::new(&out, lock)?;
    let emit = |page: output::Output| {
        staging.write(&page)?;
        options.progress.report(Step::Wrote);
        Ok(())
    };
    let mut report =
        session.build_streaming(&Changes::everything(), &out, Some(&emit), |update| {
            staging.finish(&update.outputs, &update.copies)
        })?;
    report.warnings.extend(staging.warnings());
    // Freeing every document, page and fingerprint takes tens of milliseconds on a large
    // blog; nobody waits for it (a `quire build` exits before it ends).
    let _ = std::thread::Builder::new()
        .name("quire-free".into())
        .spawn(move || drop(session));
    Ok(report)
}
