//! The theme: Tera 2 templates, the embedded default theme with the site's own files laid over
//! it, the `date` filter, and turning Tera's errors into ones that name our files.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use tera::{Context, Kwargs, State, Tera};

use crate::error::{Diagnostic, Error, Result};

/// The default theme's templates, compiled into the binary.
#[derive(rust_embed::Embed)]
#[folder = "templates/"]
#[include = "*.html"]
struct EmbeddedTemplates;

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
}

impl Theme {
    /// The embedded theme with the site's `templates/**/*.html` laid over it, symbolic links
    /// followed as `links` allows.
    pub fn load(root: &Path, links: &crate::walk::Links) -> Result<Theme> {
        let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        for name in EmbeddedTemplates::iter() {
            let file = EmbeddedTemplates::get(&name).expect("listed file exists");
            let text = String::from_utf8_lossy(&file.data).into_owned();
            let shown = PathBuf::from(format!("(built-in theme) templates/{name}"));
            sources.insert(name.into_owned(), (shown, text));
        }
        let dir = root.join("templates");
        for (path, rel) in crate::output::list_files(root, &dir, links)? {
            if !rel.ends_with(".html") {
                continue;
            }
            let shown = crate::content::relative(root, &path);
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&shown, e))?;
            sources.insert(rel, (shown, text));
        }
        Theme::from_sources(sources)
    }

    /// Compile templates given as name -> (shown path, source). Pure.
    pub fn from_sources(sources: BTreeMap<String, (PathBuf, String)>) -> Result<Theme> {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.register_filter("date", date_filter);
        let result = tera.add_raw_templates(sources.iter().map(|(n, (_, s))| (n, s)));
        let ids = sources
            .values()
            .flat_map(|(_, text)| crate::check::html_ids(text))
            .filter(|id| !id.contains(['{', '}']))
            .map(str::to_owned)
            .collect();
        let theme = Theme { tera, sources, ids };
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
                let errors = validation_reports(text)
                    .into_iter()
                    .map(|(message, name, line, col)| {
                        let (shown, source) = self
                            .sources
                            .get(name)
                            .map(|(p, s)| (p.clone(), s.as_str()))
                            .unwrap_or_else(|| (PathBuf::from(name), ""));
                        Error::Source(
                            Diagnostic::new(shown, message).at_line_col(source, line, col),
                        )
                    })
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
                let last = inheritance_chain.last().unwrap_or(tpl);
                let mut chain = inheritance_chain.clone();
                chain.push(tpl.clone());
                self.at_tag(
                    last,
                    "extends",
                    tpl,
                    format!("`{tpl}` extends itself: {}", chain.join(" → ")),
                )
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

    /// A fingerprint of every template's name and source.
    pub fn fingerprint(&self) -> u64 {
        crate::fingerprint::of(&self.sources)
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
            .filter(|(template, _)| include(template))
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
fn validation_reports(text: &str) -> Vec<(&str, &str, usize, usize)> {
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

/// `{{ date | date(format="%-d %B %Y") }}`: format an RFC 3339 date with chrono.
fn date_filter(value: &str, kwargs: Kwargs, _: &State) -> tera::TeraResult<String> {
    let format = kwargs.get::<&str>("format")?.unwrap_or("%-d %B %Y");
    let date = chrono::DateTime::parse_from_rfc3339(value).map_err(|e| {
        tera::Error::message(format!(
            "date filter: `{value}` is not an RFC 3339 date ({e})"
        ))
    })?;
    let items: Vec<_> = chrono::format::StrftimeItems::new(format).collect();
    if items
        .iter()
        .any(|i| matches!(i, chrono::format::Item::Error))
    {
        return Err(tera::Error::message(format!(
            "date filter: invalid format `{format}`"
        )));
    }
    Ok(date.format_with_items(items.into_iter()).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_filter_formats_and_rejects_bad_input() {
        let mut tera = Tera::new();
        tera.register_filter("date", date_filter);
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
