//! Nothing outside the output is ever touched (issue 11), through the binary: output paths
//! that go through symbolic links are checked where the kernel goes, not where the spelling
//! points; an output that is a file is refused; builds of one output wait for each other; an
//! old site that cannot be removed is a warning, and the next build still works.
//!
//! Every refusal is checked for its exit code, its message (at `config.toml` line:col when the
//! path came from `output_dir`), the sources, the previous output byte for byte, and the
//! `Canaries` that hostile paths aim at.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::faults::{Rng, diff, generated_site, set_version, snapshot};
use crate::harness::*;

/// `--output <output>`, run from the site root (so a relative path is relative to it).
fn build_to(site: &TestSite, output: &Path) -> Run {
    quire_build_in(
        site.root(),
        Some(site.root()),
        &[Path::new("--output"), output],
    )
}

/// The author's files: `config.toml` and everything under `content/`.
fn sources(site: &TestSite) -> Vec<(String, Vec<u8>)> {
    let mut files = tree(&site.root().join("content"));
    files.push((
        "config.toml".into(),
        fs::read(site.root().join("config.toml")).unwrap(),
    ));
    files
}

/// A built one-post site (its output snapshotted), with canaries planted beside it and in
/// the temp folder, and `a/b/c` folders for links to lead into.
fn hostile_site() -> (TestSite, Snapshot, Canaries) {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    site.built();
    let snap = Snapshot::take(&site.out());
    fs::create_dir_all(site.root().join("a/b/c")).unwrap();
    let canaries = Canaries::plant(&site);
    (site, snap, canaries)
}

/// The run failed with exit code 1 and exactly one error containing `reason`; nothing was
/// touched: the sources, the previous output (byte for byte, nothing left beside it), the
/// canaries, and no lock file was made. Returns the error.
#[track_caller]
fn refused(
    run: &Run,
    reason: &str,
    site: &TestSite,
    before: &[(String, Vec<u8>)],
    snap: &Snapshot,
    canaries: &Canaries,
) -> Reported {
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let errors = reported(&run.stderr);
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(errors[0].message.contains(reason), "{errors:#?}");
    assert_eq!(sources(site), before, "the sources changed");
    snap.assert_unchanged();
    canaries.assert_untouched();
    let stray: Vec<String> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".quire-"))
        .collect();
    assert!(stray.is_empty(), "left in the site: {stray:?}");
    errors[0].clone()
}

/// Item 2: the safety check resolves links before `..`, as the kernel does, in `output_dir`
/// and `--output`, relative and absolute, with `.`, trailing slashes, nested links, links to
/// `/` and to the canaries' folders, and folders below a link that do not exist yet.
#[test]
fn an_output_path_through_a_link_is_checked_where_the_kernel_goes() {
    let (site, snap, canaries) = hostile_site();
    let root = site.root();
    let beside = canaries.beside();
    let beside_name = beside.file_name().unwrap().to_string_lossy().into_owned();
    // `link` leads two folders down, so `link/../..` is the site root, not its parent.
    symlink(root.join("a/b"), root.join("link")).unwrap();
    symlink("b/c", root.join("a/deep")).unwrap();
    symlink("link", root.join("nested")).unwrap();
    symlink(root.join("content"), root.join("clink")).unwrap();
    // Into the canaries: one beside the site, one in the temp folder, reached through `/`.
    symlink(beside.join("sub"), root.join("into_canary")).unwrap();
    symlink(root.parent().unwrap(), root.join("up")).unwrap();
    symlink("/", root.join("slash")).unwrap();
    let in_tmp = canaries.in_tmp().to_string_lossy().into_owned();
    let via_slash = format!("slash{in_tmp}");
    let up_canary = format!("up/{beside_name}");
    let cases: Vec<(String, &str)> = vec![
        // What a lexical check let through: the swap then replaced `content/`.
        ("link/../../content".into(), "`content` folder"),
        ("link/../../content/".into(), "`content` folder"),
        ("./link/./../../content".into(), "`content` folder"),
        ("a/./deep/../../../content".into(), "`content` folder"),
        ("nested/../../content/posts".into(), "`content` folder"),
        ("link/../..".into(), "contains, the site root"),
        // Folders below the link do not exist yet: the output would land inside content/.
        ("clink/new/deeper".into(), "`content` folder"),
        (
            "clink/new/../../static/../content".into(),
            "`content` folder",
        ),
        // A foreign folder (the canary's `sub/`): `--output link2/../precious`.
        ("into_canary/../sub".into(), "not written by Quire"),
        ("into_canary/..".into(), "not written by Quire"),
        ("into_canary/deeper".into(), "not written by Quire"),
        (up_canary.clone(), "not written by Quire"),
        (format!("{up_canary}/sub/deeper/.."), "not written by Quire"),
        (via_slash.clone(), "not written by Quire"),
        (format!("{via_slash}/sub/"), "not written by Quire"),
        ("slash".into(), "file system root"),
        ("slash/tmp/..".into(), "file system root"),
    ];
    let before = sources(&site);
    for (path, reason) in &cases {
        // As `output_dir`: reported at the setting.
        site.write("config.toml", &format!("{CONFIG}output_dir = \"{path}\"\n"));
        let before_config = sources(&site);
        let run = quire_build_in(root, Some(root), &[]);
        let e = refused(&run, reason, &site, &before_config, &snap, &canaries);
        assert_eq!(
            (e.path.as_str(), e.position),
            ("config.toml", Some((6, 14))),
            "{path}: {e:#?}"
        );
        assert!(e.message.contains("`output_dir`"), "{e:#?}");
        // As `--output`, relative to the current folder, and absolute.
        site.write("config.toml", CONFIG);
        for output in [PathBuf::from(path), root.join(path)] {
            let run = build_to(&site, &output);
            refused(&run, reason, &site, &before, &snap, &canaries);
        }
    }
    // The message says where the link led.
    let run = build_to(&site, Path::new("link/../../content"));
    let shown = root.canonicalize().unwrap().join("content");
    assert!(
        run.stderr
            .contains(&format!("it leads to {}", shown.display())),
        "{}",
        run.stderr
    );
    // A link elsewhere that is new, or Quire's own, still builds (and writes through it).
    let run = build_to(&site, Path::new("link/../site-out"));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(root.join("a/site-out/index.html").exists());
    assert!(!root.join("site-out").exists());
    canaries.assert_untouched();
    snap.assert_unchanged();
}

