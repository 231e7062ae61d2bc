//! The repository is itself a site: its sample blog builds and has every page the theme promises.

use crate::harness::*;

fn build_sample() -> Built {
    build_sample_at(None)
}

fn build_sample_at(base_url: Option<&str>) -> Built {
    let out = tempfile::tempdir().unwrap().keep();
    let report = quire::build(&quire::BuildOptions {
        root: env!("CARGO_MANIFEST_DIR").into(),
        output: Some(out.join("public")),
        now: Some(chrono::DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z").unwrap()),
        base_url: base_url.map(str::to_string),
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("sample site failed to build:\n{e}"));
    Built {
        out: report.output.clone(),
        report,
    }
}

#[test]
fn sample_blog_builds_with_every_kind_of_page() {
    let built = build_sample();
    assert!(
        built.report.posts >= 5,
        "5-8 demo posts, got {}",
        built.report.posts
    );
    let home = built.page("/");
    let post_links = attrs(&home, "main article h2 a", "href");
    assert!(!post_links.is_empty());
    for url in &post_links {
        let post = built.page(url);
        assert_eq!(select(&post, "main article h1").len(), 1, "{url}");
    }
    assert!(built.exists("tags/index.html"));
    assert!(built.exists("about/index.html"));
    assert!(built.exists("404.html"));
    assert!(built.exists("style.css"));
    assert!(built.exists("syntax.css"));
    // The draft stays out.
    let all_titles = texts(&home, "main article h2 a").join(" ");
    assert!(!all_titles.is_empty());
    let drafts = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/content/posts"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .filter(|t| t.contains("draft = true"))
        .count();
    assert!(drafts >= 1, "the sample has a draft");
    // A bundle post with its own image copied beside it.
    let bundle_assets: Vec<_> = walkdir::WalkDir::new(built.out.join("posts"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "svg"))
        .collect();
    assert!(
        !bundle_assets.is_empty(),
        "bundle image copied next to its post"
    );
}

#[test]
fn every_internal_link_in_the_sample_blog_resolves() {
    let built = build_sample();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&built.out)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let doc = scraper::Html::parse_document(&std::fs::read_to_string(entry.path()).unwrap());
        for attr in ["href", "src"] {
            for url in attrs(&doc, &format!("[{attr}]"), attr) {
                if !url.starts_with('/') || url.starts_with("//") {
                    continue;
                }
                let path = url.split(['#', '?']).next().unwrap();
                let target = built.out.join(path.trim_start_matches('/'));
                let ok = if path.ends_with('/') {
                    target.join("index.html").exists()
                } else {
                    target.exists()
                };
                assert!(ok, "{} links to missing {url}", entry.path().display());
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "checked {checked} links");
}

#[test]
fn under_a_sub_path_every_link_carries_the_prefix_and_resolves() {
    // As if the output folder were served at https://example.org/blog/.
    let built = build_sample_at(Some("https://example.org/blog/"));
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&built.out)
        .into_iter()
        .filter_map(Result::ok)
    {
        let is_xml = entry.path().extension().is_some_and(|x| x == "xml");
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        if is_xml {
            // Feeds and the sitemap: every absolute URL of this site carries the prefix.
            for (i, _) in text.match_indices("https://example.org/") {
                assert!(
                    text[i..].starts_with("https://example.org/blog/"),
                    "{}: {}",
                    entry.path().display(),
                    &text[i..(i + 60).min(text.len())]
                );
                checked += 1;
            }
            continue;
        }
        if entry.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let doc = scraper::Html::parse_document(&text);
        for attr in ["href", "src"] {
            for url in attrs(&doc, &format!("[{attr}]"), attr) {
                if !url.starts_with('/') || url.starts_with("//") {
                    continue;
                }
                let path = url.split(['#', '?']).next().unwrap();
                let rel = path.strip_prefix("/blog/").unwrap_or_else(|| {
                    panic!("{} links to {url} outside /blog/", entry.path().display())
                });
                let target = built.out.join(rel);
                let ok = if rel.is_empty() || rel.ends_with('/') {
                    target.join("index.html").exists()
                } else {
                    target.exists()
                };
                assert!(ok, "{} links to missing {url}", entry.path().display());
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "checked {checked} links");
}
