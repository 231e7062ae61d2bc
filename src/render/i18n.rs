//! The theme's words: translation tables (`templates/i18n/<language>.toml`, built in and laid
//! over by a site's own files of the same name), the language chosen by `config.language`
//! (`pt-BR`, then `pt`, then English), CLDR plural categories, and the `t()` function and the
//! `date` filter that templates use. Rust writes no user-visible word: it passes facts and
//! the templates compose them with these tables (feed titles are looked up here too).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tera::{Kwargs, State, Value};

use crate::error::{Diagnostic, Error, Result};

/// Dates formatted by the `date` filter in one build, by format and date.
type DateMemo = foldhash::HashMap<String, foldhash::HashMap<String, Value>>;

/// The language every table falls back to.
pub const FALLBACK: &str = "en";

/// One translation: a string, plural forms by CLDR category, or a list (month names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Entry {
    Text(String),
    Plural(BTreeMap<String, String>),
    List(Vec<String>),
}

/// One translation file: where it came from (for messages) and its entries.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub shown: PathBuf,
    pub entries: BTreeMap<String, Entry>,
}

/// The plural categories CLDR defines.
const CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// Keys whose value is a list, and how long it must be.
const LISTS: &[(&str, usize)] = &[
    ("months", 12),
    ("months_short", 12),
    ("months_in_date", 12),
    ("weekdays", 7),
    ("weekdays_short", 7),
];

impl Table {
    /// Parse a translation file; `shown` names it in errors (file:line:col).
    pub fn parse(text: &str, shown: &Path) -> Result<Table> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let diag = |offset: usize, msg: String| {
            Error::Source(Diagnostic::new(shown, msg).at_offset(text, offset))
        };
        let table = toml::de::DeTable::parse(text)
            .map_err(|e| diag(e.span().map_or(0, |s| s.start), e.message().to_string()))?;
        let mut entries = BTreeMap::new();
        for (key, value) in table.get_ref() {
            let name: &str = key.get_ref();
            let at = value.span().start;
            let string = |v: &toml::de::DeValue, what: &str| match v {
                toml::de::DeValue::String(s) => Ok(s.to_string()),
                _ => Err(diag(at, format!("`{name}`{what} must be a string"))),
            };
            let entry = match (value.get_ref(), LISTS.iter().find(|(k, _)| *k == name)) {
                (toml::de::DeValue::Array(items), Some((_, len))) => {
                    if items.len() != *len {
                        return Err(diag(
                            at,
                            format!("`{name}` must list {len} names, found {}", items.len()),
                        ));
                    }
                    let items = items
                        .iter()
                        .map(|i| string(i.get_ref(), " (each item)"))
                        .collect::<Result<Vec<_>>>()?;
                    Entry::List(items)
                }
                (_, Some((_, len))) => {
                    return Err(diag(at, format!("`{name}` must be a list of {len} names")));
                }
                (toml::de::DeValue::Table(forms), None) => {
                    let mut out = BTreeMap::new();
                    for (category, form) in forms {
                        let c: &str = category.get_ref();
                        if !CATEGORIES.contains(&c) {
                            return Err(diag(
                                category.span().start,
                                format!(
                                    "`{c}` is not a plural category: use {}",
                                    CATEGORIES.join(", ")
                                ),
                            ));
                        }
                        out.insert(c.to_string(), string(form.get_ref(), &format!(".{c}"))?);
                    }
                    if !out.contains_key("other") {
                        return Err(diag(
                            at,
                            format!(
                                "`{name}` has plural forms but no `other`, which every language needs"
                            ),
                        ));
                    }
                    Entry::Plural(out)
                }
                (v, None) => Entry::Text(string(
                    v,
                    " must be a string or a table of plural forms, and it",
                )?),
            };
            if let Some(bad) = placeholder_problem(&entry) {
                return Err(diag(at, format!("`{name}`: {bad}")));
            }
            entries.insert(name.to_string(), entry);
        }
        Ok(Table {
            shown: shown.to_path_buf(),
            entries,
        })
    }
}

