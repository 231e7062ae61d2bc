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
