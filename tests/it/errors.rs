//! Errors that name the file, line and column (the wider bad-input cases are in
//! `bad_input.rs`).

use crate::harness::*;

#[test]
fn template_error_names_the_template_file_and_line() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x")
        .write("templates/post.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ post.title | nosuchfilter }}\n{% endblock content %}\n");
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
