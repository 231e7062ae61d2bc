//! Issue 11, "nothing outside the output is ever touched": sources that reach outside the site
//! or that the build cannot write. Each case breaks a site that built, runs the `quire` binary,
//! and checks the exit code, the file (and line and column) the error names, that the previous
//! output is byte for byte as it was, and, where a link aims at them, that the canaries were
//! neither touched nor published.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

use crate::harness::*;

/// A site with one good post, built by the binary, its output snapshotted, and canaries
/// planted that every failed build is checked against.
fn good_site() -> (TestSite, Snapshot) {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    builds(&site);
    let snapshot = Snapshot::take(&site.out()).guarding(&site);
    (site, snapshot)
}

#[track_caller]
fn builds(site: &TestSite) -> Run {
    let run = quire_build(site.root());
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    run
}

/// [`fails`] with exactly one error, at `path` and `position`, whose message has `words`.
#[track_caller]
fn fails_at(
    site: &TestSite,
    snapshot: &Snapshot,
    path: &str,
    position: Option<(usize, usize)>,
    words: &[&str],
) -> Reported {
    let mut errors = fails(site, snapshot);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = errors.pop().unwrap();
    assert_eq!((e.path.as_str(), e.position), (path, position), "{e:#?}");
    for w in words {
        assert!(e.message.contains(w), "no {w:?} in {e:#?}");
    }
    e
}

/// Every file of the output, as text, for checking that nothing of a canary got in.
fn published(site: &TestSite) -> String {
    tree(&site.out())
        .into_iter()
        .map(|(p, b)| format!("{p}\n{}\n", String::from_utf8_lossy(&b)))
        .collect()
}

// 6a. Dates with years feeds cannot carry.

#[test]
fn dates_outside_0001_to_9999_are_refused_where_they_are_written() {
    let (site, snap) = good_site();
    let accepted = ["0001 to 9999", "four digits and no sign"];
    // (file, text, line, column): TOML strings, a TOML datetime, `updated`, YAML.
    let cases = [
        (
            "b.md",
            "+++\ntitle = \"B\"\ndate = \"+10000-01-01\"\n+++\n",
            3,
            8,
        ),
        (
            "b.md",
            "+++\ntitle = \"B\"\ndate = \"-0001-01-01\"\n+++\n",
            3,
            8,
        ),
        (
            "b.md",
            "+++\ntitle = \"B\"\ndate = \"-0001-01-01T10:00:00+01:00\"\n+++\n",
            3,
            8,
        ),
        ("b.md", "+++\ntitle = \"B\"\ndate = 0000-01-01\n+++\n", 3, 8),
        (
            "b.md",
            "+++\ntitle = \"B\"\ndate = 0000-12-31T23:00:00Z\n+++\n",
            3,
            8,
        ),
        (
            "b.md",
            "+++\ntitle = \"B\"\ndate = 2020-01-02\nupdated = \"+10000-01-01 00:00:00 +0000\"\n+++\n",
            4,
            11,
        ),
        ("b.md", "---\ntitle: B\ndate: -0001-01-01\n---\n", 3, 7),
        (
            "b.md",
            "---\ntitle: B\ndate: 2020-01-02\nlastmod: \"+10000-01-01\"\n---\n",
            4,
            10,
        ),
        (
            "b.md",
            "---\ntitle: B\ndate: 10000-01-01T00:00:00Z\n---\n",
            3,
            7,
        ),
    ];
    for (name, text, line, col) in cases {
        site.write(&format!("content/posts/{name}"), text);
        fails_at(
            &site,
            &snap,
            &format!("content/posts/{name}"),
            Some((line, col)),
            &accepted,
        );
        fs::remove_file(site.root().join("content/posts").join(name)).unwrap();
    }
    // File-name prefixes: the name is the position.
    for name in [
        "-0001-01-01-x.md",
        "+10000-01-01-x.md",
        "0000-01-01-x.md",
        "10000-12-31_x.md",
    ] {
        site.post(name, "title = \"X\"", "x");
        fails_at(
            &site,
            &snap,
            &format!("content/posts/{name}"),
            None,
            &accepted,
        );
        fs::remove_file(site.root().join("content/posts").join(name)).unwrap();
    }
    // The first and last accepted years build, and the feeds carry them.
    site.post(
        "0001-01-01-first.md",
        "title = \"First\"\nupdated = 9999-12-31T23:59:59Z",
        "x",
    );
    builds(&site);
    let rss = fs::read_to_string(site.out().join("rss.xml")).unwrap();
    assert!(
        rss.contains("<pubDate>Mon, 1 Jan 0001 00:00:00 +0000</pubDate>"),
        "{rss}"
    );
    let atom = fs::read_to_string(site.out().join("atom.xml")).unwrap();
    assert!(
        atom.contains("<updated>9999-12-31T23:59:59+00:00</updated>"),
        "{atom}"
    );
    assert!(
        atom.contains("<published>0001-01-01T00:00:00+00:00</published>"),
        "{atom}"
    );
}

