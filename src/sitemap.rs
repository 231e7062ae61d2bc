//! `/sitemap.xml` (every post, standalone page, home and taxonomy list page, with absolute
//! URLs) and `/robots.txt` pointing at it. Pure: no I/O. Dates come from the posts, never from
//! the clock, so the same site always gives the same bytes.

use chrono::SecondsFormat;

use crate::config::Config;
use crate::content::date::Date;
use crate::output::Output;
use crate::render::{page_count, page_url, taxonomies};
use crate::site::{Post, Site, join_url};

/// `sitemap.xml` and `robots.txt`, with a fingerprint of what they list. When that equals
/// `previous`, nothing is written out (the files would be the same).
pub fn sitemap(
    site: &Site,
    config: &Config,
    post_links: &[u64],
    previous: Option<u64>,
) -> (u64, Vec<Output>) {
    // What the list depends on: every post's URL, date (its link fingerprint) and update
    // date; pages; taxonomy terms and their post lists; the base URL and page size.
    let mut parts = vec![crate::fingerprint::of(&(
        &config.base_url,
        config.posts_per_page,
    ))];
    parts.extend(site.posts.iter().zip(post_links).map(|(p, &link)| {
        crate::fingerprint::combine(&[link, crate::fingerprint::of(&p.doc.updated)])
    }));
    for p in &site.pages {
        parts.push(crate::fingerprint::of(&(&p.url, p.doc.updated, p.doc.date)));
    }
    for tax in taxonomies(site) {
        parts.push(crate::fingerprint::of(&tax.url));
        for term in &tax.terms {
            parts.push(crate::fingerprint::of(&(&term.url, &term.posts)));
        }
    }
    let fp = crate::fingerprint::combine(&parts);
    if previous == Some(fp) {
        return (fp, Vec::new());
    }
    let per_page = config.posts_per_page;
    let mut urls: Vec<(String, Option<Date>)> = Vec::new();
    let list = |first: &str, posts: &[usize], urls: &mut Vec<(String, Option<Date>)>| {
        for page in 1..=page_count(posts.len(), per_page) {
            let shown = posts.iter().skip((page - 1) * per_page).take(per_page);
            let newest = shown.filter_map(|&i| modified(&site.posts[i])).max();
            urls.push((page_url(first, page), newest));
        }
    };
    let all: Vec<usize> = (0..site.posts.len()).collect();
    list(&join_url(&config.base_path, "/"), &all, &mut urls);
    urls.extend(site.posts.iter().map(|p| (p.url.clone(), modified(p))));
    urls.extend(
        site.pages
            .iter()
            .map(|p| (p.url.clone(), p.doc.updated.or(p.doc.date))),
    );
    for tax in taxonomies(site) {
        urls.push((tax.url.clone(), None));
        for term in &tax.terms {
            list(&term.url, &term.posts, &mut urls);
        }
    }

    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, lastmod) in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape(&config.absolute(&url)));
        xml.push_str("</loc>");
        if let Some(date) = lastmod {
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

/// When a post last changed: its update date, else its date.
fn modified(post: &Post) -> Option<Date> {
    post.doc.updated.or(post.doc.date)
}

/// Escape text for XML element content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
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
        };
        let site = Site::assemble(&config, &docs, &options).unwrap();
        let links = vec![0; site.posts.len()];
        sitemap(&site, &config, &links, None).1
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
        ];
        for line in want {
            assert!(xml.contains(line), "{line} missing from\n{xml}");
        }
        assert_eq!(xml.matches("<url>").count(), 8, "{xml}");
        assert_eq!(
            text(&outputs, "robots.txt"),
            "User-agent: *\nAllow: /\nSitemap: https://example.org/blog/sitemap.xml\n"
        );
    }

    #[test]
    fn escapes_urls() {
        assert_eq!(
            escape("https://e.org/?a=1&b=<'\">"),
            "https://e.org/?a=1&amp;b=&lt;&apos;&quot;&gt;"
        );
        let outputs = build("https://example.org/a&b/", &[]);
        let xml = text(&outputs, "sitemap.xml");
        assert!(
            xml.contains("<loc>https://example.org/a&amp;b/</loc>"),
            "{xml}"
        );
    }
}
