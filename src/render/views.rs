//! What templates see: small borrowed view structs, serialized once per page. Documented in
//! README ("Templates"); a field added here is a field documented there.

use serde::Serialize;

use crate::config::{BreakingNews, Config};
use crate::content::ImageRef;
use crate::markdown::TocEntry;
use crate::site::{Post, Section, Site, Taxonomy, Term};

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub tagline: &'a str,
    pub description: &'a str,
    pub description_html: String,
    pub author: &'a str,
    pub disclaimer: Option<&'a str>,
    pub disclaimer_html: Option<String>,
    pub base_url: &'a str,
    pub base_path: &'a str,
    /// The search page's URL, when search is on.
    pub search: Option<String>,
    pub language: &'a str,
    pub breaking_news: Option<BreakingNews>,
    pub extra: &'a toml::Table,
}

#[derive(Serialize)]
pub struct NavItem<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub active: bool,
}

#[derive(Serialize, Clone)]
pub struct PostLink<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub date: Option<String>,
}

#[derive(Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub url: &'a str,
    pub count: usize,
}

#[derive(Serialize)]
pub struct TermLink<'a> {
    pub name: &'a str,
    pub url: &'a str,
}

#[derive(Serialize)]
pub struct ImageView<'a> {
    pub src: &'a str,
    /// `src` as an absolute URL, for feeds and link previews.
    pub url: String,
    pub alt: &'a str,
    pub caption: Option<&'a str>,
}

#[derive(Serialize)]
pub struct PostSummary<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub permalink: String,
    pub date: Option<String>,
    pub updated: Option<String>,
    pub author: &'a str,
    /// The author's page, when the site has an `authors` taxonomy listing the author.
    pub author_url: Option<&'a str>,
    pub summary_html: &'a str,
    pub image: Option<ImageView<'a>>,
    pub tags: Vec<TermLink<'a>>,
    pub reading_time: usize,
    pub word_count: usize,
}

/// A post page's `post`: the summary, the content, and the rest. Split so a fingerprint can
/// be made from the summary's fingerprint, the content's and the rest's, without serializing
/// the content again.
#[derive(Serialize)]
pub struct PostView<'a, 'b> {
    #[serde(flatten)]
    pub summary: &'b PostSummary<'a>,
    pub content: &'a str,
    /// The h2 and h3 headings, nested (`markdown::toc`). Derived from the content (the
    /// headings and their ids are in it), so the content's fingerprint covers it.
    pub toc: Vec<TocEntry<'a>>,
    /// How many entries `toc` has at every depth: the default theme shows a table of contents
    /// from 3.
    pub toc_count: usize,
    #[serde(flatten)]
    pub rest: PostRest<'a>,
}

#[derive(Serialize)]
pub struct PostRest<'a> {
    pub slug: &'a str,
    pub categories: Vec<TermLink<'a>>,
    /// Every taxonomy's terms on this post, by taxonomy name (`post.taxonomies.authors`).
    pub taxonomies: std::collections::BTreeMap<&'a str, Vec<TermLink<'a>>>,
    /// The section the post is in.
    pub section: SectionLink<'a>,
    /// When the site has a `series` taxonomy and the post is in one: where it stands in it.
    pub series: Option<SeriesView<'a>>,
    pub extra: &'a serde_json::Map<String, serde_json::Value>,
}

/// A post's place in its series: "part `part` of `total`", with every part in reading order.
#[derive(Serialize)]
pub struct SeriesView<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub part: usize,
    pub total: usize,
    pub parts: Vec<SeriesPart<'a>>,
}

#[derive(Serialize)]
pub struct SeriesPart<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub current: bool,
}

/// A section named and linked: a post's section, a section's subsections and ancestors.
#[derive(Serialize, Clone)]
pub struct SectionLink<'a> {
    pub title: &'a str,
    pub url: &'a str,
    /// Its folder under `content/`: `news/world`.
    pub path: &'a str,
}

