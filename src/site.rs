//! The site model: which documents are published, the tree of sections, every document's URL,
//! posts sorted newest first and in each section's own order, the taxonomies the config names
//! with unique ASCII slugs, and the archive. Pure: no I/O. Posts, sections and terms refer to
//! each other by index, never by reference.

use std::collections::HashSet;

use foldhash::HashMap;
use foldhash::HashMapExt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;

use crate::config::{Config, HomeSection, Permalink, SortBy, TaxonomyConfig, TermOrder};
use crate::content::{Document, ImageRef, Kind, content_path};
use crate::error::{Diagnostic, Error, Result};
use crate::fingerprint;
use crate::markdown::{self, ContentLinks, Rendered};

/// Reading speed used for `reading_time`, in words per minute.
const WORDS_PER_MINUTE: usize = 200;

#[derive(Debug)]
pub struct Site {
    /// The pages of every section ("posts"), newest first.
    pub posts: Vec<Post>,
    /// The standalone pages at the top of `content/`, by `weight`, then title.
    pub pages: Vec<Page>,
    /// Every section: the top of `content/` first, then by path (a parent before its
    /// children).
    pub sections: Vec<Section>,
    /// As `config.taxonomies` lists them.
    pub taxonomies: Vec<Taxonomy>,
    /// Dated posts by year and month, newest first.
    pub archive: Vec<ArchiveYear>,
    /// What the home page lists (indices into `posts`, in the home section's order).
    pub home: Vec<usize>,
}

impl Site {
    /// The taxonomy called `name`, if the site has it.
    pub fn taxonomy(&self, name: &str) -> Option<&Taxonomy> {
        self.taxonomies.iter().find(|t| t.name == name)
    }
}

/// A folder under `content/`, with the settings of its `_index.md` (or the defaults).
#[derive(Debug)]
pub struct Section {
    /// Under `content/`, `/`-separated: `""` for the top, `posts`, `news/world`.
    pub path: String,
    /// Its `_index.md`, when it has one.
    pub doc: Option<Arc<Document>>,
    pub title: String,
    /// `/news/world/` under the base path (the home page's URL for the top).
    pub url: String,
    /// The body of its `_index.md`.
    pub rendered: Option<Arc<Rendered>>,
    pub settings: Settings,
    pub weight: i64,
    pub parent: Option<usize>,
    /// Child sections, by weight, then title.
    pub subsections: Vec<usize>,
    /// Its own pages (indices into `Site::posts`), in its order.
    pub pages: Vec<usize>,
    /// What its list shows: its pages and those of its transparent subsections, in its order.
    pub listed: Vec<usize>,
    /// Hidden: it or a section above it is a draft (and drafts are not built).
    pub draft: bool,
    /// The URL path of its pages' default permalinks: `/news/world/` (without the base path).
    own_path: String,
}

/// A section's settings with every default applied.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Settings {
    pub sort_by: SortBy,
    /// Posts per list page; 0 lists them all on one.
    pub paginate_by: usize,
    pub template: String,
    pub page_template: String,
    #[serde(skip)]
    pub permalink: Option<Permalink>,
    pub feed: bool,
    pub render: bool,
    pub transparent: bool,
    /// The list page is a redirect to this site path or URL instead (Zola's `redirect_to`).
    pub redirect_to: Option<String>,
    /// Links from headings to themselves in this section's documents.
    pub anchor_links: markdown::AnchorLinks,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ArchiveYear {
    pub year: i32,
    /// `/archive/2026/` under the base path.
    pub url: String,
    /// Newest month first; only months with posts.
    pub months: Vec<ArchiveMonth>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ArchiveMonth {
    pub month: u32,
    pub url: String,
    /// Indices into `Site::posts`, newest first.
    pub posts: Vec<usize>,
}

/// What [`Site::assemble_with`] remembers between builds.
#[derive(Debug, Default)]
pub struct Memo {
    /// Key of the URLs (with their sources and aliases) last found free of clashes.
    urls: Option<u64>,
    /// The content links map, with the key of the URLs it was made from.
    content_links: Option<(u64, Arc<ContentLinks>)>,
    /// Key of the posts' order and terms, with the taxonomies built from them.
    taxonomies: Option<(u64, Taxonomies)>,
    /// Each document's rendered Markdown, by source path, with what it was rendered from.
    rendered: std::sync::Mutex<HashMap<std::path::PathBuf, Rendering>>,
}

/// A document's Markdown rendering and its key: the document's hash, the reserved ids, the
/// link base and the base path.
#[derive(Debug)]
struct Rendering {
    hash: u64,
    /// Fingerprint of the ids heading ids avoid.
    reserved: u64,
    link_base: Option<String>,
    base_path: String,
    anchors: markdown::AnchorLinks,
    /// The page's URL, which shortcodes may show (`page.permalink`): part of the key only
    /// when the document has shortcodes.
    url: String,
    rendered: Arc<Rendered>,
}

/// Each taxonomy with every post's term indices.
type Taxonomies = Vec<(Taxonomy, Vec<Vec<usize>>)>;

/// Group posts (newest first) by the year and month of their date, in their own time zone.
fn build_archive(base_path: &str, posts: &[Post]) -> Vec<ArchiveYear> {
    use chrono::Datelike;
    let mut years: Vec<ArchiveYear> = Vec::new();
    for (i, post) in posts.iter().enumerate() {
        let Some(date) = post.doc.date else { continue };
        let (y, m) = (date.year(), date.month());
        if years.last().is_none_or(|last| last.year != y) {
            years.push(ArchiveYear {
                year: y,
                url: join_url(base_path, &format!("/archive/{y:04}/")),
                months: Vec::new(),
            });
        }
        let year = years.last_mut().expect("pushed above");
        if year.months.last().is_none_or(|last| last.month != m) {
            year.months.push(ArchiveMonth {
                month: m,
                url: join_url(base_path, &format!("/archive/{y:04}/{m:02}/")),
                posts: Vec::new(),
            });
        }
        year.months.last_mut().expect("pushed above").posts.push(i);
    }
    years
}

#[derive(Debug)]
pub struct Post {
    pub doc: Arc<Document>,
    /// URL path including the base path, e.g. `/blog/posts/hello/`.
    pub url: String,
    pub rendered: Arc<Rendered>,
    /// Lead image with its `src` resolved for bundles and the base path.
    pub image: Option<ImageRef>,
    pub reading_time: usize,
    /// Per taxonomy (as `Site::taxonomies`), indices into its terms, in the order written.
    pub terms: Vec<Vec<usize>>,
    /// Index into `Site::sections`.
    pub section: usize,
    /// Its neighbours in its section's order: the one after it (older, for a section sorted
    /// by date) and the one before it.
    pub previous: Option<usize>,
    pub next: Option<usize>,
}

impl Post {
    /// Its term indices in the taxonomy `name` of `site`.
    pub fn terms_in<'s>(&'s self, site: &Site, name: &str) -> &'s [usize] {
        site.taxonomies
            .iter()
            .position(|t| t.name == name)
            .and_then(|i| self.terms.get(i))
            .map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug)]
