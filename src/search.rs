//! The search index under `/search/`: static files that the search page's script reads, so a
//! reader's query downloads a few small files, never the whole index.
//!
//! Layout (all JSON):
//! - `search/meta.json`: the language, the number of documents, the first key of every term
//!   chunk, and the filters (taxonomies, section, author) with their values.
//! - `search/t/<n>.json`: a chunk of the term dictionary, keys in sorted order. A key is a
//!   word as a reader types it (lower-cased, accents folded). Its value is either `>stem`
//!   (the word's stem, whose entry holds the postings) or the stem's postings.
//! - `search/d/<id>.json`: what a result shows of one document (URL, title, date, terms,
//!   text for the excerpt).
//! - `search/f/<filter>-<value>.json`: the documents of one filter value.
//!
//! Postings are written compactly (see [`push_number`]): document ids as gaps, each with a
//! score 1–31 (the BM25 term-frequency part, field weights and document length applied), or,
//! for a word in more than half the documents, `!` and the documents *without* it. The
//! script multiplies the score by the word's rarity (IDF), which it works out from the list
//! length. Documents are numbered newest first, so "sort by date" is "sort by id".
//!
//! Stemming happens here, never in the browser: the dictionary maps every word of the site to
//! its stem, so a query for "running" finds "runs". A word that is not in the site at all
//! is matched as a prefix, as is the word being typed.
//!
//! Why not Pagefind: measured on the 10,000-post bench corpus its Rust API took about 20 s
//! and 2 GB (it compresses every file at the highest level, on one thread), against 1.5 s
//! for the whole build; see docs/performance.md.

use std::collections::BTreeMap;

use foldhash::HashMap;
use pagefind_stem::{Algorithm, Stemmer};
use rayon::prelude::*;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use std::sync::Arc;

use crate::config::{Config, SearchSettings};
use crate::content::Document;
use crate::error::{Diagnostic, Error, Result};
use crate::markdown::Rendered;
use crate::output::Output;
use crate::render::i18n::Translations;
use crate::routes::Owner;
use crate::site::{Site, join_url};

/// Where the index lives under the output folder (and the search page, at its `index.html`).
pub const FOLDER: &str = "search";
/// The search page's script, one of the theme's assets.
pub const SCRIPT: &str = "search.js";

/// A chunk of the term dictionary is closed once it holds this many bytes.
const CHUNK_BYTES: usize = 16 * 1024;
/// At most this much of a document's text is kept for excerpts (all of it is indexed).
const EXCERPT_TEXT_BYTES: usize = 64 * 1024;
/// At most this much of a summary is kept and weighted as one.
const SUMMARY_BYTES: usize = 1024;
/// Longer "words" (hashes, base64) are not indexed.
const MAX_WORD_CHARS: usize = 48;

/// BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// How much a word counts in each field, against 1 in the body.
const WEIGHT_TITLE: f32 = 8.0;
const WEIGHT_TERM: f32 = 4.0;
const WEIGHT_AUTHOR: f32 = 3.0;
const WEIGHT_SECTION: f32 = 2.0;
const WEIGHT_SUMMARY: f32 = 2.0;

/// The built index: every file, ready to write.
pub struct SearchIndex {
    /// Every path with the fingerprint of its bytes.
    paths: Vec<(String, u64)>,
    /// The files, until they are handed over (once).
    files: std::sync::Mutex<Vec<Output>>,
}

impl SearchIndex {
    fn new(files: Vec<Output>) -> SearchIndex {
        let paths = files
            .par_iter()
            .map(|f| (f.path.clone(), crate::fingerprint::of_bytes(&f.bytes)))
            .collect();
        SearchIndex {
            paths,
            files: std::sync::Mutex::new(files),
        }
    }

    /// Every path with its fingerprint, and every file not handed over by `generate` yet.
    pub fn into_parts(self) -> (Vec<(String, u64)>, Vec<Output>) {
        let files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        (self.paths, files)
    }
}

impl crate::generate::Generator for SearchIndex {
    fn claims(&self) -> Vec<(String, Owner)> {
        self.paths
            .iter()
            .map(|(p, _)| (p.clone(), Owner::Generated))
            .collect()
    }

