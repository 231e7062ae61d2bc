//! What a successful build writes: the pages, their structure and their links.

use crate::harness::*;

fn numbered_posts(site: &TestSite, n: usize) {
    for i in 1..=n {
        site.post(
            &format!("p{i:02}.md"),
            &format!(
                "title = \"Post {i:02}\"\ndate = 2026-01-{i:02}\ntags = [\"{}\"]",
                if i % 3 == 0 { "Three" } else { "Other" }
            ),
            &format!("Body of post {i}."),
        );
    }
}

#[test]
fn home_page_lists_posts_newest_first_and_paginates() {
    let site = TestSite::with_config(&format!("{CONFIG}posts_per_page = 5\n"));
    numbered_posts(&site, 12);
    let built = site.built();
    let home = built.page("/");
    assert_eq!(
        texts(&home, "main article h2 a"),
        ["Post 12", "Post 11", "Post 10", "Post 09", "Post 08"]
    );
    let page3 = built.page("/page/3/");
    assert_eq!(texts(&page3, "main article h2 a"), ["Post 02", "Post 01"]);
    assert!(!built.exists("page/1/index.html"), "no /page/1/");
    assert!(!built.exists("page/4/index.html"));

    let nav = |doc: &scraper::Html| texts(doc, "nav[aria-label=Pagination]").join(" ");
    assert!(nav(&home).contains("Page 1 of 3"), "{}", nav(&home));
    assert!(nav(&page3).contains("Page 3 of 3"));
    assert_eq!(
        attrs(&home, "nav[aria-label=Pagination] a[rel=next]", "href"),
        ["/page/2/"]
    );
    assert!(select(&home, "nav[aria-label=Pagination] a[rel=prev]").is_empty());
    let page2 = built.page("/page/2/");
    assert_eq!(
        attrs(&page2, "nav[aria-label=Pagination] a[rel=prev]", "href"),
        ["/"]
    );
    assert_eq!(
        attrs(&page2, "nav[aria-label=Pagination] a[rel=next]", "href"),
        ["/page/3/"]
    );
}

#[test]
fn a_single_page_of_posts_has_no_pagination() {
    let site = TestSite::new();
    numbered_posts(&site, 3);
    let home = site.built().page("/");
    assert!(select(&home, "nav[aria-label=Pagination]").is_empty());
}

#[test]
fn tag_pages_hold_exactly_the_posts_with_that_tag() {
    let site = TestSite::with_config(&format!("{CONFIG}posts_per_page = 3\n"));
    numbered_posts(&site, 12);
    let built = site.built();
    let three = built.page("/tags/three/");
    assert_eq!(
        texts(&three, "main article h2 a"),
        ["Post 12", "Post 09", "Post 06"]
    );
    let three2 = built.page("/tags/three/page/2/");
    assert_eq!(texts(&three2, "main article h2 a"), ["Post 03"]);
    assert!(
        texts(&three2, "nav[aria-label=Pagination]")
            .join(" ")
            .contains("Page 2 of 2")
    );

    let tags = built.page("/tags/");
    let links = attrs(&tags, "main a[href^='/tags/']", "href");
    assert_eq!(links, ["/tags/other/", "/tags/three/"]);
    let listing = texts(&tags, "main li").join(" | ");
    assert!(
        listing.contains("Other") && listing.contains('8'),
        "{listing}"
    );
    assert!(
        listing.contains("Three") && listing.contains('4'),
        "{listing}"
    );
}

#[test]
fn tags_in_different_case_or_spacing_are_one_tag_named_by_first_spelling() {
    let site = TestSite::new();
    site.post(
        "old.md",
        "title = \"Old\"\ndate = 2026-01-01\ntags = [\"Central Asia\"]",
        "x",
    )
    .post(
        "new.md",
        "title = \"New\"\ndate = 2026-02-01\ntags = [\"central  asia\"]",
        "x",
    )
    .post(
        "zola.md",
        "title = \"Zola\"\ndate = 2026-03-01\n[taxonomies]\ntags = [\"CENTRAL ASIA\"]",
        "x",
    );
    let built = site.built();
    let tag = built.page("/tags/central-asia/");
    assert_eq!(texts(&tag, "main article h2 a"), ["Zola", "New", "Old"]);
    assert!(texts(&tag, "h1").join(" ").contains("Central Asia"));
    let listing = built.page("/tags/");
    assert_eq!(
        attrs(&listing, "main a[href^='/tags/']", "href"),
        ["/tags/central-asia/"]
    );
}

