//! The theme: Tera 2 templates, the embedded default theme with the site's own files laid over
//! it, the `date` filter, and turning Tera's errors into ones that name our files.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use tera::{Context, Tera};

use super::i18n::{self, Table, Tables, Translations};
use crate::error::{Diagnostic, Error, Result};

/// The built-in translation tables, by language.
pub(super) fn built_in_tables() -> Tables {
    let mut tables = Tables::new();
    for name in EmbeddedI18n::iter() {
        let file = EmbeddedI18n::get(&name).expect("listed file exists");
        let text = String::from_utf8_lossy(&file.data);
        let shown = PathBuf::from(format!("{BUILT_IN} templates/i18n/{name}"));
        let table = Table::parse(&text, &shown).expect("the built-in tables parse (tested)");
        let language = name.trim_end_matches(".toml").to_string();
        tables.entry(language).or_default().push(table);
    }
    tables
}

/// The default theme's templates, compiled into the binary.
#[derive(rust_embed::Embed)]
#[folder = "templates/"]
#[include = "*.html"]
struct EmbeddedTemplates;

/// The default theme's translation tables (`templates/i18n/<language>.toml`).
#[derive(rust_embed::Embed)]
#[folder = "templates/i18n/"]
#[include = "*.toml"]
struct EmbeddedI18n;

/// The default theme's assets (the sample blog's own images are not part of the theme).
#[derive(rust_embed::Embed)]
#[folder = "static/"]
#[exclude = "images/*"]
pub struct EmbeddedStatic;

/// Compiled templates, plus where each came from so errors can name the file.
pub struct Theme {
    tera: Tera,
    /// Template name -> (path shown in messages, source text).
    sources: BTreeMap<String, (PathBuf, String)>,
    /// The literal `id="..."` values of every template, for checking `#anchor` links.
    ids: HashSet<String>,
    /// Translation tables by language: the built-in one, then the site's.
    tables: Tables,
    /// The last language asked for and its words, made once per build (and per language).
    translations: std::sync::Mutex<Option<Arc<Translations>>>,
}

