//! The dev server touches nothing outside its own folder and gives nothing to other hosts: a
//! panic in a rebuild becomes an error on the page (the loop goes on), every stop signal
//! removes the private folder (created 0700), `Host` must name this server, redirects stay on
//! it, live-reload streams are bounded, and long file names are updated in place.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quire::serve::Server;

use crate::harness::*;
use crate::serve::{next_event, open_stream, sample, subscribe};

/// Send `raw` as written (no Host added) and parse the answer.
fn raw(server: &Server, raw: &str) -> Response {
    let (mut stream, _) = connect(server);
    stream.write_all(raw.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        headers: lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect(),
        body: body.to_string(),
    }
}

fn port(server: &Server) -> u16 {
    let (_, addr) = connect(server);
    addr.rsplit_once(':').unwrap().1.parse().unwrap()
}

/// Wait until `f` holds, polling; fail with `what` after 10 s.
fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The default theme's templates that format dates, without the `date` filter: with them a
/// post dated outside years 0 to 9999 gets past rendering to the feed writer.
fn without_date_filter(site: &TestSite) {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for name in [
        "components.html",
        "archive.html",
        "fragments/latest_posts.html",
    ] {
        let text = std::fs::read_to_string(theme.join(name)).unwrap();
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("| date(format=\"") {
            out.push_str(&rest[..at]);
            let after = &rest[at + "| date(format=\"".len()..];
            rest = &after[after.find("\")").unwrap() + 2..];
        }
        out.push_str(rest);
        site.write(&format!("templates/{name}"), &out);
    }
}

/// A post dated -0001-01-01 panics in the feed writer at this commit (chrono's RFC 2822
/// formatting). Another change will reject such dates as bad input; this test holds for both:
/// the rebuild fails with an error on the page, the loop lives on, and the next good edit
/// rebuilds, leaving exactly the new site in the served folder (a file of the old site that a
/// fresh session would not know to remove, and a planted link, are gone; what the link pointed
/// at is untouched).
#[test]
fn a_panicking_post_becomes_an_error_and_the_next_edit_rebuilds_everything() {
    let site = sample();
    without_date_filter(&site);
    let canaries = Canaries::plant(&site);
    let running = Running::start(site, true);
    let server = running.server();
    let posts = running.site.root().join("content/posts");
    std::os::unix::fs::symlink(canaries.beside(), server.dir().join("planted")).unwrap();
    let mut events = subscribe(server);
    std::fs::write(
        posts.join("z.md"),
        "+++\ntitle = \"Zed\"\ndate = \"-0001-01-01\"\n+++\nx\n",
    )
    .unwrap();
    assert_eq!(next_event(&mut events), "reload");
    let page = get(server, "/posts/a/");
    assert_eq!(page.status, 200, "the last good site is still served");
    let overlay = texts(&page.html(), "#quire-error-overlay li").join(" ");
    let panicked = overlay.contains("internal error while rebuilding");
    if panicked {
        assert!(overlay.contains("please report it"), "{overlay}");
        assert!(overlay.contains("RFC 2822"), "{overlay}");
    } else {
        // The date is rejected as bad input now: the error names the post.
        assert!(overlay.contains("z.md"), "{overlay}");
    }
    // The loop is alive: remove a post and fix the bad one.
    std::fs::remove_file(posts.join("b.md")).unwrap();
    std::fs::write(
        posts.join("z.md"),
        "+++\ntitle = \"Zed\"\ndate = 2026-01-03\n+++\nx\n",
    )
    .unwrap();
    wait_until("a good rebuild", || {
        let home = get(server, "/");
        texts(&home.html(), "main article h2 a") == ["Zed", "Alpha"]
            && select(&home.html(), "#quire-error-overlay").is_empty()
    });
    assert_eq!(
        get(server, "/posts/b/").status,
        404,
        "the removed post is gone"
    );
    assert_eq!(get(server, "/posts/z/").status, 200);
    assert!(!server.dir().join("posts/b").exists());
    if panicked {
        // Only the rebuild after a panic starts over and sweeps the folder.
        assert!(
            std::fs::symlink_metadata(server.dir().join("planted")).is_err(),
            "the served folder holds only the site"
        );
    }
    canaries.assert_untouched();
    let log = running.events.lock().unwrap().clone();
    assert!(
        log.iter()
            .any(|l| l.starts_with("failed content/posts/z.md")),
        "{log:?}"
    );
    assert!(log.last().unwrap().starts_with("built"), "{log:?}");
    if panicked {
        assert!(
            log.iter()
                .any(|l| l.contains("internal error while rebuilding")),
            "{log:?}"
        );
    }
}

