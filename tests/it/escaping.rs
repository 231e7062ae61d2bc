//! Hostile titles, tags, authors and config strings come out as text in every format: HTML
//! text and attributes, JSON-LD, Atom, RSS and the sitemap. Every XML file is well-formed.

use std::fs;

use crate::harness::*;

const TITLE: &str = r#"</title></script><script>alert("t")</script> ]]> & <b>bold</b>"#;
const TAG: &str = r#""><img src=x onerror=alert(1)>"#;
const TAG2: &str = "</script> ]]>";
const AUTHOR: &str = r#"Bo "</script>" & Co"#;
const SITE_TITLE: &str = r#"Blog "><svg onload=alert(1)> ]]>"#;

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
        "Body.",
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
            texts(&doc, "title")[0].contains(SITE_TITLE) || path.ends_with("404.html"),
            "{shown}: {:?}",
            texts(&doc, "title")
        );
    }

    let post = built.page("/posts/a/");
    assert_eq!(texts(&post, "main h1"), [TITLE]);
    assert_eq!(
        attrs(&post, "meta[property='og:title']", "content"),
        [TITLE]
    );
    assert_eq!(
        attrs(&post, "meta[name=description]", "content"),
        [r#"Sum “quoted” x ]]>"#]
    );
    let tags = attrs(&post, "meta[property='article:tag']", "content");
    assert_eq!(tags, [TAG, TAG2]);
    let tag_links = texts(&post, "main .term-links a");
    assert_eq!(tag_links, [TAG, TAG2]);
    let json: String = select(&post, "script")[0].text().collect();
    let data: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(data["headline"], TITLE);
    assert_eq!(data["author"]["name"], AUTHOR);
    assert_eq!(data["keywords"], serde_json::json!([TAG, TAG2]));
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
        assert_eq!(feed.title.unwrap().content, SITE_TITLE, "{name}");
        let entry = feed
            .entries
            .iter()
            .find(|e| e.links[0].href.ends_with("/posts/a/"))
            .expect("the post's entry");
        assert_eq!(entry.title.as_ref().unwrap().content, TITLE, "{name}");
        let terms: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, [TAG, TAG2], "{name}");
        let authors: Vec<Option<&str>> = entry.authors.iter().map(|a| a.name.as_deref()).collect();
        assert!(
            authors.iter().flatten().any(|a| a.contains(AUTHOR)),
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
