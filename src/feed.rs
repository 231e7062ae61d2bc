//! Atom and RSS 2.0 feeds: `/atom.xml` and `/rss.xml` with the newest `feed_limit` posts, and
//! the same pair for every tag at `/tags/<slug>/`. Entries carry the full post HTML with every
//! relative or root-relative `href` and `src` made absolute, because feed readers resolve links
//! against the feed (or not at all), never against the post page. Pure: no I/O. The XML is
//! written here: each post's `<entry>` and `<item>` once (see `Entry`), text escaped by `escape`.

use chrono::{DateTime, FixedOffset};
use foldhash::HashMap;
use rayon::prelude::*;
use url::Url;

use crate::config::Config;
use crate::content::date::{Date, representable};
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
    specs: &Specs,
    post_fingerprints: &[crate::render::PostFingerprints],
    previous: &HashMap<String, u64>,
    emit: Option<crate::render::Emit>,
) -> crate::error::Result<Feeds> {
    let specs = &specs.0;

    // Fingerprint each feed from what its entries show, and build only feeds that changed:
    // rebuilding all of them (full content, made absolute) on every edit would cost more than
    // the rest of a rebuild.
    let mut shown = vec![false; site.posts.len()];
    for spec in specs {
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
        let dir = &spec.dir;
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
        let dir = &spec.dir;
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
        None => specs.par_iter().flat_map_iter(|spec| make(spec)).collect(),
    };
    Ok((outputs, fingerprints))
}

/// Which feeds the site has: made once per build, for the paths they claim before the pages
/// are rendered ([`Specs::paths`]) and for [`feeds`].
pub struct Specs(Vec<Spec>);

impl crate::generate::Generator for Specs {
    fn claims(&self) -> Vec<(String, crate::routes::Owner)> {
        self.paths()
            .map(|(path, page)| (path, crate::routes::Owner::Feed(page.to_string())))
            .collect()
    }

    fn generate(
        &self,
        input: &crate::generate::Input,
        previous: &HashMap<String, u64>,
        emit: Option<crate::render::Emit>,
    ) -> crate::error::Result<crate::generate::Generated> {
        feeds(input.site, input.config, self, input.posts, previous, emit)
    }
}

impl Specs {
    /// Every feed's output path, with the URL of the page it mirrors.
    pub fn paths(&self) -> impl Iterator<Item = (String, &str)> {
        self.0.iter().flat_map(|spec| {
            [ATOM, RSS].map(|name| (format!("{}{name}", spec.dir), spec.page.as_str()))
        })
    }
}

/// The feeds of the site: the site-wide pair and one pair per tag, titled in the site's
/// language (`feed_title`, `feed_title_tag`).
pub fn specs(
    site: &Site,
    config: &Config,
    words: &crate::render::Translations,
) -> crate::error::Result<Specs> {
    let limit = config.feed_limit;
    let home = join_url(&config.base_path, "/");
    // Newest first, whatever order the list pages show.
    let newest = |list: &[usize]| {
        let mut list = list.to_vec();
        list.sort_unstable();
        list.truncate(limit);
        list
    };
    let all = newest(&site.home);
    let dir = |page: &str| {
        crate::routes::output_dir(&config.base_path, page).map_err(|problem| {
            crate::error::Error::UnsafePath {
                path: page.to_string(),
                problem,
            }
        })
    };
    let mut specs = vec![Spec {
        title: words.plain("feed_title", &[("site", &config.title)])?,
        dir: dir(&home)?,
        page: home,
        posts: all,
    }];
    for section in site.sections.iter().skip(1).filter(|s| s.settings.feed) {
        specs.push(Spec {
            title: words.plain(
                "feed_title_section",
                &[("site", &config.title), ("section", &section.title)],
            )?,
            dir: dir(&section.url)?,
            page: section.url.clone(),
            posts: newest(&section.listed),
        });
    }
    let with_feeds = crate::table::rendered_taxonomies(site)
        .map(|t| &site.taxonomies[t])
        .filter(|t| t.config.feed);
    for tax in with_feeds {
        for term in &tax.terms {
            let title = match tax.name.as_str() {
                "tags" => words.plain(
                    "feed_title_tag",
                    &[("site", &config.title), ("term", &term.name)],
                )?,
                _ => words.plain(
                    "feed_title_term",
                    &[
                        ("site", &config.title),
                        ("taxonomy", &words.taxonomy_in_text(&tax.name)),
                        ("term", &term.name),
                    ],
                )?,
            };
            specs.push(Spec {
                title,
                dir: dir(&term.url)?,
                page: term.url.clone(),
                posts: newest(&term.posts),
            });
        }
    }

    Ok(Specs(specs))
}

