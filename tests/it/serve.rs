//! The dev server: real HTTP on 127.0.0.1 with a free port, a raw client (so hostile paths
//! reach the server as written), live reload over SSE, and the error overlay.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quire::serve::{ServeEvent, ServeOptions, Server};

use crate::harness::*;

pub(crate) fn sample() -> TestSite {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"Alpha\"\ndate = 2026-01-01\ntags = [\"x\"]",
        "Alpha body.",
    )
    .post("b.md", "title = \"Beta\"\ndate = 2026-01-02", "Beta body.")
    .write("static/data.txt", "0123456789");
    site
}

#[test]
fn serves_feeds_sitemap_and_robots_with_links_to_the_local_address() {
    let running = Running::start(sample(), false);
    let server = running.server();
    for path in [
        "/atom.xml",
        "/rss.xml",
        "/tags/x/atom.xml",
        "/tags/x/rss.xml",
    ] {
        let response = get(server, path);
        assert_eq!(response.status, 200, "{path}");
        let feed = feed_rs::parser::parse(response.body.as_bytes())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let links: Vec<&str> = feed
            .entries
            .iter()
            .map(|e| e.links[0].href.as_str())
            .collect();
        let want: &[String] = if path.starts_with("/tags/") {
            &[format!("{}posts/a/", server.url())]
        } else {
            &[
                format!("{}posts/b/", server.url()),
                format!("{}posts/a/", server.url()),
            ]
        };
        assert_eq!(links, want, "{path}");
    }
    let sitemap = get(server, "/sitemap.xml");
    assert_eq!(sitemap.status, 200);
    assert!(
        sitemap
            .body
            .contains(&format!("<loc>{}posts/a/</loc>", server.url())),
        "{}",
        sitemap.body
    );
    let robots = get(server, "/robots.txt");
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {}sitemap.xml", server.url())),
        "{}",
        robots.body
    );
}

/// An SSE connection to the server's event stream, sent `extra` header lines, read up to the
/// end of the response head.
pub(crate) fn open_stream(server: &Server, extra: &str) -> BufReader<TcpStream> {
    let (mut stream, addr) = connect(server);
    write!(
        stream,
        "GET {} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n{extra}\r\n",
        quire::serve::EVENTS_PATH
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
    }
    reader
}

/// An SSE connection to the server's event stream, past its opening `hello`.
pub(crate) fn subscribe(server: &Server) -> BufReader<TcpStream> {
    let mut reader = open_stream(server, "");
    // Every stream opens with `hello`: once it is read, the server is sending this stream
    // whatever comes next.
    assert_eq!(next_event(&mut reader), "hello");
    reader
}

/// The next `event:` name on the stream.
pub(crate) fn next_event(reader: &mut BufReader<TcpStream>) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .expect("an event before the timeout");
        assert!(n > 0, "stream closed");
        if let Some(name) = line.trim().strip_prefix("event:") {
            return name.trim().to_string();
        }
    }
}

