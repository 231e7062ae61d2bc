//! Criterion benchmarks of the hot functions, so a regression shows up per function:
//! front matter parsing, Markdown rendering, page rendering (per page) and a whole build of
//! 1,000 generated posts in memory. `cargo bench --bench hot`

#[path = "support/corpus.rs"]
mod corpus;

use std::path::Path;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use quire::content::{Document, Kind};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Generated posts (text), the same every run.
fn posts(n: usize) -> Vec<String> {
    let tags = corpus::tags();
    let mut rng = corpus::Rng::new(1);
    (0..n).map(|i| corpus::post(&mut rng, i, &tags)).collect()
}

fn config() -> quire::config::Config {
    quire::config::Config::parse(
        "title = \"Bench\"\nbase_url = \"https://example.org/\"\nauthor = \"B\"\n",
        Path::new("config.toml"),
    )
    .expect("a valid config")
}

fn documents(texts: &[String]) -> Vec<Arc<Document>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let path = format!("content/posts/post-{i:06}.md");
            Arc::new(Document::parse(Path::new(&path), Kind::Post, t).expect("a valid post"))
        })
        .collect()
}

fn hot(c: &mut Criterion) {
    let texts = posts(100);
    let options = quire::site::Options {
        drafts: false,
        now: chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap(),
        release_sources: false,
        reserved_ids: &[],
        shortcodes: None,
    };

    let mut group = c.benchmark_group("per post");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("front matter and document", |b| {
        b.iter(|| documents(&texts))
    });
    let docs = documents(&texts);
    group.bench_function("markdown render", |b| {
        let md = quire::markdown::Options::default();
        b.iter(|| {
            docs.iter()
                .map(|d| {
                    d.body
                        .with(|body| quire::markdown::render(body, &md).html.len())
                })
                .sum::<usize>()
        })
    });
    group.finish();

    // Pages of a 100-post site (home and tag pages, posts, archive), per page rendered.
    let config = config();
    // The built-in theme: loaded from a site folder without templates of its own.
    let empty = tempfile::tempdir().expect("a temp folder");
    let theme = quire::render::Theme::load(
        empty.path(),
        &quire::walk::Links::within(empty.path()).expect("a folder"),
    )
    .expect("the built-in theme");
    let site = quire::site::Site::assemble(&config, &docs, &options).expect("a site");
    let routes = quire::table::pages(&site, &config).expect("a route table");
    let pages = quire::render::render(
        &theme,
        &site,
        &config,
        &routes,
        &Default::default(),
        None,
        false,
        &Default::default(),
    )
    .expect("renders")
    .changed
    .len();
    let mut group = c.benchmark_group("per page");
    group.throughput(Throughput::Elements(pages as u64));
    group.bench_function("template render (default theme)", |b| {
        b.iter(|| {
            quire::render::render(
                &theme,
                &site,
                &config,
                &routes,
                &Default::default(),
                None,
                false,
                &Default::default(),
            )
        })
    });
    group.finish();

    // A whole build of 1,000 posts in memory: load, assemble, render, feeds, sitemap, checks.
    let dir = tempfile::tempdir().expect("a temp folder");
    corpus::write_site(dir.path(), 1000, 1).expect("a corpus");
    let mut group = c.benchmark_group("site");
    group.sample_size(10);
    group.bench_function("build 1,000 posts in memory", |b| {
        b.iter_batched(
            || quire::BuildOptions {
                root: dir.path().to_path_buf(),
                now: Some(options.now),
                ..Default::default()
            },
            |o| quire::check(&o).expect("builds"),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, hot);
criterion_main!(benches);
