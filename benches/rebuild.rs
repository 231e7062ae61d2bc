//! Live-preview latency on a generated 10,000-post site: from saving a post to (a) the rebuilt
//! page being on disk in the served folder and (b) open pages being told to reload over SSE.
//! Uses the real server, watcher and debounce, in-process.
//!
//! `cargo bench --bench rebuild` (or `-- --posts 2000 --edits 10` for a quicker run).

#[path = "support/corpus.rs"]
mod corpus;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use quire::serve::{ServeEvent, ServeOptions};

/// The same allocator as the `quire` binary.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let mut posts = 10_000;
    let mut edits = 20;
    let mut benching = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--posts" => posts = args.next().unwrap().parse().unwrap(),
            "--edits" => edits = args.next().unwrap().parse().unwrap(),
            // `cargo bench` passes --bench; test runners run bench binaries without it (or
            // with --list): they must not start a minute-long benchmark.
            "--bench" => benching = true,
            _ => {}
        }
    }
    if !benching {
        return;
    }
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let site = tempfile::Builder::new()
        .prefix("quire-bench-")
        .tempdir_in(&base)
        .unwrap();
    corpus::write_site(site.path(), posts, 1).unwrap();

    let rebuilds: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let log = rebuilds.clone();
    let started = Instant::now();
    let server = quire::serve::start(
        ServeOptions {
            build: quire::BuildOptions {
                root: site.path().to_path_buf(),
                ..Default::default()
            },
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            watch: true,
            debounce: quire::serve::DEFAULT_DEBOUNCE,
            port_attempts: 0,
            idle_timeout: quire::serve::DEFAULT_IDLE_TIMEOUT,
            max_streams: quire::serve::DEFAULT_MAX_STREAMS,
            stream_lifetime: quire::serve::DEFAULT_STREAM_LIFETIME,
        },
        Arc::new(move |e| match e {
            ServeEvent::Built { report, .. } => {
                if std::env::var_os("QUIRE_TIMINGS").is_some() {
                    eprintln!("{:?}", report.timings);
                }
                log.lock().unwrap().push(report.elapsed)
            }
            ServeEvent::Failed { error, .. } => panic!("build failed: {error}"),
            ServeEvent::Listening { .. } => {}
        }),
    )
    .unwrap();
    println!(
        "{posts} posts: first build and serve in {} ms",
        started.elapsed().as_millis()
    );
    let mut sse = subscribe(server.url());

    let kinds: [(&str, Edit); 3] = [
        ("body edit", |text, n| {
            text.replacen(
                "\n\n## ",
                &format!("\n\nEdited paragraph marker-{n}.\n\n## "),
                1,
            )
        }),
        ("tag added", |text, n| {
            text.replacen("tags = [", &format!("tags = [\"marker-{n}\", "), 1)
        }),
        ("title edit", |text, n| {
            text.replacen("title = \"", &format!("title = \"marker-{n} "), 1)
        }),
    ];
    println!(
        "{:<12} {:>24} {:>24} {:>14}",
        "change", "save -> on disk (ms)", "save -> reload (ms)", "rebuild (ms)"
    );
    for (k, (name, edit)) in kinds.iter().enumerate() {
        let mut disk = Vec::new();
        let mut reload = Vec::new();
        let before = rebuilds.lock().unwrap().len();
        for e in 0..edits {
            let i = (k * 997 + e * 131) % posts;
            let source = site.path().join(format!("content/posts/post-{i:06}.md"));
            let served = server
                .dir()
                .join(format!("posts/{}/index.html", slug_of(&source)));
            let marker = format!("marker-{}", k * 1000 + e);
            let text = std::fs::read_to_string(&source).unwrap();
            let edited = edit(&text, k * 1000 + e);
            std::thread::sleep(Duration::from_millis(50));
            let t0 = Instant::now();
            std::fs::write(&source, edited).unwrap();
            // Poll the served file from another thread while this one waits for the event.
            let poll = {
                let marker = marker.clone();
                let served = served.clone();
                let before = std::fs::metadata(&served).and_then(|m| m.modified()).ok();
                // Cheap polling (a stat per millisecond) so the poller does not steal the CPU
                // the rebuild needs; the file is read only once it has changed.
                std::thread::spawn(move || {
                    loop {
                        let now = std::fs::metadata(&served).and_then(|m| m.modified()).ok();
                        if now != before
                            && std::fs::read_to_string(&served).is_ok_and(|t| t.contains(&marker))
                        {
                            return t0.elapsed();
                        }
                        assert!(t0.elapsed() < Duration::from_secs(30), "never written");
                        std::thread::sleep(Duration::from_millis(1));
                    }
                })
            };
            wait_reload(&mut sse);
            reload.push(t0.elapsed());
            disk.push(poll.join().unwrap());
        }
        let builds = rebuilds.lock().unwrap()[before..].to_vec();
        print_row(name, disk, reload, builds);
    }

    // A new post, dated after every other: it goes to the top of the home page, its tags'
    // pages and the sidebar's latest posts.
    let mut disk = Vec::new();
    let mut reload = Vec::new();
    let before = rebuilds.lock().unwrap().len();
    for e in 0..edits {
        let source = site.path().join(format!("content/posts/new-{e:03}.md"));
        let served = server.dir().join(format!("posts/new-{e:03}/index.html"));
        let text = format!(
            "+++\ntitle = \"New post {e}\"\ndate = {}\ntags = [\"harbour\"]\n+++\n\nA new post, marker-new-{e}.\n",
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        );
        std::thread::sleep(Duration::from_millis(50));
        let t0 = Instant::now();
        std::fs::write(&source, text).unwrap();
        let poll = std::thread::spawn(move || {
            loop {
                if served.exists() {
                    return t0.elapsed();
                }
                assert!(t0.elapsed() < Duration::from_secs(60), "never written");
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        wait_reload(&mut sse);
        reload.push(t0.elapsed());
        disk.push(poll.join().unwrap());
    }
    let builds = rebuilds.lock().unwrap()[before..].to_vec();
    print_row("new post", disk, reload, builds);
    server.stop().unwrap();
}

/// One line of the results table: medians (min–max) of each measure.
fn print_row(
    name: &str,
    mut disk: Vec<Duration>,
    mut reload: Vec<Duration>,
    mut builds: Vec<Duration>,
) {
    println!(
        "{name:<12} {:>24} {:>24} {:>14}",
        summary(&mut disk),
        summary(&mut reload),
        summary(&mut builds)
    );
}

/// Rewrites a post's text, marking it with a number.
type Edit = fn(&str, usize) -> String;

fn slug_of(source: &Path) -> String {
    source.file_stem().unwrap().to_string_lossy().into_owned()
}

/// "median (min–max)" in milliseconds.
fn summary(values: &mut [Duration]) -> String {
    values.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(values[values.len() / 2]);
    format!(
        "{median:.1} ({:.1}–{:.1})",
        ms(values[0]),
        ms(values[values.len() - 1])
    )
}

fn subscribe(url: &str) -> BufReader<TcpStream> {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {} HTTP/1.1\r\nHost: {addr}\r\n\r\n",
        quire::serve::EVENTS_PATH
    )
    .unwrap();
    BufReader::new(stream)
}

fn wait_reload(sse: &mut BufReader<TcpStream>) {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(sse.read_line(&mut line).unwrap() > 0, "event stream closed");
        if line.trim() == "event: reload" {
            return;
        }
    }
}
