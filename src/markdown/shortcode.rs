//! Shortcodes and Liquid tags in Markdown, expanded before the Markdown is parsed: Zola's
//! `{{ name(k=v) }}` and `{% name(k=v) %}body{% end %}`, Hugo's `{{< name args >}}` and
//! `{{% name %}}body{{% /name %}}`, and the Liquid tags Jekyll posts use (`{% raw %}`,
//! `{% highlight %}`, `{% link %}`, `{% post_url %}`, `{% include %}`, `{{ site.baseurl }}`).
//!
//! Pure: templates are rendered through [`Templates`], which the theme implements. Nothing
//! inside fenced, indented or inline code is ever read as a shortcode. A shortcode whose
//! output is HTML leaves a placeholder word in the Markdown, replaced by its HTML after
//! parsing (so Markdown never rewrites it); one whose output is Markdown (`name.md`, Hugo's
//! `{{% %}}`) is put into the text. [`Expanded::original`] maps every offset of the expanded
//! text back to the author's source, so positions in errors stay theirs.

use std::collections::HashMap;
use std::ops::Range;

use memchr::memmem;
use pulldown_cmark::{Event, Parser, Tag};

use super::ContentLinks;

/// An argument value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Value>),
}

impl Value {
    fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Array(_) => "an array",
        }
    }
}

/// A call's arguments: Hugo's positional ones in order, and the named ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args {
    pub positional: Vec<Value>,
    pub named: Vec<(String, Value)>,
}

impl Args {
    /// The named argument `key`, else the positional one at `index`.
    pub fn get(&self, key: &str, index: usize) -> Option<&Value> {
        self.named
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .or_else(|| self.positional.get(index))
    }
}

/// What a shortcode template writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `templates/shortcodes/<name>.html`: inserted as HTML.
    Html,
    /// `templates/shortcodes/<name>.md`: rendered as Markdown with the text around it.
    Markdown,
}

/// One shortcode call, for its template.
#[derive(Debug)]
pub struct Call<'a> {
    pub name: &'a str,
    pub args: &'a Args,
    /// The text between the opening and closing tags, its own shortcodes expanded.
    pub body: Option<&'a str>,
    /// How many calls of this name came before in the document, plus one (Zola's `nth`).
    pub nth: usize,
}

/// The page a document becomes, as shortcodes and Liquid see it (`page.title`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PageInfo<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    /// RFC 3339, when the document has a date.
    pub date: Option<String>,
    pub slug: &'a str,
    /// The page's URL path, base path included (`/blog/posts/x/`).
    pub url: String,
    /// The absolute URL.
    pub permalink: String,
    /// The URL path under the base path (`/posts/x/`), as Zola's `page.path`.
    pub path: String,
    /// The source's path under `content/` (`posts/x.md`), as Zola's `page.relative_path`.
    pub relative_path: String,
    /// A bundle's folder under `content/` with a trailing `/` (`posts/trip/`), as Zola's
    /// `page.colocated_path`, for files beside its `index.md`.
    pub colocated_path: Option<String>,
    pub extra: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

/// The site, as Liquid's `site.*` reads it.
#[derive(Debug, Clone, Default)]
pub struct SiteInfo<'a> {
    /// Absolute, ending with `/`.
    pub base_url: &'a str,
    /// `/` or `/blog/`.
    pub base_path: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub author: &'a str,
    /// `[extra]` of `config.toml`: Liquid's `site.<key>` for keys of a Jekyll `_config.yml`.
    pub extra: Option<&'a toml::Table>,
}

/// The templates shortcodes and includes are rendered with (the theme's).
pub trait Templates: Sync {
    /// How `templates/shortcodes/<name>.html` (preferred) or `.md` defines `name`, if either
    /// exists in the site or the built-in theme.
    fn shortcode(&self, name: &str) -> Option<Output>;
    /// Whether the site itself (not the built-in theme) defines `name`: a site's
    /// `shortcodes/highlight.html` replaces Quire's own `highlight`.
    fn site_defines(&self, name: &str) -> bool;
    /// Render shortcode `name` for `call` on `page`; the error is a message.
    fn render(
        &self,
        name: &str,
        output: Output,
        call: &Call,
        page: &PageInfo,
    ) -> Result<String, String>;
    /// Whether `templates/includes/<name>` exists.
    fn has_include(&self, name: &str) -> bool;
    /// Render `templates/includes/<name>` with `include.<key>` for each argument.
    fn include(&self, name: &str, args: &Args, page: &PageInfo) -> Result<String, String>;
    /// A fingerprint of what the key ([`Expanded::used`]) stands for: the template sources,
    /// 0 when there is none. A document is expanded again when one of its keys changes.
    fn version(&self, key: &str) -> u64;
}

/// What expansion needs besides the source.
pub struct Env<'a> {
    pub templates: &'a dyn Templates,
    pub page: &'a PageInfo<'a>,
    pub site: &'a SiteInfo<'a>,
    /// Published documents by content path: what `ref`, `relref`, `{% link %}` and
    /// `{% post_url %}` resolve against.
    pub content_links: Option<&'a ContentLinks>,
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("page", self.page)
            .field("site", self.site)
            .finish_non_exhaustive()
    }
}

/// A shortcode's HTML, put where its placeholder word ended up after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    pub html: String,
    /// Where the call starts in the author's source.
    pub offset: usize,
    /// The call stands alone on its lines: its HTML replaces the paragraph around the
    /// placeholder rather than going inside it.
    pub block: bool,
}

/// A shortcode that could not be expanded; it stays in the text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte offset in the author's source.
    pub offset: usize,
    pub message: String,
}

/// A source with its shortcodes expanded.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The Markdown to parse.
    pub text: String,
    /// Where each piece of `text` came from: (offset in `text`, offset in the source, copied
    /// verbatim or made by a shortcode).
    segments: Vec<(usize, usize, bool)>,
    /// The HTML of each placeholder, by number.
    pub inserts: Vec<Insert>,
    /// Placeholders are this word followed by their number and `E`.
    pub token: String,
    pub problems: Vec<Problem>,
    /// Every template key the expansion read, with its version ([`Templates::version`]).
    pub used: Vec<(String, u64)>,
    /// The kinds of kramdown markup left out, in the order met.
    pub kramdown: Vec<Kramdown>,
}

impl Expanded {
    /// The source offset that `at` (an offset in `text`) came from: the same character for
    /// copied text, the start of the call for text a shortcode made.
    pub fn original(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|&(out, _, _)| out <= at);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some((out, orig, true)) => orig + (at - out),
            Some((_, orig, false)) => orig,
            None => at,
        }
    }

    /// The placeholder numbers in `text`, with their ranges, in order.
    pub fn placeholders(&self, text: &str) -> Vec<(Range<usize>, usize)> {
        let mut found = Vec::new();
        if self.inserts.is_empty() {
            return found;
        }
        for at in memmem::find_iter(text.as_bytes(), self.token.as_bytes()) {
            let rest = &text[at + self.token.len()..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || rest.as_bytes().get(digits) != Some(&b'E') {
                continue;
            }
            if let Ok(n) = rest[..digits].parse::<usize>()
                && n < self.inserts.len()
            {
                found.push((at..at + self.token.len() + digits + 1, n));
            }
        }
        found
    }
}

/// Whether `source` may hold a shortcode or Liquid tag at all: a cheap test that lets
/// documents without `{{` or `{%` skip expansion entirely.
pub fn may_have(source: &str) -> bool {
    let b = source.as_bytes();
    memchr::memchr_iter(b'{', b).any(|i| matches!(b.get(i + 1), Some(b'{' | b'%' | b':')))
}

/// How deep shortcode bodies may nest.
const MAX_DEPTH: usize = 16;

