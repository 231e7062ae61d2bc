//! Hostile titles, tags, authors and config strings come out as text in every format: HTML
//! text and attributes, JSON-LD, Atom, RSS and the sitemap. Every XML file is well-formed.
//! Control characters are dropped everywhere; right-to-left overrides are kept as text.
//! Links and images that would run code are not emitted as links.

use std::fs;

use crate::harness::*;

const TITLE: &str =
    "</title></script><script>alert(\"t\")</script> ]]> & <b>bold</b> \u{7}bell\u{1b} \u{202e}txet";
const TAG: &str = r#""><img src=x onerror=alert(1)>"#;
const TAG2: &str = "</script> ]]>\u{85}\u{202e}";
const AUTHOR: &str = "Bo \"</script>\" & \u{8}Co";
const SITE_TITLE: &str = "Blog \"><svg onload=alert(1)> ]]>\u{1}\u{202e}";

/// What a reader sees of a hostile string: the control characters are gone.
fn as_seen(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

fn toml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn hostile_site() -> TestSite {
    let config = CONFIG
        .replace("\"Test Blog\"", &toml_str(SITE_TITLE))
        .replace("\"Ann Author\"", &toml_str(AUTHOR));
    let site = TestSite::with_config(&config);
    site.post(
        "a.md",
        &format!(
            "title = {}\ndate = 2026-01-02\ntags = [{}, {}]\nauthor = {}\nsummary = {}",
            toml_str(TITLE),
            toml_str(TAG),
            toml_str(TAG2),
            toml_str(AUTHOR),
            toml_str(r#"Sum "quoted" <i>x</i> ]]>"#),
        ),
        "Body with [a link that runs code](javascript:alert(1)), [another](<JAVA\tSCRIPT:x>) \
         and ![an image that does](javascript:alert(2)).\n\n![Pier](data:text/html,x \"Cap\")",
    )
    .post("b.md", "title = \"Plain\"\ndate = 2026-01-01", "Plain.");
    site
}

fn files_with(dir: &std::path::Path, ext: &str) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect()
}

#[test]
fn hostile_strings_are_text_in_every_html_page() {
    let site = hostile_site();
    let built = site.built();
    let pages = files_with(&built.out, "html");
    assert!(pages.len() > 8, "{pages:?}");
    for path in &pages {
        let doc = scraper::Html::parse_document(&fs::read_to_string(path).unwrap());
        let shown = path.display();
        // Nothing injected became an element or an attribute. (The summary is Markdown, like
        // the body, so its `<i>` is the author's markup and may appear.)
        assert!(
            select(&doc, "img[onerror], svg[onload], b").is_empty(),
            "{shown}"
        );
        for script in select(&doc, "script") {
            // The search page's own script, and nothing injected into it.
            if path.ends_with("search/index.html") && script.value().attr("type") == Some("module")
            {
                assert!(
                    script
                        .value()
                        .attr("src")
                        .is_some_and(|s| s.ends_with("/search.js")),
                    "{shown}"
                );
                assert_eq!(script.text().collect::<String>(), "", "{shown}");
                continue;
            }
            assert_eq!(
                script.value().attr("type"),
                Some("application/ld+json"),
                "{shown}"
            );
            let json: String = script.text().collect();
            serde_json::from_str::<serde_json::Value>(&json)
                .unwrap_or_else(|e| panic!("{shown}: JSON-LD does not parse: {e}"));
        }
        // The site title round-trips in the masthead and the title element.
        assert!(
            texts(&doc, "title")[0].contains(&as_seen(SITE_TITLE)) || path.ends_with("404.html"),
            "{shown}: {:?}",
            texts(&doc, "title")
        );
    }

    let post = built.page("/posts/a/");
    let (title, tag2, author) = (as_seen(TITLE), as_seen(TAG2), as_seen(AUTHOR));
    assert_eq!(texts(&post, "main h1"), [title.as_str()]);
    assert_eq!(
        attrs(&post, "meta[property='og:title']", "content"),
        [title.as_str()]
    );
    assert_eq!(
        attrs(&post, "meta[name=description]", "content"),
        [r#"Sum “quoted” x ]]>"#]
    );
    let tags = attrs(&post, "meta[property='article:tag']", "content");
    assert_eq!(tags, [TAG, tag2.as_str()]);
    let tag_links = texts(&post, "main .term-links a");
    assert_eq!(tag_links, [TAG, tag2.as_str()]);
    let json: String = select(&post, "script")[0].text().collect();
    let data: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(data["headline"], title);
    assert_eq!(data["author"]["name"], author);
    assert_eq!(data["keywords"], serde_json::json!([TAG, tag2]));
    // The links and images that would run code are shown as their text.
    let body: String = select(&post, "main article")[0].text().collect();
    assert!(
        body.contains("a link that runs code, another and an image that does."),
        "{body}"
    );
    assert!(body.contains("Pier"), "{body}");
}

#[test]
fn no_output_file_holds_a_control_character_or_a_link_that_runs_code() {
    let site = hostile_site();
    let built = site.built();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&built.out) {
        let path = entry.unwrap().into_path();
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let shown_path = path.display();
        if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            panic!("{shown_path} holds control character {c:?}");
        }
        let lower = text.to_ascii_lowercase();
        assert!(!lower.contains("javascript:"), "{shown_path}");
        assert!(!lower.contains("data:text"), "{shown_path}");
        if path.extension().is_some_and(|e| e == "html") {
            let doc = scraper::Html::parse_document(&text);
            for el in select(&doc, "[href], [src]") {
                for name in ["href", "src"] {
                    if let Some(url) = el.value().attr(name) {
                        assert!(
                            !quire::markdown::is_script_url(url, name == "src"),
                            "{shown_path}: {url}"
                        );
                    }
                }
            }
        }
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn hostile_strings_round_trip_through_feeds_and_every_xml_file_is_well_formed() {
    let site = hostile_site();
    let built = site.built();
    let xml = files_with(&built.out, "xml");
    assert!(xml.len() >= 7, "site and tag feeds, sitemap: {xml:?}");
    for path in &xml {
        let text = fs::read_to_string(path).unwrap();
        roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{} is not well-formed: {e}", path.display()));
    }
    for name in ["atom.xml", "rss.xml"] {
        let bytes = fs::read(built.out.join(name)).unwrap();
        let feed = feed_rs::parser::parse(&bytes[..]).unwrap();
        assert_eq!(feed.title.unwrap().content, as_seen(SITE_TITLE), "{name}");
        let entry = feed
            .entries
            .iter()
            .find(|e| e.links[0].href.ends_with("/posts/a/"))
            .expect("the post's entry");
        assert_eq!(
            entry.title.as_ref().unwrap().content,
            as_seen(TITLE),
            "{name}"
        );
        let terms: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, [TAG, as_seen(TAG2).as_str()], "{name}");
        let authors: Vec<Option<&str>> = entry.authors.iter().map(|a| a.name.as_deref()).collect();
        assert!(
            authors
                .iter()
                .flatten()
                .any(|a| a.contains(&as_seen(AUTHOR))),
            "{name}: {authors:?}"
        );
    }
    // The tag with markup in its name has a plain ASCII slug, a page and feeds.
    let sitemap = fs::read_to_string(built.out.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    let tag_pages: Vec<&&str> = locs.iter().filter(|l| l.contains("/tags/")).collect();
    assert!(tag_pages.len() >= 3, "{locs:?}");
    for loc in &locs {
        let url = url::Url::parse(loc).unwrap_or_else(|e| panic!("{loc}: {e}"));
        assert!(url.path().is_ascii(), "{loc}");
    }
}
