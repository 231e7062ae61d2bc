//! Integration tests: build sites in temp folders and assert on the parsed output.

mod archive;
mod bad_input;
mod build;
mod check;
mod cli;
mod content_safety;
mod determinism;
mod errors;
mod escaping;
mod faults;
mod feeds;
mod fuzz;
mod harness;
mod highlight;
mod incremental;
mod metadata;
mod output;
mod output_paths;
mod output_safety;
mod sample;
mod sections;
mod serve;
mod serve_hostile;
mod serve_safety;
mod watch_faults;