/// Expand every shortcode and Liquid tag of `source` outside code.
pub fn expand(source: &str, env: &Env) -> Expanded {
    let mut token = String::from("QUIRESC");
    while source.contains(&token) {
        token.push('Q');
    }
    let mut x = Expander {
        src: source,
        env,
        code: code_ranges(source),
        closers: hugo_closers(source),
        nth: HashMap::new(),
        out: Expanded {
            token,
            ..Expanded::default()
        },
    };
    let mut sink = Sink::top();
    x.expand(0, source.len(), &mut sink, 0);
    let Sink { text, segments, .. } = sink;
    x.out.text = text;
    x.out.segments = segments;
    x.out.used.sort();
    x.out.used.dedup();
    x.out
}

/// Byte ranges of code (blocks and spans) in `source`, in order.
fn code_ranges(source: &str) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Parser::new_ext(source, super::extensions())
        .into_offset_iter()
        .filter_map(|(e, r)| match e {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => Some(r),
            _ => None,
        })
        .collect();
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// Where expanded text goes: the document's text (with placeholders and a map of where each
/// piece came from) or a body given to a template (plain text, HTML written in place).
struct Sink {
    text: String,
    segments: Vec<(usize, usize, bool)>,
    top: bool,
}

impl Sink {
    fn top() -> Sink {
        Sink {
            text: String::new(),
            segments: Vec::new(),
            top: true,
        }
    }

    fn body() -> Sink {
        Sink {
            top: false,
            ..Sink::top()
        }
    }

    fn copy(&mut self, src: &str, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        if self.top {
            self.segments.push((self.text.len(), range.start, true));
        }
        self.text.push_str(&src[range]);
    }

    fn made(&mut self, text: &str, from: usize) {
        if self.top {
            self.segments.push((self.text.len(), from, false));
        }
        self.text.push_str(text);
    }
}

/// A parsed tag.
#[derive(Debug)]
struct Tag0 {
    syntax: Syntax,
    name: String,
    args: Args,
    /// The whole opening tag.
    open: Range<usize>,
    /// For Liquid tags, the text after the name (`ruby linenos`).
    rest: String,
    /// Hugo `{{< /name >}}`.
    closing: bool,
    /// Hugo `{{< name />}}`.
    self_closing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    /// `{{ name(args) }}`
    ZolaInline,
    /// `{% name(args) %}…{% end %}`
    ZolaBody,
    /// `{{< name >}}`
    Hugo,
    /// `{{% name %}}`
    HugoMarkdown,
    /// `{% name … %}`
    LiquidTag,
    /// `{{ site.x | filter }}`
    LiquidOutput,
}

/// What is at a `{{` or `{%`.
enum Found {
    /// Not a shortcode: text that stays as written.
    Text,
    /// `{{/* … */}}` and the like: write this instead of the range.
    Escape(String, usize),
    Tag(Tag0),
    /// Looks like a tag but is broken: the message, and where the broken text ends.
    Broken(String, usize),
    /// kramdown markup that Markdown here has no use for: left out from `from` to `to`.
    Drop {
        from: usize,
        to: usize,
        kind: Kramdown,
    },
}

/// The kinds of kramdown (Jekyll's Markdown) markup that are left out, each reported once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kramdown {
    /// `{:toc}` (with the list item before it, `* TOC`).
    Toc,
    /// Attribute lists, `{: .class #id}` and `{:name: …}`.
    Attributes,
    /// Extensions, `{::options …}`, `{::nomarkdown}`, `{:/}`.
    Extension,
}

struct Expander<'a, 'e> {
    src: &'a str,
    env: &'e Env<'e>,
    code: Vec<Range<usize>>,
    /// The names of Hugo shortcodes that have a closing tag somewhere (`{{< /name >}}`): only
    /// those are looked for, so a post with many `figure`s is not scanned once per figure.
    closers: std::collections::HashSet<String>,
    nth: HashMap<String, usize>,
    out: Expanded,
}

/// At most this many problems per document; the rest of it is left as written. Each failed
/// call may scan to the end of the document, so this also bounds the work on hostile input.
const MAX_PROBLEMS: usize = 100;

/// The names in every `{{< /name >}}` and `{{% /name %}}` of `source`.
fn hugo_closers(source: &str) -> std::collections::HashSet<String> {
    let mut names = std::collections::HashSet::new();
    for open in ["{{<", "{{%"] {
        for at in memmem::find_iter(source.as_bytes(), open.as_bytes()) {
            let rest = source[at + 3..].trim_start();
            if let Some(rest) = rest.strip_prefix('/') {
                let rest = rest.trim_start();
                let n = rest
                    .find(|c: char| c.is_whitespace() || c == '>' || c == '%')
                    .unwrap_or(rest.len());
                names.insert(rest[..n].to_string());
            }
        }
    }
    names
}

const LIQUID_TAGS: &str = "raw, comment, highlight, link, post_url, include";

impl Expander<'_, '_> {
    fn in_code(&self, at: usize) -> bool {
        let i = self.code.partition_point(|r| r.start <= at);
        i > 0 && self.code[i - 1].end > at
    }

    /// The next `{{` or `{%` in `from..end` outside code.
    fn next_open(&self, mut from: usize, end: usize) -> Option<usize> {
        let b = self.src.as_bytes();
        while from + 1 < end {
            let i = from + memchr::memchr(b'{', &b[from..end])?;
            if i + 1 < end
                && matches!(b[i + 1], b'{' | b'%' | b':')
                && (!self.in_code(i) || is_escape(&self.src[i..end]))
            {
                return Some(i);
            }
            from = i + 1;
        }
        None
    }

    fn problem(&mut self, offset: usize, message: String) {
        self.out.problems.push(Problem { offset, message });
    }

    fn expand(&mut self, start: usize, end: usize, sink: &mut Sink, depth: usize) {
        let mut copied = start;
        let mut at = start;
        while let Some(p) = self.next_open(at, end) {
            if self.out.problems.len() >= MAX_PROBLEMS {
                if self.out.problems.len() == MAX_PROBLEMS {
                    self.problem(
                        p,
                        format!("more than {MAX_PROBLEMS} shortcode problems: the rest of the document is left as written"),
                    );
                }
                break;
            }
            match self.parse(p, end) {
                Found::Text => at = p + 1,
                Found::Broken(message, stop) => {
                    self.problem(p, message);
                    at = stop.max(p + 1);
                }
                Found::Drop { from, to, kind } => {
                    if !self.out.kramdown.contains(&kind) {
                        self.out.kramdown.push(kind);
                    }
                    let from = from.max(copied);
                    sink.copy(self.src, copied..from);
                    sink.made("", from);
                    copied = to;
                    at = to;
                }
                Found::Escape(text, stop) => {
                    sink.copy(self.src, copied..p);
                    sink.made(&text, p);
                    copied = stop;
                    at = stop;
                }
                Found::Tag(tag) => match self.call(tag, end, sink, copied, depth) {
                    Ok(stop) => {
                        copied = stop;
                        at = stop;
                    }
                    // Left as written; a call that failed with its body and closing tag
                    // known is skipped whole, so its closing tag is not reported again.
                    Err(resume) => at = resume,
                },
            }
        }
        sink.copy(self.src, copied..end);
    }