#[test]
fn non_ascii_tags_get_ascii_slugs() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01\ntags = [\"Москва\", \"Café Society\"]",
        "x",
    );
    let built = site.built();
    assert!(built.exists("tags/moskva/index.html"));
    assert!(built.exists("tags/cafe-society/index.html"));
}

#[test]
fn drafts_and_future_posts_are_absent_unless_asked_for() {
    let site = TestSite::new();
    site.post("pub.md", "title = \"Published\"\ndate = 2026-01-01", "x")
        .post(
            "draft.md",
            "title = \"Draft\"\ndate = 2026-01-02\ndraft = true",
            "x",
        )
        .post("future.md", "title = \"Future\"\ndate = 2027-01-01", "x")
        .write(
            "content/posts/jekyll.md",
            "---\ntitle: Unpublished\ndate: 2026-01-03\npublished: false\n---\nx\n",
        );
    let built = site.built();
    assert_eq!(texts(&built.page("/"), "main article h2 a"), ["Published"]);
    assert!(!built.exists("posts/draft"));
    assert!(!built.exists("posts/future"));

    let mut options = site.options();
    options.drafts = true;
    quire::build(&options).unwrap();
    let home = built.page("/");
    assert_eq!(
        texts(&home, "main article h2 a"),
        ["Future", "Unpublished", "Draft", "Published"]
    );
}

#[test]
fn dates_come_from_jekyll_file_names_and_yaml_and_toml_both_work() {
    let site = TestSite::new();
    site.write(
        "content/posts/2026-03-05-from-the-name.md",
        "---\ntitle: From the name\ntags: [yaml]\n---\nYAML body.\n",
    )
    .post(
        "toml.md",
        "title = \"Toml\"\ndate = 2026-03-06T08:00:00+01:00",
        "TOML body.",
    )
    .write(
        "content/posts/jekyll-date.md",
        "---\ntitle: Jekyll date\ndate: 2026-03-04 10:00:00 +0200\n---\nx\n",
    );
    let built = site.built();
    let post = built.page("/posts/from-the-name/");
    assert_eq!(texts(&post, "h1"), ["From the name"]);
    assert_eq!(
        attrs(&post, "article time", "datetime")[0],
        "2026-03-05T00:00:00+00:00"
    );
    assert_eq!(
        texts(&built.page("/"), "main article h2 a"),
        ["Toml", "From the name", "Jekyll date"]
    );
    assert_eq!(
        attrs(
            &built.page("/posts/jekyll-date/"),
            "article time",
            "datetime"
        )[0],
        "2026-03-04T10:00:00+02:00"
    );
}

