//! `quire check` and the link checks of `quire build`: each kind of problem found at its file,
//! line and column; content links (`@/...`) resolved; the sample blog clean.

use std::fs;

use quire::check::{Kind, Mode};

use crate::harness::*;

const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";

/// A site with one problem of every kind, each on a line of its own.
fn broken_site() -> TestSite {
    let site = TestSite::new();
    site.post(
        "one.md",
        "title = \"One\"\ndate = 2026-01-01\nimage = \"/images/lead.svg\"",
        "Links: [ok](@/posts/two.md#second-part) and [two](../two/).\n\
         \n\
         [typo](@/posts/tow.md)\n\
         \n\
         ## A part\n\
         \n\
         [gone](/posts/nowhere/)\n\
         [pdf](/files/report.pdf)\n\
         [here](#a-prt)\n\
         [there](/posts/two/#nope)\n\
         [fine](#a-part) [web](https://example.com/x) [mail](mailto:a@example.org)\n\
         \n\
         ![](/images/ok.svg)\n\
         \n\
         ![A missing map](/images/map.svg)",
    )
    .post(
        "two.md",
        "title = \"Two\"\ndate = 2026-01-02",
        "Text.\n\n## Second part\n\n[Back](@/posts/one.md#a-part).",
    )
    .write("static/images/ok.svg", SVG);
    site
}

/// (kind, line, column) of each problem, in report order.
fn found(report: &quire::Report) -> Vec<(Kind, String, usize, usize)> {
    report
        .problems
        .iter()
        .map(|p| {
            let (line, col) = p.diagnostic.position.expect("a position");
            (p.kind, p.diagnostic.path.display().to_string(), line, col)
        })
        .collect()
}

#[test]
fn check_reports_every_kind_of_problem_at_its_file_line_and_column() {
    let site = broken_site();
    let report = quire::check(&site.options()).expect("check runs");
    let one = "content/posts/one.md".to_string();
    // The body starts on line 6 (after four front matter lines and the delimiters).
    assert_eq!(
        found(&report),
        [
            (Kind::MissingImage, one.clone(), 4, 10),
            (Kind::UnknownContent, one.clone(), 8, 1),
            (Kind::BrokenLink, one.clone(), 12, 1),
            (Kind::BrokenLink, one.clone(), 13, 1),
            (Kind::BrokenAnchor, one.clone(), 14, 1),
            (Kind::BrokenAnchor, one.clone(), 15, 1),
            (Kind::MissingAlt, one.clone(), 18, 1),
            (Kind::MissingImage, one.clone(), 20, 1),
        ]
    );
    let messages: Vec<&str> = report
        .problems
        .iter()
        .map(|p| p.diagnostic.message.as_str())
        .collect();
    assert!(
        messages[1].contains("did you mean `@/posts/two.md`"),
        "{messages:?}"
    );
    assert!(
        messages[4].contains("did you mean `#a-part`"),
        "{messages:?}"
    );
    assert_eq!(
        report.problems[2].diagnostic.source_line.as_deref(),
        Some("[gone](/posts/nowhere/)")
    );
    // Nothing was written.
    assert!(!site.out().exists());
}

#[test]
fn content_links_resolve_to_the_target_permalink_with_the_fragment() {
    let site = TestSite::with_config(&format!(
        "{}permalink = \"/{{year}}/{{slug}}/\"\n",
        CONFIG.replace("https://example.org/", "https://example.org/blog/")
    ));
    site.post(
        "one.md",
        "title = \"One\"\ndate = 2026-01-01",
        "[two](@/posts/two.md#second-part), [about](@/about.md) and [bundle](@/posts/b/index.md).",
    )
    .post(
        "two.md",
        "title = \"Two\"\ndate = 2025-01-02",
        "## Second part",
    )
    .write("content/about.md", "+++\ntitle = \"About\"\n+++\nHi.\n")
    .write(
        "content/posts/b/index.md",
        "+++\ntitle = \"B\"\ndate = 2024-03-03\n+++\nB.\n",
    );
    let built = site.built();
    let page = built.page("/2026/one/");
    let hrefs: Vec<String> = select(&page, "article a")
        .iter()
        .filter(|a| ["two", "about", "bundle"].contains(&text(a).as_str()))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(
        hrefs,
        [
            "/blog/2025/two/#second-part",
            "/blog/about/",
            "/blog/2024/b/"
        ]
    );
}