    /// Expand the call that `tag` opens, writing the text before it (from `copied`) first.
    /// Returns where the call ends, or, when it stays as written (a problem recorded), where
    /// to look for the next one.
    fn call(
        &mut self,
        tag: Tag0,
        end: usize,
        sink: &mut Sink,
        copied: usize,
        depth: usize,
    ) -> Result<usize, usize> {
        let p = tag.open.start;
        if tag.closing {
            self.problem(
                p,
                format!(
                    "`{}` closes a shortcode that was not opened",
                    &self.src[tag.open.clone()]
                ),
            );
            return Err(p + 1);
        }
        if depth >= MAX_DEPTH {
            self.problem(
                p,
                format!("shortcodes nest more than {MAX_DEPTH} deep here"),
            );
            return Err(p + 1);
        }
        // The body, for tags that have one.
        let paired = match tag.syntax {
            Syntax::ZolaBody => match self.zola_end(tag.open.end, end) {
                Some(close) => Some(close),
                None => {
                    self.problem(
                        p,
                        format!(
                            "`{}` has no `{{% end %}}` after it",
                            &self.src[tag.open.clone()]
                        ),
                    );
                    return Err(p + 1);
                }
            },
            Syntax::Hugo | Syntax::HugoMarkdown if !tag.self_closing => {
                let close = if self.closers.contains(&tag.name) {
                    self.hugo_end(&tag.name, tag.open.end, end)
                } else {
                    None
                };
                if close.is_none() && needs_body(&tag.name) {
                    self.problem(
                        p,
                        format!(
                            "`{}` has no closing `{{{{< /{} >}}}}`",
                            &self.src[tag.open.clone()],
                            tag.name
                        ),
                    );
                    return Err(p + 1);
                }
                close
            }
            Syntax::LiquidTag if matches!(tag.name.as_str(), "raw" | "comment" | "highlight") => {
                let closer = format!("end{}", tag.name);
                match self.liquid_end(&closer, tag.open.end, end) {
                    Some(close) => Some(close),
                    None => {
                        self.problem(
                            p,
                            format!(
                                "`{}` has no `{{% {closer} %}}` after it",
                                &self.src[tag.open.clone()]
                            ),
                        );
                        return Err(p + 1);
                    }
                }
            }
            _ => None,
        };
        let body = paired.as_ref().map(|(body, _)| body.clone());
        let stop = paired.as_ref().map_or(tag.open.end, |(_, close)| close.end);
        let block = self.stands_alone(p, stop);
        let made = match self.make(&tag, body, depth) {
            Ok(made) => made,
            Err(message) => {
                self.problem(p, message);
                return Err(stop);
            }
        };
        sink.copy(self.src, copied..p);
        match made {
            Made::Text(text) => sink.made(&text, p),
            Made::Html(html) => {
                if sink.top {
                    let n = self.out.inserts.len();
                    self.out.inserts.push(Insert {
                        html,
                        offset: p,
                        block,
                    });
                    let word = format!("{}{n}E", self.out.token);
                    sink.made(&word, p);
                } else {
                    sink.made(&html, p);
                }
            }
        }
        Ok(stop)
    }

    /// Whether `start..stop` is alone on its lines (only spaces around it).
    fn stands_alone(&self, start: usize, stop: usize) -> bool {
        let before = &self.src[..start];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let after = &self.src[stop..];
        let line_end = after.find('\n').unwrap_or(after.len());
        before[line_start..].trim().is_empty() && after[..line_end].trim().is_empty()
    }

    /// The expanded text of a body, for a template.
    fn body_text(&mut self, body: Range<usize>, depth: usize) -> String {
        let mut sink = Sink::body();
        self.expand(body.start, body.end, &mut sink, depth + 1);
        sink.text
    }

    fn make(
        &mut self,
        tag: &Tag0,
        body: Option<Range<usize>>,
        depth: usize,
    ) -> Result<Made, String> {
        let name = tag.name.as_str();
        match tag.syntax {
            Syntax::LiquidTag => return self.liquid_tag(tag, body),
            Syntax::LiquidOutput => return self.liquid_output(tag).map(Made::Text),
            _ => {}
        }
        let key = format!("shortcodes/{name}");
        self.out
            .used
            .push((key.clone(), self.env.templates.version(&key)));
        let site_defines = self.env.templates.site_defines(name);
        if !site_defines {
            match name {
                "ref" | "relref" => return self.reference(tag).map(Made::Text),
                "highlight" => {
                    let lang = tag.args.get("lang", 0).and_then(Value::as_str);
                    let code = body.map_or("", |b| &self.src[b]);
                    let options = tag.args.get("options", 1).and_then(Value::as_str);
                    let linenos = options.is_some_and(|o| o.contains("linenos"));
                    return Ok(Made::Text(fenced(lang.unwrap_or(""), linenos, code)));
                }
                _ => {}
            }
        }
        let Some(output) = self.env.templates.shortcode(name) else {
            return Err(format!(
                "unknown shortcode `{name}`: no templates/shortcodes/{name}.html or \
                 templates/shortcodes/{name}.md defines it"
            ));
        };
        let normalized;
        let args = match BUILT_INS.iter().find(|(n, _)| *n == name) {
            Some((_, params)) if !site_defines => {
                normalized = built_in_args(name, params, &tag.args)?;
                &normalized
            }
            _ => &tag.args,
        };
        let body = body.map(|b| self.body_text(b, depth));
        let nth = self.nth.entry(name.to_string()).or_default();
        *nth += 1;
        let call = Call {
            name,
            args,
            body: body.as_deref(),
            nth: *nth,
        };
        let rendered = self
            .env
            .templates
            .render(name, output, &call, self.env.page)
            .map_err(|e| format!("shortcode `{name}`: {e}"))?;
        // Hugo's `{{% %}}` output is Markdown whatever the template's name.
        Ok(
            if output == Output::Markdown || tag.syntax == Syntax::HugoMarkdown {
                Made::Text(rendered)
            } else {
                Made::Html(rendered)
            },
        )
    }

