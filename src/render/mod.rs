//! Rendering the site model to pages: one job per output page, rendered in parallel. Data
//! every page shares (site settings, latest posts, tags) goes into the Tera context once per
//! build; each job adds only its own view.

pub mod i18n;
pub mod shortcodes;
mod theme;
mod views;

use std::sync::{Arc, OnceLock};

use foldhash::{HashMap, HashMapExt};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::{BreakingNews, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::fingerprint;
use crate::output::Output;
use crate::routes::Claims;
use crate::site::{Site, Taxonomy, Term, join_url};
use crate::table::{Doc, Route, Target, page_count, page_items, page_url};
pub use i18n::Translations;
pub use theme::{EmbeddedStatic, Theme};
use views::{
    NavItem, PageView, Paginator, PostLink, PostSummary, PostView, SectionView, SiteView,
    TaxonomyView, TermView, Views,
};

/// Number of tags in the `top_tags` list.
const TOP_TAGS: usize = 10;
/// Longest meta description, in characters.
const DESCRIPTION_LIMIT: usize = 300;

/// A page's template, URL and own description (titles and the other descriptions are
/// composed by the templates from the page's facts).
struct Meta<'t> {
    template: &'t str,
    url: String,
    description: String,
    kind: &'static str,
    /// The navigation entry to mark as current.
    section: String,
}

/// The result of rendering: pages whose fingerprint changed, and every page's fingerprint.
pub struct Pages {
    /// Each fragment (`templates/fragments/<name>.html`) as `(name, HTML)`.
    pub fragments: Vec<(String, String)>,
    /// How many pages were rendered.
    pub rendered: usize,
    /// Rendered pages (all of them when `previous` was empty), unless they went to `emit`.
    pub changed: Vec<Output>,
    /// Output path -> fingerprint of the data its template received, for every page.
    pub fingerprints: HashMap<String, u64>,
    /// Per post (as `site.posts`): fingerprints of its summary view (title, URLs, dates,
    /// author, summary, image, tags, word count) and of its link (title, URL, date), for
    /// other outputs (feeds, sitemap) to fingerprint themselves cheaply.
    pub post_fingerprints: Vec<PostFingerprints>,
    /// What to tell without failing: a `template` the theme does not have.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct PostFingerprints {
    pub summary: u64,
    pub link: u64,
}

/// What a page holds in place of a fragment when fragments are filled in by the dev server.
pub fn fragment_placeholder(name: &str) -> String {
    format!("<!--quire-fragment:{name}-->")
}

/// Where rendered pages go as soon as they are made, instead of into [`Pages::changed`]
/// (a full build writes them at once rather than holding them all).
pub type Emit<'e> = &'e (dyn Fn(Output) -> Result<()> + Sync);

/// Render the site's pages. A page whose fingerprint equals its entry in `previous` is not
/// rendered again (pass an empty map to render everything). Rendered pages go to `emit` when
/// given, else into [`Pages::changed`].
#[allow(clippy::too_many_arguments)]
pub fn render(
    theme: &Theme,
    site: &Site,
    config: &Config,
    jobs: &[Route],
    previous: &HashMap<String, u64>,
    emit: Option<Emit>,
    live_fragments: bool,
    claims: &Claims,
) -> Result<Pages> {
    let section_warnings = missing_section_templates(theme, site);
    let words = theme.translations(&config.language);
    let mut renderer = Renderer::new(theme, &words, site, config, previous, live_fragments)?;
    let rendered = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<(String, u64, Option<Output>)>> = jobs
        .par_iter()
        .map(|j| {
            let (path, fp, output) = renderer.render(j)?;
            if output.is_some() {
                rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            match (output, emit) {
                (Some(o), Some(emit)) => {
                    emit(o)?;
                    Ok((path, fp, None))
                }
                (output, _) => Ok((path, fp, output)),
            }
        })
        .collect();
    let mut pages = Pages {
        warnings: section_warnings
            .into_iter()
            .chain(missing_templates(theme, site))
            .collect(),
        fragments: std::mem::take(&mut renderer.fragment_html),
        rendered: rendered.into_inner(),
        changed: Vec::new(),
        fingerprints: HashMap::with_capacity(results.len()),
        post_fingerprints: renderer
            .posts
            .iter()
            .map(|p| PostFingerprints {
                summary: p.summary_fingerprint,
                link: p.link_fingerprint,
            })
            .collect(),
    };
    let mut errors: Vec<Error> = Vec::new();
    // Two pages of one path, or a page over a static file, a bundle asset or a feed: an
    // error naming both, whichever would have been written last.
    let mut clashes: Vec<usize> = Vec::new();
    let mut results = results;
    for (j, r) in results.iter_mut().enumerate() {
        match r {
            Ok((path, fingerprint, output)) => {
                if let Some(owner) = claims.owner(path) {
                    errors.push(renderer.clash(path, owner.describe(path), &jobs[j], None));
                    continue;
                }
                pages.changed.extend(output.take());
                if pages
                    .fingerprints
                    .insert(path.clone(), *fingerprint)
                    .is_some()
                {
                    clashes.push(j);
                }
            }
            // The same template error usually repeats on every page: report it once.
            Err(e) if !errors.iter().any(|x| x.to_string() == e.to_string()) => {
                errors.push(std::mem::replace(e, Error::Other(String::new())));
            }
            Err(_) => {}
        }
    }
    for j in clashes {
        let path = match &results[j] {
            Ok((path, ..)) => path,
            Err(_) => continue,
        };
        let first = results
            .iter()
            .position(|r| matches!(r, Ok((p, ..)) if p == path))
            .unwrap_or(j);
        errors.push(renderer.clash(
            path,
            renderer.describe(&jobs[first]),
            &jobs[j],
            Some(&jobs[first]),
        ));
    }
    match Error::from_many(errors) {
        Some(e) => Err(e),
        None => Ok(pages),
    }
}

/// Everything a template receives: the job's own values and the per-page basics. Serialized
/// once for the fingerprint and, if the page changed, once into the Tera context.
#[derive(Serialize)]
struct PageVars<'a, T: Serialize> {
    #[serde(flatten)]
    own: T,
    nav: Vec<NavItem<'a>>,
    /// The page's own description as plain text: a post's or page's summary, the home
    /// page's site description. Empty on other pages, whose templates compose one.
    description: &'a str,
    current_url: &'a str,
    /// Absolute URL of this page (none on the 404 page, which has no address of its own).
    canonical_url: Option<String>,
    kind: &'static str,
}

