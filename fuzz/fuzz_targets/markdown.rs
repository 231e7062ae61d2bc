//! Any text through `markdown::render`, with default options and with every link option set:
//! never panics, and the result keeps the invariants the code guarantees.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use quire::markdown::{AnchorLinks, ContentLinks, Options, Rendered, render};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let plain = render(text, &Options::default());
    check(text, &plain);

    let links = ContentLinks(HashMap::from([
        ("posts/x.md".to_string(), "/blog/posts/x/".to_string()),
        ("about.md".to_string(), "/blog/about/".to_string()),
    ]));
    let options = Options {
        link_base: Some("/blog/posts/x/"),
        base_path: Some("/blog/"),
        reserved_ids: &["main", "nav", "top"],
        content_links: Some(&links),
        shortcodes: None,
        // Every kind of heading link, chosen by the input.
        anchors: [
            AnchorLinks::None,
            AnchorLinks::Left,
            AnchorLinks::Right,
            AnchorLinks::Heading,
        ][text.len() % 4],
    };
    let linked = render(text, &options);
    check(text, &linked);
    // Options change URLs only.
    assert_eq!(plain.word_count, linked.word_count);
    assert_eq!(plain.summary_text, linked.summary_text);
    assert_eq!(plain.links.len(), linked.links.len());
    assert_eq!(
        plain.headings.iter().map(|h| (h.level, &h.title)).collect::<Vec<_>>(),
        linked.headings.iter().map(|h| (h.level, &h.title)).collect::<Vec<_>>(),
    );
    for h in &linked.headings {
        assert!(
            !options.reserved_ids.contains(&h.id.as_str()) || text.contains(h.id.as_str()),
            "generated heading id {:?} is reserved",
            h.id
        );
    }
});

fn check(text: &str, r: &Rendered) {
    // Every word is at least one character of the source.
    assert!(r.word_count <= text.len(), "{} words", r.word_count);
    // The summary's text is some of the document's text, words joined at most.
    assert!(r.summary_text.split_whitespace().count() <= r.word_count);
    if r.word_count > 0 {
        assert!(!r.html.is_empty());
    }
    if !r.summary_text.is_empty() {
        assert!(!r.summary_html.is_empty());
    }
    for h in &r.headings {
        assert!((1..=6).contains(&h.level));
        assert!(!h.id.is_empty());
    }
    for l in &r.links {
        assert!(text.is_char_boundary(l.offset) && l.offset < text.len());
    }
    // Without footnotes (dropped from summaries) and fenced code (highlighted only in the full
    // HTML) the summary is rendered exactly as in the page.
    // Summaries also leave out heading ids (a list shows many).
    if !text.contains("[^")
        && !text.contains("```")
        && !text.contains("~~~")
        && r.headings.is_empty()
    {
        assert!(
            r.html.contains(r.summary_html.trim()),
            "summary {:?} not in {:?}",
            r.summary_html,
            r.html
        );
    }
}
