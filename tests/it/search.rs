//! The search index under `/search/` and the search page: what is indexed, how words are
//! keyed (stems, folded accents, other scripts), filters, settings and bad input. The index
//! is read here as the search script reads it (src/search.rs describes the format).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::harness::{CONFIG, TestSite, attrs, select};

/// The compact numbers of the index: 5 bits a digit, the upper 32 digits continue a number.
fn numbers(s: &str) -> Vec<u32> {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
    let mut out = Vec::new();
    let mut acc = 0u32;
    for c in s.bytes() {
        let v = DIGITS.iter().position(|d| *d == c).expect("an index digit") as u32;
        if v >= 32 {
            acc = acc * 32 + (v - 32);
        } else {
            out.push(acc * 32 + v);
            acc = 0;
        }
    }
    out
}

/// An index as the script reads it.
struct Index {
    meta: Value,
    /// Every dictionary entry of every chunk.
    entries: BTreeMap<String, String>,
    /// Per document id, its fragment.
    docs: Vec<Value>,
    dir: std::path::PathBuf,
}

impl Index {
    fn read(out: &Path) -> Index {
        let dir = out.join("search");
        let meta: Value =
            serde_json::from_slice(&fs::read(dir.join("meta.json")).unwrap()).unwrap();
        let mut entries = BTreeMap::new();
        let chunks = meta["chunks"].as_array().unwrap();
        for (i, first) in chunks.iter().enumerate() {
            let chunk: BTreeMap<String, String> =
                serde_json::from_slice(&fs::read(dir.join(format!("t/{i}.json"))).unwrap())
                    .unwrap();
            // Each chunk starts at the key meta.json gives, and chunks are in key order.
            assert_eq!(chunk.keys().next().unwrap(), first.as_str().unwrap());
            if let Some(last) = entries.keys().next_back() {
                assert!(chunk.keys().next().unwrap() > last);
            }
            entries.extend(chunk);
        }
        let n = meta["documents"].as_u64().unwrap() as usize;
        let docs = (0..n)
            .map(|id| {
                serde_json::from_slice(&fs::read(dir.join(format!("d/{id}.json"))).unwrap())
                    .unwrap()
            })
            .collect();
        Index {
            meta,
            entries,
            docs,
            dir,
        }
    }

    fn urls(&self) -> BTreeSet<String> {
        self.docs
            .iter()
            .map(|d| d["url"].as_str().unwrap().to_string())
            .collect()
    }

    /// The documents a typed word finds (exactly, through its stem), with their scores.
    fn find(&self, word: &str) -> BTreeMap<String, u32> {
        let Some(mut value) = self.entries.get(word) else {
            return BTreeMap::new();
        };
        if let Some(stem) = value.strip_prefix('>') {
            value = &self.entries[stem];
        }
        let n = self.docs.len() as u32;
        let mut found = BTreeMap::new();
        if let Some(complement) = value.strip_prefix('!') {
            let mut without = BTreeSet::new();
            let mut id: i64 = -1;
            for gap in numbers(complement) {
                id += gap as i64 + 1;
                without.insert(id as u32);
            }
            for id in (0..n).filter(|i| !without.contains(i)) {
                found.insert(self.url(id), 0);
            }
        } else {
            let numbers = numbers(value);
            let mut id: i64 = -1;
            for pair in numbers.chunks(2) {
                id += pair[0] as i64 + 1;
                found.insert(self.url(id as u32), pair[1]);
            }
        }
        found
    }

    fn url(&self, id: u32) -> String {
        self.docs[id as usize]["url"].as_str().unwrap().to_string()
    }

    /// The documents of a filter value.
    fn filter(&self, name: &str, value: &str) -> BTreeSet<String> {
        let filters = self.meta["filters"].as_array().unwrap();
        let f = filters.iter().position(|f| f["name"] == name).unwrap();
        let v = filters[f]["values"]
            .as_array()
            .unwrap()
            .iter()
            .position(|v| v[0] == value)
            .unwrap_or_else(|| panic!("no {name} value {value}: {}", filters[f]));
        let list: String =
            serde_json::from_slice(&fs::read(self.dir.join(format!("f/{f}-{v}.json"))).unwrap())
                .unwrap();
        let mut id: i64 = -1;
        numbers(&list)
            .into_iter()
            .map(|gap| {
                id += gap as i64 + 1;
                self.url(id as u32)
            })
            .collect()
    }
}

