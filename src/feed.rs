//! Atom and RSS 2.0 feeds: `/atom.xml` and `/rss.xml` with the newest `feed_limit` posts, and
//! the same pair for every tag at `/tags/<slug>/`. Entries carry the full post HTML with every
//! relative or root-relative `href` and `src` made absolute, because feed readers resolve links
//! against the feed (or not at all), never against the post page. Pure: no I/O. The XML is
//! written by `atom_syndication` and `rss`, which escape text and split `]]>` in CDATA.

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset};
use foldhash::HashMap;
use rayon::prelude::*;
use url::Url;

use crate::config::Config;
use crate::content::date::Date;
use crate::fingerprint;
use crate::output::Output;
use crate::site::{Post, Site, join_url};

const ATOM: &str = "atom.xml";
const RSS: &str = "rss.xml";

/// The feeds that changed (unless they went to `emit`) and every feed's path and fingerprint.
pub type Feeds = (Vec<Output>, Vec<(String, u64)>);

/// Every feed of the site: the site-wide pair and one pair per tag. Feeds that changed are
/// returned, or handed to `emit` when given.
pub fn feeds(
    site: &Site,
    config: &Config,
    post_fingerprints: &[crate::render::PostFingerprints],
    previous: &HashMap<String, u64>,
    emit: Option<crate::render::Emit>,
) -> crate::error::Result<Feeds> {
    let limit = config.feed_limit;
    let home = join_url(&config.base_path, "/");
    let all: Vec<usize> = (0..site.posts.len().min(limit)).collect();
    let mut specs = vec![Spec {
        title: config.title.clone(),
        page: home,
        posts: all,
    }];
    specs.extend(site.tags.terms.iter().map(|term| Spec {
        title: format!("{}: posts tagged “{}”", config.title, term.name),
        page: term.url.clone(),
        posts: term.posts.iter().take(limit).copied().collect(),
    }));

    // Fingerprint each feed from what its entries show, and build only feeds that changed:
    // rebuilding all of them (full content, made absolute) on every edit would cost more than
    // the rest of a rebuild.
    let mut shown = vec![false; site.posts.len()];
    for spec in &specs {
        for &i in &spec.posts {
            shown[i] = true;
        }
    }
    // An entry shows the post's summary fields (covered by its summary fingerprint) and
    // its full HTML.
    let entry_fps: Vec<u64> = site
        .posts
        .iter()
        .zip(post_fingerprints)
        .zip(&shown)
        .map(|((post, fps), &shown)| {
            if shown {
                fingerprint::combine(&[fps.summary, post.rendered.html_fingerprint])
            } else {
                0
            }
        })
        .collect();
    let config_fp = fingerprint::of(&(
        &config.title,
        &config.tagline,
        &config.description,
        &config.author,
        &config.base_url,
        &config.language,
    ));
    let mut fingerprints = Vec::with_capacity(specs.len() * 2);
    let mut changed_specs = Vec::new();
    for spec in specs {
        let dir = output_dir(config, &spec.page);
        let mut parts = vec![config_fp, fingerprint::of(&(&spec.title, &spec.page))];
        parts.extend(spec.posts.iter().map(|&i| entry_fps[i]));
        let fp = fingerprint::combine(&parts);
        let (atom, rss) = (format!("{dir}{ATOM}"), format!("{dir}{RSS}"));
        let stale = previous.get(&atom) != Some(&fp) || previous.get(&rss) != Some(&fp);
        fingerprints.push((atom, fp));
        fingerprints.push((rss, fp));
        if stale {
            changed_specs.push(spec);
        }
    }
    let specs = changed_specs;

    // A post shown in several feeds is made absolute once.
    let mut needed = vec![false; site.posts.len()];
    for spec in &specs {
        for &i in &spec.posts {
            needed[i] = true;
        }
    }
    let entries: Vec<Option<Entry>> = site
        .posts
        .par_iter()
        .zip(needed)
        .map(|(post, needed)| needed.then(|| Entry::new(site, config, post)))
        .collect();

    let make = |spec: &Spec| {
        let shown: Vec<&Entry> = spec
            .posts
            .iter()
            .filter_map(|&i| entries[i].as_ref())
            .collect();
        let dir = output_dir(config, &spec.page);
        [
            Output {
                path: format!("{dir}{ATOM}"),
                bytes: atom_feed(config, spec, &shown),
            },
            Output {
                path: format!("{dir}{RSS}"),
                bytes: rss_feed(config, spec, &shown),
            },
        ]
    };
    let outputs = match emit {
        // Each feed is written as soon as it is made, not held until the end.
        Some(emit) => {
            specs
                .par_iter()
                .try_for_each(|spec| make(spec).into_iter().try_for_each(emit))?;
            Vec::new()
        }
        None => specs.par_iter().flat_map_iter(make).collect(),
    };
    Ok((outputs, fingerprints))
}

