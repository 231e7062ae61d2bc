//! Front matter: TOML between `+++` lines, YAML between `---` lines or a JSON object (Hugo),
//! then the body. Blank lines before it are skipped, as Hugo does.
//! Accepts the fields posts written for Zola, Hugo and Jekyll already carry; unknown keys are
//! ignored so existing posts move over unchanged.

use serde::Deserialize;

use super::date::{Date, DateValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
    /// A JSON object at the start of the file (Hugo).
    Json,
}

/// A document split at its front matter. Offsets are byte offsets into the text given to
/// [`split`], so errors inside the front matter can be placed in the file.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Format,
    pub front_matter: &'a str,
    pub front_matter_offset: usize,
    pub body: &'a str,
}

/// Why a document could not be split; the offset is where to point.
#[derive(Debug, PartialEq, Eq)]
pub struct SplitError {
    pub offset: usize,
    pub message: String,
}

/// Split `text` (BOM already removed) into front matter and body. CRLF line endings are fine.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError {
            offset: 0,
            message: "the file is empty: a post needs front matter with a title, like \
                      `+++`, `title = \"...\"`, `+++` on three lines"
                .into(),
        });
    }
    // Blank lines before the front matter are skipped (Hugo accepts them).
    let mut start = 0;
    while let Some(end) = text[start..].find('\n').map(|i| start + i + 1)
        && text[start..end].trim().is_empty()
    {
        start = end;
    }
    if text[start..].starts_with('{') {
        return split_json(text, start);
    }
    let first_end = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    let (format, delim) = match text[start..first_end].trim_end() {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => {
            return Err(SplitError {
                offset: start,
                message: "expected front matter: start the file with a `+++` line (TOML), a \
                          `---` line (YAML) or a JSON object, then the title (`title = \"...\"`)"
                    .into(),
            });
        }
    };
    let mut pos = first_end;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == delim {
            return Ok(Split {
                format,
                front_matter: &text[first_end..pos],
                front_matter_offset: first_end,
                body: &text[end..],
            });
        }
        pos = end;
    }
    Err(SplitError {
        offset: start,
        message: format!(
            "front matter opened with `{delim}` is never closed: add a `{delim}` line after it"
        ),
    })
}

/// Hugo's JSON front matter: one object starting at `start`, the body after it.
fn split_json(text: &str, start: usize) -> Result<Split<'_>, SplitError> {
    let mut values =
        serde_json::Deserializer::from_str(&text[start..]).into_iter::<serde::de::IgnoredAny>();
    match values.next() {
        Some(Ok(_)) => {
            let end = start + values.byte_offset();
            let rest = &text[end..];
            // The rest of the closing line, then the body.
            let body = match rest.find('\n') {
                Some(i) if rest[..i].trim().is_empty() => &rest[i + 1..],
                _ => rest.trim_start_matches([' ', '\t']),
            };
            Ok(Split {
                format: Format::Json,
                front_matter: &text[start..end],
                front_matter_offset: start,
                body,
            })
        }
        Some(Err(e)) => Err(SplitError {
            offset: start + json_offset(&text[start..], e.line(), e.column()),
            message: format!(
                "the JSON front matter does not parse: {}",
                strip_json_position(&e.to_string())
            ),
        }),
        None => Err(SplitError {
            offset: start,
            message: "the JSON front matter is empty".into(),
        }),
    }
}

