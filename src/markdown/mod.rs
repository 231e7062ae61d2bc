//! Markdown to HTML with pulldown-cmark, plus what a blog needs on top: stable unique heading
//! ids, titled images as `<figure>`s, relative links of bundle posts made absolute, a summary
//! and a word count; fenced code blocks of a known language highlighted (see `highlight`).
//! Pure: no I/O.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options as Extensions, Parser, Tag, TagEnd,
};
use pulldown_cmark_escape::{escape_href, escape_html};

pub mod shortcode;

use shortcode::Expanded;

/// How to render one document.
#[derive(Debug, Default, Clone, Copy)]
pub struct Options<'a> {
    /// URL path that relative links and images resolve against (a bundle post's own URL,
    /// ending in `/`). `None` leaves relative URLs alone.
    pub link_base: Option<&'a str>,
    /// The site's base path (`/blog/`), put in front of root-relative links (`/posts/x/`) so
    /// they work on a site published under a sub-path. `None` or `/` leaves them alone.
    pub base_path: Option<&'a str>,
    /// Ids the surrounding page already uses (`main`, `nav`...): headings never take them.
    pub reserved_ids: &'a [&'a str],
    /// Where content links (`@/posts/x.md`) lead. `None` leaves them as written.
    pub content_links: Option<&'a ContentLinks>,
    /// How to expand shortcodes and Liquid tags; `None` leaves them as written.
    pub shortcodes: Option<&'a shortcode::Env<'a>>,
    /// Links to each heading's own id (Zola's `insert_anchor_links`).
    pub anchors: AnchorLinks,
}

/// `events` with each heading's anchor link put in (headings have their ids by now). A
/// heading that holds a link of its own gets a `#` after it rather than becoming a link,
/// as links do not nest.
fn with_anchor_links(events: Vec<Event<'_>>, anchors: AnchorLinks) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len() + 8);
    let mut after: Option<String> = None;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                let has_link = events[i + 1..]
                    .iter()
                    .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                    .any(|e| matches!(e, Event::Start(Tag::Link { .. })));
                let mode = match anchors {
                    AnchorLinks::Heading if has_link => AnchorLinks::Right,
                    other => other,
                };
                let (start, end) = mode.html(id);
                out.push(event.clone());
                if let Some(start) = start {
                    out.push(Event::InlineHtml(start.into()));
                }
                after = end;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(end) = after.take() {
                    out.push(Event::InlineHtml(end.into()));
                }
                out.push(event.clone());
            }
            _ => out.push(event.clone()),
        }
    }
    out
}

/// Where a heading gets a link to itself, so a reader can copy the address of a part of a
/// post (Zola's `insert_anchor_links`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnchorLinks {
    #[default]
    None,
    /// A `#` link before the heading's text.
    Left,
    /// A `#` link after it.
    Right,
    /// The heading's text is the link.
    Heading,
}

impl AnchorLinks {
    pub fn parse(value: &str) -> Result<AnchorLinks, String> {
        match value.trim() {
            "none" => Ok(AnchorLinks::None),
            "left" => Ok(AnchorLinks::Left),
            "right" => Ok(AnchorLinks::Right),
            "heading" => Ok(AnchorLinks::Heading),
            other => Err(format!(
                "unknown `insert_anchor_links` value `{other}`: use \"none\", \"left\", \"right\" or \"heading\""
            )),
        }
    }

    /// The HTML put in at the start and at the end of a heading with this id. The `#` links
    /// are left out of the accessibility tree and the tab order: the heading already says
    /// what they would.
    fn html(self, id: &str) -> (Option<String>, Option<String>) {
        let mut href = String::new();
        let _ = escape_href(&mut href, id);
        let id = href;
        let mark = |before: bool| {
            let space = if before { ("", " ") } else { (" ", "") };
            format!(
                "{}<a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a>{}",
                space.0, space.1
            )
        };
        match self {
            AnchorLinks::None => (None, None),
            AnchorLinks::Left => (Some(mark(true)), None),
            AnchorLinks::Right => (None, Some(mark(false))),
            AnchorLinks::Heading => (
                Some(format!("<a class=\"anchor-heading\" href=\"#{id}\">")),
                Some("</a>".into()),
            ),
        }
    }
}

/// The published documents by content path (`posts/x.md`, relative to `content/`, with `/`
/// separators), each with its URL: what a content link `@/posts/x.md#part` resolves to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ContentLinks(pub HashMap<String, String>);

impl ContentLinks {
    /// The URL of `@/path`, with its `#fragment` kept; `None` if no document has that path.
    pub fn resolve(&self, target: &str) -> Option<String> {
        let (path, fragment) = match target.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (target, None),
        };
        // `{% post_url x %}/#part` (Jekyll) puts a slash between the file and the fragment.
        let path = path.trim_start_matches('/');
        let path = match fragment {
            Some(_) => path.strip_suffix('/').unwrap_or(path),
            None => path,
        };
        let url = self.0.get(path)?;
        Some(match fragment {
            Some(f) => format!("{url}#{f}"),
            None => url.clone(),
        })
    }
}

/// Prefix of a content link: `[text](@/posts/x.md)`, as in Zola.
pub const CONTENT_LINK: &str = "@/";

/// A link or image in the document, as written and as rendered, for `check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// Byte offset of the link in the Markdown source.
    pub offset: usize,
    /// 1-based line and column of `offset` in the Markdown source, found while the source is
    /// at hand so a diagnostic about the link needs no second reading of it.
    pub position: (usize, usize),
    /// The URL as written.
    pub dest: String,
    /// The URL as it appears in the HTML (resolved content links, bundle and base paths).
    pub href: String,
    /// For a content link, what was written after `@/`.
    pub content: Option<String>,
    /// `Some(alt text)` for an image.
    pub image_alt: Option<String>,
}

