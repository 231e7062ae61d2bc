//! The physical floor a full build is measured against: read every post, render its Markdown
//! with pulldown-cmark and write it, on 2 threads with rayon. No templates, no list or tag
//! pages, no feeds. `cargo run --release --example floor -- SITE_DIR OUT_DIR`

use std::fs;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let site = PathBuf::from(args.next().expect("usage: floor SITE_DIR OUT_DIR"));
    let out = PathBuf::from(args.next().expect("usage: floor SITE_DIR OUT_DIR"));
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build_global()
        .expect("a thread pool");
    let posts: Vec<PathBuf> = fs::read_dir(site.join("content/posts"))
        .expect("content/posts")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    fs::create_dir_all(&out).expect("the output folder");
    let bytes: usize = posts.par_iter().map(|p| render(p, &out)).sum();
    println!("{} posts, {} bytes written", posts.len(), bytes);
}

fn render(path: &Path, out: &Path) -> usize {
    let text = fs::read_to_string(path).expect("a post");
    // Skip the `+++` front matter.
    let body = text
        .strip_prefix("+++")
        .and_then(|rest| rest.find("\n+++").map(|i| &rest[i + 4..]))
        .unwrap_or(&text);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut page = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut page, Parser::new_ext(body, options));
    let dir = out.join(path.file_stem().expect("a file name"));
    fs::create_dir_all(&dir).expect("a post folder");
    fs::write(dir.join("index.html"), &page).expect("writing a page");
    page.len()
}
