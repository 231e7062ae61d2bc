//! `quire import --from zola|hugo|jekyll SRC DEST`: a whole site of another generator made
//! into a Quire site, then built.
//!
//! Each generator's module reads the old config and says what to copy where ([`Plan`]); this
//! module does the I/O, which only ever writes under DEST (a new or empty folder outside SRC)
//! and never follows a symbolic link out of SRC. Posts are copied byte for byte: Quire reads
//! the other generators' front matter and shortcodes itself. Old URLs are kept by matching
//! the old permalink settings where Quire can express them; for every post and page whose
//! old URL still differs (worked out by the generator's own rules in [`OldUrls`]), a
//! `[redirects]` entry leads from the old URL to the new one.

mod hugo;
mod jekyll;
mod zola;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::config::Config;
use crate::content::Document;
use crate::error::{Error, Result};

/// The generator a site comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Zola,
    Hugo,
    Jekyll,
}

impl std::str::FromStr for Generator {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "zola" => Ok(Generator::Zola),
            "hugo" => Ok(Generator::Hugo),
            "jekyll" => Ok(Generator::Jekyll),
            other => Err(format!(
                "unknown generator `{other}`: use zola, hugo or jekyll"
            )),
        }
    }
}

impl Generator {
    fn name(self) -> &'static str {
        match self {
            Generator::Zola => "zola",
            Generator::Hugo => "hugo",
            Generator::Jekyll => "jekyll",
        }
    }
}

/// What `quire import` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub from: Generator,
    /// The old site's folder; never written to.
    pub source: PathBuf,
    /// The new site's folder: created, or empty.
    pub dest: PathBuf,
}

/// Something of the old site that was not carried over as it was, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Relative to SRC (or `DEST` for what the import wrote).
    pub file: PathBuf,
    pub message: String,
}

impl Note {
    fn new(file: impl Into<PathBuf>, message: impl Into<String>) -> Note {
        Note {
            file: file.into(),
            message: message.into(),
        }
    }
}

/// What an import did.
#[derive(Debug)]
pub struct Report {
    /// Markdown documents copied into `content/` (posts, pages and section files).
    pub documents: usize,
    /// Other files copied (static files, bundle files, templates).
    pub files: usize,
    /// Published posts and pages whose old URL was worked out.
    pub compared: usize,
    /// ... of which Quire writes at the same URL.
    pub kept: usize,
    /// `[redirects]` entries written (old URL → new one).
    pub redirects: usize,
    /// Shortcode templates copied as they are (Zola's are Tera already).
    pub templates: Vec<PathBuf>,
    /// Shortcode and include templates written as stubs that need porting, under DEST.
    pub stubs: Vec<PathBuf>,
    /// What was not translated.
    pub notes: Vec<Note>,
    /// The first build of the new site (link and shortcode problems as warnings).
    pub build: Result<crate::Report>,
}

/// What a generator's module decided: the new config and what to copy where.
#[derive(Debug, Default)]
struct Plan {
    /// The Quire config, without `[redirects]`.
    config: toml::Table,
    /// (source file, absolute; destination, relative to DEST).
    copies: Vec<(PathBuf, PathBuf)>,
    /// Files to write (relative to DEST) with their text: stubs.
    writes: Vec<(PathBuf, String)>,
    /// Which of `copies` are shortcode templates used as they are.
    templates: Vec<PathBuf>,
    notes: Vec<Note>,
    old_urls: OldUrls,
}

/// How the old generator made URLs, to find the posts whose URL changes.
#[derive(Debug, Default)]
enum OldUrls {
    #[default]
    Zola,
    Hugo(hugo::Rules),
    Jekyll(jekyll::Rules),
}