#[test]
fn serves_pages_with_types_redirects_404_and_no_cache_headers() {
    let running = Running::start(sample(), false);
    let server = running.server();
    assert!(server.url().starts_with("http://127.0.0.1:"));

    let home = get(server, "/");
    assert_eq!(home.status, 200);
    assert!(
        home.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(home.header("cache-control"), Some("no-cache"));
    assert!(home.header("etag").is_some());
    assert!(home.header("last-modified").is_some());
    assert_eq!(texts(&home.html(), "main article h2 a"), ["Beta", "Alpha"]);
    // Links point at the local server, not base_url.
    let canonical = attrs(
        &get(server, "/posts/a/").html(),
        "link[rel=canonical]",
        "href",
    );
    assert_eq!(canonical, [format!("{}posts/a/", server.url())]);
    // The live-reload script is injected into served pages only.
    assert_eq!(
        attrs(&home.html(), "script", "src"),
        [quire::serve::SCRIPT_PATH]
    );

    let css = get(server, "/style.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));

    let redirect = get(server, "/posts/a");
    assert!(
        matches!(redirect.status, 301 | 307 | 308),
        "{}",
        redirect.status
    );
    assert_eq!(redirect.header("location"), Some("/posts/a/"));

    let missing = get(server, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        texts(&missing.html(), "h1")
            .join(" ")
            .to_lowercase()
            .contains("not found")
    );

    let head = request(server, "HEAD", "/", "");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        home.body.len()
    );

    let range = request(server, "GET", "/data.txt", "Range: bytes=2-4\r\n");
    assert_eq!(range.status, 206);
    assert_eq!(range.body, "234");

    let etag = home.header("etag").unwrap().to_string();
    let again = request(server, "GET", "/", &format!("If-None-Match: {etag}\r\n"));
    assert_eq!(again.status, 304);
}

#[test]
fn path_traversal_gets_nothing_from_outside() {
    let running = Running::start(sample(), false);
    let server = running.server();
    // A file beside the served folder, and a symlink planted inside pointing out.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP SECRET").unwrap();
    std::os::unix::fs::symlink(outside.path(), server.dir().join("escape")).unwrap();
    for path in [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/posts/../../secret.txt",
        "/posts/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/escape/secret.txt",
        "/escape/",
        "//etc/passwd",
        "/%00",
        "/../../../../../../etc/passwd",
    ] {
        let r = get(server, path);
        assert!(matches!(r.status, 400 | 404), "{path}: {}", r.status);
        assert!(
            !r.body.contains("TOP SECRET") && !r.body.contains("root:"),
            "{path}"
        );
    }
}

#[test]
fn an_edit_is_rebuilt_and_open_pages_are_told_to_reload() {
    let running = Running::start(sample(), true);
    let server = running.server();
    let mut events = subscribe(server);
    std::fs::write(
        running.site.root().join("content/posts/a.md"),
        "+++\ntitle = \"Alpha, revised\"\ndate = 2026-01-01\n+++\nNew words.\n",
    )
    .unwrap();
    assert_eq!(next_event(&mut events), "reload");
    let post = get(server, "/posts/a/");
    assert_eq!(texts(&post.html(), "main h1"), ["Alpha, revised"]);
    assert!(
        texts(&post.html(), "main article")
            .join(" ")
            .contains("New words.")
    );

    // A stylesheet change swaps CSS in place instead of reloading.
    std::fs::write(
        running.site.root().join("static/style.css"),
        "body { color: teal }",
    )
    .unwrap();
    assert_eq!(next_event(&mut events), "css");
    assert_eq!(get(server, "/style.css").body, "body { color: teal }");
}

#[test]
fn sidebar_fragments_are_filled_in_as_pages_are_served_so_a_new_post_re_renders_few_pages() {
    let site = sample();
    for i in 0..12 {
        site.post(
            &format!("old{i:02}.md"),
            &format!("title = \"Old {i}\"\ndate = 2025-01-{:02}", i + 1),
            "Old.",
        );
    }
    let running = Running::start(site, true);
    let server = running.server();
    let latest = |path: &str| {
        let page = get(server, path);
        assert!(
            !page.body.contains("quire-fragment"),
            "{path}: {}",
            page.body
        );
        texts(&page.html(), "aside .widget-latest li a")
    };
    assert_eq!(latest("/posts/old00/")[0], "Beta");
    let mut events = subscribe(server);
    running.site.post(
        "new.md",
        "title = \"Brand new\"\ndate = 2026-11-01",
        "Fresh.",
    );
    assert_eq!(next_event(&mut events), "reload");
    // Every page shows the new post in its sidebar, though the old posts' pages were not
    // rendered again.
    for path in ["/posts/old00/", "/posts/a/", "/tags/", "/about-missing/"] {
        if path == "/about-missing/" {
            let page = get(server, path);
            assert_eq!(page.status, 404);
            assert_eq!(
                texts(&page.html(), "aside .widget-latest li a")[0],
                "Brand new"
            );
        } else {
            assert_eq!(latest(path)[0], "Brand new", "{path}");
        }
    }
    let log = running.events.lock().unwrap().clone();
    let last = log.last().unwrap();
    let (rendered, pages) = last
        .rsplit_once("rendered ")
        .and_then(|(_, n)| n.split_once(" of "))
        .map(|(r, p)| (r.parse::<usize>().unwrap(), p.parse::<usize>().unwrap()))
        .unwrap_or_else(|| panic!("{log:?}"));
    assert!(rendered < pages / 2, "{last}");
    // HEAD gives the length of the page as served.
    let head = request(server, "HEAD", "/posts/old00/", "");
    let body = get(server, "/posts/old00/").body;
    assert_eq!(
        head.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        body.len()
    );
}

#[test]
fn a_broken_post_shows_the_error_overlay_until_fixed() {
    let running = Running::start(sample(), true);
    let server = running.server();
    let mut events = subscribe(server);
    let post = running.site.root().join("content/posts/a.md");
    std::fs::write(
        &post,
        "+++\ntitle = \"Alpha\"\ndate = \"someday\"\n+++\nx\n",
    )
    .unwrap();
    assert_eq!(next_event(&mut events), "reload");
    let page = get(server, "/posts/b/");
    assert_eq!(page.status, 200, "the last good site is still served");
    let overlay = select(&page.html(), "#quire-error-overlay").len();
    assert_eq!(overlay, 1, "{}", page.body);
    let files = texts(&page.html(), "#quire-error-overlay [data-quire-error-file]");
    assert_eq!(files, ["content/posts/a.md:3:8"]);
    assert!(
        texts(&page.html(), "#quire-error-overlay pre")
            .join(" ")
            .contains("date = \"someday\"")
    );
    assert!(
        running
            .events
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("failed content/posts/a.md"))
    );

    std::fs::write(
        &post,
        "+++\ntitle = \"Alpha fixed\"\ndate = 2026-01-01\n+++\nx\n",
    )
    .unwrap();
    assert_eq!(next_event(&mut events), "reload");
    let page = get(server, "/posts/a/");
    assert!(select(&page.html(), "#quire-error-overlay").is_empty());
    assert_eq!(texts(&page.html(), "main h1"), ["Alpha fixed"]);
}

