//! Command-line arguments (clap derive). Each command maps to one library call in `main`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "quire", version, about = "A fast static blog generator")]
pub struct Cli {
    /// The site folder (holding config.toml).
    #[arg(long, global = true, default_value = ".")]
    pub root: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (replaced only when the build succeeds).
    Build(BuildArgs),
    /// Create a new site in DIR that builds as is.
    Init {
        /// Where to create the site (created if missing).
        dir: PathBuf,
    },
    /// Create a draft post with today's date.
    New {
        /// The post's title.
        title: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Write here instead of `output_dir` from config.toml.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Include drafts and posts dated in the future.
    #[arg(long)]
    pub drafts: bool,
    /// Use this base URL instead of `base_url` from config.toml.
    #[arg(long)]
    pub base_url: Option<String>,
}
