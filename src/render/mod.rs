//! Rendering the site model to pages: one job per output page, rendered in parallel. Data
//! every page shares (site settings, latest posts, tags) goes into the Tera context once per
//! build; each job adds only its own view.

mod theme;
mod views;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::config::{BreakingNews, Config};
use crate::error::{Error, Result};
use crate::output::Output;
use crate::site::{Site, Taxonomy, Term, join_url};
pub use theme::{EmbeddedStatic, Theme};
use views::{
    NavItem, PageView, Paginator, PostLink, PostSummary, SiteView, TaxonomyView, TermView, Views,
    page_url,
};

/// Element ids the default theme uses around post content; generated heading ids avoid them
/// so a post titled "Main" cannot break the skip link.
pub const PAGE_IDS: &[&str] = &[
    "main",
    "nav",
    "about-heading",
    "latest-heading",
    "tags-heading",
];

/// Number of tags in the `top_tags` list.
const TOP_TAGS: usize = 10;
/// Longest meta description, in characters.
const DESCRIPTION_LIMIT: usize = 300;

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

/// What a job produced before the parts common to every page are added.
struct Rendered {
    template: &'static str,
    url: String,
    title: String,
    description: String,
    kind: &'static str,
    /// The navigation entry to mark as current.
    section: String,
}

