//! Bad input (issue 6): each case breaks a site that built, runs the `quire` binary, and
//! checks a clear error naming the file (and line and column where there is one), exit code 1,
//! no panic, and the previous output left byte for byte as it was. Inputs that are odd but
//! valid (only front matter, huge posts, deep nesting) must build.

use std::fs;
use std::time::{Duration, Instant};

use crate::harness::*;

/// A site with one good post, built, and its output snapshotted.
fn good_site() -> (TestSite, Snapshot) {
    good_site_with(CONFIG)
}

fn good_site_with(config: &str) -> (TestSite, Snapshot) {
    let site = TestSite::with_config(config);
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    site.built();
    let snapshot = Snapshot::take(&site.out());
    (site, snapshot)
}

/// [`fails`] with exactly one error, which is returned.
fn fails_once(site: &TestSite, snapshot: &Snapshot) -> Reported {
    let mut errors = fails(site, snapshot);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.pop().unwrap()
}

/// The comparison every case relies on notices a changed byte, an added or removed file, and
/// a staging folder left beside the output.
#[test]
fn the_snapshot_notices_any_change() {
    let (site, snap) = good_site();
    let page = site.out().join("posts/good/index.html");
    let original = fs::read(&page).unwrap();
    let staging = site.root().join(".public.quire-new-1");
    let flip_a_byte = || {
        let mut bytes = original.clone();
        bytes[0] ^= 1;
        fs::write(&page, bytes).unwrap();
    };
    let add_a_file = || fs::write(site.out().join("x"), "").unwrap();
    let remove_a_file = || fs::remove_file(&page).unwrap();
    let leave_staging = || fs::create_dir(&staging).unwrap();
    let changes: [(&str, &dyn Fn()); 4] = [
        ("a byte", &flip_a_byte),
        ("an added file", &add_a_file),
        ("a removed file", &remove_a_file),
        ("a staging folder", &leave_staging),
    ];
    for (what, change) in changes {
        change();
        let caught =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| snap.assert_unchanged()));
        assert!(caught.is_err(), "{what} went unnoticed");
        fs::write(&page, &original).unwrap();
        let _ = fs::remove_file(site.out().join("x"));
        let _ = fs::remove_dir(&staging);
        snap.assert_unchanged();
    }
}

// Front matter.

#[test]
fn invalid_toml_front_matter() {
    let (site, snap) = good_site();
    site.write(
        "content/posts/b.md",
        "+++\ntitle = \"A\ndate = 2020-01-02\n+++\nx\n",
    );
    let e = fails_once(&site, &snap);
    assert_at(&e, "content/posts/b.md", 2, 11, "expected `\"`");
}

#[test]
fn invalid_yaml_front_matter() {
    let (site, snap) = good_site();
    site.write("content/posts/b.md", "---\ntitle: B\n  date: : x\n---\nx\n");
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        "content/posts/b.md",
        3,
        7,
        "mapping values are not allowed",
    );
    site.write("content/posts/b.md", "---\ntitle: \"B\n---\nx\n");
    let e = fails_once(&site, &snap);
    assert_at(&e, "content/posts/b.md", 2, 8, "unclosed quote");
}

#[test]
fn unterminated_front_matter_block() {
    let (site, snap) = good_site();
    site.write("content/posts/b.md", "+++\ntitle = \"B\"\n\nThe body.\n");
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        "content/posts/b.md",
        1,
        1,
        "opened with `+++` is never closed",
    );
}

/// Zola and Hugo build a page without a title, and so does Quire: the title comes from the
/// file name and a warning says where.
#[test]
fn missing_title() {
    let (site, _) = good_site();
    site.post("market-day.md", "date = 2020-01-02", "x");
    let run = quire_build(site.root());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("content/posts/market-day.md:2:1: no `title` in front matter"),
        "{}",
        run.stderr
    );
    let built = site.built();
    assert_eq!(
        texts(&built.page("/posts/market-day/"), "h1.headline"),
        ["Market day"]
    );
}

