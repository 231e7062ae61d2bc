//! Generate a deterministic blog corpus for benchmarks:
//! `cargo run --release --example gen-corpus -- --posts 10000 --out /dev/shm/corpus [--seed 1]`

#[path = "../benches/support/corpus.rs"]
mod corpus;

use std::path::PathBuf;

fn main() {
    let mut posts = 1000usize;
    let mut out = PathBuf::from("corpus");
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--posts" => posts = value.parse().expect("--posts takes a number"),
            "--out" => out = PathBuf::from(value),
            "--seed" => seed = value.parse().expect("--seed takes a number"),
            _ => panic!("unknown argument {arg}; use --posts N --out DIR [--seed S]"),
        }
    }
    corpus::write_site(&out, posts, seed).expect("writing the corpus");
    println!("wrote {posts} posts to {}", out.display());
}