/// Item 2, the source folders themselves behind links: `content` is a link to a folder
/// elsewhere, and an output inside that folder is refused wherever it is spelled from.
#[test]
fn an_output_inside_a_linked_source_folder_is_refused() {
    let (site, snap, canaries) = hostile_site();
    let elsewhere = tempfile::tempdir().unwrap();
    let real = elsewhere.path().join("posts-here");
    fs::rename(site.root().join("content"), &real).unwrap();
    symlink(&real, site.root().join("content")).unwrap();
    let before = sources(&site);
    for output in [
        real.join("out"),
        real.clone(),
        elsewhere.path().to_path_buf(),
    ] {
        let run = build_to(&site, &output);
        refused(&run, "`content` folder", &site, &before, &snap, &canaries);
    }
    assert!(!real.join("out").exists());
}

/// Item 4: an output that names an existing file is refused; the file, the sources and the
/// previous output stay as they were, and no hidden copy of the file is made.
#[test]
fn an_output_that_is_a_file_is_refused() {
    let (site, snap, canaries) = hostile_site();
    let root = site.root();
    site.write("notes.txt", "my notes\n");
    symlink(canaries.beside().join("victim.txt"), root.join("filelink")).unwrap();
    symlink("notes.txt", root.join("notelink")).unwrap();
    let names = |root: &Path| {
        let mut n: Vec<String> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    let before_names = names(root);
    let before = sources(&site);
    for path in [
        "config.toml",
        "notes.txt",
        "notes.txt/",
        "./notes.txt",
        "a/../notes.txt",
        "notelink",
        "filelink",
        "content/posts/good.md",
    ] {
        let reason = if path.starts_with("content") {
            "`content` folder"
        } else {
            "not a folder"
        };
        for output in [PathBuf::from(path), root.join(path)] {
            let run = build_to(&site, &output);
            refused(&run, reason, &site, &before, &snap, &canaries);
        }
        if path != "config.toml" {
            site.write("config.toml", &format!("{CONFIG}output_dir = \"{path}\"\n"));
            let with_setting = sources(&site);
            let e = refused(
                &quire_build_in(root, Some(root), &[]),
                reason,
                &site,
                &with_setting,
                &snap,
                &canaries,
            );
            assert_eq!(e.position, Some((6, 14)), "{path}: {e:#?}");
            site.write("config.toml", CONFIG);
        }
        assert_eq!(
            fs::read_to_string(root.join("notes.txt")).unwrap(),
            "my notes\n"
        );
        assert_eq!(names(root), before_names, "a file was renamed or added");
    }
    // The site still builds.
    assert_eq!(quire_build_in(root, Some(root), &[]).code, Some(0));
}

/// Item 4: a symbolic link as the output folder is written through: its target (new, or
/// Quire's own) gets the site, the link stays a link, and the rules apply to the target.
#[test]
fn a_linked_output_folder_is_written_through_and_its_target_checked() {
    let (site, _, canaries) = hostile_site();
    let root = site.root();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("www/blog");
    fs::remove_dir_all(root.join("public")).unwrap();
    symlink(&target, root.join("public")).unwrap();
    for round in 0..2 {
        site.post(
            "good.md",
            &format!("title = \"Round {round}\"\ndate = 2020-01-01"),
            "x",
        );
        let run = quire_build_in(root, Some(root), &[]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert!(
            fs::symlink_metadata(root.join("public"))
                .unwrap()
                .file_type()
                .is_symlink(),
            "the link was replaced"
        );
        let page = fs::read_to_string(target.join("posts/good/index.html")).unwrap();
        assert!(page.contains(&format!("Round {round}")));
        assert!(target.join(".quire-output").exists());
        // Nothing left beside the target: no staging folder, no lock file.
        let beside: Vec<_> = fs::read_dir(target.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(beside, ["blog"]);
    }
    // A link to a folder Quire did not write, or to `/`, is refused like the folder itself;
    // the site the link led to is left as it was.
    let snap = Snapshot::take(&target);
    let before = sources(&site);
    for (to, reason) in [
        (canaries.beside().to_path_buf(), "not written by Quire"),
        (canaries.in_tmp().join("sub"), "not written by Quire"),
        (PathBuf::from("/"), "file system root"),
        (root.join("static"), "`static` folder"),
    ] {
        fs::remove_file(root.join("public")).unwrap();
        symlink(&to, root.join("public")).unwrap();
        let run = quire_build_in(root, Some(root), &[]);
        let e = refused(&run, reason, &site, &before, &snap, &canaries);
        assert_eq!(e.position, None, "{e:#?}");
    }
}

/// Item 3, made certain: while another process holds the output's lock, a build waits and
/// says so (naming the output and the holder's pid), leaves the output alone, and builds
/// once the lock is let go.
#[test]
fn a_build_waits_for_another_build_of_the_same_output() {
    let site = TestSite::new();
    site.post("good.md", "title = \"Good\"\ndate = 2020-01-01", "Hello.");
    site.built();
    let snap = Snapshot::take(&site.out());
    site.post("good.md", "title = \"Better\"\ndate = 2020-01-01", "Hello.");
    let out = quire::output::check_output_dir(site.root(), &site.out()).unwrap();
    let held = quire::output::Lock::acquire(&out, |_| panic!("free")).unwrap();
    let child = Command::new(quire_bin())
        .arg("--root")
        .arg(site.root())
        .arg("build")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    snap.assert_unchanged();
    drop(held);
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "waiting for another quire build of {} (pid {})",
            out.display(),
            std::process::id()
        )),
        "{stderr}"
    );
    let page = fs::read_to_string(site.out().join("posts/good/index.html")).unwrap();
    assert!(page.contains("Better"));
}

