//! Sections, `_index.md` settings, `path`/`url`, `home_section`, `get_section` and the
//! configured taxonomies (authors, series, custom ones), through whole builds; and the worked
//! example in `examples/newsroom/`.

use std::fs;
use std::path::Path;

use feed_rs::model::Feed;

use crate::harness::*;

/// Write `content/<rel>` with TOML front matter `fm` and a body.
fn doc(site: &TestSite, rel: &str, fm: &str, body: &str) {
    site.write(
        &format!("content/{rel}"),
        &format!("+++\n{fm}\n+++\n{body}\n"),
    );
}

/// The post titles a list page shows, in order.
fn listed(built: &Built, url: &str) -> Vec<String> {
    texts(&built.page(url), ".post-list .summary .headline a")
}

fn feed(built: &Built, rel: &str) -> Feed {
    let bytes = fs::read(built.out.join(rel)).unwrap_or_else(|e| panic!("{rel} missing: {e}"));
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
}

fn entry_titles(feed: &Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| e.title.as_ref().expect("entry title").content.clone())
        .collect()
}

/// Three posts whose date, title, weight and file orders all differ:
/// date (newest first) Cherry, Banana, Apple; title Apple, Banana, Cherry;
/// weight Cherry, Apple, Banana; file name Banana, Cherry, Apple.
fn three_posts(site: &TestSite, section: &str) {
    doc(
        site,
        &format!("{section}/1-b.md"),
        "title = \"Banana\"\ndate = 2026-01-02\nweight = 3",
        "B.",
    );
    doc(
        site,
        &format!("{section}/2-c.md"),
        "title = \"Cherry\"\ndate = 2026-01-03\nweight = 1",
        "C.",
    );
    doc(
        site,
        &format!("{section}/3-a.md"),
        "title = \"Apple\"\ndate = 2026-01-01\nweight = 2",
        "A.",
    );
}

#[test]
fn same_file_name_in_two_sections_gives_two_pages() {
    let site = TestSite::new();
    doc(&site, "docs/a.md", "title = \"Docs A\"", "In docs.");
    doc(&site, "notes/a.md", "title = \"Notes A\"", "In notes.");
    let built = site.built();
    assert_eq!(texts(&built.page("/docs/a/"), "h1.headline"), ["Docs A"]);
    assert_eq!(texts(&built.page("/notes/a/"), "h1.headline"), ["Notes A"]);
    assert_eq!(listed(&built, "/docs/"), ["Docs A"]);
    assert_eq!(listed(&built, "/notes/"), ["Notes A"]);
}

#[test]
fn index_md_gives_title_body_and_description() {
    let site = TestSite::new();
    doc(
        &site,
        "news/_index.md",
        "title = \"The Newsdesk\"\ndescription = \"Stories from the desk.\"",
        "Welcome to the **desk**.",
    );
    doc(
        &site,
        "news/a.md",
        "title = \"Story\"\ndate = 2026-02-01",
        "S.",
    );
    let built = site.built();
    let page = built.page("/news/");
    assert_eq!(texts(&page, "main h1"), ["The Newsdesk"]);
    assert_eq!(texts(&page, ".page-intro strong"), ["desk"]);
    assert_eq!(
        attrs(&page, "meta[name=description]", "content"),
        ["Stories from the desk."]
    );
    assert_eq!(texts(&page, "title"), ["The Newsdesk — Test Blog"]);
    // The nav names the section by its title.
    assert!(texts(&page, "#nav a").contains(&"The Newsdesk".to_string()));
}

#[test]
fn yaml_index_md_and_folder_name_titles() {
    let site = TestSite::new();
    site.write(
        "content/features/_index.md",
        "---\ndescription: Long reads.\n---\nLonger pieces.\n",
    );
    doc(
        &site,
        "features/f.md",
        "title = \"F\"\ndate = 2026-02-01",
        "F.",
    );
    doc(
        &site,
        "world-news/a.md",
        "title = \"A\"\ndate = 2026-02-01",
        "A.",
    );
    let built = site.built();
    // No title in `_index.md`, nor an `_index.md` at all: the folder's name.
    assert_eq!(texts(&built.page("/features/"), "main h1"), ["Features"]);
    assert_eq!(
        attrs(
            &built.page("/features/"),
            "meta[name=description]",
            "content"
        ),
        ["Long reads."]
    );
    assert_eq!(
        texts(&built.page("/world-news/"), "main h1"),
        ["World news"]
    );
}

