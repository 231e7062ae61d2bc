//! Every output path stays inside the output folder and belongs to one output (issue 11,
//! items 1 and 5). Hostile aliases, permalinks and base URLs aim at two planted canary
//! folders; each case runs the `quire` binary (`build`, then `check`) and asserts exit code 1,
//! the error's file, line and column, the canaries untouched and the previous output byte for
//! byte as it was.

use std::fs;
use std::path::Path;

use crate::harness::*;

/// A site with one good post, built, its output snapshotted, and canaries planted.
fn good_site() -> (TestSite, Snapshot, Canaries) {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    site.built();
    let snapshot = Snapshot::take(&site.out());
    let canaries = Canaries::plant(&site);
    (site, snapshot, canaries)
}

/// `quire check` on the site: exit code and stderr.
fn quire_check(root: &Path) -> (Option<i32>, String) {
    let out = assert_cmd::Command::new(quire_bin())
        .arg("--root")
        .arg(root)
        .arg("check")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), stderr)
}

/// Build and check the broken site: both exit 1 with the same first error, nothing outside
/// the output changes and the output stays as it was. Returns the errors `build` printed.
#[track_caller]
fn refused(site: &TestSite, snapshot: &Snapshot, canaries: &Canaries) -> Vec<Reported> {
    let errors = fails(site, snapshot);
    canaries.assert_untouched();
    let (code, stderr) = quire_check(site.root());
    assert_eq!(code, Some(1), "`quire check` passed:\n{stderr}");
    assert_eq!(reported(&stderr).first(), errors.first(), "{stderr}");
    canaries.assert_untouched();
    errors
}

/// TOML string syntax for `s` (a literal string cannot hold a `'` or a control character).
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn aliases_that_would_leave_the_output_are_refused_at_their_line() {
    let (site, snap, canaries) = good_site();
    let tmp_victim = canaries.in_tmp().join("victim.txt").display().to_string();
    let beside = canaries
        .beside()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let long = format!("/{}/", "x".repeat(300));
    let cases: Vec<(String, &str)> = vec![
        (format!("/{tmp_victim}"), "`//`"),
        (format!("//{}", tmp_victim.trim_start_matches('/')), "`//`"),
        (format!("/../{beside}/victim.txt"), "`..` segment"),
        (
            format!("/posts/../../../{beside}/index.html"),
            "`..` segment",
        ),
        (format!("/./../{beside}/"), "`.` segment"),
        (format!("/..\\{beside}\\victim.txt"), "backslash"),
        // Without a leading `/` an alias is read from the site root (as Zola reads it), so
        // `{beside}/victim.txt` stays inside the output; a UNC path is still refused.
        ("\\\\srv\\share\\victim.txt".to_string(), "backslash"),
        ("/posts//welcome/".to_string(), "`//`"),
        (long, "more than the 255"),
    ];
    for (alias, words) in cases {
        site.post(
            "b.md",
            &format!(
                "title = \"B\"\ndate = 2020-01-02\naliases = [\"/fine/\", {}]",
                toml_str(&alias)
            ),
            "x",
        );
        let errors = refused(&site, &snap, &canaries);
        assert_eq!(errors.len(), 1, "{alias:?}: {errors:#?}");
        // Line 4 of the file; the column of the alias's first character after the quote
        // (the position search finds the value in the line).
        let e = &errors[0];
        assert_eq!(e.path, "content/posts/b.md", "{alias:?}: {e:#?}");
        assert_eq!(e.position.map(|p| p.0), Some(4), "{alias:?}: {e:#?}");
        assert!(e.message.contains("the alias"), "{e:#?}");
        assert!(e.message.contains(words), "{alias:?}: {e:#?}");
    }
}