/// `quire serve` run as a subprocess with its own runtime folder (where its private folder
/// goes), its output lines collected as they come.
struct Serving {
    child: Child,
    url: String,
    runtime: tempfile::TempDir,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Serving {
    fn start(root: &Path, env: &[(&str, &str)]) -> Serving {
        let runtime = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
            .args(["--root", root.to_str().unwrap(), "serve", "--port", "0"])
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("RUST_BACKTRACE", "0")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let collect = |pipe: Box<dyn Read + Send>| {
            let lines = Arc::new(Mutex::new(Vec::new()));
            let sink = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    sink.lock().unwrap().push(line);
                }
            });
            lines
        };
        let stdout = collect(Box::new(child.stdout.take().unwrap()));
        let stderr = collect(Box::new(child.stderr.take().unwrap()));
        let mut url = String::new();
        wait_until("the server's URL", || {
            let lines = stdout.lock().unwrap();
            if let Some(u) = lines
                .iter()
                .find_map(|l| l.strip_prefix("Serving at "))
                .and_then(|l| l.split(' ').next())
            {
                url = u.to_string();
            }
            !url.is_empty()
        });
        Serving {
            child,
            url,
            runtime,
            stdout,
            stderr,
        }
    }

    fn address(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }

    fn get(&self, path: &str) -> String {
        get_from(self.address(), path)
    }

    /// The private folders in the runtime folder.
    fn folders(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.runtime.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("quire-serve-")
            })
            .collect()
    }

    fn signal(&self, signal: rustix::process::Signal) {
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, signal).unwrap();
    }

    /// Wait for the process to end (at most `within`) and return its exit code.
    fn exit(&mut self, within: Duration) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                start.elapsed() < within,
                "still running after {within:?}; stderr: {:?}",
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        stop_server_process(&mut self.child);
    }
}

#[test]
fn every_stop_signal_removes_the_private_folder_which_only_its_owner_can_read() {
    use rustix::process::Signal;
    let site = sample();
    let mut tried = 0;
    for (signal, name) in [
        (Signal::INT, "SIGINT"),
        (Signal::TERM, "SIGTERM"),
        (Signal::HUP, "SIGHUP"),
    ] {
        let mut serving = Serving::start(site.root(), &[]);
        assert!(serving.get("/posts/a/").starts_with("HTTP/1.1 200"));
        // A live-reload stream open, as a browser would have: it must not hold the stop up.
        let mut stream = TcpStream::connect(serving.address()).unwrap();
        write!(
            stream,
            "GET /__quire/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            serving.address()
        )
        .unwrap();
        let folders = serving.folders();
        assert_eq!(folders.len(), 1, "{name}: {folders:?}");
        let folder = &folders[0];
        assert!(folder.join("posts/a/index.html").is_file());
        let mode = std::fs::metadata(folder).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{name}: mode {mode:o}");
        let sent = Instant::now();
        serving.signal(signal);
        let code = serving.exit(Duration::from_secs(5));
        let took = sent.elapsed();
        assert_eq!(
            code,
            Some(0),
            "{name}: {:?}",
            serving.stderr.lock().unwrap()
        );
        assert!(took < Duration::from_secs(4), "{name}: {took:?}");
        assert!(!folder.exists(), "{name} left {}", folder.display());
        assert!(serving.folders().is_empty());
        wait_until("Stopped.", || {
            serving
                .stdout
                .lock()
                .unwrap()
                .iter()
                .any(|l| l == "Stopped.")
        });
        tried += 1;
    }
    assert_eq!(tried, 3);
}