// 7. Hidden files in static/.

#[test]
fn hidden_static_files_are_published_and_editor_leftovers_are_not() {
    let (site, _) = good_site();
    let published_files = [
        (
            ".well-known/security.txt",
            "Contact: mailto:sec@example.org\n",
        ),
        (".well-known/acme-challenge/tok3n", "tok3n.key\n"),
        (".nojekyll", ""),
        (".htaccess", "Options -Indexes\n"),
        ("sub/.hidden/x.txt", "x"),
    ];
    for (rel, text) in published_files {
        site.write(&format!("static/{rel}"), text);
    }
    let leftovers = [
        ".style.css.swp",
        "style.css~",
        ".#style.css",
        "#style.css#",
        "4913",
        ".DS_Store",
        "sub/Thumbs.db",
        ".git/config",
        ".hg/store/x",
        "sub/.svn/entries",
    ];
    for rel in leftovers {
        site.write(&format!("static/{rel}"), "leftover");
    }
    builds(&site);
    for (rel, text) in published_files {
        assert_eq!(
            fs::read_to_string(site.out().join(rel)).unwrap(),
            text,
            "{rel}"
        );
    }
    for rel in leftovers {
        assert!(!site.out().join(rel).exists(), "{rel} was published");
    }
    let top = rel_names(&site.out());
    assert!(!top.contains(&".git".to_string()), "{top:?}");
}

fn rel_names(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Quire's own marker in `static/`, at the top or deeper, would vouch for a folder Quire never
/// wrote (the output safety check trusts it): refused by name.
#[test]
fn a_static_file_named_like_the_output_marker_is_refused() {
    let (site, snap) = good_site();
    for rel in [
        ".quire-output",
        "sub/.quire-output",
        ".well-known/.quire-output",
    ] {
        site.write(&format!("static/{rel}"), "");
        fails_at(
            &site,
            &snap,
            &format!("static/{rel}"),
            None,
            &["marker", "rename"],
        );
        fs::remove_file(site.root().join("static").join(rel)).unwrap();
    }
    builds(&site);
}

/// The dev server serves hidden static files, and its watcher picks up new ones (and leaves
/// editor temporaries alone).
#[test]
fn the_dev_server_serves_and_watches_hidden_static_files() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2020-01-01", "a")
        .write("static/.well-known/security.txt", "Contact: x\n");
    let running = Running::start_with(site, true, Duration::from_millis(20));
    let server = running.server();
    let r = get(server, "/.well-known/security.txt");
    assert_eq!((r.status, r.body.as_str()), (200, "Contact: x\n"));
    assert_eq!(get(server, "/.well-known/acme-challenge/tok").status, 404);
    running
        .site
        .write("static/.well-known/acme-challenge/tok", "tok.key");
    running.wait_for_builds(2);
    let r = get(server, "/.well-known/acme-challenge/tok");
    assert_eq!((r.status, r.body.as_str()), (200, "tok.key"));
}

// 10b. Names that are not UTF-8.