#[test]
fn sort_by_each_order() {
    let site = TestSite::new();
    for (section, by) in [
        ("bydate", "date"),
        ("bytitle", "title"),
        ("byweight", "weight"),
        ("bynone", "none"),
    ] {
        doc(
            &site,
            &format!("{section}/_index.md"),
            &format!("sort_by = \"{by}\""),
            "",
        );
        three_posts(&site, section);
    }
    three_posts(&site, "plain");
    let built = site.built();
    assert_eq!(listed(&built, "/bydate/"), ["Cherry", "Banana", "Apple"]);
    assert_eq!(listed(&built, "/plain/"), ["Cherry", "Banana", "Apple"]);
    assert_eq!(listed(&built, "/bytitle/"), ["Apple", "Banana", "Cherry"]);
    assert_eq!(listed(&built, "/byweight/"), ["Cherry", "Apple", "Banana"]);
    assert_eq!(listed(&built, "/bynone/"), ["Banana", "Cherry", "Apple"]);
    // The post pages' older/newer links follow the section's order.
    let apple = built.page("/bytitle/3-a/");
    assert_eq!(texts(&apple, ".post-nav .older a"), ["Banana"]);
    assert!(texts(&apple, ".post-nav .newer a").is_empty());
}

#[test]
fn paginate_by_two_and_zero() {
    let site = TestSite::with_config(&format!("{CONFIG}posts_per_page = 2\n"));
    doc(&site, "two/_index.md", "paginate_by = 2", "");
    doc(&site, "all/_index.md", "paginate_by = 0", "");
    for s in ["two", "all"] {
        for i in 1..=5 {
            doc(
                &site,
                &format!("{s}/p{i}.md"),
                &format!("title = \"P{i}\"\ndate = 2026-01-0{i}"),
                "x",
            );
        }
    }
    let built = site.built();
    assert_eq!(listed(&built, "/two/"), ["P5", "P4"]);
    assert_eq!(listed(&built, "/two/page/2/"), ["P3", "P2"]);
    assert_eq!(listed(&built, "/two/page/3/"), ["P1"]);
    assert!(!built.exists("/two/page/4/index.html"));
    assert_eq!(
        attrs(&built.page("/two/"), ".pagination a[rel=next]", "href"),
        ["/two/page/2/"]
    );
    assert_eq!(listed(&built, "/all/"), ["P5", "P4", "P3", "P2", "P1"]);
    assert!(!built.exists("/all/page/2/index.html"));
    assert!(select(&built.page("/all/"), ".pagination").is_empty());
}

#[test]
fn template_and_page_template_from_the_site() {
    let site = TestSite::new();
    site.write(
        "templates/desk.html",
        "{% extends \"base.html\" %}{% block content %}<h1 id=\"desk\">{{ section.title }}</h1>\
         <ul>{% for post in posts %}<li class=\"desk-item\">{{ post.title }}</li>{% endfor %}</ul>\
         {% endblock content %}",
    );
    site.write(
        "templates/story.html",
        "{% extends \"base.html\" %}{% block content %}<article id=\"story\">\
         <h1>{{ post.title }}</h1><p class=\"in\">{{ post.section.title }}</p>\
         {{ post.content | safe }}</article>{% endblock content %}",
    );
    doc(
        &site,
        "desk/_index.md",
        "title = \"Desk\"\ntemplate = \"desk.html\"\npage_template = \"story.html\"",
        "",
    );
    doc(
        &site,
        "desk/a.md",
        "title = \"Alpha\"\ndate = 2026-01-01",
        "Body.",
    );
    doc(
        &site,
        "other/b.md",
        "title = \"Beta\"\ndate = 2026-01-01",
        "Body.",
    );
    let built = site.built();
    let list = built.page("/desk/");
    assert_eq!(texts(&list, "#desk"), ["Desk"]);
    assert_eq!(texts(&list, ".desk-item"), ["Alpha"]);
    let post = built.page("/desk/a/");
    assert_eq!(texts(&post, "#story h1"), ["Alpha"]);
    assert_eq!(texts(&post, "#story .in"), ["Desk"]);
    // Another section keeps the theme's templates.
    assert!(select(&built.page("/other/b/"), "#story").is_empty());
    assert_eq!(texts(&built.page("/other/b/"), "h1.headline"), ["Beta"]);
    assert!(select(&built.page("/other/"), "#desk").is_empty());
}

