//! Hostile requests to the dev server: traversal in every encoding we know of, idle and
//! half-open connections, and requests racing rebuilds. Requests go out raw over a
//! `TcpStream`, so nothing normalises them on the way.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use quire::serve::Server;

use crate::harness::*;
use crate::serve::{next_event, sample, subscribe};

/// Marks a file outside the served folder; no response may ever contain it.
const OUTSIDE: &str = "QUIRE-OUTSIDE-7f3c9a1e";
/// Marks the site's own config.toml, which is outside the served folder too.
const CONFIG_MARK: &str = "QUIRE-CONFIG-5b2d8e40";

fn address(server: &Server) -> String {
    server
        .url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

/// Send `raw` as it is and read whatever comes back until the server closes. A server that
/// resets the connection without answering gives status 0.
fn send_raw(server: &Server, raw: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address(server)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may answer (414, 400) and close before reading all of a huge request.
    let _ = stream.write_all(raw);
    let mut response = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("{e} after {} bytes", response.len()),
        }
    }
    let status = std::str::from_utf8(&response[..response.len().min(12)])
        .ok()
        .and_then(|l| l.strip_prefix("HTTP/1.1 "))
        .and_then(|l| l.get(..3))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A site whose config.toml carries [`CONFIG_MARK`], and, when `base` is given, serves
/// under that path.
fn marked_site(base: &str) -> TestSite {
    let config = CONFIG.replace(
        "base_url = \"https://example.org/\"",
        &format!("base_url = \"https://example.org{base}\""),
    );
    let site = TestSite::with_config(&format!("{config}# {CONFIG_MARK}\n"));
    site.post(
        "a.md",
        "title = \"Alpha\"\ndate = 2026-01-01\ntags = [\"x\"]",
        "Alpha body.",
    )
    .write("static/data.txt", "0123456789");
    site
}

/// Every traversal form we know, aimed at `secret` (a file name beside the served folder).
/// `{s}` stands for it.
const TRAVERSALS: &[&str] = &[
    "/../{s}",
    "/../../../../../../../../../../{s}",
    "/..%2f{s}",
    "/..%2F{s}",
    "/%2e%2e/{s}",
    "/%2E%2E/{s}",
    "/%2E%2e/{s}",
    "/%2e%2e%2f{s}",
    "/.%2e/{s}",
    "/%2e./{s}",
    "/%252e%252e/{s}",
    "/%252e%252e%252f{s}",
    "/..%252f{s}",
    "/%25252e%25252e/{s}",
    "/..\\{s}",
    "/..%5c{s}",
    "/..%5C{s}",
    "/%5c..%5c{s}",
    "/%2e%2e%5c{s}",
    "/%c0%ae%c0%ae/{s}",
    "/%c0%ae%c0%ae%c0%af{s}",
    "/..%c0%af{s}",
    "/..%c1%9c{s}",
    "/%e0%80%ae%e0%80%ae/{s}",
    "/%f0%80%80%ae%f0%80%80%ae/{s}",
    "/%u002e%u002e/{s}",
    "/....//{s}",
    "/....//....//{s}",
    "/..../{s}",
    "/.../{s}",
    "/..;/{s}",
    "/./../{s}",
    "/posts/../../{s}",
    "/posts/a/../../../{s}",
    "/posts/%2e%2e/%2e%2e/{s}",
    "/posts/..%2f..%2f{s}",
    "/..%00/{s}",
    "/%00../{s}",
    "/%00/../{s}",
    "/{s}%00.html",
    "/..%01/{s}",
    "/../{s}?x=1",
    "/../{s}?",
    "/%2e%2e/{s}#frag",
    "/../{s}#",
    "/%2e%2e/{s}?a=/../../{s}",
    "/etc/passwd",
    "/../../../../../../etc/passwd",
    "//etc/passwd",
    "///etc/passwd",
    "/%2fetc/passwd",
    "/%2f%2fetc/passwd",
    "/.%2fetc/passwd",
    "/%00",
    "/escape/config.toml",
    "/escape/",
    "/escape",
    "/escape/../escape/config.toml",
    "/escape/%2e%2e/{s}",
    "/escape-file",
    "/escape-parent/{s}",
    "/escape-parent/",
    "/posts/escape-deep/config.toml",
];