/// Item 3: two and three builds of the same output started 0–300 ms apart, 30 rounds, on a
/// generated site (150 posts by default, to stay near 60 s in CI; the issue was seen with
/// 1,500: `QUIRE_RACE_POSTS=1500` runs that, about 8 minutes on a loaded 2-core machine). Every build succeeds; while they
/// run the output always has its index.html and marker; each round ends with exactly the
/// site of that round's sources, nothing beside it, and the next round builds.
#[test]
fn concurrent_builds_of_one_output_never_publish_a_partial_site() {
    let posts = std::env::var("QUIRE_RACE_POSTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150);
    let rounds = 30;
    let started = Instant::now();
    let site = generated_site(posts);
    let canaries = Canaries::plant(&site);
    let out = site.out();
    let build = || {
        let mut cmd = Command::new(quire_bin());
        cmd.arg("--root")
            .arg(site.root())
            .arg("build")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        cmd
    };
    let mut reference: Vec<BTreeMap<String, Vec<u8>>> = Vec::new();
    for version in [0, 1] {
        set_version(&site, version);
        assert!(build().status().unwrap().success());
        reference.push(snapshot(&out).unwrap());
    }
    assert_ne!(reference[0].len(), reference[1].len());
    let seed = 0xC0C0_2011;
    let mut rng = Rng(seed);
    let (mut waited, mut builds) = (0, 0);
    for round in 0..rounds {
        let version = round % 2;
        set_version(&site, version);
        let count = 2 + (rng.next() % 2) as usize;
        let mut children = Vec::new();
        for i in 0..count {
            if i > 0 {
                let offset = rng.between(0.0, 0.3);
                let until = Instant::now() + Duration::from_secs_f64(offset);
                // Watch the output while waiting to start the next one.
                while Instant::now() < until {
                    assert_whole(&out, round);
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            children.push(build().spawn().unwrap());
        }
        while children.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
            assert_whole(&out, round);
            std::thread::sleep(Duration::from_millis(5));
        }
        for child in children {
            let done = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&done.stderr);
            assert!(done.status.success(), "round {round}: {stderr}");
            builds += 1;
            if stderr.contains("waiting for another quire build") {
                waited += 1;
            }
        }
        let got = snapshot(&out).unwrap();
        assert!(
            got == reference[version],
            "round {round} (seed {seed:#x}): not the site of this round: {}; against the \
             other version: {}",
            diff(&got, &reference[version]),
            diff(&got, &reference[1 - version])
        );
        let beside: Vec<String> = fs::read_dir(site.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(beside.is_empty(), "round {round}: left beside: {beside:?}");
    }
    println!(
        "{rounds} rounds, {builds} builds of a {posts}-post site ({} files), {waited} of them \
         waited for another; {:.1} s",
        reference[0].len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        waited > 0,
        "no two builds ever overlapped: the test tested nothing"
    );
    canaries.assert_untouched();
}

/// The output is whole at this instant: it exists, with its index page and marker.
#[track_caller]
fn assert_whole(out: &Path, round: usize) {
    assert!(
        out.join("index.html").is_file() && out.join(".quire-output").is_file(),
        "round {round}: the output lost its index.html or marker"
    );
}

/// Item 11: an old site the build cannot remove (a read-only folder in it). The build
/// succeeds with a warning that says the new site is in place and which folder was left, and
/// why; the next build also succeeds (warning about the leftover), and once the user makes
/// it writable, the next build removes it.
///
/// Root ignores folder permissions, so as root the builds run as `nobody` through `setpriv`
/// (the site is handed to that user); without `setpriv`, the test says so and stops. What
/// it covers is a real permission failure; it does not cover other causes (EBUSY mounts).
#[test]
fn an_old_site_that_cannot_be_removed_is_a_warning_and_the_next_build_works() {
    let site = TestSite::new();
    let canaries = Canaries::plant(&site);
    site.post("good.md", "title = \"First\"\ndate = 2020-01-01", "Hello.");
    let root = site.root().to_path_buf();
    let as_root = rustix::process::geteuid().is_root();
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if as_root && setpriv.is_none() {
        println!("skipped: running as root without setpriv; root can remove read-only folders");
        return;
    }
    let run = || {
        let mut cmd = match (as_root, setpriv) {
            (true, Some(setpriv)) => {
                let mut c = Command::new(setpriv);
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                    .arg(quire_bin());
                c
            }
            _ => Command::new(quire_bin()),
        };
        let out = cmd.arg("--root").arg(&root).arg("build").output().unwrap();
        let run = Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    };
    if as_root {
        let status = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(&root)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let first = run();
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    // A read-only folder inside the old site: its file cannot be removed.
    let locked = root.join("public/posts/good");
    let chmod = |mode: &str, path: &Path| {
        let status = Command::new("chmod").arg(mode).arg(path).status().unwrap();
        assert!(status.success());
    };
    chmod("555", &locked);

    site.post("good.md", "title = \"Second\"\ndate = 2020-01-01", "Hello.");
    let second = run();
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    let page = fs::read_to_string(root.join("public/posts/good/index.html")).unwrap();
    assert!(page.contains("Second"), "the new site is not in place");
    let left = hidden(&root);
    assert_eq!(left.len(), 1, "{left:?}");
    let leftover = root.join(&left[0]);
    assert!(
        second
            .stderr
            .starts_with("warning: the new site is in place at ")
            && second.stderr.contains(&leftover.display().to_string())
            && second.stderr.contains("could not be removed")
            && second.stderr.contains(&format!(
                "{} is read-only",
                leftover.join("posts/good").display()
            )),
        "{}",
        second.stderr
    );

    site.post("good.md", "title = \"Third\"\ndate = 2020-01-01", "Hello.");
    let third = run();
    assert_eq!(
        third.code,
        Some(0),
        "the leftover broke the next build: {}",
        third.stderr
    );
    let page = fs::read_to_string(root.join("public/posts/good/index.html")).unwrap();
    assert!(page.contains("Third"));
    assert!(
        third.stderr.starts_with("warning: could not remove ")
            && third.stderr.contains(&leftover.display().to_string()),
        "{}",
        third.stderr
    );

    // Made writable, the leftover is removed by the next build, which warns no more.
    chmod("755", &leftover.join("posts/good"));
    let fourth = run();
    assert_eq!(fourth.code, Some(0), "{}", fourth.stderr);
    assert!(!fourth.stderr.contains("warning"), "{}", fourth.stderr);
    assert!(hidden(&root).is_empty(), "{:?}", hidden(&root));
    canaries.assert_untouched();
}

/// Hidden names in `dir` (what builds leave beside `public/`).
fn hidden(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    names
}
