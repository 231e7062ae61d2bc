//! Bad input: a clear error naming the file, line and column, and nothing written.

use crate::harness::*;
use quire::error::Error;

fn diagnostics(err: &Error) -> Vec<String> {
    err.flatten().iter().map(|e| e.to_string()).collect()
}

#[test]
fn every_bad_file_is_reported_in_one_run() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 42", "x")
        .write(
            "content/posts/b.md",
            "---\ntitle: B\ndate: not a date\n---\n",
        )
        .write("content/posts/c.md", "no front matter here\n")
        .post("d.md", "date = 2026-01-01", "x")
        .post("fine.md", "title = \"Fine\"\ndate = 2026-01-01", "x");
    let err = site.build().unwrap_err();
    let all = diagnostics(&err);
    assert_eq!(all.len(), 4, "{all:#?}");
    assert!(all[0].starts_with("content/posts/a.md:3:8:"), "{all:#?}");
    assert!(all[1].starts_with("content/posts/b.md:3:7:"), "{all:#?}");
    assert!(
        all[2].starts_with("content/posts/c.md:1:1: expected front matter"),
        "{all:#?}"
    );
    assert!(
        all[3].starts_with("content/posts/d.md:2:1: missing `title`"),
        "{all:#?}"
    );
}

#[test]
fn two_posts_with_the_same_url_name_both_files() {
    let site = TestSite::new();
    site.post(
        "one.md",
        "title = \"One\"\ndate = 2026-01-01\nslug = \"same\"",
        "x",
    )
    .post("2026-01-02-same.md", "title = \"Two\"", "x");
    let err = site.build().unwrap_err().to_string();
    assert!(err.contains("/posts/same/"), "{err}");
    assert!(err.contains("content/posts/one.md"), "{err}");
    assert!(err.contains("content/posts/2026-01-02-same.md"), "{err}");
}

#[test]
fn unknown_config_key_suggests_the_closest() {
    let site = TestSite::with_config(&format!("{CONFIG}titel = \"x\"\n"));
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.starts_with("config.toml:6:1: unknown key `titel`"),
        "{err}"
    );
    assert!(err.contains("did you mean `title`?"), "{err}");
}

#[test]
fn template_error_names_the_template_file_and_line() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x")
        .write("templates/post.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ post.title | nosuchfilter }}\n{% endblock content %}\n");
    let err = site.build().unwrap_err().to_string();
    assert!(err.starts_with("templates/post.html:3:"), "{err}");
}

#[test]
fn template_using_an_undefined_variable_fails_with_its_position() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x")
        .write("templates/post.html", "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ post.nosuchfield }}</p>\n{% endblock content %}\n");
    let err = site.build().unwrap_err().to_string();
    assert!(err.starts_with("templates/post.html:3:"), "{err}");
}

#[test]
fn permalink_with_date_needs_a_dated_post() {
    let site = TestSite::with_config(&format!("{CONFIG}permalink = \"/{{year}}/{{slug}}/\"\n"));
    site.post("undated.md", "title = \"U\"", "x");
    let err = site.build().unwrap_err().to_string();
    assert!(
        err.contains("content/posts/undated.md") && err.contains("date"),
        "{err}"
    );
}

#[test]
fn output_dir_that_is_a_source_folder_is_refused() {
    for bad in ["content", ".", "..", "static", "/"] {
        let site = TestSite::with_config(&format!("{CONFIG}output_dir = \"{bad}\"\n"));
        site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x");
        let err = site.build().unwrap_err();
        assert!(matches!(err, Error::UnsafeOutput { .. }), "{bad}: {err}");
        assert!(site.root().join("content/posts/a.md").exists());
    }
}