fn urls(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn blog() -> TestSite {
    let site = TestSite::new();
    site.post(
        "storm.md",
        "title = \"Storm closes the quay\"\ndate = 2026-01-03\ntags = [\"Weather\", \"Harbour\"]\nauthor = \"Pat Reporter\"",
        "Waves were running over the wall. The harbourmaster spoke of a *zephyrine* gust.",
    )
    .post(
        "ferry.md",
        "title = \"Ferry timetable changes\"\ndate = 2026-01-02\ntags = [\"Harbour\"]",
        "The ferry runs twice a day from Monday. Crossings start at the quay.",
    )
    .post(
        "cafe.md",
        "title = \"A new café on the quay\"\ndate = 2026-01-01\ntags = [\"Food\"]",
        "The café serves soup. <script>var hidden = 'scriptword';</script>",
    )
    .post(
        "secret.md",
        "title = \"Draft\"\ndate = 2026-01-04\ndraft = true",
        "Unpublishedword stays out of the index.",
    )
    .post(
        "later.md",
        "title = \"Tomorrow\"\ndate = 2027-06-01",
        "Futureword stays out too.",
    )
    .write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nWe write about the quay and its aboutword.\n",
    );
    site
}

#[test]
fn the_index_lists_every_published_post_and_page_and_no_draft() {
    let site = blog();
    let built = site.built();
    let index = Index::read(&built.out);
    assert_eq!(
        index.urls(),
        urls(&["/posts/storm/", "/posts/ferry/", "/posts/cafe/", "/about/"])
    );
    assert_eq!(index.meta["documents"], 4);
    assert_eq!(index.meta["language"], "en");
    // Newest first, pages last: "sort by date" is "sort by id".
    assert_eq!(index.url(0), "/posts/storm/");
    assert_eq!(index.url(3), "/about/");
    for word in [
        "unpublishedword",
        "futureword",
        "draft",
        "scriptword",
        "hidden",
    ] {
        assert!(index.find(word).is_empty(), "{word} is in the index");
    }
    assert!(!index.entries.keys().any(|k| k.contains("unpublished")));
    // A word in one post's body finds that post alone; one in a page finds the page.
    assert_eq!(
        index.find("zephyrine").keys().collect::<Vec<_>>(),
        ["/posts/storm/"]
    );
    assert_eq!(
        index.find("aboutword").keys().collect::<Vec<_>>(),
        ["/about/"]
    );
    // Every fragment shows what a result needs.
    let storm = &index.docs[0];
    assert_eq!(storm["title"], "Storm closes the quay");
    assert_eq!(storm["date"], "2026-01-03");
    assert_eq!(storm["day"], "3 January 2026");
    assert_eq!(storm["author"], "Pat Reporter");
    assert_eq!(
        storm["terms"][0],
        serde_json::json!(["Weather", "/tags/weather/"])
    );
    assert!(storm["text"].as_str().unwrap().contains("zephyrine gust"));
    assert!(
        !index.docs[2]["text"]
            .as_str()
            .unwrap()
            .contains("scriptword")
    );
    assert!(
        !index.docs[2]["summary"]
            .as_str()
            .unwrap()
            .contains("scriptword")
    );
}

#[test]
fn words_are_found_by_stem_and_the_title_weighs_most() {
    let site = blog();
    let built = site.built();
    let index = Index::read(&built.out);
    // "running" and "runs" share a stem: either finds both posts.
    assert_eq!(index.entries["running"], ">run");
    let run = index.find("running");
    assert_eq!(
        run.keys().collect::<Vec<_>>(),
        ["/posts/ferry/", "/posts/storm/"]
    );
    assert_eq!(index.find("runs"), run);
    // Accents fold: "cafe" finds "café".
    assert_eq!(
        index.find("cafe").keys().collect::<Vec<_>>(),
        ["/posts/cafe/"]
    );
    // "ferry" is in one post's title and body, so it scores above a post with the word
    // in its body only.
    let ferry = index.find("ferry");
    assert_eq!(ferry.len(), 1);
    let quay = index.find("quay");
    assert_eq!(quay.len(), 4);
    // A word in more than half the documents is kept as the documents without it, and all
    // four have "quay": in the storm post's title it weighs more than in the page's body.
    let the = index.entries.get("the").unwrap();
    assert!(the.starts_with('!'), "{the}");
    // Tags and authors are searchable words as well as filters.
    assert!(index.find("weather").contains_key("/posts/storm/"));
    assert!(index.find("pat").contains_key("/posts/storm/"));
}