pub struct Page {
    pub doc: Arc<Document>,
    pub url: String,
    pub rendered: Arc<Rendered>,
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// `tags`, `authors`…: the front matter key and the URL segment.
    pub name: String,
    pub url: String,
    /// Sorted by slug.
    pub terms: Vec<Term>,
    pub config: TaxonomyConfig,
}

#[derive(Debug, Clone)]
pub struct Term {
    /// The first spelling seen, oldest post first.
    pub name: String,
    pub slug: String,
    pub url: String,
    /// Indices into `Site::posts`, in the taxonomy's order (newest first by default).
    pub posts: Vec<usize>,
}

/// What to publish.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// Include drafts and posts dated in the future.
    pub drafts: bool,
    /// The moment that decides what is "in the future".
    pub now: DateTime<FixedOffset>,
    /// Let each document's Markdown source go once it is rendered (see
    /// [`crate::content::Body::release`]), for a build that will not run again.
    pub release_sources: bool,
    /// Element ids the theme writes around post content (`Theme::ids`): generated heading ids
    /// avoid them, so a post titled "Main" cannot break the skip link.
    pub reserved_ids: &'a [&'a str],
    /// The templates that render shortcodes (the theme's); `None` leaves them as written.
    pub shortcodes: Option<&'a dyn markdown::shortcode::Templates>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("drafts", &self.drafts)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// Join the base path (`/` or `/blog/`) and a site path starting with `/`.
pub fn join_url(base_path: &str, path: &str) -> String {
    format!("{}{}", base_path.trim_end_matches('/'), path)
}

/// Where a document is rendered: its URL, the URL its relative links resolve against (a
/// bundle's), and its section's heading links.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub url: &'a str,
    pub link_base: Option<&'a str>,
    pub anchors: markdown::AnchorLinks,
}

/// A document's Markdown rendered as it appears at `link_base` (a bundle post's URL, for its
/// relative links), with its front matter `summary` replacing the derived one. Remembered in
/// `memo`: a rebuild reuses it unless the file (hence the document's hash), the URL, the
/// base path (put in front of root-relative links) or the theme's ids (which heading ids
/// avoid) changed, or a content link (`@/posts/x.md`) in it now leads elsewhere.
pub fn render_markdown(
    memo: &Memo,
    config: &Config,
    doc: &Document,
    at: Placement,
    content_links: Option<&ContentLinks>,
    options: &Options,
) -> Arc<Rendered> {
    let Placement {
        url,
        link_base,
        anchors,
    } = at;
    let base_path = config.base_path.as_str();
    let reserved = crate::fingerprint::of(&options.reserved_ids);
    let cache = || memo.rendered.lock().unwrap_or_else(|e| e.into_inner());
    // Shortcodes read templates and the page's URL: a change to either renders it again.
    let shortcodes_agree = |r: &Rendered, old_url: &str| {
        r.shortcodes.is_empty()
            || (old_url == url
                && options
                    .shortcodes
                    .is_some_and(|t| r.shortcodes.iter().all(|(key, v)| t.version(key) == *v)))
    };
    if let Some(r) = cache().get(&doc.source)
        && r.hash == doc.hash
        && r.reserved == reserved
        && r.link_base.as_deref() == link_base
        && r.base_path == base_path
        && r.anchors == anchors
        && r.rendered.content_links_agree(content_links)
        && shortcodes_agree(&r.rendered, &r.url)
    {
        return Arc::clone(&r.rendered);
    }
    // What shortcodes see, made only for a document that may have one: every other
    // document (nearly all of a large blog) is rendered without these allocations.
    let may_have = |text: &str| markdown::shortcode::may_have(text);
    let wanted = options.shortcodes.is_some()
        && (doc.body.with(may_have) || doc.summary.as_deref().is_some_and(may_have));
    let page = wanted.then(|| shortcode_page(config, doc, url));
    let site = markdown::shortcode::SiteInfo {
        base_url: &config.base_url,
        base_path,
        title: &config.title,
        description: &config.description,
        author: &config.author,
        extra: Some(&config.extra),
    };
    let env = options
        .shortcodes
        .zip(page.as_ref())
        .map(|(templates, page)| markdown::shortcode::Env {
            templates,
            page,
            site: &site,
            content_links,
        });
    let md = markdown::Options {
        link_base,
        base_path: Some(base_path),
        reserved_ids: options.reserved_ids,
        content_links,
        shortcodes: env.as_ref(),
        anchors,
    };
    let mut rendered = doc.body.with(|body| markdown::render(body, &md));
    if options.release_sources {
        doc.body.release();
    }
    if let Some(summary) = &doc.summary {
        let own = markdown::render(summary, &md);
        rendered.summary_html = own.html;
        rendered.summary_text = own.summary_text;
    }
    let rendered = Arc::new(rendered);
    // A build that will not run again has no use for what it would remember.
    if options.release_sources {
        return rendered;
    }
    cache().insert(
        doc.source.clone(),
        Rendering {
            hash: doc.hash,
            reserved,
            link_base: link_base.map(str::to_owned),
            base_path: base_path.to_owned(),
            anchors,
            url: url.to_owned(),
            rendered: Arc::clone(&rendered),
        },
    );
    rendered
}

