//! Rendering the site model to HTML with Tera 2. The default theme is embedded in the binary;
//! a site's own `templates/<name>` replaces the embedded file of the same name. Templates get
//! small borrowed view structs (documented in docs/templates.md), never domain types.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::config::{BreakingNews, Config};
use crate::content::ImageRef;
use crate::error::{Diagnostic, Error, Result};
use crate::output::Output;
use crate::site::{Post, Site, Taxonomy, Term, join_url};

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

/// Number of tags in the `top_tags` list.
const TOP_TAGS: usize = 10;
/// Longest meta description, in characters.
const DESCRIPTION_LIMIT: usize = 300;

/// Compiled templates, plus where each came from so errors can name the file.
pub struct Theme {
    tera: Tera,
    /// Template name -> (path shown in messages, source text).
    sources: BTreeMap<String, (PathBuf, String)>,
}

impl Theme {
    /// The embedded theme with the site's `templates/**/*.html` laid over it.
    pub fn load(root: &Path) -> Result<Theme> {
        let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        for name in EmbeddedTemplates::iter() {
            let file = EmbeddedTemplates::get(&name).expect("listed file exists");
            let text = String::from_utf8_lossy(&file.data).into_owned();
            let shown = PathBuf::from(format!("(built-in theme) templates/{name}"));
            sources.insert(name.into_owned(), (shown, text));
        }
        let dir = root.join("templates");
        for (path, rel) in crate::output::list_files(&dir)? {
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
        let theme = Theme { tera, sources };
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

    fn render(&self, tera: &Tera, template: &str, ctx: &Context) -> Result<String> {
        tera.render(template, ctx).map_err(|e| self.error(&e))
    }
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

// ---- View structs: what templates see (docs/templates.md). ----

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    tagline: &'a str,
    description: &'a str,
    description_html: String,
    author: &'a str,
    disclaimer: Option<&'a str>,
    disclaimer_html: Option<String>,
    base_url: &'a str,
    base_path: &'a str,
    language: &'a str,
    breaking_news: Option<BreakingNews>,
    extra: &'a toml::Table,
}

#[derive(Serialize)]
struct NavItem<'a> {
    title: &'a str,
    url: &'a str,
    active: bool,
}

#[derive(Serialize, Clone)]
struct PostLink<'a> {
    title: &'a str,
    url: &'a str,
    date: Option<String>,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    slug: &'a str,
    url: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct TermLink<'a> {
    name: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct ImageView<'a> {
    src: &'a str,
    alt: &'a str,
    caption: Option<&'a str>,
}

#[derive(Serialize)]
struct PostSummary<'a> {
    title: &'a str,
    url: &'a str,
    permalink: String,
    date: Option<String>,
    updated: Option<String>,
    author: &'a str,
    summary_html: &'a str,
    image: Option<ImageView<'a>>,
    tags: Vec<TermLink<'a>>,
    reading_time: usize,
    word_count: usize,
}

#[derive(Serialize)]
struct PostView<'a> {
    #[serde(flatten)]
    summary: PostSummary<'a>,
    slug: &'a str,
    content: &'a str,
    categories: Vec<TermLink<'a>>,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    url: &'a str,
    content: &'a str,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct Paginator {
    current: usize,
    total_pages: usize,
    total_items: usize,
    previous_url: Option<String>,
    next_url: Option<String>,
    first_url: String,
    last_url: String,
}

#[derive(Serialize)]
struct TaxonomyView<'a> {
    name: &'a str,
    title: &'a str,
    url: &'a str,
}

/// Builds views; borrows the site and config for one render.
struct Views<'a> {
    site: &'a Site,
    config: &'a Config,
}