/// An unclosed `{` or a stray `}` in a translation.
fn placeholder_problem(entry: &Entry) -> Option<String> {
    let texts: Vec<&String> = match entry {
        Entry::Text(t) => vec![t],
        Entry::Plural(forms) => forms.values().collect(),
        Entry::List(_) => return None,
    };
    texts
        .into_iter()
        .find_map(|t| parse_template(t).err().map(|e| format!("{e} in {t:?}")))
}

/// One piece of a translation: text, or a `{name}` placeholder.
enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Arg(&'a str),
}

/// `s` escaped for HTML as Tera escapes (`&`, `<`, `>`, `"`, `'`), onto `out`.
fn push_escaped(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(with);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// [`push_escaped`] into a new string.
fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

fn parse_template(text: &str) -> std::result::Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push(Piece::Text(&rest[..i]));
        let after = &rest[i + 1..];
        match (rest.as_bytes()[i], after.as_bytes().first()) {
            (b'{', Some(b'{')) => {
                out.push(Piece::Brace('{'));
                rest = &after[1..];
            }
            (b'}', Some(b'}')) => {
                out.push(Piece::Brace('}'));
                rest = &after[1..];
            }
            (b'{', _) => {
                let end = after
                    .find('}')
                    .ok_or_else(|| "a `{` without its `}`".to_string())?;
                let name = after[..end].trim();
                if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return Err(format!("`{{{}}}` is not a placeholder name", &after[..end]));
                }
                out.push(Piece::Arg(name));
                rest = &after[end + 1..];
            }
            _ => return Err("a `}` without its `{` (write `}}` for a brace)".into()),
        }
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// The CLDR plural category of the whole number `n` in `language` (a tag like `fr` or
/// `pt-BR`; the base language decides). Languages not listed use English's one/other.
pub fn plural_category(language: &str, n: u64) -> &'static str {
    let base = base_language(language);
    let (n10, n100) = (n % 10, n % 100);
    match base.as_str() {
        // No plural forms.
        "ja" | "zh" | "ko" | "th" | "vi" | "id" | "ms" | "tr" | "fa" => "other",
        "fr" | "pt" => match n {
            0 | 1 => "one",
            n if n % 1_000_000 == 0 => "many",
            _ => "other",
        },
        "ru" | "uk" | "be" => match (n10, n100) {
            (1, h) if h != 11 => "one",
            (2..=4, h) if !(12..=14).contains(&h) => "few",
            _ => "many",
        },
        "pl" => match (n, n10, n100) {
            (1, ..) => "one",
            (_, 2..=4, h) if !(12..=14).contains(&h) => "few",
            _ => "many",
        },
        "cs" | "sk" => match n {
            1 => "one",
            2..=4 => "few",
            _ => "other",
        },
        "ar" => match (n, n100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
        "he" => match n {
            1 => "one",
            2 => "two",
            _ => "other",
        },
        _ => match n {
            1 => "one",
            _ => "other",
        },
    }
}

/// `pt-BR` -> `pt`, `zh_Hant` -> `zh`, lower case.
fn base_language(language: &str) -> String {
    language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The files to read for `language`, most general first: `pt` then `pt-BR`.
fn chain(language: &str) -> Vec<String> {
    let base = base_language(language);
    let mut out = vec![base.clone()];
    if !language.eq_ignore_ascii_case(&base) {
        out.push(language.to_string());
    }
    out
}

/// Every translation file the theme has, by language: the built-in one first, then the site's.
pub type Tables = BTreeMap<String, Vec<Table>>;

/// The tables of one build's language, merged, with English under them.
pub struct Translations {
    language: String,
    /// The language's own entries (nothing for English itself).
    own: BTreeMap<String, Entry>,
    english: BTreeMap<String, Entry>,
    /// Where English comes from, for the message about a key it lacks.
    english_shown: PathBuf,
    /// Keys the language lacks (falling back to English), as messages.
    warnings: Vec<String>,
    fingerprint: u64,
    /// Every text without placeholders, escaped once: what `t(key=…)` gives without
    /// arguments (most calls: labels on every page), with no work per call.
    constant: foldhash::HashMap<String, Value>,
}

/// A value given to a placeholder: text, and whether it is HTML already (a safe string).
pub struct Arg<'a> {
    pub name: &'a str,
    pub value: String,
    pub html: bool,
}