#[test]
fn wrong_types_in_front_matter() {
    let (site, snap) = good_site();
    // One name is taken as a list of one (Hugo writes `series: "Name"`); a number is not.
    site.post("b.md", "title = \"B\"\ntags = 42", "x");
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        "content/posts/b.md",
        3,
        8,
        "expected a list, like [\"a\", \"b\"]",
    );
    site.write(
        "content/posts/b.md",
        "---\ntitle: B\ntags:\n  a: 1\n---\nx\n",
    );
    let e = fails_once(&site, &snap);
    assert_eq!(e.path, "content/posts/b.md", "{e:?}");
    assert_eq!(e.position.map(|p| p.0), Some(4), "{e:?}");
    assert!(e.message.contains("expected a list"), "{e:?}");
    fs::remove_file(site.root().join("content/posts/b.md")).unwrap();
    site.post("c.md", "title = \"C\"\ndate = 42", "x");
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        "content/posts/c.md",
        3,
        8,
        "expected a date like 2024-05-01",
    );
}

#[test]
fn impossible_dates() {
    let (site, snap) = good_site();
    // A TOML date, a string, YAML, and a file name: each reported, in one run.
    site.post("a.md", "title = \"A\"\ndate = 2023-02-30", "x")
        .post("b.md", "title = \"B\"\ndate = \"2023-02-30\"", "x")
        .write(
            "content/posts/c.md",
            "---\ntitle: C\ndate: 2023-02-29\n---\nx\n",
        )
        .post("2023-02-30-d.md", "title = \"D\"", "x");
    let errors = fails(&site, &snap);
    assert_eq!(errors.len(), 4, "{errors:#?}");
    // Files are read in name order, so the file-name date comes first; it has no line.
    assert_eq!(
        errors[0].path, "content/posts/2023-02-30-d.md",
        "{errors:#?}"
    );
    assert_eq!(errors[0].position, None);
    assert!(
        errors[0]
            .message
            .contains("starts with `2023-02-30`, which is not a day of the calendar"),
        "{errors:#?}"
    );
    assert_at(&errors[1], "content/posts/a.md", 3, 8, "invalid date");
    assert_at(
        &errors[2],
        "content/posts/b.md",
        3,
        8,
        "`2023-02-30` is not a day of the calendar",
    );
    assert_at(
        &errors[3],
        "content/posts/c.md",
        3,
        7,
        "`2023-02-29` is not a day of the calendar",
    );
}

// Bytes and sizes.

#[test]
fn non_utf8_bytes() {
    let (site, snap) = good_site();
    let path = site.root().join("content/posts/b.md");
    fs::write(&path, b"+++\ntitle = \"B\"\n+++\nCaf\xe9 au lait\n").unwrap();
    let e = fails_once(&site, &snap);
    assert_at(&e, "content/posts/b.md", 4, 4, "not valid UTF-8");
}

/// Zola refuses a file without front matter; an empty file is that, with its own message.
#[test]
fn empty_file() {
    let (site, snap) = good_site();
    site.write("content/posts/b.md", "");
    let e = fails_once(&site, &snap);
    assert_at(&e, "content/posts/b.md", 1, 1, "the file is empty");
}

/// Front matter and nothing else is a post with an empty body, as in Zola and Hugo.
#[test]
fn only_front_matter_builds_an_empty_post() {
    let site = TestSite::new();
    site.write(
        "content/posts/b.md",
        "+++\ntitle = \"Only a title\"\ndate = 2020-01-02\n+++",
    );
    let built = site.built();
    let page = built.page("/posts/b/");
    assert_eq!(texts(&page, "h1"), ["Only a title"]);
    assert_eq!(texts(&page, ".post-body"), [""]);
}

/// At least `size` bytes of paragraphs of prose, with a heading every 50 and a link in each.
fn prose(size: usize) -> String {
    let mut body = String::with_capacity(size + 2000);
    let mut i = 0;
    while body.len() < size {
        if i % 50 == 0 {
            body.push_str(&format!("## Section {i}\n\n"));
        }
        for w in 0..150 {
            body.push_str(["harbour ", "quay ", "lamp ", "tide ", "rope "][(i + w) % 5]);
        }
        body.push_str(&format!("*a* [link](https://example.org/{i}) end{i}.\n\n"));
        i += 1;
    }
    body
}

/// Build with the binary and return how long it took; the build must succeed.
fn builds(site: &TestSite) -> Duration {
    let start = Instant::now();
    let run = quire_build(site.root());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    start.elapsed()
}

