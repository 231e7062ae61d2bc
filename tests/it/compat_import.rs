//! `quire import` (issue 13, part 3) and the `[redirects]` it writes: a small site per
//! generator, written here, imported into a new folder and built; the built pages, the old
//! URLs and the untouched source are checked.

use std::fs;
use std::path::Path;

use quire::import::{Generator, Options, Report, import};

use crate::harness::*;

/// A folder of files written from `(path, text)` pairs.
fn old_site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// Import `src` into a fresh folder; the source must come out byte for byte as it was.
fn imported(from: Generator, src: &Path) -> (tempfile::TempDir, Report) {
    let before = tree(src);
    let out = tempfile::tempdir().unwrap();
    let report = import(&Options {
        from,
        source: src.to_path_buf(),
        dest: out.path().join("site"),
    })
    .unwrap();
    assert_eq!(tree(src), before, "import wrote into SRC");
    (out, report)
}

fn built(out: &tempfile::TempDir, report: &Report) -> Built {
    let build = report
        .build
        .as_ref()
        .unwrap_or_else(|e| panic!("first build failed: {e}"));
    assert_eq!(build.output, out.path().join("site/public"));
    Built {
        out: build.output.clone(),
        report: build.clone(),
    }
}

fn config(out: &tempfile::TempDir) -> quire::config::Config {
    quire::load_config(&out.path().join("site")).unwrap()
}

/// Where the redirect page at `url` leads (its meta refresh), and its link's text.
fn redirect(built: &Built, url: &str) -> (String, String) {
    let page = built.page(url);
    let refresh = attrs(&page, "meta[http-equiv=refresh]", "content");
    assert_eq!(refresh.len(), 1, "{url} is no redirect");
    let to = refresh[0].trim_start_matches("0; url=").to_string();
    (to, texts(&page, "main p a").join("|"))
}

fn headline(built: &Built, url: &str) -> String {
    texts(&built.page(url), "h1.headline").join("|")
}

