//! A tiny harness: write a site into a temp folder, build it, and read pages back parsed.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quire::serve::{ServeEvent, ServeOptions, Server};
use scraper::{ElementRef, Html, Selector};

pub const CONFIG: &str = "title = \"Test Blog\"\ntagline = \"Tests\"\ndescription = \"A *test* blog.\"\nauthor = \"Ann Author\"\nbase_url = \"https://example.org/\"\n";

/// The `quire` binary Cargo built for these tests, or `$QUIRE_BIN` (a release build, or a
/// copy kept apart from a target folder that other checkouts build into).
pub fn quire_bin() -> PathBuf {
    std::env::var_os("QUIRE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_quire")))
}

pub struct TestSite {
    pub dir: tempfile::TempDir,
}

impl TestSite {
    /// A site with the default test config.
    pub fn new() -> TestSite {
        TestSite::with_config(CONFIG)
    }

    pub fn with_config(config: &str) -> TestSite {
        let site = TestSite {
            dir: tempfile::tempdir().unwrap(),
        };
        site.write("config.toml", config);
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) -> &TestSite {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Write a post with TOML front matter lines `fm` and a body.
    pub fn post(&self, name: &str, fm: &str, body: &str) -> &TestSite {
        self.write(
            &format!("content/posts/{name}"),
            &format!("+++\n{fm}\n+++\n{body}\n"),
        )
    }

    pub fn options(&self) -> quire::BuildOptions {
        quire::BuildOptions {
            root: self.root().to_path_buf(),
            now: Some(chrono::DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z").unwrap()),
            ..Default::default()
        }
    }

    pub fn build(&self) -> quire::Result<quire::Report> {
        quire::build(&self.options())
    }

    pub fn built(&self) -> Built {
        let report = self
            .build()
            .unwrap_or_else(|e| panic!("build failed:\n{e}"));
        Built {
            out: report.output.clone(),
            report,
        }
    }

    /// Built without the link checks, for tests about sites whose links lead nowhere.
    pub fn built_unchecked(&self) -> Built {
        let mut options = self.options();
        options.checks.mode = quire::check::Mode::Off;
        let report = quire::build(&options).unwrap_or_else(|e| panic!("build failed:\n{e}"));
        Built {
            out: report.output.clone(),
            report,
        }
    }

    pub fn out(&self) -> PathBuf {
        self.root().join("public")
    }
}

pub struct Built {
    pub out: PathBuf,
    pub report: quire::Report,
}

impl Built {
    /// The parsed HTML at a URL path like `/posts/a/`.
    pub fn page(&self, url: &str) -> Html {
        let rel = url.trim_start_matches('/');
        let file = if rel.is_empty() || rel.ends_with('/') {
            self.out.join(rel).join("index.html")
        } else {
            self.out.join(rel)
        };
        let text =
            fs::read_to_string(&file).unwrap_or_else(|e| panic!("{} missing: {e}", file.display()));
        Html::parse_document(&text)
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out.join(rel.trim_start_matches('/')).exists()
    }
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("bad selector {s}: {e:?}"))
}

pub fn select<'a>(doc: &'a Html, s: &str) -> Vec<ElementRef<'a>> {
    doc.select(&sel(s)).collect()
}

