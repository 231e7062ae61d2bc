//! Faults of the build itself: a build killed at random points (around the output swap
//! included), a disk that fills up and a file size limit hit mid-build. After each, the output
//! is exactly the last complete site, and the next build leaves nothing beside it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::*;

/// Every file under `dir` with its bytes; `None` when `dir` is missing or cannot be read
/// whole (a half-removed folder), so a test can tell "missing" from "different".
pub(crate) fn snapshot(dir: &Path) -> Option<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.ok()?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).ok()?.display().to_string();
            files.insert(rel, fs::read(entry.path()).ok()?);
        }
    }
    Some(files)
}

/// What differs between two snapshots, briefly, for a failure message.
pub(crate) fn diff(got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>) -> String {
    let missing = want.keys().filter(|k| !got.contains_key(*k)).count();
    let extra = got.keys().filter(|k| !want.contains_key(*k)).count();
    let changed = want
        .iter()
        .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
        .count();
    format!("{missing} missing, {extra} extra, {changed} with other bytes")
}

/// Names in `root` other than the site's own folders and the output: what a build left.
fn leftovers(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !["config.toml", "content", "templates", "static", "public"].contains(&n.as_str())
        })
        .collect();
    names.sort();
    names
}

/// A site of `posts` posts over a dozen tags, long enough that a debug build takes a while.
pub(crate) fn generated_site(posts: usize) -> TestSite {
    let site = TestSite::new();
    let para = "Harbour notes: the tide came in at six, the ferry ran late, and the council met \
                about the wall. ";
    for i in 0..posts {
        let tags = format!("[\"t{}\", \"t{}\"]", i % 12, (i * 7) % 12);
        let body = format!(
            "Post {i}.\n\n{}\n\n## Part two\n\n{}",
            para.repeat(8),
            para.repeat(8)
        );
        site.post(
            &format!("p{i:04}.md"),
            &format!(
                "title = \"Post {i}\"\ndate = 2025-{:02}-{:02}\ntags = {tags}",
                i % 12 + 1,
                i % 28 + 1
            ),
            &body,
        );
    }
    site
}

/// Two versions of a site that differ in every page (the title) and in their file set (an
/// extra post), so the output tells which build produced it.
pub(crate) fn set_version(site: &TestSite, version: usize) {
    site.write(
        "config.toml",
        &CONFIG.replace("Test Blog", &format!("Test Blog v{version}")),
    );
    let extra = site.root().join("content/posts/extra.md");
    if version == 1 {
        site.post(
            "extra.md",
            "title = \"Extra\"\ndate = 2026-01-01",
            "Only in v1.",
        );
    } else {
        let _ = fs::remove_file(extra);
    }
}

fn build_cmd(root: &Path) -> Command {
    let mut cmd = Command::new(quire_bin());
    cmd.arg("--root")
        .arg(root)
        .arg("build")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// A small seeded generator (splitmix64), so a failing run can be repeated.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub(crate) fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
}

