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
fn zola_redirect_to_and_insert_anchor_links() {
    let site = TestSite::new();
    site.write(
        "content/old-news/_index.md",
        "+++\ntitle = \"Old news\"\nredirect_to = \"posts/\"\n+++\n",
    );
    site.write(
        "content/old-news/kept.md",
        "+++\ntitle = \"Still Here\"\ndate = 2024-01-01\n+++\nBody\n",
    );
    site.write(
        "content/posts/_index.md",
        "+++\ntitle = \"Posts\"\ninsert_anchor_links = \"left\"\n+++\n",
    );
    site.post(
        "a.md",
        "title = \"Anchored\"\ndate = 2024-02-01",
        "Intro.\n\n## First part\n\nText.\n\n## A [linked](/) part\n\nMore.",
    );
    site.write(
        "content/notes/_index.md",
        "+++\ntitle = \"Notes\"\ninsert_anchor_links = \"heading\"\n+++\n",
    );
    site.write(
        "content/notes/n.md",
        "+++\ntitle = \"Note\"\ndate = 2024-03-01\n+++\n## Whole heading\n",
    );
    let built = site.built();
    // The section's list is a redirect; its posts are still published.
    let list = built.page("/old-news/");
    assert_eq!(
        attrs(&list, "meta[http-equiv=refresh]", "content"),
        ["0; url=https://example.org/posts/"]
    );
    assert_eq!(texts(&list, "main p a"), ["Old news"]);
    assert_eq!(post_facts(&built, "/old-news/kept/").0, "Still Here");
    // `left`: a `#` link before each heading's text, out of the tab order.
    let post = built.page("/posts/a/");
    assert_eq!(
        attrs(&post, ".post-body h2 > a.anchor", "href"),
        ["#first-part", "#a-linked-part"]
    );
    assert_eq!(
        attrs(&post, ".post-body h2 > a.anchor", "tabindex"),
        ["-1", "-1"]
    );
    // Not in the summary on the home page.
    assert!(select(&built.page("/"), ".post-list a.anchor").is_empty());
    // `heading`: the heading's text is the link.
    let note = built.page("/notes/n/");
    assert_eq!(
        attrs(&note, ".post-body h2 > a.anchor-heading", "href"),
        ["#whole-heading"]
    );
    assert_eq!(
        texts(&note, ".post-body h2 > a.anchor-heading"),
        ["Whole heading"]
    );
    // A bad value is an error at its line.
    site.write(
        "content/notes/_index.md",
        "+++\ntitle = \"Notes\"\ninsert_anchor_links = \"top\"\n+++\n",
    );
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains("content/notes/_index.md:3:1: unknown `insert_anchor_links` value `top`"),
        "{err}"
    );
}

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
fn jekyll_excerpt_separator_ends_the_summary() {
    let site = TestSite::new();
    site.write(
        "content/_posts/2024-03-05-cut.md",
        "---\ntitle: Cut Here\nexcerpt_separator: <!--cut-->\n---\nFirst part, *shown*.\n\nStill shown.\n<!--cut-->\n\nOnly on the post.\n",
    );
    let built = site.built();
    let summary = texts(&built.page("/"), ".post-list .summary .summary-text p");
    assert_eq!(summary, ["First part, shown.", "Still shown."]);
    assert_eq!(
        texts(&built.page("/posts/cut/"), ".post-body p"),
        ["First part, shown.", "Still shown.", "Only on the post."]
    );
}