    /// Hugo's `ref`/`relref`: a content link (`@/posts/x.md#part`) to the document it names,
    /// by content path, with or without `.md`, or by file name alone.
    fn reference(&self, tag: &Tag0) -> Result<String, String> {
        let Some(target) = tag.args.get("path", 0).and_then(Value::as_str) else {
            return Err(format!("`{}` needs the path of a document", tag.name));
        };
        let (path, fragment) = match target.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (target, None),
        };
        let found = self.find_document(path).unwrap_or_else(|| path.to_string());
        Ok(match fragment {
            Some(f) if !path.is_empty() => format!("{}{found}#{f}", super::CONTENT_LINK),
            Some(f) => format!("#{f}"),
            None => format!("{}{found}", super::CONTENT_LINK),
        })
    }

    /// The content path of the document `name` stands for: a content path with or without
    /// its `.md`, a bundle's folder, or a unique file name (Hugo's `ref "x.md"`).
    fn find_document(&self, name: &str) -> Option<String> {
        let links = self.env.content_links?;
        let name = name.trim_start_matches('/').trim_end_matches('/');
        let candidates = [
            name.to_string(),
            format!("{name}.md"),
            format!("{name}/index.md"),
            format!("{name}/_index.md"),
        ];
        if let Some(found) = candidates.iter().find(|c| links.0.contains_key(*c)) {
            return Some(found.clone());
        }
        // By file name (or bundle folder) alone, whatever its Markdown extension, when
        // exactly one document has it (`{% link _posts/2017-03-02-x.markdown %}` finds
        // `posts/2017-03-02-x.markdown`).
        match self.named(name).as_slice() {
            [only] => Some((*only).clone()),
            _ => None,
        }
    }

    /// Jekyll's `{% post_url 2010-07-21-name %}`: the post whose file (or bundle folder) is
    /// named so, anywhere under `content/`.
    fn post_url(&self, name: &str) -> Option<String> {
        let mut found = self.named(name.trim());
        found.sort();
        found.first().map(|p| (*p).clone())
    }

    /// The content paths whose file name (or bundle folder), without its Markdown extension,
    /// is the last segment of `name`.
    fn named(&self, name: &str) -> Vec<&String> {
        let Some(links) = self.env.content_links else {
            return Vec::new();
        };
        let stem = without_extension(name.rsplit('/').next().unwrap_or(name));
        links
            .0
            .keys()
            .filter(|path| {
                let p = path.trim_end_matches("/index.md");
                without_extension(p.rsplit('/').next().unwrap_or(p)) == stem
            })
            .collect()
    }

    fn liquid_tag(&mut self, tag: &Tag0, body: Option<Range<usize>>) -> Result<Made, String> {
        let rest = tag.rest.trim();
        match tag.name.as_str() {
            "raw" => Ok(Made::Text(
                body.map_or(String::new(), |b| self.src[b].to_string()),
            )),
            "comment" => Ok(Made::Text(String::new())),
            "highlight" => {
                let mut words = rest.split_whitespace();
                let lang = words.next().unwrap_or("");
                let linenos = words.any(|w| w.starts_with("linenos"));
                let code = body.map_or("", |b| &self.src[b]);
                Ok(Made::Text(fenced(lang, linenos, code)))
            }
            "link" => {
                let path = rest.trim_matches(['"', '\'']);
                let found = self.find_document(path).unwrap_or_else(|| path.to_string());
                Ok(Made::Text(format!("{}{found}", super::CONTENT_LINK)))
            }
            "post_url" => match self.post_url(rest) {
                Some(found) => Ok(Made::Text(format!("{}{found}", super::CONTENT_LINK))),
                None => Err(format!(
                    "`{{% post_url {rest} %}}`: no post file is named `{rest}`"
                )),
            },
            "include" => {
                let mut words = rest.splitn(2, char::is_whitespace);
                let name = words.next().unwrap_or("");
                let args = hugo_args(words.next().unwrap_or(""))
                    .map_err(|(m, _)| format!("`{{% include {name} %}}`: {m}"))?;
                let key = format!("includes/{name}");
                self.out
                    .used
                    .push((key.clone(), self.env.templates.version(&key)));
                if !self.env.templates.has_include(name) {
                    return Err(format!(
                        "`{{% include {name} %}}`: no templates/includes/{name} to include"
                    ));
                }
                self.env
                    .templates
                    .include(name, &args, self.env.page)
                    .map(Made::Html)
                    .map_err(|e| format!("`{{% include {name} %}}`: {e}"))
            }
            other => Err(if other.starts_with("end") {
                format!("`{{% {other} %}}` closes a Liquid tag that was not opened")
            } else {
                format!(
                    "the Liquid tag `{{% {other} %}}` is not one Quire knows (it knows {LIQUID_TAGS}); \
                     put it in `code` or between {{% raw %}} and {{% endraw %}} to show it as text"
                )
            }),
        }
    }

    /// `{{ site.baseurl }}`, `{{ page.title }}`, `{{ "/x/" | relative_url }}`.
    fn liquid_output(&self, tag: &Tag0) -> Result<String, String> {
        let mut parts = tag.rest.split('|');
        let value = parts.next().unwrap_or("").trim();
        let site = self.env.site;
        let page = self.env.page;
        let base = site.base_path.trim_end_matches('/');
        let mut text = if let Some(s) = quoted(value) {
            s.to_string()
        } else {
            match value {
                "site.baseurl" => base.to_string(),
                "site.url" => site.base_url.trim_end_matches('/').to_string(),
                "site.title" => site.title.to_string(),
                "site.description" => site.description.to_string(),
                "site.author" => site.author.to_string(),
                "page.title" => page.title.to_string(),
                "page.url" => page.url.clone(),
                "page.date" => page.date.clone().unwrap_or_default(),
                "page.description" | "page.excerpt" => {
                    page.description.unwrap_or_default().to_string()
                }
                other if other.starts_with("site.") && self.site_extra(&other[5..]).is_some() => {
                    self.site_extra(&other[5..]).unwrap_or_default()
                }
                other => {
                    return Err(format!(
                        "the Liquid value `{other}` is not one Quire knows (it knows site.baseurl, \
                         site.url, site.title, site.description, site.author, page.title, \
                         page.url, page.date, page.description, and site.<key> for the keys of \
                         `[extra]` in config.toml)"
                    ));
                }
            }
        };
        for filter in parts {
            text = match filter.trim() {
                "relative_url" if text.starts_with('/') => format!("{base}{text}"),
                "relative_url" => format!("{base}/{text}"),
                "absolute_url" => format!(
                    "{}/{}",
                    site.base_url.trim_end_matches('/'),
                    text.trim_start_matches('/')
                ),
                "escape" | "xml_escape" => crate::html::escaped(&text),
                "strip" => text.trim().to_string(),
                "downcase" => text.to_lowercase(),
                "upcase" => text.to_uppercase(),
                other => {
                    return Err(format!(
                        "the Liquid filter `{other}` is not one Quire knows (it knows relative_url, \
                         absolute_url, escape, xml_escape, strip, downcase, upcase)"
                    ));
                }
            };
        }
        Ok(text)
    }

    /// The text of `[extra]` key `path` (`repository`, `author.name`), when it is a string,
    /// number or boolean.
    fn site_extra(&self, path: &str) -> Option<String> {
        let mut value: Option<&toml::Value> = None;
        for key in path.split('.') {
            let table = match value {
                None => self.env.site.extra?,
                Some(toml::Value::Table(t)) => t,
                Some(_) => return None,
            };
            value = Some(table.get(key)?);
        }
        match value? {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(n) => Some(n.to_string()),
            toml::Value::Float(n) => Some(n.to_string()),
            toml::Value::Boolean(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// What is at `p` (a `{{` or `{%` outside code), not looking past `end`.
    fn parse(&self, p: usize, end: usize) -> Found {
        let s = &self.src[p..end];
        if s.starts_with("{:") {
            return self.kramdown(p, end);
        }
        // Escapes: the call is written out with the comment markers taken away.
        for (open, close, shown_open, shown_close) in [
            ("{{</*", "*/>}}", "{{<", ">}}"),
            ("{{%/*", "*/%}}", "{{%", "%}}"),
            ("{{/*", "*/}}", "{{", "}}"),
            ("{%/*", "*/%}", "{%", "%}"),
        ] {
            if let Some(inner) = s.strip_prefix(open) {
                return match inner.find(close) {
                    Some(i) => Found::Escape(
                        format!("{shown_open}{}{shown_close}", &inner[..i]),
                        p + open.len() + i + close.len(),
                    ),
                    None => Found::Broken(
                        format!("`{open}` has no `{close}` after it"),
                        p + open.len(),
                    ),
                };
            }
        }
        if let Some(syntax) = [("{{<", Syntax::Hugo), ("{{%", Syntax::HugoMarkdown)]
            .iter()
            .find_map(|(o, syn)| s.starts_with(o).then_some(*syn))
        {
            return self.hugo_tag(p, end, syntax);
        }
        let inline = s.starts_with("{{");
        let after = &s[2..];
        let trimmed = after.trim_start_matches(['-', ' ', '\t', '\n', '\r']);
        let name_at = p + 2 + (after.len() - trimmed.len());
        let name_len = identifier_len(trimmed);
        let name = &trimmed[..name_len];
        let rest = trimmed[name_len..].trim_start_matches([' ', '\t']);
        if name_len > 0 && rest.starts_with('(') {
            let open_paren = name_at + name_len + (trimmed.len() - name_len - rest.len());
            return self.zola_tag(p, name, open_paren, end, inline);
        }
        if inline {
            // `{{ site.baseurl }}`, `{{ page.title | escape }}`, `{{ "x" | relative_url }}`:
            // anything else in `{{ }}` is text, as in Zola.
            let liquid = (matches!(name, "site" | "page") && rest.starts_with('.'))
                || (quoted_prefix(trimmed) && trimmed.contains('|'));
            if !liquid {
                return Found::Text;
            }
            let Some(close) = tag_close(s, "}}") else {
                return Found::Broken(format!("`{{{{ {name}` has no `}}}}` after it"), p + 2);
            };
            let inner = s[2..close].trim_matches(['-', ' ', '\t', '\n', '\r']);
            return Found::Tag(Tag0 {
                syntax: Syntax::LiquidOutput,
                name: String::new(),
                args: Args::default(),
                open: p..p + close + 2,
                rest: inner.to_string(),
                closing: false,
                self_closing: false,
            });
        }
        // `{% endraw-%}`: the `-` is Liquid's white-space control, not part of the name
        // (taken as part of it, the arguments began after the tag's end).
        let name = name.trim_end_matches('-');
        let name_len = name.len();
        if name_len == 0 {
            return Found::Text;
        }
        if name == "end" {
            return match tag_close(s, "%}") {
                Some(close) if s[2..close].trim() == "end" => Found::Broken(
                    "`{% end %}` closes a shortcode that was not opened".to_string(),
                    p + close + 2,
                ),
                _ => Found::Text,
            };
        }
        // A Liquid tag, which ends at the first `%}`.
        let Some(close) = tag_close(s, "%}") else {
            return Found::Broken(format!("`{{% {name}` has no `%}}` after it"), p + 2);
        };
        let inner_end = close - usize::from(s[..close].ends_with('-'));
        let rest_at = (name_at + name_len).min(p + inner_end);
        let rest = self.src[rest_at..p + inner_end].to_string();
        Found::Tag(Tag0 {
            syntax: Syntax::LiquidTag,
            name: name.to_string(),
            args: Args::default(),
            open: p..p + close + 2,
            rest,
            closing: false,
            self_closing: false,
        })
    }

    /// kramdown's `{:…}` at `p`: an attribute list, `{:toc}` or an extension, alone on its
    /// line or at the end of one, is left out; anything else is text.
    fn kramdown(&self, p: usize, end: usize) -> Found {
        let line_end = self.src[p..end].find('\n').map_or(end, |i| p + i);
        let line = &self.src[p..line_end];
        let Some(close) = line.find('}') else {
            return Found::Text;
        };
        // Only at the end of its line (a block's or a span's attribute list).
        if !line[close + 1..].trim().is_empty() {
            return Found::Text;
        }
        let inner = &line[2..close];
        let kind = if inner.trim() == "toc" {
            Kramdown::Toc
        } else if inner.starts_with(':') || inner.starts_with('/') {
            Kramdown::Extension
        } else if inner.is_empty()
            || inner.starts_with([' ', '.', '#'])
            || inner.split_once(':').is_some_and(|(name, _)| {
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
        {
            Kramdown::Attributes
        } else {
            return Found::Text;
        };
        let line_start = self.src[..p].rfind('\n').map_or(0, |i| i + 1);
        let alone = self.src[line_start..p].trim().is_empty();
        // A line of its own goes with its line break.
        let to = if alone && line_end < end {
            line_end + 1
        } else {
            line_end
        };
        let mut from = if alone { line_start } else { p };
        if kind == Kramdown::Toc && alone && line_start > 0 {
            // The list item that `{:toc}` replaces (`* TOC`, `1. Contents`).
            let prev_start = self.src[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
            let prev = self.src[prev_start..line_start].trim();
            let item = prev.strip_prefix(['*', '-', '+']).or_else(|| {
                let digits = prev.bytes().take_while(u8::is_ascii_digit).count();
                (digits > 0)
                    .then(|| prev[digits..].strip_prefix('.'))
                    .flatten()
            });
            if item.is_some_and(|rest| rest.starts_with(' ')) {
                from = prev_start;
            }
        }
        Found::Drop { from, to, kind }
    }

    /// `{{ name(args) }}` or `{% name(args) %}` with `(` at `paren`.
    fn zola_tag(&self, p: usize, name: &str, paren: usize, end: usize, inline: bool) -> Found {
        let (args, after) = match zola_args(self.src, paren + 1, end) {
            Ok(parsed) => parsed,
            Err((message, at)) => return Found::Broken(format!("`{name}(`: {message}"), at),
        };
        let close = if inline { "}}" } else { "%}" };
        let rest = &self.src[after..end];
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r', '-']);
        if !trimmed.starts_with(close) {
            return Found::Broken(format!("`{name}(…)` must be followed by `{close}`"), after);
        }
        let stop = after + (rest.len() - trimmed.len()) + 2;
        Found::Tag(Tag0 {
            syntax: if inline {
                Syntax::ZolaInline
            } else {
                Syntax::ZolaBody
            },
            name: name.to_string(),
            args,
            open: p..stop,
            rest: String::new(),
            closing: false,
            self_closing: false,
        })
    }

    /// `{{< name args >}}`, `{{< /name >}}`, `{{% … %}}`.
    fn hugo_tag(&self, p: usize, end: usize, syntax: Syntax) -> Found {
        let close = if syntax == Syntax::Hugo { ">}}" } else { "%}}" };
        let s = &self.src[p + 3..end];
        let Some(stop) = find_outside_quotes(s, close) else {
            return Found::Broken(
                format!("`{}` has no `{close}` after it", &self.src[p..p + 3]),
                p + 3,
            );
        };
        let mut inner = s[..stop].trim();
        let closing = inner.starts_with('/');
        inner = inner.trim_start_matches('/').trim_start();
        let self_closing = inner.ends_with('/') && !closing;
        if self_closing {
            inner = inner[..inner.len() - 1].trim_end();
        }
        let name_len = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_len];
        if name.is_empty() {
            return Found::Broken("a shortcode with no name".into(), p + 3 + stop + 3);
        }
        let args = match hugo_args(&inner[name_len..]) {
            Ok(args) => args,
            Err((message, _)) => {
                return Found::Broken(format!("`{name}`: {message}"), p + 3 + stop + 3);
            }
        };
        Found::Tag(Tag0 {
            syntax,
            name: name.to_string(),
            args,
            open: p..p + 3 + stop + 3,
            rest: String::new(),
            closing,
            self_closing,
        })
    }

    /// The body range and the `{% end %}` range that closes a Zola body shortcode opened
    /// before `from`, nested body shortcodes counted.
    fn zola_end(&self, from: usize, end: usize) -> Option<(Range<usize>, Range<usize>)> {
        let mut depth = 0usize;
        let mut at = from;
        while let Some(p) = self.next_open(at, end) {
            let s = &self.src[p..end];
            if s.starts_with("{%")
                && let Some(close) = tag_close(s, "%}")
            {
                let inner = s[2..close].trim_matches(['-', ' ', '\t', '\n', '\r']);
                if inner == "end" {
                    if depth == 0 {
                        return Some((from..p, p..p + close + 2));
                    }
                    depth -= 1;
                } else if !inner.starts_with("/*") && {
                    let n = identifier_len(inner);
                    n > 0 && inner[n..].trim_start().starts_with('(')
                } {
                    depth += 1;
                }
                at = p + close + 2;
                continue;
            }
            at = p + 2;
        }
        None
    }

    /// The body and closing tag of Hugo shortcode `name` opened before `from`.
    fn hugo_end(
        &self,
        name: &str,
        from: usize,
        end: usize,
    ) -> Option<(Range<usize>, Range<usize>)> {
        let mut depth = 0usize;
        let mut at = from;
        while let Some(p) = self.next_open(at, end) {
            if let Found::Tag(t) = self.parse(p, end)
                && matches!(t.syntax, Syntax::Hugo | Syntax::HugoMarkdown)
            {
                at = t.open.end;
                if t.name != name {
                    continue;
                }
                if t.closing {
                    if depth == 0 {
                        return Some((from..p, t.open));
                    }
                    depth -= 1;
                } else if !t.self_closing {
                    depth += 1;
                }
                continue;
            }
            at = p + 2;
        }
        None
    }

    /// The body and the `{% closer %}` tag of a Liquid block (its body is not read).
    fn liquid_end(
        &self,
        closer: &str,
        from: usize,
        end: usize,
    ) -> Option<(Range<usize>, Range<usize>)> {
        let mut at = from;
        while let Some(i) = memmem::find(&self.src.as_bytes()[at..end], b"{%") {
            let p = at + i;
            let s = &self.src[p..end];
            let close = tag_close(s, "%}")?;
            if s[2..close].trim_matches(['-', ' ', '\t', '\n', '\r']) == closer {
                return Some((from..p, p..p + close + 2));
            }
            at = p + 2;
        }
        None
    }
}

enum Made {
    /// Markdown, put into the text.
    Text(String),
    /// HTML, put in after parsing.
    Html(String),
}

/// Whether `s` starts with an escaped shortcode or a Liquid `{% raw %}`, which are written
/// without their markers even inside code (that is what escapes are for: showing a shortcode in a code
/// block). Zola's `{{/* … */}}` counts only around a call (`name(`), so a Go template
/// comment `{{/* note */}}` in a Hugo post's code stays as it is.
fn is_escape(s: &str) -> bool {
    if s.starts_with("{{</*") || s.starts_with("{{%/*") {
        return true;
    }
    // Jekyll reads Liquid everywhere, so its posts wrap code that shows Liquid in
    // `{% raw %}…{% endraw %}`, inside code too.
    if let Some(rest) = s.strip_prefix("{%")
        && let Some(close) = rest.find("%}")
        && rest[..close].trim_matches(['-', ' ']) == "raw"
    {
        return true;
    }
    let Some(inner) = s.strip_prefix("{{/*").or_else(|| s.strip_prefix("{%/*")) else {
        return false;
    };
    let inner = inner.trim_start();
    let n = identifier_len(inner);
    n > 0 && inner[n..].trim_start().starts_with('(')
}

/// Where the `close` (`%}`, `}}`) of a tag that starts `s` (with `{%`, `{{`) is: searched
/// after the two opening characters, so `{%}` is not a tag closed by its own `%`.
fn tag_close(s: &str, close: &str) -> Option<usize> {
    s.get(2..)?.find(close).map(|i| i + 2)
}

/// A file name without its Markdown extension.
fn without_extension(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, ext)) if crate::content::is_markdown_extension(ext) => stem,
        _ => name,
    }
}

/// Hugo shortcodes that are nothing without a body.
fn needs_body(name: &str) -> bool {
    matches!(name, "highlight" | "details")
}

/// A fenced code block of `code`, with a fence longer than any run of backticks in it.
fn fenced(lang: &str, linenos: bool, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let code = code.trim_start_matches(['\n', '\r']).trim_end();
    let info = if linenos {
        format!("{lang} linenos")
    } else {
        lang.to_string()
    };
    format!("\n{fence}{info}\n{code}\n{fence}\n")
}

fn identifier_len(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        .count()
}

fn quoted(s: &str) -> Option<&str> {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return Some(inner);
        }
    }
    None
}

