//! Inputs the fuzz targets (`fuzz/`, docs/reliability.md) found failing, kept as tests.

use std::path::Path;

use quire::content::{Document, Kind};
use quire::error::Error;

/// `Document::parse`'s error for `text`, checked as the `front_matter` fuzz target checks it:
/// a message, and a position inside the text (at most one past a line's last character).
fn parse_error(text: &str) -> quire::error::Diagnostic {
    let err = Document::parse(Path::new("content/posts/x.md"), Kind::Post, text).unwrap_err();
    let Error::Source(d) = err else {
        panic!("not a source error: {err:?}")
    };
    assert!(!d.message.trim().is_empty(), "{d:?}");
    let (line, col) = d.position.expect("a position");
    let lines: Vec<&str> = text.split('\n').collect();
    assert!((1..=lines.len()).contains(&line), "{d:?}");
    assert!(
        (1..=lines[line - 1].chars().count() + 1).contains(&col),
        "{d:?}"
    );
    d
}

/// YAML also ends a line at a lone `\r`: its line numbers were taken as Quire's and pointed
/// past the end of the file's line (fuzz/artifacts/front_matter/crash-92d348db...).
#[test]
fn yaml_error_after_a_lone_carriage_return_is_inside_the_file() {
    let bytes = include_bytes!("../fixtures/fuzz/front_matter-yaml-lone-cr.md");
    parse_error(std::str::from_utf8(bytes).unwrap());

    let d = parse_error("---\ntitle: A\rdate: May 1\n---\n");
    assert_eq!(d.position, Some((2, 16)), "{d:?}");
    assert_eq!(d.source_line.as_deref(), Some("title: A\rdate: May 1"));
}

/// `{%}` inside a `{% raw %}` body was read as a tag closed by its own `%`, and a slice ran
/// backwards (fuzz/artifacts/shortcode/crash-c00e238c...).
#[test]
fn a_percent_brace_after_an_opening_is_not_a_tag() {
    use quire::markdown::shortcode::{Args, Call, Env, Output, PageInfo, SiteInfo, Templates};

    struct Html;
    impl Templates for Html {
        fn shortcode(&self, _: &str) -> Option<Output> {
            Some(Output::Html)
        }
        fn site_defines(&self, _: &str) -> bool {
            false
        }
        fn render(&self, _: &str, _: Output, _: &Call, _: &PageInfo) -> Result<String, String> {
            Ok("<b>x</b>".into())
        }
        fn has_include(&self, _: &str) -> bool {
            false
        }
        fn include(&self, _: &str, _: &Args, _: &PageInfo) -> Result<String, String> {
            Err("none".into())
        }
        fn version(&self, _: &str) -> u64 {
            0
        }
    }
    let bytes = include_bytes!("../fixtures/fuzz/shortcode-percent-brace.md");
    let page = PageInfo::default();
    let site = SiteInfo::default();
    let env = Env {
        templates: &Html,
        page: &page,
        site: &site,
        content_links: None,
    };
    // `{% endhighlight-%}`: the `-` was read into the name, and the arguments began after
    // the tag's end (fuzz/artifacts/shortcode/crash-7496995a...).
    let dash =
        String::from_utf8_lossy(include_bytes!("../fixtures/fuzz/shortcode-dash-percent.md"));
    for text in [
        std::str::from_utf8(bytes).unwrap(),
        &dash,
        "{% highlight ruby -%}\ndef x; end\n{% endhighlight-%}",
        "{% raw %}{%}{% endraw %}",
        "{%}",
        "{{}}",
    ] {
        let options = quire::markdown::Options {
            shortcodes: Some(&env),
            ..Default::default()
        };
        let rendered = quire::markdown::render(text, &options);
        for p in &rendered.problems {
            assert!(text.is_char_boundary(p.offset));
        }
    }
}

/// A vertical tab (or any white space that is not ASCII, such as U+3000) between Hugo
/// arguments made the argument loop push empty values forever, until memory ran out
/// (fuzz/artifacts/shortcode/oom-21f0fdde...). Rendered on a thread with a deadline, so a
/// return of the bug fails here instead of hanging.
#[test]
fn white_space_other_than_ascii_between_hugo_arguments() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let text =
            std::str::from_utf8(include_bytes!("../fixtures/fuzz/shortcode-vertical-tab.md"))
                .unwrap();
        let site = crate::harness::TestSite::new();
        site.post("v.md", "title = \"V\"\ndate = 2024-01-01", text);
        // `k= v`: an empty value before a space (fuzz/artifacts/shortcode/crash-e0040c9f...).
        let empty = include_bytes!("../fixtures/fuzz/shortcode-empty-value.md");
        site.post(
            "e.md",
            "title = \"E\"\ndate = 2024-01-03",
            &String::from_utf8_lossy(empty),
        );
        site.post(
            "u.md",
            "title = \"U\"\ndate = 2024-01-02",
            "{{< figure src=\"/x.png\"\u{3000}alt=\"A\" >}}",
        );
        let mut options = site.options();
        options.checks.keep_going = true;
        options.checks.mode = quire::check::Mode::Off;
        let report = quire::build(&options).map(|r| r.posts);
        let _ = done.send(report.map_err(|e| e.to_string()));
    });
    let posts = finished
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the build did not finish: the argument loop spins again")
        .unwrap();
    assert_eq!(posts, 3);
}
