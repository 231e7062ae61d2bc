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
    /// Build the site in memory and report broken links, missing images and anchors, images
    /// without alt text; write nothing. Exits non-zero if anything is wrong.
    Check(CheckArgs),
    /// Build the site and serve it locally, rebuilding and reloading on changes.
    Serve(ServeArgs),
    /// Create a new site in DIR that builds as is.
    Init {
        /// Where to create the site (created if missing).
        dir: PathBuf,
    },
    /// Make a Zola, Hugo or Jekyll site into a Quire site in DEST, keeping its URLs, then
    /// build it and report what was not carried over. SRC is never written to.
    Import {
        /// The generator the site was made for: zola, hugo or jekyll.
        #[arg(long)]
        from: quire::import::Generator,
        /// The old site's folder.
        src: PathBuf,
        /// Where to make the Quire site (a new or empty folder outside SRC).
        dest: PathBuf,
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
    /// Build even if links or images inside the site lead nowhere.
    #[arg(long)]
    pub no_link_check: bool,
    /// Write shortcodes that are unknown or fail as their text, and leave out documents that
    /// cannot be read, listing each, instead of failing the build (for a migration that ships
    /// first and is fixed later).
    #[arg(long)]
    pub keep_going: bool,
    /// Print how long each stage of the build took.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Check drafts and posts dated in the future too.
    #[arg(long)]
    pub drafts: bool,
    /// Use this base URL instead of `base_url` from config.toml.
    #[arg(long)]
    pub base_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Only this machine can connect unless you pass e.g. 0.0.0.0, which
    /// lets other machines see the preview, drafts included.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on; if it is taken, the next free one is used.
    #[arg(long, short, default_value_t = 3131)]
    pub port: u16,
    /// Rebuild and reload open pages when files change (the default).
    #[arg(long, overrides_with = "no_watch")]
    pub watch: bool,
    /// Serve the site as built, without watching for changes.
    #[arg(long)]
    pub no_watch: bool,
    /// Include drafts and posts dated in the future.
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
}