#[test]
fn hugo_site_keeps_its_urls_its_settings_and_its_shortcodes_read() {
    let src = old_site(&[
        (
            "hugo.toml",
            "baseURL = \"https://old.example.com/\"\ntitle = \"Old Hugo Blog\"\nlanguageCode = \"en-gb\"\n\
             paginate = 7\n[params]\ndescription = \"Notes from *before*\"\nauthor = \"Demo Author\"\n\
             mainSections = [\"posts\"]\naccent = \"blue\"\n[permalinks]\nposts = \"/:year/:month/:slug/\"\n\
             [taxonomies]\ntag = \"tags\"\nseries = \"series\"\n[outputs]\nhome = [\"HTML\"]\n",
        ),
        (
            "content/posts/first.md",
            "---\ntitle: \"First Post\"\ndate: 2024-03-05\ntags: [alpha]\nseries: [intro]\naliases: [early-draft]\n---\n\
             Before {{< note >}}inner **text**{{< /note >}} after.\n",
        ),
        (
            "content/posts/bundle/index.md",
            "---\ntitle: Bundled\ndate: 2024-04-01\nslug: custom-slug\n---\n![A photo](photo.png)\n",
        ),
        ("content/posts/bundle/photo.png", "png"),
        (
            "content/about.md",
            "---\ntitle: About Me\nurl: /about-me/\n---\nAbout [the first](/2024/03/first-post/).\n",
        ),
        (
            "static/img/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        ),
        (
            "layouts/shortcodes/note.html",
            "<div class=\"note\">{{ .Inner | markdownify }}</div>",
        ),
        (
            "layouts/shortcodes/figure.html",
            "<figure>{{ .Get \"src\" }}</figure>",
        ),
    ]);
    let (out, report) = imported(Generator::Hugo, src.path());
    let site = out.path().join("site");

    let c = config(&out);
    assert_eq!(c.title, "Old Hugo Blog");
    assert_eq!(c.base_url, "https://old.example.com/");
    assert_eq!(c.language, "en-gb");
    assert_eq!(c.author, "Demo Author");
    assert_eq!(c.description, "Notes from *before*");
    assert_eq!(c.posts_per_page, 7);
    assert_eq!(c.permalink.expand("x", Some((2024, 3, 5))), "/2024/03/x/");
    let names: Vec<&str> = c.taxonomies.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["series", "tags"]);
    assert_eq!(c.extra["accent"].as_str(), Some("blue"));

    // Hugo's `:slug` is the title made into a slug when the post has none: the post is now at
    // its file name, and the old URL redirects there.
    assert_eq!((report.documents, report.compared, report.kept), (3, 3, 2));
    // And its relative alias, which Hugo reads from the post's folder.
    assert_eq!(report.redirects, 2);
    let built = built(&out, &report);
    assert_eq!(headline(&built, "/2024/03/first/"), "First Post");
    assert_eq!(headline(&built, "/2024/04/custom-slug/"), "Bundled");
    assert_eq!(
        redirect(&built, "/2024/03/first-post/"),
        (
            "https://old.example.com/2024/03/first/".into(),
            "First Post".into()
        )
    );
    assert_eq!(
        redirect(&built, "/posts/early-draft/").0,
        "https://old.example.com/2024/03/first/"
    );
    // The about page's link to the old URL is not broken: the redirect is a page.
    assert!(
        built.report.problems.is_empty(),
        "{:?}",
        built.report.problems
    );
    let first = built.page("/2024/03/first/");
    assert_eq!(texts(&first, ".post-footer .term-links li a"), ["alpha"]);
    assert_eq!(headline_of_term(&built, "/series/intro/"), ["First Post"]);
    // The site's own Go shortcode is a stub that shows its inner text as Markdown.
    assert_eq!(texts(&first, ".post-body p strong"), ["text"]);
    assert_eq!(report.stubs, [Path::new("templates/shortcodes/note.html")]);
    let stub = fs::read_to_string(site.join("templates/shortcodes/note.html")).unwrap();
    assert!(stub.contains("layouts/shortcodes/note.html"), "{stub}");
    // Its own `figure` is left to Quire's built-in, with a note; `outputs` is not translated.
    let notes: Vec<String> = report
        .notes
        .iter()
        .map(|n| format!("{}: {}", n.file.display(), n.message))
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("layouts/shortcodes/figure.html: ")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`outputs` is not translated")),
        "{notes:?}"
    );
    assert!(built.exists("/img/logo.svg"));
    assert!(built.exists("/2024/04/custom-slug/photo.png"));
    // Posts are copied byte for byte.
    assert_eq!(
        fs::read(site.join("content/posts/first.md")).unwrap(),
        fs::read(src.path().join("content/posts/first.md")).unwrap()
    );
}

#[test]
fn hugo_ugly_urls_become_redirects_from_the_html_files() {
    let src = old_site(&[
        (
            "config.yaml",
            "baseURL: https://u.example.org/\ntitle: Ugly\nuglyURLs: true\n",
        ),
        (
            "content/posts/Some Post.md",
            "---\ntitle: Some Post\ndate: 2024-01-01\n---\nBody\n",
        ),
    ]);
    let (out, report) = imported(Generator::Hugo, src.path());
    assert_eq!((report.compared, report.kept, report.redirects), (1, 0, 1));
    let built = built(&out, &report);
    assert_eq!(headline(&built, "/posts/some-post/"), "Some Post");
    // Hugo lowercased the path and put `-` for the space.
    assert_eq!(
        redirect(&built, "/posts/some-post.html").0,
        "https://u.example.org/posts/some-post/"
    );
}