#[test]
fn an_alias_in_yaml_front_matter_is_refused_at_its_position() {
    let (site, snap, canaries) = good_site();
    let victim = canaries.in_tmp().join("victim.txt").display().to_string();
    site.write(
        "content/posts/y.md",
        &format!("---\ntitle: Y\naliases:\n  - /old/\n  - /{victim}\n---\nbody\n"),
    );
    let e = &refused(&site, &snap, &canaries)[0];
    assert_at(e, "content/posts/y.md", 5, 5, "`//`");
}

#[test]
fn permalinks_that_would_leave_the_output_are_refused_in_config() {
    let (site, snap, canaries) = good_site();
    let tmp = canaries.in_tmp().display().to_string();
    let beside = canaries
        .beside()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    for (pattern, words) in [
        (format!("/{tmp}/{{slug}}/"), "`//`"),
        (format!("/../{beside}/{{slug}}/"), "`..` segment"),
        (format!("/{{slug}}/../../{beside}/"), "`..` segment"),
        ("/posts/./{slug}/".to_string(), "`.` segment"),
        ("/posts\\{slug}/".to_string(), "backslash"),
        ("/posts/{slug}//".to_string(), "`//`"),
        ("/posts/{slug}?x/".to_string(), "`?` or `#`"),
    ] {
        site.write(
            "config.toml",
            &format!("{CONFIG}permalink = {}\n", toml_str(&pattern)),
        );
        let errors = refused(&site, &snap, &canaries);
        assert_eq!(errors.len(), 1, "{pattern}: {errors:#?}");
        assert_at(&errors[0], "config.toml", 6, 13, words);
        assert!(errors[0].message.contains("`permalink`"), "{errors:#?}");
    }
}

#[test]
fn a_base_url_path_with_empty_segments_is_refused() {
    let (site, snap, canaries) = good_site();
    let config = CONFIG.replace("https://example.org/", "https://example.org//srv/x/");
    site.write("config.toml", &config);
    let e = &refused(&site, &snap, &canaries)[0];
    assert_at(e, "config.toml", 5, 12, "`//`");
}

/// The dev server rebuilds on every save: a hostile alias added while serving fails that
/// rebuild (shown in the overlay), writes nothing outside, and removing it deletes nothing
/// outside either.
#[test]
fn a_hostile_alias_added_and_removed_while_serving_touches_nothing_outside() {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    let canaries = Canaries::plant(&site);
    let victim = canaries.in_tmp().join("victim.txt").display().to_string();
    let running = Running::start(site, true);
    running.wait_for_builds(1);
    let post = running.site.root().join("content/posts/good.md");
    let hostile = format!(
        "+++\ntitle = \"Good\"\ndate = 2020-01-01\naliases = [\"/{victim}\"]\n+++\nHello.\n"
    );
    fs::write(&post, hostile).unwrap();
    running.wait_for_builds(2);
    let page = get(running.server(), "/posts/good/");
    let files = texts(&page.html(), "#quire-error-overlay [data-quire-error-file]");
    assert_eq!(files, ["content/posts/good.md:4:13"], "{}", page.body);
    canaries.assert_untouched();
    fs::write(
        &post,
        "+++\ntitle = \"Good\"\ndate = 2020-01-01\n+++\nHello.\n",
    )
    .unwrap();
    running.wait_for_builds(3);
    let page = get(running.server(), "/posts/good/");
    assert!(select(&page.html(), "#quire-error-overlay").is_empty());
    canaries.assert_untouched();
}