struct Renderer<'a> {
    theme: &'a Theme,
    previous: &'a HashMap<String, u64>,
    /// Fingerprint of the theme and the shared context: part of every page's fingerprint.
    base_fingerprint: u64,
    /// The theme's templates with this build's shared context.
    tera: Tera,
    site: &'a Site,
    config: &'a Config,
    views: Views<'a>,
    home: String,
    nav: Vec<(String, String)>,
    /// This build's language.
    words: &'a Translations,
    /// Per post (same order as `site.posts`): views and fingerprints every page needs.
    posts: Vec<PostParts<'a>>,
    /// The home pages' meta description: the site description as text, else the tagline.
    home_description: String,
    /// Each fragment's name and HTML.
    fragment_html: Vec<(String, String)>,
    /// Whether list pages give each post its `post_summary` HTML (`Theme::cards`).
    cards: bool,
    /// Per `config.redirects` entry: the title of the post or page it leads to, if any.
    redirect_titles: Vec<Option<&'a str>>,
}

/// What every page showing a post needs, built once per build: its summary and link views
/// with their fingerprints, and its meta description.
struct PostParts<'a> {
    summary: PostSummary<'a>,
    summary_fingerprint: u64,
    link: PostLink<'a>,
    link_fingerprint: u64,
    description: String,
    /// The post as list pages give it (`Listed`), made on first use: one post is shown on
    /// its home, section and term pages, and its summary becomes template values, and its
    /// card HTML, once. Template values share their data, so each page takes a cheap copy.
    listed: OnceLock<tera::Value>,
}

impl<'a> Renderer<'a> {
    fn new(
        theme: &'a Theme,
        words: &'a Arc<Translations>,
        site: &'a Site,
        config: &'a Config,
        previous: &'a HashMap<String, u64>,
        live_fragments: bool,
    ) -> Result<Self> {
        let mut tera = theme.tera();
        words.register(&mut tera);
        tera.register_function("get_url", shortcodes::get_url(config.base_url.clone()));
        let (shared, fragment_data) =
            shared_context(tera.global_context(), site, config, theme, words);
        // Fragments see only the shared context, so their HTML is the same on every page:
        // made once here instead of once per page. Live, pages get a placeholder that the dev
        // server fills when it serves them, so that a change to a fragment alone (a new post
        // in the latest posts) does not re-render every page.
        let mut fragments = std::collections::BTreeMap::new();
        let mut fragment_html = Vec::new();
        for (name, short) in theme.fragments() {
            let html = theme.render(&tera, name, &Context::new())?;
            let value = if live_fragments {
                tera::Value::safe_string(&fragment_placeholder(short))
            } else {
                tera::Value::safe_string(&html)
            };
            fragments.insert(short.to_string(), value);
            fragment_html.push((short.to_string(), html));
        }
        tera.global_context().insert("fragments", &fragments);
        let shared = if live_fragments {
            shared
        } else {
            fingerprint::combine(&[shared, fragment_data])
        };
        let home = join_url(&config.base_path, "/");
        // Home, the top sections other than the one the home page lists, the first taxonomy,
        // then the standalone pages.
        let home_section = match &config.home_section {
            crate::config::HomeSection::Section(path) => Some(path.as_str()),
            crate::config::HomeSection::All => None,
        };
        let mut nav = vec![(words.plain("nav_home", &[])?, home.clone())];
        nav.extend(
            site.sections
                .iter()
                .filter(|s| s.parent == Some(0) && s.settings.render)
                .filter(|s| Some(s.path.as_str()) != home_section)
                .map(|s| (s.title.clone(), s.url.clone())),
        );
        if let Some(t) = crate::table::rendered_taxonomies(site).find(|&t| t == 0) {
            let tax = &site.taxonomies[t];
            nav.push((words.taxonomy_title(&tax.name), tax.url.clone()));
        }
        nav.extend(
            site.pages
                .iter()
                .map(|p| (p.doc.title.clone(), p.url.clone())),
        );
        let views = Views { site, config };
        // `get_section(path="news")` reads any section with all its posts: only when a
        // template calls it, and then every page depends on what it gives.
        let sections_fp = if theme.uses("get_section") {
            register_get_section(&mut tera, site, &views)
        } else {
            0
        };
        // Every page shows the navigation: its items are part of every page's fingerprint.
        let base_fingerprint = fingerprint::combine(&[
            theme.fingerprint(),
            shared,
            fingerprint::of(&nav),
            sections_fp,
        ]);
        let posts: Vec<PostParts> = site
            .posts
            .par_iter()
            .map(|post| {
                let date = post.doc.date_rfc3339.clone();
                let summary = views.summary(post, date.clone());
                let link = PostLink {
                    title: &post.doc.title,
                    url: &post.url,
                    date,
                };
                PostParts {
                    summary_fingerprint: fingerprint::of(&summary),
                    link_fingerprint: fingerprint::of(&link),
                    summary,
                    link,
                    description: clip(&post.rendered.summary_text, DESCRIPTION_LIMIT),
                    listed: OnceLock::new(),
                }
            })
            .collect();
        let cards = theme.cards(&tera);
        let home_description = match plain_text(&config.description) {
            d if d.is_empty() => config.tagline.clone(),
            d => d,
        };
        let redirect_titles = if config.redirects.is_empty() {
            Vec::new()
        } else {
            let by_url: HashMap<&str, &str> = site
                .posts
                .iter()
                .map(|p| (p.url.as_str(), p.doc.title.as_str()))
                .chain(
                    site.pages
                        .iter()
                        .map(|p| (p.url.as_str(), p.doc.title.as_str())),
                )
                .collect();
            config
                .redirects
                .iter()
                .map(|r| {
                    by_url
                        .get(join_url(&config.base_path, &r.to).as_str())
                        .copied()
                })
                .collect()
        };
        Ok(Renderer {
            redirect_titles,
            cards,
            fragment_html,
            theme,
            home_description,
            posts,
            previous,
            base_fingerprint,
            tera,
            site,
            config,
            views,
            home,
            nav,
            words,
        })
    }

