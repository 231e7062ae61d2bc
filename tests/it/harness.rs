//! A tiny harness: write a site into a temp folder, build it, and read pages back parsed.

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

    pub fn start_with(site: TestSite, watch: bool, debounce: Duration) -> Running {
        let events = Arc::new(Mutex::new(Vec::new()));
        let log = events.clone();
        let server = quire::serve::start(
            ServeOptions {
                build: site.options(),
                bind: "127.0.0.1".parse().unwrap(),
                port: 0,
                watch,
                debounce,
                port_attempts: 0,
            },
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