#[test]
fn file_names_that_are_not_utf8_are_refused_by_name() {
    let (site, snap) = good_site();
    let write = |rel: &[u8], text: &str| {
        let path = site.root().join(OsStr::from_bytes(rel));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    // Two names that lossy conversion made one (`caf\u{FFFD}.txt`): both are named.
    write(b"static/caf\xe9.txt", "latin-1");
    write(b"static/caf\xe8.txt", "another");
    let errors = fails(&site, &snap);
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        ["static/caf\\xE8.txt", "static/caf\\xE9.txt"],
        "{errors:#?}"
    );
    for e in &errors {
        assert!(e.message.contains("not valid UTF-8"), "{e:#?}");
        assert!(e.message.contains("rename it"), "{e:#?}");
    }
    fs::remove_dir_all(site.root().join("static")).unwrap();
    // A folder, and a bundle's asset in content/.
    write(b"static/d\xff/x.txt", "x");
    fails_at(
        &site,
        &snap,
        "static/d\\xFF",
        None,
        &["folder name is not valid UTF-8"],
    );
    fs::remove_dir_all(site.root().join("static")).unwrap();
    site.post("b/index.md", "title = \"B\"\ndate = 2020-01-02", "b");
    write(b"content/posts/b/ph\xf6to.jpg", "jpeg");
    fails_at(
        &site,
        &snap,
        "content/posts/b/ph\\xF6to.jpg",
        None,
        &["rename it"],
    );
}

// 12. Symbolic links that lead out of the site.

#[test]
fn symlinks_out_of_the_site_are_refused_and_the_canaries_stay_unpublished() {
    let (site, snap) = good_site();
    let canaries = Canaries::plant(&site);
    let beside = canaries.beside().to_path_buf();
    let beside_name = beside.file_name().unwrap().to_str().unwrap().to_string();
    let in_tmp = canaries.in_tmp().to_path_buf();
    let root = site.root();
    fs::create_dir_all(root.join("static")).unwrap();
    fs::create_dir_all(root.join("templates")).unwrap();
    // (the link, what it points at as written)
    let cases: Vec<(&str, String)> = vec![
        ("static/env.txt", "/proc/self/environ".into()),
        (
            "static/victim.txt",
            beside.join("victim.txt").display().to_string(),
        ),
        ("static/rel.txt", format!("../../{beside_name}/victim.txt")),
        ("static/dir", in_tmp.display().to_string()),
        ("static/root", "/".into()),
        (
            "templates/base.html",
            beside.join("index.html").display().to_string(),
        ),
        (
            "templates/fragments",
            in_tmp.join("sub").display().to_string(),
        ),
        (
            "content/posts/stolen.md",
            in_tmp.join("sub/deeper/note.md").display().to_string(),
        ),
    ];
    for (link, target) in &cases {
        symlink(target, root.join(link)).unwrap();
        let e = fails_at(
            &site,
            &snap,
            link,
            None,
            &[
                "a symbolic link to",
                "outside the site folder",
                "allow_symlinks_outside",
            ],
        );
        assert!(e.message.contains(target.as_str()), "{e:#?}");
        fs::remove_file(root.join(link)).unwrap();
        canaries.assert_untouched();
    }
    // A chain: the link in static/ leads to a link inside the site that leads out.
    symlink(beside.join("victim.txt"), root.join("hop")).unwrap();
    symlink("../hop", root.join("static/chain.txt")).unwrap();
    fails_at(
        &site,
        &snap,
        "static/chain.txt",
        None,
        &["`../hop`", "victim.txt"],
    );
    fs::remove_file(root.join("static/chain.txt")).unwrap();
    // A bundle's asset.
    site.post("b/index.md", "title = \"B\"\ndate = 2020-01-02", "b");
    symlink(
        beside.join("victim.txt"),
        root.join("content/posts/b/photo.jpg"),
    )
    .unwrap();
    fails_at(
        &site,
        &snap,
        "content/posts/b/photo.jpg",
        None,
        &["outside the site folder"],
    );
    fs::remove_file(root.join("content/posts/b/photo.jpg")).unwrap();
    canaries.assert_untouched();

    // Links that stay inside the site are followed.
    site.write("assets/logo.txt", "logo");
    symlink("../assets/logo.txt", root.join("static/logo.txt")).unwrap();
    symlink("../assets", root.join("static/assets")).unwrap();
    symlink(
        "../../../assets/logo.txt",
        root.join("content/posts/b/logo.txt"),
    )
    .unwrap();
    builds(&site);
    assert_eq!(
        fs::read_to_string(site.out().join("logo.txt")).unwrap(),
        "logo"
    );
    assert_eq!(
        fs::read_to_string(site.out().join("assets/logo.txt")).unwrap(),
        "logo"
    );
    assert_eq!(
        fs::read_to_string(site.out().join("posts/b/logo.txt")).unwrap(),
        "logo"
    );
    assert!(!published(&site).contains("precious"));
    canaries.assert_untouched();
}