#[test]
fn permalink_with_date_tokens_and_inherited_by_subsections() {
    let site = TestSite::new();
    doc(
        &site,
        "news/_index.md",
        "permalink = \"/{year}/{month}/{slug}/\"",
        "",
    );
    doc(
        &site,
        "news/hello.md",
        "title = \"Hello\"\ndate = 2026-03-05",
        "H.",
    );
    doc(
        &site,
        "news/local/fair.md",
        "title = \"Fair\"\ndate = 2025-11-20",
        "F.",
    );
    let built = site.built();
    assert_eq!(
        texts(&built.page("/2026/03/hello/"), "h1.headline"),
        ["Hello"]
    );
    assert_eq!(
        texts(&built.page("/2025/11/fair/"), "h1.headline"),
        ["Fair"]
    );
    assert!(!built.exists("/news/hello/index.html"));
    assert_eq!(
        attrs(&built.page("/news/"), ".post-list .headline a", "href"),
        ["/2026/03/hello/"]
    );
}

#[test]
fn section_feed_lists_the_section_posts() {
    let site = TestSite::new();
    doc(&site, "news/_index.md", "title = \"News\"\nfeed = true", "");
    doc(
        &site,
        "news/a.md",
        "title = \"News A\"\ndate = 2026-01-01",
        "A.",
    );
    doc(
        &site,
        "news/b.md",
        "title = \"News B\"\ndate = 2026-01-02",
        "B.",
    );
    doc(&site, "other/_index.md", "generate_feeds = false", "");
    doc(
        &site,
        "other/c.md",
        "title = \"Other C\"\ndate = 2026-01-03",
        "C.",
    );
    doc(&site, "alias/_index.md", "generate_feeds = true", "");
    doc(
        &site,
        "alias/d.md",
        "title = \"Alias D\"\ndate = 2026-01-04",
        "D.",
    );
    let built = site.built();
    for name in ["news/atom.xml", "news/rss.xml"] {
        let f = feed(&built, name);
        assert_eq!(entry_titles(&f), ["News B", "News A"], "{name}");
        let links: Vec<&str> = f.entries.iter().map(|e| e.links[0].href.as_str()).collect();
        assert_eq!(
            links,
            ["https://example.org/news/b/", "https://example.org/news/a/"],
            "{name}"
        );
    }
    assert_eq!(entry_titles(&feed(&built, "alias/atom.xml")), ["Alias D"]);
    assert!(!built.exists("other/atom.xml"));
    assert!(!built.exists("other/rss.xml"));
    let hrefs = attrs(&built.page("/news/"), "link[rel=alternate]", "href");
    assert!(hrefs.contains(&"/news/atom.xml".to_string()), "{hrefs:?}");
    assert!(hrefs.contains(&"/news/rss.xml".to_string()), "{hrefs:?}");
    let other = attrs(&built.page("/other/"), "link[rel=alternate]", "href");
    assert!(!other.iter().any(|h| h.starts_with("/other/")), "{other:?}");
}

#[test]
fn render_false_writes_no_list_but_the_pages() {
    let site = TestSite::new();
    doc(&site, "hidden/_index.md", "render = false", "");
    doc(
        &site,
        "hidden/a.md",
        "title = \"Still here\"\ndate = 2026-01-01",
        "A.",
    );
    let built = site.built();
    assert!(!built.exists("/hidden/index.html"));
    assert_eq!(
        texts(&built.page("/hidden/a/"), "h1.headline"),
        ["Still here"]
    );
    let nav = attrs(&built.page("/hidden/a/"), "#nav a", "href");
    assert!(!nav.contains(&"/hidden/".to_string()), "{nav:?}");
    let sitemap = fs::read_to_string(built.out.join("sitemap.xml")).unwrap();
    assert!(
        !sitemap.contains("https://example.org/hidden/<"),
        "{sitemap}"
    );
    assert!(sitemap.contains("https://example.org/hidden/a/"));
}