/// The byte offset of serde_json's 1-based line and column (in bytes; column 0 means the
/// line's start) in `text`.
fn json_offset(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = (start + col.saturating_sub(1)).min(text.len());
    (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// serde_json's message without its " at line L column C" (the diagnostic places it).
fn strip_json_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// Front matter as written. Aliases cover other generators' names for the same thing, and
/// the capitalized keys Hugo also accepts (`Title`, `Date`, `Tags`).
#[derive(Debug, Default, Deserialize)]
pub struct FrontMatter {
    #[serde(alias = "Title")]
    pub title: Option<String>,
    #[serde(alias = "Date")]
    pub date: Option<DateValue>,
    /// Hugo's publication date, used when there is no `date`.
    #[serde(
        rename = "publishDate",
        alias = "publishdate",
        alias = "pubdate",
        alias = "PublishDate"
    )]
    pub publish_date: Option<DateValue>,
    /// Hugo's `expiryDate`: the post is not published after it.
    #[serde(
        rename = "expiryDate",
        alias = "expirydate",
        alias = "unpublishdate",
        alias = "ExpiryDate"
    )]
    pub expiry_date: Option<DateValue>,
    #[serde(alias = "lastmod", alias = "Lastmod", alias = "LastMod")]
    pub updated: Option<DateValue>,
    #[serde(alias = "Author")]
    pub author: Option<String>,
    #[serde(alias = "Tags")]
    pub tags: Option<TermList>,
    #[serde(alias = "Categories")]
    pub categories: Option<TermList>,
    /// Jekyll's one category, added to `categories` (never split at spaces).
    #[serde(alias = "Category")]
    pub category: Option<TermList>,
    #[serde(alias = "Authors")]
    pub authors: Option<TermList>,
    #[serde(alias = "Series")]
    pub series: Option<TermList>,
    /// Zola keeps every taxonomy's terms here.
    pub taxonomies: Option<std::collections::BTreeMap<String, TermList>>,
    /// The page's URL path, set outright (Zola's `path`).
    #[serde(alias = "Path")]
    pub path: Option<String>,
    /// Hugo's name for `path`.
    #[serde(alias = "URL", alias = "Url")]
    pub url: Option<String>,
    /// Jekyll's own summary marker for this post: the text before it is the summary.
    pub excerpt_separator: Option<String>,
    /// Jekyll's `path`, with its placeholders (`/:year/:month/:title/`): see
    /// [`super::jekyll::expand`]. A section's `permalink` is a section setting instead.
    pub permalink: Option<String>,
    /// Jekyll calls it `excerpt`.
    #[serde(alias = "Summary", alias = "excerpt")]
    pub summary: Option<String>,
    /// Zola and Hugo call a hand-written summary `description`.
    #[serde(alias = "Description")]
    pub description: Option<String>,
    /// A path, or Jekyll themes' table (`image: {path: …}`, `{feature: …}`).
    #[serde(alias = "Image", default, deserialize_with = "image_path")]
    pub image: Option<String>,
    /// Hugo's list of images; the first is the lead image when there is no `image`.
    #[serde(alias = "Images")]
    pub images: Option<Vec<String>>,
    pub image_alt: Option<String>,
    pub image_caption: Option<String>,
    #[serde(alias = "Slug")]
    pub slug: Option<String>,
    #[serde(alias = "Draft")]
    pub draft: Option<bool>,
    /// Jekyll's way of saying draft: `published: false`.
    #[serde(alias = "Published")]
    pub published: Option<bool>,
    /// Old URLs that should redirect here (Zola and Hugo name them the same).
    #[serde(alias = "Aliases")]
    pub aliases: Option<Vec<String>>,
    /// The template to render this page with (Zola), when the site has it.
    #[serde(alias = "Template")]
    pub template: Option<String>,
    /// Pages only: position in the navigation (lower first).
    #[serde(alias = "Weight")]
    pub weight: Option<i64>,
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The lead image's path: a string, or from a table the first of `path`, `feature`, `src`,
/// `url`, `image`, `thumbnail` that is a string (the rest of the table is ignored).
fn image_path<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Visit;
    impl<'de> serde::de::Visitor<'de> for Visit {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<String>, E> {
            Ok(Some(v.to_string()))
        }
        // `image:` with nothing after it (YAML's null) is no image.
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Option<String>, A::Error> {
            const KEYS: [&str; 6] = ["path", "feature", "src", "url", "image", "thumbnail"];
            let mut found: Option<(usize, String)> = None;
            while let Some(key) = map.next_key::<String>()? {
                let rank = KEYS.iter().position(|k| *k == key);
                let value: serde_json::Value = map.next_value()?;
                if let (Some(rank), serde_json::Value::String(path)) = (rank, value)
                    && found.as_ref().is_none_or(|(r, _)| rank < *r)
                {
                    found = Some((rank, path));
                }
            }
            Ok(found.map(|(_, path)| path))
        }
    }
    d.deserialize_any(Visit)
}

