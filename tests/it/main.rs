//! Integration tests: build sites in temp folders and assert on the parsed output.

mod archive;
mod build;
mod check;
mod cli;
mod errors;
mod escaping;
mod feeds;
mod fuzz;
mod harness;
mod highlight;
mod incremental;
mod metadata;
mod output;
mod sample;
mod serve;