/// Request targets that are not paths at all. `{a}` stands for the server's address (so the
/// path, not the authority, is what gets refused).
const ODD_TARGETS: &[&str] = &[
    "../{s}",
    "..%2f{s}",
    "{s}",
    "*",
    "http://127.0.0.1/../{s}",
    "http://127.0.0.1/%2e%2e/{s}",
    "http://{a}/../{s}",
    "http://{a}/%2e%2e/{s}",
    "file:///etc/passwd",
    "\\..\\{s}",
];

/// Ask for everything in [`TRAVERSALS`] and [`ODD_TARGETS`] (under `base`), as GET and HEAD,
/// and check that nothing from outside the served folder comes back and the answer is a
/// refusal, a 404 or a redirect within the site.
fn assert_nothing_escapes(server: &Server, base: &str, secret: &str) {
    let targets = TRAVERSALS
        .iter()
        .map(|t| format!("{base}{t}"))
        .chain(ODD_TARGETS.iter().map(|t| t.to_string()))
        .map(|t| t.replace("{s}", secret).replace("{a}", &address(server)));
    let mut checked = 0;
    let mut wrong = Vec::new();
    for target in targets {
        for method in ["GET", "HEAD"] {
            let raw = format!(
                "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                address(server)
            );
            let (status, response) = send_raw(server, raw.as_bytes());
            let shown = String::from_utf8_lossy(&response[..response.len().min(300)]);
            for mark in [OUTSIDE, CONFIG_MARK, "root:x:0:0"] {
                assert!(
                    !contains(&response, mark),
                    "{method} {target}: {mark} leaked\n{shown}"
                );
            }
            if !refused_or_within(status, &response, base) {
                wrong.push(format!("{method} {target}: {status}\n{shown}"));
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked > 100, "{checked}");
}

/// 400, 403 (a target naming another host), 404, 414 (too long), or a redirect to a path
/// within the site.
fn refused_or_within(status: u16, response: &[u8], base: &str) -> bool {
    match status {
        400 | 403 | 404 | 414 | 431 => true,
        301 | 302 | 307 | 308 => {
            let text = String::from_utf8_lossy(response);
            text.lines()
                .find_map(|l| l.strip_prefix("location: "))
                .is_some_and(|l| {
                    l.starts_with(if base.is_empty() { "/" } else { base })
                        && !l.starts_with("//")
                        && !l.contains("..")
                })
        }
        _ => false,
    }
}

/// A secret file beside the served folder (removed when dropped), and symlinks planted in the
/// served folder that point out of it: at the site root (with config.toml), at config.toml
/// itself, and at the served folder's parent (with the secret).
fn plant(server: &Server, site_root: &Path) -> tempfile::NamedTempFile {
    let parent = server.dir().parent().unwrap();
    let mut secret = tempfile::Builder::new()
        .prefix("quire-secret-")
        .suffix(".txt")
        .tempfile_in(parent)
        .unwrap();
    writeln!(secret, "{OUTSIDE}").unwrap();
    let dir = server.dir();
    std::os::unix::fs::symlink(site_root, dir.join("escape")).unwrap();
    std::os::unix::fs::symlink(site_root.join("config.toml"), dir.join("escape-file")).unwrap();
    std::os::unix::fs::symlink(parent, dir.join("escape-parent")).unwrap();
    std::os::unix::fs::symlink(site_root, dir.join("posts/escape-deep")).unwrap();
    secret
}

#[test]
fn path_traversal_in_every_encoding_gets_nothing_from_outside() {
    let running = Running::start(marked_site("/"), false);
    let server = running.server();
    let secret = plant(server, running.site.root());
    let name = secret.path().file_name().unwrap().to_str().unwrap();
    // The planted links and file are there: a request that follows them would leak.
    assert!(
        std::fs::read_to_string(server.dir().join("escape-parent").join(name))
            .unwrap()
            .contains(OUTSIDE)
    );
    assert_nothing_escapes(server, "", name);
    // A path 64 KB long, and one with 64 KB of `../`.
    for target in [
        format!("/{}", "a/".repeat(32 * 1024)),
        format!("/{}{name}", "../".repeat(22 * 1024)),
        format!("/{}{name}", "%2e%2e/".repeat(10 * 1024)),
    ] {
        let raw = format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            address(server)
        );
        let (status, response) = send_raw(server, raw.as_bytes());
        assert!(!contains(&response, OUTSIDE));
        assert!(
            matches!(status, 400 | 404 | 414 | 431),
            "{status} for {} bytes",
            target.len()
        );
    }
    // The server is still serving after all that.
    assert_eq!(get(server, "/posts/a/").status, 200);
    assert_eq!(get(server, "/data.txt").body, "0123456789");
}

#[test]
fn path_traversal_under_a_sub_path_gets_nothing_from_outside() {
    let running = Running::start(marked_site("/blog/"), false);
    let server = running.server();
    assert!(server.url().ends_with("/blog/"));
    let secret = plant(server, running.site.root());
    let name = secret.path().file_name().unwrap().to_str().unwrap();
    assert_nothing_escapes(server, "/blog", name);
    for target in [
        "/blog/../config.toml".to_string(),
        "/blog/..".to_string(),
        "/blog/%2e%2e".to_string(),
        "/blog%2f..%2fconfig.toml".to_string(),
        "/blog/../blog/../config.toml".to_string(),
        format!("/blog/../../{name}"),
    ] {
        let (status, response) = send_raw(
            server,
            format!(
                "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                address(server)
            )
            .as_bytes(),
        );
        assert!(!contains(&response, CONFIG_MARK) && !contains(&response, OUTSIDE));
        assert!(
            refused_or_within(status, &response, "/blog"),
            "{target}: {status}"
        );
    }
    assert_eq!(get(server, "/blog/posts/a/").status, 200);
}

/// Open `n` connections that send nothing, or half a request line.
fn idle_connections(server: &Server, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|i| {
            let mut s = TcpStream::connect(address(server)).unwrap();
            if i % 2 == 1 {
                s.write_all(b"GET /posts/a/ HT").unwrap();
            }
            s
        })
        .collect()
}

