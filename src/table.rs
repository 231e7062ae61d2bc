//! The route table: every page of the site once, with its URL, its output path, what renders
//! it and its `lastmod`. Rendering, the sitemap and the removal of pages a rebuild no longer
//! makes all read this one list, so they cannot disagree about which pages exist (the list of
//! pages used to be written out twice, and the archive was missing from the sitemap). Pure.

use rayon::prelude::*;

use crate::config::Config;
use crate::content::date::Date;
use crate::error::{Error, Result};
use crate::site::{Post, Site, join_url};

/// One HTML page of the site.
#[derive(Debug, Clone)]
pub struct Route {
    /// The URL path, base path included: `/blog/posts/x/`.
    pub url: String,
    /// The file under the output folder: `posts/x/index.html`.
    pub path: String,
    pub target: Target,
    /// When what it shows last changed: the page's own update date or date, or the newest of
    /// the posts a list shows. Never the clock.
    pub lastmod: Option<Date>,
    /// Whether it belongs in the sitemap (not the 404 page or an alias's redirect).
    pub indexable: bool,
}

/// What a route shows. Indices are into the [`Site`]'s lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Page `page` (1-based) of the home list.
    Home {
        page: usize,
    },
    Post(usize),
    /// A standalone page.
    Page(usize),
    /// Page `page` of a section's list.
    Section {
        section: usize,
        page: usize,
    },
    /// The list of a taxonomy's terms.
    TaxonomyList(usize),
    Term {
        taxonomy: usize,
        term: usize,
        page: usize,
    },
    NotFound,
    /// `/archive/`, `/archive/<year>/` or `/archive/<year>/<month>/`.
    Archive {
        year: Option<usize>,
        month: Option<usize>,
    },
    /// The redirect from alias number `index` of a document to it.
    Alias {
        of: Doc,
        index: usize,
    },
    /// The redirect of `config.redirects[i]`.
    Redirect(usize),
    /// A section's list page when its `redirect_to` is set.
    SectionRedirect(usize),
    /// `/search/`, when search is on.
    Search,
}

/// A document with a URL of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Post(usize),
    Page(usize),
}

/// Pages needed to list `items` items, `per_page` to a page (at least one; `per_page` 0 puts
/// them all on one).
pub fn page_count(items: usize, per_page: usize) -> usize {
    if per_page == 0 {
        return 1;
    }
    items.div_ceil(per_page).max(1)
}

/// The items on page `page` (1-based) of a list.
pub fn page_items(items: &[usize], per_page: usize, page: usize) -> &[usize] {
    if per_page == 0 {
        return items;
    }
    let start = ((page - 1) * per_page).min(items.len());
    &items[start..(start + per_page).min(items.len())]
}

/// The URL of page `n` (1-based) of a list whose first page is at `first`. Page 1 has no
/// `/page/1/` of its own.
pub fn page_url(first: &str, n: usize) -> String {
    if n == 1 {
        first.to_string()
    } else {
        format!("{first}page/{n}/")
    }
}

/// The taxonomies that have pages: those with `render` on that have terms, and the first one
/// always (the navigation links to it).
pub fn rendered_taxonomies(site: &Site) -> impl Iterator<Item = usize> + '_ {
    site.taxonomies
        .iter()
        .enumerate()
        .filter(|(i, t)| t.config.render && (*i == 0 || !t.terms.is_empty()))
        .map(|(i, _)| i)
}

/// When a post last changed: its update date, else its date.
pub fn modified(post: &Post) -> Option<Date> {
    post.doc.updated.or(post.doc.date)
}