/// A section's list page's `section`, and what `get_section` gives.
#[derive(Serialize)]
pub struct SectionView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub path: &'a str,
    pub description: Option<&'a str>,
    /// The body of its `_index.md`, as HTML.
    pub content: &'a str,
    pub extra: Option<&'a serde_json::Map<String, serde_json::Value>>,
    /// How many posts its list shows.
    pub count: usize,
    pub subsections: Vec<SectionLink<'a>>,
    /// The sections above it, the top first (the top of `content/` left out).
    pub ancestors: Vec<SectionLink<'a>>,
    pub settings: &'a crate::site::Settings,
}

#[derive(Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub content: &'a str,
    pub extra: &'a serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Paginator {
    pub current: usize,
    pub total_pages: usize,
    pub total_items: usize,
    pub previous_url: Option<String>,
    pub next_url: Option<String>,
    pub first_url: String,
    pub last_url: String,
}

impl Paginator {
    /// Page `current` (1-based) of a list whose first page is at `first`.
    pub fn new(first: &str, current: usize, total_pages: usize, total_items: usize) -> Self {
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
}

use crate::table::page_url;

#[derive(Serialize)]
pub struct TaxonomyView<'a> {
    pub name: &'a str,
    /// From the theme's translations (`taxonomy_<name>`), else the name capitalized.
    pub title: String,
    /// The name inside a sentence (`taxonomy_<name>_in_text`), else the name.
    pub title_in_text: String,
    pub url: &'a str,
}

impl<'a> TaxonomyView<'a> {
    pub fn new(tax: &'a Taxonomy, words: &super::Translations) -> Self {
        TaxonomyView {
            name: &tax.name,
            title: words.taxonomy_title(&tax.name),
            title_in_text: words.taxonomy_in_text(&tax.name),
            url: &tax.url,
        }
    }
}

impl<'a> PostLink<'a> {
    pub fn new(post: &'a Post) -> Self {
        PostLink {
            title: &post.doc.title,
            url: &post.url,
            date: post.doc.date_rfc3339.clone(),
        }
    }
}

impl<'a> TermView<'a> {
    pub fn new(term: &'a Term) -> Self {
        TermView {
            name: &term.name,
            slug: &term.slug,
            url: &term.url,
            count: term.posts.len(),
        }
    }
}

/// Builds the views that need the whole site (term names) or the config (author fallback).
pub struct Views<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
}