#[test]
fn a_thousand_idle_connections_do_not_starve_a_request_and_are_closed_after_the_timeout() {
    let timeout = Duration::from_secs(2);
    let running = Running::start_idle(sample(), false, timeout);
    let server = running.server();
    let opened = Instant::now();
    let idle = idle_connections(server, 1000);
    let started = Instant::now();
    let page = get(server, "/posts/a/");
    assert_eq!(page.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // A kept-alive connection that goes quiet after its request is closed too.
    let mut kept = TcpStream::connect(address(server)).unwrap();
    write!(
        kept,
        "GET /data.txt HTTP/1.1\r\nHost: {}\r\n\r\n",
        address(server)
    )
    .unwrap();

    // Every one of them is closed by the server once the timeout has passed.
    for (i, mut stream) in idle.into_iter().chain([kept]).enumerate() {
        // Closed within 2 s of the timeout on an idle machine; with the CPU taken by other work
        // (three busy loops on two cores) a few of the 1,000 took over 5 s to be reached, at
        // this commit and before. Never closed would still fail.
        let wait = (timeout + Duration::from_secs(15)).saturating_sub(opened.elapsed());
        stream
            .set_read_timeout(Some(wait.max(Duration::from_millis(100))))
            .unwrap();
        let mut rest = Vec::new();
        match stream.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Err(e) => panic!(
                "connection {i} still open after {:?}: {e}",
                opened.elapsed()
            ),
        }
    }
    assert!(opened.elapsed() >= timeout, "closed before the timeout");
    assert_eq!(get(server, "/").status, 200);
}

#[test]
fn the_live_reload_stream_outlives_the_idle_timeout() {
    let running = Running::start_idle(sample(), true, Duration::from_millis(500));
    let server = running.server();
    let mut events = subscribe(server);
    running.wait_for_builds(1);
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::write(
        running.site.root().join("content/posts/a.md"),
        "+++\ntitle = \"Later\"\ndate = 2026-01-01\n+++\nx\n",
    )
    .unwrap();
    assert_eq!(next_event(&mut events), "reload");
}