/// A document as shortcodes and Liquid see it (`page.title`, Zola's `page.path`).
fn shortcode_page<'d>(
    config: &Config,
    doc: &'d Document,
    url: &str,
) -> markdown::shortcode::PageInfo<'d> {
    let relative_path = content_path(&doc.source);
    markdown::shortcode::PageInfo {
        title: &doc.title,
        description: doc.description.as_deref(),
        date: doc.date_rfc3339.clone(),
        slug: &doc.slug,
        url: url.to_string(),
        permalink: config.absolute(url),
        path: format!(
            "/{}",
            url.strip_prefix(config.base_path.as_str())
                .unwrap_or(url)
                .trim_start_matches('/')
        ),
        colocated_path: doc.is_bundle.then(|| {
            format!(
                "{}/",
                relative_path
                    .trim_end_matches("index.md")
                    .trim_end_matches('/')
            )
        }),
        relative_path,
        extra: Some(&doc.extra),
    }
}

impl Site {
    /// Assemble the model from every parsed document. Markdown is rendered once per document
    /// (see [`render_markdown`]); everything else here is cheap and recomputed on every build.
    pub fn assemble(
        config: &Config,
        documents: &[Arc<Document>],
        options: &Options,
    ) -> Result<Site> {
        Site::assemble_with(config, documents, options, &mut Memo::default())
    }

