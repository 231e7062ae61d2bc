//! The theme's words: a site in another language shows none of the English table, Arabic
//! pages read right to left, and a site's own translation file changes just its keys.

use std::path::Path;

use scraper::Html;

use crate::harness::{TestSite, attrs, select, text, texts};

/// The built-in English table's texts (plural forms included), by key.
fn english() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/i18n/en.toml");
    let table: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (key, value) in table {
        match value {
            toml::Value::String(s) => out.push((key, s)),
            toml::Value::Table(forms) => out.extend(
                forms
                    .into_iter()
                    .filter_map(|(_, v)| v.as_str().map(|s| (key.clone(), s.to_string()))),
            ),
            toml::Value::Array(items) => out.extend(
                items
                    .into_iter()
                    .filter_map(|v| v.as_str().map(|s| (key.clone(), s.to_string()))),
            ),
            _ => {}
        }
    }
    out
}

/// The parts of a translation between its placeholders that are long enough to mean
/// something (four letters or more).
fn words_of(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        let (part, next) = match rest.find('{') {
            Some(i) => (&rest[..i], rest[i..].find('}').map(|j| &rest[i + j + 1..])),
            None => (rest, None),
        };
        let part = part.trim_matches(|c: char| !c.is_alphanumeric());
        if part.chars().filter(|c| c.is_alphabetic()).count() >= 4 {
            out.push(part.to_string());
        }
        match next {
            Some(n) => rest = n,
            None => return out,
        }
    }
}

/// Whether `needle` occurs in `hay` as whole words (not inside a longer word).
fn has_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// What a reader sees or hears of a page: its text (title and body), and the attributes
/// that are read out or shown (aria-label, alt, title, meta descriptions and titles).
fn visible(doc: &Html) -> String {
    let mut out = String::new();
    for el in select(doc, "title, body") {
        out.push_str(&text(&el));
        out.push('\n');
    }
    // What a reader without JavaScript sees: a `noscript` holds markup, not text.
    for el in select(doc, "noscript") {
        let markup = text(&el);
        out = out.replace(&markup, "");
        out.push_str(&text(&Html::parse_fragment(&markup).root_element()));
        out.push('\n');
    }
    for attr in ["aria-label", "alt", "title", "placeholder"] {
        for v in attrs(doc, &format!("[{attr}]"), attr) {
            out.push_str(&v);
            out.push('\n');
        }
    }
    for v in attrs(
        doc,
        "meta[name=description], meta[property='og:title'], meta[property='og:description'], meta[property='og:image:alt']",
        "content",
    ) {
        out.push_str(&v);
        out.push('\n');
    }
    out
}

const FRENCH: &str = "title = \"Le Journal\"\ntagline = \"Nouvelles du port\"\n\
    description = \"Un *petit* journal.\"\nauthor = \"Anne Auteur\"\n\
    base_url = \"https://example.org/\"\nlanguage = \"fr\"\nposts_per_page = 2\n";

/// A French site with every kind of page: posts with tags and categories over two months,
/// three pages of posts, an updated post, a page, an alias, the archive and the 404.
fn french_site() -> TestSite {
    let site = TestSite::with_config(FRENCH);
    for (i, day) in [
        "2026-03-04",
        "2026-03-18",
        "2026-04-02",
        "2026-04-20",
        "2026-05-01",
    ]
    .iter()
    .enumerate()
    {
        let extra = if i == 0 {
            "\nupdated = 2026-03-10\naliases = [\"/ancien/\"]"
        } else {
            ""
        };
        site.post(
            &format!("billet-{i}.md"),
            &format!(
                "title = \"Billet numéro {i}\"\ndate = {day}\ntags = [\"port\", \"marée\"]\n\
                 categories = [\"Vie locale\"]{extra}"
            ),
            "## Première partie\n\nDu texte.\n\n## Deuxième partie\n\nEncore.\n\n## Troisième\n\nFin.",
        );
    }
    site.write(
        "content/a-propos.md",
        "+++\ntitle = \"À propos\"\n+++\nCe journal parle du port.\n",
    );
    site
}

