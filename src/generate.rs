//! Files made from the whole site once its pages are rendered: feeds and the sitemap today; a
//! search index or image derivatives join as one more [`Generator`], with no change to the
//! session that runs them.

use foldhash::HashMap;

use crate::config::Config;
use crate::error::Result;
use crate::output::Output;
use crate::render::{Emit, PostFingerprints};
use crate::routes::Owner;
use crate::site::Site;
use crate::table::Route;

/// What every generator may read.
pub struct Input<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
    /// Every page of the site.
    pub routes: &'a [Route],
    /// Per post (as `Site::posts`), the fingerprints of what lists and feeds show of it.
    pub posts: &'a [PostFingerprints],
}

/// The files a generator made: those that changed (unless they went to `emit`), and every
/// one of its paths with a fingerprint of what it holds.
pub type Generated = (Vec<Output>, Vec<(String, u64)>);

/// A maker of files from the whole site. Its paths are claimed before the pages are rendered
/// (so a page or a static file of the same path is found), and it makes only files whose
/// inputs changed since `previous` (the fingerprints it returned last time; a path missing
/// from it must be made).
pub trait Generator: Sync {
    /// Every path it writes and who writes it, as messages about a clash name them.
    fn claims(&self) -> Vec<(String, Owner)>;

    /// Make the files; changed ones go to `emit` when given.
    fn generate(
        &self,
        input: &Input,
        previous: &HashMap<String, u64>,
        emit: Option<Emit>,
    ) -> Result<Generated>;
}