/// One feed: its title, the URL path of the HTML page it mirrors (its feeds sit beside it),
/// and the posts in it (indices into `Site::posts`, newest first).
struct Spec {
    title: String,
    page: String,
    posts: Vec<usize>,
}

/// A post as every feed shows it.
struct Entry {
    title: String,
    permalink: String,
    author: String,
    content: String,
    summary: String,
    published: Option<Date>,
    /// The update date, else the publication date, else the Unix epoch (Atom requires one).
    updated: Date,
    tags: Vec<String>,
}

impl Entry {
    fn new(site: &Site, config: &Config, post: &Post) -> Entry {
        let permalink = config.absolute(&post.url);
        let base = Url::parse(&permalink).ok();
        let abs = |html: &str| match &base {
            Some(base) => absolutize(html, base),
            None => html.to_string(),
        };
        Entry {
            title: post.doc.title.clone(),
            author: post
                .doc
                .author
                .clone()
                .unwrap_or_else(|| config.author.clone()),
            content: abs(&post.rendered.html),
            summary: abs(&post.rendered.summary_html),
            published: post.doc.date,
            updated: post.doc.updated.or(post.doc.date).unwrap_or_else(epoch),
            tags: post
                .tags
                .iter()
                .map(|&t| site.tags.terms[t].name.clone())
                .collect(),
            permalink,
        }
    }
}

fn epoch() -> Date {
    DateTime::<FixedOffset>::default()
}

/// The output folder (relative, `""` or ending in `/`) of a URL path under the base path.
fn output_dir(config: &Config, page: &str) -> String {
    page.strip_prefix(config.base_path.as_str())
        .unwrap_or(page.trim_start_matches('/'))
        .to_string()
}

/// The newest update among the entries: the feed's own update date, so that the same posts
/// always give the same bytes.
fn newest(entries: &[&Entry]) -> Date {
    entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(epoch)
}