/// Import a site: check the folders, copy, translate the config, add redirects for the URLs
/// that change, then build. Errors are only what stops the import itself (folders, I/O, an
/// unreadable old config); the build's result is in the report.
pub fn import(options: &Options) -> Result<Report> {
    let source = check_folders(&options.source, &options.dest)?;
    let dest = &options.dest;
    let mut plan = match options.from {
        Generator::Zola => zola::plan(&source)?,
        Generator::Hugo => hugo::plan(&source)?,
        Generator::Jekyll => jekyll::plan(&source)?,
    };
    fs::create_dir_all(dest).map_err(|e| Error::io(dest, e))?;

    let mut written: HashSet<PathBuf> = HashSet::new();
    let (mut documents, mut files) = (0, 0);
    for (from, to) in &plan.copies {
        if !written.insert(to.clone()) {
            plan.notes.push(Note::new(
                rel(&source, from),
                format!(
                    "not copied: {} was already written from another file",
                    to.display()
                ),
            ));
            continue;
        }
        let target = dest.join(to);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        fs::copy(from, &target).map_err(|e| Error::io(from, e))?;
        if to.starts_with("content") && is_markdown(to) {
            documents += 1;
        } else {
            files += 1;
        }
    }
    for (to, text) in &plan.writes {
        if !written.insert(to.clone()) {
            continue;
        }
        let target = dest.join(to);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        fs::write(&target, text).map_err(|e| Error::io(&target, e))?;
    }

    let config_path = dest.join("config.toml");
    let header = format!(
        "# Made by `quire import --from {}` from {}.\n# Every setting is described in README \
         \"Configuration\".\n\n",
        options.from.name(),
        options.source.display()
    );
    let write_config = |table: &toml::Table| -> Result<Config> {
        let text = format!(
            "{header}{}",
            toml::to_string(table).map_err(|e| Error::Other(e.to_string()))?
        );
        fs::write(&config_path, &text).map_err(|e| Error::io(&config_path, e))?;
        Config::parse(&text, Path::new("config.toml"))
    };
    if !plan.config.contains_key("home_section")
        && let Some(home) = busiest_section(dest)
    {
        plan.config
            .insert("home_section".into(), toml::Value::String(home));
    }
    let config = write_config(&plan.config)?;

    let (mut compared, mut kept, mut redirects) = (0, 0, BTreeMap::new());
    // A page of the old site at a URL Quire makes a page of its own for (an archive page at
    // `/archive/`, a list page at a section's URL) is the old theme's version of that page:
    // it is left out, with a note, so the site builds.
    let mut assembled = urls(dest, &config);
    for _ in 0..3 {
        let Err(e) = &assembled else { break };
        let taken: Vec<(PathBuf, String)> = e
            .flatten()
            .into_iter()
            .filter_map(|e| match e {
                Error::Source(d) if takes_quire_url(&d.message) => {
                    Some((d.path.clone(), d.message.clone()))
                }
                _ => None,
            })
            .collect();
        if taken.is_empty() {
            break;
        }
        for (path, message) in taken {
            // Only a file this import copied into `content/` is ever removed.
            if path.starts_with("content") && written.contains(&path) {
                fs::remove_file(dest.join(&path)).map_err(|e| Error::io(&path, e))?;
                documents -= 1;
                plan.notes.push(Note::new(
                    path,
                    format!("not imported, as Quire makes this page itself ({message})"),
                ));
            }
        }
        assembled = urls(dest, &config);
    }
    match assembled {
        Ok((docs, taken)) => {
            for (doc, new) in docs {
                let Some(front) = raw_front_matter(&dest.join(&doc.source)) else {
                    continue;
                };
                let old = match &plan.old_urls {
                    OldUrls::Zola => zola::old_url(&doc, &front),
                    OldUrls::Hugo(rules) => hugo::old_url(rules, &doc, &front),
                    OldUrls::Jekyll(rules) => jekyll::old_url(rules, &doc, &front),
                };
                // Hugo reads an alias without a leading `/` from the page's folder, where
                // Quire (as Zola) reads it from the root: the Hugo place gets a redirect too.
                if matches!(plan.old_urls, OldUrls::Hugo(_)) {
                    for alias in hugo::relative_aliases(&doc) {
                        if let Ok(from) = crate::routes::alias_path(&alias)
                            && from != new
                            && !taken.contains(&from)
                        {
                            redirects.insert(from, new.clone());
                        }
                    }
                }
                let Some(old) = old else { continue };
                compared += 1;
                let Ok(old) = crate::routes::alias_path(&old) else {
                    plan.notes.push(Note::new(
                        doc.source.clone(),
                        format!("its old URL `{old}` cannot be written as a redirect"),
                    ));
                    continue;
                };
                let own_alias = doc
                    .aliases
                    .iter()
                    .any(|a| crate::routes::alias_path(a).as_deref() == Ok(old.as_str()));
                if old == new || own_alias {
                    kept += 1;
                } else if taken.contains(&old)
                    || dest
                        .join("static")
                        .join(old.trim_start_matches('/'))
                        .is_file()
                {
                    plan.notes.push(Note::new(
                        doc.source.clone(),
                        format!(
                            "its old URL {old} is now another page or file: no redirect to {new}"
                        ),
                    ));
                } else {
                    redirects.insert(old, new);
                }
            }
        }
        Err(e) => plan.notes.push(Note::new(
            "config.toml",
            format!("old and new URLs not compared: the site could not be assembled: {e}"),
        )),
    }
    let redirect_count = redirects.len();
    if !redirects.is_empty() {
        let table: toml::Table = redirects
            .into_iter()
            .map(|(from, to)| (from, toml::Value::String(to)))
            .collect();
        plan.config
            .insert("redirects".into(), toml::Value::Table(table));
        write_config(&plan.config)?;
    }

    let build = crate::build(&crate::BuildOptions {
        root: dest.clone(),
        checks: crate::check::Checks {
            mode: crate::check::Mode::Warnings,
            alt_text: false,
            keep_going: true,
        },
        ..Default::default()
    });
    Ok(Report {
        documents,
        files,
        compared,
        kept,
        redirects: redirect_count,
        templates: plan.templates,
        stubs: plan.writes.into_iter().map(|(p, _)| p).collect(),
        notes: plan.notes,
        build,
    })
}