#[test]
fn requests_during_rebuilds_never_fail_or_come_back_cut() {
    let running = Running::start(sample_with_pages(), true);
    let server = running.server();
    running.wait_for_builds(1);
    let post = running.site.root().join("content/posts/a.md");
    let done = Arc::new(AtomicBool::new(false));
    // An editor appending a line to a post 50 times a second, ten times.
    let editor = {
        let done = done.clone();
        std::thread::spawn(move || {
            for edit in 0..10 {
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&post)
                    .unwrap();
                writeln!(f, "\nEdit {edit}.").unwrap();
                drop(f);
                std::thread::sleep(Duration::from_millis(20));
            }
            // Let the last rebuild start while requests still come.
            std::thread::sleep(Duration::from_millis(100));
            done.store(true, Ordering::Relaxed);
        })
    };
    let paths = [
        "/",
        "/posts/a/",
        "/posts/b/",
        "/tags/x/",
        "/atom.xml",
        "/style.css",
    ];
    // Each reader asks at least 100 times, and on until the editor is done, however fast
    // the server answers.
    let requests: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let done = &done;
                scope.spawn(move || {
                    let mut n = 0;
                    while n < 100 || !done.load(Ordering::Relaxed) {
                        let path = paths[(n + w) % paths.len()];
                        let r = request(server, "GET", path, "");
                        assert_eq!(r.status, 200, "{path}");
                        let length: usize = r.header("content-length").unwrap().parse().unwrap();
                        assert_eq!(r.body.len(), length, "{path} cut short");
                        if path.ends_with('/') {
                            assert!(r.body.trim_end().ends_with("</html>"), "{path} cut short");
                        }
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    editor.join().unwrap();
    assert!(requests >= 400, "{requests} requests");
    let builds = running.events.lock().unwrap().len();
    assert!(
        builds > 3,
        "{builds} events while a post was edited 10 times"
    );
}

/// The sample with enough posts that a rebuild takes a moment.
fn sample_with_pages() -> TestSite {
    let site = sample();
    for i in 0..40 {
        site.post(
            &format!("p{i:02}.md"),
            &format!(
                "title = \"Post {i}\"\ndate = 2025-02-{:02}\ntags = [\"x\"]",
                i % 28 + 1
            ),
            &"Some words. ".repeat(200),
        );
    }
    site
}

/// The `quire serve` process, started with a hard limit of `fds` open files, and its URL.
struct Child {
    child: std::process::Child,
    url: String,
}

impl Child {
    fn start(root: &Path, fds: u64) -> Child {
        use std::io::BufRead;
        use std::os::unix::process::CommandExt;
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_quire"));
        command
            .args(["--root", root.to_str().unwrap(), "serve", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let limit = rustix::process::Rlimit {
            current: Some(fds),
            maximum: Some(fds),
        };
        // SAFETY: setrlimit is a single system call, safe between fork and exec.
        unsafe {
            command.pre_exec(move || {
                rustix::process::setrlimit(rustix::process::Resource::Nofile, limit)
                    .map_err(std::io::Error::from)
            });
        }
        let mut child = command.spawn().unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let url = lines
            .find_map(|l| {
                l.unwrap()
                    .strip_prefix("Serving at ")
                    .map(|u| u.split(' ').next().unwrap().to_string())
            })
            .expect("the server prints its URL");
        Child { child, url }
    }

    fn address(&self) -> &str {
        self.url.trim_start_matches("http://").trim_end_matches('/')
    }

    /// CPU time used so far (user + system), from /proc.
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_millis(ticks * 10)
    }

    fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .unwrap()
            .count()
    }

    fn get(&self, path: &str) -> u16 {
        get_from(self.address(), path)[9..12].parse().unwrap()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        stop_server_process(&mut self.child);
    }
}

#[test]
fn running_out_of_file_descriptors_neither_kills_nor_spins_the_server() {
    let site = sample();
    let fds = 64;
    let server = Child::start(site.root(), fds);
    assert_eq!(server.get("/posts/a/"), 200);
    // More connections than the process may have files open: accept fails with EMFILE.
    let idle: Vec<TcpStream> = (0..150)
        .map(|_| TcpStream::connect(server.address()).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.open_fds() as u64 >= fds - 2,
        "{} files open: the limit was not reached",
        server.open_fds()
    );
    let cpu = server.cpu();
    std::thread::sleep(Duration::from_secs(2));
    let spent = server.cpu() - cpu;
    // Alone it uses 70-100 ms (the 50 ms backoff); beside the rest of the suite up to ~400 ms
    // (cache misses, scheduling). A spinning accept loop uses 1.2 s or more.
    assert!(
        spent < Duration::from_millis(700),
        "{spent:?} of CPU in 2 s"
    );
    // Once the clients go away, the server serves again, promptly.
    drop(idle);
    let started = Instant::now();
    assert_eq!(server.get("/posts/a/"), 200);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn stopping_does_not_wait_for_idle_or_half_sent_requests() {
    let mut running = Running::start(sample(), true);
    let idle = idle_connections(running.server(), 50);
    let _events = subscribe(running.server());
    assert_eq!(get(running.server(), "/").status, 200);
    let started = Instant::now();
    running.stop();
    // Well before the 15 s idle timeout: idle ones close at once, half-sent ones get the 2 s
    // grace.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
}
