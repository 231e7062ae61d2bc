//! Integration tests: build sites in temp folders and assert on the parsed output.

mod build;
mod cli;
mod errors;
mod feeds;
mod harness;
mod incremental;
mod output;
mod sample;
mod serve;
