//! Any text through shortcode expansion and `markdown::render` with shortcodes on: never
//! panics, every offset it reports is a character boundary of the source, and a source
//! without `{` is rendered exactly as with shortcodes off.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::markdown::shortcode::{
    Args, Call, Env, Output, PageInfo, SiteInfo, Templates, expand,
};
use quire::markdown::{Options, render};

/// Templates for every name but `missing`: `md` writes Markdown, the rest HTML with a link.
struct Echo;

impl Templates for Echo {
    fn shortcode(&self, name: &str) -> Option<Output> {
        match name {
            "missing" => None,
            "md" => Some(Output::Markdown),
            _ => Some(Output::Html),
        }
    }
    fn site_defines(&self, name: &str) -> bool {
        name == "own"
    }
    fn render(&self, name: &str, _: Output, call: &Call, _: &PageInfo) -> Result<String, String> {
        if name == "fails" {
            return Err("failed".into());
        }
        Ok(format!(
            "<a href=\"/{name}/\">{}</a>{}",
            call.nth,
            call.body.unwrap_or("")
        ))
    }
    fn has_include(&self, name: &str) -> bool {
        name == "card.html"
    }
    fn include(&self, _: &str, args: &Args, _: &PageInfo) -> Result<String, String> {
        Ok(format!("<div>{}</div>", args.named.len()))
    }
    fn version(&self, key: &str) -> u64 {
        key.len() as u64
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let page = PageInfo::default();
    let site = SiteInfo {
        base_url: "https://example.org/blog/",
        base_path: "/blog/",
        ..SiteInfo::default()
    };
    let env = Env {
        templates: &Echo,
        page: &page,
        site: &site,
        content_links: None,
    };
    let expanded = expand(text, &env);
    for p in &expanded.problems {
        assert!(text.is_char_boundary(p.offset) && p.offset <= text.len());
    }
    for at in 0..=expanded.text.len() {
        if expanded.text.is_char_boundary(at) {
            let original = expanded.original(at);
            assert!(original <= text.len());
        }
    }
    let on = render(
        text,
        &Options {
            shortcodes: Some(&env),
            ..Options::default()
        },
    );
    for l in &on.links {
        assert!(text.is_char_boundary(l.offset) && l.offset <= text.len());
    }
    for p in &on.problems {
        assert!(text.is_char_boundary(p.offset) && p.offset <= text.len());
    }
    if !text.contains('{') {
        let off = render(text, &Options::default());
        assert_eq!(on.html, off.html);
    }
});