    /// [`Site::assemble`], remembering in `memo` the results of the steps whose inputs did not
    /// change since the last call (the URL check, the taxonomies), as a rebuild does.
    pub fn assemble_with(
        config: &Config,
        documents: &[Arc<Document>],
        options: &Options,
        memo: &mut Memo,
    ) -> Result<Site> {
        let mut errors = Vec::new();
        let base = &config.base_path;
        let mut sections = build_sections(config, documents, options);
        let section_index: HashMap<String, usize> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.path.clone(), i))
            .collect();
        let hidden: Vec<bool> = sections.iter().map(|s| s.draft).collect();
        let (posts, pages): (Vec<&Arc<Document>>, Vec<&Arc<Document>>) = documents
            .iter()
            .filter(|d| d.kind != Kind::Section)
            .filter(|d| {
                options.drafts
                    || (!d.draft
                        && d.date.is_none_or(|dt| dt <= options.now)
                        && d.expires.is_none_or(|e| e > options.now))
            })
            .filter(|d| {
                d.kind == Kind::Page
                    || section_index
                        .get(d.section.as_str())
                        .is_some_and(|&s| !hidden[s])
            })
            .partition(|d| d.kind == Kind::Post);

        let urls: Vec<Result<(&Arc<Document>, String, usize)>> = posts
            .into_par_iter()
            .map(|doc| {
                let section = section_index[doc.section.as_str()];
                if let Some(path) = &doc.path {
                    return Ok((doc, join_url(base, path), section));
                }
                let s = &sections[section];
                let Some(permalink) = &s.settings.permalink else {
                    let own = format!("{}{}/", s.own_path, doc.slug);
                    return Ok((doc, join_url(base, &own), section));
                };
                let date = doc.date.map(|d| {
                    use chrono::Datelike;
                    (d.year(), d.month(), d.day())
                });
                if date.is_none() && permalink.uses_date() {
                    return Err(Error::Source(Diagnostic::new(
                        &doc.source,
                        "the permalink uses the date but this post has none: add `date = 2024-05-01` \
                         to the front matter or name the file `2024-05-01-name.md`",
                    )));
                }
                Ok((doc, join_url(base, &permalink.expand(&doc.slug, date)), section))
            })
            .collect();
        let mut posts = Vec::with_capacity(urls.len());
        for r in urls {
            match r {
                Ok(p) => posts.push(p),
                Err(e) => errors.push(e),
            }
        }
        let pages: Vec<(&Arc<Document>, String)> = pages
            .into_iter()
            .map(|doc| {
                let path = doc
                    .path
                    .clone()
                    .unwrap_or_else(|| format!("/{}/", doc.slug));
                (doc, join_url(base, &path))
            })
            .collect();

        // The URL check reads posts in scan order; sorting and taxonomies run beside it. Each
        // is skipped when its inputs are those of the last successful call.
        let url_key = {
            let mut parts = vec![fingerprint::of(&config.base_path)];
            parts.push(fingerprint::of(
                &config
                    .taxonomies
                    .iter()
                    .map(|t| &t.name)
                    .collect::<Vec<_>>(),
            ));
            for s in &sections {
                let source = s.doc.as_ref().map(|d| &d.source);
                parts.push(fingerprint::of(&(&s.url, source, s.settings.render)));
            }
            for (doc, url) in posts
                .iter()
                .map(|(d, u, _)| (d, u))
                .chain(pages.iter().map(|(d, u)| (d, u)))
            {
                parts.push(fingerprint::of(&(url, &doc.source, &doc.aliases)));
            }
            fingerprint::combine(&parts)
        };
        let urls_known_good = memo.urls == Some(url_key);
        let mut url_errors = Vec::new();
        let (_, (order, taxonomies)) = rayon::join(
            || {
                if !urls_known_good {
                    check_unique_urls(config, &sections, &posts, &pages, &mut url_errors)
                }
            },
            || {
                // Newest first; ties broken by title and then path so the order never
                // depends on the file system.
                let mut order: Vec<usize> = (0..posts.len()).collect();
                order.par_sort_by(|&a, &b| {
                    let (a, b) = (posts[a].0, posts[b].0);
                    b.date
                        .cmp(&a.date)
                        .then_with(|| a.title.cmp(&b.title))
                        .then_with(|| a.source.cmp(&b.source))
                });
                let docs: Vec<&Document> = order.iter().map(|&i| &**posts[i].0).collect();
                let mut parts = vec![
                    fingerprint::of(&config.base_path),
                    fingerprint::of(&config.taxonomies),
                ];
                parts.extend(docs.iter().map(|d| d.terms_fingerprint));
                let key = fingerprint::combine(&parts);
                if let Some((k, cached)) = &memo.taxonomies
                    && *k == key
                {
                    return (order, (cached.clone(), Vec::new(), key));
                }
                let mut errors = Vec::new();
                let taxonomies = config
                    .taxonomies
                    .iter()
                    .enumerate()
                    .map(|(t, tc)| build_taxonomy(config, tc, &docs, |d| &d.terms[t], &mut errors))
                    .collect();
                (order, (taxonomies, errors, key))
            },
        );
        let (taxonomies, tax_errors, tax_key) = taxonomies;
        errors.extend(url_errors);
        errors.extend(tax_errors);
        if let Some(e) = Error::from_many(errors) {
            return Err(e);
        }
        memo.urls = Some(url_key);
        memo.taxonomies = Some((tax_key, taxonomies.clone()));
        let content_links = match &memo.content_links {
            Some((k, links)) if *k == url_key => Arc::clone(links),
            _ => {
                let map = posts
                    .iter()
                    .map(|(doc, url, _)| (content_path(&doc.source), url.clone()))
                    .chain(
                        pages
                            .iter()
                            .map(|(doc, url)| (content_path(&doc.source), url.clone())),
                    )
                    .chain(sections.iter().filter_map(|s| {
                        let doc = s.doc.as_ref()?;
                        Some((content_path(&doc.source), s.url.clone()))
                    }))
                    .collect();
                let links = Arc::new(ContentLinks(map));
                memo.content_links = Some((url_key, Arc::clone(&links)));
                links
            }
        };
        let content_links = Some(&*content_links);
        let (mut taxonomies, mut per_post): (Vec<Taxonomy>, Vec<Vec<Vec<usize>>>) =
            taxonomies.into_iter().unzip();
        let mut slots: Vec<Option<(&Arc<Document>, String, usize)>> =
            posts.into_iter().map(Some).collect();
        let posts: Vec<(&Arc<Document>, String, usize)> = order
            .iter()
            .map(|&i| slots[i].take().expect("each index once"))
            .collect();
        // Per post, its term indices in each taxonomy.
        let post_terms: Vec<Vec<Vec<usize>>> = (0..posts.len())
            .map(|p| {
                per_post
                    .iter_mut()
                    .map(|t| std::mem::take(&mut t[p]))
                    .collect()
            })
            .collect();
        let mut posts: Vec<Post> = posts
            .into_par_iter()
            .zip(post_terms)
            .map(|((doc, url, section), terms)| {
                let link_base = doc.is_bundle.then_some(url.as_str());
                let anchors = sections[section].settings.anchor_links;
                let at = Placement {
                    url: &url,
                    link_base,
                    anchors,
                };
                let rendered = render_markdown(memo, config, doc, at, content_links, options);
                let image = doc.image.as_ref().map(|img| ImageRef {
                    src: resolve_src(&img.src, base, link_base),
                    ..img.clone()
                });
                let reading_time = rendered.word_count.div_ceil(WORDS_PER_MINUTE).max(1);
                Post {
                    doc: Arc::clone(doc),
                    url,
                    rendered,
                    image,
                    reading_time,
                    terms,
                    section,
                    previous: None,
                    next: None,
                }
            })
            .collect();
        for (tax, tc) in taxonomies.iter_mut().zip(&config.taxonomies) {
            for term in &mut tax.terms {
                sort_term(&mut term.posts, tc.sort_by, &posts);
            }
        }
        // Standalone pages are the top section's (Zola's root `_index.md`).
        let root_anchors = sections
            .first()
            .map(|s| s.settings.anchor_links)
            .unwrap_or_default();
        let mut pages: Vec<Page> = pages
            .into_par_iter()
            .map(|(doc, url)| Page {
                doc: Arc::clone(doc),
                rendered: render_markdown(
                    memo,
                    config,
                    doc,
                    Placement {
                        url: &url,
                        link_base: None,
                        anchors: root_anchors,
                    },
                    content_links,
                    options,
                ),
                url,
            })
            .collect();
        pages.sort_by(|a, b| {
            (a.doc.weight, &a.doc.title, &a.doc.source).cmp(&(
                b.doc.weight,
                &b.doc.title,
                &b.doc.source,
            ))
        });
        // Each section's own pages and list, in its order.
        for (i, post) in posts.iter().enumerate() {
            sections[post.section].pages.push(i);
        }
        for s in &mut sections {
            sort_pages(&mut s.pages, s.settings.sort_by, &posts);
            for (n, &p) in s.pages.iter().enumerate() {
                posts[p].previous = s.pages.get(n + 1).copied();
                posts[p].next = n.checked_sub(1).map(|m| s.pages[m]);
            }
        }
        for i in (0..sections.len()).rev() {
            let mut listed = sections[i].pages.clone();
            for &c in &sections[i].subsections {
                if sections[c].settings.transparent {
                    listed.extend_from_slice(&sections[c].listed);
                }
            }
            sort_pages(&mut listed, sections[i].settings.sort_by, &posts);
            sections[i].listed = listed;
        }
        for s in &mut sections {
            if let Some(doc) = &s.doc {
                s.rendered = Some(render_markdown(
                    memo,
                    config,
                    doc,
                    Placement {
                        url: &s.url,
                        link_base: None,
                        anchors: s.settings.anchor_links,
                    },
                    content_links,
                    options,
                ));
            }
        }
        let every_dated = || {
            (0..posts.len())
                .filter(|&p| posts[p].doc.date.is_some())
                .collect()
        };
        let home = match &config.home_section {
            HomeSection::All => every_dated(),
            HomeSection::Section(path) => match section_index.get(path.as_str()) {
                Some(&top) => {
                    let mut all: Vec<usize> = (0..posts.len())
                        .filter(|&p| is_within(&sections, posts[p].section, top))
                        .collect();
                    sort_pages(&mut all, sections[top].settings.sort_by, &posts);
                    all
                }
                // A blog without that folder (posts in year folders, Zola's `content/2017/`)
                // shows every dated page rather than nothing.
                None => every_dated(),
            },
        };
        // Renderings of documents that are gone are forgotten.
        let present: HashSet<&std::path::Path> =
            documents.iter().map(|d| d.source.as_path()).collect();
        memo.rendered
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|path, _| present.contains(path.as_path()));
        Ok(Site {
            archive: build_archive(&config.base_path, &posts),
            posts,
            pages,
            sections,
            taxonomies,
            home,
        })
    }
}

