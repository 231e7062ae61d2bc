//! `/archive/` pages and the sidebar's archive calendar.

use crate::harness::*;

fn site() -> TestSite {
    let site = TestSite::new();
    site.post("a.md", "title = \"December\"\ndate = 2025-12-31", "x")
        .post("b.md", "title = \"Early January\"\ndate = 2026-01-05", "x")
        .post("c.md", "title = \"Late January\"\ndate = 2026-01-20", "x")
        .post("d.md", "title = \"March\"\ndate = 2026-03-01", "x");
    site
}

#[test]
fn archive_lists_every_post_by_year_and_month_newest_first() {
    let site = site();
    let built = site.built();
    let doc = built.page("/archive/");
    assert_eq!(texts(&doc, "main h2 a"), ["2026", "2025"]);
    assert_eq!(
        texts(&doc, "main h3 a"),
        ["March 2026", "January 2026", "December 2025"]
    );
    assert_eq!(
        texts(&doc, "main ul li a"),
        ["March", "Late January", "Early January", "December"]
    );
    assert_eq!(
        attrs(&doc, "main ul li time", "datetime")[0],
        "2026-03-01T00:00:00+00:00"
    );
}

#[test]
fn year_and_month_pages_hold_only_their_posts() {
    let site = site();
    let built = site.built();
    let year = built.page("/archive/2026/");
    assert_eq!(texts(&year, "main h1"), ["2026"]);
    assert_eq!(
        texts(&year, "main ul li a"),
        ["March", "Late January", "Early January"]
    );
    let month = built.page("/archive/2026/01/");
    assert_eq!(texts(&month, "main h1"), ["January 2026"]);
    assert_eq!(
        texts(&month, "main ul li a"),
        ["Late January", "Early January"]
    );
    assert!(
        !built.exists("archive/2026/02/index.html"),
        "no page for a month without posts"
    );
}

#[test]
fn sidebar_calendar_links_years_and_their_months() {
    let site = site();
    let built = site.built();
    let doc = built.page("/posts/a/");
    let calendar = attrs(&doc, "aside .archive-calendar a", "href");
    assert_eq!(
        calendar,
        [
            "/archive/2026/",
            "/archive/2026/03/",
            "/archive/2026/01/",
            "/archive/2025/",
            "/archive/2025/12/"
        ]
    );
    assert!(attrs(&doc, "aside a", "href").contains(&"/archive/".to_string()));
}

#[test]
fn a_page_cannot_take_an_archive_url() {
    let site = site();
    site.write("content/archive.md", "+++\ntitle = \"Archive\"\n+++\nx\n");
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains("reserved") && err.contains("content/archive.md"),
        "{err}"
    );
}