impl<'a> Views<'a> {
    fn image(img: &'a ImageRef) -> ImageView<'a> {
        ImageView {
            src: &img.src,
            alt: img.alt.as_deref().unwrap_or(""),
            caption: img.caption.as_deref(),
        }
    }

    fn terms(&self, tax: &'a Taxonomy, ids: &[usize]) -> Vec<TermLink<'a>> {
        ids.iter()
            .map(|&i| TermLink {
                name: &tax.terms[i].name,
                url: &tax.terms[i].url,
            })
            .collect()
    }

    fn author(&self, post: &'a Post) -> &'a str {
        post.doc.author.as_deref().unwrap_or(&self.config.author)
    }

    fn summary(&self, post: &'a Post) -> PostSummary<'a> {
        PostSummary {
            title: &post.doc.title,
            url: &post.url,
            permalink: self.config.absolute(&post.url),
            date: post.doc.date.map(|d| d.to_rfc3339()),
            updated: post.doc.updated.map(|d| d.to_rfc3339()),
            author: self.author(post),
            summary_html: &post.rendered.summary_html,
            image: post.image.as_ref().map(Self::image),
            tags: self.terms(&self.site.tags, &post.tags),
            reading_time: post.reading_time,
            word_count: post.rendered.word_count,
        }
    }

    fn link(post: &'a Post) -> PostLink<'a> {
        PostLink {
            title: &post.doc.title,
            url: &post.url,
            date: post.doc.date.map(|d| d.to_rfc3339()),
        }
    }

    fn term(term: &'a Term) -> TermView<'a> {
        TermView {
            name: &term.name,
            slug: &term.slug,
            url: &term.url,
            count: term.posts.len(),
        }
    }
}

/// One page to render.
enum Job {
    Home {
        page: usize,
    },
    Post(usize),
    Page(usize),
    TaxonomyList(usize),
    Term {
        taxonomy: usize,
        term: usize,
        page: usize,
    },
    NotFound,
}

/// The URL of page `n` (1-based) of a list whose first page is at `first`.
fn page_url(first: &str, n: usize) -> String {
    if n == 1 {
        first.to_string()
    } else {
        format!("{first}page/{n}/")
    }
}

fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// The output file for a URL path under the base path.
fn output_path(config: &Config, url: &str) -> String {
    let rel = url
        .strip_prefix(config.base_path.as_str())
        .unwrap_or(url.trim_start_matches('/'));
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

/// Cut plain text at a word boundary.
fn clip(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 2 > limit {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

/// Render every page of the site.
pub fn render(theme: &Theme, site: &Site, config: &Config) -> Result<Vec<Output>> {
    let views = Views { site, config };
    let md = |s: &str| crate::markdown::render(s, &crate::markdown::Options::default()).html;
    let mut tera = theme.tera.clone();
    {
        let shared = tera.global_context();
        shared.insert(
            "site",
            &SiteView {
                title: &config.title,
                tagline: &config.tagline,
                description: &config.description,
                description_html: md(&config.description),
                author: &config.author,
                disclaimer: config.disclaimer.as_deref(),
                disclaimer_html: config.disclaimer.as_deref().map(md),
                base_url: &config.base_url,
                base_path: &config.base_path,
                language: &config.language,
                // A root path like `/posts/x/` gets the base path, as every other site URL does.
                breaking_news: config.breaking_news.as_ref().map(|b| BreakingNews {
                    text: b.text.clone(),
                    url: b.url.as_ref().map(|u| {
                        if u.starts_with('/') && !u.starts_with("//") {
                            join_url(&config.base_path, u)
                        } else {
                            u.clone()
                        }
                    }),
                }),
                extra: &config.extra,
            },
        );
        let latest: Vec<PostLink> = site
            .posts
            .iter()
            .take(config.latest_posts)
            .map(Views::link)
            .collect();
        shared.insert("latest_posts", &latest);
        let mut top: Vec<&Term> = site.tags.terms.iter().collect();
        top.sort_by(|a, b| {
            b.posts
                .len()
                .cmp(&a.posts.len())
                .then_with(|| a.slug.cmp(&b.slug))
        });
        let top: Vec<TermView> = top.into_iter().take(TOP_TAGS).map(Views::term).collect();
        shared.insert("top_tags", &top);
        let mut all: Vec<TermView> = site.tags.terms.iter().map(Views::term).collect();
        all.sort_by_key(|t| t.name.to_lowercase());
        shared.insert("tags", &all);
    }

    let home = join_url(&config.base_path, "/");
    let mut nav_items: Vec<(&str, String)> =
        vec![("Home", home.clone()), ("Tags", site.tags.url.clone())];
    for page in &site.pages {
        nav_items.push((&page.doc.title, page.url.clone()));
    }

    let taxonomies: Vec<&Taxonomy> = [&site.tags, &site.categories]
        .into_iter()
        .filter(|t| t.name == "tags" || !t.terms.is_empty())
        .collect();
    let per_page = config.posts_per_page;
    let mut jobs: Vec<Job> = Vec::new();
    jobs.extend((1..=page_count(site.posts.len(), per_page)).map(|page| Job::Home { page }));
    jobs.extend((0..site.posts.len()).map(Job::Post));
    jobs.extend((0..site.pages.len()).map(Job::Page));
    for (t, tax) in taxonomies.iter().enumerate() {
        jobs.push(Job::TaxonomyList(t));
        for (i, term) in tax.terms.iter().enumerate() {
            jobs.extend(
                (1..=page_count(term.posts.len(), per_page)).map(|page| Job::Term {
                    taxonomy: t,
                    term: i,
                    page,
                }),
            );
        }
    }
    jobs.push(Job::NotFound);

    let render_job = |job: &Job| -> Result<Output> {
        let mut ctx = Context::new();
        let (template, url, title, description, kind, section) = match *job {
            Job::Home { page } => {
                let total = page_count(site.posts.len(), per_page);
                let posts: Vec<PostSummary> = site
                    .posts
                    .iter()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .map(|p| views.summary(p))
                    .collect();
                ctx.insert("posts", &posts);
                ctx.insert(
                    "paginator",
                    &paginator(&home, page, total, site.posts.len()),
                );
                let title = if page == 1 {
                    if config.tagline.is_empty() {
                        config.title.clone()
                    } else {
                        format!("{} — {}", config.title, config.tagline)
                    }
                } else {
                    format!("{} — page {page} of {total}", config.title)
                };
                let desc = plain_description(&config.description, &config.tagline);
                (
                    "index.html",
                    page_url(&home, page),
                    title,
                    desc,
                    "home",
                    home.clone(),
                )
            }
            Job::Post(i) => {
                let post = &site.posts[i];
                ctx.insert(
                    "post",
                    &PostView {
                        summary: views.summary(post),
                        slug: &post.doc.slug,
                        content: &post.rendered.html,
                        categories: views.terms(&site.categories, &post.categories),
                        extra: &post.doc.extra,
                    },
                );
                // Posts are newest first: the previous (older) post is the next index.
                ctx.insert("previous", &site.posts.get(i + 1).map(Views::link));
                ctx.insert(
                    "next",
                    &i.checked_sub(1).map(|j| Views::link(&site.posts[j])),
                );
                let title = format!("{} — {}", post.doc.title, config.title);
                (
                    "post.html",
                    post.url.clone(),
                    title,
                    clip(&post.rendered.summary_text, DESCRIPTION_LIMIT),
                    "post",
                    home.clone(),
                )
            }
            Job::Page(i) => {
                let page = &site.pages[i];
                ctx.insert(
                    "page",
                    &PageView {
                        title: &page.doc.title,
                        url: &page.url,
                        content: &page.rendered.html,
                        extra: &page.doc.extra,
                    },
                );
                let title = format!("{} — {}", page.doc.title, config.title);
                (
                    "page.html",
                    page.url.clone(),
                    title,
                    clip(&page.rendered.summary_text, DESCRIPTION_LIMIT),
                    "page",
                    page.url.clone(),
                )
            }
            Job::TaxonomyList(t) => {
                let tax = taxonomies[t];
                ctx.insert(
                    "taxonomy",
                    &TaxonomyView {
                        name: tax.name,
                        title: tax.title,
                        url: &tax.url,
                    },
                );
                let mut terms: Vec<TermView> = tax.terms.iter().map(Views::term).collect();
                terms.sort_by_key(|t| t.name.to_lowercase());
                ctx.insert("terms", &terms);
                let title = format!("{} — {}", tax.title, config.title);
                let desc = format!("All {} used on {}.", tax.title.to_lowercase(), config.title);
                (
                    "taxonomy.html",
                    tax.url.clone(),
                    title,
                    desc,
                    "taxonomy",
                    tax.url.clone(),
                )
            }
            Job::Term {
                taxonomy,
                term,
                page,
            } => {
                let tax = taxonomies[taxonomy];
                let term = &tax.terms[term];
                let total = page_count(term.posts.len(), per_page);
                ctx.insert(
                    "taxonomy",
                    &TaxonomyView {
                        name: tax.name,
                        title: tax.title,
                        url: &tax.url,
                    },
                );
                ctx.insert("term", &Views::term(term));
                let posts: Vec<PostSummary> = term
                    .posts
                    .iter()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .map(|&p| views.summary(&site.posts[p]))
                    .collect();
                ctx.insert("posts", &posts);
                ctx.insert(
                    "paginator",
                    &paginator(&term.url, page, total, term.posts.len()),
                );
                let mut title = format!("{}: {} — {}", tax.title, term.name, config.title);
                if page > 1 {
                    title = format!(
                        "{}: {} (page {page} of {total}) — {}",
                        tax.title, term.name, config.title
                    );
                }
                let desc = format!("Posts filed under {} on {}.", term.name, config.title);
                (
                    "term.html",
                    page_url(&term.url, page),
                    title,
                    desc,
                    "term",
                    tax.url.clone(),
                )
            }
            Job::NotFound => {
                let title = format!("Page not found — {}", config.title);
                (
                    "404.html",
                    join_url(&config.base_path, "/404.html"),
                    title,
                    "The page you asked for does not exist.".to_string(),
                    "404",
                    String::new(),
                )
            }
        };
        let nav: Vec<NavItem> = nav_items
            .iter()
            .map(|(t, u)| NavItem {
                title: t,
                url: u,
                active: *u == section,
            })
            .collect();
        ctx.insert("nav", &nav);
        ctx.insert("page_title", &title);
        ctx.insert("page_description", &description);
        ctx.insert("current_url", &url);
        ctx.insert("kind", kind);
        let html = theme.render(&tera, template, &ctx)?;
        Ok(Output {
            path: output_path(config, &url),
            bytes: html.into_bytes(),
        })
    };

    let results: Vec<Result<Output>> = jobs.par_iter().map(render_job).collect();
    let mut outputs = Vec::with_capacity(results.len());
    let mut errors: Vec<Error> = Vec::new();
    for r in results {
        match r {
            Ok(o) => outputs.push(o),
            // The same template error usually repeats on every page: report it once.
            Err(e) if !errors.iter().any(|x| x.to_string() == e.to_string()) => errors.push(e),
            Err(_) => {}
        }
    }
    match Error::from_many(errors) {
        Some(e) => Err(e),
        None => Ok(outputs),
    }
}

fn paginator(first: &str, current: usize, total_pages: usize, total_items: usize) -> Paginator {
    Paginator {
        current,
        total_pages,
        total_items,
        previous_url: (current > 1).then(|| page_url(first, current - 1)),
        next_url: (current < total_pages).then(|| page_url(first, current + 1)),
        first_url: first.to_string(),
        last_url: page_url(first, total_pages),
    }
}

/// A plain-text description from the config description (Markdown), else the tagline.
fn plain_description(description: &str, tagline: &str) -> String {
    let text =
        crate::markdown::render(description, &crate::markdown::Options::default()).summary_text;
    if text.is_empty() {
        tagline.to_string()
    } else {
        clip(&text, DESCRIPTION_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_are_pretty_urls_under_the_base_path() {
        let mut config = Config::parse(
            "title = \"T\"\nbase_url = \"https://e.org/blog/\"",
            Path::new("c"),
        )
        .unwrap();
        assert_eq!(output_path(&config, "/blog/"), "index.html");
        assert_eq!(output_path(&config, "/blog/posts/a/"), "posts/a/index.html");
        assert_eq!(output_path(&config, "/blog/404.html"), "404.html");
        config.set_base_url("https://e.org/").unwrap();
        assert_eq!(
            output_path(&config, "/tags/x/page/2/"),
            "tags/x/page/2/index.html"
        );
    }

    #[test]
    fn pagination_urls() {
        let p = paginator("/tags/x/", 2, 3, 25);
        assert_eq!(p.previous_url.as_deref(), Some("/tags/x/"));
        assert_eq!(p.next_url.as_deref(), Some("/tags/x/page/3/"));
        assert_eq!(p.last_url, "/tags/x/page/3/");
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
    }

    #[test]
    fn clip_cuts_at_words() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("one two three four", 10), "one two…");
    }

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
}