    /// Two outputs of `path`: `first` (in words; its route, when a page) and the page of
    /// `job`. Told at the front matter line of an alias when one of them is an alias, as that
    /// is usually the one to change.
    fn clash(&self, path: &str, first: String, job: &Route, first_job: Option<&Route>) -> Error {
        let second = self.describe(job);
        let alias = [Some(job), first_job]
            .into_iter()
            .flatten()
            .find_map(|j| match j.target {
                Target::Alias { of, index } => Some((self.doc(of), index)),
                _ => None,
            });
        match alias {
            Some((doc, index)) => Error::Source(
                Diagnostic::new(
                    &doc.source,
                    format!(
                        "{first} and {second} would both be written to {path}: change one of them"
                    ),
                )
                .at(doc.aliases_at.get(index).and_then(Option::as_ref)),
            ),
            None => Error::OutputClash {
                path: path.to_string(),
                first,
                second,
            },
        }
    }

    fn doc(&self, of: Doc) -> &'a crate::content::Document {
        match of {
            Doc::Post(i) => &self.site.posts[i].doc,
            Doc::Page(i) => &self.site.pages[i].doc,
        }
    }

    fn doc_url(&self, of: Doc) -> &'a str {
        match of {
            Doc::Post(i) => &self.site.posts[i].url,
            Doc::Page(i) => &self.site.pages[i].url,
        }
    }

    /// A page in an author's words, for messages about two outputs of one path.
    fn describe(&self, job: &Route) -> String {
        let nth = |page: usize, what: String| match page {
            1 => what,
            n => format!("page {n} of {what}"),
        };
        match job.target {
            Target::Home { page } => nth(page, "the home page".into()),
            Target::Post(i) => format!("`{}`", self.site.posts[i].doc.source.display()),
            Target::Page(i) => format!("`{}`", self.site.pages[i].doc.source.display()),
            Target::Section { section, page } => {
                let s = &self.site.sections[section];
                let what = match &s.doc {
                    Some(d) => format!("the section list of `{}`", d.source.display()),
                    None => format!("the section list of `content/{}/`", s.path),
                };
                nth(page, what)
            }
            Target::TaxonomyList(t) => {
                format!("the list of all {}", self.site.taxonomies[t].name)
            }
            Target::Term {
                taxonomy,
                term,
                page,
            } => {
                let tax = &self.site.taxonomies[taxonomy];
                nth(
                    page,
                    format!("the {} page `{}`", tax.name, tax.terms[term].name),
                )
            }
            Target::NotFound => "the 404 page".into(),
            Target::Search => "the search page".into(),
            Target::Archive { year, month } => match (year, month) {
                (Some(y), Some(m)) => {
                    let y = &self.site.archive[y];
                    format!("the archive of {}-{:02}", y.year, y.months[m].month)
                }
                (Some(y), None) => format!("the archive of {}", self.site.archive[y].year),
                _ => "the archive".into(),
            },
            Target::Alias { of, .. } => {
                format!(
                    "the alias `{}` in `{}`",
                    job.url,
                    self.doc(of).source.display()
                )
            }
            Target::Redirect(i) => format!(
                "the redirect `{}` in `config.toml`",
                self.config.redirects[i].from
            ),
            Target::SectionRedirect(s) => format!(
                "the `redirect_to` of `{}`",
                crate::site::section_source(&self.site.sections[s]).display()
            ),
        }
    }

    /// Render one page; an error names the page too, as a template error alone (a `date`
    /// filter given a bad `extra` value) does not say which post's data caused it.
    fn render(&self, job: &Route) -> Result<(String, u64, Option<Output>)> {
        self.render_job(job).map_err(|e| {
            let what = match job.target {
                Target::Post(i) => self.site.posts[i].doc.source.display().to_string(),
                Target::Page(i) => self.site.pages[i].doc.source.display().to_string(),
                _ => self.describe(job),
            };
            e.while_doing(&format!("rendering {what}"))
        })
    }

    /// A redirect page at `job` to `to` (a site path, given the base path here, or a URL).
    fn redirect(
        &self,
        path: &str,
        job: &Route,
        to: &str,
        title: &str,
    ) -> Result<(String, u64, Option<Output>)> {
        let (url, permalink) = if to.starts_with('/') {
            let url = join_url(&self.config.base_path, to);
            let permalink = self.config.absolute(&url);
            (url, permalink)
        } else {
            (to.to_string(), to.to_string())
        };
        self.redirect_page(path, job, title, &url, permalink)
    }

    /// The `alias.html` page at `job`, leading to `url` (`permalink` in full).
    fn redirect_page(
        &self,
        path: &str,
        job: &Route,
        title: &str,
        url: &str,
        permalink: String,
    ) -> Result<(String, u64, Option<Output>)> {
        let meta = Meta {
            template: "alias.html",
            url: job.url.clone(),
            description: String::new(),
            kind: "alias",
            section: String::new(),
        };
        let own = AliasVars {
            target: PostLinkAbsolute {
                title,
                url,
                permalink,
            },
        };
        self.emit(path, meta, fingerprint::of(&own), || Ok(own))
    }

    fn render_job(&self, job: &Route) -> Result<(String, u64, Option<Output>)> {
        let path = job.path.as_str();
        match job.target {
            Target::Archive { year, month } => self.archive(path, year, month),
            Target::Alias { of, .. } => {
                let target = self.doc_url(of);
                let permalink = self.config.absolute(target);
                self.redirect_page(path, job, &self.doc(of).title, target, permalink)
            }
            Target::SectionRedirect(s) => {
                let section = &self.site.sections[s];
                let to = section.settings.redirect_to.as_deref().unwrap_or("/");
                self.redirect(path, job, to, &section.title)
            }
            Target::Redirect(i) => {
                let to = &self.config.redirects[i].to;
                self.redirect(path, job, to, self.redirect_titles[i].unwrap_or(to))
            }
            Target::Home { page } => {
                let (fp, list) = self.list(
                    &self.home,
                    &self.site.home,
                    self.config.posts_per_page,
                    page,
                );
                self.emit(path, self.home_meta(page), fp, || self.list_vars(list))
            }
            Target::Post(i) => self.post(path, i),
            Target::Page(i) => {
                let (meta, own) = self.page(i);
                self.emit(path, meta, fingerprint::of(&own), || Ok(own))
            }
            Target::Section { section, page } => self.section(path, section, page),
            Target::TaxonomyList(t) => {
                let (meta, own) = self.taxonomy(&self.site.taxonomies[t]);
                self.emit(path, meta, fingerprint::of(&own), || Ok(own))
            }
            Target::Term {
                taxonomy,
                term,
                page,
            } => {
                let tax = &self.site.taxonomies[taxonomy];
                self.term(path, tax, &tax.terms[term], page)
            }
            Target::NotFound => {
                let meta = Meta {
                    template: "404.html",
                    url: job.url.clone(),
                    description: String::new(),
                    kind: "404",
                    section: String::new(),
                };
                self.emit(path, meta, fingerprint::of(&Empty {}), || Ok(Empty {}))
            }
            Target::Search => {
                let meta = Meta {
                    template: "search.html",
                    url: job.url.clone(),
                    description: String::new(),
                    kind: "search",
                    section: String::new(),
                };
                let own = self.search_vars();
                self.emit(path, meta, fingerprint::of(&own), || Ok(own))
            }
        }
    }

    /// What the search page needs besides the shared context: where the index is, the
    /// filters it offers, and the words its script shows.
    fn search_vars(&self) -> SearchVars {
        let mut filters: Vec<SearchFilter> = crate::table::rendered_taxonomies(self.site)
            .map(|t| &self.site.taxonomies[t])
            .filter(|t| !t.terms.is_empty())
            .map(|t| SearchFilter {
                name: t.name.clone(),
                label: self.words.taxonomy_title(&t.name),
            })
            .collect();
        for name in ["section", "author"] {
            if !filters.iter().any(|f| f.name == name) {
                filters.push(SearchFilter {
                    name: name.to_string(),
                    label: self
                        .words
                        .text(&format!("search_filter_{name}"), None, &[], false)
                        .unwrap_or_else(|_| name.to_string()),
                });
            }
        }
        let words: std::collections::BTreeMap<&str, &crate::render::i18n::Entry> = SEARCH_WORDS
            .iter()
            .filter_map(|k| Some((*k, self.words.get(k)?)))
            .collect();
        let taxonomies = crate::table::rendered_taxonomies(self.site)
            .next()
            .map(|t| self.site.taxonomies[t].url.clone());
        SearchVars {
            search: SearchView {
                index: join_url(
                    &self.config.base_path,
                    &format!("/{}/", crate::search::FOLDER),
                ),
                archive: join_url(&self.config.base_path, "/archive/"),
                taxonomies,
                filters,
                words: serde_json::to_string(&words).unwrap_or_default(),
            },
        }
    }

    /// Page `page` of a section's list.
    fn section(&self, path: &str, s: usize, page: usize) -> Result<(String, u64, Option<Output>)> {
        let section = &self.site.sections[s];
        let (list_fp, list) = self.list(
            &section.url,
            &section.listed,
            section.settings.paginate_by,
            page,
        );
        let view = self.views.section(section);
        let description = match &section.doc {
            Some(d) => match (&d.description, &section.rendered) {
                (Some(text), _) => clip(&plain_text(text), DESCRIPTION_LIMIT),
                (None, Some(r)) => clip(&r.summary_text, DESCRIPTION_LIMIT),
                (None, None) => String::new(),
            },
            None => String::new(),
        };
        let meta = Meta {
            template: existing(self.theme, &section.settings.template, "section.html"),
            url: page_url(&section.url, page),
            description,
            kind: "section",
            section: self.nav_section(s),
        };
        let fp = fingerprint::combine(&[fingerprint::of(&view), list_fp]);
        self.emit(path, meta, fp, || {
            Ok(SectionVars {
                section: view,
                list: self.list_vars(list)?,
            })
        })
    }

    /// The template a post or page is rendered with: its own `template` when the theme has
    /// it (else [`missing_templates`] warned), else `default`.
    fn template_of(&self, doc: &'a crate::content::Document, default: &'a str) -> &'a str {
        match &doc.template {
            Some((name, _)) if self.theme.has(name) => name,
            _ => default,
        }
    }

    /// The URL of the top section that `s` is in, for the navigation to mark.
    fn nav_section(&self, mut s: usize) -> String {
        while let Some(p) = self.site.sections[s].parent {
            if p == 0 {
                return self.site.sections[s].url.clone();
            }
            s = p;
        }
        String::new()
    }

    /// Fingerprint the page and render it if it changed since `previous`. `own_fingerprint`
    /// must identify exactly the values `own` produces; `own` is only called to render.
    fn emit<T: Serialize>(
        &self,
        path: &str,
        meta: Meta,
        own_fingerprint: u64,
        own: impl FnOnce() -> Result<T>,
    ) -> Result<(String, u64, Option<Output>)> {
        // The canonical URL follows from the URL and `base_url`, and the navigation from the
        // section and the nav items (in `base_fingerprint`): both are covered by the
        // fingerprint without being built for it.
        let mut vars = PageVars {
            own: Empty {},
            nav: Vec::new(),
            description: &meta.description,
            current_url: &meta.url,
            canonical_url: None,
            kind: meta.kind,
        };
        let fingerprint = fingerprint::combine(&[
            self.base_fingerprint,
            fingerprint::of(meta.template),
            fingerprint::of(&vars),
            fingerprint::of(&meta.section),
            own_fingerprint,
        ]);
        if self.previous.get(path) == Some(&fingerprint) {
            return Ok((path.to_string(), fingerprint, None));
        }

        let nav: Vec<NavItem> = self
            .nav
            .iter()
            .map(|(title, url)| NavItem {
                title,
                url,
                active: *url == meta.section,
            })
            .collect();
        vars.canonical_url = (meta.kind != "404").then(|| self.config.absolute(&meta.url));
        let vars = PageVars {
            own: own()?,
            nav,
            description: vars.description,
            current_url: vars.current_url,
            canonical_url: vars.canonical_url.take(),
            kind: vars.kind,
        };
        let ctx = Context::from_serialize(&vars)
            .map_err(|e| Error::Other(format!("{}: template context: {e}", meta.url)))?;
        let html = self.theme.render(&self.tera, meta.template, &ctx)?;
        let output = Output {
            path: path.to_string(),
            bytes: html.into_bytes(),
        };
        Ok((path.to_string(), fingerprint, Some(output)))
    }

    /// A page of post summaries with its paginator, and its fingerprint.
    fn list<'s>(
        &'s self,
        first: &str,
        posts: &'s [usize],
        per_page: usize,
        page: usize,
    ) -> (u64, ListPage<'s>) {
        let total = page_count(posts.len(), per_page);
        let shown = page_items(posts, per_page, page);
        let paginator = Paginator::new(first, page, total, posts.len());
        let mut parts = vec![fingerprint::of(&paginator)];
        parts.extend(shown.iter().map(|&i| self.posts[i].summary_fingerprint));
        (fingerprint::combine(&parts), ListPage { shown, paginator })
    }

    /// The template values of a list page. Each post's values are derived from its summary,
    /// which the list's fingerprint covers.
    fn list_vars(&self, page: ListPage<'_>) -> Result<ListVars> {
        let posts = page
            .shown
            .iter()
            .map(|&i| self.listed(i))
            .collect::<Result<_>>()?;
        Ok(ListVars {
            posts,
            paginator: page.paginator,
        })
    }

    /// Post `i` as list pages give it, made on first use. Two threads may make it at once;
    /// both make the same values and the first is kept.
    fn listed(&self, i: usize) -> Result<tera::Value> {
        let parts = &self.posts[i];
        if let Some(value) = parts.listed.get() {
            return Ok(value.clone());
        }
        let card = match self.cards {
            true => Some(self.theme.render_card(&self.tera, &parts.summary)?),
            false => None,
        };
        let listed = Listed {
            summary: &parts.summary,
            card_html: card.as_deref(),
        };
        let value = tera::Value::try_from_serializable(&listed)
            .map_err(|e| Error::Other(format!("{}: template values: {e}", parts.link.url)))?;
        Ok(parts.listed.get_or_init(|| value).clone())
    }

    fn home_meta(&self, page: usize) -> Meta<'static> {
        Meta {
            template: "index.html",
            url: page_url(&self.home, page),
            description: self.home_description.clone(),
            kind: "home",
            section: self.home.clone(),
        }
    }

    fn post(&self, path: &str, i: usize) -> Result<(String, u64, Option<Output>)> {
        let post = &self.site.posts[i];
        let parts = &self.posts[i];
        let rest = self.views.post_rest(post, i);
        // Its neighbours in its section's order (for a section by date: older, newer).
        let previous = post.previous.map(|p| &self.posts[p]);
        let next = post.next.map(|p| &self.posts[p]);
        let link_fp = |p: Option<&PostParts>| p.map_or(0, |p| p.link_fingerprint);
        let fp = fingerprint::combine(&[
            parts.summary_fingerprint,
            post.rendered.html_fingerprint,
            fingerprint::of(&rest),
            link_fp(previous),
            link_fp(next),
        ]);
        let section = &self.site.sections[post.section];
        let meta = Meta {
            template: self.template_of(
                &post.doc,
                existing(self.theme, &section.settings.page_template, "post.html"),
            ),
            url: post.url.clone(),
            description: parts.description.clone(),
            kind: "post",
            // The blog's posts belong to no navigation entry; another section's to its own.
            section: self.nav_section(post.section),
        };
        // JSON-LD is derived from the summary and the config, which the fingerprint covers.
        self.emit(path, meta, fp, || {
            Ok(PostVars {
                json_ld: views::json_ld(&parts.summary, self.config),
                post: PostView {
                    summary: &parts.summary,
                    content: &post.rendered.html,
                    toc: crate::markdown::toc(&post.rendered.headings),
                    toc_count: post
                        .rendered
                        .headings
                        .iter()
                        .filter(|h| crate::markdown::TOC_LEVELS.contains(&h.level))
                        .count(),
                    rest,
                },
                previous: previous.map(|p| p.link.clone()),
                next: next.map(|p| p.link.clone()),
            })
        })
    }

    /// An archive page: every year (`year` none), one year, or one month of it.
    fn archive(
        &self,
        path: &str,
        year: Option<usize>,
        month: Option<usize>,
    ) -> Result<(String, u64, Option<Output>)> {
        let all = &self.site.archive;
        let years: &[crate::site::ArchiveYear] = match year {
            Some(y) => std::slice::from_ref(&all[y]),
            None => all,
        };
        let view = |y: &'a crate::site::ArchiveYear| ArchiveYearView {
            year: y.year,
            url: &y.url,
            count: y.months.iter().map(|m| m.posts.len()).sum(),
            months: y
                .months
                .iter()
                .enumerate()
                .filter(|(i, _)| month.is_none_or(|m| m == *i))
                .map(|(_, m)| ArchiveMonthView {
                    month: m.month,
                    name: self.words.month(m.month).to_string(),
                    url: &m.url,
                    count: m.posts.len(),
                    posts: m.posts.iter().map(|&i| &self.posts[i].link).collect(),
                })
                .collect(),
        };
        let (url, facts) = match (year, month) {
            (Some(y), Some(m)) => {
                let (y, m) = (&all[y], &all[y].months[m]);
                let facts = ArchiveFacts {
                    year: Some(y.year),
                    month: Some(m.month),
                    month_name: Some(self.words.month(m.month).to_string()),
                };
                (m.url.clone(), facts)
            }
            (Some(y), None) => (all[y].url.clone(), ArchiveFacts::year(Some(all[y].year))),
            _ => (
                join_url(&self.config.base_path, "/archive/"),
                ArchiveFacts::year(None),
            ),
        };
        let meta = Meta {
            template: "archive.html",
            description: String::new(),
            url,
            kind: "archive",
            section: String::new(),
        };
        // Fingerprint from the links' own fingerprints: the whole archive lists every post.
        let mut parts = vec![fingerprint::of(&facts)];
        for y in years {
            parts.push(fingerprint::of(&(y.year, &y.url)));
            for (i, m) in y.months.iter().enumerate() {
                if month.is_none_or(|want| want == i) {
                    parts.push(fingerprint::of(&(m.month, &m.url)));
                    parts.extend(m.posts.iter().map(|&p| self.posts[p].link_fingerprint));
                }
            }
        }
        self.emit(path, meta, fingerprint::combine(&parts), || {
            Ok(ArchiveOwn {
                archive: facts,
                vars: ArchiveVars {
                    years: years.iter().map(view).collect(),
                },
            })
        })
    }

    fn page(&self, i: usize) -> (Meta<'a>, PageOwnVars<'a>) {
        let page = &self.site.pages[i];
        let own = PageOwnVars {
            page: PageView {
                title: &page.doc.title,
                url: &page.url,
                content: &page.rendered.html,
                extra: &page.doc.extra,
            },
        };
        let meta = Meta {
            template: self.template_of(&page.doc, "page.html"),
            url: page.url.clone(),
            description: clip(&page.rendered.summary_text, DESCRIPTION_LIMIT),
            kind: "page",
            section: page.url.clone(),
        };
        (meta, own)
    }

    fn taxonomy(&self, tax: &'a Taxonomy) -> (Meta<'static>, TaxonomyVars<'a>) {
        let mut terms: Vec<TermView> = tax.terms.iter().map(TermView::new).collect();
        terms.sort_by_key(|t| t.name.to_lowercase());
        let own = TaxonomyVars {
            taxonomy: TaxonomyView::new(tax, self.words),
            terms,
        };
        let meta = Meta {
            template: "taxonomy.html",
            url: tax.url.clone(),
            description: String::new(),
            kind: "taxonomy",
            section: tax.url.clone(),
        };
        (meta, own)
    }

    fn term(
        &self,
        path: &str,
        tax: &'a Taxonomy,
        term: &'a Term,
        page: usize,
    ) -> Result<(String, u64, Option<Output>)> {
        let (list_fp, list) = self.list(&term.url, &term.posts, tax.config.paginate_by, page);
        let meta = Meta {
            template: "term.html",
            url: page_url(&term.url, page),
            description: String::new(),
            kind: "term",
            section: tax.url.clone(),
        };
        let head = (TaxonomyView::new(tax, self.words), TermView::new(term));
        let fp = fingerprint::combine(&[fingerprint::of(&head), list_fp]);
        self.emit(path, meta, fp, || {
            Ok(TermVars {
                taxonomy: head.0,
                term: head.1,
                list: self.list_vars(list)?,
            })
        })
    }
}