/// A 50 MB post builds (Hugo and Zola have no size limit). A minute is far more than it needs
/// in a debug build (about 10 s) and far less than anything quadratic in its size would take.
#[test]
fn a_50_mb_post_builds() {
    let site = TestSite::new();
    let body = prose(50 * 1024 * 1024);
    let last = body
        .lines()
        .rev()
        .find(|l| !l.is_empty())
        .unwrap()
        .to_string();
    site.post("big.md", "title = \"Big\"\ndate = 2020-01-02", &body);
    drop(body);
    let took = builds(&site);
    eprintln!("built in {took:?}");
    assert!(took < Duration::from_secs(60), "{took:?}");
    let html = fs::read_to_string(site.out().join("posts/big/index.html")).unwrap();
    let tail = last.rsplit(' ').next().unwrap();
    assert!(tail.starts_with("end") && html.contains(tail), "{tail}");
    assert!(html.len() > 50 * 1024 * 1024);
}

/// One 10 MB line (no newline in it) builds as one paragraph.
#[test]
fn a_10_mb_line_builds() {
    let site = TestSite::new();
    let line = "word ".repeat(2 * 1024 * 1024) + "last";
    site.post("line.md", "title = \"Line\"\ndate = 2020-01-02", &line);
    let took = builds(&site);
    assert!(took < Duration::from_secs(60), "{took:?}");
    let html = fs::read_to_string(site.out().join("posts/line/index.html")).unwrap();
    assert!(
        html.contains(&format!("<p>{line}</p>")),
        "no paragraph holds the line"
    );
}

/// Markdown nested 100,000 deep builds in a subprocess (a stack overflow would abort it):
/// pulldown-cmark and our event passes are iterative. The blockquotes are all kept.
#[test]
fn markdown_nested_100_000_deep_builds() {
    let depth = 100_000;
    let site = TestSite::new();
    site.post(
        "quotes.md",
        "title = \"Quotes\"\ndate = 2020-01-02",
        &(">".repeat(depth) + " deep"),
    )
    .post(
        "brackets.md",
        "title = \"Brackets\"\ndate = 2020-01-03",
        &("[".repeat(depth) + "x" + &"]".repeat(depth) + "(https://example.org/)"),
    )
    .post(
        "open.md",
        "title = \"Open\"\ndate = 2020-01-04",
        &"[".repeat(depth),
    )
    .post(
        "lists.md",
        "title = \"Lists\"\ndate = 2020-01-05",
        &("- ".repeat(depth) + "x"),
    );
    builds(&site);
    let body = |slug: &str| {
        let html = fs::read_to_string(site.out().join(format!("posts/{slug}/index.html"))).unwrap();
        let start = html.find("class=\"post-body\">").expect("a post body");
        let end = html
            .find("<p class=\"signoff\">")
            .expect("the end of the post");
        html[start..end].to_string()
    };
    let quotes = body("quotes");
    assert_eq!(quotes.matches("<blockquote>").count(), depth);
    assert!(quotes.contains("<p>deep</p>"));
    assert!(body("open").contains(&"[".repeat(depth)));
    assert_eq!(body("lists").matches("<ul>").count(), depth);
    assert!(body("brackets").contains("x"));
}

// Templates.

const POST_TEMPLATE: &str = "templates/post.html";

fn post_template(block: &str) -> String {
    format!(
        "{{% extends \"base.html\" %}}\n{{% block content %}}\n{block}\n{{% endblock content %}}\n"
    )
}

#[test]
fn template_syntax_error() {
    let (site, snap) = good_site();
    site.write(POST_TEMPLATE, &post_template("{% if %}yes{% endif %}"));
    let e = fails_once(&site, &snap);
    assert_at(&e, POST_TEMPLATE, 3, 7, "expected one of");
}

#[test]
fn template_using_an_undefined_variable() {
    let (site, snap) = good_site();
    site.write(
        POST_TEMPLATE,
        &post_template("<p>{{ post.nosuchfield }}</p>"),
    );
    let e = fails_once(&site, &snap);
    assert_at(&e, POST_TEMPLATE, 3, 12, "`nosuchfield` is not defined");
}

#[test]
fn missing_template() {
    let (site, snap) = good_site();
    site.write(
        POST_TEMPLATE,
        &post_template("{% include \"nosuch.html\" %}"),
    );
    let e = fails_once(&site, &snap);
    assert_at(&e, POST_TEMPLATE, 3, 12, "nosuch.html");
    site.write(POST_TEMPLATE, "{% extends \"nosuch.html\" %}\n");
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        POST_TEMPLATE,
        1,
        12,
        "`post.html` extends `nosuch.html`, which does not exist",
    );
}