#[test]
fn a_french_site_shows_no_english_words_on_any_page() {
    let site = french_site();
    let built = site.built();
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
    let french: toml::Table = toml::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/i18n/fr.toml"),
        )
        .unwrap(),
    )
    .unwrap();
    let french_text = |key: &str| format!("{:?}", french.get(key));
    // Every English word worth checking, unless French says the same (“Page”).
    let mut needles: Vec<(String, String)> = Vec::new();
    for (key, value) in english() {
        if value.contains('%') {
            continue;
        }
        for part in words_of(&value) {
            if !french_text(&key).contains(&part) {
                needles.push((key.clone(), part));
            }
        }
    }
    assert!(needles.len() > 60, "{needles:?}");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&built.out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let doc = Html::parse_document(&std::fs::read_to_string(entry.path()).unwrap());
        let shown = visible(&doc);
        for (key, word) in &needles {
            assert!(
                !has_words(&shown, word),
                "{} shows the English `{word}` (key `{key}`):\n{shown}",
                entry.path().display()
            );
        }
        assert_eq!(attrs(&doc, "html", "lang"), ["fr"]);
        assert_eq!(attrs(&doc, "html", "dir"), ["ltr"]);
    }
    // Home (3 pages), 5 posts, 1 page, 2 taxonomies, 3 terms (2 pages each), 404, the
    // archive (all, 1 year, 3 months) and the alias.
    assert!(pages >= 20, "only {pages} pages");

    // The words that replace them, composed from the page's facts.
    let home = built.page("/page/2/");
    assert_eq!(texts(&home, "title"), ["Le Journal — page 2 sur 3"]);
    assert_eq!(texts(&home, ".page-count"), ["Page 2 sur 3"]);
    let post = built.page("/posts/billet-0/");
    assert_eq!(texts(&post, "title"), ["Billet numéro 0 — Le Journal"]);
    assert_eq!(texts(&post, ".dateline"), ["4 mars 2026"]);
    assert_eq!(texts(&post, ".updated"), ["Mis à jour le 10 mars 2026"]);
    assert_eq!(texts(&post, ".reading-time"), ["1 min de lecture"]);
    assert_eq!(texts(&post, ".toc-title"), ["Sommaire"]);
    let tag = built.page("/tags/port/page/2/");
    assert_eq!(
        texts(&tag, "h1"),
        ["Articles étiquetés « port »"],
        "the tag page's heading"
    );
    assert_eq!(
        texts(&tag, "title"),
        ["Étiquettes : port (page 2 sur 3) — Le Journal"]
    );
    assert!(
        texts(&tag, ".page-intro")[0].starts_with("5 articles, page 2 sur 3."),
        "{:?}",
        texts(&tag, ".page-intro")
    );
    let month = built.page("/archive/2026/03/");
    assert_eq!(texts(&month, "h1"), ["mars 2026"]);
    assert_eq!(
        attrs(&month, "meta[name=description]", "content"),
        ["Articles de Le Journal : mars 2026."]
    );
    let not_found = built.page("/404.html");
    assert_eq!(texts(&not_found, "h1"), ["Page introuvable"]);
    let alias = built.page("/ancien/");
    assert_eq!(texts(&alias, "h1"), ["Cette page a été déplacée"]);
    assert_eq!(
        texts(&alias, "title"),
        ["Déplacé : Billet numéro 0 — Le Journal"]
    );
    let nav = texts(&home, "#nav a");
    assert_eq!(nav, ["Accueil", "Étiquettes", "À propos"]);

    // The feeds are titled in French too.
    let atom = std::fs::read_to_string(built.out.join("tags/port/atom.xml")).unwrap();
    assert!(
        atom.contains("<title>Le Journal : articles étiquetés « port »</title>"),
        "{atom}"
    );
}

#[test]
fn an_arabic_site_reads_right_to_left_in_arabic() {
    let site = TestSite::with_config(
        "title = \"المدونة\"\nauthor = \"سارة\"\nbase_url = \"https://example.org/\"\nlanguage = \"ar\"\nposts_per_page = 1\n",
    );
    site.post(
        "a.md",
        "title = \"الأولى\"\ndate = 2026-03-04\ntags = [\"البحر\"]",
        "نص.",
    );
    site.post(
        "b.md",
        "title = \"الثانية\"\ndate = 2026-03-05\ntags = [\"البحر\"]",
        "نص.",
    );
    let built = site.built();
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
    for url in ["/", "/posts/a/", "/tags/", "/archive/", "/404.html"] {
        let page = built.page(url);
        assert_eq!(attrs(&page, "html", "lang"), ["ar"], "{url}");
        assert_eq!(attrs(&page, "html", "dir"), ["rtl"], "{url}");
        assert_eq!(texts(&page, "#about-heading"), ["عن هذه المدونة"], "{url}");
    }
    let home = built.page("/");
    assert_eq!(texts(&home, "#nav a"), ["الرئيسية", "الوسوم"]);
    assert_eq!(texts(&home, ".page-count"), ["الصفحة 1 من 2"]);
    // Newer posts lie to the right in a right-to-left page, so its arrow points there.
    let second = built.page("/page/2/");
    assert_eq!(texts(&second, ".pagination .newer"), ["→ تدوينات أحدث"]);
    assert_eq!(texts(&second, ".reading-time"), ["دقيقة واحدة للقراءة"]);
    assert_eq!(
        texts(&built.page("/tags/"), ".term-index .count"),
        ["تدوينتان"]
    );
    assert_eq!(
        texts(&built.page("/posts/a/"), ".dateline"),
        ["4 مارس 2026"]
    );
}