#[test]
fn post_page_has_headline_dateline_byline_image_signoff_tags_and_neighbours() {
    let site = TestSite::with_config(&format!("{CONFIG}disclaimer = \"Views are *my own*.\"\n"));
    site.post("a.md", "title = \"First\"\ndate = 2026-01-01", "x")
        .post(
            "b.md",
            "title = \"Second <b>bold</b>\"\ndate = 2026-01-02\nauthor = \"Bo Byline\"\ntags = [\"Harbour\", \"Ferries\"]\nimage = \"/images/lead.svg\"\nimage_caption = \"The quay at dawn\"",
            "Body paragraph.\n\n> A quotation.\n",
        )
        .post("c.md", "title = \"Third\"\ndate = 2026-01-03", "x")
        .write("static/images/lead.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    let built = site.built();
    let post = built.page("/posts/b/");
    assert_eq!(
        texts(&post, "main h1"),
        ["Second <b>bold</b>"],
        "title is escaped text"
    );
    assert!(select(&post, "main h1 b").is_empty());
    assert_eq!(
        attrs(&post, "main article time", "datetime")[0],
        "2026-01-02T00:00:00+00:00"
    );
    assert!(
        texts(&post, "main article")
            .join(" ")
            .contains("By Bo Byline")
    );
    let fig = select(&post, "main article figure img");
    assert_eq!(fig[0].value().attr("src"), Some("/images/lead.svg"));
    assert_eq!(
        fig[0].value().attr("alt"),
        Some("The quay at dawn"),
        "alt falls back to the caption"
    );
    assert_eq!(
        texts(&post, "main article figure figcaption")[0],
        "The quay at dawn"
    );
    assert_eq!(texts(&post, "main article blockquote"), ["A quotation."]);
    let article = texts(&post, "main article").join(" ");
    let body_at = article.find("Body paragraph").unwrap();
    let signoff_at = article.rfind("— Bo Byline").expect("a sign-off line");
    assert!(signoff_at > body_at, "sign-off after the body");
    assert!(
        article.contains("Views are my own."),
        "disclaimer shown: {article}"
    );
    assert_eq!(
        attrs(&post, "main article a[href^='/tags/']", "href"),
        ["/tags/harbour/", "/tags/ferries/"],
        "tags in the order written"
    );
    let neighbours = attrs(&post, "main nav a", "href");
    assert!(
        neighbours.contains(&"/posts/a/".to_string()),
        "{neighbours:?}"
    );
    assert!(
        neighbours.contains(&"/posts/c/".to_string()),
        "{neighbours:?}"
    );
}

#[test]
fn every_page_has_skip_links_masthead_nav_main_and_sidebar() {
    let site = TestSite::with_config(&format!(
        "{CONFIG}latest_posts = 2\n[breaking_news]\ntext = \"Ferry strike\"\nurl = \"/posts/a/\"\n"
    ));
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01\ntags = [\"x\"]",
        "x",
    )
    .post("b.md", "title = \"B\"\ndate = 2026-01-02", "x")
    .post("c.md", "title = \"C\"\ndate = 2026-01-03", "x")
    .write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nAbout us.\n",
    );
    let built = site.built();
    for url in [
        "/",
        "/posts/a/",
        "/tags/",
        "/tags/x/",
        "/about/",
        "/404.html",
    ] {
        let doc = built.page(url);
        assert_eq!(attrs(&doc, "html", "lang"), ["en"], "{url}");
        let links = attrs(&doc, "a", "href");
        assert_eq!(
            &links[..2],
            ["#main", "#nav"],
            "{url}: skip links come first"
        );
        assert_eq!(select(&doc, "main#main").len(), 1, "{url}");
        assert_eq!(select(&doc, "nav#nav").len(), 1, "{url}");
        assert_eq!(select(&doc, "h1").len(), 1, "{url}: one h1");
        let banner = texts(&doc, "body").join(" ");
        assert!(
            banner.contains("Breaking News") && banner.contains("Ferry strike"),
            "{url}"
        );
        assert!(
            texts(&doc, "header").join(" ").contains("Test Blog"),
            "{url}"
        );
        let aside = texts(&doc, "aside").join(" ");
        assert!(
            aside.contains("About This Blog") && aside.contains("A test blog."),
            "{url}: {aside}"
        );
        assert_eq!(
            attrs(&doc, "aside a[href^='/posts/']", "href"),
            ["/posts/c/", "/posts/b/"],
            "{url}: latest posts, newest first, `latest_posts` of them"
        );
        let nav = attrs(&doc, "nav#nav a", "href");
        assert_eq!(nav, ["/", "/tags/", "/about/"], "{url}");
        assert!(!select(&doc, "title").is_empty(), "{url}");
        assert!(
            select(&doc, "script:not([type='application/ld+json'])").is_empty(),
            "{url}: no JavaScript"
        );
    }
    let about = built.page("/about/");
    assert_eq!(
        attrs(&about, "nav#nav a[aria-current=page]", "href"),
        ["/about/"]
    );
}

#[test]
fn no_breaking_news_banner_without_the_table() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x");
    let home = site.built().page("/");
    assert!(!texts(&home, "body").join(" ").contains("Breaking News"));
}