impl Translations {
    /// Merge `tables` for `language`: `language` over its base language over English. Every
    /// key English has and the language lacks is a warning naming the key and the file that
    /// could add it (one warning when the language has no table at all).
    pub fn new(tables: &Tables, language: &str) -> Translations {
        let merge = |lang: &str, into: &mut BTreeMap<String, Entry>| {
            let mut files = Vec::new();
            for table in tables
                .iter()
                .filter(|(l, _)| l.eq_ignore_ascii_case(lang))
                .flat_map(|(_, t)| t)
            {
                into.extend(table.entries.clone());
                files.push(table.shown.clone());
            }
            files
        };
        let mut english = BTreeMap::new();
        let english_files = merge(FALLBACK, &mut english);
        let english_shown = english_files
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("templates/i18n/en.toml"));
        let mut own = BTreeMap::new();
        let mut warnings = Vec::new();
        if base_language(language) != FALLBACK || language.contains(['-', '_']) {
            let mut files = Vec::new();
            let mut most_specific = language.to_string();
            for lang in chain(language) {
                let found = merge(&lang, &mut own);
                if !found.is_empty() {
                    most_specific = lang;
                }
                files.extend(found);
            }
            match files.last() {
                None => warnings.push(format!(
                    "no translations for language `{language}`: pages use English words \
                     (add templates/i18n/{language}.toml to translate them)"
                )),
                // A regional English (`en-GB`) lacks nothing: English is its base.
                Some(_) if base_language(language) == FALLBACK => {}
                Some(file) => {
                    for key in english.keys().filter(|k| !own.contains_key(*k)) {
                        warnings.push(format!(
                            "{}: no translation for `{key}`, so English is used \
                             (add `{key} = \"...\"` to templates/i18n/{most_specific}.toml)",
                            file.display()
                        ));
                    }
                }
            }
        }
        let fingerprint = crate::fingerprint::of(&(language, &own, &english));
        let mut words = Translations {
            language: language.to_string(),
            own,
            english,
            english_shown,
            warnings,
            fingerprint,
            constant: Default::default(),
        };
        let keys: Vec<String> = words
            .english
            .keys()
            .chain(words.own.keys())
            .cloned()
            .collect();
        for key in keys {
            if let Some(Entry::Text(t)) = words.get(&key)
                && !t.contains(['{', '}'])
            {
                let value = Value::safe_string(&escaped(t));
                words.constant.insert(key, value);
            }
        }
        words
    }

    /// The built-in theme's words for `language`.
    pub fn built_in(language: &str) -> Translations {
        Translations::new(&super::theme::built_in_tables(), language)
    }

    /// The language these words are for (`config.language`).
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The language's entry for `key`, else English's.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.own.get(key).or_else(|| self.english.get(key))
    }

    /// What a build should be told: keys this language lacks.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Changes whenever any word a page could show changes.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The text of `key` for `count` (plural forms) with `{name}` placeholders filled from
    /// `args`. With `html`, the text and the plain arguments are HTML-escaped (arguments that
    /// are HTML already are not), for templates; without, nothing is (feeds escape later).
    pub fn text(
        &self,
        key: &str,
        count: Option<u64>,
        args: &[Arg],
        html: bool,
    ) -> std::result::Result<String, String> {
        let entry = self.get(key).ok_or_else(|| {
            format!(
                "no translation `{key}`: add `{key} = \"...\"` to {}",
                self.english_shown.display()
            )
        })?;
        let template = match entry {
            Entry::Text(t) => t.as_str(),
            Entry::Plural(forms) => {
                let Some(n) = count else {
                    return Err(format!(
                        "`{key}` has plural forms: give `count`, as in t(key=\"{key}\", count=n)"
                    ));
                };
                let category = plural_category(&self.language, n);
                forms
                    .get(category)
                    .or_else(|| forms.get("other"))
                    .map_or("", String::as_str)
            }
            Entry::List(_) => {
                return Err(format!(
                    "`{key}` is a list of names, not a text: the `date` filter and the \
                     archive's `name` fields use it"
                ));
            }
        };
        let pieces = parse_template(template).map_err(|e| format!("`{key}`: {e}"))?;
        let mut out = String::with_capacity(template.len() + 16);
        let push = |s: &str, escape: bool, out: &mut String| {
            if escape {
                push_escaped(out, s);
            } else {
                out.push_str(s);
            }
        };
        for piece in pieces {
            match piece {
                Piece::Text(s) => push(s, html, &mut out),
                Piece::Brace(c) => out.push(c),
                Piece::Arg(name) => {
                    let count_text;
                    let (value, is_html) = match args.iter().find(|a| a.name == name) {
                        Some(a) => (a.value.as_str(), a.html),
                        None if name == "count" && count.is_some() => {
                            count_text = count.unwrap_or_default().to_string();
                            (count_text.as_str(), false)
                        }
                        None => {
                            return Err(format!(
                                "`{key}` needs `{name}`: give it, as in t(key=\"{key}\", {name}=...)"
                            ));
                        }
                    };
                    push(value, html && !is_html, &mut out);
                }
            }
        }
        Ok(out)
    }

    /// Plain text of `key` with `args` (for feeds and other non-HTML uses).
    pub fn plain(&self, key: &str, args: &[(&str, &str)]) -> Result<String> {
        let args: Vec<Arg> = args
            .iter()
            .map(|(name, value)| Arg {
                name,
                value: value.to_string(),
                html: false,
            })
            .collect();
        self.text(key, None, &args, false).map_err(Error::Other)
    }

    /// Item `i` (0-based) of the list `key` (`months`...), or `""`.
    pub fn list_item(&self, key: &str, i: usize) -> &str {
        match self.get(key) {
            Some(Entry::List(items)) => items.get(i).map_or("", String::as_str),
            _ => "",
        }
    }

    /// An RFC 3339 date in this language's `date_format`, as the `date` filter writes it.
    pub fn date_text(&self, rfc3339: &str) -> Option<String> {
        let format = match self.get("date_format") {
            Some(Entry::Text(f)) => f.as_str(),
            _ => "%-d %B %Y",
        };
        format_date(rfc3339, format, &|key, i| {
            self.list_item(key, i).to_string()
        })
        .ok()
    }

    /// The name of month `month` (1-12).
    pub fn month(&self, month: u32) -> &str {
        self.list_item("months", (month as usize).wrapping_sub(1))
    }

    /// A taxonomy's title (`taxonomy_<name>`), else its name capitalized.
    pub fn taxonomy_title(&self, name: &str) -> String {
        match self.get(&format!("taxonomy_{name}")) {
            Some(Entry::Text(t)) => t.clone(),
            _ => capitalize(name),
        }
    }

    /// A taxonomy's name inside a sentence (`taxonomy_<name>_in_text`), else its name.
    pub fn taxonomy_in_text(&self, name: &str) -> String {
        match self.get(&format!("taxonomy_{name}_in_text")) {
            Some(Entry::Text(t)) => t.clone(),
            _ => name.to_string(),
        }
    }

    /// Register `t()` and the language's `date` filter on a build's templates.
    pub fn register(self: &Arc<Self>, tera: &mut tera::Tera) {
        let words = Arc::clone(self);
        tera.register_function("t", move |kwargs: Kwargs, _: &State| words.call(&kwargs));
        let words = Arc::clone(self);
        // One post's date is shown on its page, in its list card and in the sidebar: each
        // (format, date) is formatted once per build.
        let formatted: Mutex<DateMemo> = Mutex::default();
        tera.register_filter("date", move |value: &str, kwargs: Kwargs, _: &State| {
            let default = match words.get("date_format") {
                Some(Entry::Text(f)) => f.as_str(),
                _ => "%-d %B %Y",
            };
            let format = kwargs.get::<&str>("format")?.unwrap_or(default);
            let known = |memo: &DateMemo| memo.get(format)?.get(value).cloned();
            if let Some(text) = known(&formatted.lock().unwrap_or_else(|e| e.into_inner())) {
                return Ok(text);
            }
            let text = Value::from(format_date(value, format, &|key, i| {
                words.list_item(key, i).to_string()
            })?);
            let mut memo = formatted.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry(format.to_string())
                .or_default()
                .insert(value.to_string(), text.clone());
            Ok(text)
        });
    }

    fn call(&self, kwargs: &Kwargs) -> tera::TeraResult<Value> {
        let key: &str = kwargs.must_get("key")?;
        if let Some(value) = self.constant.get(key)
            && kwargs.iter().all(|(name, _)| name.as_str() == Some("key"))
        {
            return Ok(value.clone());
        }
        let count = match kwargs.get::<Value>("count")? {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .or_else(|| v.as_i64().map(|i| i.unsigned_abs()))
                    .ok_or_else(|| {
                        tera::Error::message(format!(
                            "t(key=\"{key}\"): `count` must be a whole number, found {v}"
                        ))
                    })?,
            ),
        };
        let mut args = Vec::new();
        let mut default = None;
        for (name, value) in kwargs.iter() {
            let Some(name) = name.as_str() else { continue };
            match name {
                "key" | "count" => {}
                "default" => default = Some(value.clone()),
                _ => args.push(Arg {
                    name,
                    html: value.is_string() && value.is_safe(),
                    value: value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned),
                }),
            }
        }
        if self.get(key).is_none()
            && let Some(d) = default
        {
            let text = d.as_str().map_or_else(|| d.to_string(), str::to_owned);
            if d.is_safe() && d.is_string() {
                return Ok(Value::safe_string(&text));
            }
            return Ok(Value::safe_string(&escaped(&text)));
        }
        self.text(key, count, &args, true)
            .map(|s| Value::safe_string(&s))
            .map_err(tera::Error::message)
    }
}

fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `{{ date | date(format="%-d %B %Y") }}`: format an RFC 3339 date with chrono, month and
/// weekday names (`%B`, `%b`, `%A`, `%a`) from `names(list, index)`.
pub fn format_date(
    value: &str,
    format: &str,
    names: &dyn Fn(&str, usize) -> String,
) -> tera::TeraResult<String> {
    use chrono::Datelike;
    use chrono::format::{Fixed, Item};
    let date = chrono::DateTime::parse_from_rfc3339(value).map_err(|e| {
        tera::Error::message(format!(
            "date filter: `{value}` is not an RFC 3339 date ({e})"
        ))
    })?;
    let items: Vec<_> = chrono::format::StrftimeItems::new(format).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return Err(tera::Error::message(format!(
            "date filter: invalid format `{format}`"
        )));
    }
    let month = date.month0() as usize;
    let weekday = date.weekday().num_days_from_monday() as usize;
    // A month name with a day number next to it is in a date: some languages inflect it.
    let has_day = format.contains("%d") || format.contains("%-d") || format.contains("%e");
    let mut out = String::with_capacity(format.len() + 16);
    for item in items {
        let name = match &item {
            Item::Fixed(Fixed::LongMonthName) => {
                let in_date = if has_day {
                    names("months_in_date", month)
                } else {
                    String::new()
                };
                Some(if in_date.is_empty() {
                    names("months", month)
                } else {
                    in_date
                })
            }
            Item::Fixed(Fixed::ShortMonthName) => Some(names("months_short", month)),
            Item::Fixed(Fixed::LongWeekdayName) => Some(names("weekdays", weekday)),
            Item::Fixed(Fixed::ShortWeekdayName) => Some(names("weekdays_short", weekday)),
            _ => None,
        };
        match name {
            Some(n) if !n.is_empty() => out.push_str(&n),
            _ => {
                use std::fmt::Write;
                let _ = write!(out, "{}", date.format_with_items(std::iter::once(item)));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(lang: &str, ns: &[u64]) -> Vec<&'static str> {
        ns.iter().map(|&n| plural_category(lang, n)).collect()
    }

    #[test]
    fn english_and_german_have_one_and_other() {
        for lang in ["en", "de", "en-GB", "de-AT"] {
            assert_eq!(
                cats(lang, &[0, 1, 2, 21]),
                ["other", "one", "other", "other"]
            );
        }
    }

    #[test]
    fn french_and_brazilian_portuguese_say_one_for_zero_and_one() {
        for lang in ["fr", "fr-CA", "pt-BR"] {
            assert_eq!(
                cats(lang, &[0, 1, 2, 17, 1_000_000]),
                ["one", "one", "other", "other", "many"]
            );
        }
    }

    #[test]
    fn russian_and_ukrainian_have_one_few_many() {
        for lang in ["ru", "uk"] {
            assert_eq!(
                cats(lang, &[1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 0]),
                [
                    "one", "few", "few", "many", "many", "many", "many", "one", "few", "many",
                    "one", "many", "many"
                ]
            );
        }
    }

    #[test]
    fn arabic_has_all_six() {
        assert_eq!(
            cats("ar", &[0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111]),
            [
                "zero", "one", "two", "few", "few", "many", "many", "other", "other", "few", "many"
            ]
        );
    }

    fn tables(files: &[(&str, &str)]) -> Tables {
        let mut out = Tables::new();
        for (lang, text) in files {
            let shown = PathBuf::from(format!("templates/i18n/{lang}.toml"));
            out.entry(lang.to_string())
                .or_default()
                .push(Table::parse(text, &shown).unwrap());
        }
        out
    }

    #[test]
    fn plural_forms_and_placeholders_fill_in() {
        let t = Translations::new(
            &tables(&[
                (
                    "en",
                    "n = { one = \"{count} post\", other = \"{count} posts\" }\nq = \"“{term}” & {{x}}\"",
                ),
                (
                    "ru",
                    "n = { one = \"{count} запись\", few = \"{count} записи\", many = \"{count} записей\", other = \"{count} записи\" }",
                ),
            ]),
            "ru",
        );
        let n = |c| t.text("n", Some(c), &[], true).unwrap();
        assert_eq!([n(1), n(3), n(5)], ["1 запись", "3 записи", "5 записей"]);
        // `q` falls back to English, escaped for HTML, with its argument escaped too.
        let arg = Arg {
            name: "term",
            value: "<b>".into(),
            html: false,
        };
        assert_eq!(
            t.text("q", None, &[arg], true).unwrap(),
            "“&lt;b&gt;” &amp; {x}"
        );
        assert_eq!(t.warnings().len(), 1);
        assert!(t.warnings()[0].contains("`q`"), "{:?}", t.warnings());
        assert!(t.warnings()[0].starts_with("templates/i18n/ru.toml"));
        let err = t.text("nope", None, &[], true).unwrap_err();
        assert!(err.contains("`nope`") && err.contains("en.toml"), "{err}");
        let err = t.text("q", None, &[], true).unwrap_err();
        assert!(err.contains("needs `term`"), "{err}");
    }

    #[test]
    fn a_taxonomy_without_words_shows_its_name_capitalized() {
        let t = Translations::new(&tables(&[("en", "taxonomy_tags = \"Tags\"")]), "en");
        assert_eq!(t.taxonomy_title("tags"), "Tags");
        assert_eq!(t.taxonomy_title("series"), "Series");
        assert_eq!(t.taxonomy_in_text("series"), "series");
    }

    #[test]
    fn regional_languages_fall_back_to_their_base() {
        let t = Translations::new(
            &tables(&[
                ("en", "a = \"A\"\nb = \"B\""),
                ("pt", "a = \"pt A\"\nb = \"pt B\""),
                ("pt-BR", "b = \"br B\""),
            ]),
            "pt-BR",
        );
        assert_eq!(t.plain("a", &[]).unwrap(), "pt A");
        assert_eq!(t.plain("b", &[]).unwrap(), "br B");
        assert!(t.warnings().is_empty());
        let none = Translations::new(&tables(&[("en", "a = \"A\"")]), "es");
        assert_eq!(none.plain("a", &[]).unwrap(), "A");
        assert_eq!(none.warnings().len(), 1);
    }

    #[test]
    fn bad_tables_name_file_line_and_column() {
        let shown = Path::new("templates/i18n/fr.toml");
        let err = |text: &str| Table::parse(text, shown).unwrap_err().to_string();
        assert!(err("a = \"x\"\nb = ").starts_with("templates/i18n/fr.toml:2:"));
        assert!(
            err("a = \"x\"\nb = 3").starts_with("templates/i18n/fr.toml:2:5:"),
            "{}",
            err("a = \"x\"\nb = 3")
        );
        assert!(err("n = { one = \"x\" }").contains("no `other`"));
        assert!(err("n = { lots = \"x\", other = \"y\" }").contains("not a plural category"));
        assert!(err("months = [\"a\"]").contains("12 names"));
        assert!(err("a = \"{oops\"").contains("without its `}`"));
    }

    #[test]
    fn dates_use_the_table_names() {
        let names = |key: &str, i: usize| match key {
            "months" => ["janvier", "février", "mars"]
                .get(i)
                .unwrap_or(&"")
                .to_string(),
            "months_short" => "mars.".to_string(),
            "weekdays" => "mercredi".to_string(),
            _ => String::new(),
        };
        let d = "2026-03-04T10:00:00+00:00";
        assert_eq!(
            format_date(d, "%A %-d %B %Y", &names).unwrap(),
            "mercredi 4 mars 2026"
        );
        assert_eq!(format_date(d, "%-d %b", &names).unwrap(), "4 mars.");
        assert!(format_date("nope", "%Y", &names).is_err());
        assert!(format_date(d, "%Q", &names).is_err());
    }
}

#[cfg(test)]
mod built_in_tests {
    use super::*;

    fn placeholders(entry: &Entry) -> BTreeMap<String, ()> {
        let texts: Vec<&String> = match entry {
            Entry::Text(t) => vec![t],
            Entry::Plural(forms) => forms.values().collect(),
            Entry::List(_) => vec![],
        };
        texts
            .into_iter()
            .flat_map(|t| parse_template(t).unwrap())
            .filter_map(|p| match p {
                Piece::Arg(name) => Some((name.to_string(), ())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_built_in_table_is_complete_and_asks_only_for_what_english_gives() {
        let tables = super::super::theme::built_in_tables();
        let english = &tables[FALLBACK][0].entries;
        for (language, files) in &tables {
            let t = Translations::new(&tables, language);
            assert!(t.warnings().is_empty(), "{language}: {:?}", t.warnings());
            for (key, entry) in &files[0].entries {
                let Some(en) = english.get(key) else {
                    assert_eq!(
                        key, "months_in_date",
                        "{language} has `{key}`, English lacks it"
                    );
                    continue;
                };
                let (mine, theirs) = (placeholders(entry), placeholders(en));
                let count = matches!(en, Entry::Plural(_));
                for name in mine.keys() {
                    assert!(
                        theirs.contains_key(name) || (count && name == "count"),
                        "{language}: `{key}` uses `{{{name}}}`, which English does not"
                    );
                }
                assert_eq!(
                    std::mem::discriminant(entry),
                    std::mem::discriminant(en),
                    "{language}: `{key}` is not the same kind of value as in English"
                );
            }
            let direction = t.plain("direction", &[]).unwrap();
            assert_eq!(direction, if language == "ar" { "rtl" } else { "ltr" });
        }
    }
}
