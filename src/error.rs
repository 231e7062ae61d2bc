//! Typed errors. Every error that comes from a file names it, and where the position is known
//! (front matter, config, templates) carries a line and column so `main` can show the source line.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A problem at a known place in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub path: PathBuf,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    pub message: String,
    /// The text of the offending line, for showing context.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            position: None,
            message: message.into(),
            source_line: None,
        }
    }

    /// Attach a position given as a byte offset into `text` (the whole file).
    pub fn at_offset(mut self, text: &str, offset: usize) -> Self {
        let (line, column) = line_col(text, offset);
        self.position = Some((line, column));
        self.source_line = text.lines().nth(line - 1).map(str::to_owned);
        self
    }

    /// Attach a position found earlier: 1-based line and column and that line's text.
    pub fn at(mut self, position: Option<&(usize, usize, String)>) -> Self {
        if let Some((line, col, text)) = position {
            self.position = Some((*line, *col));
            self.source_line = Some(text.clone());
        }
        self
    }

    /// Attach a 1-based line and column in `text`.
    pub fn at_line_col(mut self, text: &str, line: usize, column: usize) -> Self {
        self.position = Some((line.max(1), column.max(1)));
        self.source_line = text.lines().nth(line.max(1) - 1).map(str::to_owned);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A serde or YAML type error in an author's words: Rust type names and parser terms become
/// what to write (`expected i64` -> `expected a whole number`).
pub fn plain_types(message: &str) -> String {
    message
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace(
            "expected a sequence",
            "expected a list, like [\"a\", \"b\"]",
        )
        .replace("expected sequence start", "expected a list, like [a, b]")
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("{0}")]
    Source(Diagnostic),

    #[error("two pages have the URL {url}: {} and {}", first.display(), second.display())]
    DuplicateUrl {
        url: String,
        first: PathBuf,
        second: PathBuf,
    },

    #[error("refusing to use {} as the output folder: {reason}", path.display())]
    UnsafeOutput { path: PathBuf, reason: String },

    /// A path that would leave the output folder, caught where paths are joined onto it.
    /// Sources report their own paths with a position first; this is the last line of defence.
    #[error(
        "refusing to write `{path}`: {problem}, so it could name a file outside the output folder"
    )]
    UnsafePath {
        path: String,
        problem: crate::routes::PathProblem,
    },

    /// Two outputs of one build would be the same file.
    #[error("{first} and {second} would both be written to {path}: change one of them")]
    OutputClash {
        path: String,
        first: String,
        second: String,
    },

    #[error("{0}")]
    Other(String),

    /// Several independent problems, reported together so one run shows them all.
    #[error("{}", display_many(.0))]
    Many(Vec<Error>),
}

fn display_many(errors: &[Error]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The error with ` (while <doing>)` after its message, saying what Quire was doing when a
    /// file's problem showed (which page was being rendered).
    pub fn while_doing(self, doing: &str) -> Error {
        match self {
            Error::Source(mut d) => {
                d.message = format!("{} (while {doing})", d.message);
                Error::Source(d)
            }
            Error::Other(m) => Error::Other(format!("{m} (while {doing})")),
            Error::Many(all) => {
                Error::Many(all.into_iter().map(|e| e.while_doing(doing)).collect())
            }
            other => other,
        }
    }

    pub fn io(path: impl AsRef<Path>, source: io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// Collapse a list of errors into one: itself if there is one, `Many` otherwise.
    pub fn from_many(mut errors: Vec<Error>) -> Option<Error> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Many(errors)),
        }
    }

    /// The individual errors, flattening `Many`.
    pub fn flatten(&self) -> Vec<&Error> {
        match self {
            Error::Many(list) => list.iter().flat_map(Error::flatten).collect(),
            other => vec![other],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4)); // after the two-byte é
        assert_eq!(line_col(text, 100), (3, 2)); // clamped to the end
    }

    #[test]
    fn plain_types_names_what_to_write() {
        assert_eq!(
            plain_types("invalid type: string \"ten\", expected i64"),
            "invalid type: string \"ten\", expected a whole number"
        );
        assert_eq!(
            plain_types("invalid type: string \"x\", expected a sequence"),
            "invalid type: string \"x\", expected a list, like [\"a\", \"b\"]"
        );
    }

    #[test]
    fn diagnostic_display_names_file_line_and_column() {
        let d = Diagnostic::new("content/posts/x.md", "bad date").at_offset("a\nbc", 3);
        assert_eq!(d.to_string(), "content/posts/x.md:2:2: bad date");
        assert_eq!(d.source_line.as_deref(), Some("bc"));
    }
}