#[test]
fn template_that_includes_or_extends_itself() {
    let (site, snap) = good_site();
    site.write(POST_TEMPLATE, &post_template("{% include \"post.html\" %}"));
    let e = fails_once(&site, &snap);
    assert_at(&e, POST_TEMPLATE, 3, 12, "`post.html` includes itself");
    site.write(POST_TEMPLATE, "{% extends \"post.html\" %}\n");
    let e = fails_once(&site, &snap);
    assert_at(&e, POST_TEMPLATE, 1, 12, "`post.html` extends itself");
    // Through another template: the include that closes the loop is named.
    site.write(POST_TEMPLATE, &post_template("{% include \"a.html\" %}"))
        .write("templates/a.html", "<p>\n{% include \"b.html\" %}\n")
        .write("templates/b.html", "{% include \"a.html\" %}\n");
    let e = fails_once(&site, &snap);
    assert_at(&e, "templates/b.html", 1, 12, "a.html → b.html → a.html");
}

// Configuration.

#[test]
fn config_unknown_key() {
    let (site, snap) = good_site();
    site.write("config.toml", &format!("{CONFIG}titel = \"x\"\n"));
    let e = fails_once(&site, &snap);
    assert_at(&e, "config.toml", 6, 1, "unknown key `titel`");
    assert!(e.message.contains("did you mean `title`?"), "{e:#?}");
}

#[test]
fn config_wrong_type() {
    let (site, snap) = good_site();
    site.write(
        "config.toml",
        &format!("{CONFIG}posts_per_page = \"ten\"\n"),
    );
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        "config.toml",
        6,
        18,
        "invalid type: string \"ten\", expected a whole number",
    );
}

#[test]
fn config_bad_base_url() {
    let (site, snap) = good_site();
    for (url, words) in [
        ("example.org", "not a valid URL"),
        ("ftp://example.org/", "must be an http or https URL"),
        ("https://example.org/?x=1", "must not have a query"),
    ] {
        site.write("config.toml", &CONFIG.replace("https://example.org/", url));
        let e = fails_once(&site, &snap);
        assert_at(&e, "config.toml", 5, 12, words);
    }
}

/// The output folder is replaced wholesale, so it may not be the site, a source folder, the
/// file system root or a folder of someone else's files. The error points at `output_dir`.
#[test]
fn output_dir_that_would_swallow_the_sources() {
    let (site, snap) = good_site();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("notes.txt"), "mine").unwrap();
    let foreign = elsewhere.path().display().to_string();
    for (dir, reason) in [
        (".", "it is, or contains, the site root"),
        ("..", "it is, or contains, the site root"),
        ("content", "overlaps the site's `content` folder"),
        ("content/posts", "overlaps the site's `content` folder"),
        ("static", "overlaps the site's `static` folder"),
        ("/", "it is the file system root"),
        (foreign.as_str(), "was not written by Quire"),
    ] {
        site.write("config.toml", &format!("{CONFIG}output_dir = \"{dir}\"\n"));
        let e = fails_once(&site, &snap);
        assert_at(&e, "config.toml", 6, 14, reason);
        assert!(e.message.contains("`output_dir`"), "{e:#?}");
        assert!(site.root().join("content/posts/good.md").exists());
    }
    assert_eq!(
        fs::read_to_string(elsewhere.path().join("notes.txt")).unwrap(),
        "mine"
    );
    // `--output` gets the same rules, reported as a typed error without a config position.
    site.write("config.toml", CONFIG);
    let mut options = site.options();
    options.output = Some(site.root().join("content"));
    let err = quire::build(&options).unwrap_err();
    assert!(matches!(err, quire::Error::UnsafeOutput { .. }), "{err}");
    snap.assert_unchanged();
}

/// Outside the site is allowed, as in Zola and Hugo, when the folder is new (or Quire's own).
#[test]
fn output_dir_outside_the_site_builds_when_new() {
    let site = TestSite::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("site");
    site.write(
        "config.toml",
        &format!("{CONFIG}output_dir = \"{}\"\n", out.display()),
    );
    site.post("a.md", "title = \"A\"\ndate = 2020-01-01", "x");
    builds(&site);
    assert!(out.join("posts/a/index.html").exists());
    builds(&site); // and again, replacing its own output
    assert!(!site.out().exists());
}