#[test]
fn an_alias_over_a_generated_page_is_an_error_naming_both_every_time() {
    let (site, snap, canaries) = good_site();
    site.post(
        "tagged.md",
        "title = \"Tagged\"\ndate = 2020-01-03\ntags = [\"meta\"]",
        "x",
    );
    site.post("welcome.md", "title = \"Welcome\"\ndate = 2020-01-04", "x");
    site.built();
    let snap2 = Snapshot::take(&site.out());
    drop(snap);
    for (alias, path, first) in [
        ("/index.html", "index.html", "the home page"),
        (
            "/posts/welcome/",
            "posts/welcome/index.html",
            "`content/posts/welcome.md`",
        ),
        (
            "/tags/meta/",
            "tags/meta/index.html",
            "the tags page `meta`",
        ),
        ("/404.html", "404.html", "the 404 page"),
        ("/tags/", "tags/index.html", "the list of all tags"),
        ("/atom.xml", "atom.xml", "the feed `atom.xml` of /"),
        (
            "/tags/meta/rss.xml",
            "tags/meta/rss.xml",
            "the feed `tags/meta/rss.xml`",
        ),
        ("/sitemap.xml", "sitemap.xml", "the generated `sitemap.xml`"),
        ("/robots.txt", "robots.txt", "the generated `robots.txt`"),
        ("/style.css", "style.css", "the theme's `style.css`"),
        (
            "/archive/2020/",
            "archive/2020/index.html",
            "the archive of 2020",
        ),
    ] {
        site.post(
            "mover.md",
            &format!("title = \"Mover\"\ndate = 2020-01-05\naliases = [\"{alias}\"]"),
            "x",
        );
        // The same verdict on every run, not whichever page was written last.
        for _ in 0..3 {
            let errors = refused(&site, &snap2, &canaries);
            let clash = errors
                .iter()
                .find(|e| e.message.contains("would both be written to"))
                .unwrap_or_else(|| panic!("{alias}: {errors:#?}"));
            assert!(
                clash
                    .message
                    .contains(&format!("would both be written to {path}")),
                "{alias}: {clash:#?}"
            );
            assert!(clash.message.contains(first), "{alias}: {clash:#?}");
            assert!(
                clash
                    .message
                    .contains(&format!("the alias `{alias}` in `content/posts/mover.md`")),
                "{alias}: {clash:#?}"
            );
            // Told at the alias, which is the one to change.
            assert_eq!(
                (clash.path.as_str(), clash.position),
                ("content/posts/mover.md", Some((4, 13))),
                "{alias}: {clash:#?}"
            );
        }
    }
}

#[test]
fn a_permalink_that_puts_a_post_on_a_tag_page_is_an_error_naming_both() {
    let (site, snap, canaries) = good_site();
    site.write(
        "config.toml",
        &format!("{CONFIG}permalink = \"/tags/{{slug}}/\"\n"),
    );
    site.post(
        "meta.md",
        "title = \"Meta\"\ndate = 2020-01-03\ntags = [\"Meta\"]",
        "x",
    );
    let errors = refused(&site, &snap, &canaries);
    let clash = errors
        .iter()
        .find(|e| {
            e.message
                .contains("would both be written to tags/meta/index.html")
        })
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(
        clash.message.contains("`content/posts/meta.md`"),
        "{clash:#?}"
    );
    assert!(clash.message.contains("the tags page `Meta`"), "{clash:#?}");
}

#[test]
fn static_files_and_bundle_assets_cannot_take_another_output_s_path() {
    let (site, snap, canaries) = good_site();
    // A static file where a post's page goes.
    site.write("static/posts/good/index.html", "<p>static</p>");
    let errors = refused(&site, &snap, &canaries);
    assert!(
        errors[0].message.contains(
            "`static/posts/good/index.html` and `content/posts/good.md` would both be written to posts/good/index.html"
        ),
        "{errors:#?}"
    );
    fs::remove_dir_all(site.root().join("static/posts")).unwrap();

    // A bundle asset and a static file of the same path.
    site.write(
        "content/posts/trip/index.md",
        "+++\ntitle = \"Trip\"\ndate = 2020-02-01\n+++\n![Map](map.png)\n",
    );
    site.write("content/posts/trip/map.png", "bundle");
    site.write("static/posts/trip/map.png", "static");
    let errors = refused(&site, &snap, &canaries);
    assert!(
        errors[0].message.contains(
            "`static/posts/trip/map.png` and `content/posts/trip/map.png` would both be written to posts/trip/map.png"
        ),
        "{errors:#?}"
    );
    fs::remove_dir_all(site.root().join("static/posts")).unwrap();

    // A bundle asset named like the post's own page.
    site.write("content/posts/trip/index.html", "<p>asset</p>");
    let errors = refused(&site, &snap, &canaries);
    assert!(
        errors[0].message.contains(
            "`content/posts/trip/index.html` and `content/posts/trip/index.md` would both be written to posts/trip/index.html"
        ),
        "{errors:#?}"
    );
}