/// SRC must be a folder; DEST must be new or empty and outside SRC (so nothing is ever
/// written into the old site). Returns SRC resolved.
fn check_folders(source: &Path, dest: &Path) -> Result<PathBuf> {
    let src = fs::canonicalize(source).map_err(|e| Error::io(source, e))?;
    if !src.is_dir() {
        return Err(Error::Other(format!(
            "{} is not a folder",
            source.display()
        )));
    }
    // The nearest folder of DEST that exists, resolved, says where DEST really is.
    let absolute = std::path::absolute(dest).map_err(|e| Error::io(dest, e))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        // `missing/../x` would be created through `missing`: refuse rather than guess.
        let Some(name) = existing.file_name() else {
            return Err(Error::Other(format!(
                "{}: write the new site's folder without `..`",
                dest.display()
            )));
        };
        rest.push(name.to_owned());
        existing = existing.parent().unwrap_or(Path::new("/"));
    }
    let mut resolved = fs::canonicalize(existing).map_err(|e| Error::io(existing, e))?;
    resolved.extend(rest.iter().rev());
    if resolved.starts_with(&src) {
        return Err(Error::Other(format!(
            "{} is inside {}: choose a folder outside the old site, which import never writes to",
            dest.display(),
            source.display()
        )));
    }
    if dest.exists() {
        let empty = fs::read_dir(dest)
            .map_err(|e| Error::io(dest, e))?
            .next()
            .is_none();
        if !empty {
            return Err(Error::Other(format!(
                "{} is not empty: import into a new folder, so nothing of yours is overwritten",
                dest.display()
            )));
        }
    }
    Ok(src)
}

/// Every file under `dir` (absolute), in name order, with its path relative to `dir`.
/// Symbolic links are not followed (a link could lead anywhere on the machine): each one is
/// a note. Hidden names (`.git`, `.DS_Store`) are skipped.
fn files_under(dir: &Path, base: &Path, notes: &mut Vec<Note>) -> Vec<(PathBuf, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .follow_root_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if entry.path_is_symlink() {
            notes.push(Note::new(
                rel(base, path),
                "a symbolic link: not copied (copy what it points to if the site needs it)",
            ));
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && !crate::content::is_editor_temporary(&name) {
            out.push((path.to_path_buf(), rel(dir, path)));
        }
    }
    out
}