impl Theme {
    /// The embedded theme with the site's `templates/**/*.html` laid over it, symbolic links
    /// followed as `links` allows.
    pub fn load(root: &Path, links: &crate::walk::Links) -> Result<Theme> {
        let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        for name in EmbeddedTemplates::iter() {
            let file = EmbeddedTemplates::get(&name).expect("listed file exists");
            let text = String::from_utf8_lossy(&file.data).into_owned();
            let shown = PathBuf::from(format!("{BUILT_IN} templates/{name}"));
            sources.insert(name.into_owned(), (shown, text));
        }
        let mut tables = built_in_tables();
        let mut errors = Vec::new();
        let dir = root.join("templates");
        for (path, rel) in crate::output::list_files(root, &dir, links)? {
            let shown = crate::content::relative(root, &path);
            // A site's `templates/i18n/<language>.toml` lays its keys over the built-in table.
            if let Some(language) = rel
                .strip_prefix("i18n/")
                .and_then(|r| r.strip_suffix(".toml"))
                .filter(|l| !l.contains('/'))
            {
                let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&shown, e))?;
                match Table::parse(&text, &shown) {
                    Ok(table) => tables.entry(language.to_string()).or_default().push(table),
                    Err(e) => errors.push(e),
                }
                continue;
            }
            // Shortcodes may also be Markdown (`shortcodes/<name>.md`, as in Zola).
            let markdown_shortcode = rel.starts_with("shortcodes/") && rel.ends_with(".md");
            if !rel.ends_with(".html") && !markdown_shortcode {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&shown, e))?;
            sources.insert(rel, (shown, text));
        }
        if let Some(e) = Error::from_many(errors) {
            return Err(e);
        }
        Theme::from_parts(sources, tables)
    }

    /// Compile templates given as name -> (shown path, source), with the built-in
    /// translations. Pure.
    pub fn from_sources(sources: BTreeMap<String, (PathBuf, String)>) -> Result<Theme> {
        Theme::from_parts(sources, built_in_tables())
    }

    fn from_parts(sources: BTreeMap<String, (PathBuf, String)>, tables: Tables) -> Result<Theme> {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        // English until a build registers its language's (`Translations::register`), so that
        // the templates validate and render on their own.
        Arc::new(Translations::new(&tables, i18n::FALLBACK)).register(&mut tera);
        // Tera checks function names when templates are added: `get_section` is known from
        // the start, and each build replaces this stand-in with one that reads its site.
        tera.register_function(
            "get_section",
            |_: tera::Kwargs, _: &tera::State| -> tera::TeraResult<tera::Value> {
                Err(tera::Error::message(
                    "get_section: no site to read sections from",
                ))
            },
        );
        // Markdown to HTML in templates, as in Zola: `{{ body | markdown }}`, `inline=true`
        // without the paragraph around it.
        tera.register_filter(
            "markdown",
            |value: &str, kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<tera::Value> {
                let inline = kwargs.get::<bool>("inline")?.unwrap_or(false);
                let html =
                    crate::markdown::render(value, &crate::markdown::Options::default()).html;
                let html = if inline {
                    html.trim_end()
                        .strip_prefix("<p>")
                        .and_then(|h| h.strip_suffix("</p>"))
                        .map_or(html.clone(), str::to_string)
                } else {
                    html
                };
                Ok(tera::Value::safe_string(&html))
            },
        );
        // Zola's functions that templates copied from Zola sites call: `get_url` works in
        // every build (see `render::shortcodes`); the others say what is missing when called,
        // so a template that uses one still loads and only its calls fail.
        tera.register_function("get_url", super::shortcodes::get_url(String::from("/")));
        for name in ZOLA_ONLY {
            tera.register_function(
                name,
                move |_: tera::Kwargs, _: &tera::State| -> tera::TeraResult<tera::Value> {
                    Err(tera::Error::message(format!(
                        "`{name}()` is a Zola function that Quire does not have"
                    )))
                },
            );
        }
        let result = tera.add_raw_templates(sources.iter().map(|(n, (_, s))| (n, s)));
        let ids = sources
            .values()
            .flat_map(|(_, text)| crate::html::ids(text))
            .filter(|id| !id.contains(['{', '}']))
            .map(str::to_owned)
            .collect();
        let theme = Theme {
            tera,
            sources,
            ids,
            tables,
            translations: std::sync::Mutex::default(),
        };
        result.map_err(|e| theme.error(&e))?;
        Ok(theme)
    }

    /// Turn a Tera error into one that names the template file, line and column.
    fn error(&self, e: &tera::Error) -> Error {
        use tera::ErrorKind;
        match e.kind() {
            ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
                let (shown, text) = self
                    .sources
                    .get(report.filename())
                    .map(|(p, s)| (p.clone(), s.as_str()))
                    .unwrap_or_else(|| (PathBuf::from(report.filename()), ""));
                let span = report.span();
                Error::Source(
                    Diagnostic::new(shown, report.message().to_string()).at_line_col(
                        text,
                        span.start_line,
                        span.start_col + 1,
                    ),
                )
            }
            ErrorKind::Msg(text) if !validation_reports(text).is_empty() => {
                let (reports, blocks) = self.missing_blocks(validation_reports(text));
                let errors = blocks
                    .into_iter()
                    .chain(reports.into_iter().map(|(message, name, line, col)| {
                        let (shown, source) = self
                            .sources
                            .get(name)
                            .map(|(p, s)| (p.clone(), s.as_str()))
                            .unwrap_or_else(|| (PathBuf::from(name), ""));
                        Error::Source(
                            Diagnostic::new(shown, message).at_line_col(source, line, col),
                        )
                    }))
                    .collect();
                Error::from_many(errors).expect("at least one report")
            }
            // Inheritance and include problems come without a span: point at the tag.
            ErrorKind::MissingParent { current, parent } => self.at_tag(
                current,
                "extends",
                parent,
                format!("`{current}` extends `{parent}`, which does not exist"),
            ),
            ErrorKind::CircularExtend {
                tpl,
                inheritance_chain,
            } => {
                // Tera found the loop while following `tpl`'s parents, which may only lead
                // into it (a built-in `404.html` extending a site `base.html` that is in the
                // loop): report the loop itself, at the `extends` tag that closes it.
                let mut path = vec![tpl.clone()];
                path.extend(inheritance_chain.iter().cloned());
                let last = path.last().expect("not empty").clone();
                let first = path.iter().position(|t| *t == last).unwrap_or(0);
                let cycle = &path[first..];
                let closer = cycle.get(cycle.len().saturating_sub(2)).unwrap_or(&last);
                let message = if cycle.len() <= 2 {
                    format!("`{last}` extends itself")
                } else {
                    let names: Vec<String> = cycle[..cycle.len() - 1]
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect();
                    format!(
                        "{} extend each other in a loop: {}",
                        names.join(" and "),
                        cycle.join(" → ")
                    )
                };
                self.at_tag(closer, "extends", &last, message)
            }
            ErrorKind::CircularInclude { tpl, include_chain } => {
                let n = include_chain.len();
                let (from, to) = match include_chain.get(n.saturating_sub(2)..) {
                    Some([from, to]) => (from, to),
                    _ => (tpl, tpl),
                };
                self.at_tag(
                    from,
                    "include",
                    to,
                    format!("`{tpl}` includes itself: {}", include_chain.join(" → ")),
                )
            }
            ErrorKind::Msg(text) if text.contains("recursion depth for components") => {
                match self.component_loop() {
                    Some(e) => e,
                    None => Error::Other(format!(
                        "templates: {text} A component calls itself, directly or through others, \
                         more than {} times deep",
                        MAX_COMPONENT_DEPTH
                    )),
                }
            }
            _ => {
                let mut msg = format!("templates: {e}");
                let mut source = std::error::Error::source(e);
                while let Some(s) = source {
                    msg.push_str(&format!(": {s}"));
                    source = s.source();
                }
                Error::Other(msg)
            }
        }
    }

    /// Tera reports a block that no parent defines against the child. When the child is a
    /// built-in template whose parent is the site's (a `templates/base.html` without the
    /// blocks the built-in pages fill), the site's file is the one to fix: those reports
    /// become one error per (site parent, block), naming the built-in templates that fill it.
    /// Returns the other reports as they were, and these errors.
    fn missing_blocks<'t>(&self, reports: Vec<Report<'t>>) -> (Vec<Report<'t>>, Vec<Error>) {
        let mut keep = Vec::new();
        // (site template, block) -> built-in templates that fill the block.
        let mut missing: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for report in reports {
            let (message, name, _, _) = report;
            let block = message
                .strip_prefix("Block `")
                .and_then(|m| m.strip_suffix("` is not defined in any parent template"));
            let site_parent = block.and_then(|_| {
                if !self.is_built_in(name) {
                    return None;
                }
                // The topmost site template among the ancestors: the one that would hold
                // the block for everything below it.
                let mut seen = vec![name.to_string()];
                let mut found = None;
                while let Some(parent) = self
                    .sources
                    .get(seen.last().expect("not empty"))
                    .and_then(|(_, text)| extends_of(text))
                {
                    if seen.iter().any(|s| s == parent) {
                        break;
                    }
                    if !self.is_built_in(parent) {
                        found = Some(parent.to_string());
                    }
                    seen.push(parent.to_string());
                }
                found
            });
            match (block, site_parent) {
                (Some(block), Some(parent)) => missing
                    .entry((parent, block.to_string()))
                    .or_default()
                    .push(name.to_string()),
                _ => keep.push(report),
            }
        }
        let errors = missing
            .into_iter()
            .map(|((parent, block), children)| {
                let shown = self
                    .sources
                    .get(&parent)
                    .map_or_else(|| PathBuf::from(&parent), |(p, _)| p.clone());
                let (one, fill, who) = match children.len() {
                    1 => ("template", "fills", "it"),
                    _ => ("templates", "fill", "them"),
                };
                let children: Vec<String> = children.iter().map(|c| format!("`{c}`")).collect();
                Error::Source(Diagnostic::new(
                    shown,
                    format!(
                        "has no `{{% block {block} %}}`, which the built-in {one} {} {fill}: add \
                         `{{% block {block} %}}{{% endblock {block} %}}` where that content \
                         belongs, or override {who} too",
                        children.join(", ")
                    ),
                ))
            })
            .collect();
        (keep, errors)
    }

    pub(crate) fn is_built_in(&self, template: &str) -> bool {
        self.sources
            .get(template)
            .is_some_and(|(shown, _)| shown.to_string_lossy().starts_with(BUILT_IN))
    }

    /// A loop of components calling each other, as an error at the call that closes it.
    fn component_loop(&self) -> Option<Error> {
        // Component name -> (template, offset of each call in it, callee).
        let mut calls: BTreeMap<&str, Vec<(&str, usize, &str)>> = BTreeMap::new();
        let defs: Vec<(&str, &str, usize, usize)> = self
            .sources
            .iter()
            .flat_map(|(template, (_, text))| {
                components_in(text)
                    .into_iter()
                    .map(move |(name, start, end)| (template.as_str(), name, start, end))
            })
            .map(|(t, name, start, end)| (name, t, start, end))
            .collect();
        let names: Vec<&str> = defs.iter().map(|d| d.0).collect();
        for &(name, template, start, end) in &defs {
            let text = &self.sources[template].1;
            for (offset, callee) in component_calls(&text[start..end], &names) {
                calls
                    .entry(name)
                    .or_default()
                    .push((template, start + offset, callee));
            }
        }
        // Depth-first from each component; the first call back into the path closes a loop.
        fn visit<'a>(
            name: &'a str,
            calls: &BTreeMap<&'a str, Vec<(&'a str, usize, &'a str)>>,
            path: &mut Vec<&'a str>,
        ) -> Option<(Vec<&'a str>, &'a str, usize)> {
            path.push(name);
            for &(template, offset, callee) in calls.get(name).into_iter().flatten() {
                if let Some(i) = path.iter().position(|p| *p == callee) {
                    let mut cycle = path[i..].to_vec();
                    cycle.push(callee);
                    return Some((cycle, template, offset));
                }
                if let Some(found) = visit(callee, calls, path) {
                    return Some(found);
                }
            }
            path.pop();
            None
        }
        let (cycle, template, offset) = calls
            .keys()
            .find_map(|name| visit(name, &calls, &mut Vec::new()))?;
        let (shown, text) = &self.sources[template];
        let how = if cycle.len() == 2 {
            format!("component `{}` calls itself", cycle[0])
        } else {
            format!(
                "components call each other in a loop ({})",
                cycle.join(" → ")
            )
        };
        Some(Error::Source(
            Diagnostic::new(
                shown,
                format!(
                    "{how}, and rendering went more than {MAX_COMPONENT_DEPTH} calls deep: make \
                     the recursion stop (an `if` around the call) or remove it"
                ),
            )
            .at_offset(text, offset),
        ))
    }

    /// An error in `template` at its `{% keyword "target" %}` tag, or at its start when the
    /// tag cannot be found.
    fn at_tag(&self, template: &str, keyword: &str, target: &str, message: String) -> Error {
        let Some((shown, text)) = self.sources.get(template) else {
            return Error::Other(format!("templates/{template}: {message}"));
        };
        let offset = text
            .match_indices(target)
            .filter_map(|(i, _)| i.checked_sub(1))
            .find(|&quote| {
                let before = &text[..quote];
                matches!(text.as_bytes()[quote], b'"' | b'\'')
                    && before.trim_end().ends_with(keyword)
            })
            .unwrap_or(0);
        Error::Source(Diagnostic::new(shown, message).at_offset(text, offset))
    }

    /// The ids the templates write literally (`id="main"`), which any page may have.
    pub fn ids(&self) -> &HashSet<String> {
        &self.ids
    }

    /// Whether the theme (built in or the site's) has the template `name`.
    pub fn has(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// The templates a page or list can be rendered with (fragments and partials left out).
    pub fn page_templates(&self) -> Vec<&str> {
        self.sources
            .keys()
            .map(String::as_str)
            .filter(|n| {
                !n.starts_with("fragments/")
                    && !n.starts_with("shortcodes/")
                    && !n.starts_with("includes/")
                    && *n != "base.html"
                    && *n != "components.html"
            })
            .collect()
    }

    /// The words of `language` (its table over its base language's over English),
    /// remembered until another language is asked for.
    pub fn translations(&self, language: &str) -> Arc<Translations> {
        let mut last = self.translations.lock().unwrap_or_else(|e| e.into_inner());
        match &*last {
            Some(words) if words.language() == language => Arc::clone(words),
            _ => {
                let words = Arc::new(Translations::new(&self.tables, language));
                *last = Some(Arc::clone(&words));
                words
            }
        }
    }

    /// A fingerprint of every template's name and source, shortcodes left out: they are
    /// rendered with the Markdown, whose memo knows which documents use which (see
    /// [`Theme::version`]).
    pub fn fingerprint(&self) -> u64 {
        let pages: Vec<_> = self
            .sources
            .iter()
            .filter(|(name, _)| !name.starts_with(SHORTCODES))
            .collect();
        crate::fingerprint::of(&pages)
    }

    /// A fingerprint of the templates a shortcode key names: `shortcodes/<name>` stands for
    /// its `.html` and `.md` templates, anything else for the template of that name; 0 when
    /// there is none.
    pub fn version(&self, key: &str) -> u64 {
        let found: Vec<(&String, &String)> = if key.starts_with(SHORTCODES) {
            [format!("{key}.html"), format!("{key}.md")]
                .iter()
                .filter_map(|n| self.sources.get_key_value(n.as_str()))
                .map(|(n, (_, text))| (n, text))
                .collect()
        } else {
            self.sources
                .get_key_value(key)
                .map(|(n, (_, text))| (n, text))
                .into_iter()
                .collect()
        };
        if found.is_empty() {
            0
        } else {
            crate::fingerprint::of(&found)
        }
    }

    /// Whether any template may read the variable `name`. Errs on the side of yes: a word
    /// match anywhere outside a string or attribute access counts.
    pub fn uses(&self, name: &str) -> bool {
        self.any_reads(name, |_| true)
    }

    /// [`Theme::uses`], in the page templates only (fragments left out).
    pub fn pages_use(&self, name: &str) -> bool {
        self.any_reads(name, |template| !template.starts_with("fragments/"))
    }

    fn any_reads(&self, name: &str, include: impl Fn(&str) -> bool) -> bool {
        self.sources
            .iter()
            .filter(|(template, _)| include(template) && !template.starts_with(SHORTCODES))
            .any(|(_, (_, text))| text.contains("__tera_context") || mentions(text, name))
    }

    /// Templates under `fragments/`: rendered once per build with the shared context, their
    /// HTML given to every page as `fragments.<name>` (`fragments/archive.html` -> `archive`).
    pub fn fragments(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources.keys().filter_map(|name| {
            let short = name.strip_prefix("fragments/")?.strip_suffix(".html")?;
            Some((name.as_str(), short))
        })
    }

    /// A copy of the compiled templates to add one build's shared context to.
    pub fn tera(&self) -> Tera {
        self.tera.clone()
    }

    /// Render with `tera` (a copy from [`Theme::tera`]), mapping errors to our files.
    pub fn render(&self, tera: &Tera, template: &str, ctx: &Context) -> Result<String> {
        tera.render(template, ctx).map_err(|e| self.error(&e))
    }

    /// Whether a list page may give each post its `post_summary` component rendered once per
    /// build (`post.card_html`) instead of the template calling it once per page: the page
    /// templates read `card_html`, and the component's HTML depends on its `post` alone,
    /// which holds when it takes no other required argument and no component reads implicit
    /// (caller's) values.
    pub fn cards(&self, tera: &Tera) -> bool {
        let Some(summary) = tera.get_component_definition(CARD_COMPONENT) else {
            return false;
        };
        let takes_post = summary.args().iter().any(|a| a.name() == "post")
            && summary
                .args()
                .iter()
                .all(|a| a.name() == "post" || !a.is_required());
        let implicit = tera.get_component_names().any(|name| {
            tera.get_component_definition(name)
                .is_some_and(|c| c.args().iter().any(|a| a.is_implicit()))
        });
        let read = self
            .sources
            .iter()
            .filter(|(template, _)| !template.starts_with("fragments/"))
            .any(|(_, (_, text))| code_spans(text).any(|code| code.contains("card_html")));
        takes_post && !implicit && read
    }

    /// Render the `post_summary` component for `post` (see [`Theme::cards`]).
    pub fn render_card(&self, tera: &Tera, post: &impl serde::Serialize) -> Result<String> {
        let mut ctx = Context::new();
        let post = tera::Value::try_from_serializable(post).map_err(|e| self.error(&e))?;
        ctx.insert_value("post", post);
        tera.render_component(CARD_COMPONENT, &ctx, None, true)
            .map_err(|e| self.error(&e))
    }
}