#[test]
fn transparent_subsection_posts_appear_in_the_parent_list() {
    let site = TestSite::new();
    doc(&site, "news/_index.md", "title = \"News\"", "");
    doc(
        &site,
        "news/top.md",
        "title = \"Top\"\ndate = 2026-01-01",
        "T.",
    );
    doc(
        &site,
        "news/world/_index.md",
        "title = \"World\"\ntransparent = true",
        "",
    );
    doc(
        &site,
        "news/world/w.md",
        "title = \"Wide\"\ndate = 2026-01-03",
        "W.",
    );
    doc(&site, "news/local/_index.md", "title = \"Local\"", "");
    doc(
        &site,
        "news/local/l.md",
        "title = \"Lane\"\ndate = 2026-01-02",
        "L.",
    );
    let built = site.built();
    assert_eq!(listed(&built, "/news/"), ["Wide", "Top"]);
    assert_eq!(listed(&built, "/news/world/"), ["Wide"]);
    assert_eq!(listed(&built, "/news/local/"), ["Lane"]);
    assert_eq!(texts(&built.page("/news/"), ".page-intro"), ["2 posts."]);
}

#[test]
fn draft_section_is_hidden_unless_drafts_are_on() {
    let site = TestSite::new();
    doc(
        &site,
        "secret/_index.md",
        "title = \"Secret\"\ndraft = true",
        "",
    );
    doc(
        &site,
        "secret/a.md",
        "title = \"Hush\"\ndate = 2026-01-01",
        "H.",
    );
    doc(
        &site,
        "secret/deeper/b.md",
        "title = \"Deeper\"\ndate = 2026-01-01",
        "D.",
    );
    doc(
        &site,
        "open/a.md",
        "title = \"Open\"\ndate = 2026-01-01",
        "O.",
    );
    let built = site.built();
    for gone in [
        "/secret/index.html",
        "/secret/a/index.html",
        "/secret/deeper/index.html",
        "/secret/deeper/b/index.html",
    ] {
        assert!(!built.exists(gone), "{gone}");
    }
    assert!(!texts(&built.page("/"), ".headline a").contains(&"Hush".to_string()));
    let nav = texts(&built.page("/open/"), "#nav a");
    assert!(!nav.contains(&"Secret".to_string()), "{nav:?}");

    let mut options = site.options();
    options.drafts = true;
    let report = quire::build(&options).unwrap();
    let built = Built {
        out: report.output.clone(),
        report,
    };
    assert_eq!(listed(&built, "/secret/"), ["Hush"]);
    assert_eq!(
        texts(&built.page("/secret/deeper/b/"), "h1.headline"),
        ["Deeper"]
    );
}

#[test]
fn subsections_are_ordered_by_weight_then_title() {
    let site = TestSite::new();
    doc(&site, "guide/_index.md", "title = \"Guide\"", "");
    doc(
        &site,
        "guide/zeta/_index.md",
        "title = \"Zeta\"\nweight = 1",
        "",
    );
    doc(
        &site,
        "guide/alpha/_index.md",
        "title = \"Alpha\"\nweight = 2",
        "",
    );
    doc(
        &site,
        "guide/beta/_index.md",
        "title = \"Beta\"\nweight = 2",
        "",
    );
    for s in ["zeta", "alpha", "beta"] {
        doc(
            &site,
            &format!("guide/{s}/p.md"),
            "title = \"P\"\ndate = 2026-01-01",
            "p",
        );
    }
    let built = site.built();
    let page = built.page("/guide/");
    assert_eq!(texts(&page, ".subsections a"), ["Zeta", "Alpha", "Beta"]);
    assert_eq!(
        attrs(&page, ".subsections a", "href"),
        ["/guide/zeta/", "/guide/alpha/", "/guide/beta/"]
    );
}

#[test]
fn sections_table_in_config_sets_every_section_default() {
    let site = TestSite::with_config(&format!(
        "{CONFIG}[sections]\nsort_by = \"title\"\npaginate_by = 2\n"
    ));
    three_posts(&site, "plain");
    doc(
        &site,
        "own/_index.md",
        "sort_by = \"weight\"\npaginate_by = 0",
        "",
    );
    three_posts(&site, "own");
    let built = site.built();
    assert_eq!(listed(&built, "/plain/"), ["Apple", "Banana"]);
    assert_eq!(listed(&built, "/plain/page/2/"), ["Cherry"]);
    // An `_index.md` setting wins over `[sections]`.
    assert_eq!(listed(&built, "/own/"), ["Cherry", "Apple", "Banana"]);
    assert!(!built.exists("/own/page/2/index.html"));
}