#[derive(Serialize)]
struct Empty {}

/// The translation keys the search script reads.
const SEARCH_WORDS: &[&str] = &[
    "search_results",
    "search_no_results",
    "search_searching",
    "search_more",
    "search_failed",
];

#[derive(Serialize)]
struct SearchVars {
    search: SearchView,
}

#[derive(Serialize)]
struct SearchView {
    /// The index folder's URL.
    index: String,
    archive: String,
    /// The first taxonomy's list page, if it has one.
    taxonomies: Option<String>,
    filters: Vec<SearchFilter>,
    /// The script's words, as JSON.
    words: String,
}

#[derive(Serialize)]
struct SearchFilter {
    name: String,
    label: String,
}

#[derive(Serialize)]
struct ArchiveOwn<'a, 's> {
    archive: ArchiveFacts,
    #[serde(flatten)]
    vars: ArchiveVars<'a, 's>,
}

/// Which archive page this is: every year (both none), one year, or one month of it.
#[derive(Serialize)]
struct ArchiveFacts {
    year: Option<i32>,
    month: Option<u32>,
    /// The month's name in the site's language.
    month_name: Option<String>,
}

impl ArchiveFacts {
    fn year(year: Option<i32>) -> Self {
        ArchiveFacts {
            year,
            month: None,
            month_name: None,
        }
    }
}