    fn generate(
        &self,
        _input: &crate::generate::Input,
        previous: &foldhash::HashMap<String, u64>,
        emit: Option<crate::render::Emit>,
    ) -> Result<crate::generate::Generated> {
        let files = std::mem::take(&mut *self.files.lock().unwrap_or_else(|e| e.into_inner()));
        let changed: Vec<Output> = files
            .into_iter()
            .zip(&self.paths)
            .filter(|(_, (path, fp))| previous.get(path) != Some(fp))
            .map(|(file, _)| file)
            .collect();
        // Thousands of small files: handed over from every thread.
        let changed = match emit {
            Some(emit) => {
                changed.into_par_iter().try_for_each(emit)?;
                Vec::new()
            }
            None => changed,
        };
        Ok((changed, self.paths.clone()))
    }
}

/// One document as the index sees it: owned, so that the dev server can build the index
/// after the rebuild that read it (and the reload it sends) is done.
pub struct Doc {
    doc: Arc<Document>,
    rendered: Arc<Rendered>,
    url: String,
    /// `YYYY-MM-DD`.
    date: Option<String>,
    /// The date as the site writes it.
    day: Option<String>,
    section: Option<String>,
    /// `(filter, value)` pairs of the taxonomy terms.
    terms: Vec<(String, String)>,
    /// The terms shown with a result: name and URL.
    links: Vec<(String, String)>,
}

impl Doc {
    fn author(&self) -> Option<&str> {
        self.doc.author.as_deref().filter(|a| !a.trim().is_empty())
    }
}

/// What the index is made from, read from a built site: see [`prepare`].
pub struct Prepared {
    docs: Vec<Doc>,
    language: String,
}

impl Prepared {
    /// A fingerprint of everything the index is made from: equal, the files are too.
    pub fn fingerprint(&self) -> u64 {
        let mut parts = vec![crate::fingerprint::of(&self.language)];
        parts.extend(self.docs.iter().map(|d| {
            crate::fingerprint::of(&(
                &d.url,
                &d.doc.title,
                d.author(),
                &d.date,
                &d.day,
                &d.section,
                &d.terms,
                &d.links,
                d.rendered.html_fingerprint,
                &d.rendered.summary_html,
                d.rendered.word_count,
            ))
        }));
        crate::fingerprint::combine(&parts)
    }

    /// Make every file of the index.
    pub fn build(&self) -> SearchIndex {
        let stemmer = stemmer(&self.language);
        SearchIndex::new(index_files(&self.docs, &self.language, stemmer.as_ref()))
    }
}

/// What a result shows of a document: `search/d/<id>.json`.
#[derive(Serialize)]
struct Fragment<'a> {
    url: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    terms: Vec<(&'a str, &'a str)>,
    summary: &'a str,
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    language: &'a str,
    /// Documents in the index.
    documents: usize,
    /// Changes whenever any file of the index does, so the script can ask past caches.
    build: String,
    /// The first key of each term chunk.
    chunks: Vec<String>,
    /// Per filter name, its values with how many documents each has; files are
    /// `f/<filter index>-<value index>.json`.
    filters: Vec<FilterMeta<'a>>,
}

#[derive(Serialize)]
struct FilterMeta<'a> {
    name: &'a str,
    values: Vec<(&'a str, usize)>,
}

/// The search page's URL, when search is on.
pub fn page_url(config: &Config) -> Option<String> {
    config
        .search
        .enabled
        .then(|| join_url(&config.base_path, &format!("/{FOLDER}/")))
}

/// Build the index of `site` as `config.search` asks.
pub fn build(site: &Site, config: &Config, words: &Translations) -> Result<SearchIndex> {
    Ok(prepare(site, config, words)?.build())
}

/// Read what the index needs from `site` (cheap: shared data and a few strings a document),
/// checking the settings.
pub fn prepare(site: &Site, config: &Config, words: &Translations) -> Result<Prepared> {
    let mut docs = documents(site, &config.search, &config.base_path)?;
    for doc in &mut docs {
        doc.day = doc
            .doc
            .date_rfc3339
            .as_deref()
            .and_then(|d| words.date_text(d));
    }
    Ok(Prepared {
        docs,
        language: config.language.clone(),
    })
}

