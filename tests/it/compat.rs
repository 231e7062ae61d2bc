//! Posts written for Zola, Hugo and Jekyll build unchanged (issue 13, part 1): the front
//! matter shapes, file names, dates and titles those generators accept. Each fixture here is
//! written for these tests.

use std::fs;

use crate::harness::*;

/// The post's headline, `<time datetime>` of its dateline and its tags, on its page.
fn post_facts(built: &Built, url: &str) -> (String, Vec<String>, Vec<String>) {
    let page = built.page(url);
    let title = texts(&page, "h1.headline").join("|");
    let dates = attrs(&page, "article.post .meta time.dateline", "datetime");
    let tags = texts(&page, ".post-footer .term-links li a");
    (title, dates, tags)
}

fn home_titles(built: &Built) -> Vec<String> {
    texts(&built.page("/"), ".post-list .summary .headline a")
}

// Hugo

#[test]
fn hugo_blank_lines_and_a_bom_before_the_front_matter() {
    let site = TestSite::new();
    site.write(
        "content/posts/blank.md",
        "\n\n---\ntitle: After Blank Lines\ndate: 2024-03-01\ntags: [hugo]\n---\nBody one.\n",
    );
    site.write(
        "content/posts/bom.md",
        "\u{feff}\r\n+++\r\ntitle = \"After A BOM\"\r\ndate = 2024-03-02\r\n+++\r\nBody two.\r\n",
    );
    let built = site.built();
    let (title, dates, tags) = post_facts(&built, "/posts/blank/");
    assert_eq!(title, "After Blank Lines");
    assert_eq!(dates, ["2024-03-01T00:00:00+00:00"]);
    assert_eq!(tags, ["hugo"]);
    assert_eq!(
        texts(&built.page("/posts/blank/"), ".post-body p"),
        ["Body one."]
    );
    assert_eq!(post_facts(&built, "/posts/bom/").0, "After A BOM");
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn hugo_json_front_matter() {
    let site = TestSite::new();
    site.write(
        "content/posts/json.md",
        "{\n  \"title\": \"Written In JSON\",\n  \"date\": \"2024-04-05T10:00:00Z\",\n  \"tags\": [\"json\", \"hugo\"],\n  \"draft\": false\n}\n\nThe *body* after the object.\n",
    );
    let built = site.built();
    let (title, dates, tags) = post_facts(&built, "/posts/json/");
    assert_eq!(title, "Written In JSON");
    assert_eq!(dates, ["2024-04-05T10:00:00+00:00"]);
    assert_eq!(tags, ["json", "hugo"]);
    let page = built.page("/posts/json/");
    assert_eq!(texts(&page, ".post-body p em"), ["body"]);
    assert!(built.exists("/tags/json/"));
}

#[test]
fn hugo_bad_json_front_matter_is_an_error_at_its_line() {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    site.built();
    let snapshot = Snapshot::take(&site.out());
    site.write(
        "content/posts/bad.md",
        "\n{\n  \"title\": \"Bad\",\n  \"date\": 2024-01-01\n}\nBody\n",
    );
    let errors = fails(&site, &snapshot);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_at(
        &errors[0],
        "content/posts/bad.md",
        4,
        15,
        "JSON front matter does not parse",
    );
}

#[test]
fn hugo_publish_date_and_expiry_date() {
    let site = TestSite::new();
    site.write(
        "content/posts/published.md",
        "---\ntitle: Published Only\npublishDate: 2024-02-03\n---\nP.\n",
    );
    site.write(
        "content/posts/both.md",
        "---\ntitle: Both Dates\ndate: 2024-01-01\npublishDate: 2024-06-06\n---\nB.\n",
    );
    // The tests' clock is 2026-11-28.
    site.write(
        "content/posts/expired.md",
        "---\ntitle: Expired\ndate: 2024-01-02\nexpiryDate: 2025-01-01\n---\nE.\n",
    );
    site.write(
        "content/posts/expiring.md",
        "---\ntitle: Not Yet Expired\ndate: 2024-01-03\nexpiryDate: 2027-01-01\n---\nN.\n",
    );
    let built = site.built();
    assert_eq!(
        post_facts(&built, "/posts/published/").1,
        ["2024-02-03T00:00:00+00:00"]
    );
    // `date` wins over `publishDate`.
    assert_eq!(
        post_facts(&built, "/posts/both/").1,
        ["2024-01-01T00:00:00+00:00"]
    );
    assert!(!built.exists("/posts/expired/"));
    assert!(built.exists("/posts/expiring/"));
    assert_eq!(
        home_titles(&built),
        ["Published Only", "Not Yet Expired", "Both Dates"]
    );
}

// Zola

#[test]
fn zola_page_without_a_title_takes_it_from_the_file_name_with_a_warning() {
    let site = TestSite::new();
    site.write(
        "content/posts/2024-05-01-latest-news.md",
        "+++\ntemplate = \"latest.html\"\n+++\nNo title here.\n",
    );
    let built = site.built();
    let (title, dates, _) = post_facts(&built, "/posts/latest-news/");
    assert_eq!(title, "Latest news");
    assert_eq!(dates, ["2024-05-01T00:00:00+00:00"]);
    // One warning for the title, one for the template the site does not have.
    let warnings = &built.report.warnings;
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("content/posts/2024-05-01-latest-news.md:2:1: no `title`"),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("\"Latest news\""), "{warnings:?}");
    assert!(
        warnings[1].starts_with(
            "content/posts/2024-05-01-latest-news.md:2:1: `template = \"latest.html\"`"
        ),
        "{warnings:?}"
    );
}