#[test]
fn editor_temporaries_and_new_deleted_and_renamed_files_are_handled() {
    let running = Running::start(sample(), true);
    let server = running.server();
    let root = running.site.root().to_path_buf();
    running.wait_for_builds(1);
    // Vim-style swap files and backups trigger nothing.
    std::fs::write(root.join("content/posts/.a.md.swp"), "junk").unwrap();
    std::fs::write(root.join("content/posts/a.md~"), "junk").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        running.events.lock().unwrap().len(),
        2,
        "{:?}",
        running.events.lock().unwrap()
    );

    // Save by rename, a new folder with a bundle, a deletion.
    std::fs::write(
        root.join("content/posts/.tmp-save"),
        "+++\ntitle = \"Beta 2\"\ndate = 2026-01-02\n+++\nx\n",
    )
    .unwrap();
    std::fs::rename(
        root.join("content/posts/.tmp-save"),
        root.join("content/posts/b.md"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content/posts/new-bundle")).unwrap();
    std::fs::write(
        root.join("content/posts/new-bundle/index.md"),
        "+++\ntitle = \"Bundle\"\ndate = 2026-01-03\n+++\n![p](p.txt)\n",
    )
    .unwrap();
    std::fs::write(root.join("content/posts/new-bundle/p.txt"), "asset").unwrap();
    std::fs::remove_file(root.join("content/posts/a.md")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let home = get(server, "/");
        let titles = texts(&home.html(), "main article h2 a");
        if titles == ["Bundle", "Beta 2"] && get(server, "/posts/new-bundle/p.txt").body == "asset"
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{titles:?} {:?}",
            running.events.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(get(server, "/posts/a/").status, 404);
}

#[test]
fn a_taken_port_moves_to_the_next_free_one() {
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = blocker.local_addr().unwrap().port();
    let site = sample();
    let taken = Arc::new(Mutex::new(None));
    let t = taken.clone();
    let server = quire::serve::start(
        ServeOptions {
            build: site.options(),
            bind: "127.0.0.1".parse().unwrap(),
            port,
            watch: false,
            debounce: Duration::from_millis(20),
            port_attempts: 20,
            idle_timeout: quire::serve::DEFAULT_IDLE_TIMEOUT,
            max_streams: quire::serve::DEFAULT_MAX_STREAMS,
            stream_lifetime: quire::serve::DEFAULT_STREAM_LIFETIME,
        },
        Arc::new(move |e: ServeEvent| {
            if let ServeEvent::Listening { taken, .. } = e {
                *t.lock().unwrap() = Some(taken);
            }
        }),
    )
    .unwrap();
    assert_ne!(server.url(), format!("http://127.0.0.1:{port}/"));
    assert_eq!(*taken.lock().unwrap(), Some(Some(port)));
    assert_eq!(get(&server, "/").status, 200);
    server.stop().unwrap();
}

#[test]
fn serving_never_touches_the_build_output() {
    let site = sample();
    let built = site.built();
    let before = tree(&built.out);
    let running = Running::start(site, false);
    assert_eq!(get(running.server(), "/").status, 200);
    assert_eq!(tree(&built.out), before);
    assert!(
        !String::from_utf8_lossy(&std::fs::read(built.out.join("index.html")).unwrap())
            .contains("livereload")
    );
}

#[test]
fn a_templates_folder_created_while_serving_is_watched() {
    let running = Running::start(sample(), true);
    let server = running.server();
    let root = running.site.root().to_path_buf();
    assert!(!root.join("templates").exists());
    running.wait_for_builds(1);
    std::fs::create_dir_all(root.join("templates")).unwrap();
    // The new folder triggers a rebuild (which changes nothing), after which it is watched.
    running.wait_for_builds(2);
    // A file created inside the new folder afterwards is seen too.
    std::fs::write(
        root.join("templates/post.html"),
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ post.title }}</h1>{% endblock content %}",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while select(&get(server, "/posts/a/").html(), "h1.custom").is_empty() {
        assert!(
            Instant::now() < deadline,
            "{:?}",
            running.events.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The repository's sample blog, copied, with `base_url` under `/blog/`.
pub(crate) fn sample_blog_under_blog() -> TestSite {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = TestSite::with_config(
        &std::fs::read_to_string(repo.join("config.toml"))
            .unwrap()
            .lines()
            .map(|l| {
                if l.starts_with("base_url") {
                    "base_url = \"https://example.org/blog/\"".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    for dir in ["content", "static", "templates"] {
        for entry in walkdir::WalkDir::new(repo.join(dir)).into_iter().flatten() {
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(repo).unwrap();
                let to = site.root().join(rel);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(entry.path(), to).unwrap();
            }
        }
    }
    site
}

#[test]
fn a_site_under_a_sub_path_is_served_from_it_and_every_link_resolves_over_http() {
    let running = Running::start(sample_blog_under_blog(), false);
    let server = running.server();
    assert!(server.url().ends_with("/blog/"), "{}", server.url());
    let origin = server.url().trim_end_matches("/blog/").to_string();

    let root = get(server, "/");
    assert_eq!(root.status, 307);
    assert_eq!(root.header("location"), Some("/blog/"));
    let outside = get(server, "/posts/");
    assert_eq!(outside.status, 404, "the site lives under /blog/ only");
    assert_eq!(
        select(&outside.html(), "main h1").len(),
        1,
        "the site's 404 page"
    );
    let no_slash = get(server, "/blog/about");
    assert!(no_slash.status / 100 == 3, "{}", no_slash.status);
    assert_eq!(no_slash.header("location"), Some("/blog/about/"));

    // Crawl every same-site link and asset from the home page.
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = vec!["/blog/".to_string()];
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = get(server, &path);
        assert_eq!(response.status, 200, "{path}");
        let is_html = response
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"));
        if !is_html {
            continue;
        }
        let doc = response.html();
        for (selector, attr) in [
            ("a[href]", "href"),
            ("link[href]", "href"),
            ("img[src]", "src"),
            ("script[src]", "src"),
        ] {
            for url in attrs(&doc, selector, attr) {
                let url = url.strip_prefix(&origin).unwrap_or(&url);
                if !url.starts_with('/') || url.starts_with("//") {
                    continue;
                }
                let path = url.split(['#', '?']).next().unwrap().to_string();
                if path.starts_with("/__quire/") {
                    continue;
                }
                assert!(path.starts_with("/blog/"), "{path} on a page of the site");
                queue.push(path);
            }
        }
    }
    for expected in [
        "/blog/atom.xml",
        "/blog/tags/",
        "/blog/archive/",
        "/blog/about/",
    ] {
        assert!(seen.contains(expected), "{expected} reached: {seen:?}");
    }
    assert!(seen.len() > 30, "{}", seen.len());

    // Feeds and the sitemap point at the served path.
    let feed = get(server, "/blog/atom.xml").body;
    let feed = feed_rs::parser::parse(feed.as_bytes()).unwrap();
    for entry in &feed.entries {
        let href = &entry.links[0].href;
        assert!(href.starts_with(&format!("{origin}/blog/posts/")), "{href}");
        let path = href.strip_prefix(&origin).unwrap();
        assert_eq!(get(server, path).status, 200, "{path}");
    }
}

#[test]
fn search_works_in_the_preview_and_its_index_follows_an_edit() {
    let running = Running::start(sample(), true);
    let server = running.server();
    // Index files are written after the build's reload: wait for them.
    let index_has = |word: &str| -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let meta = get(server, "/search/meta.json");
            if meta.status == 200 {
                let meta: serde_json::Value = serde_json::from_str(&meta.body).unwrap();
                let chunks = meta["chunks"].as_array().unwrap().len();
                if (0..chunks).any(|i| {
                    get(server, &format!("/search/t/{i}.json"))
                        .body
                        .contains(&format!("\"{word}\""))
                }) {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    };
    assert!(index_has("alpha"));
    let page = get(server, "/search/");
    assert_eq!(page.status, 200);
    // The page's own script, and the dev server's live reload.
    assert_eq!(
        attrs(&page.html(), "script", "src"),
        ["/search.js", "/__quire/livereload.js"]
    );
    let script = get(server, "/search.js");
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("content-type")
            .unwrap()
            .contains("javascript")
    );

    let mut events = subscribe(server);
    std::fs::write(
        running.site.root().join("content/posts/a.md"),
        "+++\ntitle = \"Alpha\"\ndate = 2026-01-01\n+++\nA quetzalword appears.\n",
    )
    .unwrap();
    assert_eq!(next_event(&mut events), "reload");
    assert!(index_has("quetzalword"));
    // A post's fragment follows too, and a removed post leaves the index.
    std::fs::remove_file(running.site.root().join("content/posts/b.md")).unwrap();
    assert_eq!(next_event(&mut events), "reload");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let meta: serde_json::Value =
            serde_json::from_str(&get(server, "/search/meta.json").body).unwrap();
        if meta["documents"] == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "{meta}");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(get(server, "/search/d/1.json").status, 404);
    assert!(
        get(server, "/search/d/0.json")
            .body
            .contains("quetzalword appears")
    );
}