/// A heading of the document, in order, for tables of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// An entry of a table of contents: an h2 or h3 with the headings nested under it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry<'a> {
    pub level: u8,
    pub id: &'a str,
    pub title: &'a str,
    pub children: Vec<TocEntry<'a>>,
}

/// The levels a table of contents lists.
pub const TOC_LEVELS: std::ops::RangeInclusive<u8> = 2..=3;

/// The h2 and h3 headings nested: each is a child of the closest heading before it of a
/// lower level, or at the top when there is none (a document that starts with an h3 has it
/// at the top). Other levels are left out.
pub fn toc(headings: &[Heading]) -> Vec<TocEntry<'_>> {
    fn close<'a>(stack: &mut Vec<TocEntry<'a>>, roots: &mut Vec<TocEntry<'a>>) {
        let done = stack.pop().expect("an open entry");
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => roots.push(done),
        }
    }
    let mut roots = Vec::new();
    // The open path: each entry is a child of the one before it.
    let mut stack: Vec<TocEntry> = Vec::new();
    for h in headings.iter().filter(|h| TOC_LEVELS.contains(&h.level)) {
        while stack.last().is_some_and(|open| open.level >= h.level) {
            close(&mut stack, &mut roots);
        }
        stack.push(TocEntry {
            level: h.level,
            id: &h.id,
            title: &h.title,
            children: Vec::new(),
        });
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    pub html: String,
    /// Fingerprint of `html`, so pages can be fingerprinted without hashing it again.
    pub html_fingerprint: u64,
    /// The content before `<!-- more -->`, else the first paragraph.
    pub summary_html: String,
    /// The summary as plain text, for meta descriptions and feeds.
    pub summary_text: String,
    pub word_count: usize,
    pub headings: Vec<Heading>,
    /// Every link and image, in order.
    pub links: Vec<LinkRef>,
    /// Shortcodes that could not be expanded (they stay in the text as written).
    pub problems: Vec<SourceProblem>,
    /// The template keys the shortcodes read, with their versions
    /// ([`shortcode::Templates::version`]): the rendering is stale when one changes.
    pub shortcodes: Vec<(String, u64)>,
    /// The kinds of kramdown markup (Jekyll) left out of the text.
    pub kramdown: Vec<shortcode::Kramdown>,
}

/// A problem at a place in the Markdown source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProblem {
    pub offset: usize,
    /// 1-based line and column.
    pub position: (usize, usize),
    pub message: String,
}

impl Rendered {
    /// The content links this rendering resolved, with what each resolved to; it stays valid
    /// while `links` resolves every one of them the same way.
    pub fn content_links_agree(&self, links: Option<&ContentLinks>) -> bool {
        self.links.iter().all(|l| match &l.content {
            None => true,
            Some(target) => {
                let now = links.and_then(|c| c.resolve(target));
                match now {
                    Some(url) => url == l.href,
                    None => l.href == format!("{CONTENT_LINK}{target}"),
                }
            }
        })
    }
}

/// The summary marker, `<!-- more -->`, written with or without spaces (`<!--more-->`).
fn is_more(html: &str) -> bool {
    let inner = html
        .trim()
        .strip_prefix("<!--")
        .and_then(|h| h.strip_suffix("-->"));
    inner.is_some_and(|m| m.trim().eq_ignore_ascii_case("more"))
}

fn extensions() -> Extensions {
    Extensions::ENABLE_TABLES
        | Extensions::ENABLE_FOOTNOTES
        | Extensions::ENABLE_STRIKETHROUGH
        | Extensions::ENABLE_TASKLISTS
        | Extensions::ENABLE_SMART_PUNCTUATION
        | Extensions::ENABLE_HEADING_ATTRIBUTES
}

pub fn render(source: &str, options: &Options) -> Rendered {
    match options.shortcodes {
        Some(env) if shortcode::may_have(source) => {
            let expanded = shortcode::expand(source, env);
            render_text(source, &expanded.text, Some(&expanded), options)
        }
        _ => render_text(source, source, None, options),
    }
}