/// The deliberate panic of debug builds (`QUIRE_PANIC_ON_REBUILD_FOR_TESTS`), through the
/// binary: the overlay and the terminal both say what happened, and the next edit rebuilds.
#[test]
fn a_deliberate_panic_in_a_rebuild_is_reported_and_the_server_goes_on() {
    if !cfg!(debug_assertions) {
        return; // The trigger exists only in debug builds.
    }
    let site = sample();
    let canaries = Canaries::plant(&site);
    let serving = Serving::start(
        site.root(),
        &[("QUIRE_PANIC_ON_REBUILD_FOR_TESTS", "boom.md")],
    );
    site.post("boom.md", "title = \"Boom\"\ndate = 2026-01-05", "x");
    wait_until("the overlay", || {
        serving.get("/posts/a/").contains(
            "internal error while rebuilding: QUIRE_PANIC_ON_REBUILD_FOR_TESTS: boom.md \
             changed; please report it",
        )
    });
    wait_until("the terminal line", || {
        let err = serving.stderr.lock().unwrap();
        err.iter().any(|l| {
            l.ends_with("content/posts/boom.md: build failed; still serving the last good site")
        }) && err.iter().any(|l| {
            l == "error: internal error while rebuilding: QUIRE_PANIC_ON_REBUILD_FOR_TESTS: \
                      boom.md changed; please report it"
        })
    });
    // Still serving, and the next edit rebuilds everything, the post that panicked included.
    site.post(
        "a.md",
        "title = \"Alpha two\"\ndate = 2026-01-01",
        "Edited.",
    );
    wait_until("a good rebuild", || {
        let page = serving.get("/");
        page.contains("Alpha two") && page.contains("Boom") && !page.contains("quire-error-overlay")
    });
    assert!(serving.get("/posts/boom/").starts_with("HTTP/1.1 200"));
    canaries.assert_untouched();
}