#[derive(Serialize)]
struct ArchiveVars<'a, 's> {
    years: Vec<ArchiveYearView<'a, 's>>,
}

#[derive(Serialize)]
struct ArchiveYearView<'a, 's> {
    year: i32,
    url: &'a str,
    count: usize,
    months: Vec<ArchiveMonthView<'a, 's>>,
}

#[derive(Serialize)]
struct ArchiveMonthView<'a, 's> {
    month: u32,
    name: String,
    url: &'a str,
    count: usize,
    posts: Vec<&'s PostLink<'a>>,
}

/// The sidebar's archive calendar: years, each with its months that have posts.
#[derive(Serialize)]
struct CalendarYear<'a> {
    year: i32,
    url: &'a str,
    months: Vec<CalendarMonth<'a>>,
}

#[derive(Serialize)]
struct CalendarMonth<'a> {
    month: u32,
    name: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct AliasVars<'a> {
    target: PostLinkAbsolute<'a>,
}

#[derive(Serialize)]
struct PostLinkAbsolute<'a> {
    title: &'a str,
    url: &'a str,
    permalink: String,
}

#[derive(Serialize)]
struct ListVars {
    /// `Listed` values.
    posts: Vec<tera::Value>,
    paginator: Paginator,
}

/// A post on a list page: its summary and, when the theme uses cards, its `post_summary` HTML.
#[derive(Serialize)]
struct Listed<'a, 's> {
    #[serde(flatten)]
    summary: &'s PostSummary<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_html: Option<&'s str>,
}