/// Overrides that are a feature, not a clash: a site's `static/` replaces the theme's assets
/// and the generated robots.txt, sitemap and feeds.
#[test]
fn a_static_file_still_overrides_theme_assets_and_generated_files() {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    site.write("static/style.css", "body { color: red }\n");
    let built = site.built();
    assert_eq!(
        fs::read_to_string(built.out.join("robots.txt")).unwrap(),
        "User-agent: *\nDisallow: /\n"
    );
    assert_eq!(
        fs::read_to_string(built.out.join("style.css")).unwrap(),
        "body { color: red }\n"
    );
}

/// Slugs and tag slugs are made of letters, digits and `-`, so path syntax in a `slug`, a file
/// name or a tag becomes words in a URL under the output, never a way out of it.
#[test]
fn path_syntax_in_slugs_and_tags_stays_inside_the_output() {
    let site = TestSite::new();
    let canaries = Canaries::plant(&site);
    let tmp = canaries.in_tmp().display().to_string();
    site.post(
        "a.md",
        &format!(
            "title = \"A\"\ndate = 2020-01-01\nslug = \"../../{tmp}\"\ntags = [\"../../..\\\\x\", \"/{tmp}\"]"
        ),
        "x",
    );
    site.post(
        "b..%2f..%2fescape.md",
        "title = \"B\"\ndate = 2020-01-02",
        "x",
    );
    let built = site.built();
    canaries.assert_untouched();
    let files: Vec<String> = tree(&built.out).into_iter().map(|(p, _)| p).collect();
    let slug = quire::slugify(&tmp);
    assert!(
        files.contains(&format!("posts/{slug}/index.html")),
        "{files:?}"
    );
    let b = quire::slugify("b..%2f..%2fescape");
    assert!(
        files.contains(&format!("posts/{b}/index.html")),
        "{files:?}"
    );
    assert!(!b.contains(['.', '/', '%']), "{b}");
    assert!(
        files.contains(&"tags/x/index.html".to_string()),
        "{files:?}"
    );
    assert!(
        files.contains(&format!("tags/{slug}/index.html")),
        "{files:?}"
    );
    // Nothing beside the output folder but the site's own sources.
    let mut beside: Vec<String> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["config.toml", "content", "public"]);
}

/// A `static/config.toml` is published like any static file, and the output that holds it
/// (with Quire's marker) is still Quire's to replace on the next build.
#[test]
fn a_static_config_toml_does_not_lock_the_output() {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    site.write("static/config.toml", "published = true\n");
    let first = quire_build(site.root());
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(site.out().join("config.toml").is_file());
    site.post("more.md", "title = \"More\"\ndate = 2020-01-02", "x");
    let second = quire_build(site.root());
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(site.out().join("posts/more/index.html").is_file());
    // A folder with a config.toml that Quire did not write is still refused.
    let project = site.root().join("elsewhere");
    fs::create_dir_all(&project).unwrap();
    fs::write(project.join("config.toml"), "title = \"Other\"\n").unwrap();
    let out = assert_cmd::Command::new(quire_bin())
        .arg("--root")
        .arg(site.root())
        .arg("build")
        .arg("--output")
        .arg(&project)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("looks like a project"));
    assert_eq!(
        fs::read_to_string(project.join("config.toml")).unwrap(),
        "title = \"Other\"\n"
    );
}