#[test]
fn jekyll_site_keeps_categories_dates_pages_and_static_files() {
    let src = old_site(&[
        (
            "_config.yml",
            "title: Old Jekyll Blog\nurl: \"https://jk.example.org\"\nbaseurl: \"/blog\"\n\
             description: Notes\nauthor:\n  name: Jay Doe\npaginate: 5\nexclude: [scripts]\n\
             twitter_username: jd\nplugins: [jekyll-feed]\n",
        ),
        (
            "_posts/2024-01-02-hello-world.md",
            "---\ntitle: \"Hello World\"\ndate: 2024-01-02 10:00:00 +0000\ncategories: [Life]\ntags: a b\n---\n\
             Hi {% include note.html text=\"x\" %} and [two]({% post_url 2024-02-03-Second.Post %}).\n",
        ),
        (
            "_posts/2024-02-03-Second.Post.markdown",
            "---\ntitle: Second\n---\nBody\n",
        ),
        ("_drafts/wip.md", "---\ntitle: Draft\n---\nWIP\n"),
        (
            "about.md",
            "---\nlayout: page\ntitle: About\n---\nAbout page\n",
        ),
        ("index.md", "---\nlayout: home\n---\n"),
        (
            "archive.html",
            "---\nlayout: default\n---\n<h1>{{ page.title }}</h1>",
        ),
        ("assets/img/a.png", "png"),
        ("CNAME", "jk.example.org"),
        ("Gemfile", "source 'https://rubygems.org'"),
        ("scripts/deploy.sh", "echo"),
        ("_includes/note.html", "<aside>{{ include.text }}</aside>"),
        ("_layouts/default.html", "{{ content }}"),
    ]);
    let (out, report) = imported(Generator::Jekyll, src.path());
    let c = config(&out);
    assert_eq!(c.base_url, "https://jk.example.org/blog/");
    assert_eq!(c.base_path, "/blog/");
    assert_eq!(c.author, "Jay Doe");
    assert_eq!(c.posts_per_page, 5);
    assert_eq!(c.extra["twitter_username"].as_str(), Some("jd"));
    // Jekyll's default `date` style: `/:categories/:year/:month/:day/:title.html`, with the
    // title's case and dots kept; pages end in `.html`.
    assert_eq!((report.compared, report.kept, report.redirects), (3, 0, 3));
    let built = built(&out, &report);
    assert_eq!(headline(&built, "/posts/hello-world/"), "Hello World");
    assert_eq!(
        redirect(&built, "/life/2024/01/02/hello-world.html").0,
        "https://jk.example.org/blog/posts/hello-world/"
    );
    assert_eq!(
        redirect(&built, "/2024/02/03/Second.Post.html").0,
        "https://jk.example.org/blog/posts/second-post/"
    );
    assert_eq!(redirect(&built, "/about.html").1, "About");
    assert_eq!(
        texts(
            &built.page("/posts/hello-world/"),
            ".post-footer .term-links li a"
        ),
        ["a", "b", "Life"]
    );
    // The draft is not published; the include used by a post is a stub to port.
    assert!(!built.exists("/posts/wip/"));
    assert_eq!(report.stubs, [Path::new("templates/includes/note.html")]);
    // Files without front matter are static files, except what Jekyll excludes.
    assert!(built.exists("/assets/img/a.png"));
    assert!(built.exists("/CNAME"));
    assert!(!built.exists("/Gemfile") && !built.exists("/scripts/deploy.sh"));
    let notes: Vec<String> = report
        .notes
        .iter()
        .map(|n| n.file.display().to_string())
        .collect();
    for file in ["archive.html", "index.md", "_layouts", "_config.yml"] {
        assert!(notes.iter().any(|n| n == file), "{file} not in {notes:?}");
    }
}

#[test]
fn jekyll_pretty_permalinks_are_quire_permalinks() {
    let src = old_site(&[
        (
            "_config.yml",
            "title: P\nurl: https://p.example.org\npermalink: /:year/:month/:day/:title/\n",
        ),
        (
            "_posts/2024-05-06-a-post.md",
            "---\ntitle: A Post\n---\nBody\n",
        ),
        (
            "_posts/2024-05-07-Odd.Name.md",
            "---\ntitle: Odd\n---\nBody\n",
        ),
        ("about.md", "---\ntitle: About\n---\nAbout\n"),
    ]);
    let (out, report) = imported(Generator::Jekyll, src.path());
    assert_eq!((report.compared, report.kept, report.redirects), (3, 2, 1));
    let built = built(&out, &report);
    assert_eq!(headline(&built, "/2024/05/06/a-post/"), "A Post");
    assert_eq!(texts(&built.page("/about/"), "h1").join("|"), "About");
    assert_eq!(
        redirect(&built, "/2024/05/07/Odd.Name/").0,
        "https://p.example.org/2024/05/07/odd-name/"
    );
}