fn quoted_prefix(s: &str) -> bool {
    s.starts_with('"') || s.starts_with('\'')
}

/// The first `needle` in `s` outside `"…"` and `` `…` ``.
fn find_outside_quotes(s: &str, needle: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut quote = None;
    let mut i = 0;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'"' | b'`') => quote = Some(b[i]),
            (Some(q), c) if c == q => quote = None,
            (Some(b'"'), b'\\') => i += 1,
            (None, _) if b[i..].starts_with(needle.as_bytes()) => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Hugo's arguments: `"quoted"`, `` `raw` ``, bare words, each optionally `name=`.
fn hugo_args(s: &str) -> Result<Args, (String, usize)> {
    let mut args = Args::default();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Any white space, as the end of a bare word is found below: a vertical tab or an
        // ideographic space (U+3000) between arguments made this loop spin.
        if let Some(c) = s[i..].chars().next().filter(|c| c.is_whitespace()) {
            i += c.len_utf8();
            continue;
        }
        // `name=` before the value?
        let n = identifier_len(&s[i..]);
        let key = (n > 0 && b.get(i + n) == Some(&b'=')).then(|| s[i..i + n].to_string());
        if key.is_some() {
            i += n + 1;
        }
        let (value, next) = match b.get(i) {
            Some(b'"') => {
                let mut out = String::new();
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None => return Err(("a `\"` string is not closed".into(), i)),
                        Some(b'"') => break,
                        Some(b'\\') if j + 1 < b.len() => {
                            let c = s[j + 1..].chars().next().unwrap_or('\\');
                            out.push(c);
                            j += 1 + c.len_utf8();
                        }
                        Some(_) => {
                            let c = s[j..].chars().next().unwrap_or(' ');
                            out.push(c);
                            j += c.len_utf8();
                        }
                    }
                }
                (Value::Str(out), j + 1)
            }
            Some(b'`') => match s[i + 1..].find('`') {
                Some(e) => (Value::Str(s[i + 1..i + 1 + e].to_string()), i + e + 2),
                None => return Err(("a `` ` `` string is not closed".into(), i)),
            },
            Some(_) => {
                let e = s[i..]
                    .find(|c: char| c.is_whitespace())
                    .map_or(s.len(), |e| i + e);
                let word = &s[i..e];
                let value = match word {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => word
                        .parse::<i64>()
                        .map(Value::Int)
                        .or_else(|_| word.parse::<f64>().map(Value::Float))
                        .unwrap_or_else(|_| Value::Str(word.to_string())),
                };
                (value, e)
            }
            None => (Value::Str(String::new()), i),
        };
        match key {
            Some(k) => args.named.push((k, value)),
            None => args.positional.push(value),
        }
        // An empty value (`k=` before a space) ends where it starts: step over the next
        // character, so the loop always moves on.
        i = if next > i {
            next
        } else {
            i + s[i..].chars().next().map_or(1, char::len_utf8)
        };
    }
    Ok(args)
}

