//! Highlighted code blocks, the highlighting stylesheet, and the table of contents of long
//! posts.

use crate::harness::*;

#[test]
fn long_posts_get_a_table_of_contents_linking_their_headings() {
    let site = TestSite::new();
    site.post(
        "long.md",
        "title = \"Long\"\ndate = 2026-01-02",
        "Intro.\n\n## Tides\n\nx\n\n### Spring tides\n\ny\n\n### Neap tides\n\nz\n\n## Currents {#flow}\n\nw\n\n#### Too deep\n\nv\n",
    )
    .post(
        "short.md",
        "title = \"Short\"\ndate = 2026-01-01",
        "## One\n\nx\n\n### Two\n\ny\n",
    );
    let built = site.built();

    let doc = built.page("/posts/long/");
    let navs = select(&doc, "nav[aria-label=Contents]");
    assert_eq!(navs.len(), 1);
    let hrefs = attrs(&doc, "nav[aria-label=Contents] a", "href");
    assert_eq!(hrefs, ["#tides", "#spring-tides", "#neap-tides", "#flow"]);
    // h3s are nested inside their h2's item.
    assert_eq!(
        attrs(&doc, "nav[aria-label=Contents] > ol > li > ol a", "href"),
        ["#spring-tides", "#neap-tides"]
    );
    for href in &hrefs {
        let id = &href[1..];
        let targets = select(&doc, &format!("[id='{id}']"));
        assert_eq!(targets.len(), 1, "{href}");
        assert!(
            ["h2", "h3"].contains(&targets[0].value().name()),
            "{href} is not a heading"
        );
    }
    assert_eq!(
        texts(&doc, "nav[aria-label=Contents] a"),
        ["Tides", "Spring tides", "Neap tides", "Currents"]
    );

    let short = built.page("/posts/short/");
    assert!(select(&short, "nav[aria-label=Contents]").is_empty());
}

#[test]
fn code_blocks_are_highlighted_and_the_stylesheet_is_linked() {
    let site = TestSite::new();
    site.post(
        "code.md",
        "title = \"Code\"\ndate = 2026-01-02",
        "Text.\n\n```rust\nfn main() {}\n```\n\n```nope\n<x>\n```\n",
    );
    let built = site.built();
    let doc = built.page("/posts/code/");
    assert!(
        !select(
            &doc,
            ".post-body pre > code.language-rust span[class^='hl-']"
        )
        .is_empty()
    );
    assert_eq!(texts(&doc, ".post-body pre > code.language-nope"), ["<x>"]);
    assert!(select(&doc, ".post-body code.language-nope span").is_empty());
    assert_eq!(
        attrs(&doc, "link[rel=stylesheet]", "href"),
        ["/style.css", "/syntax.css"]
    );
    assert!(built.exists("syntax.css"));
}