#[test]
fn zola_site_comes_over_with_every_url_and_its_shortcodes() {
    let src = old_site(&[
        (
            "config.toml",
            "base_url = \"https://zola.example.net\"\ntitle = \"Old Zola Blog\"\ncompile_sass = true\n\
             taxonomies = [{name = \"tags\", feed = true}, {name = \"authors\"}]\n[markdown]\nhighlight_code = true\n\
             [extra]\nauthor = \"Zed\"\n",
        ),
        (
            "content/blog/_index.md",
            "+++\ntitle = \"Blog\"\nsort_by = \"date\"\n+++\n",
        ),
        (
            "content/blog/zola-post.md",
            "+++\ntitle = \"Zola Post\"\ndate = 2024-02-02\n[taxonomies]\ntags = [\"x\"]\nauthors = [\"Zed\"]\n+++\n\
             Hi {{ note(text=\"hey\") }} and {{/* kept() */}}.\n",
        ),
        (
            "content/blog/2024-05-01-bundled/index.md",
            "+++\ntitle = \"Bundled\"\n+++\n![pic](pic.png)\n",
        ),
        ("content/blog/2024-05-01-bundled/pic.png", "png"),
        (
            "content/blog/old.md",
            "+++\ntitle = \"Old\"\npath = \"2014/12/12/old-one\"\naliases = [\"old.html\"]\n+++\nOld\n",
        ),
        ("content/top.md", "+++\ntitle = \"Top\"\n+++\nTop page\n"),
        (
            "templates/shortcodes/note.html",
            "<span class=\"note\">{{ text }}</span>",
        ),
        ("templates/index.html", "<html></html>"),
        // Tera 1 syntax that Tera 2 refuses: a stub; Zola's `markdown` filter: copied.
        (
            "templates/shortcodes/pic.html",
            "{% if src is not ending_with(\"svg\") %}<img src=\"{{ src }}\">{% endif %}",
        ),
        (
            "templates/shortcodes/info.html",
            "<aside>{{ body | markdown | safe }}</aside>",
        ),
        // In both `static/` and `content/`: Zola publishes one file; so does Quire.
        ("content/blog/chart.png", "chart"),
        ("static/blog/chart.png", "chart"),
    ]);
    let (out, report) = imported(Generator::Zola, src.path());
    let c = config(&out);
    assert_eq!(c.author, "Zed");
    assert_eq!(
        c.home_section,
        quire::config::HomeSection::Section("blog".into())
    );
    let tax: Vec<(&str, bool)> = c
        .taxonomies
        .iter()
        .map(|t| (t.name.as_str(), t.feed))
        .collect();
    assert_eq!(tax, [("tags", true), ("authors", false)]);
    assert_eq!((report.compared, report.kept, report.redirects), (4, 4, 0));
    assert_eq!(
        report.templates,
        [
            Path::new("templates/shortcodes/info.html"),
            Path::new("templates/shortcodes/note.html")
        ]
    );
    assert_eq!(report.stubs, [Path::new("templates/shortcodes/pic.html")]);
    let stub_note = report
        .notes
        .iter()
        .find(|n| n.file == Path::new("templates/shortcodes/pic.html"))
        .expect("a note for the stub");
    assert!(
        stub_note
            .message
            .starts_with("not a Tera 2 template (templates/shortcodes/pic.html:1:"),
        "{}",
        stub_note.message
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.file == Path::new("static/blog/chart.png")),
        "{:?}",
        report.notes
    );
    let built = built(&out, &report);
    let post = built.page("/blog/zola-post/");
    assert_eq!(texts(&post, ".post-body span.note"), ["hey"]);
    assert_eq!(
        texts(&post, ".post-body p").join(""),
        "Hi hey and {{ kept() }}."
    );
    assert_eq!(headline(&built, "/2014/12/12/old-one/"), "Old");
    assert_eq!(redirect(&built, "/old.html").1, "Old");
    assert!(built.exists("/blog/bundled/pic.png"));
    assert!(built.exists("/blog/chart.png"));
    assert_eq!(
        texts(&built.page("/"), ".post-list .summary .headline a"),
        ["Bundled", "Zola Post", "Old"]
    );
    let notes: Vec<&str> = report.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("1 theme templates not imported")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("`compile_sass`")),
        "{notes:?}"
    );
}

