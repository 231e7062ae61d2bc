//! `/sitemap.xml` (every post, standalone page, home and taxonomy list page, with absolute
//! URLs) and `/robots.txt` pointing at it. Pure: no I/O. Dates come from the posts, never from
//! the clock, so the same site always gives the same bytes.

use chrono::SecondsFormat;

use crate::config::Config;
use crate::output::Output;
use crate::site::join_url;
use crate::table::Route;

/// The sitemap and robots.txt as a [`Generator`](crate::generate::Generator).
pub struct Sitemap;

const FILES: [&str; 2] = ["sitemap.xml", "robots.txt"];

impl crate::generate::Generator for Sitemap {
    fn claims(&self) -> Vec<(String, crate::routes::Owner)> {
        FILES
            .iter()
            .map(|p| (p.to_string(), crate::routes::Owner::Generated))
            .collect()
    }

    fn generate(
        &self,
        input: &crate::generate::Input,
        previous: &foldhash::HashMap<String, u64>,
        emit: Option<crate::render::Emit>,
    ) -> crate::error::Result<crate::generate::Generated> {
        // Made again unless both files were made last time from the same list.
        let last = match FILES.map(|p| previous.get(p)) {
            [Some(a), Some(b)] if a == b => Some(*a),
            _ => None,
        };
        let (fp, mut outputs) = sitemap(input.routes, input.config, last);
        if let Some(emit) = emit {
            outputs.drain(..).try_for_each(emit)?;
        }
        Ok((outputs, FILES.map(|p| (p.to_string(), fp)).to_vec()))
    }
}

/// `sitemap.xml` and `robots.txt`, with a fingerprint of what they list: every indexable route
/// of the table (`Route::indexable`) with its `lastmod`. When that equals `previous`, nothing
/// is written out (the files would be the same).
pub fn sitemap(routes: &[Route], config: &Config, previous: Option<u64>) -> (u64, Vec<Output>) {
    let listed = || routes.iter().filter(|r| r.indexable);
    let mut parts = vec![crate::fingerprint::of(&config.base_url)];
    parts.extend(listed().map(|r| crate::fingerprint::of(&(&r.url, r.lastmod))));
    let fp = crate::fingerprint::combine(&parts);
    if previous == Some(fp) {
        return (fp, Vec::new());
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for route in listed() {
        xml.push_str("  <url><loc>");
        crate::html::escape(&mut xml, &config.absolute(&route.url));
        xml.push_str("</loc>");
        if let Some(date) = route.lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&date.to_rfc3339_opts(SecondsFormat::Secs, true));
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");

    let sitemap_url = config.absolute(&join_url(&config.base_path, "/sitemap.xml"));
    let robots = format!("User-agent: *\nAllow: /\nSitemap: {sitemap_url}\n");
    let outputs = vec![
        Output {
            path: "sitemap.xml".into(),
            bytes: xml.into_bytes(),
        },
        Output {
            path: "robots.txt".into(),
            bytes: robots.into_bytes(),
        },
    ];
    (fp, outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    use crate::content::{Document, Kind};

    fn build(base_url: &str, docs: &[(&str, Kind, &str)]) -> Vec<Output> {
        let config = Config::parse(
            &format!("title = \"Blog\"\nbase_url = \"{base_url}\"\nposts_per_page = 2\n"),
            Path::new("config.toml"),
        )
        .unwrap();
        let docs: Vec<Arc<Document>> = docs
            .iter()
            .map(|(path, kind, text)| {
                Arc::new(Document::parse(Path::new(path), *kind, text).unwrap())
            })
            .collect();
        let options = crate::site::Options {
            drafts: false,
            now: chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap(),
            release_sources: false,
            reserved_ids: &[],
            shortcodes: None,
        };
        let site = crate::site::Site::assemble(&config, &docs, &options).unwrap();
        let routes = crate::table::pages(&site, &config).unwrap();
        sitemap(&routes, &config, None).1
    }

    fn text(outputs: &[Output], path: &str) -> String {
        let o = outputs.iter().find(|o| o.path == path).unwrap();
        String::from_utf8(o.bytes.clone()).unwrap()
    }

    #[test]
    fn lists_every_page_with_absolute_urls_and_dates() {
        let outputs = build(
            "https://example.org/blog/",
            &[
                (
                    "content/posts/a.md",
                    Kind::Post,
                    "+++\ntitle = \"A\"\ndate = 2024-01-01\ntags = [\"x\"]\n+++\nA",
                ),
                (
                    "content/posts/b.md",
                    Kind::Post,
                    "+++\ntitle = \"B\"\ndate = 2024-01-02\nupdated = 2024-03-01T10:00:00+02:00\n+++\nB",
                ),
                (
                    "content/posts/c.md",
                    Kind::Post,
                    "+++\ntitle = \"C\"\ndate = 2024-01-03\ntags = [\"x\"]\n+++\nC",
                ),
                (
                    "content/about.md",
                    Kind::Page,
                    "+++\ntitle = \"About\"\n+++\nHi",
                ),
            ],
        );
        let xml = text(&outputs, "sitemap.xml");
        let want = [
            "<url><loc>https://example.org/blog/</loc><lastmod>2024-03-01T10:00:00+02:00</lastmod></url>",
            "<url><loc>https://example.org/blog/page/2/</loc><lastmod>2024-01-01T00:00:00Z</lastmod></url>",
            "<url><loc>https://example.org/blog/posts/c/</loc><lastmod>2024-01-03T00:00:00Z</lastmod></url>",
            "<url><loc>https://example.org/blog/posts/b/</loc><lastmod>2024-03-01T10:00:00+02:00</lastmod></url>",
            "<url><loc>https://example.org/blog/about/</loc></url>",
            "<url><loc>https://example.org/blog/tags/</loc></url>",
            "<url><loc>https://example.org/blog/tags/x/</loc><lastmod>2024-01-03T00:00:00Z</lastmod></url>",
            // The archive pages are pages like the others.
            "<url><loc>https://example.org/blog/archive/</loc><lastmod>2024-03-01T10:00:00+02:00</lastmod></url>",
            "<url><loc>https://example.org/blog/archive/2024/</loc><lastmod>2024-03-01T10:00:00+02:00</lastmod></url>",
            "<url><loc>https://example.org/blog/archive/2024/01/</loc><lastmod>2024-03-01T10:00:00+02:00</lastmod></url>",
        ];
        for line in want {
            assert!(xml.contains(line), "{line} missing from\n{xml}");
        }
        // Home (2 pages), 3 posts, about, tags and tag x, the archive (3); not the 404 page,
        // nor a list of the `posts` section (the home page is that list).
        assert_eq!(xml.matches("<url>").count(), 11, "{xml}");
        assert!(!xml.contains("/blog/posts/<"), "{xml}");
        assert!(!xml.contains("404"), "{xml}");
        assert_eq!(
            text(&outputs, "robots.txt"),
            "User-agent: *\nAllow: /\nSitemap: https://example.org/blog/sitemap.xml\n"
        );
    }

    #[test]
    fn escapes_urls() {
        let outputs = build("https://example.org/a&b/", &[]);
        let xml = text(&outputs, "sitemap.xml");
        assert!(
            xml.contains("<loc>https://example.org/a&amp;b/</loc>"),
            "{xml}"
        );
    }
}
