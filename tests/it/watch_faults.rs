//! `serve --watch` under abuse: files deleted while a rebuild reads them, folders renamed, a
//! thousand files at once, a save storm, a post caught half-written. After each the server is
//! still up and, once the files settle, serves exactly what they say.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::harness::*;

/// Poll until `done` holds for what the server serves, with a generous timeout for a busy
/// machine; the failure shows the last thing seen and the server's build log.
fn settle(running: &Running, what: &str, mut done: impl FnMut(&Running) -> Result<(), String>) {
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let last = match done(running) {
            Ok(()) => {
                // For docs/reliability.md: how many rebuilds the fault caused, and how
                // many of them failed (a half-written post) before the last good one.
                let events = running.events.lock().unwrap();
                let failed = events.iter().filter(|l| l.starts_with("failed")).count();
                let built = events.iter().filter(|l| l.starts_with("built")).count();
                println!("{what}: settled after {built} builds and {failed} failed ones");
                return;
            }
            Err(last) => last,
        };
        assert!(
            Instant::now() < deadline,
            "{what}: never settled; last seen: {last}\nbuilds: {:?}",
            running.events.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The server answers and the home page is a page, not an error overlay.
fn healthy(running: &Running) -> Result<(), String> {
    let home = get(running.server(), "/");
    if home.status != 200 {
        return Err(format!("home: {}", home.status));
    }
    if !select(&home.html(), "#quire-error-overlay").is_empty() {
        return Err(format!("error overlay: {}", home.body));
    }
    Ok(())
}

/// The post URLs listed in the served sitemap, sorted.
fn posts_in_sitemap(running: &Running) -> Vec<String> {
    let body = get(running.server(), "/sitemap.xml").body;
    let mut urls: Vec<String> = body
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split_once("</loc>"))
        .map(|(url, _)| url.to_string())
        .filter(|u| u.contains("/posts/"))
        .map(|u| format!("/posts/{}", u.split_once("/posts/").unwrap().1))
        // Posts only: not the lists of sections (`/posts/`, `/posts/many/page/2/`), whose
        // URLs are their folders under `content/`.
        .filter(|u| {
            let folder = running
                .site
                .root()
                .join("content")
                .join(u.trim_matches('/'));
            !u.contains("/page/") && !folder.is_dir()
        })
        .collect();
    urls.sort();
    urls
}

fn post_text(title: &str, day: usize) -> String {
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2026-01-{:02}\n+++\nBody of {title}.\n",
        day % 28 + 1
    )
}

/// The dev server's own debounce, so a burst is taken in as it would be by `quire serve`.
fn start(site: TestSite) -> Running {
    let running = Running::start_with(site, true, quire::serve::DEFAULT_DEBOUNCE);
    running.wait_for_builds(1);
    running
}

fn base_site() -> TestSite {
    let site = TestSite::new();
    site.post(
        "a.md",
        "title = \"Alpha\"\ndate = 2026-01-01",
        "Alpha body.",
    );
    site
}

/// The title of the post page at `url`, or what went wrong.
fn title_at(running: &Running, url: &str) -> Result<String, String> {
    let page = get(running.server(), url);
    if page.status != 200 {
        return Err(format!("{url}: {}", page.status));
    }
    Ok(texts(&page.html(), "main h1").join(" "))
}

#[test]
fn files_deleted_while_a_rebuild_reads_them() {
    let site = base_site();
    for i in 0..150 {
        site.write(
            &format!("content/posts/gone/g{i}.md"),
            &post_text(&format!("G{i}"), i),
        );
    }
    let running = start(site);
    let dir = running.site.root().join("content/posts/gone");
    // Three rounds: every file rewritten (a rebuild starts reading them), then deleted one by
    // one while that rebuild runs.
    for round in 0..3 {
        for i in (round * 50)..150 {
            let path = dir.join(format!("g{i}.md"));
            fs::write(&path, post_text(&format!("G{i} r{round}"), i)).unwrap();
        }
        std::thread::sleep(Duration::from_millis(30 * round as u64));
        for i in (round * 50)..(round * 50 + 50) {
            fs::remove_file(dir.join(format!("g{i}.md"))).unwrap();
        }
    }
    settle(&running, "deletions", |r| {
        healthy(r)?;
        let posts = posts_in_sitemap(r);
        if posts == ["/posts/a/"] {
            Ok(())
        } else {
            Err(format!("{} posts in the sitemap", posts.len()))
        }
    });
    assert_eq!(get(running.server(), "/posts/g0/").status, 404);
}