/// One feed: its title, the URL path of the HTML page it mirrors (its feeds sit beside it),
/// and the posts in it (indices into `Site::posts`, newest first).
struct Spec {
    title: String,
    page: String,
    /// The output folder the page's feeds are written to (`""` or ending in `/`).
    dir: String,
    posts: Vec<usize>,
}

/// A post as every feed shows it: its Atom `<entry>` and RSS `<item>`, written (and their
/// full content escaped) once, however many feeds show the post.
struct Entry {
    /// The update date, else the publication date, else the Unix epoch (Atom requires one);
    /// always [`representable`].
    updated: Date,
    atom: String,
    rss: String,
}

impl Entry {
    fn new(site: &Site, config: &Config, post: &Post) -> Entry {
        let permalink = config.absolute(&post.url);
        let base = Url::parse(&permalink).ok();
        let abs = |html: &str| match &base {
            Some(base) => absolutize(html, base),
            None => html.to_string(),
        };
        // Escaped once for both formats: the content is most of a feed's bytes.
        let content = crate::html::escaped(&abs(&post.rendered.html));
        let summary = crate::html::escaped(&abs(&post.rendered.summary_html));
        let author = post.doc.author.as_deref().unwrap_or(&config.author);
        let tags: Vec<&str> = match site.taxonomy("tags") {
            Some(tax) => post
                .terms_in(site, "tags")
                .iter()
                .map(|&t| tax.terms[t].name.as_str())
                .collect(),
            None => Vec::new(),
        };
        // Parsing refuses years these formats cannot carry; should one get here anyway, it is
        // left out rather than panicking in `to_rfc2822` or writing an invalid RFC 3339 date.
        let published = post.doc.date.filter(representable);
        let updated = post
            .doc
            .updated
            .filter(representable)
            .or(published)
            .unwrap_or_else(epoch);
        let title = &post.doc.title;

        let mut atom = String::with_capacity(content.len() + summary.len() + 512);
        atom.push_str("<entry>");
        element(&mut atom, "title", title);
        element(&mut atom, "id", &permalink);
        element(&mut atom, "updated", &updated.to_rfc3339());
        if let Some(p) = published {
            element(&mut atom, "published", &p.to_rfc3339());
        }
        if !author.is_empty() {
            atom.push_str("<author>");
            element(&mut atom, "name", author);
            atom.push_str("</author>");
        }
        for tag in &tags {
            atom.push_str("<category term=\"");
            crate::html::escape(&mut atom, tag);
            atom.push_str("\" label=\"");
            crate::html::escape(&mut atom, tag);
            atom.push_str("\"/>");
        }
        link(&mut atom, &permalink, "alternate", "text/html");
        atom.push_str("<summary type=\"html\">");
        atom.push_str(&summary);
        atom.push_str("</summary><content type=\"html\">");
        atom.push_str(&content);
        atom.push_str("</content></entry>");

        let mut rss = String::with_capacity(content.len() + summary.len() + 512);
        rss.push_str("<item>");
        element(&mut rss, "title", title);
        element(&mut rss, "link", &permalink);
        rss.push_str("<guid isPermaLink=\"true\">");
        crate::html::escape(&mut rss, &permalink);
        rss.push_str("</guid>");
        if let Some(p) = published {
            element(&mut rss, "pubDate", &p.to_rfc2822());
        }
        rss.push_str("<description>");
        rss.push_str(&summary);
        rss.push_str("</description>");
        for tag in &tags {
            element(&mut rss, "category", tag);
        }
        // RSS's own `author` must be an e-mail address; Dublin Core takes a name.
        if !author.is_empty() {
            element(&mut rss, "dc:creator", author);
        }
        rss.push_str("<content:encoded>");
        rss.push_str(&content);
        rss.push_str("</content:encoded></item>");
        Entry { updated, atom, rss }
    }
}