pub fn text(el: &ElementRef) -> String {
    el.text()
        .collect::<Vec<_>>()
        .join("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The texts of all elements matching `s`.
pub fn texts(doc: &Html, s: &str) -> Vec<String> {
    select(doc, s).iter().map(text).collect()
}

pub fn attrs(doc: &Html, s: &str, attr: &str) -> Vec<String> {
    select(doc, s)
        .iter()
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// Every file under `dir` with its bytes, sorted, for comparing trees.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// An output folder's files and bytes at one moment, to show that a failed build left it
/// exactly as it was.
pub struct Snapshot {
    dir: PathBuf,
    files: Vec<(String, Vec<u8>)>,
    /// Checked by [`Snapshot::assert_unchanged`] too, when given.
    canaries: Option<Canaries>,
}

impl Snapshot {
    pub fn take(dir: &Path) -> Snapshot {
        let files = tree(dir);
        assert!(!files.is_empty(), "{} is empty", dir.display());
        Snapshot {
            dir: dir.to_path_buf(),
            files,
            canaries: None,
        }
    }

    /// Plant canaries for `site` and check them whenever the output is checked.
    pub fn guarding(mut self, site: &TestSite) -> Snapshot {
        self.canaries = Some(Canaries::plant(site));
        self
    }

    /// Every file still there with the same bytes, nothing added, and no staging folder left
    /// beside it. Names the paths that differ rather than printing bytes.
    pub fn assert_unchanged(&self) {
        if let Some(c) = &self.canaries {
            c.assert_untouched();
        }
        let now = tree(&self.dir);
        if now != self.files {
            let paths = |t: &[(String, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect();
            let (before, after): (BTreeSet<String>, BTreeSet<String>) =
                (paths(&self.files), paths(&now));
            let changed: Vec<&String> = self
                .files
                .iter()
                .filter(|(p, b)| now.iter().any(|(q, c)| p == q && b != c))
                .map(|(p, _)| p)
                .collect();
            panic!(
                "{} changed: removed {:?}, added {:?}, rewritten {:?}",
                self.dir.display(),
                before.difference(&after).collect::<Vec<_>>(),
                after.difference(&before).collect::<Vec<_>>(),
                changed
            );
        }
        let parent = self.dir.parent().unwrap();
        let leftovers: Vec<_> = fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("quire-new"))
            .collect();
        assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
    }
}

/// What one run of the `quire` binary did.
pub struct Run {
    /// `None` when a signal ended it (a stack overflow aborts).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Run `quire --root <root> build` as a subprocess, so a crash fails the test instead of
/// aborting the test runner. Whatever the outcome, it must not have panicked.
pub fn quire_build(root: &Path) -> Run {
    quire_build_in(root, None, &[])
}

/// [`quire_build`] with more arguments (`--output DIR`), from `cwd` when given.
pub fn quire_build_in(root: &Path, cwd: Option<&Path>, args: &[&Path]) -> Run {
    let mut command = std::process::Command::new(quire_bin());
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let out = command
        .arg("--root")
        .arg(root)
        .arg("build")
        .args(args)
        .output()
        .unwrap();
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked") && run.code != Some(101),
        "quire panicked:\n{}",
        run.stderr
    );
    assert!(run.code.is_some(), "quire was killed:\n{}", run.stderr);
    run
}

/// Build the broken site with the binary: it must exit 1 without panicking, leave the output
/// untouched (and the snapshot's canaries, if it guards any), and say what went wrong.
/// Returns the errors it printed.
#[track_caller]
pub fn fails(site: &TestSite, snapshot: &Snapshot) -> Vec<Reported> {
    let run = quire_build(site.root());
    assert_eq!(
        run.code,
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    snapshot.assert_unchanged();
    let errors = reported(&run.stderr);
    assert!(!errors.is_empty(), "no error printed:\n{}", run.stderr);
    errors
}

/// Assert the error is at `path:line:col` and its message contains `words`.
#[track_caller]
pub fn assert_at(e: &Reported, path: &str, line: usize, col: usize, words: &str) {
    assert_eq!(
        (e.path.as_str(), e.position),
        (path, Some((line, col))),
        "{e:#?}"
    );
    assert!(e.message.contains(words), "{e:#?}");
}

/// One error the binary printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// The file it names, `""` when it names none.
    pub path: String,
    pub position: Option<(usize, usize)>,
    pub message: String,
}

/// The errors in the binary's stderr, in order. Two shapes are printed: a titled snippet
/// (`error: message` then ` --> path:line:col`), and one line
/// (`error: path:line:col: message` or `error: path: message` or `error: message`).
pub fn reported(stderr: &str) -> Vec<Reported> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("error: ") else {
            continue;
        };
        let next = lines.get(i + 1).map(|l| l.trim_start());
        if let Some(loc) = next.and_then(|l| l.strip_prefix("--> ")) {
            let (path, position) = location(loc).unwrap_or_else(|| panic!("bad location {loc}"));
            out.push(Reported {
                path,
                position,
                message: rest.to_string(),
            });
            continue;
        }
        let parsed = rest.split_once(": ").and_then(|(head, message)| {
            let (path, position) = location(head)?;
            Some(Reported {
                path,
                position,
                message: message.to_string(),
            })
        });
        out.push(parsed.unwrap_or_else(|| Reported {
            path: String::new(),
            position: None,
            message: rest.to_string(),
        }));
    }
    out
}

/// `path`, `path:line` or `path:line:col`, where a path has no spaces and looks like a file.
fn location(text: &str) -> Option<(String, Option<(usize, usize)>)> {
    let mut parts: Vec<&str> = text.split(':').collect();
    let mut numbers = Vec::new();
    while parts.len() > 1
        && let Ok(n) = parts[parts.len() - 1].parse::<usize>()
    {
        numbers.insert(0, n);
        parts.pop();
    }
    let path = parts.join(":");
    if path.is_empty() || path.contains(' ') || !(path.contains('/') || path.contains('.')) {
        return None;
    }
    let position = match numbers[..] {
        [] => None,
        [line, col] => Some((line, col)),
        _ => return None,
    };
    Some((path, position))
}

// A dev server on a free port, and a raw HTTP client for it (so hostile paths reach the
// server as written).

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }
}