/// Zola's arguments from `at` (just after `(`) to the `)`: `name = value, …` with strings in
/// `"`, `'` or `` ` ``, numbers, booleans and arrays. Returns them and the offset after `)`.
fn zola_args(src: &str, at: usize, end: usize) -> Result<(Args, usize), (String, usize)> {
    let b = &src.as_bytes()[..end];
    let mut i = at;
    let skip = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let mut args = Args::default();
    loop {
        skip(&mut i);
        match b.get(i) {
            Some(b')') => return Ok((args, i + 1)),
            None => return Err(("no `)` closes the arguments".into(), at)),
            _ => {}
        }
        let n = identifier_len(&src[i..end]);
        if n == 0 {
            return Err((
                format!(
                    "expected an argument name, found `{}`",
                    src[i..end].chars().next().unwrap_or(' ')
                ),
                i,
            ));
        }
        let key = src[i..i + n].to_string();
        i += n;
        skip(&mut i);
        if b.get(i) != Some(&b'=') {
            return Err((format!("expected `=` after `{key}`"), i));
        }
        i += 1;
        skip(&mut i);
        let value = zola_value(src, &mut i, end)?;
        args.named.push((key, value));
        skip(&mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b')') => {}
            None => return Err(("no `)` closes the arguments".into(), at)),
            // Zola's grammar (`kwargs*`) also takes arguments apart by spaces alone:
            // `figure(src="a.png" caption="A")`.
            Some(_) if identifier_len(&src[i..end]) > 0 => {}
            Some(_) => return Err(("expected `,` or `)` after an argument".into(), i)),
        }
    }
}