#[test]
fn a_build_killed_at_any_point_leaves_the_old_site_or_the_new_one_whole() {
    let site = generated_site(60);
    let out = site.out();
    let mut sites = Vec::new();
    // The fastest of the three builds: the first one is slowed by a cold cache.
    let mut duration = Duration::MAX;
    for version in [0, 1, 0] {
        set_version(&site, version);
        let start = Instant::now();
        let status = build_cmd(site.root()).status().unwrap();
        duration = duration.min(start.elapsed());
        assert!(status.success());
        sites.push(snapshot(&out).unwrap());
    }
    assert_eq!(sites[0], sites[2], "two builds of the same sources differ");
    assert_ne!(sites[0].len(), sites[1].len());
    sites.truncate(2);

    let seed = 0x5EED_F417;
    let mut rng = Rng(seed);
    let (mut old, mut new, mut finished, mut left) = (0, 0, 0, 0);
    let mut on_disk = 0;
    let budget = Instant::now();
    let mut tried = 0;
    // At most 50 kills in about 15 s; `KILL_LOOP_ITERATIONS=500` runs that many, unbounded in time.
    let (most, time) = match std::env::var("KILL_LOOP_ITERATIONS") {
        Ok(n) => (n.parse().unwrap(), Duration::MAX),
        Err(_) => (50, Duration::from_secs(15)),
    };
    while tried < most && budget.elapsed() < time {
        tried += 1;
        let target = 1 - on_disk;
        set_version(&site, target);
        // Even iterations kill anywhere in the build. Odd ones kill around the swap: they
        // wait until the sitemap appears in the staging folder (it is written with the last
        // files, after the link check, just before the swap), then a few milliseconds more.
        // Watching the build, not the clock, keeps the aim on a machine whose load varies.
        let d = duration.as_secs_f64();
        let near_end = tried % 2 == 1;
        let delay = if near_end {
            rng.between(0.0, 0.05 * d)
        } else {
            rng.between(0.0, 1.1 * d)
        };
        let mut child = build_cmd(site.root()).spawn().unwrap();
        let started = Instant::now();
        let sitemap = site
            .root()
            .join(format!(".public.quire-new-{}/sitemap.xml", child.id()));
        let mut aim = (!near_end).then_some(started);
        let exited = loop {
            if let Some(status) = child.try_wait().unwrap() {
                // Builds got faster: follow them.
                duration = (duration * 3 + started.elapsed()) / 4;
                break Some(status);
            }
            if aim.is_none() && sitemap.exists() {
                aim = Some(Instant::now());
                duration = (duration * 3 + started.elapsed()) / 4;
            }
            if aim.is_some_and(|t| t.elapsed().as_secs_f64() >= delay) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        let _ = child.kill();
        let status = child.wait().unwrap();
        let got = snapshot(&out).unwrap_or_else(|| {
            panic!("iteration {tried} (seed {seed:#x}, delay {delay:.3}s): the output is missing")
        });
        if exited.is_some() {
            assert!(status.success(), "iteration {tried}: the build failed");
            finished += 1;
        }
        if got == sites[on_disk] {
            assert!(
                exited.is_none(),
                "iteration {tried}: finished but kept the old site"
            );
            old += 1;
        } else if got == sites[target] {
            new += 1;
            on_disk = target;
        } else {
            panic!(
                "iteration {tried} (seed {seed:#x}, delay {delay:.3}s): a mix: against the old \
                 site {}; against the new one {}",
                diff(&got, &sites[on_disk]),
                diff(&got, &sites[target])
            );
        }
        if !leftovers(site.root()).is_empty() {
            left += 1;
        }
    }
    println!(
        "kill loop (seed {seed:#x}, build {:.0} ms): {tried} builds killed or finished: \
         {old} kept the old site, {new} had the new one ({finished} had finished before the \
         kill), {left} left a staging folder; bytes lost: 0",
        duration.as_secs_f64() * 1000.0
    );
    assert!(tried >= 10, "only {tried} iterations in the time budget");
    assert!(old > 0, "no kill landed before the swap");

    // A normal build succeeds and removes whatever the killed ones left.
    set_version(&site, 1 - on_disk);
    assert!(build_cmd(site.root()).status().unwrap().success());
    assert_eq!(snapshot(&out).unwrap(), sites[1 - on_disk]);
    assert!(
        leftovers(site.root()).is_empty(),
        "{:?}",
        leftovers(site.root())
    );
}

/// A site whose next build fails mid-way writing a page of about `big` bytes, after a first
/// build that succeeded: returns the site and its first output.
#[cfg(target_os = "linux")]
fn site_about_to_grow(big: usize) -> (TestSite, BTreeMap<String, Vec<u8>>) {
    let site = generated_site(20);
    assert!(build_cmd(site.root()).status().unwrap().success());
    let before = snapshot(&site.out()).unwrap();
    let line = "A long line of a very long post that will not fit where it is going. ";
    site.post(
        "huge.md",
        "title = \"Huge\"\ndate = 2026-02-01",
        &line.repeat(big / line.len()),
    );
    (site, before)
}

/// The file size limit (`ulimit -f`) with SIGXFSZ ignored, so the write that crosses it
/// fails with EFBIG: no privileges needed.
#[cfg(target_os = "linux")]
#[test]
fn a_write_failing_mid_build_names_the_file_and_keeps_the_previous_output() {
    let (site, before) = site_about_to_grow(400_000);
    let out = Command::new("sh")
        .arg("-c")
        // 256 blocks of 512 bytes: every page of the first build fits, the huge one does not.
        .arg("trap '' XFSZ; ulimit -f 256 && exec \"$0\" \"$@\"")
        .arg(quire_bin())
        .arg("--root")
        .arg(site.root())
        .arg("build")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot write ")
            && stderr.contains(&site.out().display().to_string())
            && stderr.contains("File too large"),
        "{stderr}"
    );
    assert_eq!(snapshot(&site.out()).unwrap(), before);
    assert!(
        leftovers(site.root()).is_empty(),
        "{:?}",
        leftovers(site.root())
    );
}

/// A small tmpfs as the output's file system, filled up by the second build. Mounting needs
/// privileges (root in a container may have them): without them the test says why and stops.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_fails_the_build_and_keeps_the_previous_output() {
    let (site, _) = site_about_to_grow(3_000_000);
    let disk = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(disk.path())
        .output();
    match &mounted {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            println!(
                "skipped: cannot mount a tmpfs here: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            println!("skipped: cannot run mount: {e}");
            return;
        }
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(disk.path());
    let public = disk.path().join("public");
    let build = |root: &Path| {
        Command::new(quire_bin())
            .arg("--root")
            .arg(root)
            .arg("build")
            .arg("--output")
            .arg(&public)
            .output()
            .unwrap()
    };
    // The first build without the huge post fits.
    let huge = site.root().join("content/posts/huge.md");
    let text = fs::read_to_string(&huge).unwrap();
    fs::remove_file(&huge).unwrap();
    assert!(build(site.root()).status.success());
    let before = snapshot(&public).unwrap();
    fs::write(&huge, text).unwrap();

    let out = build(site.root());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot write ")
            && stderr.contains(&public.display().to_string())
            && stderr.contains("No space left on device"),
        "{stderr}"
    );
    assert_eq!(snapshot(&public).unwrap(), before);
    let names: Vec<_> = fs::read_dir(disk.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["public"], "nothing left on the disk but the output");
}
