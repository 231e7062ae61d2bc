//! The same sources give the same bytes: whatever order the file system lists files in, and
//! whatever the time zone, locale, number of threads or time of day of the build. Each build
//! is the real binary in a subprocess with its own environment, compared byte for byte.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::*;

/// Copy the tree at `from` to `to`, creating folders and files in name order, or in reverse
/// name order, so the two copies' directory entries are listed in different orders.
fn copy_tree(from: &Path, to: &Path, reverse: bool) {
    fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = fs::read_dir(from).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    if reverse {
        entries.reverse();
    }
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, reverse);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Build `root` into `out` with the binary, the environment cleared of locale and time zone
/// settings except `env`.
fn build(root: &Path, out: &Path, env: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut cmd = Command::new(quire_bin());
    cmd.arg("--root")
        .arg(root)
        .arg("build")
        .arg("--output")
        .arg(out);
    for var in [
        "TZ",
        "LANG",
        "LANGUAGE",
        "LC_ALL",
        "LC_TIME",
        "LC_COLLATE",
        "RAYON_NUM_THREADS",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let result = cmd.output().unwrap();
    assert!(
        result.status.success(),
        "{env:?}: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    tree(out)
}

/// Build the site at `source` (copied twice, in opposite orders) under every environment and
/// compare each output with the first, byte for byte.
fn builds_identically(source: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let (forward, backward) = (tmp.path().join("a"), tmp.path().join("b"));
    copy_tree(source, &forward, false);
    copy_tree(source, &backward, true);
    let out = |name: &str| -> PathBuf { tmp.path().join(format!("out-{name}")) };
    let base: &[(&str, &str)] = &[("TZ", "UTC"), ("LC_ALL", "C")];
    let first = build(&forward, &out("first"), base);
    assert!(first.len() > 10, "{} files", first.len());
    let locpath = turkish_locale();
    let mut turkish = vec![
        ("TZ", "UTC"),
        ("LC_ALL", "tr_TR.UTF-8"),
        ("LANG", "tr_TR.UTF-8"),
    ];
    if let Some(dir) = &locpath {
        turkish.push(("LOCPATH", dir.to_str().unwrap()));
    }
    let variants: &[(&str, &[(&str, &str)])] = &[
        (
            "tz-kiritimati",
            &[("TZ", "Pacific/Kiritimati"), ("LC_ALL", "C")],
        ),
        (
            "tz-st-johns",
            &[("TZ", "America/St_Johns"), ("LC_ALL", "C")],
        ),
        ("locale-tr", &turkish),
        ("locale-c-utf8", &[("TZ", "UTC"), ("LC_ALL", "C.UTF-8")]),
        (
            "threads-1",
            &[("TZ", "UTC"), ("LC_ALL", "C"), ("RAYON_NUM_THREADS", "1")],
        ),
        (
            "threads-2",
            &[("TZ", "UTC"), ("LC_ALL", "C"), ("RAYON_NUM_THREADS", "2")],
        ),
        (
            "threads-7",
            &[("TZ", "UTC"), ("LC_ALL", "C"), ("RAYON_NUM_THREADS", "7")],
        ),
    ];
    let compare = |name: &str, got: Vec<(String, Vec<u8>)>| {
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(names(&got), names(&first), "{name}: another file set");
        for ((path, bytes), (_, want)) in got.iter().zip(&first) {
            assert!(
                bytes == want,
                "{name}: {path} differs:\n{}\n---\n{}",
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(want)
            );
        }
    };
    compare("reverse order", build(&backward, &out("reverse"), base));
    for (name, env) in variants {
        compare(name, build(&forward, &out(name), env));
    }
    // A second later: nothing may carry the time of the build.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    compare("a second later", build(&forward, &out("later"), base));
}

/// A folder for `LOCPATH` holding tr_TR.UTF-8, compiled once with `localedef` into Cargo's
/// test scratch folder when the system does not have it (the system's locales are left alone);
/// `None` when it is installed or cannot be made, and then the test says so.
fn turkish_locale() -> Option<PathBuf> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let installed = Command::new("locale").arg("-a").output().is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.starts_with("tr_TR"))
        });
        if installed {
            return None;
        }
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let dir = scratch.join("locales");
        if dir.join("tr_TR.UTF-8").is_dir() {
            return Some(dir);
        }
        // Made aside and renamed into place, so concurrent tests never see half a locale.
        let fresh = tempfile::tempdir_in(scratch).unwrap();
        let made = Command::new("localedef")
            .args(["-i", "tr_TR", "-f", "UTF-8"])
            .arg(fresh.path().join("tr_TR.UTF-8"))
            .output()
            .is_ok_and(|o| o.status.success());
        if made {
            let _ = fs::rename(fresh.path(), &dir);
            Some(dir)
        } else {
            println!("tr_TR.UTF-8 is neither installed nor buildable: LC_ALL=tr_TR.UTF-8 means C");
            None
        }
    })
    .clone()
}

#[test]
fn the_sample_site_builds_byte_identically_in_any_environment() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    for part in ["config.toml", "content", "templates", "static"] {
        let from = repo.join(part);
        if from.is_dir() {
            copy_tree(&from, &tmp.path().join(part), false);
        } else {
            fs::copy(&from, tmp.path().join(part)).unwrap();
        }
    }
    builds_identically(tmp.path());
}

/// Many tags in many spellings (case, accents, the Turkish dotted and dotless i, whose case
/// mapping is the classic locale trap), posts on the same day and at the same instant in
/// different offsets, a draft and a post far in the future.
#[test]
fn a_site_with_many_tags_builds_byte_identically_in_any_environment() {
    let site = TestSite::new();
    let spellings = [
        "Rust",
        "rust",
        "RUST",
        "İstanbul",
        "istanbul",
        "Işık",
        "ışık",
        "Café",
        "cafe",
        "Straße",
        "strasse",
        "Ünïcode",
        "zeta",
        "Alpha",
        "alpha beta",
        "Alpha-Beta",
        "日本",
        "Ελλάδα",
    ];
    for i in 0..80 {
        let tags: Vec<String> = (0..4)
            .map(|k| format!("\"{}\"", spellings[(i * 5 + k * 7) % spellings.len()]))
            .chain([format!("\"tag {}\"", i % 30)])
            .collect();
        let date = match i % 4 {
            0 => format!("2026-03-{:02}", i % 28 + 1),
            1 => "2026-05-05T12:00:00+14:00".to_string(),
            2 => "2026-05-04T22:00:00Z".to_string(),
            _ => "2026-05-04T19:30:00-02:30".to_string(),
        };
        site.post(
            &format!("p{i:02}.md"),
            &format!(
                "title = \"Post {}\"\ndate = {date}\ntags = [{}]",
                i % 9,
                tags.join(", ")
            ),
            &format!("Body {i}. *Emphasis* and [a link](https://example.com/{i})."),
        );
    }
    site.post(
        "draft.md",
        "title = \"Draft\"\ndate = 2026-01-01\ndraft = true",
        "d",
    )
    .post(
        "future.md",
        "title = \"Future\"\ndate = 2099-01-01\ntags = [\"Rust\"]",
        "f",
    );
    builds_identically(site.root());
}