#[test]
fn filters_list_the_documents_of_each_tag_section_and_author() {
    let site = blog();
    let built = site.built();
    let index = Index::read(&built.out);
    assert_eq!(
        index.filter("tags", "Harbour"),
        urls(&["/posts/storm/", "/posts/ferry/"])
    );
    assert_eq!(index.filter("tags", "Food"), urls(&["/posts/cafe/"]));
    assert_eq!(
        index.filter("author", "Pat Reporter"),
        urls(&["/posts/storm/"])
    );
    assert_eq!(
        index.filter("section", "Posts"),
        urls(&["/posts/storm/", "/posts/ferry/", "/posts/cafe/"])
    );
    let tags = &index.meta["filters"][0];
    assert_eq!(tags["name"], "tags");
    assert_eq!(
        tags["values"],
        serde_json::json!([["Food", 1], ["Harbour", 2], ["Weather", 1]])
    );
    // The page offers the filters with labels, hidden until the script fills them.
    let page = built.page("/search/");
    assert_eq!(
        attrs(&page, "select[data-filter]", "name"),
        ["tags", "section", "author"]
    );
    assert_eq!(
        attrs(&page, "label[for=search-filter-tags]", "for").len(),
        1
    );
}

#[test]
fn the_search_page_works_without_javascript_and_only_it_has_a_script() {
    let site = blog();
    let built = site.built();
    let page = built.page("/search/");
    // A GET form that puts the query in the URL.
    let form = &select(&page, "form#search-form")[0];
    assert_eq!(form.value().attr("action"), Some("/search/"));
    assert_eq!(form.value().attr("method"), Some("get"));
    assert_eq!(
        attrs(&page, "#search-form input[type=search]", "name"),
        ["q"]
    );
    assert_eq!(attrs(&page, "#search-form", "data-index"), ["/search/"]);
    // Without JavaScript: a message linking the archive and the tag list.
    let noscript: String = select(&page, "noscript")[0].text().collect();
    let message = scraper::Html::parse_fragment(&noscript);
    assert_eq!(
        attrs(&message, "a", "href"),
        ["/archive/", "/tags/"],
        "{noscript}"
    );
    // The results are announced.
    assert_eq!(attrs(&page, "#search-status", "role"), ["status"]);
    assert_eq!(attrs(&page, "#search-status", "aria-live"), ["polite"]);
    assert_eq!(attrs(&page, "script", "src"), ["/search.js"]);
    assert!(built.exists("search.js"));
    assert_eq!(attrs(&page, "meta[name=robots]", "content"), ["noindex"]);
    // Every page has the masthead's search box, and no other page has a script.
    for entry in walkdir::WalkDir::new(&built.out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let doc = scraper::Html::parse_document(&fs::read_to_string(entry.path()).unwrap());
        let alias = !select(&doc, "meta[http-equiv=refresh]").is_empty();
        if !alias {
            assert_eq!(
                attrs(&doc, "form.masthead-search", "action"),
                ["/search/"],
                "{}",
                entry.path().display()
            );
        }
        // (The café post's body has the author's own inline script: no script file, though.)
        if !entry.path().ends_with("search/index.html") {
            assert!(
                select(&doc, "script[src], script[type=module]").is_empty(),
                "{}",
                entry.path().display()
            );
        }
    }
    // The search page is not listed for search engines.
    let sitemap = fs::read_to_string(built.out.join("sitemap.xml")).unwrap();
    assert!(!sitemap.contains("/search/"));
}

#[test]
fn under_a_base_path_every_search_url_has_it() {
    let site = blog();
    site.write(
        "config.toml",
        &CONFIG.replace("https://example.org/", "https://example.org/blog/"),
    );
    let built = site.built();
    let index = Index::read(&built.out);
    assert_eq!(
        index.urls(),
        urls(&[
            "/blog/posts/storm/",
            "/blog/posts/ferry/",
            "/blog/posts/cafe/",
            "/blog/about/"
        ])
    );
    assert_eq!(index.docs[0]["terms"][0][1], "/blog/tags/weather/");
    let page = built.page("/search/");
    assert_eq!(
        attrs(&page, "#search-form", "data-index"),
        ["/blog/search/"]
    );
    assert_eq!(attrs(&page, "#search-form", "action"), ["/blog/search/"]);
    assert_eq!(attrs(&page, "script", "src"), ["/blog/search.js"]);
    assert_eq!(
        attrs(&built.page("/"), "form.masthead-search", "action"),
        ["/blog/search/"]
    );
}