fn rel(base: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(base).unwrap_or(path).to_path_buf()
}

/// Copy every file of `SRC/from` to `DEST/to`.
fn copy_tree(plan: &mut Plan, src: &Path, from: &str, to: &str) {
    for (file, relative) in files_under(&src.join(from), src, &mut plan.notes) {
        plan.copies.push((file, Path::new(to).join(relative)));
    }
}

/// Copy `SRC/from` to `static/`, except a file that `content/` also has, with the same bytes,
/// at the same path: Zola and Hugo publish it once, where Quire refuses two outputs of one
/// path. Call after `content/` is planned.
fn copy_static(plan: &mut Plan, src: &Path, from: &str) {
    let content: HashMap<PathBuf, PathBuf> = plan
        .copies
        .iter()
        .filter_map(|(from, to)| {
            Some((to.strip_prefix("content").ok()?.to_path_buf(), from.clone()))
        })
        .collect();
    let same = |a: &Path, b: &Path| {
        fs::read(a)
            .ok()
            .is_some_and(|x| fs::read(b).ok() == Some(x))
    };
    for (file, relative) in files_under(&src.join(from), src, &mut plan.notes) {
        // Only the same bytes: two different files keep both (and the build names the clash).
        if content.get(&relative).is_some_and(|c| same(c, &file)) {
            plan.notes.push(Note::new(
                rel(src, &file),
                format!(
                    "not copied: content/{} is published at the same path",
                    relative.display()
                ),
            ));
            continue;
        }
        plan.copies.push((file, Path::new("static").join(relative)));
    }
}

/// Read an old config file (TOML, YAML or JSON by its extension) into one value.
fn read_config(path: &Path, shown: &str) -> Result<Value> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let value = match ext {
        "toml" => toml::from_str::<Value>(&text).map_err(|e| e.to_string()),
        "yml" | "yaml" => {
            if text.trim().is_empty() {
                Ok(Value::Object(Default::default()))
            } else {
                // Jekyll's YAML reader lets the last of two equal keys win.
                let options = serde_saphyr::options! {
                    duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
                };
                serde_saphyr::from_str_with_options::<Value>(&text, options)
                    .map_err(|e| e.to_string())
            }
        }
        _ => serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()),
    };
    value.map_err(|e| Error::Other(format!("{shown} could not be read: {e}")))
}

/// `value[key]` with the key in any case (Hugo's keys are case-insensitive).
fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    let map = value.as_object()?;
    map.get(key)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .filter(|v| !v.is_null())
}

fn get_str<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    get(value, key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn get_int(value: &Value, key: &str) -> Option<i64> {
    let v = get(value, key)?;
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// An old config value as TOML (`null` has no TOML form and is left out).
fn to_toml(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(items.iter().filter_map(to_toml).collect()),
        Value::Object(map) => toml::Value::Table(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), to_toml(v)?)))
                .collect(),
        ),
    })
}

/// A note for each key of the old config that the import did not use.
fn unused_keys(notes: &mut Vec<Note>, config: &Value, file: &str, used: &[&str]) {
    let Some(map) = config.as_object() else {
        return;
    };
    for key in map.keys() {
        if !used.iter().any(|u| u.eq_ignore_ascii_case(key)) {
            notes.push(Note::new(
                file,
                format!("`{key}` is not translated (Quire has no such setting)"),
            ));
        }
    }
}