#[test]
fn a_content_link_to_a_draft_is_unknown_unless_drafts_are_built() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01",
        "[next](@/posts/b.md)",
    )
    .post(
        "b.md",
        "title = \"B\"\ndate = 2026-01-02\ndraft = true",
        "Soon.",
    );
    let report = quire::check(&site.options()).unwrap();
    assert_eq!(
        found(&report),
        [(Kind::UnknownContent, "content/posts/a.md".into(), 5, 1)]
    );
    let mut options = site.options();
    options.drafts = true;
    assert!(quire::check(&options).unwrap().problems.is_empty());
}

#[test]
fn build_fails_on_a_broken_internal_link_and_keeps_the_previous_output() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "Fine.");
    let before = tree(&site.built().out);

    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01",
        "See [b](/posts/b/).",
    );
    let err = site.build().expect_err("a broken link fails the build");
    let errors = err.flatten();
    let located: Vec<String> = errors
        .iter()
        .filter_map(|e| match e {
            quire::Error::Source(d) => Some(d.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(located.len(), 1, "{err}");
    assert!(
        located[0].starts_with("content/posts/a.md:5:5: link `/posts/b/`"),
        "{located:?}"
    );
    assert!(err.to_string().contains("--no-link-check"), "{err}");
    assert_eq!(
        tree(&site.out()),
        before,
        "the previous output is untouched"
    );

    // The flag turns the check off; alt text is never a build error.
    let mut options = site.options();
    options.checks.mode = Mode::Off;
    quire::build(&options).expect("builds with the check off");
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01",
        "![](/favicon.svg)",
    );
    site.built();
}

#[test]
fn under_a_sub_path_links_are_checked_against_the_prefixed_site() {
    let site =
        TestSite::with_config(&CONFIG.replace("https://example.org/", "https://example.org/blog/"));
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01",
        "[b](/posts/b/) [b again](/blog/posts/b/) [css](/style.css) [home](/)",
    )
    .post(
        "b.md",
        "title = \"B\"\ndate = 2026-01-02",
        "[up](../../) [bad](/posts/c/)",
    );
    let report = quire::check(&site.options()).unwrap();
    assert_eq!(
        found(&report),
        [(Kind::BrokenLink, "content/posts/b.md".into(), 5, 14)]
    );
    assert!(
        report.problems[0]
            .diagnostic
            .message
            .contains("/blog/posts/c/"),
        "the message names where the link leads: {}",
        report.problems[0].diagnostic.message
    );
}

#[test]
fn bundle_files_and_footnotes_count_as_targets() {
    let site = TestSite::new();
    site.write(
        "content/posts/trip/index.md",
        "+++\ntitle = \"Trip\"\ndate = 2026-01-01\n+++\n![Map](map.svg) [notes](notes.txt) [n](#fn) Text[^fn].\n\n[^fn]: A note.\n",
    )
    .write("content/posts/trip/map.svg", SVG)
    .write("content/posts/trip/notes.txt", "n")
    .write("content/about.md", "+++\ntitle = \"About\"\n+++\n[main](/posts/trip/#main) [trip](/posts/trip/map.svg)\n");
    let report = quire::check(&site.options()).unwrap();
    assert_eq!(
        report.problems,
        [],
        "theme ids (`#main`) and footnote ids resolve"
    );
    fs::remove_file(site.root().join("content/posts/trip/notes.txt")).unwrap();
    let report = quire::check(&site.options()).unwrap();
    assert_eq!(
        found(&report),
        [(
            Kind::BrokenLink,
            "content/posts/trip/index.md".into(),
            5,
            17
        )]
    );
}

#[test]
fn check_reports_duplicate_urls_as_an_error() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01\nslug = \"same\"",
        "x",
    )
    .post(
        "b.md",
        "title = \"B\"\ndate = 2026-01-02\nslug = \"same\"",
        "y",
    );
    let err = quire::check(&site.options()).expect_err("a duplicate URL is an error");
    let shown = err.to_string();
    assert!(
        shown.contains("content/posts/a.md") && shown.contains("content/posts/b.md"),
        "{shown}"
    );
}

#[test]
fn the_sample_blog_passes_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = quire::check(&quire::BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    })
    .expect("the sample builds");
    assert_eq!(report.problems, []);
    assert!(report.documents > 5);
}