fn atom_feed(config: &Config, spec: &Spec, entries: &[&Entry]) -> Vec<u8> {
    let self_url = config.absolute(&format!("{}{ATOM}", spec.page));
    let person = |name: &str| atom::Person {
        name: name.to_string(),
        ..Default::default()
    };
    let link = |href: String, rel: &str, mime: &str| atom::Link {
        href,
        rel: rel.into(),
        mime_type: Some(mime.into()),
        ..Default::default()
    };
    let feed = atom::Feed {
        title: atom::Text::plain(spec.title.clone()),
        id: self_url.clone(),
        updated: newest(entries),
        authors: (!config.author.is_empty())
            .then(|| person(&config.author))
            .into_iter()
            .collect(),
        generator: Some(atom::Generator {
            value: "Quire".into(),
            ..Default::default()
        }),
        links: vec![
            link(self_url, "self", "application/atom+xml"),
            link(config.absolute(&spec.page), "alternate", "text/html"),
        ],
        subtitle: (!config.tagline.is_empty()).then(|| atom::Text::plain(config.tagline.clone())),
        lang: Some(config.language.clone()),
        entries: entries
            .iter()
            .map(|e| atom::Entry {
                title: atom::Text::plain(e.title.clone()),
                id: e.permalink.clone(),
                updated: e.updated,
                published: e.published,
                authors: (!e.author.is_empty())
                    .then(|| person(&e.author))
                    .into_iter()
                    .collect(),
                categories: e
                    .tags
                    .iter()
                    .map(|t| atom::Category {
                        term: t.clone(),
                        label: Some(t.clone()),
                        ..Default::default()
                    })
                    .collect(),
                links: vec![link(e.permalink.clone(), "alternate", "text/html")],
                summary: Some(atom::Text::html(e.summary.clone())),
                content: Some(atom::Content {
                    value: Some(e.content.clone()),
                    content_type: Some("html".into()),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    feed.write_to(Vec::new())
        .expect("writing XML to memory cannot fail")
}

fn rss_feed(config: &Config, spec: &Spec, entries: &[&Entry]) -> Vec<u8> {
    let self_url = config.absolute(&format!("{}{RSS}", spec.page));
    let description = if config.tagline.is_empty() {
        spec.title.clone()
    } else {
        config.tagline.clone()
    };
    let channel = rss::Channel {
        title: spec.title.clone(),
        link: config.absolute(&spec.page),
        description,
        language: Some(config.language.clone()),
        generator: Some("Quire".into()),
        last_build_date: (!entries.is_empty()).then(|| newest(entries).to_rfc2822()),
        atom_ext: Some(rss::extension::atom::AtomExtension {
            links: vec![atom::Link {
                href: self_url,
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            }],
        }),
        items: entries
            .iter()
            .map(|e| rss::Item {
                title: Some(e.title.clone()),
                link: Some(e.permalink.clone()),
                guid: Some(rss::Guid {
                    value: e.permalink.clone(),
                    permalink: true,
                }),
                pub_date: e.published.map(|d| d.to_rfc2822()),
                description: Some(e.summary.clone()),
                content: Some(e.content.clone()),
                categories: e
                    .tags
                    .iter()
                    .map(|t| rss::Category {
                        name: t.clone(),
                        domain: None,
                    })
                    .collect(),
                // RSS's own `author` must be an e-mail address; Dublin Core takes a name.
                dublin_core_ext: (!e.author.is_empty()).then(|| {
                    rss::extension::dublincore::DublinCoreExtension {
                        creators: vec![e.author.clone()],
                        ..Default::default()
                    }
                }),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    channel
        .write_to(Vec::new())
        .expect("writing XML to memory cannot fail")
}

/// `html` with the value of every `href` and `src` attribute that is not already an absolute
/// URL resolved against `base` (the post's permalink): `img.png` and `../x/` relative to the
/// post, `/x` to the origin, `#note` to the post itself. Comments and the contents of `script`
/// and `style` are left alone.
pub fn absolutize(html: &str, base: &Url) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        // End tags, doctypes and a stray `<` hold no URLs: copy the `<` and go on.
        if !rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        out.push_str(&rewrite_tag(tag, base));
        rest = &rest[end..];
        let name = tag_name(tag).to_ascii_lowercase();
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            let end = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The length of the tag starting at `s[0] == '<'`, up to and including its `>` (quoted `>`
/// inside attribute values do not end it).
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The element name of a start tag, or `""` for end tags, doctypes and stray `<`.
fn tag_name(tag: &str) -> &str {
    let body = &tag[1..];
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return "";
    }
    let end = body
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(body.len());
    &body[..end]
}

fn rewrite_tag(tag: &str, base: &Url) -> String {
    let name = tag_name(tag);
    if name.is_empty() {
        return tag.to_string();
    }
    let bytes = tag.as_bytes();
    let mut out = String::with_capacity(tag.len() + 32);
    let mut copied = 0;
    let mut i = 1 + name.len();
    while i < bytes.len() {
        // Attribute name.
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
        {
            i += 1;
        }
        let attr = &tag[name_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            if attr.is_empty() {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        // Attribute value: quoted or not.
        let (start, end, next) = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = tag[i + 1..]
                    .find(q as char)
                    .map_or(tag.len(), |e| i + 1 + e);
                (i + 1, end, (end + 1).min(tag.len()))
            }
            _ => {
                let end = tag[i..]
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .map_or(tag.len(), |e| i + e);
                (i, end, end)
            }
        };
        let is_url = attr.eq_ignore_ascii_case("href") || attr.eq_ignore_ascii_case("src");
        if let Some(url) = is_url.then(|| resolve(&tag[start..end], base)).flatten() {
            let quoted = start != i;
            out.push_str(&tag[copied..i]);
            out.push('"');
            out.push_str(&escape_attribute(&url));
            out.push('"');
            copied = if quoted { next } else { end };
        }
        i = next;
    }
    out.push_str(&tag[copied..]);
    out
}

/// The absolute form of an attribute value, or `None` when it is already absolute or empty.
fn resolve(value: &str, base: &Url) -> Option<String> {
    let value = unescape(value.trim());
    if value.is_empty() || Url::parse(&value).is_ok() {
        return None;
    }
    base.join(&value).ok().map(String::from)
}

/// The entities pulldown-cmark and hand-written HTML commonly use in URLs.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn escape_attribute(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::PostFingerprints as PF;
    use std::path::Path;
    use std::sync::Arc;

    use crate::content::{Document, Kind};

    fn base() -> Url {
        Url::parse("https://example.org/blog/posts/hello/").unwrap()
    }

    #[test]
    fn relative_and_root_relative_urls_become_absolute() {
        let cases = [
            (
                r#"<a href="other/">x</a>"#,
                r#"<a href="https://example.org/blog/posts/hello/other/">x</a>"#,
            ),
            (
                r#"<img src="/posts/hello/a.svg" alt="a">"#,
                r#"<img src="https://example.org/posts/hello/a.svg" alt="a">"#,
            ),
            (
                r#"<a href="../x/?a=1&amp;b=2">x</a>"#,
                r#"<a href="https://example.org/blog/posts/x/?a=1&amp;b=2">x</a>"#,
            ),
            (
                r##"<sup><a href="#fn-1">1</a></sup>"##,
                r#"<sup><a href="https://example.org/blog/posts/hello/#fn-1">1</a></sup>"#,
            ),
            (
                "<a class='c' href='y.html' title=\"a > b\">y</a>",
                "<a class='c' href=\"https://example.org/blog/posts/hello/y.html\" title=\"a > b\">y</a>",
            ),
            (
                "<a href=z.html>z</a>",
                "<a href=\"https://example.org/blog/posts/hello/z.html\">z</a>",
            ),
            (
                "<img src=\"//cdn.example.com/i.png\">",
                "<img src=\"https://cdn.example.com/i.png\">",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(absolutize(input, &base()), want, "{input}");
        }
    }

    #[test]
    fn absolute_urls_text_comments_and_scripts_are_left_alone() {
        let untouched = [
            r#"<a href="https://other.example/x">x</a>"#,
            r#"<a href="mailto:a@example.org">mail</a>"#,
            "<p>a &lt;a href=\"x\"&gt; in text</p>",
            "<!-- <a href=\"x\"> -->",
            "<script>var s = '<a href=\"x\">';</script>",
            "<pre><code>src=\"x\"</code></pre>",
            "<p>1 < 2 isn't <a</p>",
            "<p>x</p><a href=\"https://e.org/\"",
        ];
        for input in untouched {
            assert_eq!(absolutize(input, &base()), input);
        }
    }

    fn config(extra: &str) -> Config {
        Config::parse(
            &format!(
                "title = \"Blog\"\nauthor = \"Ann\"\nbase_url = \"https://example.org/blog/\"\n{extra}"
            ),
            Path::new("config.toml"),
        )
        .unwrap()
    }

    fn site(config: &Config, posts: &[(&str, &str, &str)]) -> Site {
        let docs: Vec<Arc<Document>> = posts
            .iter()
            .map(|(name, fm, body)| {
                let text = format!("+++\n{fm}\n+++\n{body}\n");
                Arc::new(
                    Document::parse(
                        Path::new(&format!("content/posts/{name}.md")),
                        Kind::Post,
                        &text,
                    )
                    .unwrap(),
                )
            })
            .collect();
        let options = crate::site::Options {
            drafts: false,
            now: DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap(),
        };
        Site::assemble(config, &docs, &options).unwrap()
    }

    fn find<'a>(outputs: &'a [Output], path: &str) -> &'a str {
        let o = outputs
            .iter()
            .find(|o| o.path == path)
            .unwrap_or_else(|| panic!("no {path}"));
        std::str::from_utf8(&o.bytes).unwrap()
    }

    #[test]
    fn site_and_tag_feeds_are_written_under_the_base_path_with_the_limit() {
        let config = config("feed_limit = 2");
        let site = site(
            &config,
            &[
                (
                    "a",
                    "title = \"A\"\ndate = 2024-01-01\ntags = [\"Rust\"]",
                    "a",
                ),
                (
                    "b",
                    "title = \"B\"\ndate = 2024-01-02\ntags = [\"Rust\"]",
                    "b",
                ),
                (
                    "c",
                    "title = \"C\"\ndate = 2024-01-03\ntags = [\"Go\"]",
                    "c",
                ),
            ],
        );
        let outputs = feeds(
            &site,
            &config,
            &vec![
                PF {
                    summary: 0,
                    link: 0
                };
                site.posts.len()
            ],
            &HashMap::default(),
            None,
        )
        .unwrap()
        .0;
        let mut paths: Vec<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                "atom.xml",
                "rss.xml",
                "tags/go/atom.xml",
                "tags/go/rss.xml",
                "tags/rust/atom.xml",
                "tags/rust/rss.xml"
            ]
        );
        let atom = atom::Feed::read_from(find(&outputs, "atom.xml").as_bytes()).unwrap();
        let titles: Vec<&str> = atom
            .entries
            .iter()
            .map(|e| e.title.value.as_str())
            .collect();
        assert_eq!(titles, ["C", "B"]);
        assert_eq!(atom.id, "https://example.org/blog/atom.xml");
        assert_eq!(atom.entries[0].id, "https://example.org/blog/posts/c/");
        assert_eq!(atom.entries[0].authors[0].name, "Ann");
        assert_eq!(
            atom.updated,
            DateTime::parse_from_rfc3339("2024-01-03T00:00:00Z").unwrap()
        );
        let rss = rss::Channel::read_from(find(&outputs, "tags/rust/rss.xml").as_bytes()).unwrap();
        let titles: Vec<&str> = rss.items.iter().filter_map(|i| i.title()).collect();
        assert_eq!(titles, ["B", "A"]);
        assert_eq!(rss.link, "https://example.org/blog/tags/rust/");
        assert_eq!(
            rss.items[0].pub_date(),
            Some("Tue, 2 Jan 2024 00:00:00 +0000")
        );
        assert_eq!(rss.items[0].categories[0].name, "Rust");
    }

    #[test]
    fn same_site_gives_same_bytes() {
        let config = config("");
        let s = site(
            &config,
            &[("a", "title = \"A\"\ndate = 2024-01-01", "[x](y/)")],
        );
        assert_eq!(
            feeds(
                &s,
                &config,
                &vec![
                    PF {
                        summary: 0,
                        link: 0
                    };
                    s.posts.len()
                ],
                &HashMap::default(),
                None
            )
            .unwrap()
            .0,
            feeds(
                &s,
                &config,
                &vec![
                    PF {
                        summary: 0,
                        link: 0
                    };
                    s.posts.len()
                ],
                &HashMap::default(),
                None
            )
            .unwrap()
            .0
        );
        let atom = atom::Feed::read_from(
            find(
                &feeds(
                    &s,
                    &config,
                    &vec![
                        PF {
                            summary: 0,
                            link: 0
                        };
                        s.posts.len()
                    ],
                    &HashMap::default(),
                    None,
                )
                .unwrap()
                .0,
                "atom.xml",
            )
            .as_bytes(),
        )
        .unwrap();
        let content = atom.entries[0]
            .content
            .as_ref()
            .unwrap()
            .value
            .clone()
            .unwrap();
        assert!(
            content.contains(r#"href="https://example.org/blog/posts/a/y/""#),
            "{content}"
        );
    }
}