#[test]
fn import_never_writes_into_the_source_or_over_a_folder() {
    let src = old_site(&[(
        "config.toml",
        "base_url = \"https://e.org\"\ntitle = \"T\"\n",
    )]);
    let before = tree(src.path());
    for dest in [src.path().join("new"), src.path().to_path_buf()] {
        let err = import(&Options {
            from: Generator::Zola,
            source: src.path().to_path_buf(),
            dest,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("outside the old site"), "{err}");
    }
    let full = tempfile::tempdir().unwrap();
    fs::write(full.path().join("keep.txt"), "mine").unwrap();
    let err = import(&Options {
        from: Generator::Zola,
        source: src.path().to_path_buf(),
        dest: full.path().to_path_buf(),
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(
        fs::read_to_string(full.path().join("keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(tree(src.path()), before);
    // Not a Jekyll site: a clear error, and nothing made.
    let dest = full.path().join("jekyll");
    let err = import(&Options {
        from: Generator::Jekyll,
        source: src.path().to_path_buf(),
        dest: dest.clone(),
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("is it a Jekyll site?"), "{err}");
    assert!(!dest.exists());
}

#[cfg(unix)]
#[test]
fn symbolic_links_in_the_source_are_not_followed() {
    let secret = tempfile::tempdir().unwrap();
    fs::write(secret.path().join("id_rsa"), "SECRET").unwrap();
    let src = old_site(&[
        (
            "config.toml",
            "base_url = \"https://e.org\"\ntitle = \"T\"\n",
        ),
        (
            "content/posts/a.md",
            "+++\ntitle = \"A\"\ndate = 2024-01-01\n+++\nA\n",
        ),
    ]);
    std::os::unix::fs::symlink(secret.path(), src.path().join("static")).unwrap();
    std::os::unix::fs::symlink(
        secret.path().join("id_rsa"),
        src.path().join("content/key.txt"),
    )
    .unwrap();
    let (out, report) = imported(Generator::Zola, src.path());
    let copied = tree(&out.path().join("site"));
    assert!(
        copied.iter().all(|(_, bytes)| bytes != b"SECRET"),
        "a linked file was copied"
    );
    let linked: Vec<_> = report
        .notes
        .iter()
        .filter(|n| n.message.starts_with("a symbolic link"))
        .collect();
    assert_eq!(linked.len(), 2, "{:?}", report.notes);
}

#[test]
fn the_command_prints_the_report_and_fails_when_the_site_does_not_build() {
    let src = old_site(&[
        ("hugo.toml", "baseURL = \"https://e.org/\"\ntitle = \"T\"\n"),
        (
            "content/posts/a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nA\n",
        ),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(quire_bin())
        .args(["import", "--from", "hugo"])
        .arg(src.path())
        .arg(out.path().join("ok"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("Imported 1 documents"), "{stdout}");
    assert!(
        stdout.contains("URLs: 1 of 1 posts and pages keep their URL"),
        "{stdout}"
    );
    assert!(stdout.contains("First build: 1 posts"), "{stdout}");

    // Two posts at one URL: the import is done, the build fails, the exit says so.
    fs::write(
        src.path().join("content/posts/b.md"),
        "---\ntitle: B\ndate: 2024-01-02\nurl: /posts/a/\n---\nB\n",
    )
    .unwrap();
    let run = std::process::Command::new(quire_bin())
        .args(["import", "--from", "hugo"])
        .arg(src.path())
        .arg(out.path().join("fails"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("content/posts/a.md") && stderr.contains("content/posts/b.md"),
        "{stderr}"
    );
    assert!(stderr.contains("does not build yet"), "{stderr}");
    assert!(out.path().join("fails/content/posts/b.md").is_file());
}

#[test]
fn a_redirect_over_a_page_is_an_error_naming_both() {
    let site = TestSite::with_config(&format!(
        "{CONFIG}[redirects]\n\"/posts/a/\" = \"/posts/b/\"\n"
    ));
    site.post("a.md", "title = \"A\"\ndate = 2024-01-01", "A");
    site.post("b.md", "title = \"B\"\ndate = 2024-01-02", "B");
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains("the redirect `/posts/a/` in `config.toml`"),
        "{err}"
    );
    assert!(err.contains("content/posts/a.md"), "{err}");
    assert!(!site.out().exists());
}

#[test]
fn redirects_go_under_the_base_path_and_to_other_sites() {
    let config = CONFIG.replace("https://example.org/", "https://example.org/blog/");
    let site = TestSite::with_config(&format!(
        "{config}[redirects]\n\"/old/a.html\" = \"/posts/a/\"\n\"/gone/\" = \"https://elsewhere.example/\"\n"
    ));
    site.post("a.md", "title = \"Post A\"\ndate = 2024-01-01", "A");
    let built = site.built();
    let page = built.page("/old/a.html");
    assert_eq!(attrs(&page, "main p a", "href"), ["/blog/posts/a/"]);
    assert_eq!(texts(&page, "main p a"), ["Post A"]);
    assert_eq!(
        attrs(&page, "link[rel=canonical]", "href"),
        ["https://example.org/blog/posts/a/"]
    );
    assert_eq!(
        attrs(&built.page("/gone/"), "link[rel=canonical]", "href"),
        ["https://elsewhere.example/"]
    );
    // Redirects are not in the sitemap.
    let sitemap = fs::read_to_string(built.out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("/blog/posts/a/") && !sitemap.contains("/old/a.html"),
        "{sitemap}"
    );
}

fn headline_of_term(built: &Built, url: &str) -> Vec<String> {
    texts(&built.page(url), ".post-list .summary .headline a")
}

#[test]
fn old_pages_at_urls_quire_makes_itself_are_left_out_with_a_note() {
    let src = old_site(&[
        (
            "_config.yml",
            "title: T\nurl: https://t.example.org\npermalink: pretty\ninclude: [_pages]\n",
        ),
        (
            "notes/_posts/2024-01-01-one.md",
            "---\ntitle: One\n---\nOne\n",
        ),
        (
            "_pages/notes.md",
            "---\ntitle: Notes\nlayout: archive\npermalink: /notes/\n---\n{% for p in site.posts %}{% endfor %}\n",
        ),
        (
            "_pages/archive.md",
            "---\ntitle: Archive\npermalink: /archive/\n---\nAll\n",
        ),
        (
            "_pages/colophon.md",
            "---\ntitle: Colophon\npermalink: /colophon/\n---\nMade\n",
        ),
    ]);
    let (out, report) = imported(Generator::Jekyll, src.path());
    let left: Vec<String> = report
        .notes
        .iter()
        .filter(|n| {
            n.message
                .starts_with("not imported, as Quire makes this page itself")
        })
        .map(|n| n.file.display().to_string())
        .collect();
    assert_eq!(
        left,
        ["content/_pages/archive.md", "content/_pages/notes.md"]
    );
    assert_eq!(report.documents, 2);
    let built = built(&out, &report);
    // The section's own list and Quire's archive stand in for them; the other page is kept.
    assert_eq!(
        texts(&built.page("/notes/"), ".post-list .summary .headline a"),
        ["One"]
    );
    assert_eq!(texts(&built.page("/colophon/"), "h1").join(""), "Colophon");
    assert!(built.exists("/archive/index.html"));
}