/// Render `text`, which is `source` with its shortcodes expanded as `expanded` says (or
/// `source` itself): positions are reported in `source`.
fn render_text(
    source: &str,
    text: &str,
    expanded: Option<&Expanded>,
    options: &Options,
) -> Rendered {
    let (events, ranges): (Vec<Event>, Vec<Range<usize>>) = Parser::new_ext(text, extensions())
        .into_offset_iter()
        .unzip();
    // Shortcodes whose HTML goes in after parsing, its URLs resolved as Markdown's are.
    let inserts = expanded.filter(|e| !e.inserts.is_empty());
    let mut insert_links = Vec::new();
    let insert_html: Vec<String> = inserts.map_or_else(Vec::new, |x| {
        x.inserts
            .iter()
            .map(|insert| {
                let (html, found) = resolve_html(&insert.html, insert.offset, options);
                insert_links.extend(found);
                html
            })
            .collect()
    });
    let mut links = Links {
        options,
        found: Vec::new(),
    };

    // Ids written by the author are reserved first, so generated ones never take them.
    let mut ids: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .chain(options.reserved_ids.iter().map(|id| id.to_string()))
        .collect();

    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut headings = Vec::new();
    let mut word_count = 0;
    let mut more_at = None;
    let mut depth = 0usize;
    let mut in_script_link = false;
    let mut i = 0;
    while i < events.len() {
        let event = &events[i];
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let end = matching_end(&events, i);
                let mut title = plain_text(&events[i + 1..end]);
                if let Some(x) = inserts {
                    title = without_placeholders(x, &title);
                }
                let id = match id {
                    Some(id) => id.to_string(),
                    None => unique_id(&title, &mut ids),
                };
                headings.push(Heading {
                    level: heading_level(*level),
                    id: id.clone(),
                    title,
                });
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                depth += 1;
            }
            Event::Start(Tag::Paragraph)
                if let Some(html) =
                    inserts.and_then(|x| block_insert(x, &insert_html, &events, i)) =>
            {
                out.push(Event::Html(html.into()));
                i += 3;
                continue;
            }
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t)
                if inserts.is_some_and(|x| t.contains(x.token.as_str())) =>
            {
                let x = inserts.expect("checked");
                let mut words = String::new();
                fill_placeholders(x, &insert_html, t, event, &mut out, &mut words);
                word_count += words_in(&words);
            }
            Event::Start(Tag::Paragraph) => {
                if let Some((figure, next)) = figure_at(&events, &ranges, i, &mut links) {
                    out.push(Event::Html(figure.into()));
                    word_count += count_words(&events[i..next]);
                    i = next;
                    continue;
                }
                out.push(event.clone());
                depth += 1;
            }
            Event::Start(Tag::Link { dest_url, .. }) if is_script_url(dest_url, false) => {
                // Shown as its text: a link that runs code is never what a post means.
                in_script_link = true;
            }
            Event::End(TagEnd::Link) if in_script_link => in_script_link = false,
            Event::Start(Tag::Image { dest_url, .. }) if is_script_url(dest_url, true) => {
                let end = matching_end(&events, i);
                let alt = plain_text(&events[i + 1..end]);
                word_count += words_in(&alt);
                out.push(Event::Text(alt.into()));
                i = end + 1;
                continue;
            }
            // `<someone@example.org>`: pulldown-cmark writes `mailto:` itself; nothing to
            // check or resolve.
            Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Email,
                ..
            }) => {
                out.push(event.clone());
                depth += 1;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: links.resolve(dest_url, ranges[i].start, None),
                    title: title.clone(),
                    id: id.clone(),
                }));
                depth += 1;
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let alt = plain_text(&events[i + 1..matching_end(&events, i)]);
                out.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: links.resolve(dest_url, ranges[i].start, Some(alt)),
                    title: title.clone(),
                    id: id.clone(),
                }));
                depth += 1;
            }
            Event::Start(Tag::HtmlBlock) if depth == 0 && more_at.is_none() => {
                let end = matching_end(&events, i);
                let is_more = events[i + 1..end]
                    .iter()
                    .any(|e| matches!(e, Event::Html(h) if is_more(h)));
                if is_more {
                    more_at = Some(out.len());
                }
                out.push(event.clone());
                depth += 1;
            }
            Event::Start(_) => {
                out.push(event.clone());
                depth += 1;
            }
            Event::End(_) => {
                out.push(event.clone());
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) | Event::Code(t) => {
                word_count += words_in(t);
                out.push(event.clone());
            }
            _ => out.push(event.clone()),
        }
        i += 1;
    }

    // The summary keeps its code blocks plain, as feeds and lists show it.
    let summary_events: &[Event] = match more_at {
        Some(at) => &out[..at],
        None => first_paragraph(&out),
    };
    let mut summary_html = String::new();
    // Headings keep no id in a summary: a list page shows many summaries, and an id there
    // would repeat the post's own (and another summary's).
    pulldown_cmark::html::push_html(
        &mut summary_html,
        summary_events
            .iter()
            .filter(|e| !matches!(e, Event::FootnoteReference(_)))
            .map(|e| match e {
                Event::Start(Tag::Heading {
                    level,
                    classes,
                    attrs,
                    ..
                }) => Event::Start(Tag::Heading {
                    level: *level,
                    id: None,
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }),
                other => other.clone(),
            }),
    );
    let summary_text = plain_text(summary_events);

    // Anchor links go into the page's HTML only: summaries show no heading ids.
    let out = match options.anchors {
        AnchorLinks::None => out,
        anchors => with_anchor_links(out, anchors),
    };
    let mut html = String::with_capacity(source.len() * 3 / 2);
    let has_fenced_code = out
        .iter()
        .any(|e| matches!(e, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_)))));
    if has_fenced_code {
        pulldown_cmark::html::push_html(&mut html, highlight_code_blocks(&out).into_iter());
    } else {
        // The events are not needed after this: moved, not cloned.
        pulldown_cmark::html::push_html(&mut html, out.into_iter());
    }
    let mut found = links.found;
    let mut problems = Vec::new();
    let mut used = Vec::new();
    let mut kramdown = Vec::new();
    if let Some(x) = expanded {
        kramdown = x.kramdown.clone();
        for link in &mut found {
            link.offset = x.original(link.offset);
        }
        found.append(&mut insert_links);
        let at = positions(source, x.problems.iter().map(|p| p.offset));
        problems = x
            .problems
            .iter()
            .zip(at)
            .map(|(p, position)| SourceProblem {
                offset: p.offset,
                position,
                message: p.message.clone(),
            })
            .collect();
        used = x.used.clone();
    }
    Rendered {
        html_fingerprint: crate::fingerprint::of_bytes(html.as_bytes()),
        html,
        summary_html,
        summary_text,
        word_count,
        headings,
        links: located(source, found),
        problems,
        shortcodes: used,
        kramdown,
    }
}

