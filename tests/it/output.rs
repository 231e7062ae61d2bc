//! The output folder: replaced atomically, left alone on failure, never someone else's.

use std::fs;

use crate::harness::*;

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x");
    let built = site.built();
    let before = tree(&built.out);
    site.post("b.md", "title = \"B\"\ndate = \"soon\"", "x");
    assert!(site.build().is_err());
    assert_eq!(tree(&built.out), before);
    let leftovers: Vec<_> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("quire-new"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_rebuild_removes_pages_of_deleted_posts() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x")
        .post("b.md", "title = \"B\"\ndate = 2026-01-02", "x");
    let built = site.built();
    assert!(built.exists("posts/b/index.html"));
    fs::remove_file(site.root().join("content/posts/b.md")).unwrap();
    site.build().unwrap();
    assert!(!built.exists("posts/b/index.html"));
    assert!(built.exists("posts/a/index.html"));
}

#[test]
fn an_existing_folder_quire_did_not_write_is_never_replaced() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x")
        .write("public/my-notes.txt", "precious");
    let err = site.build().unwrap_err().to_string();
    assert!(err.contains("not written by Quire"), "{err}");
    assert_eq!(
        fs::read_to_string(site.out().join("my-notes.txt")).unwrap(),
        "precious"
    );
}

#[test]
fn output_flag_writes_elsewhere() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x");
    let elsewhere = tempfile::tempdir().unwrap();
    let mut options = site.options();
    options.output = Some(elsewhere.path().join("site"));
    quire::build(&options).unwrap();
    assert!(elsewhere.path().join("site/posts/a/index.html").exists());
    assert!(!site.out().exists());
}

#[test]
fn the_canaries_notice_any_change() {
    let site = TestSite::new();
    for change in 0..3 {
        let canaries = Canaries::plant(&site);
        canaries.assert_untouched();
        match change {
            0 => fs::write(canaries.beside().join("victim.txt"), "overwritten").unwrap(),
            1 => fs::remove_file(canaries.in_tmp().join("sub/deeper/note.md")).unwrap(),
            _ => fs::create_dir(canaries.in_tmp().join("new")).unwrap(),
        }
        let caught = std::panic::catch_unwind(|| canaries.assert_untouched()).is_err();
        assert!(caught, "change {change} went unnoticed");
    }
}