/// Whether section `s` is `top` or below it.
fn is_within(sections: &[Section], mut s: usize, top: usize) -> bool {
    loop {
        if s == top {
            return true;
        }
        match sections[s].parent {
            Some(p) => s = p,
            None => return false,
        }
    }
}

/// Sort `list` (indices into `posts`, which are newest first) in a section's order.
fn sort_pages(list: &mut [usize], by: SortBy, posts: &[Post]) {
    match by {
        // Indices follow the newest-first order already.
        SortBy::Date => list.sort_unstable(),
        SortBy::Title => list.sort_by_cached_key(|&p| {
            let doc = &posts[p].doc;
            (doc.title.to_lowercase(), doc.source.clone())
        }),
        SortBy::Weight => list.sort_by(|&a, &b| {
            let (a, b) = (&posts[a].doc, &posts[b].doc);
            (a.weight, &a.title, &a.source).cmp(&(b.weight, &b.title, &b.source))
        }),
        SortBy::Slug => list.sort_by(|&a, &b| {
            let (a, b) = (&posts[a].doc, &posts[b].doc);
            (&a.slug, &a.source).cmp(&(&b.slug, &b.source))
        }),
        SortBy::Permalink => list.sort_by(|&a, &b| posts[a].url.cmp(&posts[b].url)),
        // Stable: equal update dates keep the newest-first order.
        SortBy::Updated => {
            list.sort_unstable();
            list.sort_by(|&a, &b| {
                let updated = |p: usize| posts[p].doc.updated.or(posts[p].doc.date);
                updated(b).cmp(&updated(a))
            });
        }
        SortBy::None => list.sort_by(|&a, &b| posts[a].doc.source.cmp(&posts[b].doc.source)),
    }
}

/// Sort a term's posts (collected newest first) in its taxonomy's order.
fn sort_term(list: &mut [usize], by: TermOrder, posts: &[Post]) {
    match by {
        TermOrder::Date => list.sort_unstable(),
        TermOrder::DateAsc => list.sort_unstable_by(|a, b| b.cmp(a)),
        TermOrder::Title => sort_pages(list, SortBy::Title, posts),
    }
}

/// Every section: each folder with an `_index.md` or a page, and the folders above them; the
/// top of `content/` first, then by path. Settings resolved (the section's own, then
/// `[sections]`, then Quire's), drafts marked (a draft section hides everything below it).
fn build_sections(config: &Config, documents: &[Arc<Document>], options: &Options) -> Vec<Section> {
    let mut paths: std::collections::BTreeMap<&str, Option<&Arc<Document>>> =
        std::collections::BTreeMap::new();
    paths.insert("", None);
    for doc in documents {
        match doc.kind {
            Kind::Section => {
                paths.insert(&doc.section, Some(doc));
            }
            Kind::Post => {
                paths.entry(&doc.section).or_insert(None);
            }
            Kind::Page => {}
        }
    }
    // The folders above each section are sections too.
    let mut above = Vec::new();
    for path in paths.keys() {
        let mut p = *path;
        while let Some(cut) = p.rfind('/') {
            p = &p[..cut];
            above.push(p);
        }
    }
    for p in above {
        paths.entry(p).or_insert(None);
    }
    let home_section = match &config.home_section {
        HomeSection::Section(path) => Some(path.as_str()),
        HomeSection::All => None,
    };
    let mut built: Vec<Section> = Vec::with_capacity(paths.len());
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (path, doc) in paths {
        let parent = if path.is_empty() {
            None
        } else {
            Some(index[path.rfind('/').map_or("", |cut| &path[..cut])])
        };
        let own = doc
            .and_then(|d| d.settings.as_deref())
            .cloned()
            .unwrap_or_default();
        let defaults = &config.sections;
        let is_blog = path == "posts";
        let permalink = if is_blog {
            own.permalink
                .clone()
                .or_else(|| Some(config.permalink.clone()))
        } else {
            own.permalink
                .clone()
                .or_else(|| defaults.permalink.clone())
                .or_else(|| {
                    parent
                        .filter(|&p| p != 0)
                        .and_then(|p| built[p].settings.permalink.clone())
                })
        };
        let settings = Settings {
            sort_by: own.sort_by.or(defaults.sort_by).unwrap_or(SortBy::Date),
            paginate_by: own
                .paginate_by
                .or(defaults.paginate_by)
                .unwrap_or(config.posts_per_page),
            template: own
                .template
                .clone()
                .or_else(|| defaults.template.clone())
                .unwrap_or_else(|| "section.html".into()),
            page_template: own
                .page_template
                .clone()
                .or_else(|| defaults.page_template.clone())
                .unwrap_or_else(|| "post.html".into()),
            permalink,
            feed: own.feed.or(defaults.feed).unwrap_or(false),
            // The home page is the list of the section it shows: that section's own list
            // would repeat it page for page, so it is written only when asked for.
            render: own
                .render
                .or(defaults.render)
                .unwrap_or(Some(path) != home_section),
            transparent: own.transparent.or(defaults.transparent).unwrap_or(false),
            redirect_to: own.redirect_to.clone(),
            anchor_links: own
                .anchor_links
                .or(defaults.anchor_links)
                .unwrap_or_default(),
        };
        let own_path = if path.is_empty() {
            "/".to_string()
        } else {
            let segs: Vec<String> = path.split('/').map(crate::slugify).collect();
            format!("/{}/", segs.join("/"))
        };
        let draft = !options.drafts
            && (doc.is_some_and(|d| d.draft) || parent.is_some_and(|p| built[p].draft));
        let mut settings = settings;
        if draft {
            settings.render = false;
            settings.feed = false;
        }
        let title = match doc {
            Some(d) => d.title.clone(),
            None if path.is_empty() => config.title.clone(),
            None => crate::content::title_from_folder(path),
        };
        index.insert(path, built.len());
        built.push(Section {
            path: path.to_string(),
            doc: doc.cloned(),
            title,
            url: join_url(&config.base_path, &own_path),
            own_path,
            settings,
            weight: doc.map_or(0, |d| d.weight),
            draft,
            parent,
            subsections: Vec::new(),
            pages: Vec::new(),
            listed: Vec::new(),
            rendered: None,
        });
    }
    for i in 1..built.len() {
        if let Some(p) = built[i].parent {
            built[p].subsections.push(i);
        }
    }
    let keys: Vec<(i64, String)> = built.iter().map(|b| (b.weight, b.title.clone())).collect();
    for b in &mut built {
        b.subsections.sort_by(|&x, &y| keys[x].cmp(&keys[y]));
    }
    built
}