/// A taxonomy's terms: a list, or one name (Hugo writes `series: "Name"`).
#[derive(Debug, Clone)]
pub enum TermList {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for TermList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = TermList;
            // Worded as serde words it, so `error::plain_types` explains it.
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TermList, E> {
                Ok(TermList::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<TermList, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(TermList::Many(names))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl TermList {
    fn as_slice(&self) -> &[String] {
        match self {
            TermList::One(s) => std::slice::from_ref(s),
            TermList::Many(v) => v,
        }
    }

    fn iter_mut(&mut self) -> std::slice::IterMut<'_, String> {
        match self {
            TermList::One(s) => std::slice::from_mut(s).iter_mut(),
            TermList::Many(v) => v.iter_mut(),
        }
    }
}

impl FrontMatter {
    pub fn date(&self) -> Option<Date> {
        self.date.map(|d| d.0)
    }

    /// Drop control characters from every text field (see [`crate::strip_controls`]).
    fn strip_controls(&mut self) {
        let terms = [
            &mut self.tags,
            &mut self.categories,
            &mut self.category,
            &mut self.authors,
            &mut self.series,
        ]
        .into_iter()
        .flatten()
        .chain(self.taxonomies.iter_mut().flat_map(|t| t.values_mut()))
        .flat_map(TermList::iter_mut);
        let lists = self
            .aliases
            .iter_mut()
            .flatten()
            .chain(self.images.iter_mut().flatten())
            .chain(terms);
        [
            &mut self.title,
            &mut self.author,
            &mut self.summary,
            &mut self.description,
            &mut self.image,
            &mut self.image_alt,
            &mut self.image_caption,
            &mut self.slug,
            &mut self.path,
            &mut self.url,
        ]
        .into_iter()
        .flatten()
        .chain(lists)
        .for_each(crate::strip_controls);
    }

    pub fn is_draft(&self) -> bool {
        self.draft == Some(true) || self.published == Some(false)
    }

    /// Tags from the top level and from `[taxonomies]`, in the order written.
    pub fn tags(&self) -> Vec<String> {
        self.terms("tags", None)
    }

    pub fn categories(&self) -> Vec<String> {
        self.terms("categories", None)
    }

    /// The terms of the taxonomy `name`: from the top-level key of that name (`generic` holds
    /// the keys that are not fields here) and from `[taxonomies]`, in the order written.
    /// Jekyll's `tags: a b c` and `categories: x y` (one string) are split at spaces; its
    /// `category` is one term.
    pub fn terms(&self, name: &str, generic: Option<&[String]>) -> Vec<String> {
        let spaced = |list: Option<&TermList>| -> Vec<String> {
            match list {
                Some(TermList::One(s)) => s.split_whitespace().map(str::to_string).collect(),
                Some(TermList::Many(v)) => v.clone(),
                None => Vec::new(),
            }
        };
        let top: Vec<String> = match name {
            "tags" => spaced(self.tags.as_ref()),
            "categories" => {
                let mut all = spaced(self.categories.as_ref());
                all.extend(
                    self.category
                        .iter()
                        .flat_map(|c| c.as_slice().iter().cloned()),
                );
                all
            }
            "authors" => self
                .authors
                .iter()
                .flat_map(|l| l.as_slice().to_vec())
                .collect(),
            "series" => self
                .series
                .iter()
                .flat_map(|l| l.as_slice().to_vec())
                .collect(),
            _ => generic.map(<[String]>::to_vec).unwrap_or_default(),
        };
        let nested = self
            .taxonomies
            .as_ref()
            .and_then(|t| t.get(name))
            .map(TermList::as_slice)
            .unwrap_or_default();
        top.iter()
            .chain(nested)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Whether `name` is a field here (its terms need no second reading of the front matter).
    pub fn is_field(name: &str) -> bool {
        matches!(name, "tags" | "categories" | "authors" | "series")
    }
}

/// The value of top-level `key` in front matter `text` as a list of names: a list of strings,
/// or one string. `Ok(None)` when the key is absent; `Err` (the key's offset, a message) when
/// it holds something else. Read only for taxonomies that are not fields of [`FrontMatter`].
pub fn term_list(format: Format, text: &str, key: &str) -> Result<Option<Vec<String>>, ParseError> {
    let table: serde_json::Value = match format {
        Format::Toml => toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| serde_json::to_value(t).ok())
            .unwrap_or_default(),
        Format::Yaml => serde_saphyr::from_str(text).unwrap_or_default(),
        Format::Json => serde_json::from_str(text).unwrap_or_default(),
    };
    let Some(value) = table.get(key) else {
        return Ok(None);
    };
    let bad = || ParseError {
        offset: text.find(key).unwrap_or(0),
        message: format!(
            "`{key}` is a taxonomy: give it a list of names, like `{key} = [\"A\", \"B\"]`"
        ),
    };
    let mut names = match value {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<Result<_, _>>()?,
        _ => return Err(bad()),
    };
    names.iter_mut().for_each(crate::strip_controls);
    Ok(Some(names))
}

/// An `_index.md`'s settings; a value of the wrong type is an error in the front matter.
pub fn section_settings(
    format: Format,
    text: &str,
) -> Result<crate::config::RawSectionSettings, ParseError> {
    deserialize(format, text)
}

/// A front matter parse error, positioned relative to the front matter text.
#[derive(Debug)]
pub struct ParseError {
    /// Byte offset into the front matter.
    pub offset: usize,
    pub message: String,
}

pub fn parse(format: Format, text: &str) -> Result<FrontMatter, ParseError> {
    let mut fm = parse_raw(format, text)?;
    fm.strip_controls();
    Ok(fm)
}

fn parse_raw(format: Format, text: &str) -> Result<FrontMatter, ParseError> {
    deserialize(format, text)
}

/// Front matter `text` read into `T`, errors placed in it (an empty YAML text is `T`'s
/// default).
fn deserialize<T: serde::de::DeserializeOwned + Default>(
    format: Format,
    text: &str,
) -> Result<T, ParseError> {
    match format {
        Format::Toml => toml::from_str(text).map_err(|e| ParseError {
            offset: e.span().map_or(0, |s| s.start),
            message: crate::error::plain_types(e.message().trim()),
        }),
        Format::Json => serde_json::from_str(text).map_err(|e| ParseError {
            offset: json_offset(text, e.line(), e.column()),
            message: crate::error::plain_types(strip_json_position(&e.to_string())),
        }),
        Format::Yaml if text.trim().is_empty() => Ok(T::default()),
        Format::Yaml => serde_saphyr::from_str(text).map_err(|e| {
            let (line, col) = e
                .location()
                .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
            ParseError {
                offset: yaml_offset(text, line, col),
                message: crate::error::plain_types(&yaml_message(&e)),
            }
        }),
    }
}

/// The byte offset in `text` of a YAML error's 1-based line and column (in characters). YAML
/// also ends a line at a lone `\r`, which the rest of Quire does not, so the position goes
/// through an offset. Past the end of a line (or the text), it stops there.
fn yaml_offset(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        let Some(i) = text[start..].find(['\n', '\r']) else {
            return text.len();
        };
        start += i + 1;
        if text[start - 1..].starts_with("\r\n") {
            start += 1;
        }
    }
    let rest = &text[start..];
    let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    start
        + rest[..end]
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(end, |(i, _)| i)
}

/// The YAML error's message without the location suffix the crate appends (we add our own).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml() {
        let s = split("+++\ntitle = \"A\"\n+++\nBody\n").unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(s.front_matter, "title = \"A\"\n");
        assert_eq!(s.front_matter_offset, 4);
        assert_eq!(s.body, "Body\n");
        let s = split("---\r\ntitle: A\r\n---\r\nBody").unwrap();
        assert_eq!(s.format, Format::Yaml);
        assert_eq!(s.front_matter, "title: A\r\n");
        assert_eq!(s.body, "Body");
    }

    #[test]
    fn only_front_matter_gives_empty_body() {
        let s = split("+++\ntitle = \"A\"\n+++").unwrap();
        assert_eq!(s.body, "");
    }

    #[test]
    fn missing_or_unterminated_front_matter_is_an_error() {
        assert!(
            split("# Just markdown")
                .unwrap_err()
                .message
                .contains("expected front matter")
        );
        assert!(split("").unwrap_err().message.contains("the file is empty"));
        assert!(
            split(" \n")
                .unwrap_err()
                .message
                .contains("the file is empty")
        );
        assert!(
            split("+++\ntitle = \"A\"\n")
                .unwrap_err()
                .message
                .contains("never closed")
        );
        // A YAML closer does not close TOML.
        assert!(split("+++\ntitle = \"A\"\n---\n").is_err());
    }

    #[test]
    fn zola_hugo_and_jekyll_fields() {
        let fm = parse(
            Format::Toml,
            "title = \"Z\"\ndate = 2024-01-02\n[taxonomies]\ntags = [\"Rust\", \" \"]\ncategories = [\"Dev\"]\n",
        )
        .unwrap();
        assert_eq!(fm.tags(), vec!["Rust"]);
        assert_eq!(fm.categories(), vec!["Dev"]);
        let fm = parse(
            Format::Yaml,
            "title: J\ndate: 2024-01-02 10:00:00 +0100\npublished: false\nlayout: post\ntags: [a, b]\n",
        )
        .unwrap();
        assert!(fm.is_draft());
        assert_eq!(fm.date().unwrap().to_rfc3339(), "2024-01-02T10:00:00+01:00");
        assert_eq!(fm.tags(), vec!["a", "b"]);
        let fm = parse(
            Format::Toml,
            "title = \"H\"\nlastmod = 2024-02-03\nunknown = 1",
        )
        .unwrap();
        assert!(fm.updated.is_some());
    }

    #[test]
    fn toml_errors_point_into_the_front_matter() {
        let err = parse(Format::Toml, "title = \"A\"\ndate = 42\n").unwrap_err();
        assert_eq!(err.offset, 19, "{err:?}");
        assert!(err.message.contains("a date like"), "{}", err.message);
    }

    #[test]
    fn yaml_errors_point_into_the_front_matter() {
        let err = parse(Format::Yaml, "title: A\ndate: May 1\n").unwrap_err();
        assert_eq!(err.offset, 15, "{err:?}");
        assert!(err.message.contains("expected a date"), "{}", err.message);
        assert!(!err.message.contains(" at line "), "{}", err.message);
    }

    #[test]
    fn yaml_lines_end_at_lone_carriage_returns_too() {
        let text = "a: 1\rb: 2\r\nc: 3\nd: 4";
        assert_eq!(yaml_offset(text, 1, 1), 0);
        assert_eq!(yaml_offset(text, 2, 4), 8);
        assert_eq!(yaml_offset(text, 3, 1), 11);
        assert_eq!(yaml_offset(text, 4, 2), 17);
        // Past the end of a line or of the text.
        assert_eq!(yaml_offset(text, 1, 99), 4);
        assert_eq!(yaml_offset(text, 9, 1), text.len());
        assert_eq!(yaml_offset("é", 1, 2), 2);
    }
}