/// The HTML of the block shortcode whose placeholder is the whole paragraph starting at `i`.
fn block_insert(x: &Expanded, html: &[String], events: &[Event], i: usize) -> Option<String> {
    let (Some(Event::Text(t)), Some(Event::End(TagEnd::Paragraph))) =
        (events.get(i + 1), events.get(i + 2))
    else {
        return None;
    };
    let found = x.placeholders(t);
    match found.as_slice() {
        [(range, n)] if range.len() == t.trim().len() && x.inserts[*n].block => {
            Some(html[*n].clone())
        }
        _ => None,
    }
}

/// `event` (text or HTML holding placeholders) with each placeholder replaced by its
/// shortcode's HTML; the plain text around them is added to `words`.
fn fill_placeholders<'a>(
    x: &Expanded,
    inserts: &[String],
    t: &str,
    event: &Event<'a>,
    out: &mut Vec<Event<'a>>,
    words: &mut String,
) {
    let is_text = matches!(event, Event::Text(_));
    let mut html = String::new();
    let mut at = 0;
    for (range, n) in x.placeholders(t) {
        let before = &t[at..range.start];
        if is_text {
            if !before.is_empty() {
                out.push(Event::Text(before.to_string().into()));
                words.push_str(before);
                words.push(' ');
            }
            out.push(Event::InlineHtml(inserts[n].clone().into()));
        } else {
            html.push_str(before);
            html.push_str(&inserts[n]);
        }
        at = range.end;
    }
    let rest = &t[at..];
    if is_text {
        if !rest.is_empty() {
            out.push(Event::Text(rest.to_string().into()));
            words.push_str(rest);
        }
    } else {
        html.push_str(rest);
        out.push(match event {
            Event::Html(_) => Event::Html(html.into()),
            _ => Event::InlineHtml(html.into()),
        });
    }
}

/// `text` without placeholder words.
fn without_placeholders(x: &Expanded, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, _) in x.placeholders(text) {
        out.push_str(&text[at..range.start]);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A shortcode's HTML with each `href` and `src` resolved as a Markdown link's would be
/// (bundle-relative and root-relative URLs), and those URLs as links at the call's
/// `offset`, so the link checks see them.
fn resolve_html(html: &str, offset: usize, options: &Options) -> (String, Vec<LinkRef>) {
    let mut found = Vec::new();
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    let mut attrs: Vec<(usize, usize)> = [" href=\"", " src=\""]
        .iter()
        .flat_map(|attr| html.match_indices(attr).map(|(i, m)| (i, i + m.len())))
        .collect();
    attrs.sort_unstable();
    for (attr_at, value_at) in attrs {
        let Some(len) = html[value_at..].find('"') else {
            continue;
        };
        let written = &html[value_at..value_at + len];
        let url = written.replace("&amp;", "&");
        if is_script_url(&url, false) {
            continue;
        }
        let href = resolve(&CowStr::from(url.as_str()), options).to_string();
        let is_image = html[attr_at..].starts_with(" src=")
            && html[..attr_at]
                .rfind('<')
                .and_then(|t| html[t + 1..attr_at].split_whitespace().next())
                .is_some_and(|name| name.eq_ignore_ascii_case("img"));
        out.push_str(&html[at..value_at]);
        if href == url {
            out.push_str(written);
        } else {
            // Writing to a String cannot fail.
            let _ = escape_href(&mut out, &href);
        }
        at = value_at + len;
        found.push(LinkRef {
            offset,
            position: (0, 0),
            dest: url,
            href,
            content: None,
            image_alt: is_image.then(|| image_alt(&html[attr_at..])),
        });
    }
    out.push_str(&html[at..]);
    (out, found)
}

/// The `alt` of the `<img>` whose attributes start `tag_rest`.
fn image_alt(tag_rest: &str) -> String {
    let tag = &tag_rest[..tag_rest.find('>').unwrap_or(tag_rest.len())];
    tag.split_once(" alt=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or(String::new(), |(alt, _)| alt.to_string())
}

/// `links` with each one's line and column in `source`, counted in one pass.
fn located(source: &str, mut links: Vec<LinkRef>) -> Vec<LinkRef> {
    let at = positions(source, links.iter().map(|l| l.offset));
    for (link, position) in links.iter_mut().zip(at) {
        link.position = position;
    }
    links
}

/// The 1-based line and column of each offset in `source`, counted in one pass.
pub fn positions(source: &str, offsets: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let offsets: Vec<usize> = offsets.collect();
    let mut result = vec![(0, 0); offsets.len()];
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let (mut line, mut line_start, mut at) = (1, 0, 0);
    for i in order {
        let mut offset = offsets[i].min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset > at {
            let between = &source.as_bytes()[at..offset];
            line += memchr::memchr_iter(b'\n', between).count();
            if let Some(j) = memchr::memrchr(b'\n', between) {
                line_start = at + j + 1;
            }
            at = offset;
        }
        result[i] = (line, source[line_start..offset].chars().count() + 1);
    }
    result
}

/// Resolves each link's URL as it is met, and remembers it.
struct Links<'o> {
    options: &'o Options<'o>,
    found: Vec<LinkRef>,
}

impl Links<'_> {
    /// The URL to write for `url`, found at `offset`; `alt` is an image's alt text.
    fn resolve<'a>(&mut self, url: &CowStr<'a>, offset: usize, alt: Option<String>) -> CowStr<'a> {
        let (href, content) = match url.strip_prefix(CONTENT_LINK) {
            Some(target) => {
                let found = self.options.content_links.and_then(|c| c.resolve(target));
                (
                    found.map_or_else(|| url.clone(), CowStr::from),
                    Some(target.to_string()),
                )
            }
            None => (resolve(url, self.options), None),
        };
        self.found.push(LinkRef {
            offset,
            position: (0, 0),
            dest: url.to_string(),
            href: href.to_string(),
            content,
            image_alt: alt,
        });
        href
    }
}

