//! Quire: a static blog generator.
//!
//! The build is one pipeline that reads top to bottom in [`build`]:
//! `config` → `content` (walk, front matter) → `markdown` → `site` (the model: sorted posts,
//! taxonomies, URLs) → `render` (Tera, view structs) → `output` (fresh folder, atomic swap).
//!
//! Invariants:
//! - Only `content::load`, `Config::load`, `render::Theme::load` and `output` touch the file
//!   system; everything between them is pure.
//! - Nothing outside `output` deletes files, and `output` only deletes inside the output folder
//!   and its own temporary siblings.
//! - The library never prints: it returns a [`Report`] or an [`Error`]; `main` shows them.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod config;
pub mod content;
pub mod error;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod site;

pub use error::{Error, Result};

/// ASCII, lower-case, hyphenated: the form of every generated slug and heading id.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}