#[test]
fn allow_symlinks_outside_opens_the_named_folder_only() {
    let (site, _) = good_site();
    let canaries = Canaries::plant(&site);
    let beside_name = canaries
        .beside()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let root = site.root();
    fs::create_dir_all(root.join("static")).unwrap();
    symlink(
        canaries.beside().join("victim.txt"),
        root.join("static/shared.txt"),
    )
    .unwrap();
    site.write(
        "config.toml",
        &format!("{CONFIG}allow_symlinks_outside = [\"../{beside_name}\"]\n"),
    );
    builds(&site);
    assert_eq!(
        fs::read_to_string(site.out().join("shared.txt")).unwrap(),
        "precious\n"
    );
    canaries.assert_untouched();
    // Another folder is still closed.
    let snap = Snapshot::take(&site.out());
    symlink(
        canaries.in_tmp().join("victim.txt"),
        root.join("static/other.txt"),
    )
    .unwrap();
    fails_at(
        &site,
        &snap,
        "static/other.txt",
        None,
        &["outside the site folder"],
    );
    fs::remove_file(root.join("static/other.txt")).unwrap();
    // A folder that does not exist is an error at its config line.
    site.write(
        "config.toml",
        &format!("{CONFIG}allow_symlinks_outside = [\"../nowhere\"]\n"),
    );
    fails_at(
        &site,
        &snap,
        "config.toml",
        Some((6, 27)),
        &["`../nowhere`", "cannot be resolved"],
    );
    // A misspelt key is refused like any other.
    site.write(
        "config.toml",
        &format!("{CONFIG}allow_symlink_outside = [\"..\"]\n"),
    );
    fails_at(
        &site,
        &snap,
        "config.toml",
        Some((6, 1)),
        &["did you mean `allow_symlinks_outside`"],
    );
    canaries.assert_untouched();
}

// 13. Tags per post.