/// Which posts one list page shows, and its paginator: what [`Renderer::list_vars`] needs.
struct ListPage<'s> {
    shown: &'s [usize],
    paginator: Paginator,
}

#[derive(Serialize)]
struct PostVars<'a, 's> {
    post: PostView<'a, 's>,
    /// `BlogPosting` structured data, escaped for a `<script type="application/ld+json">`.
    json_ld: String,
    previous: Option<PostLink<'a>>,
    next: Option<PostLink<'a>>,
}

#[derive(Serialize)]
struct PageOwnVars<'a> {
    page: PageView<'a>,
}

#[derive(Serialize)]
struct TaxonomyVars<'a> {
    taxonomy: TaxonomyView<'a>,
    terms: Vec<TermView<'a>>,
}

#[derive(Serialize)]
struct SectionVars<'a> {
    section: SectionView<'a>,
    #[serde(flatten)]
    list: ListVars,
}

#[derive(Serialize)]
struct TermVars<'a> {
    taxonomy: TaxonomyView<'a>,
    term: TermView<'a>,
    #[serde(flatten)]
    list: ListVars,
}

/// Values every template gets, inserted once per build. Returns their fingerprint. Values no
/// template mentions are left out, so that (say) a change to the full tag list does not
/// re-render every page of a theme that never shows it.
fn shared_context(
    shared: &mut Context,
    site: &Site,
    config: &Config,
    theme: &Theme,
    words: &Translations,
) -> (u64, u64) {
    let options = crate::markdown::Options {
        base_path: Some(&config.base_path),
        ..Default::default()
    };
    let md = |s: &str| crate::markdown::render(s, &options).html;
    let site_view = SiteView {
        title: &config.title,
        tagline: &config.tagline,
        description: &config.description,
        description_html: md(&config.description),
        author: &config.author,
        disclaimer: config.disclaimer.as_deref(),
        disclaimer_html: config.disclaimer.as_deref().map(md),
        base_url: &config.base_url,
        base_path: &config.base_path,
        search: crate::search::page_url(config),
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
    };
    // Values only fragments read go into the fragments' fingerprint, the rest into the
    // pages'.
    let mut parts = vec![fingerprint::of(&site_view)];
    let mut fragment_parts = Vec::new();
    let mut add = |name: &str, fp: u64| {
        if theme.pages_use(name) {
            parts.push(fp);
        } else {
            fragment_parts.push(fp);
        }
    };
    shared.insert("site", &site_view);
    if theme.uses("latest_posts") {
        let latest: Vec<PostLink> = site
            .posts
            .iter()
            .take(config.latest_posts)
            .map(PostLink::new)
            .collect();
        add("latest_posts", fingerprint::of(&latest));
        shared.insert("latest_posts", &latest);
    }
    if theme.uses("top_tags") {
        let tags = site.taxonomy("tags").map_or(&[][..], |t| &t.terms);
        let mut top: Vec<&Term> = tags.iter().collect();
        top.sort_by(|a, b| {
            b.posts
                .len()
                .cmp(&a.posts.len())
                .then_with(|| a.slug.cmp(&b.slug))
        });
        let top: Vec<TermView> = top.into_iter().take(TOP_TAGS).map(TermView::new).collect();
        add("top_tags", fingerprint::of(&top));
        shared.insert("top_tags", &top);
    }
    if theme.uses("archive_calendar") {
        let calendar: Vec<CalendarYear> = site
            .archive
            .iter()
            .map(|y| CalendarYear {
                year: y.year,
                url: &y.url,
                months: y
                    .months
                    .iter()
                    .map(|m| CalendarMonth {
                        month: m.month,
                        name: words.month(m.month),
                        url: &m.url,
                    })
                    .collect(),
            })
            .collect();
        add("archive_calendar", fingerprint::of(&calendar));
        shared.insert("archive_calendar", &calendar);
    }
    if theme.uses("tags") {
        let tags = site.taxonomy("tags").map_or(&[][..], |t| &t.terms);
        let mut all: Vec<TermView> = tags.iter().map(TermView::new).collect();
        all.sort_by_key(|t| t.name.to_lowercase());
        add("tags", fingerprint::of(&all));
        shared.insert("tags", &all);
    }
    (
        fingerprint::combine(&parts),
        fingerprint::combine(&fragment_parts),
    )
}

