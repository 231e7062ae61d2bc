//! A session that rebuilds after each edit writes exactly what a fresh full build writes.

use std::fs;
use std::path::{Path, PathBuf};

use quire::{Changes, Session};

use crate::harness::*;

struct Live {
    site: TestSite,
    session: Session,
    dir: tempfile::TempDir,
}

impl Live {
    fn new(site: TestSite) -> Live {
        let mut options = site.options();
        options.base_url = Some("http://127.0.0.1:4000/".into());
        let mut live = Live {
            session: Session::new(options),
            site,
            dir: tempfile::tempdir().unwrap(),
        };
        let report = live.rebuild(Changes::everything());
        assert!(report.rendered > 0);
        live
    }

    fn rebuild(&mut self, changes: Changes) -> quire::Report {
        let dir = self.dir.path().to_path_buf();
        self.session
            .build(&changes, &dir, |u| {
                quire::output::apply(&dir, &u.outputs, &u.copies, &u.removed)
            })
            .unwrap_or_else(|e| panic!("rebuild failed: {e}"))
    }

    fn content(&mut self, paths: &[&str]) -> quire::Report {
        let root = self.site.root().to_path_buf();
        self.rebuild(Changes {
            content: paths.iter().map(|p| root.join(p)).collect(),
            ..Changes::default()
        })
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.root().join(rel)
    }

