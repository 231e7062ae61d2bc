//! Profiling aid: build a site once, then rebuild it N times after touching one post, without
//! the watcher. `cargo run --release --example rebuild-loop -- DIR N`

use std::time::Instant;

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(args.next().expect("site folder"));
    let n: usize = args.next().map_or(50, |a| a.parse().expect("a count"));
    let out = tempfile::tempdir_in("/dev/shm").expect("temp folder");
    let mut options = quire::BuildOptions {
        root: root.clone(),
        ..Default::default()
    };
    options.base_url = Some("http://127.0.0.1:1/".into());
    let mut session = quire::Session::new(options);
    let dir = out.path().to_path_buf();
    let apply =
        |u: &quire::session::Update| quire::output::apply(&dir, &u.outputs, &u.copies, &u.removed);
    session
        .build(&quire::Changes::everything(), &dir, apply)
        .expect("first build");
    let post = std::fs::read_dir(root.join("content/posts"))
        .expect("posts")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("a post");
    let original = std::fs::read_to_string(&post).expect("read");
    let mut times = Vec::new();
    for i in 0..n {
        std::fs::write(&post, format!("{original}\nEdit {i}.\n")).expect("write");
        let changes = quire::Changes {
            content: [post.clone()].into(),
            ..Default::default()
        };
        let t = Instant::now();
        let report = session.build(&changes, &dir, apply).expect("rebuild");
        times.push(t.elapsed());
        if i == 0 {
            println!("{:?}", report.timings);
        }
    }
    std::fs::write(&post, original).expect("restore");
    times.sort();
    println!("median rebuild {:?} over {n}", times[n / 2]);
}