/// A lead image path: bundle-relative paths resolve to the post's folder, root paths get the
/// base path, absolute URLs stay.
fn resolve_src(src: &str, base_path: &str, link_base: Option<&str>) -> String {
    if src.starts_with('/') && !src.starts_with("//") {
        join_url(base_path, src)
    } else if markdown::is_relative(src) {
        match link_base {
            Some(b) => format!("{b}{}", src.strip_prefix("./").unwrap_or(src)),
            None => join_url(base_path, &format!("/{src}")),
        }
    } else {
        src.to_string()
    }
}

/// A taxonomy from the posts (newest first), and for each post its term indices in the order
/// the author wrote them. Each written name is normalized once.
fn build_taxonomy<'d>(
    config: &Config,
    taxonomy: &TaxonomyConfig,
    posts: &[&'d Document],
    terms_of: impl Fn(&'d Document) -> &'d crate::content::Terms,
    errors: &mut Vec<Error>,
) -> (Taxonomy, Vec<Vec<usize>>) {
    let name = taxonomy.name.as_str();
    // Per post: (key, written) pairs, without repeats.
    let written: Vec<Vec<(&str, &str)>> = posts
        .iter()
        .map(|doc| {
            let terms = terms_of(doc);
            let (names, keys) = (&terms.names, &terms.keys);
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            for (w, key) in names.iter().zip(keys) {
                if !pairs.iter().any(|(k, _)| k == key) {
                    pairs.push((key, w));
                }
            }
            pairs
        })
        .collect();
    // Display names: the first spelling seen, reading posts oldest first.
    let mut by_key: HashMap<&str, (String, Vec<usize>)> = HashMap::new();
    for (i, pairs) in written.iter().enumerate().rev() {
        for (key, w) in pairs {
            by_key
                .entry(key)
                .or_insert_with(|| {
                    (
                        w.split_whitespace().collect::<Vec<_>>().join(" "),
                        Vec::new(),
                    )
                })
                .1
                .push(i);
        }
    }
    let mut terms: Vec<(String, &str, String, Vec<usize>)> = Vec::with_capacity(by_key.len());
    for (key, (display, mut post_ids)) in by_key {
        // Collected oldest first; terms list posts newest first.
        post_ids.reverse();
        let slug = crate::slugify(&display);
        if slug.is_empty() {
            let doc = posts[post_ids[0]];
            errors.push(Error::Source(Diagnostic::new(
                &doc.source,
                format!("the {name} entry `{display}` has no letters or digits to make a URL from: rename it"),
            )));
            continue;
        }
        terms.push((slug, key, display, post_ids));
    }
    // Sort by slug then key so that colliding slugs get suffixes in a stable order.
    terms.sort();
    let base = join_url(&config.base_path, &format!("/{name}/"));
    let mut taken: HashSet<String> = terms.iter().map(|t| t.0.clone()).collect();
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(terms.len());
    let mut previous: Option<String> = None;
    let mut list = Vec::with_capacity(terms.len());
    for (n, (slug, key, display, post_ids)) in terms.into_iter().enumerate() {
        let slug = if previous.as_deref() == Some(slug.as_str()) {
            let mut k = 2;
            while taken.contains(&format!("{slug}-{k}")) {
                k += 1;
            }
            let unique = format!("{slug}-{k}");
            taken.insert(unique.clone());
            unique
        } else {
            previous = Some(slug.clone());
            slug
        };
        index.insert(key, n);
        list.push(Term {
            url: format!("{base}{slug}/"),
            name: display,
            slug,
            posts: post_ids,
        });
    }
    let per_post = written
        .iter()
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|(k, _)| index.get(k).copied())
                .collect()
        })
        .collect();
    let taxonomy = Taxonomy {
        name: name.to_string(),
        url: base,
        terms: list,
        config: taxonomy.clone(),
    };
    (taxonomy, per_post)
}

/// The URL path an alias redirects from: a site path under the base path (see
/// [`crate::routes::alias_path`]).
pub fn alias_url(config: &Config, alias: &str) -> Result<String, String> {
    crate::routes::alias_path(alias).map(|path| join_url(&config.base_path, &path))
}

/// URLs Quire generates itself, which no post or page may take.
fn reserved_urls(config: &Config) -> Vec<String> {
    let taxonomies = config
        .taxonomies
        .iter()
        .filter(|t| t.render)
        .map(|t| format!("/{}/", t.name));
    ["/".to_string(), "/page/".into(), "/archive/".into()]
        .into_iter()
        .chain(taxonomies)
        .map(|p| join_url(&config.base_path, &p))
        .collect()
}