    /// The live folder must equal a fresh full build, file for file and byte for byte.
    fn assert_matches_full_build(&self, step: &str) {
        let fresh = tempfile::tempdir().unwrap();
        let mut options = self.session.options().clone();
        options.output = Some(fresh.path().join("out"));
        quire::build(&options).unwrap_or_else(|e| panic!("{step}: full build failed: {e}"));
        let full: Vec<_> = tree(&fresh.path().join("out"))
            .into_iter()
            .filter(|(p, _)| p != quire::output::MARKER)
            .collect();
        let live = tree(self.dir.path());
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(names(&live), names(&full), "{step}: same files");
        for ((path, a), (_, b)) in live.iter().zip(&full) {
            assert!(a == b, "{step}: {path} differs from a full build");
        }
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn post(title: &str, date: &str, tags: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\ntags = [{tags}]\n+++\nFirst paragraph of {title}.\n\n{body}\n"
    )
}

#[test]
fn every_kind_of_edit_rebuilds_to_exactly_what_a_full_build_writes() {
    let site = TestSite::with_config(&format!("{CONFIG}posts_per_page = 2\n"));
    for i in 1..=7 {
        let tags = if i % 2 == 0 {
            "\"Even\", \"All\""
        } else {
            "\"Odd\", \"All\""
        };
        site.write(
            &format!("content/posts/p{i}.md"),
            &post(
                &format!("Post {i}"),
                &format!("2026-01-0{i}"),
                tags,
                "Body.",
            ),
        );
    }
    site.write("content/about.md", "+++\ntitle = \"About\"\n+++\nAbout.\n")
        .write("static/notes.txt", "v1")
        .write(
            "content/posts/bundle/index.md",
            &post(
                "Bundle",
                "2026-01-08",
                "\"All\"",
                "![Pic](pic.svg \"A picture\")",
            ),
        )
        .write(
            "content/posts/bundle/pic.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
    let mut live = Live::new(site);
    live.assert_matches_full_build("first build");

    // A body edit below the summary that keeps the word count re-renders the post page alone
    // (summaries elsewhere carry the word count and reading time).
    write(
        &live.path("content/posts/p3.md"),
        &post("Post 3", "2026-01-03", "\"Odd\", \"All\"", "Edited."),
    );
    let report = live.content(&["content/posts/p3.md"]);
    assert_eq!(report.rendered, 1, "only the post's own page");
    live.assert_matches_full_build("edit body");

    write(
        &live.path("content/posts/p3.md"),
        &post(
            "Post 3",
            "2026-01-03",
            "\"Odd\", \"All\"",
            "An edited body.",
        ),
    );
    live.content(&["content/posts/p3.md"]);
    live.assert_matches_full_build("edit body, changing the word count");

    write(
        &live.path("content/posts/p3.md"),
        &post(
            "Post Three",
            "2026-01-03",
            "\"Odd\", \"All\"",
            "An edited body.",
        ),
    );
    let report = live.content(&["content/posts/p3.md"]);
    assert!(
        report.rendered > 1 && report.rendered < report.pages,
        "{report:?}"
    );
    live.assert_matches_full_build("edit title");

    write(
        &live.path("content/posts/p3.md"),
        &post(
            "Post Three",
            "2026-01-09",
            "\"Odd\", \"All\"",
            "An edited body.",
        ),
    );
    live.content(&["content/posts/p3.md"]);
    live.assert_matches_full_build("change date");

    write(
        &live.path("content/posts/p3.md"),
        &post(
            "Post Three",
            "2026-01-09",
            "\"Odd\", \"All\", \"New Tag\"",
            "An edited body.",
        ),
    );
    live.content(&["content/posts/p3.md"]);
    live.assert_matches_full_build("add a tag");

    write(
        &live.path("content/posts/p3.md"),
        &post("Post Three", "2026-01-09", "\"All\"", "An edited body."),
    );
    live.content(&["content/posts/p3.md"]);
    live.assert_matches_full_build("remove tags");

    write(
        &live.path("content/posts/p9.md"),
        &post("Post 9", "2026-01-05", "\"Even\"", "New."),
    );
    live.content(&["content/posts/p9.md"]);
    live.assert_matches_full_build("add a post");

    // A content link follows its target when the target's URL changes.
    write(
        &live.path("content/posts/p4.md"),
        &post(
            "Post 4",
            "2026-01-04",
            "\"Even\", \"All\"",
            "See [five](@/posts/p5.md).",
        ),
    );
    live.content(&["content/posts/p4.md"]);
    live.assert_matches_full_build("add a content link");
    write(
        &live.path("content/posts/p5.md"),
        &post("Post 5", "2026-01-05", "\"Odd\", \"All\"", "Body.").replacen(
            "+++\n",
            "+++\nslug = \"five\"\n",
            1,
        ),
    );
    live.content(&["content/posts/p5.md"]);
    live.assert_matches_full_build("move a content link's target");
    let p4 = fs::read_to_string(live.dir.path().join("posts/p4/index.html")).unwrap();
    let p4 = scraper::Html::parse_document(&p4);
    let link = p4.select(&sel("article a")).find(|a| text(a) == "five");
    assert_eq!(
        link.and_then(|a| a.value().attr("href")),
        Some("/posts/five/"),
        "the link follows its target"
    );

    fs::remove_file(live.path("content/posts/p1.md")).unwrap();
    live.content(&["content/posts/p1.md"]);
    live.assert_matches_full_build("delete a post");

    fs::rename(
        live.path("content/posts/p2.md"),
        live.path("content/posts/renamed.md"),
    )
    .unwrap();
    live.content(&["content/posts/p2.md", "content/posts/renamed.md"]);
    live.assert_matches_full_build("rename a file");

    // A page's title is in every page's navigation.
    write(
        &live.path("content/about.md"),
        "+++\ntitle = \"About us\"\n+++\nAbout.\n",
    );
    let report = live.content(&["content/about.md"]);
    assert_eq!(report.rendered, report.pages, "{report:?}");
    live.assert_matches_full_build("edit a page title");

    write(
        &live.path("content/posts/bundle/pic.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2\"/>",
    );
    live.content(&["content/posts/bundle/pic.svg"]);
    live.assert_matches_full_build("edit a bundle image");

    write(
        &live.path("templates/page.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}!</h1>{% endblock content %}",
    );
    live.rebuild(Changes {
        templates: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("edit a template");

    // The theme's words: a site translation file, then a change of language.
    write(
        &live.path("templates/i18n/en.toml"),
        "nav_home = \"Front page\"\n",
    );
    let report = live.rebuild(Changes {
        templates: true,
        ..Changes::default()
    });
    assert_eq!(report.rendered, report.pages, "every page shows the word");
    live.assert_matches_full_build("override a word");
    let config = fs::read_to_string(live.path("config.toml")).unwrap();
    write(
        &live.path("config.toml"),
        &format!("{config}language = \"de\"\n"),
    );
    live.rebuild(Changes {
        config: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("change the language");
    write(&live.path("config.toml"), &config);
    live.rebuild(Changes {
        config: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("change the language back");

    // A heading whose id the theme takes once the theme writes that id: the Markdown is
    // rendered again so that the heading gets another.
    write(
        &live.path("content/posts/p1.md"),
        &post("Post 1", "2026-01-01", "\"Odd\"", "## Colophon\n\nBody."),
    );
    live.content(&["content/posts/p1.md"]);
    live.assert_matches_full_build("a heading");
    let base =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/base.html"))
            .unwrap()
            .replace(
                "<footer class=\"site-footer\">",
                "<footer class=\"site-footer\" id=\"colophon\">",
            );
    write(&live.path("templates/base.html"), &base);
    live.rebuild(Changes {
        templates: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("the theme takes the heading's id");
    let page = fs::read_to_string(live.dir.path().join("posts/p1/index.html")).unwrap();
    assert_eq!(page.matches("id=\"colophon\"").count(), 1, "{page}");
    fs::remove_file(live.path("templates/base.html")).unwrap();
    live.rebuild(Changes {
        templates: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("the theme gives the id back");

    let config = fs::read_to_string(live.path("config.toml")).unwrap();
    write(
        &live.path("config.toml"),
        &config.replace("Test Blog", "Renamed Blog"),
    );
    let report = live.rebuild(Changes {
        config: true,
        ..Changes::default()
    });
    assert_eq!(
        report.rendered, report.pages,
        "a title change touches every page"
    );
    live.assert_matches_full_build("edit config");

    write(&live.path("static/notes.txt"), "v2 is longer");
    let report = live.rebuild(Changes {
        statics: true,
        ..Changes::default()
    });
    assert_eq!(
        (report.rendered, report.touched),
        (0, 1),
        "one file copied, no page rendered"
    );
    live.assert_matches_full_build("edit a static file");

    write(&live.path("static/style.css"), "body{}");
    live.rebuild(Changes {
        statics: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("override the theme stylesheet");
    fs::remove_file(live.path("static/style.css")).unwrap();
    live.rebuild(Changes {
        statics: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("restore the theme stylesheet");

    // A site's own robots.txt replaces the generated one, and removing it brings that back.
    write(
        &live.path("static/robots.txt"),
        "User-agent: *\nDisallow: /\n",
    );
    live.rebuild(Changes {
        statics: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("add a static robots.txt");
    assert_eq!(
        fs::read_to_string(live.dir.path().join("robots.txt")).unwrap(),
        "User-agent: *\nDisallow: /\n"
    );
    fs::remove_file(live.path("static/robots.txt")).unwrap();
    live.rebuild(Changes {
        statics: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("remove the static robots.txt");
    assert!(
        fs::read_to_string(live.dir.path().join("robots.txt"))
            .unwrap()
            .contains("Sitemap: http://127.0.0.1:4000/sitemap.xml")
    );

    // Sections: a new section with its `_index.md`, then edits of its settings and body.
    write(
        &live.path("content/news/_index.md"),
        "+++\ntitle = \"News\"\n+++\nThe news desk.\n",
    );
    write(
        &live.path("content/news/n1.md"),
        &post("News one", "2026-02-01", "\"All\"", "News."),
    );
    write(
        &live.path("content/news/n2.md"),
        &post("Another", "2026-02-02", "\"Odd\"", "News."),
    );
    live.content(&[
        "content/news/_index.md",
        "content/news/n1.md",
        "content/news/n2.md",
    ]);
    live.assert_matches_full_build("add a section");
    for (step, text) in [
        (
            "sort a section by title",
            "+++\ntitle = \"News\"\nsort_by = \"title\"\n+++\nThe news desk.\n",
        ),
        (
            "paginate a section, with feeds",
            "+++\ntitle = \"The News\"\npaginate_by = 1\nfeed = true\n+++\nThe desk.\n",
        ),
        (
            "stop rendering a section's list",
            "+++\ntitle = \"The News\"\nrender = false\n+++\n",
        ),
        (
            "make a section a draft",
            "+++\ntitle = \"The News\"\ndraft = true\n+++\n",
        ),
        (
            "give a section a permalink",
            "+++\ntitle = \"News\"\npermalink = \"/{year}/{slug}/\"\n+++\n",
        ),
    ] {
        write(&live.path("content/news/_index.md"), text);
        live.content(&["content/news/_index.md"]);
        live.assert_matches_full_build(step);
    }
    fs::remove_file(live.path("content/news/_index.md")).unwrap();
    live.content(&["content/news/_index.md"]);
    live.assert_matches_full_build("remove a section's _index.md");

    // Taxonomy config: a new taxonomy, read from posts that already had the key.
    write(
        &live.path("content/news/n1.md"),
        "+++\ntitle = \"News one\"\ndate = 2026-02-01\nauthor = \"Ann Other\"\nseries = \"Run\"\n+++\nNews.\n",
    );
    live.content(&["content/news/n1.md"]);
    live.assert_matches_full_build("a post with an author and a series");
    let taxonomies = |list: &str| format!("{CONFIG}posts_per_page = 2\ntaxonomies = [{list}]\n");
    for (step, list) in [
        (
            "configure authors and series",
            "{ name = \"tags\", feed = true }, { name = \"authors\", feed = true }, { name = \"series\" }",
        ),
        (
            "paginate tags, drop the authors' feeds",
            "{ name = \"tags\", paginate_by = 1 }, { name = \"authors\" }, { name = \"series\" }",
        ),
        ("only categories", "{ name = \"categories\" }"),
    ] {
        write(&live.path("config.toml"), &taxonomies(list));
        live.rebuild(Changes {
            config: true,
            ..Changes::default()
        });
        live.assert_matches_full_build(step);
    }
}

#[test]
fn a_broken_file_fails_the_rebuild_until_it_is_fixed() {
    let site = TestSite::new();
    site.write("content/posts/a.md", &post("A", "2026-01-01", "", "x"))
        .write("content/posts/b.md", &post("B", "2026-01-02", "", "x"));
    let mut live = Live::new(site);
    write(
        &live.path("content/posts/a.md"),
        "+++\ntitle = \"A\"\ndate = \"bad\"\n+++\n",
    );
    let dir = live.dir.path().to_path_buf();
    let root = live.site.root().to_path_buf();
    let changes = |p: &str| Changes {
        content: [root.join(p)].into(),
        ..Changes::default()
    };
    let apply =
        |u: &quire::session::Update| quire::output::apply(&dir, &u.outputs, &u.copies, &u.removed);
    assert!(
        live.session
            .build(&changes("content/posts/a.md"), &dir, apply)
            .is_err()
    );
    // Another file changing must not hide the broken one.
    write(
        &live.path("content/posts/b.md"),
        &post("B", "2026-01-02", "", "y"),
    );
    assert!(
        live.session
            .build(&changes("content/posts/b.md"), &dir, apply)
            .is_err()
    );
    write(
        &live.path("content/posts/a.md"),
        &post("A", "2026-01-01", "", "fixed"),
    );
    live.content(&["content/posts/a.md"]);
    live.assert_matches_full_build("fixed");
}

#[test]
fn a_tag_outside_the_top_tags_re_renders_only_the_pages_that_show_it() {
    let site = TestSite::new();
    // Twelve tags used twice each: a new tag used once is not among the ten top tags.
    for i in 0..24 {
        site.write(
            &format!("content/posts/p{i:02}.md"),
            &post(
                &format!("Post {i}"),
                &format!("2025-01-{:02}", i + 1),
                &format!("\"t{}\"", i % 12),
                "Body.",
            ),
        );
    }
    let mut live = Live::new(site);
    write(
        &live.path("content/posts/p05.md"),
        &post("Post 5", "2025-01-06", "\"t5\", \"brand new\"", "Body."),
    );
    let report = live.content(&["content/posts/p05.md"]);
    live.assert_matches_full_build("add a rare tag");
    // The post, the lists showing its summary, the tag list and the new tag's page; not the
    // other posts (a mention of "tags" in a template comment once made every page depend on
    // the whole tag list).
    assert!(report.rendered < report.pages / 2, "{report:?}");
}

#[test]
fn editing_a_shortcode_template_re_renders_exactly_the_posts_that_use_it() {
    let site = TestSite::new();
    site.write(
        "templates/shortcodes/note.html",
        "<aside class=\"note\">{{ text }}</aside>",
    );
    for i in 0..10 {
        let body = if i % 5 == 0 {
            "Second paragraph.\n\n{{ note(text=\"from the template\") }}"
        } else {
            "Second paragraph."
        };
        site.write(
            &format!("content/posts/p{i:02}.md"),
            &post(
                &format!("Post {i}"),
                &format!("2025-02-{:02}", i + 1),
                "\"t\"",
                body,
            ),
        );
    }
    let mut live = Live::new(site);
    write(
        &live.path("templates/shortcodes/note.html"),
        "<aside class=\"note edited\">{{ text | upper }}</aside>",
    );
    let report = live.rebuild(Changes {
        templates: true,
        ..Changes::default()
    });
    live.assert_matches_full_build("edit a shortcode template");
    // Posts 0 and 5 use it; their summaries (first paragraphs) do not show it, so no list
    // changes.
    assert_eq!(report.rendered, 2, "{report:?}");
    let page = scraper::Html::parse_document(
        &fs::read_to_string(live.dir.path().join("posts/p05/index.html")).unwrap(),
    );
    assert_eq!(texts(&page, "aside.note.edited"), ["FROM THE TEMPLATE"]);
}

#[test]
fn a_shortcode_defined_while_serving_replaces_the_warning_with_its_output() {
    let site = TestSite::new();
    site.write(
        "content/posts/later.md",
        &post(
            "Later",
            "2025-03-01",
            "\"t\"",
            "Before.\n\n{{ later(n=3) }}",
        ),
    );
    let mut options = site.options();
    options.checks.mode = quire::check::Mode::Warnings;
    let mut live = Live {
        session: Session::new(options),
        site,
        dir: tempfile::tempdir().unwrap(),
    };
    let report = live.rebuild(Changes::everything());
    let shortcode_problems: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.kind == quire::check::Kind::Shortcode)
        .collect();
    assert_eq!(shortcode_problems.len(), 1, "{:?}", report.problems);
    assert_eq!(shortcode_problems[0].diagnostic.position, Some((10, 1)));
    assert!(
        shortcode_problems[0]
            .diagnostic
            .message
            .contains("templates/shortcodes/later.html")
    );
    write(
        &live.path("templates/shortcodes/later.html"),
        "<span class=\"later\">{{ n * 2 }}</span>",
    );
    let report = live.rebuild(Changes {
        templates: true,
        ..Changes::default()
    });
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let page = scraper::Html::parse_document(
        &fs::read_to_string(live.dir.path().join("posts/later/index.html")).unwrap(),
    );
    assert_eq!(texts(&page, "span.later"), ["6"]);
}