/// The published posts and pages the settings ask for, newest post first, pages last.
fn documents(site: &Site, settings: &SearchSettings, base_path: &str) -> Result<Vec<Doc>> {
    // Every section named must exist: a typo would silently index nothing of it.
    if let Some(wanted) = &settings.sections {
        for name in wanted {
            let name = name.trim_matches('/');
            if !name.is_empty() && !site.sections.iter().any(|s| s.path == name) {
                let known: Vec<&str> = site
                    .sections
                    .iter()
                    .filter(|s| !s.path.is_empty())
                    .map(|s| s.path.as_str())
                    .collect();
                return Err(Error::Source(
                    Diagnostic::new(
                        "config.toml",
                        format!(
                            "`[search] sections` names `{name}`, which is not a section of \
                             this site; its sections are: {} (\"/\" is the pages at the top \
                             of `content/`)",
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    )
                    .at(settings.sections_at.as_ref()),
                ));
            }
        }
    }
    let in_section = |mut s: usize| -> bool {
        let Some(wanted) = &settings.sections else {
            return true;
        };
        loop {
            let path = &site.sections[s].path;
            if wanted.iter().any(|w| w.trim_matches('/') == path) {
                return true;
            }
            match site.sections[s].parent {
                Some(p) => s = p,
                None => return false,
            }
        }
    };
    let top_pages = settings
        .sections
        .as_ref()
        .is_none_or(|w| w.iter().any(|s| s.trim_matches('/').is_empty()));
    let excluded = |url: &str| {
        let path = url.strip_prefix(base_path).unwrap_or(url);
        let path = format!("/{}", path.trim_start_matches('/'));
        settings
            .exclude
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => {
                    path == *pattern || path.trim_end_matches('/') == pattern.trim_end_matches('/')
                }
            })
    };
    let mut docs = Vec::new();
    for post in &site.posts {
        if !in_section(post.section) || excluded(&post.url) {
            continue;
        }
        let section = &site.sections[post.section];
        let mut terms = Vec::new();
        let mut links = Vec::new();
        for (t, indices) in post.terms.iter().enumerate() {
            let tax = &site.taxonomies[t];
            for &i in indices {
                let term = &tax.terms[i];
                terms.push((tax.name.clone(), term.name.clone()));
                links.push((term.name.clone(), term.url.clone()));
            }
        }
        docs.push(Doc {
            doc: Arc::clone(&post.doc),
            rendered: Arc::clone(&post.rendered),
            url: post.url.clone(),
            date: post.doc.date.map(|d| d.format("%Y-%m-%d").to_string()),
            day: None,
            section: (!section.path.is_empty()).then(|| section.title.clone()),
            terms,
            links,
        });
    }
    if top_pages {
        for page in &site.pages {
            if excluded(&page.url) {
                continue;
            }
            docs.push(Doc {
                doc: Arc::clone(&page.doc),
                rendered: Arc::clone(&page.rendered),
                url: page.url.clone(),
                date: page.doc.date.map(|d| d.format("%Y-%m-%d").to_string()),
                day: None,
                section: None,
                terms: Vec::new(),
                links: Vec::new(),
            });
        }
    }
    Ok(docs)
}

/// A summary's text (from its HTML, so an inline script is left out), cut at a word.
fn summary_text(html: &str) -> String {
    let mut text = html_text(&html[..floor_boundary(html, SUMMARY_BYTES * 8)]);
    if text.len() > SUMMARY_BYTES {
        let cut = floor_boundary(&text, SUMMARY_BYTES);
        let cut = text[..cut].rfind(' ').unwrap_or(cut);
        text.truncate(cut);
        text.push_str(" …");
    }
    text
}

/// The largest char boundary of `s` at or below `at`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The Snowball stemmer for a language code (`en`, `pt-BR`), as Pagefind chooses them.
pub fn stemmer(language: &str) -> Option<Stemmer> {
    let code = language.split(['-', '_']).next().unwrap_or_default();
    let algorithm = match code.to_ascii_lowercase().as_str() {
        "ar" => Algorithm::Arabic,
        "hy" => Algorithm::Armenian,
        "eu" => Algorithm::Basque,
        "ca" => Algorithm::Catalan,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "eo" => Algorithm::Esperanto,
        "et" => Algorithm::Estonian,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hi" => Algorithm::Hindi,
        "hu" => Algorithm::Hungarian,
        "id" => Algorithm::Indonesian,
        "ga" => Algorithm::Irish,
        "it" => Algorithm::Italian,
        "lt" => Algorithm::Lithuanian,
        "ne" => Algorithm::Nepali,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "pl" => Algorithm::Polish,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sr" => Algorithm::Serbian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        "yi" => Algorithm::Yiddish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// The words of `text`: runs of letters, digits and combining marks, as the search script
/// splits a query (`/[\p{L}\p{N}\p{M}]+/u`). Overlong runs (hashes, base64) are skipped.
pub fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let n = bytes.len();
        let mut i = self.at;
        loop {
            // To a word's start: ASCII by the table, other characters decoded.
            while i < n && ASCII_CLASS[bytes[i] as usize] == 0 {
                i += 1;
            }
            if i >= n {
                self.at = n;
                return None;
            }
            let start = i;
            if ASCII_CLASS[bytes[i] as usize] == 2 {
                let c = self.text[i..].chars().next().expect("a char at a boundary");
                i += c.len_utf8();
                if !is_word_char(c) {
                    continue;
                }
            }
            // To its end.
            loop {
                while i < n && ASCII_CLASS[bytes[i] as usize] == 1 {
                    i += 1;
                }
                if i < n && ASCII_CLASS[bytes[i] as usize] == 2 {
                    let c = self.text[i..].chars().next().expect("a char at a boundary");
                    if is_word_char(c) {
                        i += c.len_utf8();
                        continue;
                    }
                }
                break;
            }
            self.at = i;
            let word = &self.text[start..i];
            if word.len() <= MAX_WORD_CHARS || word.chars().nth(MAX_WORD_CHARS).is_none() {
                return Some(word);
            }
        }
    }
}