/// `events` with each fenced code block of a known language replaced by its highlighted HTML;
/// other code blocks are left to pulldown-cmark (plain and escaped).
fn highlight_code_blocks<'a>(events: &[Event<'a>]) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = &events[i] {
            let end = matching_end(events, i);
            // The language is the info string's first word, as pulldown-cmark takes it; the
            // other words (after spaces or Zola's commas) are options: `linenos` numbers lines.
            let mut words = info.split([' ', ',']).filter(|w| !w.is_empty());
            let lang = words.next().unwrap_or_default();
            let linenos = words.any(|w| w == "linenos" || w.starts_with("linenos="));
            let code: String = events[i + 1..end]
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) => Some(&**t),
                    _ => None,
                })
                .collect();
            if !lang.is_empty()
                && let Some(spans) = crate::highlight::highlight(lang, &code)
            {
                let mut block = String::from(if linenos {
                    "<pre class=\"linenos\"><code class=\"language-"
                } else {
                    "<pre><code class=\"language-"
                });
                // Writing to a String cannot fail.
                let _ = escape_html(&mut block, lang);
                block.push_str("\">");
                if linenos {
                    numbered_lines(&mut block, &spans);
                } else {
                    block.push_str(&spans);
                }
                block.push_str("</code></pre>\n");
                out.push(Event::Html(block.into()));
                i = end + 1;
                continue;
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
}

/// Highlighted `html` with each line in a `<span class="line">` (the stylesheet numbers
/// them): the spans open at a line break are closed before it and opened again after it.
fn numbered_lines(out: &mut String, html: &str) {
    let mut lines: Vec<String> = html
        .trim_end_matches('\n')
        .split('\n')
        .map(str::to_string)
        .collect();
    // Closing tags alone after the last line break belong to the line before.
    if lines.len() > 1
        && let Some(tail) = lines.last()
        && tail.replace("</span>", "").trim().is_empty()
    {
        let tail = lines.pop().unwrap_or_default();
        if let Some(last) = lines.last_mut() {
            last.push_str(&tail);
        }
    }
    let mut open: Vec<String> = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        out.push_str("<span class=\"line\">");
        for tag in &open {
            out.push_str(tag);
        }
        out.push_str(line);
        // Follow the spans this line opens and closes.
        let mut rest = line.as_str();
        while let Some(i) = rest.find('<') {
            rest = &rest[i..];
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            if rest.starts_with("</span") {
                open.pop();
            } else if rest.starts_with("<span") {
                open.push(rest[..end].to_string());
            }
            rest = &rest[end..];
        }
        for _ in &open {
            out.push_str("</span>");
        }
        out.push_str("</span>");
        if n + 1 < lines.len() {
            out.push('\n');
        }
    }
    out.push('\n');
}

/// Index of the `End` that closes the `Start` at `start`.
fn matching_end(events: &[Event], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, e) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

/// The first top-level paragraph's events, including its start and end.
fn first_paragraph<'a, 'e>(events: &'e [Event<'a>]) -> &'e [Event<'a>] {
    let mut depth = 0usize;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                return &events[i..=matching_end(events, i)];
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    &[]
}

/// A paragraph holding only an image with a title becomes a figure with that title as caption.
/// Returns the figure HTML and the index after the paragraph.
fn figure_at(
    events: &[Event],
    ranges: &[Range<usize>],
    start: usize,
    links: &mut Links,
) -> Option<(String, usize)> {
    let Some(Event::Start(Tag::Image {
        dest_url, title, ..
    })) = events.get(start + 1)
    else {
        return None;
    };
    if title.trim().is_empty() || is_script_url(dest_url, true) {
        return None;
    }
    let image_end = matching_end(events, start + 1);
    if !matches!(
        events.get(image_end + 1),
        Some(Event::End(TagEnd::Paragraph))
    ) {
        return None;
    }
    let alt = plain_text(&events[start + 2..image_end]);
    let src = links.resolve(dest_url, ranges[start + 1].start, Some(alt.clone()));
    let mut html = String::from("<figure>\n<img src=\"");
    escape_href(&mut html, &src).ok()?;
    html.push_str("\" alt=\"");
    escape_html(&mut html, &alt).ok()?;
    html.push_str("\">\n<figcaption>");
    escape_html(&mut html, title).ok()?;
    html.push_str("</figcaption>\n</figure>\n");
    Some((html, image_end + 2))
}

/// The words of `events`, whitespace collapsed, markup dropped.
fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => s.push(' '),
            _ => {}
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn count_words(events: &[Event]) -> usize {
    events
        .iter()
        .map(|e| match e {
            Event::Text(t) | Event::Code(t) => words_in(t),
            _ => 0,
        })
        .sum()
}