#[test]
fn jekyll_own_permalinks_with_placeholders() {
    let site = TestSite::new();
    site.write(
        "content/_posts/2024-03-05-Hello.World.md",
        "---\ntitle: Hello\ncategories: [Life, Code]\npermalink: /:categories/:year/:month/:day/:title:output_ext\n---\nBody\n",
    );
    site.write(
        "content/news/_posts/2024-04-01-in-news.md",
        "---\ntitle: In News\npermalink: /:categories/:i_month/:slug/\n---\nNews\n",
    );
    site.write(
        "content/pages/team.md",
        "---\ntitle: The Team\ndate: 2024-01-01\npermalink: /about/team/\n---\nUs\n",
    );
    site.write(
        "content/_posts/2024-05-01-bad.md",
        "---\ntitle: Bad\npermalink: /:year/:weekday/:title/\n---\nBad\n",
    );
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains("content/_posts/2024-05-01-bad.md:3:12: the permalink `/:year/:weekday/:title/` has `:weekday`"),
        "{err}"
    );
    fs::remove_file(site.root().join("content/_posts/2024-05-01-bad.md")).unwrap();
    let built = site.built();
    // Jekyll keeps the file name's case and dots in `:title`, lowercases categories, and the
    // folder above `_posts/` is a category.
    let (title, dates, _) = post_facts(&built, "/life/code/2024/03/05/Hello.World.html");
    assert_eq!(
        (title.as_str(), dates.as_slice()),
        (
            "Hello",
            ["2024-03-05T00:00:00+00:00".to_string()].as_slice()
        )
    );
    assert_eq!(post_facts(&built, "/news/4/in-news/").0, "In News");
    assert_eq!(post_facts(&built, "/about/team/").0, "The Team");
}

#[test]
fn keep_going_leaves_out_documents_that_cannot_be_read_and_names_them() {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2024-01-01", "Fine.");
    site.write(
        "content/posts/bad-date.md",
        "---\ntitle: Bad\ndate: 2020-3-19 29:39:08 +0800\n---\nx\n",
    );
    site.write("content/posts/no-front-matter.md", "Just text.\n");
    assert!(site.build().is_err());
    let mut options = site.options();
    options.checks.keep_going = true;
    let report = quire::build(&options).unwrap();
    assert_eq!(report.posts, 1);
    let left: Vec<&String> = report
        .warnings
        .iter()
        .filter(|w| w.ends_with("(left out: --keep-going)"))
        .collect();
    assert_eq!(left.len(), 2, "{:?}", report.warnings);
    assert!(
        left[0].starts_with("content/posts/bad-date.md:3:7: "),
        "{}",
        left[0]
    );
    assert!(
        left[1].starts_with("content/posts/no-front-matter.md:1:1: "),
        "{}",
        left[1]
    );
    let built = Built {
        out: report.output.clone(),
        report,
    };
    assert_eq!(home_titles(&built), ["Good"]);
}

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

// Found on real blogs (issue 13 trials): Jekyll's folders and front matter, kramdown,
// Hugo's capitalized keys, Zola's section settings and root-level bundles.

#[test]
fn jekyll_posts_and_drafts_folders_space_separated_tags_and_excerpts() {
    let site = TestSite::with_config(&format!("{CONFIG}[extra]\nrepository = \"demo/repo\"\n"));
    site.write(
        "content/_posts/2020-01-01-first.md",
        "---\ntitle: First\ntags: alpha beta\ncategory: Release Notes\nexcerpt: The written excerpt.\nimage:\n  path: &lead /images/lead.png\n  thumbnail: /images/small.png\n---\nBody of {{ site.repository }}.\n\nSee [two]({% post_url 2020-02-02-second %}/#part) and [three]({% link _posts/2020-03-03-third.markdown %}).\n",
    );
    site.write(
        "content/_posts/2020-02-02-second.md",
        "---\ntitle: Second\ndate: 2020-02-02 +0800\n---\n## Part\n\nIntro.\n\n<!--more-->\n\nAfter the marker.\n",
    );
    site.write(
        "content/blog/_posts/2020-03-03-third.markdown",
        "---\ntitle: Third\n---\nThird.\n",
    );
    site.write(
        "content/_drafts/2020-04-04-draft.md",
        "---\ntitle: Draft\n---\nNot yet.\n",
    );
    site.write("static/images/lead.png", "png");
    let built = site.built();
    let first = built.page("/posts/first/");
    assert_eq!(
        texts(&first, ".post-footer .term-links li a"),
        ["alpha", "beta", "Release Notes"]
    );
    assert_eq!(texts(&first, ".post-body p")[0], "Body of demo/repo.");
    assert_eq!(
        attrs(&first, ".post-body p a", "href"),
        ["/posts/second/#part", "/blog/third/"]
    );
    assert_eq!(
        attrs(&first, "meta[property='og:image']", "content"),
        ["https://example.org/images/lead.png"]
    );
    let home = built.page("/");
    let summaries = texts(&home, ".post-list .summary p");
    assert!(
        summaries.contains(&"The written excerpt.".to_string()),
        "{summaries:?}"
    );
    assert!(summaries.contains(&"Intro.".to_string()), "{summaries:?}");
    assert!(!summaries.iter().any(|s| s.contains("After the marker")));
    assert_eq!(
        attrs(
            &built.page("/posts/second/"),
            "article.post .meta time.dateline",
            "datetime"
        ),
        ["2020-02-02T00:00:00+08:00"]
    );
    assert!(!built.exists("/posts/draft/index.html"));
    assert!(!built.exists("/_posts/first/index.html"));
}