#[test]
fn only_requests_naming_this_server_in_host_are_answered() {
    let running = Running::start(sample(), false);
    let server = running.server();
    let port = port(server);
    let ask = |host: &str| {
        raw(
            server,
            &format!("GET /posts/a/ HTTP/1.1\r\n{host}Connection: close\r\n\r\n"),
        )
    };
    let mut tried = 0;
    for host in [
        format!("Host: 127.0.0.1:{port}\r\n"),
        format!("Host: localhost:{port}\r\n"),
        format!("Host: LOCALHOST:{port}\r\n"),
        format!("Host: [::1]:{port}\r\n"),
    ] {
        let r = ask(&host);
        assert_eq!(r.status, 200, "{host}");
        assert!(r.body.contains("Alpha body."), "{host}");
        tried += 1;
    }
    for (host, status) in [
        (format!("Host: evil.com:{port}\r\n"), 403),
        ("Host: evil.com\r\n".to_string(), 403),
        (format!("Host: 127.0.0.1.evil.com:{port}\r\n"), 403),
        (format!("Host: localhost.evil.com:{port}\r\n"), 403),
        (format!("Host: 127.0.0.1:{}\r\n", port.wrapping_add(1)), 403),
        (format!("Host: localhost:{}\r\n", port.wrapping_add(1)), 403),
        ("Host: 127.0.0.1\r\n".to_string(), 403),
        ("Host: localhost\r\n".to_string(), 403),
        ("Host: [::1]\r\n".to_string(), 403),
        (format!("Host: [::2]:{port}\r\n"), 403),
        (format!("Host: 10.0.0.1:{port}\r\n"), 403),
        (format!("Host: user@127.0.0.1:{port}\r\n"), 403),
        ("Host: \r\n".to_string(), 403),
        (String::new(), 400),
        (
            format!("Host: 127.0.0.1:{port}\r\nHost: evil.com:{port}\r\n"),
            400,
        ),
    ] {
        let r = ask(&host);
        assert_eq!(r.status, status, "{host:?}");
        assert!(!r.body.contains("Alpha body."), "{host:?}");
        assert!(r.body.contains(&format!("127.0.0.1:{port}")), "{}", r.body);
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        tried += 1;
    }
    // An absolute-form target names the host too.
    let r = raw(
        server,
        &format!(
            "GET http://evil.com:{port}/posts/a/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(r.status, 403);
    // Quire's own paths are behind the check as well: the events and the script.
    for path in [quire::serve::EVENTS_PATH, quire::serve::SCRIPT_PATH] {
        let r = raw(
            server,
            &format!("GET {path} HTTP/1.1\r\nHost: evil.com:{port}\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(r.status, 403, "{path}");
        tried += 1;
    }
    assert_eq!(tried, 21);
}

#[test]
fn a_server_bound_to_the_ipv6_loopback_answers_its_names_only() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback here: skipped");
        return;
    }
    let running = Running::start_tuned(sample(), false, |o| o.bind = "::1".parse().unwrap());
    let server = running.server();
    assert!(
        server.url().starts_with("http://[::1]:"),
        "{}",
        server.url()
    );
    let port = port(server);
    for (host, status) in [
        (format!("[::1]:{port}"), 200),
        (format!("[0:0:0:0:0:0:0:1]:{port}"), 200),
        (format!("localhost:{port}"), 200),
        (format!("127.0.0.1:{port}"), 200),
        (format!("evil.com:{port}"), 403),
        (format!("[::1]:{}", port.wrapping_add(1)), 403),
        ("[::1]".to_string(), 403),
    ] {
        let r = raw(
            server,
            &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(r.status, status, "{host}");
    }
}

/// A site with folders named like hosts.
fn hosts_site() -> TestSite {
    let site = sample();
    site.write(
        "static/evil.com/index.html",
        "<p>a folder named like a host</p>",
    )
    .write("static/evil.com/x/index.html", "<p>deeper</p>");
    site
}

#[test]
fn redirects_never_lead_to_another_host() {
    let running = Running::start(hosts_site(), false);
    let server = running.server();
    let mut tried = 0;
    for (target, location) in [
        ("/posts", Some("/posts/")),
        ("//posts", Some("/posts/")),
        ("///posts", Some("/posts/")),
        ("//evil.com", Some("/evil.com/")),
        ("///evil.com", Some("/evil.com/")),
        ("////evil.com/x", Some("/evil.com/x/")),
        ("/evil.com", Some("/evil.com/")),
        ("/\\evil.com", None),
        ("/\\/evil.com", None),
        ("/%2F%2Fevil.com", None),
        ("/%2f/evil.com", None),
        ("%2F%2Fevil.com", None),
        ("/%5Cevil.com", None),
        ("/%5C%5Cevil.com", None),
    ] {
        let r = get(server, target);
        match location {
            Some(want) => {
                assert!(
                    matches!(r.status, 301 | 302 | 307 | 308),
                    "{target}: {}",
                    r.status
                );
                assert_eq!(r.header("location"), Some(want), "{target}");
            }
            None => {
                assert!(
                    matches!(r.status, 400 | 403 | 404),
                    "{target}: {}",
                    r.status
                );
                assert!(r.header("location").is_none(), "{target}");
            }
        }
        tried += 1;
    }
    assert_eq!(tried, 14);
}

#[test]
fn redirects_under_a_sub_path_stay_under_it() {
    let site = TestSite::with_config(&CONFIG.replace(
        "base_url = \"https://example.org/\"",
        "base_url = \"https://example.org/blog/\"",
    ));
    site.post("a.md", "title = \"Alpha\"\ndate = 2026-01-01", "x")
        .write("static/evil.com/index.html", "<p>host-like</p>");
    let running = Running::start(site, false);
    let server = running.server();
    for (target, want) in [
        ("/blog/evil.com", "/blog/evil.com/"),
        ("/blog//evil.com", "/blog//evil.com/"),
        ("/blog", "/blog/"),
        ("/", "/blog/"),
    ] {
        let r = get(server, target);
        let location = r.header("location").unwrap_or_else(|| panic!("{target}"));
        assert_eq!(location, want, "{target}");
        assert!(!location.starts_with("//") && !location.starts_with("/\\"));
    }
}

/// Open a live-reload stream with `extra` headers: the reader past the response head, and the
/// first event's name and id.
fn stream(server: &Server, extra: &str) -> (BufReader<TcpStream>, String, u64) {
    let mut reader = open_stream(server, extra);
    let mut line = String::new();
    let (mut name, mut id) = (String::new(), None);
    while id.is_none() || name.is_empty() {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "stream closed");
        if let Some(v) = line.trim().strip_prefix("event:") {
            name = v.trim().to_string();
        }
        if let Some(v) = line.trim().strip_prefix("id:") {
            id = v.trim().parse().ok();
        }
    }
    (reader, name, id.unwrap())
}

/// Whether the server ends the stream within `within`: the last chunk (`0`) or the close.
fn ends_within(reader: &mut BufReader<TcpStream>, within: Duration) -> bool {
    let start = Instant::now();
    reader.get_ref().set_read_timeout(Some(within)).unwrap();
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return true,
            Ok(_) if line == "0\r\n" => return true,
            Ok(_) if start.elapsed() < within => {}
            Ok(_) | Err(_) => return false,
        }
    }
}