/// The number of whitespace-separated words, as `str::split_whitespace` counts them, with a
/// byte loop for ASCII text (word counting was most of the time spent outside pulldown-cmark).
fn words_in(text: &str) -> usize {
    if !text.is_ascii() {
        // Typographic quotes and dashes make most text non-ASCII: decode only what is.
        let mut count = 0;
        let mut in_word = false;
        for c in text.chars() {
            let space = c.is_whitespace();
            count += usize::from(!space && !in_word);
            in_word = !space;
        }
        return count;
    }
    // Word starts: a non-space byte at the start or after a space, counted without branches
    // so the loop vectorizes. `\t` to `\r` and ` ` are the ASCII whitespace of `char`.
    // Counted in bytes per block of 128 pairs (at most 64 starts), as wide sums of bytes
    // vectorize far better than sums of `usize`.
    let space = |c: u8| (c == b' ') | (c.wrapping_sub(b'\t') < 5);
    let b = text.as_bytes();
    let Some(&first) = b.first() else { return 0 };
    let (xs, ys) = (&b[..b.len() - 1], &b[1..]);
    let starts: usize = xs
        .chunks(128)
        .zip(ys.chunks(128))
        .map(|(xs, ys)| {
            let n = xs
                .iter()
                .zip(ys)
                .fold(0u8, |n, (&x, &y)| n + u8::from(space(x) & !space(y)));
            usize::from(n)
        })
        .sum();
    starts + usize::from(!space(first))
}

fn unique_id(title: &str, taken: &mut HashSet<String>) -> String {
    let mut base = crate::slugify(title);
    if base.is_empty() {
        base = "section".into();
    }
    let mut id = base.clone();
    let mut n = 1;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Resolve a relative URL against `link_base`. Absolute URLs, root paths, fragments, and
/// `mailto:`-style links are left alone.
fn resolve<'a>(url: &CowStr<'a>, options: &Options) -> CowStr<'a> {
    match (options.link_base, options.base_path) {
        (Some(base), _) if is_relative(url) => {
            let rel = url.strip_prefix("./").unwrap_or(url);
            CowStr::from(format!("{base}{rel}"))
        }
        (_, Some(prefix)) if prefix != "/" && is_root_relative(url, prefix) => {
            CowStr::from(format!("{}{url}", prefix.trim_end_matches('/')))
        }
        _ => url.clone(),
    }
}

/// A link to a path of this site (`/x`, not `//host/x`) that does not already carry the base
/// path.
fn is_root_relative(url: &str, base_path: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//") && !url.starts_with(base_path)
}

pub fn is_relative(url: &str) -> bool {
    !(url.is_empty()
        || url.starts_with('/')
        || url.starts_with('#')
        || url.starts_with('?')
        || url.starts_with("../")
        || has_scheme(url))
}

/// Whether a browser would run `url` as code rather than load it: `javascript:` and
/// `vbscript:` URLs, and `data:` URLs other than images in an image. Browsers ignore case,
/// tabs and line breaks in the scheme, and leading spaces and control characters, so this
/// does too.
pub fn is_script_url(url: &str, image: bool) -> bool {
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let Some(colon) = url.find(':') else {
        return false;
    };
    // Compared in place, without copying: this runs for every link of every post.
    let scheme_is = |name: &str| {
        url[..colon]
            .bytes()
            .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'))
            .map(|b| b.to_ascii_lowercase())
            .eq(name.bytes())
    };
    if scheme_is("javascript") || scheme_is("vbscript") {
        return true;
    }
    if !scheme_is("data") {
        return false;
    }
    const IMAGES: [&str; 5] = [
        "image/png",
        "image/gif",
        "image/jpeg",
        "image/webp",
        "image/avif",
    ];
    let media = &url[colon + 1..];
    let safe_image = IMAGES.iter().any(|m| {
        media
            .get(..m.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(m))
    });
    !(image && safe_image)
}