/// Every page of `site`, in a stable order: home, posts, pages, sections, taxonomies,
/// the 404 page, the archive, aliases.
pub fn pages(site: &Site, config: &Config) -> Result<Vec<Route>> {
    let mut routes = Vec::new();
    let base = &config.base_path;
    let newest = |list: &[usize]| list.iter().filter_map(|&i| modified(&site.posts[i])).max();
    let mut add = |url: String, target: Target, lastmod: Option<Date>, indexable: bool| {
        routes.push((url, target, lastmod, indexable));
    };
    let lists = |first: &str,
                 items: &[usize],
                 per_page: usize,
                 make: &dyn Fn(usize) -> Target,
                 add: &mut dyn FnMut(String, Target, Option<Date>, bool)| {
        for page in 1..=page_count(items.len(), per_page) {
            let shown = page_items(items, per_page, page);
            add(page_url(first, page), make(page), newest(shown), true);
        }
    };
    lists(
        &join_url(base, "/"),
        &site.home,
        config.posts_per_page,
        &|page| Target::Home { page },
        &mut add,
    );
    for (i, post) in site.posts.iter().enumerate() {
        add(post.url.clone(), Target::Post(i), modified(post), true);
    }
    for (i, page) in site.pages.iter().enumerate() {
        add(
            page.url.clone(),
            Target::Page(i),
            page.doc.updated.or(page.doc.date),
            true,
        );
    }
    for (s, section) in site.sections.iter().enumerate().skip(1) {
        if section.settings.redirect_to.is_some() {
            add(section.url.clone(), Target::SectionRedirect(s), None, false);
        } else if section.settings.render {
            lists(
                &section.url,
                &section.listed,
                section.settings.paginate_by,
                &|page| Target::Section { section: s, page },
                &mut add,
            );
        }
    }
    for t in rendered_taxonomies(site) {
        let tax = &site.taxonomies[t];
        add(tax.url.clone(), Target::TaxonomyList(t), None, true);
        for (i, term) in tax.terms.iter().enumerate() {
            lists(
                &term.url,
                &term.posts,
                tax.config.paginate_by,
                &|page| Target::Term {
                    taxonomy: t,
                    term: i,
                    page,
                },
                &mut add,
            );
        }
    }
    add(join_url(base, "/404.html"), Target::NotFound, None, false);
    if config.search.enabled {
        // A page of results is nothing for a search engine to list.
        add(
            join_url(base, &format!("/{}/", crate::search::FOLDER)),
            Target::Search,
            None,
            false,
        );
    }
    let all: Vec<usize> = site
        .archive
        .iter()
        .flat_map(|y| y.months.iter().flat_map(|m| m.posts.iter().copied()))
        .collect();
    add(
        join_url(base, "/archive/"),
        Target::Archive {
            year: None,
            month: None,
        },
        newest(&all),
        true,
    );
    for (y, year) in site.archive.iter().enumerate() {
        let in_year: Vec<usize> = year
            .months
            .iter()
            .flat_map(|m| m.posts.iter().copied())
            .collect();
        add(
            year.url.clone(),
            Target::Archive {
                year: Some(y),
                month: None,
            },
            newest(&in_year),
            true,
        );
        for (m, month) in year.months.iter().enumerate() {
            add(
                month.url.clone(),
                Target::Archive {
                    year: Some(y),
                    month: Some(m),
                },
                newest(&month.posts),
                true,
            );
        }
    }
    let docs = site
        .posts
        .iter()
        .enumerate()
        .map(|(i, p)| (Doc::Post(i), &p.doc, &p.url))
        .chain(
            site.pages
                .iter()
                .enumerate()
                .map(|(i, p)| (Doc::Page(i), &p.doc, &p.url)),
        );
    for (of, doc, url) in docs {
        for (index, alias) in doc.aliases.iter().enumerate() {
            // Validated when the site was assembled; an alias of the page's own URL (Zola
            // lets the page win) has nothing to redirect.
            if let Ok(from) = crate::site::alias_url(config, alias)
                && from != *url
            {
                add(from, Target::Alias { of, index }, None, false);
            }
        }
    }
    for (i, redirect) in config.redirects.iter().enumerate() {
        add(
            join_url(&config.base_path, &redirect.from),
            Target::Redirect(i),
            None,
            false,
        );
    }
    // The output paths are checked in parallel: the only work here that grows with the posts.
    routes
        .into_par_iter()
        .map(|(url, target, lastmod, indexable)| {
            let path =
                crate::routes::output_path(base, &url).map_err(|problem| Error::UnsafePath {
                    path: url.clone(),
                    problem,
                })?;
            Ok(Route {
                url,
                path,
                target,
                lastmod,
                indexable,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_counts_and_items() {
        assert_eq!(page_count(0, 10), 1);
        assert_eq!(page_count(10, 10), 1);
        assert_eq!(page_count(11, 10), 2);
        assert_eq!(page_count(11, 0), 1);
        let items: Vec<usize> = (0..11).collect();
        assert_eq!(page_items(&items, 10, 2), &[10]);
        assert_eq!(page_items(&items, 0, 1).len(), 11);
    }

    #[test]
    fn pagination_urls() {
        assert_eq!(page_url("/tags/x/", 1), "/tags/x/");
        assert_eq!(page_url("/tags/x/", 3), "/tags/x/page/3/");
    }
}