#[test]
fn a_site_file_overrides_one_word_and_leaves_the_others() {
    let site = french_site();
    site.write(
        "templates/i18n/fr.toml",
        "# Just one word.\nnav_home = \"Une\"\n",
    );
    let built = site.built();
    assert!(
        built.report.warnings.is_empty(),
        "{:?}",
        built.report.warnings
    );
    let home = built.page("/");
    assert_eq!(texts(&home, "#nav a"), ["Une", "Étiquettes", "À propos"]);
    assert_eq!(texts(&home, "#about-heading"), ["À propos de ce blog"]);
}

#[test]
fn a_key_missing_from_a_site_table_falls_back_to_english_with_a_warning() {
    // Spanish has no built-in table: the site's own gives a few words.
    let site = TestSite::with_config(&FRENCH.replace("\"fr\"", "\"es\""));
    site.post("a.md", "title = \"Uno\"\ndate = 2026-03-04", "Texto.");
    site.write(
        "templates/i18n/es.toml",
        "nav_home = \"Inicio\"\nabout_heading = \"Acerca de este blog\"\n",
    );
    let built = site.built();
    let home = built.page("/");
    assert_eq!(texts(&home, "#nav a")[0], "Inicio");
    assert_eq!(texts(&home, "#about-heading"), ["Acerca de este blog"]);
    // English, never an empty string, for what the table lacks.
    assert_eq!(texts(&home, "#latest-heading"), ["Latest Posts"]);
    let warnings = &built.report.warnings;
    let latest: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("`latest_posts`"))
        .collect();
    assert_eq!(latest.len(), 1, "{warnings:#?}");
    assert!(
        latest[0].starts_with("templates/i18n/es.toml: "),
        "{}",
        latest[0]
    );
    assert!(!warnings.iter().any(|w| w.contains("`nav_home`")));

    // Through the binary: `quire build` prints them.
    let run = crate::harness::quire_build(site.root());
    assert!(
        run.stderr
            .contains("warning: templates/i18n/es.toml: no translation for `latest_posts`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_malformed_site_table_is_an_error_at_its_line_and_column() {
    let site = french_site();
    site.write(
        "templates/i18n/fr.toml",
        "nav_home = \"Une\"\nmin_read = 3\n",
    );
    let err = site.build().unwrap_err().to_string();
    assert!(err.starts_with("templates/i18n/fr.toml:2:12:"), "{err}");
    site.write("templates/i18n/fr.toml", "nav_home = \"Une\n");
    let err = site.build().unwrap_err().to_string();
    assert!(err.starts_with("templates/i18n/fr.toml:1:"), "{err}");
}

#[test]
fn a_key_no_table_has_is_a_template_error_naming_it() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-03-04", "x");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ t(key=\"no_such_words\") }}{% endblock content %}",
    );
    site.write("content/about.md", "+++\ntitle = \"About\"\n+++\nx\n");
    let err = site.build().unwrap_err().to_string();
    assert!(err.contains("templates/page.html:2:"), "{err}");
    assert!(err.contains("`no_such_words`"), "{err}");
}

#[test]
fn heading_ids_avoid_the_ids_the_loaded_theme_writes() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-03-04",
        "## Main\n\n## Colophon\n\nText.",
    );
    // A site footer with an element id of its own.
    let footer = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/fragments/footer.html"),
    )
    .unwrap();
    assert!(footer.contains("<footer class=\"site-footer\">"));
    let footer = footer.replace(
        "<footer class=\"site-footer\">",
        "<footer class=\"site-footer\" id=\"colophon\">",
    );
    site.write("templates/fragments/footer.html", &footer);
    let built = site.built();
    let post = built.page("/posts/a/");
    let ids = attrs(&post, ".post-body h2", "id");
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&"main".to_string()), "{ids:?}");
    assert!(!ids.contains(&"colophon".to_string()), "{ids:?}");
}