fn zola_value(src: &str, i: &mut usize, end: usize) -> Result<Value, (String, usize)> {
    let b = &src.as_bytes()[..end];
    let start = *i;
    match b.get(start) {
        Some(&q @ (b'"' | b'\'' | b'`')) => {
            let Some(len) = src[start + 1..end].find(q as char) else {
                return Err(("this string is not closed".into(), start));
            };
            *i = start + 1 + len + 1;
            Ok(Value::Str(src[start + 1..start + 1 + len].to_string()))
        }
        Some(b'[') => {
            *i += 1;
            let mut items = Vec::new();
            loop {
                while *i < b.len() && b[*i].is_ascii_whitespace() {
                    *i += 1;
                }
                match b.get(*i) {
                    Some(b']') => {
                        *i += 1;
                        return Ok(Value::Array(items));
                    }
                    Some(b',') => *i += 1,
                    None => return Err(("this array is not closed".into(), start)),
                    Some(_) => items.push(zola_value(src, i, end)?),
                }
            }
        }
        _ => {
            let len = src[start..end]
                .find(|c: char| c == ',' || c == ')' || c == ']' || c.is_whitespace())
                .unwrap_or(end - start);
            let word = &src[start..start + len];
            *i = start + len;
            match word {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => word
                    .parse::<i64>()
                    .map(Value::Int)
                    .or_else(|_| word.parse::<f64>().map(Value::Float))
                    .map_err(|_| {
                        (
                            format!(
                                "`{word}` is not a value: write strings in quotes, or a number, \
                                 true, false or an array"
                            ),
                            start,
                        )
                    }),
            }
        }
    }
}

/// The types an argument may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Str,
    /// A string or a number (`width = 640` or `"640px"`).
    StrOrNumber,
    Bool,
}

/// Quire's own shortcodes (Hugo's built-ins that blogs use, written as templates in
/// `templates/shortcodes/`) with their parameters: positional arguments take these names in
/// order, every parameter is defined for the template (an empty string when not given), and
/// an argument of another type is an error at the call.
const BUILT_INS: &[(&str, &[(&str, Type)])] = &[
    (
        "figure",
        &[
            ("src", Type::Str),
            ("alt", Type::Str),
            ("caption", Type::Str),
            ("title", Type::Str),
            ("attr", Type::Str),
            ("attrlink", Type::Str),
            ("link", Type::Str),
            ("target", Type::Str),
            ("rel", Type::Str),
            ("class", Type::Str),
            ("width", Type::StrOrNumber),
            ("height", Type::StrOrNumber),
        ],
    ),
    ("youtube", &[("id", Type::Str), ("title", Type::Str)]),
    ("vimeo", &[("id", Type::StrOrNumber), ("title", Type::Str)]),
    (
        "gist",
        &[("user", Type::Str), ("id", Type::Str), ("file", Type::Str)],
    ),
    ("instagram", &[("id", Type::Str)]),
    ("x", &[("user", Type::Str), ("id", Type::StrOrNumber)]),
    ("tweet", &[("user", Type::Str), ("id", Type::StrOrNumber)]),
    ("details", &[("summary", Type::Str), ("open", Type::Bool)]),
    ("param", &[("name", Type::Str)]),
];

/// Whether Quire has a shortcode of this name of its own (a template of the default theme
/// or one written in Rust).
pub fn is_built_in(name: &str) -> bool {
    matches!(name, "ref" | "relref" | "highlight") || BUILT_INS.iter().any(|(n, _)| *n == name)
}