#[test]
fn nested_sections_urls_breadcrumbs_and_subsection_links() {
    let site = TestSite::new();
    doc(&site, "news/_index.md", "title = \"News\"", "");
    doc(
        &site,
        "news/World Affairs/_index.md",
        "title = \"World\"",
        "",
    );
    doc(
        &site,
        "news/World Affairs/europe/a.md",
        "title = \"Deep\"\ndate = 2026-01-01",
        "D.",
    );
    let built = site.built();
    // Folder names are slugified into the URL.
    let europe = built.page("/news/world-affairs/europe/");
    assert_eq!(texts(&europe, "main h1"), ["Europe"]);
    assert_eq!(texts(&europe, ".breadcrumbs a"), ["News", "World"]);
    assert_eq!(
        attrs(&europe, ".breadcrumbs a", "href"),
        ["/news/", "/news/world-affairs/"]
    );
    assert_eq!(listed(&built, "/news/world-affairs/europe/"), ["Deep"]);
    assert_eq!(
        texts(&built.page("/news/world-affairs/europe/a/"), "h1.headline"),
        ["Deep"]
    );
    let news = built.page("/news/");
    assert_eq!(
        attrs(&news, ".subsections a", "href"),
        ["/news/world-affairs/"]
    );
    assert!(select(&news, ".breadcrumbs").is_empty());
    let world = built.page("/news/world-affairs/");
    assert_eq!(
        attrs(&world, ".subsections a", "href"),
        ["/news/world-affairs/europe/"]
    );
    assert_eq!(texts(&world, ".breadcrumbs a"), ["News"]);
    // The nav marks the top section as the current one on a deep page.
    let deep = built.page("/news/world-affairs/europe/a/");
    assert_eq!(
        attrs(&deep, "#nav a[aria-current=true]", "href"),
        ["/news/"]
    );
}

#[test]
fn path_and_url_set_the_url_outright() {
    let site = TestSite::new();
    doc(
        &site,
        "posts/timeline.md",
        "title = \"Timeline\"\ndate = 2014-12-12\npath = \"2014/12/12/timeline\"",
        "T.",
    );
    doc(
        &site,
        "posts/old.md",
        "title = \"Old\"\ndate = 2014-01-01\nurl = \"/old.html\"",
        "O.",
    );
    doc(
        &site,
        "notes/n.md",
        "title = \"Note\"\nurl = \"/elsewhere/note/\"",
        "N.",
    );
    doc(
        &site,
        "about.md",
        "title = \"About\"\npath = \"/who/\"",
        "A.",
    );
    let built = site.built();
    assert_eq!(
        texts(&built.page("/2014/12/12/timeline/"), "h1.headline"),
        ["Timeline"]
    );
    assert_eq!(texts(&built.page("/old.html"), "h1.headline"), ["Old"]);
    assert!(!built.exists("/old.html/index.html"));
    assert!(!built.exists("/posts/old/index.html"));
    assert_eq!(
        texts(&built.page("/elsewhere/note/"), "h1.headline"),
        ["Note"]
    );
    assert!(built.exists("/who/index.html"));
    assert!(!built.exists("/about/index.html"));
    let home_links = attrs(&built.page("/"), ".post-list .headline a", "href");
    assert_eq!(home_links, ["/2014/12/12/timeline/", "/old.html"]);
}

#[test]
fn home_section_names_the_section_the_home_page_lists() {
    let config = format!("{CONFIG}home_section = \"news\"\n");
    let site = TestSite::with_config(&config);
    doc(
        &site,
        "news/a.md",
        "title = \"News A\"\ndate = 2026-01-01",
        "A.",
    );
    doc(
        &site,
        "news/deep/b.md",
        "title = \"Deep B\"\ndate = 2026-01-02",
        "B.",
    );
    doc(
        &site,
        "posts/c.md",
        "title = \"Blog C\"\ndate = 2026-01-03",
        "C.",
    );
    let built = site.built();
    assert_eq!(listed(&built, "/"), ["Deep B", "News A"]);
    // The home section is not a nav entry of its own; other sections are.
    let nav = attrs(&built.page("/"), "#nav a", "href");
    assert!(!nav.contains(&"/news/".to_string()), "{nav:?}");
    assert!(nav.contains(&"/posts/".to_string()), "{nav:?}");
}