fn check_unique_urls(
    config: &Config,
    sections: &[Section],
    posts: &[(&Arc<Document>, String, usize)],
    pages: &[(&Arc<Document>, String)],
    errors: &mut Vec<Error>,
) {
    let reserved = reserved_urls(config);
    // A section's list (and its `page/N/` pages) takes its URL; told as its `_index.md`, or
    // its folder when it has none.
    let mut section_urls: HashMap<&str, &Section> = HashMap::new();
    for s in sections.iter().skip(1).filter(|s| s.settings.render) {
        if reserved.contains(&s.url) {
            errors.push(Error::Source(Diagnostic::new(
                section_source(s),
                format!(
                    "the section's URL {} is one of Quire's own pages (a taxonomy or the \
                     archive): rename the folder",
                    s.url
                ),
            )));
        }
        if let Some(first) = section_urls.insert(&s.url, s) {
            errors.push(Error::Source(Diagnostic::new(
                section_source(s),
                format!(
                    "the sections `content/{}/` and `content/{}/` both have the URL {} (a \
                     section's URL is its folder's name made into a slug): rename one of the \
                     folders",
                    first.path, s.path, s.url
                ),
            )));
        }
    }
    let posts: Vec<(&Arc<Document>, String)> =
        posts.iter().map(|(d, u, _)| (*d, u.clone())).collect();
    let posts = posts.as_slice();
    // Each alias with the index of the alias in its document, for its position.
    let aliases: Vec<(&Arc<Document>, String, usize)> = posts
        .iter()
        .chain(pages)
        .flat_map(|(doc, own)| {
            doc.aliases
                .iter()
                .enumerate()
                .map(move |(i, a)| (*doc, own, a, i))
        })
        .filter_map(|(doc, own, alias, i)| match alias_url(config, alias) {
            // An alias of the page's own URL is left out (Zola lets the page win).
            Ok(url) if url == *own => None,
            Ok(url) => Some((doc, url, i)),
            Err(msg) => {
                errors.push(Error::Source(Diagnostic::new(&doc.source, msg)));
                None
            }
        })
        .collect();
    // Documents arrive in scan order (sorted by path), so "first" is stable. An alias is
    // `Some(its index)`.
    let mut seen: HashMap<&str, (&Document, Option<usize>)> = HashMap::new();
    let documents = posts.iter().chain(pages).map(|(doc, url)| (doc, url, None));
    let aliases = aliases.iter().map(|(doc, url, i)| (doc, url, Some(*i)));
    for (doc, url, alias) in documents.chain(aliases) {
        let doc_ref: &Document = doc;
        // `/page/…` and `/archive/…` are whole trees of generated pages.
        let is_tree = |r: &str| r.ends_with("/page/") || r.ends_with("/archive/");
        // An alias over a generated page is found with the page it would replace, when the
        // pages are rendered (`Claims`).
        if alias.is_none()
            && reserved
                .iter()
                .any(|r| url == r || (is_tree(r) && url.starts_with(r.as_str())))
        {
            errors.push(Error::Source(Diagnostic::new(
                &doc.source,
                format!("the URL {url} is reserved for Quire's own pages: set a different `slug`"),
            )));
            continue;
        }
        if alias.is_none()
            && let Some(section) = section_urls.get(url.as_str())
        {
            errors.push(Error::Source(Diagnostic::new(
                &doc.source,
                format!(
                    "the URL {url} is the list page of the section `content/{}/`: set a \
                     different `slug` or `path`",
                    section.path
                ),
            )));
            continue;
        }
        let Some((first, first_alias)) = seen.insert(url, (doc_ref, alias)) else {
            continue;
        };
        errors.push(match (first_alias, alias) {
            (None, None) => Error::DuplicateUrl {
                url: url.clone(),
                first: first.source.clone(),
                second: doc.source.clone(),
            },
            // Told at the alias (the second's when both are): it is the one to change.
            _ => {
                let describe = |d: &Document, alias: Option<usize>| match alias {
                    Some(_) => format!("the alias `{url}` in `{}`", d.source.display()),
                    None => format!("`{}`", d.source.display()),
                };
                let path = crate::routes::output_path(&config.base_path, url)
                    .unwrap_or_else(|_| url.clone());
                let (at, index) = match alias {
                    Some(i) => (doc_ref, i),
                    None => (first, first_alias.unwrap_or(0)),
                };
                Error::Source(
                    Diagnostic::new(
                        &at.source,
                        format!(
                            "{} and {} would both be written to {path}: change one of them",
                            describe(first, first_alias),
                            describe(doc, alias)
                        ),
                    )
                    .at(at.aliases_at.get(index).and_then(Option::as_ref)),
                )
            }
        });
    }
}