#[test]
fn russian_and_arabic_words_are_stemmed_and_folded() {
    let site = TestSite::with_config(&format!("{CONFIG}language = \"ru\"\n"));
    site.post(
        "books.md",
        "title = \"Полка\"\ndate = 2026-01-01",
        "Мы пришли с книгами и ёлкой.",
    )
    .post(
        "more.md",
        "title = \"Ещё\"\ndate = 2026-01-02",
        "Новая книга вышла. كِتَابٌ جديد",
    );
    let built = site.built();
    let index = Index::read(&built.out);
    assert_eq!(index.meta["language"], "ru");
    // "книгами" and "книга" share a stem: either finds both posts.
    let both = urls(&["/posts/books/", "/posts/more/"]);
    assert_eq!(
        index
            .find("книгами")
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>(),
        both
    );
    assert_eq!(
        index.find("книга").keys().cloned().collect::<BTreeSet<_>>(),
        both
    );
    // "ё" is looked up as "е"; Arabic vowel marks are left out.
    assert_eq!(index.find("елкои").len() + index.find("елкой").len(), 1);
    assert_eq!(
        index.find("كتاب").keys().collect::<Vec<_>>(),
        ["/posts/more/"]
    );
    // The page's words are Russian.
    let page = built.page("/search/");
    assert_eq!(
        attrs(&page, "#search-query", "id").len(),
        1,
        "the search field"
    );
    let label: String = select(&page, "label[for=search-query]")[0].text().collect();
    assert_eq!(label, "Поиск по блогу");
}

#[test]
fn search_settings_turn_it_off_choose_sections_and_leave_paths_out() {
    // Off: no page, no index, no script, no search box.
    let site = blog();
    site.write(
        "config.toml",
        &format!("{CONFIG}[search]\nenabled = false\n"),
    );
    let built = site.built();
    assert!(!built.exists("search"));
    assert!(!built.exists("search.js"));
    assert!(select(&built.page("/"), "form.masthead-search").is_empty());

    // Only the posts section, and a path left out.
    let site = blog();
    site.write(
        "content/notes/n.md",
        "+++\ntitle = \"Note\"\ndate = 2026-01-01\n+++\nNoteword.\n",
    )
    .write(
        "config.toml",
        &format!("{CONFIG}[search]\nsections = [\"posts\"]\nexclude = [\"/posts/cafe/\"]\n"),
    );
    let index = Index::read(&site.built().out);
    assert_eq!(index.urls(), urls(&["/posts/storm/", "/posts/ferry/"]));

    // "/" adds the pages at the top; a prefix ending in `*` leaves out everything under it.
    site.write(
        "config.toml",
        &format!("{CONFIG}[search]\nsections = [\"/\", \"notes\"]\nexclude = [\"/posts/*\"]\n"),
    );
    let index = Index::read(&site.built().out);
    assert_eq!(index.urls(), urls(&["/about/", "/notes/n/"]));
}

#[test]
fn bad_search_settings_are_errors_at_their_place() {
    let site = blog();
    site.write(
        "config.toml",
        &format!("{CONFIG}[search]\nsections = [\"posts\", \"newz\"]\n"),
    );
    let err = site.build().unwrap_err().to_string();
    assert!(err.starts_with("config.toml:7:12:"), "{err}");
    assert!(err.contains("`newz`, which is not a section"), "{err}");
    assert!(err.contains("posts"), "{err}");

    for (setting, wanted) in [
        ("exclude = [\"about\"]", "site paths like"),
        ("enabled = \"yes\"", "invalid type"),
        ("sectoins = []", "unknown field"),
    ] {
        site.write("config.toml", &format!("{CONFIG}[search]\n{setting}\n"));
        let err = site.build().unwrap_err().to_string();
        assert!(err.contains("config.toml:7"), "{setting}: {err}");
        assert!(err.contains(wanted), "{setting}: {err}");
    }
}

#[test]
fn a_page_without_words_and_a_huge_post_are_indexed_sensibly() {
    let site = TestSite::new();
    site.post("empty.md", "title = \"\"\ndate = 2026-01-01", "")
        .post(
            "punct.md",
            "title = \"— …\"\ndate = 2026-01-02",
            "*** --- !!!",
        );
    // A 50 MB post: all of it is searchable, its fragment keeps the first 64 KB.
    let mut body = String::with_capacity(50 << 20);
    let mut i = 0;
    while body.len() < 50 << 20 {
        body.push_str(&format!("filler{} words of a very long report. ", i % 1000));
        i += 1;
    }
    body.push_str("\n\nThe lastword is at the very end.\n");
    site.post("huge.md", "title = \"Huge\"\ndate = 2026-01-03", &body);
    let built = site.built();
    let index = Index::read(&built.out);
    assert_eq!(index.docs.len(), 3);
    assert_eq!(
        index.find("lastword").keys().collect::<Vec<_>>(),
        ["/posts/huge/"]
    );
    let fragment = fs::metadata(built.out.join("search/d/0.json"))
        .unwrap()
        .len();
    assert!(fragment < 70_000, "{fragment} bytes");
    // The post without words has a fragment and no dictionary entry of its own.
    assert!(index.urls().contains("/posts/empty/"));
}