/// One of Tera's validation reports: (message, template name, line, column).
type Report<'t> = (&'t str, &'t str, usize, usize);

/// The component that renders one post in a list (see [`Theme::cards`]).
const CARD_COMPONENT: &str = "post_summary";

/// Zola's template functions that Quire does not have.
const ZOLA_ONLY: [&str; 7] = [
    "get_image_metadata",
    "load_data",
    "get_page",
    "get_taxonomy",
    "get_taxonomy_url",
    "get_hash",
    "resize_image",
];

/// Where shortcode templates live under `templates/`.
const SHORTCODES: &str = "shortcodes/";

/// How the built-in templates are named in messages.
const BUILT_IN: &str = "(built-in theme)";

/// How deep Tera lets components call components (its `MAX_COMPONENT_RECURSION_DEPTH`).
const MAX_COMPONENT_DEPTH: usize = 20;

/// The template a template's `{% extends "name" %}` names.
fn extends_of(text: &str) -> Option<&str> {
    code_spans(text).find_map(|code| {
        let rest = code
            .trim()
            .strip_prefix('-')
            .unwrap_or(code.trim())
            .trim_start();
        let rest = rest.strip_prefix("extends")?.trim_start();
        let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
        let rest = &rest[1..];
        Some(&rest[..rest.find(quote)?])
    })
}