#[test]
fn home_section_star_lists_every_dated_post() {
    let site = TestSite::with_config(&format!("{CONFIG}home_section = \"*\"\n"));
    doc(
        &site,
        "news/a.md",
        "title = \"News A\"\ndate = 2026-01-01",
        "A.",
    );
    doc(
        &site,
        "posts/c.md",
        "title = \"Blog C\"\ndate = 2026-01-03",
        "C.",
    );
    doc(&site, "docs/u.md", "title = \"Undated\"", "U.");
    let built = site.built();
    assert_eq!(listed(&built, "/"), ["Blog C", "News A"]);
}

#[test]
fn get_section_shows_two_rivers_on_the_home_page() {
    let site = TestSite::new();
    site.write(
        "templates/index.html",
        r#"{% extends "base.html" %}{% block content %}
{% for path in ["news", "analysis"] %}{% set s = get_section(path=path) %}
<section class="river" id="river-{{ s.path }}"><h2><a href="{{ s.url }}">{{ s.title }}</a></h2>
<ul>{% for p in s.pages %}{% if loop.index <= 2 %}<li><a href="{{ p.url }}">{{ p.title }}</a></li>{% endif %}{% endfor %}</ul>
<p class="count">{{ s.count }}</p></section>
{% endfor %}{% endblock content %}"#,
    );
    doc(&site, "news/_index.md", "title = \"News\"", "");
    doc(&site, "analysis/_index.md", "title = \"Analysis\"", "");
    for i in 1..=3 {
        doc(
            &site,
            &format!("news/n{i}.md"),
            &format!("title = \"N{i}\"\ndate = 2026-01-0{i}"),
            "n",
        );
    }
    doc(
        &site,
        "analysis/a1.md",
        "title = \"A1\"\ndate = 2026-01-05",
        "a",
    );
    let built = site.built();
    let home = built.page("/");
    assert_eq!(texts(&home, "#river-news li"), ["N3", "N2"]);
    assert_eq!(
        attrs(&home, "#river-news li a", "href"),
        ["/news/n3/", "/news/n2/"]
    );
    assert_eq!(texts(&home, "#river-news .count"), ["3"]);
    assert_eq!(texts(&home, "#river-analysis li"), ["A1"]);
    assert_eq!(texts(&home, "#river-analysis h2 a"), ["Analysis"]);
}

#[test]
fn get_section_of_an_unknown_path_is_an_error() {
    let site = TestSite::new();
    site.write(
        "templates/index.html",
        r#"{% extends "base.html" %}{% block content %}{% set s = get_section(path="nowhere") %}{{ s.title }}{% endblock content %}"#,
    );
    doc(&site, "news/a.md", "title = \"A\"\ndate = 2026-01-01", "a");
    let error = site.build().unwrap_err().to_string();
    assert!(error.contains("no section `nowhere`"), "{error}");
}

const TAXONOMIES: &str = "taxonomies = [{ name = \"tags\", feed = true, paginate_by = 2 }, \
    { name = \"categories\" }, { name = \"authors\", feed = true }, { name = \"series\" }, \
    { name = \"places\" }]\n";