#[test]
fn more_than_a_hundred_tags_on_a_post_is_refused_at_the_tags_line() {
    let (site, snap) = good_site();
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("\"t{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    site.post(
        "b.md",
        &format!("title = \"B\"\ndate = 2020-01-02\ntags = [{}]", list(4000)),
        "b",
    );
    let start = std::time::Instant::now();
    fails_at(
        &site,
        &snap,
        "content/posts/b.md",
        Some((4, 1)),
        &["4000 tags", "100"],
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    // Zola's place for them, in YAML, and categories.
    site.write(
        "content/posts/b.md",
        &format!(
            "---\ntitle: B\ntaxonomies:\n  tags: [{}]\n---\nb\n",
            list(101)
        ),
    );
    fails_at(
        &site,
        &snap,
        "content/posts/b.md",
        Some((4, 3)),
        &["101 tags"],
    );
    site.post(
        "b.md",
        &format!("title = \"B\"\ncategories = [{}]", list(150)),
        "b",
    );
    fails_at(
        &site,
        &snap,
        "content/posts/b.md",
        Some((3, 1)),
        &["150 categories"],
    );
    // A hundred is fine.
    site.post(
        "b.md",
        &format!("title = \"B\"\ndate = 2020-01-02\ntags = [{}]", list(100)),
        "b",
    );
    builds(&site);
    let terms = fs::read_dir(site.out().join("tags"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_dir())
        .count();
    assert_eq!(terms, 100);
}

// 14. Messages that named the wrong file.

#[test]
fn template_and_config_errors_name_the_file_at_fault() {
    let (site, snap) = good_site();
    // An extends loop reached from a page template: the loop is the problem, not 404.html.
    site.write("templates/404.html", "{% extends \"x.html\" %}\n")
        .write("templates/x.html", "{% extends \"y.html\" %}\n")
        .write("templates/y.html", "{# y #}\n{% extends \"x.html\" %}\n");
    fails_at(
        &site,
        &snap,
        "templates/y.html",
        Some((2, 12)),
        &[
            "`x.html` and `y.html` extend each other",
            "x.html → y.html → x.html",
        ],
    );
    fs::remove_dir_all(site.root().join("templates")).unwrap();

    // A base.html without the blocks the built-in pages fill: base.html is at fault.
    site.write(
        "templates/base.html",
        "<html><body>{% block main %}{% endblock main %}</body></html>",
    );
    let errors = fails(&site, &snap);
    assert!(errors.len() >= 2, "{errors:#?}");
    for e in &errors {
        assert_eq!(e.path, "templates/base.html", "{e:#?}");
        assert!(e.message.starts_with("has no `{% block "), "{e:#?}");
    }
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("`{% block content %}`"))
    );
    fs::remove_dir_all(site.root().join("templates")).unwrap();

    // Components calling each other without end.
    site.write(
        "templates/parts.html",
        "{% component ping(n) %}\n<i>{{ <pong n={n} /> }}</i>\n{% endcomponent ping %}\n\
         {% component pong(n) %}\n  <b>{{ <ping n={n} /> }}</b>\n{% endcomponent pong %}\n",
    )
    .write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ <ping n={1} /> }}{% endblock content %}",
    )
    .write("content/about.md", "+++\ntitle = \"About\"\n+++\nx\n");
    fails_at(
        &site,
        &snap,
        "templates/parts.html",
        Some((5, 10)),
        &[
            "components call each other in a loop (ping → pong → ping)",
            "content/about.md",
        ],
    );
    fs::remove_dir_all(site.root().join("templates")).unwrap();
    fs::remove_file(site.root().join("content/about.md")).unwrap();

    // The date filter given a post's bad value: the template and the post.
    site.write(
        "templates/post.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% if post.extra.when %}\n<p>{{ post.extra.when | date }}</p>\n{% endif %}{% endblock content %}\n",
    );
    site.post(
        "b.md",
        "title = \"B\"\ndate = 2020-01-02\n[extra]\nwhen = \"soon\"",
        "b",
    );
    fails_at(
        &site,
        &snap,
        "templates/post.html",
        Some((4, 25)),
        &[
            "`soon` is not an RFC 3339 date",
            "while rendering content/posts/b.md",
        ],
    );
    fs::remove_dir_all(site.root().join("templates")).unwrap();
    fs::remove_file(site.root().join("content/posts/b.md")).unwrap();

    // A backslash in the permalink is called a backslash.
    for pattern in ["/posts\\\\{slug}/", "\\\\posts\\\\{slug}\\\\"] {
        site.write(
            "config.toml",
            &format!("{CONFIG}permalink = \"{pattern}\"\n"),
        );
        let e = fails_at(&site, &snap, "config.toml", Some((6, 13)), &["backslash"]);
        assert!(!e.message.contains(".."), "{e:#?}");
    }
    site.write(
        "config.toml",
        &format!("{CONFIG}permalink = '/posts/../{{slug}}/'\n"),
    );
    fails_at(
        &site,
        &snap,
        "config.toml",
        Some((6, 13)),
        &["a `..` segment"],
    );
    site.write("config.toml", CONFIG);
    builds(&site);
}
