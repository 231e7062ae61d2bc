//! The binary: exit codes, messages, and the init/new commands.

use assert_cmd::Command;

use crate::harness::*;

fn quire() -> Command {
    Command::cargo_bin("quire").unwrap()
}

#[test]
fn build_prints_a_one_line_summary_and_exits_zero() {
    let site = TestSite::new();
    site.post("a.md", "title = \"A\"\ndate = 2026-01-01", "x");
    let out = quire()
        .args(["--root"])
        .arg(site.root())
        .arg("build")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("Built 1 posts, "), "{stdout}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no progress when not on a terminal"
    );
    assert!(
        stdout.contains(" files ") && stdout.contains(" ms"),
        "{stdout}"
    );
}

#[test]
fn bad_front_matter_exits_non_zero_naming_file_line_and_column() {
    let site = TestSite::new();
    site.post("bad.md", "title = \"X\"\ndate = \"May 1\"", "x");
    let out = quire()
        .arg("--root")
        .arg(site.root())
        .arg("build")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("content/posts/bad.md:3:8"), "{stderr}");
    assert!(
        stderr.contains("expected a date like 2024-05-01"),
        "{stderr}"
    );
    assert!(
        stderr.contains("date = \"May 1\""),
        "the source line is shown: {stderr}"
    );
}

#[test]
fn init_creates_a_site_that_builds_and_new_adds_a_draft() {
    let tmp = tempfile::tempdir().unwrap();
    quire()
        .arg("--root")
        .arg(tmp.path())
        .args(["init", "blog"])
        .assert()
        .success();
    let root = tmp.path().join("blog");
    quire()
        .arg("--root")
        .arg(&root)
        .arg("build")
        .assert()
        .success();
    assert!(root.join("public/index.html").exists());
    assert!(root.join("public/about/index.html").exists());

    let out = quire()
        .arg("--root")
        .arg(&root)
        .args(["new", "Harbour news"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let posts: Vec<_> = std::fs::read_dir(root.join("content/posts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("-harbour-news.md"))
        .collect();
    assert_eq!(posts.len(), 1);
    let text = std::fs::read_to_string(root.join("content/posts").join(&posts[0])).unwrap();
    assert!(text.contains("draft = true"));
    // A draft does not appear in a normal build...
    quire()
        .arg("--root")
        .arg(&root)
        .arg("build")
        .assert()
        .success();
    assert!(!root.join("public/posts/harbour-news").exists());
    // ...and does with --drafts.
    quire()
        .arg("--root")
        .arg(&root)
        .args(["build", "--drafts"])
        .assert()
        .success();
    assert!(root.join("public/posts/harbour-news/index.html").exists());
}

#[test]
fn init_refuses_an_existing_site() {
    let site = TestSite::new();
    quire()
        .arg("--root")
        .arg(site.root())
        .args(["init", "."])
        .assert()
        .failure();
    assert_eq!(
        std::fs::read_to_string(site.root().join("config.toml")).unwrap(),
        CONFIG
    );
}

#[test]
fn missing_config_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let out = quire()
        .arg("--root")
        .arg(tmp.path())
        .arg("build")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("quire init"));
}

#[test]
fn help_and_version() {
    quire().arg("--help").assert().success();
    let out = quire().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn check_exits_non_zero_with_each_problem_located_and_zero_on_the_sample() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01",
        "Intro.\n\n[gone](/posts/gone/) and ![](/missing.png)",
    );
    let out = quire()
        .arg("--root")
        .arg(site.root())
        .arg("check")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    for expected in [
        "content/posts/a.md:7:1",
        "link `/posts/gone/` leads to a page the site does not have",
        "content/posts/a.md:7:26",
        "has no alt text",
        "image `/missing.png` not found",
        "3 problems found in 1 document",
    ] {
        assert!(stderr.contains(expected), "{expected:?} in:\n{stderr}");
    }
    assert!(!site.out().exists(), "check writes nothing");

    let out = quire()
        .arg("--root")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("no problems found"), "{stdout}");
}

#[test]
fn build_with_no_link_check_builds_a_site_with_broken_links() {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"A\"\ndate = 2026-01-01",
        "[gone](/posts/gone/)",
    );
    let run = |extra: &[&str]| {
        quire()
            .arg("--root")
            .arg(site.root())
            .arg("build")
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(!out.status.success());
    assert!(!site.out().exists());
    let out = run(&["--no-link-check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(site.out().join("posts/a/index.html").is_file());
}