#[test]
fn renamed_folders_are_followed() {
    let site = base_site();
    site.write("content/posts/trip/index.md", &post_text("Trip", 2))
        .write("content/posts/trip/photo.txt", "photo");
    for i in 0..5 {
        site.write(
            &format!("content/posts/group-a/m{i}.md"),
            &post_text(&format!("M{i}"), i),
        );
    }
    let running = start(site);
    let posts = running.site.root().join("content/posts");
    // A bundle renamed: its URL follows its folder name.
    fs::rename(posts.join("trip"), posts.join("voyage")).unwrap();
    // A folder of posts renamed, then a post edited under the new name: the watcher must
    // report the new path, not the one the folder had when it was first watched.
    fs::rename(posts.join("group-a"), posts.join("group-b")).unwrap();
    settle(&running, "renames", |r| {
        healthy(r)?;
        let gone = get(r.server(), "/posts/trip/").status;
        let photo = get(r.server(), "/posts/voyage/photo.txt").body;
        let m0 = title_at(r, "/posts/m0/")?;
        if gone == 404 && photo == "photo" && m0 == "M0" {
            Ok(())
        } else {
            Err(format!(
                "/posts/trip/: {gone}, photo: {photo:?}, m0: {m0:?}"
            ))
        }
    });
    fs::write(posts.join("group-b/m0.md"), post_text("M0 edited", 0)).unwrap();
    fs::create_dir(posts.join("group-b/inner")).unwrap();
    fs::write(posts.join("group-b/inner/n.md"), post_text("N", 9)).unwrap();
    settle(&running, "an edit in the renamed folder", |r| {
        healthy(r)?;
        let m0 = title_at(r, "/posts/m0/")?;
        let n = title_at(r, "/posts/n/")?;
        if m0 == "M0 edited" && n == "N" {
            Ok(())
        } else {
            Err(format!("m0: {m0:?}, n: {n:?}"))
        }
    });
}

#[test]
fn a_thousand_files_created_at_once() {
    let running = start(base_site());
    let dir = running.site.root().join("content/posts/many");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..1000 {
        fs::write(
            dir.join(format!("n{i:04}.md")),
            post_text(&format!("N{i}"), i),
        )
        .unwrap();
    }
    settle(&running, "a thousand new posts", |r| {
        healthy(r)?;
        let n = posts_in_sitemap(r).len();
        if n == 1001 {
            Ok(())
        } else {
            Err(format!("{n} posts in the sitemap"))
        }
    });
    assert_eq!(title_at(&running, "/posts/n0999/").unwrap(), "N999");
}

#[test]
fn a_storm_of_saves_ends_with_the_last_one() {
    let running = start(base_site());
    let post = running.site.root().join("content/posts/a.md");
    for i in 0..100 {
        fs::write(&post, post_text(&format!("Save {i}"), 0)).unwrap();
        std::thread::sleep(Duration::from_millis(8));
    }
    settle(&running, "the last save", |r| {
        healthy(r)?;
        match title_at(r, "/posts/a/")? {
            t if t == "Save 99" => Ok(()),
            t => Err(t),
        }
    });
}

/// An editor that truncates the file, then writes it in pieces: the watcher sees an empty
/// file, then half a front matter, then the whole post.
fn write_slowly(path: &Path, text: &str) {
    let mut file = fs::File::create(path).unwrap();
    std::thread::sleep(Duration::from_millis(40));
    let (head, tail) = text.split_at(text.len() / 3);
    file.write_all(head.as_bytes()).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(40));
    file.write_all(tail.as_bytes()).unwrap();
}

#[test]
fn a_post_briefly_invalid_while_an_editor_writes_it() {
    let running = start(base_site());
    let post = running.site.root().join("content/posts/a.md");
    for i in 0..5 {
        write_slowly(&post, &post_text(&format!("Written {i}"), 0));
    }
    settle(&running, "the post written in pieces", |r| {
        healthy(r)?;
        match title_at(r, "/posts/a/")? {
            t if t == "Written 4" => Ok(()),
            t => Err(t),
        }
    });
}