/// The taxonomy list of the new config. A name Quire cannot use (one of its own URLs, or
/// not a plain lowercase name) is left out with a note: its terms are then not shown.
fn taxonomies(
    list: &[(String, bool, Option<i64>)],
    notes: &mut Vec<Note>,
    file: &str,
) -> toml::Value {
    toml::Value::Array(
        list.iter()
            .filter(|(name, _, _)| {
                let usable = !matches!(name.as_str(), "page" | "archive")
                    && !name.is_empty()
                    && name.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                    });
                if !usable {
                    notes.push(Note::new(file, format!(
                            "the taxonomy `{name}` is left out: Quire cannot use that name (its own \
                             URL, or not lowercase letters, digits, `-` and `_`)"
                        )));
                }
                usable
            })
            .map(|(name, feed, paginate_by)| {
                let mut t = toml::Table::new();
                t.insert("name".into(), toml::Value::String(name.clone()));
                t.insert("feed".into(), toml::Value::Boolean(*feed));
                if let Some(n) = paginate_by {
                    t.insert("paginate_by".into(), toml::Value::Integer(*n));
                }
                toml::Value::Table(t)
            })
            .collect(),
    )
}

/// The settings every generator has: title, base URL, description, author, language.
struct Basics<'a> {
    title: Option<&'a str>,
    base_url: Option<String>,
    description: Option<&'a str>,
    author: Option<String>,
    language: Option<&'a str>,
}

fn basics(table: &mut toml::Table, b: Basics) {
    let s = |v: &str| toml::Value::String(v.to_string());
    table.insert("title".into(), s(b.title.unwrap_or("My blog")));
    let base = b.base_url.unwrap_or_else(|| "https://example.org/".into());
    let base = if base.ends_with('/') {
        base
    } else {
        format!("{base}/")
    };
    // Quire needs an absolute http(s) URL; a relative one (Hugo's "/") gets a placeholder.
    let base = if base.starts_with("http://") || base.starts_with("https://") {
        base
    } else {
        format!(
            "https://example.org{}",
            if base.starts_with('/') { &base } else { "/" }
        )
    };
    table.insert("base_url".into(), s(&base));
    if let Some(d) = b.description {
        table.insert("description".into(), s(d));
    }
    if let Some(a) = b.author {
        table.insert("author".into(), s(&a));
    }
    if let Some(l) = b.language {
        table.insert("language".into(), s(l));
    }
}

/// A stub for a template that needs porting: it renders the shortcode's inner text (`body`),
/// so the posts build and read, and says where the original is.
fn stub(original: &Path, what: &str) -> String {
    format!(
        "{{#- A stub written by `quire import`: the original {what} `{}` is not a Tera \
         template. Port it to Tera (README \"Shortcodes\"); until then the shortcode shows its \
         inner text. -#}}\n{{{{ body | default(value=\"\") | markdown | safe }}}}\n",
        original.display()
    )
}

/// The section with the most posts, for `home_section`; `None` when there is none.
fn busiest_section(dest: &Path) -> Option<String> {
    let content = dest.join("content");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&content)
        .min_depth(2)
        .into_iter()
        .flatten()
    {
        let path = rel(&content, entry.path());
        if entry.file_type().is_file() && is_markdown(&path) && !path.ends_with("_index.md") {
            let kind = crate::content::Kind::Post;
            *counts
                .entry(crate::content::section_of(&path, kind))
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(s, _)| !s.is_empty())
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| s)
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(crate::content::is_markdown_extension)
}

/// Whether an error of the site assembly says a document takes the URL of a page Quire makes
/// (the messages of `site::check_unique_urls`; the test
/// `compat_import::old_pages_at_urls_quire_makes_itself_are_left_out_with_a_note` keeps the
/// two in step).
fn takes_quire_url(message: &str) -> bool {
    message.contains("is reserved for Quire's own pages")
        || message.contains("is the list page of the section")
}

