//! The route table (`quire::table`) is the one list of the site's pages: a build writes
//! exactly its pages plus the files that are not pages, and the sitemap lists every indexable
//! page in it.

use std::collections::BTreeSet;

use quire::{Changes, Session};

use crate::harness::*;

/// A site with every kind of page: the blog with pagination, a bundle with a file, a
/// section with a nested section and its own feed, a standalone page, tags, categories,
/// authors and a series, an alias, a static file, archive years and months.
fn every_kind_of_page() -> TestSite {
    let site = TestSite::with_config(&format!(
        "{CONFIG}posts_per_page = 2\n\
         taxonomies = [{{ name = \"tags\", feed = true }}, {{ name = \"categories\" }}, \
         {{ name = \"authors\", feed = true }}, {{ name = \"series\" }}]\n"
    ));
    for i in 1..=5 {
        site.post(
            &format!("p{i}.md"),
            &format!(
                "title = \"P{i}\"\ndate = 2025-0{i}-01\ntags = [\"t{}\"]\ncategories = [\"c\"]\n\
                 author = \"Ann Author\"\nseries = \"Run\"",
                i % 2
            ),
            "Body.",
        );
    }
    site.post(
        "trip/index.md",
        "title = \"Trip\"\ndate = 2025-06-01\naliases = [\"/old/trip/\"]",
        "![A map](map.svg)",
    )
    .write(
        "content/posts/trip/map.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .write(
        "content/news/_index.md",
        "+++\ntitle = \"News\"\nfeed = true\n+++\nThe news.",
    )
    .write(
        "content/news/n1.md",
        "+++\ntitle = \"N1\"\ndate = 2024-12-01\n+++\nNews.",
    )
    .write(
        "content/news/world/w1.md",
        "+++\ntitle = \"W1\"\ndate = 2024-11-01\n+++\nWorld.",
    )
    .write("content/about.md", "+++\ntitle = \"About\"\n+++\nAbout.")
    .write("static/files/a.txt", "a");
    site
}

#[test]
fn a_build_writes_exactly_the_table_and_the_sitemap_lists_every_indexable_page() {
    let site = every_kind_of_page();
    let mut session = Session::new(site.options());
    let dir = tempfile::tempdir().unwrap();
    session
        .build(&Changes::everything(), dir.path(), |u| {
            quire::output::apply(dir.path(), &u.outputs, &u.copies, &u.removed)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let routes = session.routes();
    let pages: BTreeSet<String> = routes.iter().map(|r| r.path.clone()).collect();
    assert_eq!(pages.len(), routes.len(), "each page once");
    let written: BTreeSet<String> = tree(dir.path()).into_iter().map(|(p, _)| p).collect();
    let expected: BTreeSet<String> = pages
        .iter()
        .cloned()
        .chain(session.files().into_iter().map(str::to_owned))
        .collect();
    assert_eq!(written, expected);
    // Every HTML file is a page of the table.
    let html: BTreeSet<&String> = written.iter().filter(|p| p.ends_with(".html")).collect();
    assert_eq!(html, pages.iter().collect());
    // Each kind of page is there.
    for path in [
        "index.html",
        "page/3/index.html",
        "posts/p1/index.html",
        "posts/trip/index.html",
        "old/trip/index.html",
        "news/index.html",
        "news/world/index.html",
        "news/world/w1/index.html",
        "about/index.html",
        "tags/t1/index.html",
        "categories/c/index.html",
        "authors/ann-author/index.html",
        "series/run/index.html",
        "archive/index.html",
        "archive/2025/index.html",
        "archive/2024/11/index.html",
        "404.html",
    ] {
        assert!(pages.contains(path), "{path} is not in the table");
    }
    for file in [
        "posts/trip/map.svg",
        "files/a.txt",
        "news/atom.xml",
        "authors/ann-author/rss.xml",
        "tags/t0/atom.xml",
        "sitemap.xml",
        "robots.txt",
    ] {
        assert!(
            session.files().contains(&file),
            "{file} is not among the files"
        );
    }

    let xml = std::fs::read_to_string(dir.path().join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let listed: BTreeSet<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .map(|loc| loc.strip_prefix("https://example.org").unwrap().to_string())
        .collect();
    let indexable: BTreeSet<String> = routes
        .iter()
        .filter(|r| r.indexable)
        .map(|r| r.url.clone())
        .collect();
    assert_eq!(listed, indexable);
    for url in [
        "/archive/",
        "/archive/2025/",
        "/archive/2025/06/",
        "/news/world/",
    ] {
        assert!(listed.contains(url), "{url} missing from the sitemap");
    }
    // The home page is the blog section's list: that list is not written again.
    assert!(!pages.contains("posts/index.html"));
    // Redirects and the 404 page are not pages to index.
    assert!(!listed.contains("/old/trip/"));
    assert!(!listed.iter().any(|u| u.contains("404")));
}