#[test]
fn zola_template_is_used_when_the_site_has_it_else_the_default_with_a_warning() {
    let site = TestSite::new();
    site.write(
        "templates/latest.html",
        "{% extends \"base.html\" %}{% block content %}<p class=\"latest\">{{ page.title }}</p>{% endblock content %}",
    );
    site.write(
        "content/latest.md",
        "+++\ntitle = \"Latest\"\ntemplate = \"latest.html\"\n+++\nL.\n",
    );
    site.write(
        "content/posts/odd.md",
        "+++\ntitle = \"Odd\"\ndate = 2024-01-01\ntemplate = \"odd-post.html\"\n+++\nO.\n",
    );
    let built = site.built();
    assert_eq!(texts(&built.page("/latest/"), "main p.latest"), ["Latest"]);
    let odd = built.page("/posts/odd/");
    assert_eq!(texts(&odd, "h1.headline"), ["Odd"]);
    assert_eq!(texts(&odd, ".post-body p"), ["O."]);
    let warnings = &built.report.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("content/posts/odd.md:4:1: `template = \"odd-post.html\"`"),
        "{warnings:?}"
    );
}

#[test]
fn zola_date_from_a_dated_path() {
    let site = TestSite::new();
    site.write(
        "content/posts/timeline.md",
        "+++\ntitle = \"Timeline\"\npath = \"2014/12/12/1.0-Timeline\"\n+++\nT.\n",
    );
    let built = site.built();
    let (title, dates, _) = post_facts(&built, "/2014/12/12/1.0-Timeline/");
    assert_eq!(title, "Timeline");
    assert_eq!(dates, ["2014-12-12T00:00:00+00:00"]);
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn a_post_with_no_date_anywhere_is_published_undated_after_the_dated_ones() {
    let site = TestSite::new();
    site.post("dated.md", "title = \"Dated\"\ndate = 2020-01-01", "D.");
    site.post("undated.md", "title = \"Undated\"", "U.");
    let built = site.built();
    assert_eq!(home_titles(&built), ["Dated", "Undated"]);
    let (title, dates, _) = post_facts(&built, "/posts/undated/");
    assert_eq!(title, "Undated");
    assert!(dates.is_empty(), "never dated today: {dates:?}");
    let warnings = &built.report.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("content/posts/undated.md:2:1: no date"),
        "{warnings:?}"
    );
}

#[test]
fn zola_aliases_without_a_leading_slash_are_from_the_site_root() {
    let site = TestSite::new();
    site.write(
        "content/posts/timeline.md",
        "+++\ntitle = \"Timeline\"\ndate = 2014-12-12\naliases = [\"2014/12/12/1.0-Timeline.html\", \"old/timeline/\"]\n+++\nT.\n",
    );
    let built = site.built();
    for alias in ["/2014/12/12/1.0-Timeline.html", "/old/timeline/"] {
        let page = built.page(alias);
        let refresh = attrs(&page, "meta[http-equiv=refresh]", "content");
        assert_eq!(refresh.len(), 1, "{alias}");
        assert!(
            refresh[0].ends_with("/posts/timeline/"),
            "{alias}: {refresh:?}"
        );
    }
    assert!(built.exists("/2014/12/12/1.0-Timeline.html"));
}

// Jekyll

#[test]
fn jekyll_category_is_a_category() {
    let site = TestSite::new();
    site.write(
        "content/posts/2024-01-01-filed.md",
        "---\nlayout: post\ntitle: Filed\ncategory: Harbour\n---\nF.\n",
    );
    let built = site.built();
    let page = built.page("/posts/filed/");
    assert_eq!(texts(&page, ".post-footer .term-links li a"), ["Harbour"]);
    assert!(built.exists("/categories/harbour/"));
}

#[test]
fn jekyll_markdown_extensions_and_dated_bundle_folders() {
    let site = TestSite::new();
    for (i, ext) in ["markdown", "mkd", "mdown", "md"].iter().enumerate() {
        site.write(
            &format!("content/posts/2023-0{}-0{}-from-{ext}.{ext}", i + 1, i + 1),
            &format!("---\nlayout: post\ntitle: From {ext}\n---\nWritten as .{ext}.\n"),
        );
    }
    site.write(
        "content/posts/2024-05-01-lighthouse/index.md",
        "---\ntitle: Lighthouse\n---\nA bundle.\n",
    );
    site.write(
        "content/posts/2024-05-01-lighthouse/photo.txt",
        "not markdown",
    );
    let built = site.built();
    assert_eq!(
        home_titles(&built),
        [
            "Lighthouse",
            "From md",
            "From mdown",
            "From mkd",
            "From markdown"
        ]
    );
    let (_, dates, _) = post_facts(&built, "/posts/from-markdown/");
    assert_eq!(dates, ["2023-01-01T00:00:00+00:00"]);
    let (_, dates, _) = post_facts(&built, "/posts/lighthouse/");
    assert_eq!(dates, ["2024-05-01T00:00:00+00:00"]);
    assert_eq!(
        texts(&built.page("/posts/from-mkd/"), ".post-body p"),
        ["Written as .mkd."]
    );
    assert!(built.exists("/posts/lighthouse/photo.txt"));
    // A file that is not Markdown in a section is not a post.
    site.write("content/posts/notes.txt", "plain text");
    let again = site.built();
    assert!(!again.exists("/posts/notes/"));
    assert!(fs::read_dir(again.out.join("posts")).unwrap().count() >= 5);
}