#[test]
fn kramdown_markup_is_left_out_with_one_warning_per_kind() {
    let site = TestSite::new();
    let post = "---\ntitle: Kram\n---\n* TOC\n{:toc}\n\n## Heading\n{: .fancy}\n\nA paragraph.{: #p1}\n\n{::options parse_block_html=\"true\" /}\n\nText {:not an attribute list} stays.\n\n```\n{: .kept in code}\n```\n";
    site.write("content/posts/kram.md", post);
    site.write("content/posts/kram2.md", &post.replace("Kram", "Kram Two"));
    let built = site.built();
    let page = built.page("/posts/kram/");
    assert_eq!(
        texts(&page, ".post-body > *"),
        [
            "Heading",
            "A paragraph.",
            "Text {:not an attribute list} stays.",
            "{: .kept in code}"
        ]
    );
    let kramdown: Vec<&String> = built
        .report
        .warnings
        .iter()
        .filter(|w| w.contains("kramdown"))
        .collect();
    assert_eq!(kramdown.len(), 3, "{kramdown:?}");
    assert!(
        kramdown.iter().all(|w| w.contains("2 documents")),
        "{kramdown:?}"
    );
}

#[test]
fn liquid_raw_inside_code_is_unwrapped_as_jekyll_does() {
    let site = TestSite::new();
    site.write(
        "content/posts/raw.md",
        "---\ntitle: Raw\n---\nUse `{% raw %}{{ page.title }}{% endraw %}` here.\n\n```liquid\n{% raw %}{% if x %}{{ y }}{% endif %}{% endraw %}\n```\n\nAnd `{% if %}` alone.\n",
    );
    let page = site.built().page("/posts/raw/");
    assert_eq!(
        texts(&page, ".post-body code"),
        [
            "{{ page.title }}",
            "{% if x %}{{ y }}{% endif %}",
            "{% if %}"
        ]
    );
}