// The content folder.

#[test]
fn symlink_loop_in_content() {
    let (site, snap) = good_site();
    std::os::unix::fs::symlink("..", site.root().join("content/posts/loop")).unwrap();
    let e = fails_once(&site, &snap);
    assert_eq!(
        (e.path.as_str(), e.position),
        ("content/posts/loop", None),
        "{e:#?}"
    );
    assert!(
        e.message.contains("symbolic link loop back to content"),
        "{e:#?}"
    );
}

/// Unreadable files, in a way that stops root too (chmod 000 does not): a symbolic link to
/// nothing and one to itself. Both are reported in one run.
#[test]
fn unreadable_files() {
    let (site, snap) = good_site();
    let posts = site.root().join("content/posts");
    std::os::unix::fs::symlink("nowhere.md", posts.join("dangling.md")).unwrap();
    std::os::unix::fs::symlink("self.md", posts.join("self.md")).unwrap();
    let errors = fails(&site, &snap);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(errors[0].path, "content/posts/dangling.md", "{errors:#?}");
    assert!(
        errors[0]
            .message
            .contains("symbolic link to `nowhere.md`, which does not exist"),
        "{errors:#?}"
    );
    assert_eq!(errors[1].path, "content/posts/self.md", "{errors:#?}");
    assert!(
        errors[1]
            .message
            .contains("cannot follow the symbolic link to `self.md`"),
        "{errors:#?}"
    );
}

#[test]
fn two_posts_with_the_same_url() {
    let (site, snap) = good_site();
    site.post(
        "one.md",
        "title = \"One\"\ndate = 2020-01-02\nslug = \"same\"",
        "x",
    )
    .post("2020-01-03-same.md", "title = \"Two\"", "x");
    let e = fails_once(&site, &snap);
    assert_eq!(
        e.message,
        "two pages have the URL /posts/same/: content/posts/2020-01-03-same.md and \
         content/posts/one.md"
    );
}

#[test]
fn tag_that_slugifies_to_nothing() {
    let (site, snap) = good_site();
    site.post("b.md", "title = \"What???\"\ntags = [\"ok\", \"???\"]", "x");
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        "content/posts/b.md",
        3,
        16,
        "the tags entry `???` has no letters",
    );
}

// Many problems at once.

/// Independent problems in different files are all reported by one run, in file order.
#[test]
fn every_bad_file_is_reported_in_one_run() {
    let (site, snap) = good_site();
    site.post("a.md", "title = \"A\"\ndate = 42", "x")
        .write(
            "content/posts/b.md",
            "---\ntitle: B\ndate: not a date\n---\n",
        )
        .write("content/posts/c.md", "no front matter here\n")
        .post("d.md", "title = 42\ndate = 2020-01-01", "x")
        .write(POST_TEMPLATE, &post_template("{% if %}"));
    let errors = fails(&site, &snap);
    assert_eq!(errors.len(), 5, "{errors:#?}");
    // The theme and the content load side by side: both are reported.
    let template = errors.iter().position(|e| e.path == POST_TEMPLATE);
    let mut errors = errors.clone();
    errors.remove(template.expect("the template error is reported"));
    assert_at(&errors[0], "content/posts/a.md", 3, 8, "a date like");
    assert_at(&errors[1], "content/posts/b.md", 3, 7, "expected a date");
    assert_at(
        &errors[2],
        "content/posts/c.md",
        1,
        1,
        "expected front matter",
    );
    assert_at(&errors[3], "content/posts/d.md", 2, 9, "expected a string");
}

/// Up to a limit: a mistake in every post shows the first 50 errors and the total.
#[test]
fn many_bad_files_are_reported_up_to_a_limit() {
    let (site, snap) = good_site();
    for i in 0..60 {
        site.post(
            &format!("bad-{i:02}.md"),
            "title = 42\ndate = 2020-01-01",
            "x",
        );
    }
    let run = quire_build(site.root());
    assert_eq!(run.code, Some(1));
    snap.assert_unchanged();
    let errors = reported(&run.stderr);
    assert_eq!(errors.len(), 50, "{}", run.stderr);
    for (i, e) in errors.iter().enumerate() {
        assert_at(
            e,
            &format!("content/posts/bad-{i:02}.md"),
            2,
            9,
            "expected a string",
        );
    }
    assert!(
        run.stderr
            .trim_end()
            .ends_with("60 errors; the first 50 are shown."),
        "{}",
        run.stderr
    );
}