#[test]
fn titles_and_meta_descriptions_are_per_page() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"Alpha & Omega\"\ndate = 2026-01-01\nsummary = \"The *whole* story.\"",
        "Body.",
    );
    let built = site.built();
    let post = built.page("/posts/a/");
    assert_eq!(texts(&post, "title"), ["Alpha & Omega — Test Blog"]);
    assert_eq!(
        attrs(&post, "meta[name=description]", "content"),
        ["The whole story."]
    );
    let home = built.page("/");
    assert_eq!(
        attrs(&home, "meta[name=description]", "content"),
        ["A test blog."]
    );
    assert_ne!(texts(&home, "title"), texts(&post, "title"));
}

#[test]
fn summary_is_the_field_else_text_before_more_else_first_paragraph() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-03\nsummary = \"Given summary.\"",
        "First A.\n\nSecond A.",
    )
    .post(
        "b.md",
        "title = \"B\"\ndate = 2026-01-02",
        "First B.\n\nSecond B.\n\n<!-- more -->\n\nThird B.",
    )
    .post(
        "c.md",
        "title = \"C\"\ndate = 2026-01-01",
        "First C.\n\nSecond C.",
    );
    let home = site.built().page("/");
    let summaries: Vec<String> = select(&home, "main article")
        .iter()
        .map(|a| {
            a.select(&sel("p"))
                .map(|p| text(&p))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert!(
        summaries[0].contains("Given summary.") && !summaries[0].contains("First A"),
        "{summaries:?}"
    );
    assert!(
        summaries[1].contains("First B. Second B.") && !summaries[1].contains("Third"),
        "{summaries:?}"
    );
    assert!(
        summaries[2].contains("First C.") && !summaries[2].contains("Second C"),
        "{summaries:?}"
    );
}

#[test]
fn bundle_assets_are_copied_and_relative_links_resolve() {
    let site = TestSite::new();
    site.write(
        "content/posts/light/index.md",
        "+++\ntitle = \"Light\"\ndate = 2026-01-01\nimage = \"lamp.svg\"\nimage_alt = \"A lamp\"\n+++\n\n![The lens](lens.svg \"The old lens\")\n\nSee [the plan](docs/plan.txt).\n",
    )
    .write("content/posts/light/lens.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
    .write("content/posts/light/lamp.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
    .write("content/posts/light/docs/plan.txt", "plan");
    let built = site.built();
    assert!(built.exists("posts/light/lens.svg"));
    assert!(built.exists("posts/light/docs/plan.txt"));
    let post = built.page("/posts/light/");
    let figure_src = attrs(&post, "main article figure img", "src");
    assert!(
        figure_src.contains(&"/posts/light/lens.svg".to_string()),
        "{figure_src:?}"
    );
    assert!(
        figure_src.contains(&"/posts/light/lamp.svg".to_string()),
        "lead image: {figure_src:?}"
    );
    assert_eq!(
        texts(&post, "main article figure figcaption"),
        ["The old lens"]
    );
    assert!(
        attrs(&post, "main article a", "href").contains(&"/posts/light/docs/plan.txt".to_string())
    );
    // The home page shows the lead image with a URL that works from there too.
    assert!(
        attrs(&built.page("/"), "main img", "src").contains(&"/posts/light/lamp.svg".to_string())
    );
}

#[test]
fn standalone_pages_and_static_files_are_written() {
    let site = TestSite::new();
    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nWho we are.\n",
    )
    .write("static/robots.txt", "User-agent: *\n")
    .write("static/img/x.svg", "<svg/>");
    let built = site.built();
    assert_eq!(texts(&built.page("/about/"), "main h1"), ["About"]);
    assert_eq!(
        std::fs::read_to_string(built.out.join("robots.txt")).unwrap(),
        "User-agent: *\n"
    );
    assert!(built.exists("img/x.svg"));
    assert!(
        built.exists("style.css"),
        "theme stylesheet from the embedded theme"
    );
}

#[test]
fn site_templates_override_the_embedded_theme_file_by_file() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x")
        .write("templates/page.html", "{% extends \"base.html\" %}{% block content %}<h1 class=\"mine\">{{ page.title }}</h1>{% endblock content %}")
        .write("content/about.md", "+++\ntitle = \"About\"\n+++\nx\n")
        .write("static/style.css", "body { color: red }");
    let built = site.built();
    assert_eq!(texts(&built.page("/about/"), "h1.mine"), ["About"]);
    // Other templates still come from the theme.
    assert_eq!(texts(&built.page("/posts/a/"), "main h1"), ["A"]);
    assert_eq!(
        std::fs::read_to_string(built.out.join("style.css")).unwrap(),
        "body { color: red }"
    );
}

#[test]
fn permalink_pattern_with_dates() {
    let site = TestSite::with_config(&format!(
        "{CONFIG}permalink = \"/{{year}}/{{month}}/{{slug}}/\"\n"
    ));
    site.post("a.md", "title = \"A\"\ndate = 2026-02-03", "x");
    let built = site.built();
    assert!(built.exists("2026/02/a/index.html"));
    assert_eq!(
        attrs(&built.page("/"), "main article h2 a", "href"),
        ["/2026/02/a/"]
    );
}

#[test]
fn markdown_features_render() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01",
        "## Section\n\n## Section\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1].\n\n[^1]: The note.\n\n- [x] done\n\n~~gone~~\n",
    );
    let post = site.built().page("/posts/a/");
    assert_eq!(
        attrs(&post, "main article h2[id]", "id"),
        ["section", "section-1"]
    );
    assert_eq!(select(&post, "main article table td").len(), 2);
    assert_eq!(select(&post, "main article sup a[href^='#']").len(), 1);
    assert_eq!(select(&post, "main article del").len(), 1);
    assert_eq!(select(&post, "main article input[type=checkbox]").len(), 1);
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let site = TestSite::new();
    numbered_posts(&site, 8);
    let built = site.built();
    let first = tree(&built.out);
    site.build().unwrap();
    assert_eq!(first, tree(&built.out));
}