impl<'a> Views<'a> {
    pub fn terms(&self, tax: &'a Taxonomy, ids: &[usize]) -> Vec<TermLink<'a>> {
        ids.iter()
            .map(|&i| TermLink {
                name: &tax.terms[i].name,
                url: &tax.terms[i].url,
            })
            .collect()
    }

    /// `date` is the post's date already formatted (it is also needed for the post link).
    pub fn summary(&self, post: &'a Post, date: Option<String>) -> PostSummary<'a> {
        // The byline: the post's `author`, else the first of its `authors`, else the site's.
        let authors = self.site.taxonomy("authors").map(|tax| {
            let ids = post.terms_in(self.site, "authors");
            (tax, ids)
        });
        let first_author = authors
            .as_ref()
            .and_then(|(tax, ids)| ids.first().map(|&t| &tax.terms[t]));
        let author = post
            .doc
            .author
            .as_deref()
            .or(first_author.map(|t| t.name.as_str()))
            .unwrap_or(&self.config.author);
        let author_url = authors.and_then(|(tax, ids)| {
            let key = crate::content::term_key(author);
            let term = ids
                .iter()
                .map(|&t| &tax.terms[t])
                .find(|t| crate::content::term_key(&t.name) == key)?;
            tax.config.render.then_some(term.url.as_str())
        });
        PostSummary {
            title: &post.doc.title,
            url: &post.url,
            permalink: self.config.absolute(&post.url),
            date,
            updated: post.doc.updated.map(|d| d.to_rfc3339()),
            author,
            author_url,
            summary_html: &post.rendered.summary_html,
            image: post.image.as_ref().map(|img| image(img, self.config)),
            tags: self.terms_named(post, "tags"),
            reading_time: post.reading_time,
            word_count: post.rendered.word_count,
        }
    }

    /// The post's terms in the taxonomy `name` (none when the site has no such taxonomy).
    fn terms_named(&self, post: &'a Post, name: &str) -> Vec<TermLink<'a>> {
        match self.site.taxonomy(name) {
            Some(tax) => self.terms(tax, post.terms_in(self.site, name)),
            None => Vec::new(),
        }
    }

    /// `me` is the post's index in `Site::posts`.
    pub fn post_rest(&self, post: &'a Post, me: usize) -> PostRest<'a> {
        let section = &self.site.sections[post.section];
        PostRest {
            slug: &post.doc.slug,
            categories: self.terms_named(post, "categories"),
            taxonomies: self
                .site
                .taxonomies
                .iter()
                .zip(&post.terms)
                .map(|(tax, ids)| (tax.name.as_str(), self.terms(tax, ids)))
                .collect(),
            section: link(section),
            series: self.series(post, me),
            extra: &post.doc.extra,
        }
    }

    /// The post's first series, when the site has a `series` taxonomy.
    fn series(&self, post: &'a Post, me: usize) -> Option<SeriesView<'a>> {
        let tax = self.site.taxonomy("series")?;
        let term = &tax.terms[*post.terms_in(self.site, "series").first()?];
        Some(SeriesView {
            name: &term.name,
            url: &term.url,
            part: term.posts.iter().position(|&p| p == me)? + 1,
            total: term.posts.len(),
            parts: term
                .posts
                .iter()
                .map(|&p| SeriesPart {
                    title: &self.site.posts[p].doc.title,
                    url: &self.site.posts[p].url,
                    current: p == me,
                })
                .collect(),
        })
    }

    pub fn section(&self, section: &'a Section) -> SectionView<'a> {
        let sections = &self.site.sections;
        let mut ancestors = Vec::new();
        let mut up = section.parent;
        while let Some(p) = up.filter(|&p| p != 0) {
            ancestors.push(link(&sections[p]));
            up = sections[p].parent;
        }
        ancestors.reverse();
        let doc = section.doc.as_deref();
        SectionView {
            title: &section.title,
            url: &section.url,
            path: &section.path,
            description: doc.and_then(|d| d.description.as_deref()),
            content: section.rendered.as_ref().map_or("", |r| r.html.as_str()),
            extra: doc.map(|d| &d.extra),
            count: section.listed.len(),
            subsections: section
                .subsections
                .iter()
                .map(|&c| link(&sections[c]))
                .collect(),
            ancestors,
            settings: &section.settings,
        }
    }
}

fn link(section: &Section) -> SectionLink<'_> {
    SectionLink {
        title: &section.title,
        url: &section.url,
        path: &section.path,
    }
}

impl<'a> Views<'a> {}

fn image<'a>(img: &'a ImageRef, config: &Config) -> ImageView<'a> {
    let url = if img.src.starts_with('/') && !img.src.starts_with("//") {
        config.absolute(&img.src)
    } else {
        img.src.clone()
    };
    ImageView {
        src: &img.src,
        url,
        alt: img.alt.as_deref().unwrap_or(""),
        caption: img.caption.as_deref(),
    }
}

/// `BlogPosting` structured data for a post, as JSON safe inside a `<script>` element: `<`, `>`
/// and `&` are written as `\u003c`, `\u003e`, `\u0026` (so a `</script>` in a title cannot end
/// the element), and so are the line separators JavaScript parsers dislike.
pub fn json_ld(post: &PostSummary, config: &Config) -> String {
    let value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "url": post.permalink,
        "mainEntityOfPage": post.permalink,
        "datePublished": post.date,
        "dateModified": post.updated.as_ref().or(post.date.as_ref()),
        "author": { "@type": "Person", "name": post.author },
        "publisher": { "@type": "Organization", "name": config.title },
        "image": post.image.as_ref().map(|i| &i.url),
        "keywords": post.tags.iter().map(|t| t.name).collect::<Vec<_>>(),
    });
    let json = value.to_string();
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_urls() {
        let p = Paginator::new("/tags/x/", 2, 3, 25);
        assert_eq!(p.previous_url.as_deref(), Some("/tags/x/"));
        assert_eq!(p.next_url.as_deref(), Some("/tags/x/page/3/"));
        assert_eq!(p.last_url, "/tags/x/page/3/");
        let first = Paginator::new("/", 1, 1, 3);
        assert_eq!((first.previous_url, first.next_url), (None, None));
    }
}