/// An `_index.md` (a section's own file) whose front matter does not parse.
#[test]
fn section_file_with_bad_front_matter() {
    let (site, snap) = good_site();
    site.write(
        "content/posts/_index.md",
        "+++\ntitle = \"Posts\"\nsort_by = \n+++\n",
    );
    let e = fails_once(&site, &snap);
    assert_eq!(e.path, "content/posts/_index.md", "{e:#?}");
    assert_eq!(e.position.map(|p| p.0), Some(3), "{e:#?}");
}

#[test]
fn section_with_an_unknown_sort_by() {
    let (site, snap) = good_site();
    site.write(
        "content/posts/_index.md",
        "---\ntitle: Posts\nsort_by: popularity\n---\n",
    );
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        "content/posts/_index.md",
        3,
        1,
        "unknown `sort_by` value `popularity`: use \"date\"",
    );
}

/// Not an error (issue 13): a Zola site's section templates are often not copied over, so
/// the built-in one is used, with a warning at the setting that names the missing one.
#[test]
fn section_naming_a_page_template_that_does_not_exist() {
    let (site, _) = good_site();
    site.write(
        "content/posts/_index.md",
        "+++\ntitle = \"Posts\"\n\npage_template = \"story.html\"\n+++\n",
    );
    let built = site.built();
    let warnings = &built.report.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "content/posts/_index.md:4:1: the page_template `story.html` does not exist, so \
             post.html is used"
        ),
        "{warnings:?}"
    );
    // The theme's own templates are named as the alternatives.
    assert!(warnings[0].contains("section.html"), "{warnings:?}");
    // The post is rendered with the built-in post template.
    assert_eq!(
        texts(&built.page("/posts/good/"), "article.post h1.headline"),
        ["Good"]
    );
}

#[test]
fn a_path_that_leaves_the_site() {
    let (site, snap) = good_site();
    site.post(
        "b.md",
        "title = \"B\"\ndate = 2020-01-02\npath = \"../../x\"",
        "x",
    );
    let e = fails_once(&site, &snap);
    assert_at(&e, "content/posts/b.md", 4, 9, "`path` cannot be used");
    site.post("b.md", "title = \"B\"\ndate = 2020-01-02\nurl = \"/\"", "x");
    let e = fails_once(&site, &snap);
    assert_at(&e, "content/posts/b.md", 4, 8, "not the site root");
}

#[test]
fn two_sections_with_one_url() {
    let (site, snap) = good_site();
    site.write(
        "content/My News/a.md",
        "+++\ntitle = \"A\"\ndate = 2020-01-02\n+++\nx",
    )
    .write(
        "content/my-news/b.md",
        "+++\ntitle = \"B\"\ndate = 2020-01-03\n+++\nx",
    );
    let e = fails_once(&site, &snap);
    assert!(
        e.message.contains(
            "the sections `content/My News/` and `content/my-news/` both have the URL /my-news/"
        ),
        "{e:#?}"
    );
}

#[test]
fn a_post_over_a_section_list() {
    let (site, snap) = good_site();
    site.write(
        "content/news/a.md",
        "+++\ntitle = \"A\"\ndate = 2020-01-02\n+++\nx",
    )
    .post(
        "b.md",
        "title = \"B\"\ndate = 2020-01-02\npath = \"news\"",
        "x",
    );
    let e = fails_once(&site, &snap);
    assert_eq!(e.path, "content/posts/b.md", "{e:#?}");
    assert!(
        e.message
            .contains("the URL /news/ is the list page of the section `content/news/`"),
        "{e:#?}"
    );
}

#[test]
fn a_folder_that_is_both_a_section_and_a_bundle() {
    let (site, snap) = good_site();
    site.write(
        "content/posts/trip/_index.md",
        "+++\ntitle = \"Trip\"\n+++\n",
    )
    .write(
        "content/posts/trip/index.md",
        "+++\ntitle = \"Trip\"\ndate = 2020-01-02\n+++\nx",
    );
    let e = fails_once(&site, &snap);
    assert_eq!(e.path, "content/posts/trip/index.md", "{e:#?}");
    assert!(e.message.contains("a folder is one or the other"), "{e:#?}");
}