#[test]
fn base_url_flag_changes_links_under_a_sub_path() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01\ntags = [\"t\"]",
        "x",
    );
    let mut options = site.options();
    options.base_url = Some("https://example.org/blog/".into());
    let report = quire::build(&options).unwrap();
    let built = Built {
        out: report.output.clone(),
        report,
    };
    assert!(
        built.exists("posts/a/index.html"),
        "files are not nested under the sub-path"
    );
    let home = built.page("/");
    assert_eq!(
        attrs(&home, "main article h2 a", "href"),
        ["/blog/posts/a/"]
    );
    assert_eq!(attrs(&home, "nav#nav a", "href"), ["/blog/", "/blog/tags/"]);
    assert_eq!(
        attrs(&home, "link[rel=stylesheet]", "href"),
        ["/blog/style.css", "/blog/syntax.css"]
    );
}

#[test]
fn breaking_news_links_carry_the_base_path() {
    let site = TestSite::with_config(&format!(
        "{CONFIG}[breaking_news]\ntext = \"Storm\"\nurl = \"/posts/a/\"\n"
    ));
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x");
    let mut options = site.options();
    options.base_url = Some("https://example.org/blog/".into());
    let report = quire::build(&options).unwrap();
    let built = Built {
        out: report.output.clone(),
        report,
    };
    let links = attrs(&built.page("/"), "a", "href");
    assert!(links.contains(&"/blog/posts/a/".to_string()), "{links:?}");
    assert!(!links.contains(&"/posts/a/".to_string()), "{links:?}");
}

#[test]
fn a_build_reports_its_stages_and_every_file_it_writes_to_progress() {
    use std::sync::{Arc, Mutex};
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01\ntags = [\"x\"]",
        "x",
    )
    .post("b.md", "title = \"B\"\ndate = 2026-01-02", "y");
    let steps = Arc::new(Mutex::new(Vec::new()));
    let log = steps.clone();
    let mut options = site.options();
    options.progress = quire::Progress::new(move |s| log.lock().unwrap().push(s));
    let report = quire::build(&options).unwrap();
    let steps = steps.lock().unwrap();
    let stages: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            quire::Step::Stage(name) => Some(*name),
            _ => None,
        })
        .collect();
    assert_eq!(
        stages,
        [
            "reading",
            "rendering Markdown",
            "rendering pages",
            "checking links"
        ]
    );
    let wrote = steps.iter().filter(|s| **s == quire::Step::Wrote).count();
    // Pages and feeds are reported as they are written; copied and theme files are not.
    assert!(
        wrote >= report.pages && wrote < report.files,
        "{wrote} of {report:?}"
    );
}