/// Register `get_section(path=…)`: the section at that path under `content/` (`""` for the
/// top) as on its list page, plus `pages`, every post its list shows as summaries. Returns the
/// fingerprint of everything it can give.
fn register_get_section(tera: &mut Tera, site: &Site, views: &Views) -> u64 {
    #[derive(Serialize)]
    struct Full<'a> {
        #[serde(flatten)]
        section: SectionView<'a>,
        pages: Vec<PostSummary<'a>>,
    }
    let mut values = std::collections::BTreeMap::new();
    let mut parts = Vec::new();
    for section in &site.sections {
        let full = Full {
            section: views.section(section),
            pages: section
                .listed
                .iter()
                .map(|&p| {
                    let post = &site.posts[p];
                    views.summary(post, post.doc.date_rfc3339.clone())
                })
                .collect(),
        };
        parts.push(fingerprint::of(&full));
        values.insert(section.path.clone(), tera::Value::from_serializable(&full));
    }
    let values = std::sync::Arc::new(values);
    tera.register_function(
        "get_section",
        move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<tera::Value> {
            let path: String = kwargs.must_get("path")?;
            let path = path.trim_matches('/');
            values.get(path).cloned().ok_or_else(|| {
                let known: Vec<&str> = values.keys().map(String::as_str).collect();
                tera::Error::message(format!(
                    "get_section: there is no section `{path}` (the sections are: {})",
                    known.join(", ")
                ))
            })
        },
    );
    fingerprint::combine(&parts)
}