#[test]
fn bad_taxonomy_config() {
    let config =
        format!("{CONFIG}taxonomies = [{{ name = \"tags\" }}, {{ name = \"Writers!\" }}]\n");
    let (site, snap) = good_site();
    site.write("config.toml", &config);
    let e = fails_once(&site, &snap);
    assert_eq!(e.path, "config.toml", "{e:#?}");
    assert_eq!(e.position.map(|p| p.0), Some(6), "{e:#?}");
    assert!(e.message.contains("found `Writers!`"), "{e:#?}");
    site.write(
        "config.toml",
        &format!("{CONFIG}taxonomies = [{{ name = \"series\", sort_by = \"random\" }}]\n"),
    );
    let e = fails_once(&site, &snap);
    assert!(
        e.message
            .contains("unknown taxonomy `sort_by` value `random`"),
        "{e:#?}"
    );
    // A configured taxonomy's key holding something other than names.
    site.write(
        "config.toml",
        &format!("{CONFIG}taxonomies = [{{ name = \"regions\" }}]\n"),
    );
    site.post("b.md", "title = \"B\"\ndate = 2020-01-02\nregions = 7", "x");
    let e = fails_once(&site, &snap);
    assert_eq!(e.path, "content/posts/b.md", "{e:#?}");
    assert_eq!(e.position.map(|p| p.0), Some(4), "{e:#?}");
    assert!(e.message.contains("`regions` is a taxonomy"), "{e:#?}");
}

// Shortcodes (issue 13): each broken call is an error at the place the author wrote it, and
// the previous output stays as it was.

/// Break the good site with a post whose body (from line 5 of the file) is `body`.
fn fails_with_body(body: &str) -> Vec<Reported> {
    let (site, snap) = good_site();
    site.post("sc.md", "title = \"Shortcodes\"\ndate = 2020-01-02", body);
    fails(&site, &snap)
}

#[test]
fn shortcode_with_unbalanced_delimiters() {
    let errors = fails_with_body("Text {{ youtube(id=\"x\" }} and more.");
    assert_at(&errors[0], "content/posts/sc.md", 5, 6, "`youtube(`");
    let errors = fails_with_body("Then {{< figure src=\"a.png\" and no end.");
    assert_at(
        &errors[0],
        "content/posts/sc.md",
        5,
        6,
        "has no `>}}` after it",
    );
}

#[test]
fn shortcode_body_without_its_end() {
    let errors = fails_with_body("Intro.\n\n{% note(kind=\"x\") %}\nThe body never ends.\n");
    assert_at(
        &errors[0],
        "content/posts/sc.md",
        7,
        1,
        "has no `{% end %}` after it",
    );
    let errors = fails_with_body("{{< details >}}\nOpen forever.\n");
    assert_at(
        &errors[0],
        "content/posts/sc.md",
        5,
        1,
        "no closing `{{< /details >}}`",
    );
}

#[test]
fn shortcode_that_calls_itself() {
    let (site, snap) = good_site();
    site.write(
        "templates/shortcodes/again.html",
        "<b>{% include \"shortcodes/again.html\" %}</b>",
    );
    site.post(
        "sc.md",
        "title = \"Again\"\ndate = 2020-01-02",
        "{{ again() }}",
    );
    let e = fails_once(&site, &snap);
    assert_at(
        &e,
        "templates/shortcodes/again.html",
        1,
        15,
        "includes itself",
    );
}

#[test]
fn shortcode_argument_of_the_wrong_type() {
    let errors = fails_with_body(
        "{{< details open=\"yes\" >}}Body{{< /details >}}\n\n{{ figure(src=[\"a\"]) }}",
    );
    assert_at(
        &errors[0],
        "content/posts/sc.md",
        5,
        1,
        "`open` of `details` must be true or false, but it is a string",
    );
    assert_at(
        &errors[1],
        "content/posts/sc.md",
        7,
        1,
        "`src` of `figure` must be a string, but it is an array",
    );
}

#[test]
fn liquid_tag_quire_does_not_know() {
    let errors = fails_with_body("Hello {% assign name = \"x\" %}{{ name }}.");
    assert_at(
        &errors[0],
        "content/posts/sc.md",
        5,
        7,
        "the Liquid tag `{% assign %}` is not one Quire knows",
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");
}