/// The components a template defines: (name, start and end of the body as byte offsets).
fn components_in(text: &str) -> Vec<(&str, usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("component ") {
        let at = from + i;
        from = at + "component ".len();
        let opened = text[..at].trim_end_matches([' ', '-']).ends_with("{%");
        if !opened || text[..at].trim_end().ends_with("end") {
            continue;
        }
        let rest = &text[from..];
        let name_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        let Some(body) = rest.find("%}").map(|e| from + e + 2) else {
            break;
        };
        let end = text[body..]
            .find(&format!("endcomponent {name}"))
            .or_else(|| text[body..].find("endcomponent"))
            .map_or(text.len(), |e| body + e);
        if !name.is_empty() {
            out.push((name, body, end));
        }
        from = body;
    }
    out
}

/// Calls of the components in `names` within `text` (`<name ... />` or `<name>` inside a
/// tag): (offset of the name, name).
fn component_calls<'n>(text: &str, names: &[&'n str]) -> Vec<(usize, &'n str)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices('<') {
        let rest = &text[i + 1..];
        for &name in names {
            let after = rest.strip_prefix(name).and_then(|r| r.chars().next());
            if after.is_some_and(|c| c.is_whitespace() || c == '/' || c == '>') {
                out.push((i + 1, name));
            }
        }
    }
    out
}