/// Every template the site's sections name must exist: a missing one is an error at the
/// `_index.md` line that names it (or at `[sections]` in `config.toml`).
/// A warning for each post or page whose `template` the theme does not have: it is rendered
/// with the default instead, as a migrated site's own templates may not have come across.
fn missing_templates(theme: &Theme, site: &Site) -> Vec<String> {
    let docs = site
        .posts
        .iter()
        .map(|p| (&p.doc, "its section's page template"))
        .chain(site.pages.iter().map(|p| (&p.doc, "page.html")));
    docs.filter_map(|(doc, default)| {
        let (name, (line, col, _)) = doc.template.as_ref()?;
        (!theme.has(name)).then(|| {
            format!(
                "{}:{line}:{col}: `template = \"{name}\"`: the site has no templates/{name}, so \
                 {default} is used (add the template to use it)",
                doc.source.display()
            )
        })
    })
    .collect()
}

/// `name` when the theme has it, else the built-in `default` (a missing one is a warning,
/// see [`missing_section_templates`]).
fn existing<'a>(theme: &Theme, name: &'a str, default: &'static str) -> &'a str {
    if theme.has(name) { name } else { default }
}

/// A section's `template` or `page_template` that the theme lacks, as warnings at its
/// `_index.md` line (or `[sections]`): the built-in template is used, as for a page's own
/// `template` (a Zola site's templates are often not copied over).
fn missing_section_templates(theme: &Theme, site: &Site) -> Vec<String> {
    let mut warnings = Vec::new();
    for s in &site.sections {
        let uses = [
            (
                "template",
                &s.settings.template,
                s.settings.render && s.parent.is_some(),
                "section.html",
            ),
            (
                "page_template",
                &s.settings.page_template,
                !s.pages.is_empty(),
                "post.html",
            ),
        ];
        for (key, name, used, default) in uses {
            if !used || theme.has(name) {
                continue;
            }
            let message = format!(
                "the {key} `{name}` does not exist, so {default} is used: add \
                 `templates/{name}` or name one of the theme's templates ({})",
                theme.page_templates().join(", ")
            );
            let at = s
                .doc
                .as_ref()
                .and_then(|d| Some((d, d.settings_at.iter().find(|(k, _)| *k == key)?)));
            warnings.push(match at {
                Some((doc, (_, (line, col, _)))) => {
                    format!("{}:{line}:{col}: {message}", doc.source.display())
                }
                None => format!("config.toml: [sections]: {message}"),
            });
        }
    }
    warnings
}

/// Markdown as clipped plain text, for meta descriptions.
fn plain_text(markdown: &str) -> String {
    let text = crate::markdown::render(markdown, &crate::markdown::Options::default()).summary_text;
    clip(&text, DESCRIPTION_LIMIT)
}

/// Cut plain text to at most `limit` characters, at a word boundary, marking the cut with `…`.
fn clip(text: &str, limit: usize) -> String {
    // Byte length bounds the character count, so short texts need no counting.
    if text.len() <= limit {
        return text.to_string();
    }
    // The byte offset just past the `limit - 1`th character (room for the ellipsis).
    let Some((end, _)) = text.char_indices().nth(limit.saturating_sub(1)) else {
        return text.to_string();
    };
    let cut = match text[..end].rfind(char::is_whitespace) {
        Some(space) => &text[..space],
        None => &text[..end],
    };
    let mut out = String::with_capacity(cut.len() + 3);
    out.push_str(cut.trim_end());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_at_words() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("one two three four", 10), "one two…");
        assert_eq!(clip("one two three", 13), "one two three");
        assert_eq!(clip("ééééé ééééé", 8), "ééééé…");
        assert_eq!(clip("abcdefghijkl", 5), "abcd…");
        assert!(clip(&"word ".repeat(100), 300).chars().count() <= 300);
    }
}