#[test]
fn the_oldest_live_reload_stream_is_closed_beyond_the_limit() {
    let running = Running::start_tuned(sample(), true, |o| o.max_streams = 3);
    let server = running.server();
    running.wait_for_builds(1);
    let mut first = subscribe(server);
    let mut others: Vec<_> = (0..2).map(|_| subscribe(server)).collect();
    // Within the limit, nothing is closed.
    assert!(!ends_within(&mut first, Duration::from_millis(300)));
    others.push(subscribe(server));
    assert!(
        ends_within(&mut first, Duration::from_secs(3)),
        "the oldest stream was not closed"
    );
    // The three newest still get the news.
    std::fs::write(
        running.site.root().join("content/posts/a.md"),
        "+++\ntitle = \"Later\"\ndate = 2026-01-01\n+++\nx\n",
    )
    .unwrap();
    for s in &mut others {
        s.get_ref()
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        assert_eq!(next_event(s), "reload");
    }
}

#[test]
fn a_live_reload_stream_ends_after_its_lifetime_and_a_page_that_missed_a_rebuild_reloads() {
    let lifetime = Duration::from_millis(600);
    let running = Running::start_tuned(sample(), true, |o| o.stream_lifetime = lifetime);
    let server = running.server();
    running.wait_for_builds(1);
    let opened = Instant::now();
    let (mut reader, first, id) = stream(server, "");
    assert_eq!(first, "hello");
    assert!(ends_within(&mut reader, Duration::from_secs(5)));
    let lived = opened.elapsed();
    assert!(lived >= lifetime - Duration::from_millis(50), "{lived:?}");
    // The browser reconnects with the id it last saw: nothing missed, nothing to do.
    let (_, again, same) = stream(server, &format!("Last-Event-ID: {id}\r\n"));
    assert_eq!((again.as_str(), same), ("hello", id));
    // A rebuild while it was away: told to reload on reconnecting, by header or by `since`.
    std::fs::write(
        running.site.root().join("content/posts/a.md"),
        "+++\ntitle = \"Later\"\ndate = 2026-01-01\n+++\nx\n",
    )
    .unwrap();
    running.wait_for_builds(2);
    let (_, missed, now) = stream(server, &format!("Last-Event-ID: {id}\r\n"));
    assert_eq!(missed, "reload");
    assert!(now > id);
    let (mut s, addr) = connect(server);
    write!(
        s,
        "GET {}?since={id} HTTP/1.1\r\nHost: {addr}\r\n\r\n",
        quire::serve::EVENTS_PATH
    )
    .unwrap();
    let mut reader = BufReader::new(s);
    assert_eq!(next_event(&mut reader), "reload");
    // The script reconnects a source the browser gave up on, with the id it last saw.
    let script = get(server, quire::serve::SCRIPT_PATH).body;
    assert!(script.contains("EventSource.CLOSED") && script.contains("?since="));
}

#[test]
fn a_static_file_with_a_250_byte_name_is_updated_while_serving() {
    let name = format!("{}.txt", "n".repeat(246));
    assert_eq!(name.len(), 250);
    let site = sample();
    site.write(&format!("static/{name}"), "one");
    let canaries = Canaries::plant(&site);
    let running = Running::start(site, true);
    let server = running.server();
    assert_eq!(get(server, &format!("/{name}")).body, "one");
    let mut events = subscribe(server);
    running
        .site
        .write(&format!("static/{name}"), "two, longer than one");
    assert_eq!(next_event(&mut events), "reload");
    // The write is a truncation then the bytes: on a loaded machine the watcher may see the
    // two apart, and a second rebuild follows the first.
    let wanted = "two, longer than one";
    let mut body = get(server, &format!("/{name}")).body;
    for _ in 0..3 {
        if body == wanted {
            break;
        }
        assert_eq!(next_event(&mut events), "reload");
        body = get(server, &format!("/{name}")).body;
    }
    assert_eq!(body, wanted);
    // The rebuild's line may be logged just after the reload went out.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let log = loop {
        let log = running.events.lock().unwrap().clone();
        let rebuilt = log.iter().filter(|l| l.starts_with("built")).count() >= 2;
        if (rebuilt && log.last().is_some_and(|l| l.starts_with("built")))
            || std::time::Instant::now() > deadline
        {
            break log;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(log.last().unwrap().starts_with("built"), "{log:?}");
    assert!(!log.iter().any(|l| l.starts_with("failed")), "{log:?}");
    let leftovers: Vec<_> = std::fs::read_dir(server.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("quire-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    canaries.assert_untouched();
}