/// A connection to the server (with a read timeout, so a test never hangs) and its address.
pub fn connect(server: &Server) -> (TcpStream, String) {
    let addr = server
        .url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    (stream, addr)
}

pub fn request(server: &Server, method: &str, path: &str, extra: &str) -> Response {
    let (mut stream, addr) = connect(server);
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

pub fn get(server: &Server, path: &str) -> Response {
    request(server, "GET", path, "")
}

pub struct Running {
    pub site: TestSite,
    pub server: Option<Server>,
    pub events: Arc<Mutex<Vec<String>>>,
}

impl Running {
    /// A server on a free port; with `watch`, rebuilding 20 ms after a change settles.
    pub fn start(site: TestSite, watch: bool) -> Running {
        Running::start_with(site, watch, Duration::from_millis(20))
    }

    /// With the given debounce.
    pub fn start_with(site: TestSite, watch: bool, debounce: Duration) -> Running {
        Running::start_tuned(site, watch, |o| o.debounce = debounce)
    }

    /// With connections closed after `idle_timeout` without a request.
    pub fn start_idle(site: TestSite, watch: bool, idle_timeout: Duration) -> Running {
        Running::start_tuned(site, watch, |o| o.idle_timeout = idle_timeout)
    }

    /// With the options `tune` changes (bound to 127.0.0.1, a free port and a 20 ms debounce
    /// before it).
    pub fn start_tuned(
        site: TestSite,
        watch: bool,
        tune: impl FnOnce(&mut ServeOptions),
    ) -> Running {
        let mut options = ServeOptions {
            build: site.options(),
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            watch,
            debounce: Duration::from_millis(20),
            port_attempts: 0,
            idle_timeout: quire::serve::DEFAULT_IDLE_TIMEOUT,
            max_streams: quire::serve::DEFAULT_MAX_STREAMS,
            stream_lifetime: quire::serve::DEFAULT_STREAM_LIFETIME,
        };
        tune(&mut options);
        let events = Arc::new(Mutex::new(Vec::new()));
        let log = events.clone();
        let server = quire::serve::start(
            options,
            Arc::new(move |e: ServeEvent| {
                let line = match e {
                    ServeEvent::Listening { url, .. } => format!("listening {url}"),
                    ServeEvent::Built { cause, report } => format!(
                        "built {cause}: rendered {} of {}",
                        report.rendered, report.pages
                    ),
                    ServeEvent::Failed { cause, error } => format!("failed {cause}: {error}"),
                };
                log.lock().unwrap().push(line);
            }),
        )
        .unwrap();
        Running {
            site,
            server: Some(server),
            events,
        }
    }

    /// Stop the server now.
    pub fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop().unwrap();
        }
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().unwrap()
    }

    /// Wait until the server has logged `n` build results.
    pub fn wait_for_builds(&self, n: usize) {
        let start = Instant::now();
        loop {
            let count = self
                .events
                .lock()
                .unwrap()
                .iter()
                .filter(|l| !l.starts_with("listening"))
                .count();
            if count >= n {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no rebuild: {:?}",
                self.events.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop().unwrap();
        }
    }
}

