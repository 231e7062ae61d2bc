//! Feeds, sitemap and robots.txt, read back with real parsers: `feed-rs` for Atom and RSS,
//! `roxmltree` for the sitemap.

use std::collections::BTreeSet;
use std::fs;

use feed_rs::model::{Entry, Feed};

use crate::harness::*;

const HOSTILE: &str = r#"</title><script>x</script> & "q" ]]>"#;

fn feed(built: &Built, rel: &str) -> Feed {
    let bytes = fs::read(built.out.join(rel)).unwrap_or_else(|e| panic!("{rel} missing: {e}"));
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
}

/// Both feeds at the same folder: `""` for the site's, `"tags/x/"` for a tag's.
fn both(built: &Built, dir: &str) -> [(String, Feed); 2] {
    ["atom.xml", "rss.xml"].map(|f| {
        let rel = format!("{dir}{f}");
        (rel.clone(), feed(built, &rel))
    })
}

fn titles(feed: &Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| e.title.as_ref().expect("entry title").content.clone())
        .collect()
}

fn link(entry: &Entry) -> &str {
    &entry.links.first().expect("entry link").href
}

fn numbered_posts(site: &TestSite, n: usize) {
    for i in 1..=n {
        site.post(
            &format!("p{i:02}.md"),
            &format!(
                "title = \"Post {i:02}\"\ndate = 2026-01-{i:02}T10:00:00Z\ntags = [\"{}\"]",
                if i % 2 == 0 { "Even" } else { "Odd" }
            ),
            &format!("Body of post {i}."),
        );
    }
}

#[test]
fn site_feeds_hold_the_newest_posts_up_to_feed_limit() {
    let site = TestSite::with_config(&format!("{CONFIG}feed_limit = 3\n"));
    numbered_posts(&site, 5);
    let built = site.built();
    for (name, feed) in both(&built, "") {
        assert_eq!(titles(&feed), ["Post 05", "Post 04", "Post 03"], "{name}");
        assert_eq!(feed.title.as_ref().unwrap().content, "Test Blog", "{name}");
        let links: Vec<&str> = feed.entries.iter().map(link).collect();
        assert_eq!(
            links,
            [
                "https://example.org/posts/p05/",
                "https://example.org/posts/p04/",
                "https://example.org/posts/p03/"
            ],
            "{name}"
        );
        assert!(
            feed.links.iter().any(|l| l.href == "https://example.org/"),
            "{name}: links to the home page absolutely: {:?}",
            feed.links
        );
    }
}

#[test]
fn feed_limit_defaults_to_twenty() {
    let site = TestSite::new();
    numbered_posts(&site, 25);
    let built = site.built();
    for (name, feed) in both(&built, "") {
        assert_eq!(feed.entries.len(), 20, "{name}");
        assert_eq!(titles(&feed)[19], "Post 06", "{name}");
    }
}