#[test]
fn hugo_capitalized_keys_images_and_numeric_arguments() {
    let site = TestSite::new();
    site.write(
        "content/posts/caps.md",
        "---\nTitle: Capital Keys\nDate: 2021-05-06\nTags: [One, Two]\nDescription: Written with capitals.\nimages: [/images/a.png, /images/b.png]\n---\n{{< gist someone 6456980 >}}\n",
    );
    site.write("static/images/a.png", "png");
    let built = site.built();
    let page = built.page("/posts/caps/");
    assert_eq!(texts(&page, "h1.headline"), ["Capital Keys"]);
    assert_eq!(
        attrs(&page, "article.post .meta time.dateline", "datetime"),
        ["2021-05-06T00:00:00+00:00"]
    );
    assert_eq!(
        texts(&page, ".post-footer .term-links li a"),
        ["One", "Two"]
    );
    assert_eq!(
        attrs(&page, "meta[name='description']", "content"),
        ["Written with capitals."]
    );
    assert_eq!(
        attrs(&page, "meta[property='og:image']", "content"),
        ["https://example.org/images/a.png"]
    );
    assert_eq!(
        attrs(&page, ".post-body a", "href"),
        ["https://gist.github.com/someone/6456980"]
    );
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn zola_sort_by_permalink_dated_paths_under_a_section_root_bundles_and_email_links() {
    let site = TestSite::new();
    site.write(
        "content/inside/_index.md",
        "+++\ntitle = \"Inside\"\nsort_by = \"permalink\"\n+++\n",
    );
    site.write(
        "content/inside/b.md",
        "+++\ntitle = \"Bee\"\npath = \"inside/2020/03/28/bee\"\n+++\nWrite to <team@example.org>.\n",
    );
    site.write(
        "content/inside/a.md",
        "+++\ntitle = \"Ay\"\npath = \"inside/2021/01/02/ay\"\n+++\nA.\n",
    );
    site.write(
        "content/colophon/index.md",
        "+++\ntitle = \"Colophon\"\n+++\n![The press](press.png)\n",
    );
    site.write("content/colophon/press.png", "png");
    let built = site.built();
    assert_eq!(
        texts(&built.page("/inside/"), ".post-list .summary .headline a"),
        ["Bee", "Ay"]
    );
    assert_eq!(
        attrs(
            &built.page("/inside/2020/03/28/bee/"),
            "article.post .meta time.dateline",
            "datetime"
        ),
        ["2020-03-28T00:00:00+00:00"]
    );
    assert!(built.exists("/colophon/press.png"));
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
}

#[test]
fn an_alias_of_the_pages_own_url_is_ignored_and_a_blog_without_posts_lists_every_dated_page() {
    let site = TestSite::new();
    site.write(
        "content/2018/vim/index.md",
        "+++\ntitle = \"Vim\"\ndate = 2018-03-04\naliases = [\"2018/vim/\", \"/old-vim/\"]\n+++\nText.\n",
    );
    site.write(
        "content/2019/emacs.md",
        "+++\ntitle = \"Emacs\"\ndate = 2019-05-06\n+++\nText.\n",
    );
    let built = site.built();
    assert_eq!(texts(&built.page("/2018/vim/"), "h1.headline"), ["Vim"]);
    assert!(built.exists("/old-vim/index.html"));
    // No `content/posts/`: the home page and the feed list every dated page.
    assert_eq!(home_titles(&built), ["Emacs", "Vim"]);
    let feed = std::fs::read_to_string(built.out.join("atom.xml")).unwrap();
    assert_eq!(feed.matches("<entry>").count(), 2);
}

#[test]
fn summaries_keep_no_heading_ids_section_files_are_published_and_an_empty_image_is_none() {
    let site = TestSite::new();
    for (name, title) in [("one", "One"), ("two", "Two")] {
        site.write(
            &format!("content/posts/{name}.md"),
            &format!(
                "---\ntitle: {title}\ndate: 2024-01-0{}\nimage:\n---\n## Intro\n\nFirst words.\n\n<!--more-->\n\n![Chart](/posts/images/chart.png)\n",
                if name == "one" { 1 } else { 2 }
            ),
        );
    }
    // A section's picture beside its posts, as Zola and Hugo publish it.
    site.write("content/posts/images/chart.png", "png");
    site.write("content/posts/data/table.json", "{}");
    let built = site.built();
    let home = built.page("/");
    assert_eq!(
        texts(&home, ".post-list .summary h2:not(.headline)"),
        ["Intro", "Intro"]
    );
    assert!(select(&home, ".post-list .summary h2[id]:not(.headline)").is_empty());
    // The post itself keeps the id its table of contents and anchors use.
    assert_eq!(
        attrs(&built.page("/posts/one/"), ".post-body h2", "id"),
        ["intro"]
    );
    assert!(built.exists("/posts/images/chart.png"));
    assert!(built.exists("/posts/data/table.json"));
    assert!(select(&built.page("/posts/one/"), "meta[property='og:image']").is_empty());
}