/// `args` of built-in `name` with positional arguments named, every parameter present and
/// each type checked.
fn built_in_args(name: &str, params: &[(&str, Type)], args: &Args) -> Result<Args, String> {
    let mut out = Args {
        positional: args.positional.clone(),
        named: Vec::new(),
    };
    // `{{< tweet 1234 >}}` (Hugo before 0.89) names only the id.
    let positional_names: Vec<&str> = if matches!(name, "tweet" | "x") && args.positional.len() == 1
    {
        vec!["id"]
    } else {
        params.iter().map(|(p, _)| *p).collect()
    };
    for (param, ty) in params {
        let index = positional_names.iter().position(|p| p == param);
        let value = args
            .named
            .iter()
            .find(|(k, _)| k == param)
            .map(|(_, v)| v)
            .or_else(|| index.and_then(|i| args.positional.get(i)));
        let value = match value {
            // Hugo passes every argument to a template as written: `{{< gist user 6456980 >}}`
            // has a string id.
            Some(Value::Int(n)) if *ty == Type::Str => Value::Str(n.to_string()),
            Some(Value::Float(n)) if *ty == Type::Str => Value::Str(n.to_string()),
            Some(v) => {
                let ok = match ty {
                    Type::Str => matches!(v, Value::Str(_)),
                    Type::StrOrNumber => {
                        matches!(v, Value::Str(_) | Value::Int(_) | Value::Float(_))
                    }
                    Type::Bool => matches!(v, Value::Bool(_)),
                };
                if !ok {
                    let want = match ty {
                        Type::Str => "a string",
                        Type::StrOrNumber => "a string or a number",
                        Type::Bool => "true or false",
                    };
                    return Err(format!(
                        "the argument `{param}` of `{name}` must be {want}, but it is {}",
                        v.type_name()
                    ));
                }
                v.clone()
            }
            None if *ty == Type::Bool => Value::Bool(false),
            None => Value::Str(String::new()),
        };
        out.named.push((param.to_string(), value));
    }
    if let Some((unknown, _)) = args
        .named
        .iter()
        .find(|(k, _)| !params.iter().any(|(p, _)| p == k))
    {
        let known: Vec<&str> = params.iter().map(|(p, _)| *p).collect();
        return Err(format!(
            "`{name}` has no argument `{unknown}` (it takes {})",
            known.join(", ")
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Templates that echo each call: `[name a=1 body=…]`, Markdown for `md`.
    struct Echo;

    impl Templates for Echo {
        fn shortcode(&self, name: &str) -> Option<Output> {
            match name {
                "md" => Some(Output::Markdown),
                "missing" => None,
                _ => Some(Output::Html),
            }
        }
        fn site_defines(&self, _: &str) -> bool {
            false
        }
        fn render(
            &self,
            name: &str,
            _: Output,
            call: &Call,
            _: &PageInfo,
        ) -> Result<String, String> {
            let named: Vec<String> = call
                .args
                .named
                .iter()
                .map(|(k, v)| format!("{k}={}", serde_json::to_string(v).unwrap()))
                .collect();
            let positional: Vec<String> = call
                .args
                .positional
                .iter()
                .map(|v| serde_json::to_string(v).unwrap())
                .collect();
            Ok(format!(
                "[{name}#{} {}{}{}]",
                call.nth,
                named.join(" "),
                positional.join(" "),
                call.body.map(|b| format!(" body={b}")).unwrap_or_default()
            ))
        }
        fn has_include(&self, _: &str) -> bool {
            false
        }
        fn include(&self, _: &str, _: &Args, _: &PageInfo) -> Result<String, String> {
            Err("no includes".into())
        }
        fn version(&self, key: &str) -> u64 {
            key.len() as u64
        }
    }

    fn run(source: &str) -> Expanded {
        let page = PageInfo::default();
        let site = SiteInfo::default();
        expand(
            source,
            &Env {
                templates: &Echo,
                page: &page,
                site: &site,
                content_links: None,
            },
        )
    }

    /// The expanded text with each placeholder replaced by its HTML.
    fn filled(x: &Expanded) -> String {
        let mut out = x.text.clone();
        for (range, n) in x.placeholders(&x.text).into_iter().rev() {
            out.replace_range(range, &x.inserts[n].html);
        }
        out
    }

    #[test]
    fn zola_arguments_of_every_type() {
        let x = run(
            "{{ a(s=\"x, y\", t='q', u=`r`, n=-3, f=1.5, b=false, list=[1, \"two\", [true]]) }}",
        );
        assert!(x.problems.is_empty(), "{:?}", x.problems);
        assert_eq!(
            filled(&x),
            "[a#1 s=\"x, y\" t=\"q\" u=\"r\" n=-3 f=1.5 b=false list=[1,\"two\",[true]]]"
        );
        assert!(x.inserts[0].block);
    }

    #[test]
    fn zola_arguments_apart_by_spaces_alone() {
        let x = run("{{ a( s=\"x\" t=\"y\", u=1) }}");
        assert!(x.problems.is_empty(), "{:?}", x.problems);
        assert_eq!(filled(&x), "[a#1 s=\"x\" t=\"y\" u=1]");
        let x = run("{{ a(s=\"x\" \"y\") }}");
        assert_eq!(x.problems.len(), 1);
    }

    #[test]
    fn liquid_white_space_control_is_not_part_of_the_name() {
        let x =
            run("{% raw -%}{{ a }}{% endraw-%} and {% highlight ruby -%}\nx\n{% endhighlight-%}");
        assert!(x.problems.is_empty(), "{:?}", x.problems);
        assert!(filled(&x).starts_with("{{ a }} and "), "{}", filled(&x));
    }

    #[test]
    fn hugo_arguments_apart_by_any_white_space() {
        // A vertical tab and an ideographic space once made the argument loop spin forever.
        let args = hugo_args("a\u{3000}b\u{b}c\u{a0} k=v").unwrap();
        assert_eq!(
            args.positional,
            [
                Value::Str("a".into()),
                Value::Str("b".into()),
                Value::Str("c".into())
            ]
        );
        assert_eq!(args.named, [("k".to_string(), Value::Str("v".into()))]);
        // An empty named value before white space of any kind.
        let args = hugo_args("k= v j=\u{3000}w").unwrap();
        assert_eq!(
            args.named,
            [
                ("k".to_string(), Value::Str(String::new())),
                ("j".to_string(), Value::Str(String::new()))
            ]
        );
        assert_eq!(
            args.positional,
            [Value::Str("v".into()), Value::Str("w".into())]
        );
    }

    #[test]
    fn hugo_arguments_positional_named_quoted_and_raw() {
        let x = run("A {{< h one \"two words\" `raw \"q\"` 4 true k=\"v\\\"w\" >}} b");
        assert!(x.problems.is_empty(), "{:?}", x.problems);
        assert_eq!(
            filled(&x),
            "A [h#1 k=\"v\\\"w\"\"one\" \"two words\" \"raw \\\"q\\\"\" 4 true] b"
        );
        assert!(!x.inserts[0].block);
    }

    #[test]
    fn bodies_nest_and_count_nth_per_name() {
        let x = run(
            "{% a() %}x {% a() %}in{% end %} y{% end %}\n\n{{< b >}}1 {{< b >}}2{{< /b >}}{{< /b >}}",
        );
        assert!(x.problems.is_empty(), "{:?}", x.problems);
        // The inner call is expanded into the outer one's body first.
        assert_eq!(
            filled(&x),
            "[a#2  body=x [a#1  body=in] y]\n\n[b#2  body=1 [b#1  body=2]]"
        );
    }

    #[test]
    fn markdown_output_goes_into_the_text_and_offsets_map_back() {
        let source = "ab {{ md() }} cd";
        let x = run(source);
        assert_eq!(x.text, "ab [md#1 ] cd");
        // Before the call: the same offset; inside its output: the call's start; after it:
        // shifted back by the difference in length.
        assert_eq!(x.original(1), 1);
        assert_eq!(x.original(5), 3);
        let cd = x.text.find("cd").unwrap();
        assert_eq!(x.original(cd), source.find("cd").unwrap());
    }

    #[test]
    fn text_that_only_looks_like_a_call_stays() {
        for text in [
            "{{ variable }}",
            "{{ not a call }}",
            "{% %}",
            "{{",
            "a { b } {{}}",
            "json {\"{\": 1}",
        ] {
            let x = run(text);
            assert!(x.problems.is_empty(), "{text}: {:?}", x.problems);
            assert_eq!(x.text, text);
        }
    }

    #[test]
    fn broken_calls_are_problems_at_their_start_and_stay_as_text() {
        for (text, at, words) in [
            ("x {{ a(b=1 }}", 2, "`a(`"),
            ("x {{ a(b) }}", 2, "expected `=` after `b`"),
            ("x {{ a(b=nope) }}", 2, "`nope` is not a value"),
            ("x {{ a(b=\"open) }}", 2, "not closed"),
            ("x {{ a(b=1) %}", 2, "must be followed by `}}`"),
            ("x {% a() %} no end", 2, "has no `{% end %}`"),
            ("x {% end %}", 2, "closes a shortcode that was not opened"),
            ("x {{< /a >}}", 2, "closes a shortcode that was not opened"),
            ("x {{< a", 2, "has no `>}}`"),
            ("x {{ missing() }}", 2, "unknown shortcode `missing`"),
            ("x {% if a %}", 2, "Liquid tag `{% if %}`"),
            ("x {{ site.nope }}", 2, "Liquid value `site.nope`"),
            ("x {{ \"a\" | shout }}", 2, "Liquid filter `shout`"),
        ] {
            let x = run(text);
            assert_eq!(x.problems.len(), 1, "{text}: {:?}", x.problems);
            assert_eq!(x.problems[0].offset, at, "{text}");
            assert!(
                x.problems[0].message.contains(words),
                "{text}: {}",
                x.problems[0].message
            );
            assert_eq!(x.text, text, "{text} is kept as written");
        }
    }

    #[test]
    fn text_in_any_script_around_any_delimiter_never_panics() {
        let pieces = [
            "{{<", "{{%", "{{", "{%", ">}}", "%}}", "}}", "%}", "/*", "*/", "\"", "`", "(", ")",
            "=", "[", "]", "开始", "é", "👍", " ", "\n", "a", "/",
        ];
        // Every pair and triple of pieces: delimiters next to multi-byte characters.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("x {a}{b}{c}{a} y");
                    let _ = run(&text);
                }
            }
        }
        let _ = run("x {{<article}} 开始 {{/article}}");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "{% a() %}".repeat(40) + &"{% end %}".repeat(40);
        let x = run(&deep);
        assert!(
            x.problems
                .iter()
                .any(|p| p.message.contains("nest more than")),
            "{:?}",
            x.problems
        );
    }

    #[test]
    fn many_calls_take_linear_time_and_problems_are_capped() {
        // 100,000 figures, none closed, and 100,000 bodies with no end: each would scan to
        // the end of the document if looked for one by one.
        let figures = "{{< figure src=\"a\" >}}\n".repeat(100_000);
        let x = run(&figures);
        assert_eq!(x.inserts.len(), 100_000);
        let open = "{% a() %}\n".repeat(100_000);
        let x = run(&open);
        assert_eq!(x.problems.len(), MAX_PROBLEMS + 1);
        assert!(x.problems[MAX_PROBLEMS].message.contains("left as written"));
        assert_eq!(x.text, open);
    }

    #[test]
    fn every_template_read_is_recorded_with_its_version() {
        let x = run("{{ a() }} {{< b >}} {{ missing() }}");
        assert_eq!(
            x.used,
            [
                ("shortcodes/a".to_string(), 12),
                ("shortcodes/b".to_string(), 12),
                ("shortcodes/missing".to_string(), 18)
            ]
        );
    }

    #[test]
    fn placeholders_avoid_words_the_source_has() {
        let x = run("QUIRESC0E is mine {{ a() }}");
        assert_ne!(x.token, "QUIRESC");
        assert_eq!(filled(&x), "QUIRESC0E is mine [a#1 ]");
    }

    #[test]
    fn only_sources_with_braces_are_expanded() {
        assert!(!may_have("plain { text } here"));
        assert!(may_have("a {{ b }}"));
        assert!(may_have("a {% b %}"));
    }
}