/// How messages name a section: its `_index.md`, or its folder.
pub fn section_source(s: &Section) -> std::path::PathBuf {
    match &s.doc {
        Some(d) => d.source.clone(),
        None => std::path::Path::new("content").join(&s.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::term_key;
    use std::path::Path;

    fn config() -> Config {
        Config::parse(
            "title = \"T\"\nbase_url = \"https://e.org/\"",
            Path::new("config.toml"),
        )
        .unwrap()
    }

    fn doc(path: &str, fm: &str) -> Document {
        let kind = if path.starts_with("content/posts/") {
            Kind::Post
        } else {
            Kind::Page
        };
        Document::parse(
            Path::new(path),
            kind,
            &format!("+++\n{fm}\n+++\nBody text.\n"),
        )
        .unwrap()
    }

    fn opts(drafts: bool) -> Options<'static> {
        Options {
            drafts,
            now: DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap(),
            release_sources: false,
            reserved_ids: &[],
            shortcodes: None,
        }
    }

    fn assemble(docs: Vec<Document>, options: &Options) -> Result<Site> {
        let docs: Vec<Arc<Document>> = docs.into_iter().map(Arc::new).collect();
        Site::assemble(&config(), &docs, options)
    }

    fn site(docs: Vec<Document>) -> Result<Site> {
        assemble(docs, &opts(false))
    }

    #[test]
    fn posts_are_newest_first_and_drafts_and_future_posts_left_out() {
        let docs = vec![
            doc("content/posts/a.md", "title = \"A\"\ndate = 2026-01-01"),
            doc("content/posts/b.md", "title = \"B\"\ndate = 2026-03-01"),
            doc(
                "content/posts/c.md",
                "title = \"C\"\ndate = 2026-02-01\ndraft = true",
            ),
            doc("content/posts/d.md", "title = \"D\"\ndate = 2027-01-01"),
        ];
        let s = site(docs.clone()).unwrap();
        let titles: Vec<_> = s.posts.iter().map(|p| p.doc.title.as_str()).collect();
        assert_eq!(titles, ["B", "A"]);
        let s = assemble(docs, &opts(true)).unwrap();
        assert_eq!(s.posts.len(), 4);
    }

    #[test]
    fn tags_merge_case_and_spacing_and_keep_the_first_spelling() {
        let s = site(vec![
            doc(
                "content/posts/new.md",
                "title = \"N\"\ndate = 2026-05-01\ntags = [\"central  asia\"]",
            ),
            doc(
                "content/posts/old.md",
                "title = \"O\"\ndate = 2026-01-01\ntags = [\"Central Asia\", \"Ünïcode\"]",
            ),
        ])
        .unwrap();
        let names: Vec<_> = s.taxonomies[0]
            .terms
            .iter()
            .map(|t| (t.name.as_str(), t.slug.as_str(), t.posts.len()))
            .collect();
        assert_eq!(
            names,
            [
                ("Central Asia", "central-asia", 2),
                ("Ünïcode", "unicode", 1)
            ]
        );
        assert_eq!(s.taxonomies[0].terms[0].url, "/tags/central-asia/");
        // Term post lists are newest first.
        assert_eq!(s.taxonomies[0].terms[0].posts, [0, 1]);
    }

    #[test]
    fn colliding_tag_slugs_are_made_unique() {
        let s = site(vec![doc(
            "content/posts/a.md",
            "title = \"A\"\ndate = 2026-01-01\ntags = [\"C++\", \"C#\", \"c\"]",
        )])
        .unwrap();
        let mut slugs: Vec<_> = s.taxonomies[0]
            .terms
            .iter()
            .map(|t| t.slug.as_str())
            .collect();
        slugs.sort();
        assert_eq!(slugs, ["c", "c-2", "c-3"]);
    }

    #[test]
    fn tag_without_letters_is_an_error_naming_the_file() {
        // `Document::parse` refuses such a tag itself; this is the check behind it.
        let mut q = doc("content/posts/q.md", "title = \"Q\"");
        q.terms[0] = crate::content::Terms {
            names: vec!["???".into()],
            keys: vec![term_key("???")],
        };
        let err = site(vec![q]).unwrap_err();
        assert!(err.to_string().contains("content/posts/q.md"), "{err}");
        assert!(err.to_string().contains("`???`"), "{err}");
    }

    #[test]
    fn duplicate_urls_name_both_files() {
        let err = site(vec![
            doc("content/posts/2026-01-01-same.md", "title = \"A\""),
            doc("content/posts/same.md", "title = \"B\"\ndate = 2026-01-02"),
        ])
        .unwrap_err();
        let Error::DuplicateUrl { url, first, second } = &err else {
            panic!("{err}")
        };
        assert_eq!(url, "/posts/same/");
        assert_eq!(first, Path::new("content/posts/2026-01-01-same.md"));
        assert_eq!(second, Path::new("content/posts/same.md"));
    }

    #[test]
    fn a_page_cannot_take_a_generated_url() {
        let err = site(vec![doc("content/tags.md", "title = \"Tags\"")]).unwrap_err();
        assert!(err.to_string().contains("reserved"), "{err}");
    }

    #[test]
    fn aliases_are_site_paths_and_must_not_clash() {
        let c = config();
        assert_eq!(alias_url(&c, "/old/url").unwrap(), "/old/url/");
        assert_eq!(alias_url(&c, "/old.html").unwrap(), "/old.html");
        assert_eq!(alias_url(&c, "old/").unwrap(), "/old/");
        for bad in ["../x/", "/../x/", "/", "/a?b", "/a/./b"] {
            assert!(alias_url(&c, bad).is_err(), "{bad}");
        }
        let err = site(vec![
            doc("content/posts/a.md", "title = \"A\"\ndate = 2026-01-01"),
            doc(
                "content/posts/b.md",
                "title = \"B\"\ndate = 2026-01-02\naliases = [\"/posts/a/\"]",
            ),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("/posts/a/"), "{err}");
    }

    #[test]
    fn bundle_image_and_base_path_resolve() {
        assert_eq!(
            resolve_src("lead.svg", "/", Some("/posts/b/")),
            "/posts/b/lead.svg"
        );
        assert_eq!(
            resolve_src("/images/a.svg", "/blog/", None),
            "/blog/images/a.svg"
        );
        assert_eq!(
            resolve_src("https://x.org/a.png", "/blog/", None),
            "https://x.org/a.png"
        );
    }

    #[test]
    fn archive_groups_posts_by_year_and_month_newest_first() {
        let s = site(vec![
            doc("content/posts/a.md", "title = \"A\"\ndate = 2025-12-31"),
            doc("content/posts/b.md", "title = \"B\"\ndate = 2026-01-05"),
            doc("content/posts/c.md", "title = \"C\"\ndate = 2026-01-20"),
            doc("content/posts/d.md", "title = \"D\"\ndate = 2026-03-01"),
        ])
        .unwrap();
        let shape: Vec<(i32, Vec<(u32, usize)>)> = s
            .archive
            .iter()
            .map(|y| {
                (
                    y.year,
                    y.months.iter().map(|m| (m.month, m.posts.len())).collect(),
                )
            })
            .collect();
        assert_eq!(shape, [(2026, vec![(3, 1), (1, 2)]), (2025, vec![(12, 1)])]);
        assert_eq!(s.archive[0].months[1].url, "/archive/2026/01/");
        let titles: Vec<_> = s.archive[0].months[1]
            .posts
            .iter()
            .map(|&i| s.posts[i].doc.title.as_str())
            .collect();
        assert_eq!(titles, ["C", "B"]);
    }

    #[test]
    fn reading_time_is_at_least_a_minute() {
        let s = site(vec![doc(
            "content/posts/a.md",
            "title = \"A\"\ndate = 2026-01-01",
        )])
        .unwrap();
        assert_eq!(s.posts[0].reading_time, 1);
        assert_eq!(s.posts[0].rendered.word_count, 2);
    }
}
