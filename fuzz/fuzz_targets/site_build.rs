//! Any bytes as a post in a small site, built with the link checks on: `quire::build`
//! returns `Ok` or `Err`, never panics. One temporary site per process; the post is rewritten
//! for each input. (Issue 6 calls this target `build`; cargo forbids a binary of that name.)
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static SITE: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temp folder");
    std::fs::write(
        dir.path().join("config.toml"),
        "title = \"Fuzz\"\nbase_url = \"https://example.org/\"\n",
    )
    .expect("config.toml");
    std::fs::create_dir_all(dir.path().join("content/posts")).expect("content/posts");
    dir
});

fuzz_target!(|data: &[u8]| {
    let root: PathBuf = SITE.path().to_path_buf();
    std::fs::write(root.join("content/posts/fuzz.md"), data).expect("write the post");
    let options = quire::BuildOptions {
        output: Some(root.join("public")),
        root,
        // Drafts and future posts too, so every parsed post is rendered.
        drafts: true,
        now: chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").ok(),
        ..Default::default()
    };
    if let Err(e) = quire::build(&options) {
        assert!(!e.to_string().trim().is_empty(), "empty message: {e:?}");
    }
});