#[test]
fn authors_byline_links_to_a_page_listing_the_post_with_a_feed() {
    let site = TestSite::with_config(&format!("{CONFIG}{TAXONOMIES}"));
    doc(
        &site,
        "posts/a.md",
        "title = \"By Jo\"\ndate = 2026-01-01\nauthor = \"Jo Example\"",
        "A.",
    );
    doc(
        &site,
        "posts/b.md",
        "title = \"By Both\"\ndate = 2026-01-02\nauthors = [\"Max Sample\", \"Jo Example\"]",
        "B.",
    );
    doc(
        &site,
        "posts/c.md",
        "title = \"Anonymous\"\ndate = 2026-01-03",
        "C.",
    );
    let built = site.built();
    let post = built.page("/posts/a/");
    assert_eq!(texts(&post, ".byline a[rel=author]"), ["Jo Example"]);
    assert_eq!(attrs(&post, ".byline a", "href"), ["/authors/jo-example/"]);
    // `authors` without `author`: the first is the byline.
    assert_eq!(
        attrs(&built.page("/posts/b/"), ".byline a", "href"),
        ["/authors/max-sample/"]
    );
    // Neither: the site's author, not linked.
    let c = built.page("/posts/c/");
    assert_eq!(texts(&c, ".byline"), ["By Ann Author"]);
    assert!(select(&c, ".byline a").is_empty());
    assert_eq!(listed(&built, "/authors/jo-example/"), ["By Both", "By Jo"]);
    assert_eq!(listed(&built, "/authors/max-sample/"), ["By Both"]);
    assert_eq!(
        entry_titles(&feed(&built, "authors/jo-example/atom.xml")),
        ["By Both", "By Jo"]
    );
    assert_eq!(
        entry_titles(&feed(&built, "authors/jo-example/rss.xml")),
        ["By Both", "By Jo"]
    );
    // No feeds for a taxonomy without `feed = true`.
    doc(
        &site,
        "posts/d.md",
        "title = \"D\"\ndate = 2026-01-04\nplaces = [\"Harbour\"]",
        "D.",
    );
    let built = site.built();
    assert!(built.exists("/places/harbour/index.html"));
    assert!(!built.exists("/places/harbour/atom.xml"));
}

#[test]
fn series_shows_part_n_of_m_in_date_order() {
    let site = TestSite::with_config(&format!("{CONFIG}{TAXONOMIES}"));
    // Written out of order: files and titles do not follow the dates.
    doc(
        &site,
        "posts/z-first.md",
        "title = \"Laying the base\"\ndate = 2026-01-01\nseries = \"Shed Build\"",
        "1",
    );
    doc(
        &site,
        "posts/a-third.md",
        "title = \"The roof\"\ndate = 2026-03-01\nseries = [\"Shed Build\"]",
        "3",
    );
    doc(
        &site,
        "posts/m-second.md",
        "title = \"Walls up\"\ndate = 2026-02-01\n[taxonomies]\nseries = [\"Shed Build\"]",
        "2",
    );
    doc(
        &site,
        "posts/other.md",
        "title = \"Unrelated\"\ndate = 2026-02-15",
        "x",
    );
    let built = site.built();
    let second = built.page("/posts/m-second/");
    assert_eq!(
        texts(&second, ".series .series-title"),
        ["Part 2 of 3 in the series Shed Build"]
    );
    assert_eq!(
        attrs(&second, ".series .series-title a", "href"),
        ["/series/shed-build/"]
    );
    assert_eq!(
        texts(&second, ".series li"),
        ["Laying the base", "Walls up", "The roof"]
    );
    assert_eq!(
        attrs(&second, ".series li a", "href"),
        ["/posts/z-first/", "/posts/a-third/"]
    );
    assert_eq!(texts(&second, ".series [aria-current=page]"), ["Walls up"]);
    assert_eq!(
        texts(&built.page("/posts/a-third/"), ".series .series-title"),
        ["Part 3 of 3 in the series Shed Build"]
    );
    assert!(select(&built.page("/posts/other/"), ".series").is_empty());
    // The series page reads oldest first.
    assert_eq!(
        listed(&built, "/series/shed-build/"),
        ["Laying the base", "Walls up", "The roof"]
    );
}

#[test]
fn custom_taxonomy_from_a_top_level_key_and_from_the_taxonomies_table() {
    let site = TestSite::with_config(&format!("{CONFIG}{TAXONOMIES}"));
    doc(
        &site,
        "posts/a.md",
        "title = \"Top\"\ndate = 2026-01-01\nplaces = [\"Old Harbour\"]",
        "A.",
    );
    doc(
        &site,
        "posts/b.md",
        "title = \"Table\"\ndate = 2026-01-02\n[taxonomies]\nplaces = [\"old harbour\", \"Hill\"]",
        "B.",
    );
    site.write(
        "content/posts/c.md",
        "---\ntitle: Yaml\ndate: 2026-01-03\nplaces: Hill\n---\nC.\n",
    );
    let built = site.built();
    assert_eq!(listed(&built, "/places/old-harbour/"), ["Table", "Top"]);
    assert_eq!(listed(&built, "/places/hill/"), ["Yaml", "Table"]);
    let names = texts(&built.page("/places/"), "main a");
    assert!(names.iter().any(|n| n.contains("Old Harbour")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("Hill")), "{names:?}");
}

