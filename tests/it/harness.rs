//! A tiny harness: write a site into a temp folder, build it, and read pages back parsed.

use std::fs;
use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};

pub const CONFIG: &str = "title = \"Test Blog\"\ntagline = \"Tests\"\ndescription = \"A *test* blog.\"\nauthor = \"Ann Author\"\nbase_url = \"https://example.org/\"\n";

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