/// Whether `url` starts with a scheme (`https:`, `mailto:`): it leads out of the site.
pub(crate) fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    fn html(md: &str) -> Html {
        Html::parse_fragment(&render(md, &Options::default()).html)
    }

    fn hrefs(doc: &Html) -> Vec<String> {
        doc.select(&sel("a"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect()
    }

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        for text in [
            "",
            "  ",
            "one",
            " two  words ",
            "tab\tnew\nline\x0bvt\x0cff\rcr",
            "non\u{a0}breaking and em\u{2003}space",
            "café au lait",
            "ogham\u{1680}space, line\u{2028}sep, ideo\u{3000}graphic, nel\u{85}x",
            "no break\u{202f}narrow \u{205f}math, not spaces: \u{2014}dash ©\u{200b}zw",
        ] {
            assert_eq!(words_in(text), text.split_whitespace().count(), "{text:?}");
        }
    }

    #[test]
    fn script_urls_are_recognised_however_they_are_spelled() {
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " \x01javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
        ] {
            assert!(is_script_url(url, false), "{url:?}");
            assert!(is_script_url(url, true), "{url:?}");
        }
        assert!(is_script_url("data:image/png;base64,AAAA", false));
        assert!(is_script_url(
            "data:image/svg+xml,<svg onload=alert(1)>",
            true
        ));
        for url in [
            "https://example.org/javascript:x",
            "/posts/javascript/",
            "javascript.html",
            "mailto:a@example.org",
            "#javascript:",
        ] {
            assert!(!is_script_url(url, false), "{url:?}");
        }
        assert!(!is_script_url("data:image/png;base64,AAAA", true));
    }

    #[test]
    fn links_and_images_that_would_run_code_are_shown_as_text() {
        let r = render(
            "See [the map](javascript:alert(1)) and [home](/).\n\n\
             ![a *red* dot](JaVaScRiPt:alert(2)) and ![ok](/ok.png)\n\n\
             ![Harbour](javascript:x \"A caption\")\n",
            &Options::default(),
        );
        let doc = scraper::Html::parse_fragment(&r.html);
        let hrefs: Vec<_> = doc
            .select(&scraper::Selector::parse("a").unwrap())
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect();
        assert_eq!(hrefs, ["/"]);
        let srcs: Vec<_> = doc
            .select(&scraper::Selector::parse("img").unwrap())
            .map(|a| a.value().attr("src").unwrap().to_string())
            .collect();
        assert_eq!(srcs, ["/ok.png"]);
        let text: String = doc.root_element().text().collect();
        assert!(text.contains("See the map and home."), "{text}");
        assert!(text.contains("a red dot and"), "{text}");
        assert!(text.contains("Harbour"), "{text}");
        assert!(
            !r.html.to_ascii_lowercase().contains("javascript"),
            "{}",
            r.html
        );
    }

    #[test]
    fn headings_get_unique_stable_ids() {
        let doc =
            html("# Hello World\n\n## Hello World\n\n## Custom {#hello-world-1}\n\n## Ünïcode!\n");
        let ids: Vec<_> = doc
            .select(&sel("h1, h2"))
            .map(|h| h.value().id().unwrap().to_string())
            .collect();
        assert_eq!(
            ids,
            ["hello-world", "hello-world-2", "hello-world-1", "unicode"]
        );
    }

    #[test]
    fn headings_avoid_ids_the_page_reserves() {
        let opts = Options {
            reserved_ids: &["main"],
            ..Options::default()
        };
        let r = render("# Main\n", &opts);
        assert_eq!(r.headings[0].id, "main-1");
    }

    #[test]
    fn titled_image_alone_in_a_paragraph_becomes_a_figure() {
        let doc = html(
            "Intro.\n\n![A quay at dusk](quay.svg \"The quay, 6pm\")\n\nText ![i](x.png \"t\") inline.\n",
        );
        let fig = doc.select(&sel("figure")).next().expect("a figure");
        let img = fig.select(&sel("img")).next().unwrap();
        assert_eq!(img.value().attr("alt"), Some("A quay at dusk"));
        assert_eq!(img.value().attr("src"), Some("quay.svg"));
        let cap: String = fig
            .select(&sel("figcaption"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert_eq!(cap, "The quay, 6pm");
        // Inline images stay images inside their paragraph: a figure there would be invalid.
        assert_eq!(doc.select(&sel("figure")).count(), 1);
        assert_eq!(doc.select(&sel("p img")).count(), 1);
    }

    #[test]
    fn untitled_image_is_not_a_figure() {
        let doc = html("![alt](a.png)\n");
        assert_eq!(doc.select(&sel("figure")).count(), 0);
        assert_eq!(doc.select(&sel("p img")).count(), 1);
    }

    #[test]
    fn extensions_are_on() {
        let md = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n\nText[^1]\n\n[^1]: Note.\n\n\"Quoted\"\n\n<div class=\"raw\">raw</div>\n";
        let r = render(md, &Options::default());
        let doc = Html::parse_fragment(&r.html);
        assert_eq!(doc.select(&sel("table td")).count(), 2);
        assert_eq!(doc.select(&sel("del")).count(), 1);
        assert_eq!(doc.select(&sel("input[type=checkbox][checked]")).count(), 1);
        assert_eq!(doc.select(&sel("sup.footnote-reference a")).count(), 1);
        assert_eq!(doc.select(&sel("div.raw")).count(), 1);
        assert!(r.html.contains("“Quoted”"), "{}", r.html);
    }

    #[test]
    fn relative_urls_resolve_against_the_bundle() {
        let opts = Options {
            link_base: Some("/posts/light/"),
            ..Options::default()
        };
        let r = render(
            "[a](notes.pdf) [b](./map.svg) [c](/abs/) [d](https://x.org) [e](#f) [m](mailto:a@b.c)\n\n![x](lamp.svg \"Lamp\")\n",
            &opts,
        );
        let doc = Html::parse_fragment(&r.html);
        let hrefs = hrefs(&doc);
        assert_eq!(
            hrefs,
            [
                "/posts/light/notes.pdf",
                "/posts/light/map.svg",
                "/abs/",
                "https://x.org",
                "#f",
                "mailto:a@b.c"
            ]
        );
        let img = doc.select(&sel("figure img")).next().unwrap();
        assert_eq!(img.value().attr("src"), Some("/posts/light/lamp.svg"));
    }

    #[test]
    fn root_relative_links_get_the_base_path() {
        let opts = Options {
            base_path: Some("/blog/"),
            ..Options::default()
        };
        let r = render(
            "[a](/posts/x/) [b](/blog/posts/y/) [c](//cdn.example/x) [d](https://x.org/) [e](rel/)\n\n![i](/images/a.svg)\n",
            &opts,
        );
        let doc = Html::parse_fragment(&r.html);
        let hrefs = hrefs(&doc);
        assert_eq!(
            hrefs,
            [
                "/blog/posts/x/",
                "/blog/posts/y/",
                "//cdn.example/x",
                "https://x.org/",
                "rel/"
            ]
        );
        assert_eq!(
            doc.select(&sel("img")).next().unwrap().value().attr("src"),
            Some("/blog/images/a.svg")
        );
        let plain = render(
            "[a](/posts/x/)\n",
            &Options {
                base_path: Some("/"),
                ..Options::default()
            },
        );
        assert!(plain.html.contains("href=\"/posts/x/\""));
    }

    #[test]
    fn summary_is_text_before_more_else_first_paragraph() {
        let r = render(
            "First para.\n\nSecond.\n\n<!-- more -->\n\nRest.\n",
            &Options::default(),
        );
        let doc = Html::parse_fragment(&r.summary_html);
        assert_eq!(doc.select(&sel("p")).count(), 2);
        assert!(!r.summary_html.contains("Rest"));

        let r = render(
            "# Title\n\n![i](a.png \"cap\")\n\nOnly this[^n].\n\nNot this.\n\n[^n]: x\n",
            &Options::default(),
        );
        let doc = Html::parse_fragment(&r.summary_html);
        let text: String = doc.root_element().text().collect();
        assert_eq!(text.trim(), "Only this.");
        assert_eq!(r.summary_text, "Only this.");
    }

    #[test]
    fn words_are_counted() {
        let r = render(
            "One two three.\n\n```\nfour five\n```\n\n![six seven](x.png \"cap\")\n",
            &Options::default(),
        );
        assert_eq!(r.word_count, 7);
    }

    #[test]
    fn known_languages_are_highlighted_inside_one_code_element() {
        let r = render(
            "Intro.\n\n```rust\nfn main() { let x = a < b; }\n```\n",
            &Options::default(),
        );
        let doc = Html::parse_fragment(&r.html);
        assert_eq!(doc.select(&sel("pre")).count(), 1);
        let code: Vec<_> = doc.select(&sel("pre > code")).collect();
        assert_eq!(code.len(), 1);
        assert_eq!(code[0].value().attr("class"), Some("language-rust"));
        let spans: Vec<_> = code[0].select(&sel("span")).collect();
        assert!(spans.len() > 3, "{}", r.html);
        assert!(spans.iter().all(|s| {
            s.value()
                .attr("class")
                .is_some_and(|c| c.split(' ').all(|c| c.starts_with("hl-")))
        }));
        assert!(
            doc.select(&sel("span.hl-keyword")).next().is_some(),
            "{}",
            r.html
        );
        let text: String = code[0].text().collect();
        assert_eq!(text, "fn main() { let x = a < b; }\n");
        assert!(r.html.contains("&lt;"), "{}", r.html);
        assert!(!r.html.contains("a < b"), "{}", r.html);
    }

    #[test]
    fn unknown_and_unlabelled_code_blocks_stay_plain_and_escaped() {
        let r = render(
            "```no-such-lang\n<b>x</b> & y\n```\n\n```\n<i>z</i>\n```\n\n    <u>indented</u>\n",
            &Options::default(),
        );
        assert_eq!(
            r.html,
            "<pre><code class=\"language-no-such-lang\">&lt;b&gt;x&lt;/b&gt; &amp; y\n</code></pre>\n\
             <pre><code>&lt;i&gt;z&lt;/i&gt;\n</code></pre>\n\
             <pre><code>&lt;u&gt;indented&lt;/u&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn code_in_the_summary_and_word_count_is_not_highlighted() {
        let r = render(
            "```rust\nlet a = 1;\n```\n\n<!-- more -->\n\nRest.\n",
            &Options::default(),
        );
        assert!(r.html.contains("hl-"), "{}", r.html);
        assert_eq!(
            r.summary_html,
            "<pre><code class=\"language-rust\">let a = 1;\n</code></pre>\n"
        );
        assert_eq!(r.word_count, 5);
    }

    fn h(level: u8, id: &str) -> Heading {
        Heading {
            level,
            id: id.into(),
            title: id.to_uppercase(),
        }
    }

    /// A toc as `id(children...)` strings, for compact assertions.
    fn shape(entries: &[TocEntry]) -> String {
        entries
            .iter()
            .map(|e| {
                if e.children.is_empty() {
                    e.id.to_string()
                } else {
                    format!("{}({})", e.id, shape(&e.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn toc_nests_h3_under_h2() {
        let hs = [
            h(2, "a"),
            h(3, "a1"),
            h(3, "a2"),
            h(2, "b"),
            h(2, "c"),
            h(3, "c1"),
        ];
        let t = toc(&hs);
        assert_eq!(shape(&t), "a(a1 a2) b c(c1)");
        assert_eq!((t[0].level, t[0].title), (2, "A"));
        assert_eq!(t[0].children[1].level, 3);
    }

    #[test]
    fn toc_starting_with_h3_or_skipping_levels() {
        assert_eq!(
            shape(&toc(&[h(3, "x"), h(3, "y"), h(2, "a"), h(3, "a1")])),
            "x y a(a1)"
        );
        // h1 and h4 to h6 are left out; an h4 between does not break the nesting.
        let hs = [
            h(1, "t"),
            h(2, "a"),
            h(4, "deep"),
            h(3, "a1"),
            h(5, "e"),
            h(2, "b"),
        ];
        assert_eq!(shape(&toc(&hs)), "a(a1) b");
        assert!(toc(&[h(1, "t"), h(4, "d")]).is_empty());
        assert!(toc(&[]).is_empty());
    }

    #[test]
    fn toc_from_rendered_headings() {
        let r = render(
            "# T\n\n### Lead\n\n## One\n\n### One a\n\n## Two {#custom}\n",
            &Options::default(),
        );
        assert_eq!(shape(&toc(&r.headings)), "lead one(one-a) custom");
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let deep = ">".repeat(10_000) + " x";
        let _ = render(&deep, &Options::default());
        let brackets = "[".repeat(10_000);
        let _ = render(&brackets, &Options::default());
    }
}