/// Every published post and page of the site at `root` with its URL, and every URL the site
/// has (for clashes), all as site paths (without the base path).
#[allow(clippy::type_complexity)]
fn urls(root: &Path, config: &Config) -> Result<(Vec<(Arc<Document>, String)>, BTreeSet<String>)> {
    let links = crate::walk::Links::new(root, config)?;
    let scan = crate::content::scan(root, &links)?;
    let names: Vec<String> = config.taxonomies.iter().map(|t| t.name.clone()).collect();
    let mut documents = Vec::new();
    // A document that cannot be read is left out here as in the first build, which lists it.
    for (path, kind) in &scan.sources {
        if let Ok((_, doc)) = crate::content::read(root, path, *kind, &names) {
            documents.push(Arc::new(doc));
        }
    }
    let options = crate::site::Options {
        drafts: false,
        now: chrono::Utc::now().fixed_offset(),
        release_sources: true,
        reserved_ids: &[],
        shortcodes: None,
    };
    let site = crate::site::Site::assemble(config, &documents, &options)?;
    let strip = |u: &str| {
        u.strip_prefix(config.base_path.trim_end_matches('/'))
            .unwrap_or(u)
            .to_string()
    };
    let taken = crate::table::pages(&site, config)?
        .iter()
        .map(|r| strip(&r.url))
        .collect();
    let docs = site
        .posts
        .iter()
        .map(|p| (Arc::clone(&p.doc), strip(&p.url)))
        .chain(
            site.pages
                .iter()
                .map(|p| (Arc::clone(&p.doc), strip(&p.url))),
        )
        .collect();
    Ok((docs, taken))
}

/// A document's front matter as a plain value (keys as written), for the old URL rules.
fn raw_front_matter(path: &Path) -> Option<Value> {
    let text = fs::read_to_string(path).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let split = crate::content::front_matter::split(text).ok()?;
    use crate::content::front_matter::Format;
    match split.format {
        Format::Toml => toml::from_str(split.front_matter).ok(),
        Format::Yaml if split.front_matter.trim().is_empty() => {
            Some(Value::Object(Default::default()))
        }
        Format::Yaml => serde_saphyr::from_str(split.front_matter).ok(),
        Format::Json => serde_json::from_str(split.front_matter).ok(),
    }
}

/// A file's name without its extension (`2024-05-01-hello.md` → `2024-05-01-hello`), or a
/// bundle's folder name for its `index.md`.
fn stem(doc: &Document) -> String {
    let path = &doc.source;
    let name = path.file_stem().unwrap_or_default().to_string_lossy();
    if (doc.is_bundle || name == "index")
        && let Some(folder) = path.parent().and_then(Path::file_name)
    {
        return folder.to_string_lossy().into_owned();
    }
    name.into_owned()
}

/// The folders between `content/` and the document (its bundle folder left out).
fn folders(doc: &Document) -> Vec<String> {
    let inside = doc.source.strip_prefix("content").unwrap_or(&doc.source);
    let mut parts: Vec<String> = inside
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if doc.is_bundle || inside.file_stem().is_some_and(|s| s == "index") {
        parts.pop();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_parse() {
        assert_eq!("Hugo".parse::<Generator>(), Ok(Generator::Hugo));
        assert!("gatsby".parse::<Generator>().is_err());
    }

    #[test]
    fn dest_must_be_outside_source_and_empty() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("old");
        fs::create_dir_all(src.join("content")).unwrap();
        assert!(check_folders(&src, &src.join("new")).is_err());
        assert!(check_folders(&src, &src).is_err());
        let full = dir.path().join("full");
        fs::create_dir_all(&full).unwrap();
        fs::write(full.join("x"), "").unwrap();
        assert!(check_folders(&src, &full).is_err());
        assert!(check_folders(&src, &dir.path().join("new/site")).is_ok());
        let sneaky = dir.path().join("missing/../old/new");
        assert!(check_folders(&src, &sneaky).is_err());
    }

    #[test]
    fn old_config_values_become_toml() {
        let v: Value = serde_json::json!({"a": 1, "b": [true, "x"], "c": null, "d": {"e": 1.5}});
        let t = to_toml(&v).unwrap();
        assert_eq!(t["a"].as_integer(), Some(1));
        assert_eq!(t["b"].as_array().unwrap().len(), 2);
        assert!(t.get("c").is_none());
        assert_eq!(t["d"]["e"].as_float(), Some(1.5));
        assert_eq!(
            get_str(&serde_json::json!({"baseURL": " x "}), "baseurl"),
            Some("x")
        );
    }
}