#[test]
fn entries_carry_author_dates_categories_and_full_content_with_absolute_links() {
    let site =
        TestSite::with_config(&CONFIG.replace("https://example.org/", "https://example.org/blog/"));
    site.post(
        "ferry.md",
        "title = \"Ferry\"\ndate = 2026-03-01T09:30:00+02:00\nupdated = 2026-03-05T12:00:00Z\n\
         author = \"Bo Writer\"\ntags = [\"Harbour\", \"Boats\"]",
        "Intro.\n\nSee [the timetable](timetable/), [about](/about/) and [notes](#notes).\n\n\
         ![A ferry](ferry.png)\n\nThe end of the *full* body.",
    );
    site.post(
        "plain.md",
        "title = \"Plain\"\ndate = 2026-02-01",
        "Plain body.",
    );
    // The links lead nowhere in this site: only how the feed writes them matters here.
    let built = site.built_unchecked();
    for (name, feed) in both(&built, "") {
        let entry = &feed.entries[0];
        assert_eq!(
            link(entry),
            "https://example.org/blog/posts/ferry/",
            "{name}"
        );
        let authors: Vec<&str> = entry
            .authors
            .iter()
            .filter_map(|p| p.name.as_deref())
            .collect();
        assert_eq!(authors, ["Bo Writer"], "{name}");
        let plain: Vec<&str> = feed.entries[1]
            .authors
            .iter()
            .filter_map(|p| p.name.as_deref())
            .collect();
        assert_eq!(
            plain,
            ["Ann Author"],
            "{name}: config author is the fallback"
        );
        let mut tags: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
        tags.sort();
        assert_eq!(tags, ["Boats", "Harbour"], "{name}");
        assert_eq!(
            entry.published.map(|d| d.to_rfc3339()),
            Some("2026-03-01T07:30:00+00:00".into()),
            "{name}"
        );

        let body = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        assert!(
            body.contains("The end of the <em>full</em> body."),
            "{name}: {body}"
        );
        for url in [
            r#"href="https://example.org/blog/posts/ferry/timetable/""#,
            // A root-relative link in the post is a path of this site: it gets the base path.
            r#"href="https://example.org/blog/about/""#,
            r##"href="https://example.org/blog/posts/ferry/#notes""##,
            r#"src="https://example.org/blog/posts/ferry/ferry.png""#,
        ] {
            assert!(body.contains(url), "{name}: {url} not in {body}");
        }
        assert!(
            !body.contains(r#"href="/"#) && !body.contains(r#"src="/"#),
            "{name}: {body}"
        );
    }
    let atom = feed(&built, "atom.xml");
    assert_eq!(
        atom.entries[0].updated.map(|d| d.to_rfc3339()),
        Some("2026-03-05T12:00:00+00:00".into())
    );
    assert_eq!(
        atom.updated.map(|d| d.to_rfc3339()),
        Some("2026-03-05T12:00:00+00:00".into()),
        "the feed was updated when its newest entry was"
    );
    // RSS dates are RFC 2822 on the wire.
    let rss = fs::read_to_string(built.out.join("rss.xml")).unwrap();
    assert!(
        rss.contains("<pubDate>Sun, 1 Mar 2026 09:30:00 +0200</pubDate>"),
        "{rss}"
    );
}

#[test]
fn bundle_images_in_feeds_are_absolute() {
    let site = TestSite::new();
    site.write(
        "content/posts/trip/index.md",
        "+++\ntitle = \"Trip\"\ndate = 2026-01-01\n+++\n![Map](map.svg)\n",
    );
    site.write(
        "content/posts/trip/map.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let built = site.built();
    for (name, feed) in both(&built, "") {
        let body = feed.entries[0]
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap();
        assert!(
            body.contains(r#"src="https://example.org/posts/trip/map.svg""#),
            "{name}: {body}"
        );
    }
}

#[test]
fn tag_feeds_hold_only_that_tags_posts() {
    let site = TestSite::with_config(&format!("{CONFIG}feed_limit = 2\n"));
    numbered_posts(&site, 5);
    let built = site.built();
    for (name, feed) in both(&built, "tags/odd/") {
        assert_eq!(titles(&feed), ["Post 05", "Post 03"], "{name}");
        assert!(
            feed.entries
                .iter()
                .all(|e| e.categories.iter().any(|c| c.term == "Odd")),
            "{name}"
        );
        assert!(
            feed.links
                .iter()
                .any(|l| l.href == "https://example.org/tags/odd/"),
            "{name}: {:?}",
            feed.links
        );
    }
    for (name, feed) in both(&built, "tags/even/") {
        assert_eq!(titles(&feed), ["Post 04", "Post 02"], "{name}");
    }
}

#[test]
fn a_hostile_title_round_trips_through_both_feeds() {
    let site = TestSite::new();
    site.post(
        "hostile.md",
        &format!("title = '''{HOSTILE}'''\ndate = 2026-01-01\ntags = ['''{HOSTILE}''']"),
        "Body with ]]> and <b>bold</b>.",
    );
    let built = site.built();
    for (name, feed) in both(&built, "") {
        assert_eq!(titles(&feed), [HOSTILE], "{name}");
        assert_eq!(feed.entries[0].categories[0].term, HOSTILE, "{name}");
        let body = feed.entries[0]
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap();
        assert!(body.contains("]]&gt; and <b>bold</b>"), "{name}: {body}");
    }
}

fn sitemap(built: &Built) -> Vec<(String, Option<String>)> {
    let text = fs::read_to_string(built.out.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    root.children()
        .filter(|n| n.has_tag_name("url"))
        .map(|url| {
            let child = |name: &str| {
                url.children()
                    .find(|c| c.has_tag_name(name))
                    .and_then(|c| c.text())
                    .map(str::to_string)
            };
            (child("loc").expect("every url has a loc"), child("lastmod"))
        })
        .collect()
}

#[test]
fn sitemap_lists_every_post_page_and_list_page_with_absolute_urls() {
    let site = TestSite::with_config(&format!("{CONFIG}posts_per_page = 2\n"));
    numbered_posts(&site, 5);
    site.write("content/about.md", "+++\ntitle = \"About\"\n+++\nAbout us.");
    let built = site.built();
    let entries = sitemap(&built);
    let locs: BTreeSet<&str> = entries.iter().map(|(l, _)| l.as_str()).collect();
    let want: BTreeSet<&str> = [
        "https://example.org/",
        "https://example.org/page/2/",
        "https://example.org/page/3/",
        "https://example.org/posts/p01/",
        "https://example.org/posts/p02/",
        "https://example.org/posts/p03/",
        "https://example.org/posts/p04/",
        "https://example.org/posts/p05/",
        "https://example.org/about/",
        "https://example.org/tags/",
        "https://example.org/tags/odd/",
        "https://example.org/tags/odd/page/2/",
        "https://example.org/tags/even/",
        // The archive (the blog's own section list is the home page: not written twice).
        "https://example.org/archive/",
        "https://example.org/archive/2026/",
        "https://example.org/archive/2026/01/",
    ]
    .into();
    assert_eq!(locs, want);
    assert_eq!(entries.len(), want.len(), "no duplicates");
    let lastmod = |loc: &str| {
        entries
            .iter()
            .find(|(l, _)| l == loc)
            .and_then(|(_, m)| m.clone())
    };
    assert_eq!(
        lastmod("https://example.org/posts/p03/").as_deref(),
        Some("2026-01-03T10:00:00Z")
    );
    assert_eq!(
        lastmod("https://example.org/page/2/").as_deref(),
        Some("2026-01-03T10:00:00Z"),
        "a list page's lastmod is its newest post's date"
    );
    assert_eq!(
        lastmod("https://example.org/tags/odd/page/2/").as_deref(),
        Some("2026-01-01T10:00:00Z")
    );
}

#[test]
fn sitemap_escapes_urls_and_robots_txt_names_it() {
    let site =
        TestSite::with_config(&CONFIG.replace("https://example.org/", "https://example.org/a&b/"));
    site.post("x.md", "title = \"X\"\ndate = 2026-01-01", "x");
    let built = site.built();
    let locs: Vec<String> = sitemap(&built).into_iter().map(|(l, _)| l).collect();
    assert!(
        locs.contains(&"https://example.org/a&b/posts/x/".to_string()),
        "{locs:?}"
    );
    let robots = fs::read_to_string(built.out.join("robots.txt")).unwrap();
    let lines: Vec<&str> = robots.lines().collect();
    assert_eq!(
        lines,
        [
            "User-agent: *",
            "Allow: /",
            "Sitemap: https://example.org/a&b/sitemap.xml"
        ]
    );
}

#[test]
fn a_static_robots_txt_wins_over_the_generated_one() {
    let site = TestSite::new();
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    let built = site.built();
    assert_eq!(
        fs::read_to_string(built.out.join("robots.txt")).unwrap(),
        "User-agent: *\nDisallow: /\n"
    );
    assert!(built.exists("sitemap.xml"));
}

#[test]
fn pages_link_their_feeds_in_the_head_and_footer() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01\ntags = [\"Boats\"]",
        "a",
    );
    let built = site.built();
    let alternates = |doc: &scraper::Html| {
        select(doc, "head link[rel=alternate]")
            .iter()
            .map(|l| {
                format!(
                    "{} {}",
                    l.value().attr("type").unwrap(),
                    l.value().attr("href").unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    let site_feeds = [
        "application/atom+xml /atom.xml",
        "application/rss+xml /rss.xml",
    ];
    assert_eq!(alternates(&built.page("/")), site_feeds);
    assert_eq!(alternates(&built.page("/posts/a/")), site_feeds);
    assert_eq!(
        alternates(&built.page("/tags/boats/")),
        [
            "application/atom+xml /atom.xml",
            "application/rss+xml /rss.xml",
            "application/atom+xml /tags/boats/atom.xml",
            "application/rss+xml /tags/boats/rss.xml"
        ]
    );
    let home = built.page("/");
    assert_eq!(texts(&home, "footer .subscribe"), ["Subscribe: Atom / RSS"]);
    assert_eq!(
        attrs(&home, "footer .subscribe a", "href"),
        ["/atom.xml", "/rss.xml"]
    );
}