/// Render every page of the site.
pub fn render(theme: &Theme, site: &Site, config: &Config) -> Result<Vec<Output>> {
    let renderer = Renderer::new(theme, site, config);
    let jobs = renderer.jobs();
    let results: Vec<Result<Output>> = jobs.par_iter().map(|j| renderer.render(j)).collect();
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

struct Renderer<'a> {
    theme: &'a Theme,
    /// The theme's templates with this build's shared context.
    tera: Tera,
    site: &'a Site,
    config: &'a Config,
    views: Views<'a>,
    home: String,
    nav: Vec<(&'a str, String)>,
    /// Tags always (the navigation links to them); categories when any post has one.
    taxonomies: Vec<&'a Taxonomy>,
}

impl<'a> Renderer<'a> {
    fn new(theme: &'a Theme, site: &'a Site, config: &'a Config) -> Self {
        let mut tera = theme.tera();
        shared_context(tera.global_context(), site, config);
        let home = join_url(&config.base_path, "/");
        let mut nav = vec![("Home", home.clone()), ("Tags", site.tags.url.clone())];
        nav.extend(
            site.pages
                .iter()
                .map(|p| (p.doc.title.as_str(), p.url.clone())),
        );
        let taxonomies = [&site.tags, &site.categories]
            .into_iter()
            .filter(|t| t.name == "tags" || !t.terms.is_empty())
            .collect();
        Renderer {
            theme,
            tera,
            site,
            config,
            views: Views { site, config },
            home,
            nav,
            taxonomies,
        }
    }

    fn jobs(&self) -> Vec<Job> {
        let per_page = self.config.posts_per_page;
        let site = self.site;
        let mut jobs: Vec<Job> = Vec::new();
        jobs.extend((1..=page_count(site.posts.len(), per_page)).map(|page| Job::Home { page }));
        jobs.extend((0..site.posts.len()).map(Job::Post));
        jobs.extend((0..site.pages.len()).map(Job::Page));
        for (t, tax) in self.taxonomies.iter().enumerate() {
            jobs.push(Job::TaxonomyList(t));
            for (i, term) in tax.terms.iter().enumerate() {
                let pages = page_count(term.posts.len(), per_page);
                jobs.extend((1..=pages).map(|page| Job::Term {
                    taxonomy: t,
                    term: i,
                    page,
                }));
            }
        }
        jobs.push(Job::NotFound);
        jobs
    }

    fn render(&self, job: &Job) -> Result<Output> {
        let mut ctx = Context::new();
        let r = match *job {
            Job::Home { page } => self.home(&mut ctx, page),
            Job::Post(i) => self.post(&mut ctx, i),
            Job::Page(i) => self.page(&mut ctx, i),
            Job::TaxonomyList(t) => self.taxonomy(&mut ctx, self.taxonomies[t]),
            Job::Term {
                taxonomy,
                term,
                page,
            } => {
                let tax = self.taxonomies[taxonomy];
                self.term(&mut ctx, tax, &tax.terms[term], page)
            }
            Job::NotFound => Rendered {
                template: "404.html",
                url: join_url(&self.config.base_path, "/404.html"),
                title: format!("Page not found — {}", self.config.title),
                description: "The page you asked for does not exist.".into(),
                kind: "404",
                section: String::new(),
            },
        };
        let nav: Vec<NavItem> = self
            .nav
            .iter()
            .map(|(title, url)| NavItem {
                title,
                url,
                active: *url == r.section,
            })
            .collect();
        ctx.insert("nav", &nav);
        ctx.insert("page_title", &r.title);
        ctx.insert("page_description", &r.description);
        ctx.insert("current_url", &r.url);
        ctx.insert("kind", r.kind);
        let html = self.theme.render(&self.tera, r.template, &ctx)?;
        Ok(Output {
            path: output_path(self.config, &r.url),
            bytes: html.into_bytes(),
        })
    }

    /// A page of post summaries with its paginator.
    fn list(&self, ctx: &mut Context, first: &str, posts: &[usize], page: usize) -> usize {
        let per_page = self.config.posts_per_page;
        let total = page_count(posts.len(), per_page);
        let summaries: Vec<PostSummary> = posts
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(|&i| self.views.summary(&self.site.posts[i]))
            .collect();
        ctx.insert("posts", &summaries);
        ctx.insert(
            "paginator",
            &Paginator::new(first, page, total, posts.len()),
        );
        total
    }

    fn home(&self, ctx: &mut Context, page: usize) -> Rendered {
        let config = self.config;
        let all: Vec<usize> = (0..self.site.posts.len()).collect();
        let total = self.list(ctx, &self.home, &all, page);
        let title = match (page, config.tagline.is_empty()) {
            (1, true) => config.title.clone(),
            (1, false) => format!("{} — {}", config.title, config.tagline),
            _ => format!("{} — page {page} of {total}", config.title),
        };
        let description = plain_text(&config.description);
        Rendered {
            template: "index.html",
            url: page_url(&self.home, page),
            title,
            description: if description.is_empty() {
                config.tagline.clone()
            } else {
                description
            },
            kind: "home",
            section: self.home.clone(),
        }
    }

    fn post(&self, ctx: &mut Context, i: usize) -> Rendered {
        let posts = &self.site.posts;
        let post = &posts[i];
        ctx.insert("post", &self.views.post(post));
        // Posts are newest first: the previous (older) post has the next index.
        ctx.insert("previous", &posts.get(i + 1).map(PostLink::new));
        ctx.insert("next", &i.checked_sub(1).map(|j| PostLink::new(&posts[j])));
        Rendered {
            template: "post.html",
            url: post.url.clone(),
            title: format!("{} — {}", post.doc.title, self.config.title),
            description: clip(&post.rendered.summary_text, DESCRIPTION_LIMIT),
            kind: "post",
            section: self.home.clone(),
        }
    }

    fn page(&self, ctx: &mut Context, i: usize) -> Rendered {
        let page = &self.site.pages[i];
        ctx.insert(
            "page",
            &PageView {
                title: &page.doc.title,
                url: &page.url,
                content: &page.rendered.html,
                extra: &page.doc.extra,
            },
        );
        Rendered {
            template: "page.html",
            url: page.url.clone(),
            title: format!("{} — {}", page.doc.title, self.config.title),
            description: clip(&page.rendered.summary_text, DESCRIPTION_LIMIT),
            kind: "page",
            section: page.url.clone(),
        }
    }

    fn taxonomy(&self, ctx: &mut Context, tax: &Taxonomy) -> Rendered {
        ctx.insert("taxonomy", &TaxonomyView::new(tax));
        let mut terms: Vec<TermView> = tax.terms.iter().map(TermView::new).collect();
        terms.sort_by_key(|t| t.name.to_lowercase());
        ctx.insert("terms", &terms);
        Rendered {
            template: "taxonomy.html",
            url: tax.url.clone(),
            title: format!("{} — {}", tax.title, self.config.title),
            description: format!(
                "All {} used on {}.",
                tax.title.to_lowercase(),
                self.config.title
            ),
            kind: "taxonomy",
            section: tax.url.clone(),
        }
    }

    fn term(&self, ctx: &mut Context, tax: &Taxonomy, term: &Term, page: usize) -> Rendered {
        ctx.insert("taxonomy", &TaxonomyView::new(tax));
        ctx.insert("term", &TermView::new(term));
        let total = self.list(ctx, &term.url, &term.posts, page);
        let which = if page > 1 {
            format!(" (page {page} of {total})")
        } else {
            String::new()
        };
        Rendered {
            template: "term.html",
            url: page_url(&term.url, page),
            title: format!(
                "{}: {}{which} — {}",
                tax.title, term.name, self.config.title
            ),
            description: format!("Posts filed under {} on {}.", term.name, self.config.title),
            kind: "term",
            section: tax.url.clone(),
        }
    }
}

/// Values every template gets, inserted once per build.
fn shared_context(shared: &mut Context, site: &Site, config: &Config) {
    let md = |s: &str| crate::markdown::render(s, &crate::markdown::Options::default()).html;
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
        .map(PostLink::new)
        .collect();
    shared.insert("latest_posts", &latest);
    let mut top: Vec<&Term> = site.tags.terms.iter().collect();
    top.sort_by(|a, b| {
        b.posts
            .len()
            .cmp(&a.posts.len())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let top: Vec<TermView> = top.into_iter().take(TOP_TAGS).map(TermView::new).collect();
    shared.insert("top_tags", &top);
    let mut all: Vec<TermView> = site.tags.terms.iter().map(TermView::new).collect();
    all.sort_by_key(|t| t.name.to_lowercase());
    shared.insert("tags", &all);
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

/// Markdown as clipped plain text, for meta descriptions.
fn plain_text(markdown: &str) -> String {
    let text = crate::markdown::render(markdown, &crate::markdown::Options::default()).summary_text;
    clip(&text, DESCRIPTION_LIMIT)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
    fn page_counts() {
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
    }

    #[test]
    fn clip_cuts_at_words() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("one two three four", 10), "one two…");
    }
}