/// Per byte: 0 separates words, 1 is an ASCII letter or digit, 2 starts a non-ASCII char.
const ASCII_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = if b >= 0x80 {
            2
        } else if (b as u8).is_ascii_alphanumeric() {
            1
        } else {
            0
        };
        b += 1;
    }
    t
};

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// A lower-cased word as it is looked up: Latin, Greek and Cyrillic accents and Arabic
/// vowel marks folded away (so `cafe` finds `café` and `ё` is `е`), as the script does with
/// `normalize("NFD")`, the same marks removed, and `normalize("NFC")`.
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_string();
    }
    word.nfd().filter(|c| !is_folded_mark(*c)).nfc().collect()
}

fn is_folded_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{64b}'..='\u{65f}' | '\u{670}' | '\u{640}')
}

/// The text of rendered HTML, white space collapsed: tags become spaces, `script` and
/// `style` are left out, and entities are decoded.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) {
        push_text(&mut out, &rest[..lt]);
        let tag = &rest[lt + 1..];
        let end = memchr::memchr(b'>', tag.as_bytes()).map_or(tag.len(), |i| i + 1);
        let raw = ["script", "style"].into_iter().find(|name| {
            tag.len() > name.len()
                && tag.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                && !tag.as_bytes()[name.len()].is_ascii_alphanumeric()
        });
        // Inline markup does not break a word (`<em>un</em>do`); other tags do.
        let name_start = usize::from(tag.starts_with('/'));
        let name_len = tag.as_bytes()[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let inline = INLINE.iter().any(|n| {
            n.len() == name_len
                && tag.as_bytes()[name_start..name_start + name_len]
                    .eq_ignore_ascii_case(n.as_bytes())
        });
        rest = &tag[end..];
        if let Some(name) = raw {
            // Up to its closing tag, whatever the case.
            let bytes = rest.as_bytes();
            let mut at = 0;
            rest = loop {
                match memchr::memmem::find(&bytes[at..], b"</") {
                    Some(i)
                        if bytes[at + i + 2..]
                            .get(..name.len())
                            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes())) =>
                    {
                        let after = &rest[at + i..];
                        break &after[after.find('>').map_or(after.len(), |j| j + 1)..];
                    }
                    Some(i) => at += i + 2,
                    None => break "",
                }
            };
        }
        if !inline && !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    push_text(&mut out, rest);
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Elements that do not separate words.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
];

