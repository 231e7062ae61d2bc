//! What link previews, search engines and moved URLs rely on: canonical URLs, Open Graph and
//! Twitter tags, JSON-LD, and alias redirect pages.

use crate::harness::*;

fn meta(doc: &scraper::Html, property: &str) -> Vec<String> {
    let by_property = attrs(doc, &format!("meta[property='{property}']"), "content");
    if by_property.is_empty() {
        attrs(doc, &format!("meta[name='{property}']"), "content")
    } else {
        by_property
    }
}

#[test]
fn every_page_has_an_absolute_canonical_url() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01\ntags = [\"t\"]",
        "x",
    )
    .write("content/about.md", "+++\ntitle = \"About\"\n+++\nx\n");
    let built = site.built();
    for (url, canonical) in [
        ("/", "https://example.org/"),
        ("/posts/a/", "https://example.org/posts/a/"),
        ("/about/", "https://example.org/about/"),
        ("/tags/", "https://example.org/tags/"),
        ("/tags/t/", "https://example.org/tags/t/"),
    ] {
        let doc = built.page(url);
        assert_eq!(
            attrs(&doc, "link[rel=canonical]", "href"),
            [canonical],
            "{url}"
        );
        assert_eq!(meta(&doc, "og:url"), [canonical], "{url}");
    }
    assert!(select(&built.page("/404.html"), "link[rel=canonical]").is_empty());
}

#[test]
fn posts_carry_article_open_graph_and_twitter_tags() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"Quay report\"\ndate = 2026-01-02T10:00:00Z\nupdated = 2026-01-03\ntags = [\"Harbour\", \"Ferries\"]\nimage = \"/images/q.svg\"\nimage_alt = \"The quay\"\nsummary = \"What the survey found.\"",
        "Body.",
    )
    .post("b.md", "title = \"Plain\"\ndate = 2026-01-01", "No image here.")
    .write("static/images/q.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    let built = site.built();
    let doc = built.page("/posts/a/");
    assert_eq!(meta(&doc, "og:type"), ["article"]);
    assert_eq!(meta(&doc, "og:title"), ["Quay report"]);
    assert_eq!(meta(&doc, "og:description"), ["What the survey found."]);
    assert_eq!(meta(&doc, "og:image"), ["https://example.org/images/q.svg"]);
    assert_eq!(
        meta(&doc, "article:published_time"),
        ["2026-01-02T10:00:00+00:00"]
    );
    assert_eq!(
        meta(&doc, "article:modified_time"),
        ["2026-01-03T00:00:00+00:00"]
    );
    assert_eq!(meta(&doc, "article:tag"), ["Harbour", "Ferries"]);
    assert_eq!(meta(&doc, "twitter:card"), ["summary_large_image"]);
    let plain = built.page("/posts/b/");
    assert_eq!(meta(&plain, "twitter:card"), ["summary"]);
    assert!(meta(&plain, "og:image").is_empty());
    assert_eq!(meta(&built.page("/"), "og:type"), ["website"]);
}

#[test]
fn json_ld_describes_the_post_and_a_hostile_title_cannot_break_out() {
    let title = "</script><script>alert(\"x\")</script> & <b>more</b>";
    let site = TestSite::new();
    site.post(
        "a.md",
        &format!(
            "title = {}\ndate = 2026-01-02\nauthor = \"Bo </script>\"",
            toml_str(title)
        ),
        "Body.",
    );
    let built = site.built();
    let raw = std::fs::read_to_string(built.out.join("posts/a/index.html")).unwrap();
    assert_eq!(
        raw.matches("</script>").count(),
        1,
        "only the JSON-LD element's own end tag"
    );
    let doc = built.page("/posts/a/");
    let scripts = select(&doc, "script");
    assert_eq!(scripts.len(), 1);
    assert_eq!(scripts[0].value().attr("type"), Some("application/ld+json"));
    let data: serde_json::Value =
        serde_json::from_str(&scripts[0].text().collect::<String>()).unwrap();
    assert_eq!(data["@type"], "BlogPosting");
    assert_eq!(data["headline"], title);
    assert_eq!(data["author"]["name"], "Bo </script>");
    assert_eq!(data["datePublished"], "2026-01-02T00:00:00+00:00");
    assert_eq!(data["url"], "https://example.org/posts/a/");
    // The visible headline is the same text, escaped, with no markup of its own.
    assert_eq!(texts(&doc, "main h1"), [title]);
    assert!(select(&doc, "main h1 b").is_empty());
}

#[test]
fn aliases_write_redirect_pages_to_the_new_url() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"Moved post\"\ndate = 2026-01-01\naliases = [\"/2019/01/old-name/\", \"/old.html\"]",
        "x",
    );
    let built = site.built();
    for url in ["/2019/01/old-name/", "/old.html"] {
        let doc = built.page(url);
        assert_eq!(
            attrs(&doc, "meta[http-equiv=refresh]", "content"),
            ["0; url=https://example.org/posts/a/"],
            "{url}"
        );
        assert_eq!(
            attrs(&doc, "link[rel=canonical]", "href"),
            ["https://example.org/posts/a/"]
        );
        assert_eq!(attrs(&doc, "a", "href"), ["/posts/a/"]);
        assert_eq!(attrs(&doc, "meta[name=robots]", "content"), ["noindex"]);
    }
}

#[test]
fn an_alias_that_takes_an_existing_url_is_an_error_naming_the_file() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x")
        .post(
            "b.md",
            "title = \"B\"\ndate = 2026-01-02\naliases = [\"/posts/a/\"]",
            "x",
        );
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains("/posts/a/") && err.contains("content/posts/b.md"),
        "{err}"
    );
}

/// A TOML basic string literal.
fn toml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}