/// `<name>text</name>`, the text escaped.
fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    crate::html::escape(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// An Atom `<link>`.
fn link(out: &mut String, href: &str, rel: &str, mime: &str) {
    out.push_str("<link href=\"");
    crate::html::escape(out, href);
    out.push_str("\" rel=\"");
    out.push_str(rel);
    out.push_str("\" type=\"");
    out.push_str(mime);
    out.push_str("\"/>");
}

fn epoch() -> Date {
    DateTime::<FixedOffset>::default()
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
    let size: usize = entries.iter().map(|e| e.atom.len()).sum();
    let mut out = String::with_capacity(size + 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    crate::html::escape(&mut out, &config.language);
    out.push_str("\">");
    element(&mut out, "title", &spec.title);
    if !config.tagline.is_empty() {
        element(&mut out, "subtitle", &config.tagline);
    }
    link(&mut out, &self_url, "self", "application/atom+xml");
    link(
        &mut out,
        &config.absolute(&spec.page),
        "alternate",
        "text/html",
    );
    element(&mut out, "id", &self_url);
    element(&mut out, "updated", &newest(entries).to_rfc3339());
    if !config.author.is_empty() {
        out.push_str("<author>");
        element(&mut out, "name", &config.author);
        out.push_str("</author>");
    }
    out.push_str("<generator>Quire</generator>");
    for e in entries {
        out.push_str(&e.atom);
    }
    out.push_str("</feed>\n");
    out.into_bytes()
}

fn rss_feed(config: &Config, spec: &Spec, entries: &[&Entry]) -> Vec<u8> {
    let self_url = config.absolute(&format!("{}{RSS}", spec.page));
    let description = if config.tagline.is_empty() {
        &spec.title
    } else {
        &config.tagline
    };
    let size: usize = entries.iter().map(|e| e.rss.len()).sum();
    let mut out = String::with_capacity(size + 1024);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>",
    );
    element(&mut out, "title", &spec.title);
    element(&mut out, "link", &config.absolute(&spec.page));
    element(&mut out, "description", description);
    element(&mut out, "language", &config.language);
    element(&mut out, "generator", "Quire");
    if !entries.is_empty() {
        element(&mut out, "lastBuildDate", &newest(entries).to_rfc2822());
    }
    out.push_str("<atom:link href=\"");
    crate::html::escape(&mut out, &self_url);
    out.push_str("\" rel=\"self\" type=\"application/rss+xml\"/>");
    for e in entries {
        out.push_str(&e.rss);
    }
    out.push_str("</channel></rss>\n");
    out.into_bytes()
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
            release_sources: false,
            reserved_ids: &[],
            shortcodes: None,
        };
        Site::assemble(config, &docs, &options).unwrap()
    }

    /// Every feed of `site`, built from scratch.
    fn all_feeds(site: &Site, config: &Config) -> Vec<Output> {
        let fps = vec![
            PF {
                summary: 0,
                link: 0
            };
            site.posts.len()
        ];
        let words = crate::render::Translations::built_in(&config.language);
        let specs = specs(site, config, &words).unwrap();
        feeds(site, config, &specs, &fps, &HashMap::default(), None)
            .unwrap()
            .0
    }

    fn find<'a>(outputs: &'a [Output], path: &str) -> &'a str {
        let o = outputs
            .iter()
            .find(|o| o.path == path)
            .unwrap_or_else(|| panic!("no {path}"));
        std::str::from_utf8(&o.bytes).unwrap()
    }

    /// Defence in depth: parsing refuses such years, but the feed writer must not panic on
    /// one (chrono's `to_rfc2822` does for years outside 0..=9999) nor write it.
    #[test]
    fn a_date_no_feed_format_can_carry_is_left_out_not_panicked_on() {
        let config = config("");
        let year = |y: i32| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .fixed_offset()
        };
        let mut docs = Vec::new();
        for (name, date, updated) in [("a", -1, 10000), ("b", -100_000, -1), ("c", 2020, 10000)] {
            let text = format!("+++\ntitle = \"{name}\"\ntags = [\"t\"]\n+++\nx\n");
            let path = format!("content/posts/{name}.md");
            let mut doc = Document::parse(Path::new(&path), Kind::Post, &text).unwrap();
            doc.date = Some(year(date));
            doc.updated = Some(year(updated));
            docs.push(Arc::new(doc));
        }
        let options = crate::site::Options {
            drafts: false,
            now: DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap(),
            release_sources: false,
            reserved_ids: &[],
            shortcodes: None,
        };
        let site = Site::assemble(&config, &docs, &options).unwrap();
        let outputs = all_feeds(&site, &config);
        assert_eq!(outputs.len(), 4);
        for o in &outputs {
            let text = std::str::from_utf8(&o.bytes).unwrap();
            assert!(!text.contains("10000") && !text.contains("-0001"), "{text}");
            feed_rs::parser::parse(o.bytes.as_slice()).unwrap();
        }
        let rss = find(&outputs, "rss.xml");
        assert_eq!(rss.matches("<pubDate>").count(), 1, "{rss}");
        assert!(
            rss.contains("<pubDate>Wed, 1 Jan 2020 00:00:00 +0000</pubDate>"),
            "{rss}"
        );
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
        let outputs = all_feeds(&site, &config);
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
        let atom = feed_rs::parser::parse(find(&outputs, "atom.xml").as_bytes()).unwrap();
        let titles: Vec<&str> = atom
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.as_str())
            .collect();
        assert_eq!(titles, ["C", "B"]);
        assert_eq!(atom.id, "https://example.org/blog/atom.xml");
        assert_eq!(atom.entries[0].id, "https://example.org/blog/posts/c/");
        assert_eq!(atom.entries[0].authors[0].name.as_deref(), Some("Ann"));
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(atom.updated, Some(utc("2024-01-03T00:00:00Z")));
        let rss = feed_rs::parser::parse(find(&outputs, "tags/rust/rss.xml").as_bytes()).unwrap();
        assert_eq!(rss.feed_type, feed_rs::model::FeedType::RSS2);
        let titles: Vec<&str> = rss
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.as_str())
            .collect();
        assert_eq!(titles, ["B", "A"]);
        assert_eq!(rss.links[0].href, "https://example.org/blog/tags/rust/");
        assert_eq!(rss.entries[0].published, Some(utc("2024-01-02T00:00:00Z")));
        assert_eq!(rss.entries[0].categories[0].term, "Rust");
    }

    #[test]
    fn same_site_gives_same_bytes() {
        let config = config("");
        let s = site(
            &config,
            &[("a", "title = \"A\"\ndate = 2024-01-01", "[x](y/)")],
        );
        assert_eq!(all_feeds(&s, &config), all_feeds(&s, &config));
        let atom =
            feed_rs::parser::parse(find(&all_feeds(&s, &config), "atom.xml").as_bytes()).unwrap();
        let content = atom.entries[0]
            .content
            .as_ref()
            .unwrap()
            .body
            .clone()
            .unwrap();
        assert!(
            content.contains(r#"href="https://example.org/blog/posts/a/y/""#),
            "{content}"
        );
    }
}