/// Folders no build may touch: one beside the site's folder and one in the system temporary
/// folder, each holding files and folders whose every path and byte is recorded. Tests of
/// hostile paths aim at them (`../<name>/victim.txt`, `/tmp/<name>/victim.txt`) and then
/// check that nothing in them was written, deleted or added.
pub struct Canaries {
    dirs: Vec<(tempfile::TempDir, Entries)>,
}

/// Paths (folders end in `/`) and bytes.
type Entries = Vec<(String, Vec<u8>)>;

impl Canaries {
    /// Plant both canaries for `site`.
    pub fn plant(site: &TestSite) -> Canaries {
        let beside = tempfile::Builder::new()
            .prefix("canary-beside-")
            .tempdir_in(site.root().parent().unwrap())
            .unwrap();
        let in_tmp = tempfile::Builder::new()
            .prefix("canary-tmp-")
            .tempdir_in(std::env::temp_dir())
            .unwrap();
        let dirs = [beside, in_tmp]
            .into_iter()
            .map(|d| {
                fs::create_dir_all(d.path().join("sub/deeper")).unwrap();
                fs::write(d.path().join("victim.txt"), "precious\n").unwrap();
                fs::write(d.path().join("index.html"), "<p>not yours</p>\n").unwrap();
                fs::write(d.path().join("sub/deeper/note.md"), "keep me\n").unwrap();
                let files = Canaries::record(d.path());
                (d, files)
            })
            .collect();
        Canaries { dirs }
    }

    /// The canary beside the site's folder.
    pub fn beside(&self) -> &Path {
        self.dirs[0].0.path()
    }

    /// The canary in the system temporary folder.
    pub fn in_tmp(&self) -> &Path {
        self.dirs[1].0.path()
    }

    /// Every file and folder (folders as entries with no bytes and a trailing `/`).
    fn record(dir: &Path) -> Entries {
        let mut out: Entries = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                if e.file_type().is_dir() {
                    (format!("{rel}/"), Vec::new())
                } else {
                    (rel, fs::read(e.path()).unwrap_or_default())
                }
            })
            .collect();
        out.sort();
        out
    }

    /// Both canaries exactly as planted.
    pub fn assert_untouched(&self) {
        for (dir, before) in &self.dirs {
            let now = Canaries::record(dir.path());
            assert!(
                now == *before,
                "the canary {} was touched: before {:?}, now {:?}",
                dir.path().display(),
                before.iter().map(|(p, _)| p).collect::<Vec<_>>(),
                now.iter().map(|(p, _)| p).collect::<Vec<_>>()
            );
        }
    }
}

/// Stop a `quire serve` child the way a user does (SIGTERM), so that it removes its private
/// folder; SIGKILL only if it has not gone within 5 s. Used where tests drop their servers.
pub fn stop_server_process(child: &mut std::process::Child) {
    if let Ok(None) = child.try_wait() {
        let pid = rustix::process::Pid::from_child(child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if !matches!(child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The whole raw answer to `GET path` from a server (a `quire serve` child) at `address`
/// (`127.0.0.1:PORT`), on a connection of its own.
pub fn get_from(address: &str, path: &str) -> String {
    let mut s = TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    response
}
