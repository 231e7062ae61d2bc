//! A deterministic generator of realistic blog posts, shared by `examples/gen-corpus.rs` and
//! the benchmarks: 400–1500 words each, headings, lists, links, a blockquote, tables in some,
//! fenced code in ~20%, captioned images in ~30%, 1–6 tags drawn Zipf-like from 300 (some
//! non-ASCII, some multi-word), dates spread over 12 years.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// SplitMix64: tiny, fast, and the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "harbour",
    "ferry",
    "council",
    "tide",
    "storm",
    "market",
    "budget",
    "lighthouse",
    "quay",
    "report",
    "survey",
    "island",
    "winter",
    "timetable",
    "residents",
    "engineers",
    "repairs",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "on",
    "with",
    "after",
    "before",
    "during",
    "under",
    "said",
    "agreed",
    "proposed",
    "rejected",
    "measured",
    "reported",
    "estimated",
    "warned",
    "new",
    "old",
    "northern",
    "eastern",
    "small",
    "large",
    "weekly",
    "annual",
    "local",
    "road",
    "wall",
    "bridge",
    "school",
    "library",
    "clinic",
    "station",
    "beach",
    "pier",
    "committee",
    "volunteers",
    "fishermen",
    "traders",
    "visitors",
    "students",
    "officials",
];

const TAG_STEMS: &[&str] = &[
    "Harbour Life",
    "Ferries",
    "Council",
    "Weather",
    "Budget",
    "Transport",
    "Schools",
    "Health",
    "Economy",
    "Culture",
    "Sport",
    "Environment",
    "Housing",
    "Energy",
    "Fishing",
    "Tourism",
    "Heritage",
    "Science",
    "Politics",
    "Courts",
    "Café Society",
    "Москва",
    "São Miguel",
    "Zürich Notes",
    "Łódź",
    "Ελλάδα",
    "İstanbul",
    "Data",
    "Opinion",
    "Letters",
];

/// The 300 tag names, most popular first.
pub fn tags() -> Vec<String> {
    (0..300)
        .map(|i| {
            let stem = TAG_STEMS[i % TAG_STEMS.len()];
            match i / TAG_STEMS.len() {
                0 => stem.to_string(),
                n => format!("{stem} {n}"),
            }
        })
        .collect()
}

/// A tag index drawn Zipf-like (weight 1/rank).
fn zipf(rng: &mut Rng, n: usize) -> usize {
    // Inverse-transform sampling on the harmonic CDF, approximated by exp().
    let h = (n as f64).ln() + 0.5772;
    let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    (((u * h).exp() - 1.0) as usize).min(n - 1)
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str() + ".",
        None => s,
    }
}

fn paragraph(rng: &mut Rng, words: usize, count: &mut usize) -> String {
    let mut p = String::new();
    let mut left = words;
    while left > 0 {
        let n = (6 + rng.below(14)).min(left);
        if !p.is_empty() {
            p.push(' ');
        }
        p.push_str(&sentence(rng, n));
        left -= n;
    }
    *count += words;
    p
}

/// One post's full text (front matter and body).
pub fn post(rng: &mut Rng, i: usize, tags: &[String]) -> String {
    let target = 400 + rng.below(1100);
    let mut words = 0;
    let n = 4 + rng.below(6);
    let title = sentence(rng, n);
    let title = title.trim_end_matches('.');
    let days = rng.below(12 * 365);
    let date =
        chrono::NaiveDate::from_ymd_opt(2014, 1, 1).unwrap() + chrono::Days::new(days as u64);
    let mut chosen: Vec<&str> = Vec::new();
    for _ in 0..1 + rng.below(6) {
        let t = &tags[zipf(rng, tags.len())];
        if !chosen.contains(&t.as_str()) {
            chosen.push(t);
        }
    }
    let tag_list = chosen
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!("+++\ntitle = \"{title} {i}\"\ndate = {date}\ntags = [{tag_list}]\n");
    let image = rng.chance(30);
    if image {
        text.push_str(
            "image = \"/images/lead.svg\"\nimage_caption = \"A generated illustration.\"\n",
        );
    }
    text.push_str("+++\n\n");
    let n = 40 + rng.below(40);
    text.push_str(&paragraph(rng, n, &mut words));
    text.push_str("\n\n");
    let mut section = 0;
    while words < target {
        section += 1;
        let n = 3 + rng.below(4);
        let _ = write!(text, "## {}\n\n", sentence(rng, n).trim_end_matches('.'));
        let n = 60 + rng.below(80);
        text.push_str(&paragraph(rng, n, &mut words));
        let _ = write!(
            text,
            " See [the report](https://example.org/r/{i}/{section}) for more.\n\n"
        );
        match rng.below(6) {
            0 => {
                for _ in 0..3 + rng.below(3) {
                    let n = 5 + rng.below(6);
                    let _ = writeln!(text, "- {}", sentence(rng, n));
                }
                text.push('\n');
            }
            1 => {
                let _ = write!(text, "> {}\n\n", paragraph(rng, 25, &mut words));
            }
            2 if section % 3 == 0 => {
                text.push_str("| Item | Before | After |\n|---|---:|---:|\n");
                for r in 0..4 {
                    let word = rng.pick(WORDS);
                    let _ = writeln!(text, "| {word} | {} | {} |", r * 7 + i % 13, r * 9 + i % 11);
                }
                text.push('\n');
            }
            3 if image && section == 2 => {
                text.push_str(
                    "![A generated chart](/images/lead.svg \"Figures from the survey.\")\n\n",
                );
            }
            _ => {}
        }
    }
    if i.is_multiple_of(5) {
        text.push_str("```rust\nfn tide(height: f32) -> bool {\n    height > 4.2\n}\n```\n\n");
    }
    text.push_str(&paragraph(rng, 30, &mut words));
    text.push('\n');
    text
}

/// Write a site of `posts` posts under `dir` (config, content, one image).
pub fn write_site(dir: &Path, posts: usize, seed: u64) -> io::Result<()> {
    fs::create_dir_all(dir.join("content/posts"))?;
    fs::create_dir_all(dir.join("static/images"))?;
    fs::write(
        dir.join("config.toml"),
        "title = \"Corpus\"\ntagline = \"Generated posts\"\ndescription = \"A generated blog for benchmarks.\"\n\
         author = \"Bench Writer\"\nbase_url = \"https://example.org/\"\nposts_per_page = 10\n",
    )?;
    fs::write(
        dir.join("static/images/lead.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"4\"><rect width=\"8\" height=\"4\"/></svg>",
    )?;
    let tags = tags();
    let mut rng = Rng::new(seed);
    for i in 0..posts {
        fs::write(
            dir.join(format!("content/posts/post-{i:06}.md")),
            post(&mut rng, i, &tags),
        )?;
    }
    Ok(())
}