/// Push text between tags: entities decoded, line breaks and tabs as spaces (runs of them
/// as one).
fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    if out.ends_with(' ') {
        rest = rest.trim_start_matches([' ', '\n', '\t', '\r']);
    }
    while let Some(i) = memchr::memchr3(b'&', b'\n', b'\t', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        let space = |out: &mut String| {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        };
        if rest.as_bytes()[i] != b'&' {
            space(out);
            rest = rest[i + 1..].trim_start_matches([' ', '\n', '\t', '\r']);
            continue;
        }
        let entity = &rest[i..];
        match decode_entity(entity) {
            Some((' ', len)) => {
                space(out);
                rest = &entity[len..];
            }
            Some((c, len)) => {
                out.push(c);
                rest = &entity[len..];
            }
            None => {
                out.push('&');
                rest = &entity[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The character an entity at the start of `s` stands for, and the entity's length.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes()[..s.len().min(12)]
        .iter()
        .position(|b| *b == b';')?;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

type Postings = Vec<(u32, f32)>;

/// The words of a run of documents, as [`rayon`] folds them: every word seen once in
/// `ids`, and per word id its postings.
#[derive(Default)]
struct Gathered {
    ids: HashMap<Box<str>, u32>,
    postings: Vec<Postings>,
    /// Per word id, its weighted count in the document being read.
    counts: Vec<f32>,
    touched: Vec<u32>,
    lower: String,
}

impl Gathered {
    /// Count the words of `text`, each `weight` times.
    fn add(&mut self, text: &str, weight: f32) {
        self.add_lead(text, weight, 0, 0.0);
    }

    /// Count the words of `text`, each `weight` times, and the first `lead` of them
    /// `lead_weight` times more.
    fn add_lead(&mut self, text: &str, weight: f32, mut lead: usize, lead_weight: f32) {
        // Lower-cased once for the whole text: its words are then slices of it.
        self.lower.clear();
        push_lowercase(&mut self.lower, text);
        let lower = std::mem::take(&mut self.lower);
        for word in words(&lower) {
            let weight = if lead > 0 {
                lead -= 1;
                weight + lead_weight
            } else {
                weight
            };
            let id = match self.ids.get(word) {
                Some(id) => *id,
                None => {
                    let id = self.postings.len() as u32;
                    self.ids.insert(word.into(), id);
                    self.postings.push(Vec::new());
                    self.counts.push(0.0);
                    id
                }
            };
            let count = &mut self.counts[id as usize];
            if *count == 0.0 {
                self.touched.push(id);
            }
            *count += weight;
        }
        self.lower = lower;
    }

    /// Read document `id` (its text is `text`); `average` is the mean document length.
    fn document(&mut self, id: u32, doc: &Doc, text: &str, summary: &str, average: f32) {
        self.add(&doc.doc.title, WEIGHT_TITLE);
        for (_, term) in &doc.terms {
            self.add(term, WEIGHT_TERM);
        }
        if let Some(author) = doc.author() {
            self.add(author, WEIGHT_AUTHOR);
        }
        if let Some(section) = &doc.section {
            self.add(section, WEIGHT_SECTION);
        }
        if let Some(year) = doc.date.as_deref().and_then(|d| d.get(..4)) {
            self.add(year, 1.0);
        }
        // The summary weighs more. It is most often the body's first words: then those are
        // weighted as they are counted, rather than read twice.
        let lead = summary.strip_suffix(" …").unwrap_or(summary);
        if text.starts_with(lead) {
            self.add_lead(text, 1.0, words(lead).count(), WEIGHT_SUMMARY);
        } else {
            self.add(summary, WEIGHT_SUMMARY);
            self.add(text, 1.0);
        }
        let norm = K1 * (1.0 - B + B * length(doc) / average.max(1.0));
        for word in self.touched.drain(..) {
            let tf = std::mem::take(&mut self.counts[word as usize]);
            let part = tf * (K1 + 1.0) / (tf + norm);
            self.postings[word as usize].push((id, part));
        }
    }

    /// Those of `self` and then those of `later` (documents after them).
    fn merge(mut self, later: Gathered) -> Gathered {
        let mut remap = vec![0u32; later.postings.len()];
        for (word, id) in later.ids {
            remap[id as usize] = match self.ids.get(&word) {
                Some(mine) => *mine,
                None => {
                    let mine = self.postings.len() as u32;
                    self.ids.insert(word, mine);
                    self.postings.push(Vec::new());
                    mine
                }
            };
        }
        for (id, list) in later.postings.into_iter().enumerate() {
            self.postings[remap[id] as usize].extend(list);
        }
        self
    }
}

/// Push `text` lower-cased: ASCII runs a block at a time, other characters one by one.
fn push_lowercase(out: &mut String, text: &str) {
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = rest.bytes().position(|b| b >= 0x80).unwrap_or(rest.len());
        let start = out.len();
        out.push_str(&rest[..ascii]);
        out.as_mut_str()[start..].make_ascii_lowercase();
        rest = &rest[ascii..];
        if let Some(c) = rest.chars().next() {
            if c.is_uppercase() {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
}

/// A document's length for BM25: its words and its title's.
fn length(doc: &Doc) -> f32 {
    (doc.rendered.word_count.max(1) + words(&doc.doc.title).count()) as f32
}

/// Every file of the index of `docs`.
fn index_files(docs: &[Doc], language: &str, stemmer: Option<&Stemmer>) -> Vec<Output> {
    let n = docs.len();
    // Per document: its text (for the excerpt).
    let (texts, summaries): (Vec<String>, Vec<String>) = docs
        .par_iter()
        .map(|d| {
            (
                html_text(&d.rendered.html),
                summary_text(&d.rendered.summary_html),
            )
        })
        .unzip();
    let average = docs.iter().map(length).sum::<f32>() / n.max(1) as f32;
    // Word -> documents with the BM25 term-frequency part, in document order.
    let gathered = docs
        .par_iter()
        .zip(&texts)
        .zip(&summaries)
        .enumerate()
        .with_min_len(256)
        .fold(Gathered::default, |mut g, (id, ((d, t), summary))| {
            g.document(id as u32, d, t, summary, average);
            g
        })
        .reduce(Gathered::default, Gathered::merge);
    let mut postings = gathered.postings;
    let mut words: Vec<(Box<str>, Postings)> = gathered
        .ids
        .into_iter()
        .map(|(w, id)| (w, std::mem::take(&mut postings[id as usize])))
        .collect();
    // Word -> (folded word, folded stem); stems gather the postings of their words.
    words.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let keyed: Vec<(String, String)> = words
        .par_iter()
        .map(|(word, _)| {
            let stem = match stemmer {
                Some(s) => fold(&s.stem(word)),
                None => fold(word),
            };
            (fold(word), stem)
        })
        .collect();
    let mut stems: BTreeMap<&str, Postings> = BTreeMap::new();
    let mut entries: BTreeMap<&str, Entry> = BTreeMap::new();
    for ((_, postings), (key, stem)) in words.iter().zip(&keyed) {
        stems.entry(stem.as_str()).or_default().extend(postings);
        if key != stem {
            entries
                .entry(key.as_str())
                .or_insert(Entry::Redirect(stem.as_str()));
        }
    }
    let encoded: Vec<(&str, String)> = stems
        .into_par_iter()
        .map(|(stem, mut postings)| {
            postings.sort_unstable_by_key(|p| p.0);
            postings.dedup_by(|later, earlier| {
                let same = later.0 == earlier.0;
                if same {
                    earlier.1 = earlier.1.max(later.1);
                }
                same
            });
            (stem, encode_postings(&postings, n))
        })
        .collect();
    for (stem, value) in encoded {
        // A stem that is also another word's spelling keeps its own postings.
        entries.insert(stem, Entry::Postings(value));
    }
    let mut files = Vec::with_capacity(n + entries.len() / 200 + 64);
    // The term chunks.
    let mut chunks: Vec<String> = Vec::new();
    let mut chunk = String::new();
    for (key, entry) in &entries {
        if chunk.is_empty() {
            chunks.push((*key).to_string());
            chunk.push('{');
        } else {
            chunk.push(',');
        }
        push_json_string(&mut chunk, key);
        chunk.push(':');
        match entry {
            Entry::Redirect(stem) => {
                let mut value = String::from(">");
                value.push_str(stem);
                push_json_string(&mut chunk, &value);
            }
            Entry::Postings(p) => {
                chunk.push('"');
                chunk.push_str(p);
                chunk.push('"');
            }
        }
        if chunk.len() >= CHUNK_BYTES {
            chunk.push('}');
            files.push(Output {
                path: format!("{FOLDER}/t/{}.json", chunks.len() - 1),
                bytes: std::mem::take(&mut chunk).into_bytes(),
            });
        }
    }
    if !chunk.is_empty() {
        chunk.push('}');
        files.push(Output {
            path: format!("{FOLDER}/t/{}.json", chunks.len() - 1),
            bytes: chunk.into_bytes(),
        });
    }
    // One fragment per document.
    let fragments: Vec<Output> = docs
        .par_iter()
        .zip(&texts)
        .zip(&summaries)
        .enumerate()
        .map(|(id, ((d, text), summary))| {
            let cut = floor_boundary(text, EXCERPT_TEXT_BYTES);
            let fragment = Fragment {
                url: &d.url,
                title: &d.doc.title,
                date: d.date.as_deref(),
                day: d.day.as_deref(),
                author: d.author(),
                section: d.section.as_deref(),
                terms: d
                    .links
                    .iter()
                    .map(|(n, u)| (n.as_str(), u.as_str()))
                    .collect(),
                summary,
            };
            // The text, the bulk of it, is escaped here: a few bytes need it.
            let mut bytes = serde_json::to_vec(&fragment).expect("a fragment serializes");
            bytes.pop();
            bytes.reserve(cut + 16);
            bytes.extend_from_slice(b",\"text\":\"");
            push_json_text(&mut bytes, &text[..cut]);
            bytes.extend_from_slice(b"\"}");
            Output {
                path: format!("{FOLDER}/d/{id}.json"),
                bytes,
            }
        })
        .collect();
    files.extend(fragments);

    // The filters: every taxonomy, the section and the author.
    let mut filters: Vec<(&str, BTreeMap<&str, Vec<u32>>)> = Vec::new();
    for (id, d) in docs.iter().enumerate() {
        let pairs = d
            .terms
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain(d.section.as_deref().map(|s| ("section", s)))
            .chain(d.author().map(|a| ("author", a)));
        for (name, value) in pairs {
            let i = match filters.iter().position(|(n, _)| *n == name) {
                Some(i) => i,
                None => {
                    filters.push((name, BTreeMap::new()));
                    filters.len() - 1
                }
            };
            let list = filters[i].1.entry(value).or_default();
            if list.last() != Some(&(id as u32)) {
                list.push(id as u32);
            }
        }
    }
    let mut filter_meta = Vec::with_capacity(filters.len());
    for (f, (name, values)) in filters.iter().enumerate() {
        let mut meta = FilterMeta {
            name,
            values: Vec::with_capacity(values.len()),
        };
        for (v, (value, ids)) in values.iter().enumerate() {
            meta.values.push((value, ids.len()));
            let mut encoded = String::from("\"");
            let mut previous: i64 = -1;
            for &id in ids {
                push_number(&mut encoded, (id as i64 - previous - 1) as u32);
                previous = id as i64;
            }
            encoded.push('"');
            files.push(Output {
                path: format!("{FOLDER}/f/{f}-{v}.json"),
                bytes: encoded.into_bytes(),
            });
        }
        filter_meta.push(meta);
    }

    let build = format!(
        "{:016x}",
        crate::fingerprint::combine(
            &files
                .par_iter()
                .map(|f| crate::fingerprint::of_bytes(&f.bytes))
                .collect::<Vec<_>>()
        )
    );
    let meta = Meta {
        version: 1,
        language,
        documents: n,
        build,
        chunks,
        filters: filter_meta,
    };
    files.push(Output {
        path: format!("{FOLDER}/meta.json"),
        bytes: serde_json::to_vec(&meta).expect("the index's meta serializes"),
    });
    files
}

enum Entry<'a> {
    Redirect(&'a str),
    Postings(String),
}

/// A posting list as the script reads it: gaps and scores, or `!` and the complement.
fn encode_postings(postings: &[(u32, f32)], documents: usize) -> String {
    let mut out = String::new();
    if postings.len() * 2 > documents {
        out.push('!');
        let mut previous: i64 = -1;
        let mut next = postings.iter().map(|p| p.0).peekable();
        for id in 0..documents as u32 {
            if next.peek() == Some(&id) {
                next.next();
                continue;
            }
            push_number(&mut out, (id as i64 - previous - 1) as u32);
            previous = id as i64;
        }
        return out;
    }
    let mut previous: i64 = -1;
    for &(id, part) in postings {
        push_number(&mut out, (id as i64 - previous - 1) as u32);
        previous = id as i64;
        let score = (part / (K1 + 1.0) * 31.0).round().clamp(1.0, 31.0) as u32;
        push_number(&mut out, score);
    }
    out
}

/// The 64 digits of the compact number form; none needs escaping in JSON.
const DIGITS: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Write `n` in groups of 5 bits, most significant first: every group but the last is
/// written with the upper 32 digits, the last with the lower 32.
fn push_number(out: &mut String, n: u32) {
    let mut groups = [0u8; 7];
    let mut count = 0;
    let mut rest = n;
    loop {
        groups[count] = (rest & 31) as u8;
        count += 1;
        rest >>= 5;
        if rest == 0 {
            break;
        }
    }
    for i in (0..count).rev() {
        let digit = if i == 0 { groups[i] } else { groups[i] + 32 };
        out.push(DIGITS[digit as usize] as char);
    }
}

/// The inside of a JSON string: runs that need no escape are copied as they are, found
/// eight bytes at a time.
fn push_json_text(out: &mut Vec<u8>, text: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether any byte of `w` is below 0x20, a quote or a backslash (exact as a yes or no).
    let needs = |w: u64| {
        let quote = w ^ (ONES * 0x22);
        let backslash = w ^ (ONES * 0x5c);
        ((w.wrapping_sub(ONES * 0x20) & !w)
            | (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash))
            & HIGH
            != 0
    };
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if i + 8 <= bytes.len() {
            let w = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
            if !needs(w) {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(bytes.len());
        while i < end {
            let b = bytes[i];
            let escaped: Option<&[u8]> = match b {
                b'"' => Some(b"\\\""),
                b'\\' => Some(b"\\\\"),
                b'\n' | b'\r' | b'\t' => Some(b" "),
                0..0x20 => None,
                _ => {
                    i += 1;
                    continue;
                }
            };
            out.extend_from_slice(&bytes[copied..i]);
            match escaped {
                Some(e) => out.extend_from_slice(e),
                None => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            }
            i += 1;
            copied = i;
        }
    }
    out.extend_from_slice(&bytes[copied..]);
}

fn push_json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("a string serializes"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut acc = 0u32;
        for c in s.bytes() {
            let v = DIGITS.iter().position(|d| *d == c).unwrap() as u32;
            if v >= 32 {
                acc = acc * 32 + (v - 32);
            } else {
                out.push(acc * 32 + v);
                acc = 0;
            }
        }
        out
    }

    #[test]
    fn fragment_text_is_valid_json_whatever_it_holds() {
        for text in [
            "plain words, long enough to fill some eight-byte blocks",
            "a \"quote\" and a \\ backslash at any offset\\",
            "control \u{1} and \r\n and \t inside, é and 語 too\"",
            "",
            "\"",
        ] {
            let mut out = b"\"".to_vec();
            push_json_text(&mut out, text);
            out.push(b'"');
            let back: String = serde_json::from_slice(&out).unwrap();
            let expected: String = text
                .chars()
                .map(|c| {
                    if matches!(c, '\n' | '\r' | '\t') {
                        ' '
                    } else {
                        c
                    }
                })
                .collect();
            assert_eq!(back, expected);
        }
    }

    #[test]
    fn counting_splits_words_as_words_does() {
        let text = "Don't STOP — Café, «Привет» 3.14 كِتاب x ΣΟΦΙΑ ".to_string()
            + &"y".repeat(MAX_WORD_CHARS + 1)
            + " end";
        let mut g = Gathered::default();
        g.add(&text, 1.0);
        let mut counted: Vec<&str> = g.ids.keys().map(|k| &**k).collect();
        counted.sort_unstable();
        let mut split: Vec<String> = words(&text).map(|w| w.to_lowercase()).collect();
        split.sort_unstable();
        split.dedup();
        assert_eq!(counted, split);
        assert!(counted.contains(&"café") && counted.contains(&"привет"));
    }

    #[test]
    fn numbers_round_trip() {
        let mut s = String::new();
        let numbers = [0, 1, 31, 32, 1023, 1024, 99_999, u32::MAX];
        for n in numbers {
            push_number(&mut s, n);
        }
        assert_eq!(decode(&s), numbers);
        assert_eq!(s.len(), 1 + 1 + 1 + 2 + 2 + 3 + 4 + 7);
    }

    #[test]
    fn words_split_like_the_script() {
        let w: Vec<&str> = words("Don't stop — café, «Привет» 3.14 كِتاب x").collect();
        assert_eq!(
            w,
            ["Don", "t", "stop", "café", "Привет", "3", "14", "كِتاب", "x"]
        );
    }

    #[test]
    fn folding_removes_accents_and_arabic_vowel_marks() {
        assert_eq!(fold("café"), "cafe");
        assert_eq!(fold("ёлка"), "елка");
        assert_eq!(fold("كِتَاب"), "كتاب");
        // Devanagari vowel signs are letters of the word, not accents.
        assert_eq!(fold("हिंदी"), "हिंदी");
    }

    #[test]
    fn html_text_drops_tags_scripts_and_decodes_entities() {
        let text = html_text(
            "<p>Fish &amp; chips</p><script>var x = 1 < 2;</script><p>a&#x27;b &lt;tag&gt;</p>",
        );
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(words, ["Fish", "&", "chips", "a'b", "<tag>"]);
    }

    #[test]
    fn stems_follow_the_language() {
        let en = stemmer("en-GB").unwrap();
        assert_eq!(en.stem("running"), "run");
        let ru = stemmer("ru").unwrap();
        assert_eq!(ru.stem("книгами"), ru.stem("книги"));
        assert!(stemmer("ja").is_none());
    }

    #[test]
    fn common_words_are_written_as_their_complement() {
        let postings: Vec<(u32, f32)> = (0..10).filter(|i| *i != 4).map(|i| (i, 1.0)).collect();
        let s = encode_postings(&postings, 10);
        assert_eq!(s.chars().next(), Some('!'));
        assert_eq!(decode(&s[1..]), [4]);
        let rare = encode_postings(&[(3, 2.2), (7, 0.1)], 10);
        // Gaps 3 and 3; the strongest score is 31, the weakest at least 1.
        assert_eq!(decode(&rare), [3, 31, 3, 1]);
    }
}