/// Whether `text` has `name` as a whole word that is not an attribute (`x.name`) or inside
/// quotes.
fn mentions(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code_spans(text).any(|code| {
        code.match_indices(name).any(|(i, _)| {
            let before = code[..i].chars().next_back();
            let after = code[i + name.len()..].chars().next();
            !before.is_some_and(|c| is_word(c) || matches!(c, '.' | '"' | '\''))
                && !after.is_some_and(|c| is_word(c) || matches!(c, '"' | '\''))
        })
    })
}

/// The insides of a template's `{{ ... }}` and `{% ... %}` tags: the only places a variable
/// can be read (HTML text and `{# comments #}` are left out).
fn code_spans(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find('{')?;
            let after = &rest[start + 1..];
            let close = match after.chars().next() {
                Some('{') => "}}",
                Some('%') => "%}",
                _ => {
                    rest = after;
                    continue;
                }
            };
            let body = &after[1..];
            let end = body.find(close).unwrap_or(body.len());
            rest = &body[(end + close.len()).min(body.len())..];
            return Some(&body[..end]);
        }
    })
}

/// Tera reports unknown filters, tests, functions, components and includes as one message of
/// rendered reports (`error: Unknown filter `x`` then ` --> name:line:col`). Recover each as
/// (message, template name, line, column) so they name our files like every other error.
fn validation_reports(text: &str) -> Vec<Report<'_>> {
    let mut out = Vec::new();
    let mut message = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m.trim());
        } else if let (Some(m), Some(loc)) = (message, line.trim_start().strip_prefix("--> ")) {
            let mut parts = loc.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.trim().parse().ok());
            let row = parts.next().and_then(|r| r.trim().parse().ok());
            if let (Some(col), Some(row), Some(name)) = (col, row, parts.next()) {
                out.push((m, name, row, col));
            }
            message = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_filter_formats_and_rejects_bad_input() {
        let mut tera = Tera::new();
        Arc::new(Translations::new(&built_in_tables(), "en")).register(&mut tera);
        let mut ctx = Context::new();
        ctx.insert("d", "2026-03-04T10:00:00+00:00");
        let out = tera
            .render_str(
                "{{ d | date(format=\"%Y/%m/%d\") }} {{ d | date }}",
                &ctx,
                false,
            )
            .unwrap();
        assert_eq!(out, "2026/03/04 4 March 2026");
        assert!(
            tera.render_str("{{ \"nope\" | date }}", &ctx, false)
                .is_err()
        );
        assert!(
            tera.render_str("{{ d | date(format=\"%Q\") }}", &ctx, false)
                .is_err()
        );
    }

    #[test]
    fn template_syntax_error_names_file_line_and_column() {
        let mut sources = BTreeMap::new();
        sources.insert(
            "index.html".to_string(),
            (
                PathBuf::from("templates/index.html"),
                "<p>\n{{ oops( }}\n".to_string(),
            ),
        );
        let err = Theme::from_sources(sources).err().expect("a syntax error");
        let text = err.to_string();
        assert!(text.starts_with("templates/index.html:2:"), "{text}");
    }

    #[test]
    fn missing_parent_and_self_include_point_at_the_tag() {
        let theme = |text: &str| {
            let mut sources = BTreeMap::new();
            sources.insert(
                "post.html".to_string(),
                (PathBuf::from("templates/post.html"), text.to_string()),
            );
            Theme::from_sources(sources).err().expect("an error")
        };
        let err = theme("{# x #}\n{% extends \"nosuch.html\" %}\n").to_string();
        assert_eq!(
            err,
            "templates/post.html:2:12: `post.html` extends `nosuch.html`, which does not exist"
        );
        let err = theme("<p>\n  {% include 'post.html' %}\n").to_string();
        assert!(
            err.starts_with("templates/post.html:2:14: `post.html` includes itself"),
            "{err}"
        );
    }

    /// The built-in theme with the site's templates laid over it, compiled.
    fn with_site(files: &[(&str, &str)]) -> Result<Theme> {
        let mut sources = BTreeMap::new();
        for name in EmbeddedTemplates::iter() {
            let file = EmbeddedTemplates::get(&name).unwrap();
            let text = String::from_utf8_lossy(&file.data).into_owned();
            let shown = PathBuf::from(format!("{BUILT_IN} templates/{name}"));
            sources.insert(name.into_owned(), (shown, text));
        }
        for (name, text) in files {
            let shown = PathBuf::from(format!("templates/{name}"));
            sources.insert(name.to_string(), (shown, text.to_string()));
        }
        Theme::from_sources(sources)
    }

    #[test]
    fn an_extends_loop_is_reported_where_it_closes_not_where_it_was_found() {
        // Tera finds the loop from `404.html` (the first built-in template extending into it).
        let err = with_site(&[
            ("base.html", "{% extends \"x.html\" %}\n"),
            ("x.html", "{% extends \"y.html\" %}\n"),
            ("y.html", "{# y #}\n{% extends \"x.html\" %}\n"),
        ])
        .err()
        .unwrap()
        .to_string();
        assert_eq!(
            err,
            "templates/y.html:2:12: `x.html` and `y.html` extend each other in a loop: \
             x.html → y.html → x.html"
        );
        let err = with_site(&[("x.html", "{% extends 'x.html' %}")])
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "templates/x.html:1:12: `x.html` extends itself"
        );
    }

    #[test]
    fn a_site_base_without_the_blocks_is_blamed_not_the_built_in_pages() {
        let err = with_site(&[(
            "base.html",
            "<main>{% block main %}{% endblock main %}</main>",
        )])
        .err()
        .unwrap();
        let Error::Many(all) = &err else {
            panic!("{err}")
        };
        let text = err.to_string();
        assert!(all.len() >= 2, "{text}");
        assert!(!text.contains(BUILT_IN), "{text}");
        for e in all {
            assert!(
                e.to_string()
                    .starts_with("templates/base.html: has no `{% block "),
                "{e}"
            );
        }
        assert!(
            text.contains("`{% block content %}`, which the built-in templates `404.html`"),
            "{text}"
        );
        // A site template missing a block of a site parent is still reported at its block.
        let err = with_site(&[
            ("base.html", "{% block title %}{% endblock title %}{% block description %}{% endblock description %}{% block content %}{% endblock content %}{% block head %}{% endblock head %}{% block social %}{% endblock social %}{% block feeds %}{% endblock feeds %}"),
            ("mine.html", "{% extends \"base.html\" %}\n{% block nope %}{% endblock nope %}"),
        ])
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.starts_with("templates/mine.html:2:10: Block `nope`"),
            "{err}"
        );
    }

    #[test]
    fn component_recursion_names_the_call_that_loops() {
        let theme = with_site(&[
            (
                "more.html",
                "{% component a(n) %}\n{{ <b n={n} /> }}\n{% endcomponent a %}\n\
                 {% component b(n) %}\n  {{ <a n={n} /> }}\n{% endcomponent b %}\n",
            ),
            ("mine.html", "<p>{{ <a n={1} /> }}</p>"),
        ])
        .unwrap();
        let err = theme
            .render(&theme.tera(), "mine.html", &Context::new())
            .unwrap_err()
            .to_string();
        // The loop closes where `b` calls `a` again.
        assert!(
            err.starts_with(
                "templates/more.html:5:7: components call each other in a loop (a → b → a)"
            ),
            "{err}"
        );
    }

    #[test]
    fn t_escapes_its_words_and_plain_arguments_but_not_html_ones() {
        let theme = with_site(&[(
            "mine.html",
            "{% set link %}<a href=\"/x/\">{{ name }}</a>{% endset %}\
             {{ t(key=\"moved_text\", link=link) }}|{{ t(key=\"posts_tagged\", term=name) }}|\
             {{ t(key=\"taxonomy_series\", default=\"Series & more\") }}|\
             {{ t(key=\"post_count\", count=1) }}|{{ t(key=\"post_count\", count=2) }}",
        )])
        .unwrap();
        let mut ctx = Context::new();
        ctx.insert("name", "R&D <b>");
        let out = theme.render(&theme.tera(), "mine.html", &ctx).unwrap();
        assert_eq!(
            out,
            "<a href=\"/x/\">R&amp;D &lt;b&gt;</a> now lives at a new address.|\
             Posts tagged “R&amp;D &lt;b&gt;”|Series &amp; more|1 post|2 posts"
        );
    }

    #[test]
    fn mentions_finds_variables_not_attributes_or_strings() {
        assert!(mentions("{% for t in tags %}", "tags"));
        assert!(mentions("{{ tags | length }}", "tags"));
        assert!(!mentions("{{ post.tags }} {{ top_tags }}", "tags"));
        assert!(!mentions("{% if taxonomy.name == \"tags\" %}", "tags"));
        assert!(!mentions("{{ tagsx }}", "tags"));
        // Text and comments are not code.
        assert!(!mentions("<h2>Top tags</h2>", "tags"));
        assert!(!mentions("{# the sidebar's most used tags #}", "tags"));
        assert!(mentions("<p>{# x #}{{ tags }}</p>", "tags"));
    }

    #[test]
    fn validation_reports_are_recovered() {
        let text = "error: Unknown filter `x`\n --> post.html:3:17\n  |\nerror: Unknown test `y`\n --> a/b.html:1:2\n";
        assert_eq!(
            validation_reports(text),
            [
                ("Unknown filter `x`", "post.html", 3, 17),
                ("Unknown test `y`", "a/b.html", 1, 2)
            ]
        );
    }
}
