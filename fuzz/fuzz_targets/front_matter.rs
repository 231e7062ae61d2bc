//! Any text through `Document::parse`: it returns `Ok` or `Err`, never panics, and every
//! error has a message and a position inside the text.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire::Error;
use quire::content::{Document, Kind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Err(err) = Document::parse(Path::new("content/posts/x.md"), Kind::Post, text) else {
        return;
    };
    assert!(!err.to_string().trim().is_empty(), "empty message: {err:?}");
    // Positions are computed on the text without its byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for e in err.flatten() {
        let Error::Source(d) = e else { continue };
        assert!(!d.message.trim().is_empty(), "empty message: {d:?}");
        let Some((line, col)) = d.position else {
            continue;
        };
        // A position may be just past the last character of a line (or of the text).
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(
            (1..=lines.len()).contains(&line),
            "line {line} outside 1..={}: {d:?}",
            lines.len()
        );
        let width = lines[line - 1].chars().count() + 1;
        assert!(
            (1..=width).contains(&col),
            "column {col} outside 1..={width} on line {line}: {d:?}"
        );
    }
});