#[test]
fn post_taxonomies_lists_each_taxonomy_on_the_post() {
    let site = TestSite::with_config(&format!("{CONFIG}{TAXONOMIES}"));
    site.write(
        "templates/post.html",
        r#"{% extends "base.html" %}{% block content %}<h1>{{ post.title }}</h1>
{% for name, terms in post.taxonomies %}<ul class="tax-{{ name }}">{% for t in terms %}<li><a href="{{ t.url }}">{{ t.name }}</a></li>{% endfor %}</ul>{% endfor %}
<p id="section"><a href="{{ post.section.url }}">{{ post.section.title }}</a> {{ post.section.path }}</p>
{% endblock content %}"#,
    );
    doc(
        &site,
        "posts/a.md",
        "title = \"A\"\ndate = 2026-01-01\nplaces = [\"Hill\"]\ntags = [\"T1\", \"T2\"]",
        "A.",
    );
    let built = site.built();
    let page = built.page("/posts/a/");
    assert_eq!(texts(&page, ".tax-places a"), ["Hill"]);
    assert_eq!(attrs(&page, ".tax-places a", "href"), ["/places/hill/"]);
    assert_eq!(texts(&page, ".tax-tags a"), ["T1", "T2"]);
    assert!(texts(&page, ".tax-series a").is_empty());
    assert_eq!(texts(&page, "#section"), ["Posts posts"]);
    assert_eq!(attrs(&page, "#section a", "href"), ["/posts/"]);
}

#[test]
fn unknown_taxonomy_keys_are_ignored() {
    let site = TestSite::new();
    doc(
        &site,
        "posts/a.md",
        "title = \"A\"\ndate = 2026-01-01\nmoods = [\"calm\"]\n[taxonomies]\nweather = [\"rain\"]",
        "A.",
    );
    let built = site.built();
    assert_eq!(texts(&built.page("/posts/a/"), "h1.headline"), ["A"]);
    assert!(!built.exists("/moods"));
    assert!(!built.exists("/weather"));
}

#[test]
fn tags_paginate_by_from_the_taxonomy_config() {
    let site = TestSite::with_config(&format!("{CONFIG}{TAXONOMIES}"));
    for i in 1..=3 {
        doc(
            &site,
            &format!("posts/p{i}.md"),
            &format!("title = \"P{i}\"\ndate = 2026-01-0{i}\ntags = [\"Common\"]"),
            "p",
        );
    }
    let built = site.built();
    assert_eq!(listed(&built, "/tags/common/"), ["P3", "P2"]);
    assert_eq!(listed(&built, "/tags/common/page/2/"), ["P1"]);
    assert!(!built.exists("/tags/common/page/3/index.html"));
}

/// Copy a folder tree (files only) from `from` into `to`.
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

#[test]
fn worked_example_newsroom_builds_with_both_rivers() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/newsroom");
    let site = TestSite::new();
    copy_tree(&example, site.root());
    // `built` runs the link checks: any broken internal link fails the build.
    let built = site.built();
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
    let home = built.page("/");
    let rivers = texts(&home, ".river > h2");
    assert_eq!(rivers, ["News", "Analysis"]);
    assert!(select(&home, ".river-news .headline a").len() >= 3);
    assert!(!select(&home, ".river-analysis .headline a").is_empty());
    for url in ["/news/", "/analysis/", "/authors/", "/about/", "/series/"] {
        assert!(built.exists(&format!("{url}index.html")), "{url}");
    }
    let authors = attrs(&built.page("/authors/"), "main a", "href");
    let author_pages: Vec<&String> = authors
        .iter()
        .filter(|h| h.starts_with("/authors/") && h.len() > "/authors/".len())
        .collect();
    assert_eq!(author_pages.len(), 2, "{authors:?}");
    for page in author_pages {
        assert!(!listed(&built, page).is_empty(), "{page}");
    }
    // The series has three parts.
    let series = attrs(&built.page("/series/"), "main a", "href");
    let term = series
        .iter()
        .find(|h| h.starts_with("/series/") && h.len() > "/series/".len())
        .expect("a series term");
    assert_eq!(listed(&built, term).len(), 3);
}
