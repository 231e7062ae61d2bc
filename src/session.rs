//! The build pipeline with a memory. `quire build` is a session's first and only build;
//! `quire serve --watch` keeps the session and rebuilds on each change. Both run the same
//! code: a rebuild re-reads only changed sources, re-renders Markdown only for changed
//! documents, recomputes the cheap indexes (order, tags, pagination) every time, and renders
//! and writes only pages whose fingerprint changed. So a rebuild cannot disagree with a full
//! build.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::check::{self, Problem};
use crate::config::Config;
use crate::content::{self, Document, Scan};
use crate::error::{Error, Result};
use crate::fingerprint;
use crate::generate::Generator;
use crate::output::{Copy, Output};
use crate::render::{self, EmbeddedStatic, Theme};
use crate::routes::{Claims, Owner};
use crate::site::{self, Site};
use crate::{BuildOptions, load_config};

/// Where a build reports its progress, for a progress bar: the start of each stage, and
/// each page or feed written. Does nothing by default.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<dyn Fn(Step) + Send + Sync>>);

/// One step of [`Progress`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A stage begins: "reading", "rendering Markdown", "rendering pages", "checking".
    Stage(&'static str),
    /// One more file was written.
    Wrote,
    /// Another process (`holder`, when its pid could be read) is building the same output:
    /// this build waits until that one has finished with it.
    Waiting {
        output: PathBuf,
        holder: Option<u32>,
    },
}

impl Progress {
    pub fn new(report: impl Fn(Step) + Send + Sync + 'static) -> Progress {
        Progress(Some(Arc::new(report)))
    }

    pub fn report(&self, step: Step) {
        if let Some(f) = &self.0 {
            f(step);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}

/// Output path -> fingerprint.
type Fingerprints = HashMap<String, u64>;

/// What changed since the last build, as the watcher saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Forget everything and rebuild from scratch.
    pub everything: bool,
    pub config: bool,
    pub templates: bool,
    pub statics: bool,
    /// Absolute paths under `content/` that were modified, created or removed.
    pub content: BTreeSet<PathBuf>,
}

impl Changes {
    pub fn everything() -> Changes {
        Changes {
            everything: true,
            ..Changes::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// Add `other`'s changes to these.
    pub fn merge(&mut self, other: Changes) {
        self.everything |= other.everything;
        self.config |= other.config;
        self.templates |= other.templates;
        self.statics |= other.statics;
        self.content.extend(other.content);
    }
}

/// The end of the warning for a document `--keep-going` left out because it could not be read.
pub const LEFT_OUT: &str = " (left out: --keep-going)";

/// What one build produced, for the writer.
#[derive(Debug, Default)]
pub struct Update {
    /// Rendered pages and embedded theme files that are new or changed.
    pub outputs: Vec<Output>,
    /// Files to copy that are new or changed.
    pub copies: Vec<Copy>,
    /// Output paths that existed after the last build and no longer do.
    pub removed: Vec<String>,
    /// Each fragment's name and HTML (see [`BuildOptions::live_fragments`]).
    pub fragments: Vec<(String, String)>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct Report {
    pub posts: usize,
    /// Published posts and standalone pages.
    pub documents: usize,
    /// HTML pages in the site.
    pub pages: usize,
    /// All files in the site, pages included.
    pub files: usize,
    /// Pages rendered by this build (all of them on a first build).
    pub rendered: usize,
    /// Files written, copied or removed by this build.
    pub touched: usize,
    pub output: PathBuf,
    pub elapsed: Duration,
    /// Time since the start at the end of each stage (load, assemble, render, assets, write).
    pub timings: Vec<(&'static str, Duration)>,
    /// What the checks found, when they do not fail the build (`check::Mode::Warnings`).
    pub problems: Vec<Problem>,
    /// What went wrong without failing the build: an old site or a leftover beside the output
    /// that could not be removed.
    pub warnings: Vec<String>,
}

/// The sources of the last scan and their parsed documents, kept in scan order so a rebuild
/// touches only the entries that changed.
struct Sources {
    scan: Scan,
    /// Parallel to `scan.sources`: the hash of the file's bytes and its document, or `None`
    /// when it failed to load (it is read again on every build until it loads).
    docs: Vec<Option<(u64, Arc<Document>)>>,
    /// Source path -> position in `scan.sources`.
    index: HashMap<PathBuf, usize>,
}

/// A site being built, and what is known about its last build.
pub struct Session {
    options: BuildOptions,
    sources: Option<Sources>,
    theme: Option<Theme>,
    /// What the site assembly remembers between builds.
    memo: site::Memo,
    /// Output path -> fingerprint, for every page and file of the last successful build.
    pages: HashMap<String, u64>,
    assets: HashMap<String, u64>,
    /// Feeds, sitemap and robots.txt written: fingerprints of what they hold.
    generated: HashMap<String, u64>,
    /// Every file the generators made last time, those a static file replaced included.
    made: HashMap<String, u64>,
    /// Nothing will be rebuilt, so each document's source can go once rendered.
    once: bool,
    /// Where symbolic links could lead in the last build: when `allow_symlinks_outside`
    /// changes, the sources and templates are walked again.
    links: Option<crate::walk::Links>,
    /// The taxonomies the documents were read for.
    taxonomy_names: Vec<String>,
    /// The route table of the last successful build.
    routes: Vec<crate::table::Route>,
    /// Documents the last build left out because they could not be read (`--keep-going`),
    /// each as its error.
    skipped: Vec<String>,
    /// With `defer_search`: what the last build read for the search index (`None` inside:
    /// search is off), until [`Session::finish_search`] makes it.
    pending_search: Option<Option<crate::search::Prepared>>,
    /// With `defer_search`: every file of the search index written, with its fingerprint.
    search_files: HashMap<String, u64>,
    /// With `defer_search`: the fingerprint of what those files were made from.
    search_input: Option<u64>,
}

impl Session {
    pub fn new(options: BuildOptions) -> Session {
        Session {
            options,
            sources: None,
            theme: None,
            memo: site::Memo::default(),
            pages: HashMap::new(),
            assets: HashMap::new(),
            generated: HashMap::new(),
            made: HashMap::new(),
            once: false,
            links: None,
            taxonomy_names: Vec::new(),
            routes: Vec::new(),
            skipped: Vec::new(),
            pending_search: None,
            search_files: HashMap::new(),
            search_input: None,
        }
    }

    /// A session for a single build (`quire build`, `quire check`). It lets each document's
    /// Markdown source go once rendered, which is a third of a large site's memory.
    pub fn once(options: BuildOptions) -> Session {
        Session {
            once: true,
            ..Session::new(options)
        }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// Every page of the last successful build (see [`crate::table`]).
    pub fn routes(&self) -> &[crate::table::Route] {
        &self.routes
    }

    /// Every other file of the last successful build: static and bundle files, theme assets,
    /// feeds, sitemap and robots.txt.
    pub fn files(&self) -> BTreeSet<&str> {
        self.assets
            .keys()
            .chain(self.generated.keys())
            .map(String::as_str)
            .collect()
    }

    /// Build what `changes` affect and hand the result to `write`, which returns the number of
    /// files it touched. The session remembers the new state only if `write` succeeds.
    pub fn build(
        &mut self,
        changes: &Changes,
        output: &Path,
        write: impl FnOnce(&Update) -> Result<usize>,
    ) -> Result<Report> {
        self.build_streaming(changes, output, None, write)
    }

    /// [`Session::build`], with rendered pages handed to `emit` as they are made rather than
    /// collected into the update (`write` then gets the other files).
    pub fn build_streaming(
        &mut self,
        changes: &Changes,
        output: &Path,
        emit: Option<render::Emit>,
        write: impl FnOnce(&Update) -> Result<usize>,
    ) -> Result<Report> {
        let start = Instant::now();
        let root = self.options.root.clone();
        if changes.everything {
            self.forget();
        }
        let mut config = load_config(&root)?;
        if let Some(url) = &self.options.base_url {
            config.set_base_url(url)?;
        }
        if changes.templates || self.theme.is_none() {
            self.theme = None;
        }
        let progress = self.options.progress.clone();
        progress.report(Step::Stage("reading"));
        let links = crate::walk::Links::new(&root, &config)?;
        if self.links.as_ref().is_some_and(|l| *l != links) {
            self.sources = None;
            self.theme = None;
        }
        self.links = Some(links.clone());
        // Documents hold their terms per taxonomy: a new list of taxonomies reads them again.
        let taxonomy_names: Vec<String> =
            config.taxonomies.iter().map(|t| t.name.clone()).collect();
        if self.taxonomy_names != taxonomy_names {
            self.sources = None;
            self.taxonomy_names = taxonomy_names;
        }
        let theme_needed = self.theme.is_none();
        let (theme, documents) = rayon::join(
            || theme_needed.then(|| Theme::load(&root, &links)),
            || self.load_documents(&root, &links, changes),
        );
        let (theme, documents) = match (theme.transpose(), documents) {
            (Ok(t), Ok(d)) => (t, d),
            (t, d) => {
                let errors = [t.err(), d.err()].into_iter().flatten().collect();
                return Err(Error::from_many(errors).expect("at least one error"));
            }
        };
        if let Some(t) = theme {
            self.theme = Some(t);
        }

        let now = self
            .options
            .now
            .unwrap_or_else(|| chrono::Utc::now().fixed_offset());
        let theme = self.theme.as_ref().expect("theme loaded above");
        // Heading ids in Markdown avoid the ids this theme writes.
        let mut reserved_ids: Vec<&str> = theme.ids().iter().map(String::as_str).collect();
        reserved_ids.sort_unstable();
        // The words of the site's language; keys it lacks are warnings.
        let words = theme.translations(&config.language);
        let shortcodes = render::shortcodes::Shortcodes::new(theme, &config, Arc::clone(&words));
        let site_options = site::Options {
            drafts: self.options.drafts,
            now,
            release_sources: self.once,
            reserved_ids: &reserved_ids,
            shortcodes: Some(&shortcodes),
        };
        let mut timings = vec![("load", start.elapsed())];
        progress.report(Step::Stage("rendering Markdown"));
        let site = Site::assemble_with(&config, &documents, &site_options, &mut self.memo)?;
        timings.push(("assemble", start.elapsed()));
        // Every file that is not a page, claimed before the pages so that no two outputs can
        // share a path, whichever is written last.
        let (assets, mut update, mut claims) = self.assets(&root, &links, &site, &config)?;
        // The generated files are made after the pages, but their paths are known now.
        let mut generators: Vec<Box<dyn Generator>> = vec![
            Box::new(crate::feed::specs(&site, &config, &words)?),
            Box::new(crate::sitemap::Sitemap),
        ];
        if self.options.defer_search {
            // Made after this build; its files from last time stay where they are.
            self.pending_search = Some(if config.search.enabled {
                Some(crate::search::prepare(&site, &config, &words)?)
            } else {
                None
            });
            for path in self.search_files.keys() {
                claims.claim(path.clone(), Owner::Generated);
            }
        } else if config.search.enabled {
            generators.push(Box::new(crate::search::build(&site, &config, &words)?));
        }
        for generator in &generators {
            for (path, owner) in generator.claims() {
                claims.claim(path, owner);
            }
        }
        let claims = claims.into_result()?;
        timings.push(("assets", start.elapsed()));
        progress.report(Step::Stage("rendering pages"));
        // Every page once: rendering, the sitemap and the removals below all read this table.
        let routes = crate::table::pages(&site, &config)?;
        let mut pages = render::render(
            theme,
            &site,
            &config,
            &routes,
            &self.pages,
            emit,
            self.options.live_fragments,
            &claims,
        )?;
        timings.push(("render", start.elapsed()));
        let rendered = pages.rendered;
        let template_warnings = std::mem::take(&mut pages.warnings);
        update.outputs.extend(pages.changed);
        update.fragments = pages.fragments;
        let (generated, made, changed) = self.generated(
            &generators,
            &crate::generate::Input {
                site: &site,
                config: &config,
                routes: &routes,
                posts: &pages.post_fingerprints,
            },
            &assets,
            emit,
        )?;
        update.outputs.extend(changed);
        update.removed = self
            .pages
            .keys()
            .chain(self.assets.keys())
            .chain(self.generated.keys())
            .filter(|p| {
                !pages.fingerprints.contains_key(*p)
                    && !assets.contains_key(*p)
                    && !generated.contains_key(*p)
            })
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        timings.push(("feeds", start.elapsed()));
        progress.report(Step::Stage("checking links"));
        let exists = |p: &str| {
            pages.fingerprints.contains_key(p)
                || assets.contains_key(p)
                || generated.contains_key(p)
        };
        let mut problems = check::check(&site, &config, &exists, theme.ids(), self.options.checks);
        let checks = self.options.checks;
        let keep_going = checks.keep_going || config.shortcodes.keep_going;
        let mut shortcode_problems = check::shortcodes(&site);
        let mut shortcode_warnings = Vec::new();
        if checks.mode == check::Mode::Warnings {
            problems.append(&mut shortcode_problems);
        }
        // A body let go once rendered is read again here, for the lines the problems quote.
        for p in problems.iter_mut().chain(shortcode_problems.iter_mut()) {
            let d = &mut p.diagnostic;
            if let (Some((line, _)), None) = (d.position, &d.source_line) {
                d.source_line = content::source_line(&root, &d.path, line);
            }
        }
        if keep_going {
            // Written as their text; listed at the end of the build.
            shortcode_warnings = shortcode_problems
                .drain(..)
                .map(|p| format!("{} (written as it is: --keep-going)", p.diagnostic))
                .collect();
        }
        let mut errors: Vec<Error> = Vec::new();
        if !shortcode_problems.is_empty() {
            let n = shortcode_problems.len();
            errors.extend(
                shortcode_problems
                    .into_iter()
                    .map(|p| Error::Source(p.diagnostic)),
            );
            errors.push(Error::Other(format!(
                "{n} shortcode{} could not be expanded, so nothing was written \
                 (`quire build --keep-going` writes them as they are and lists them)",
                if n == 1 { "" } else { "s" },
            )));
        }
        if checks.mode == check::Mode::Errors && !problems.is_empty() {
            let n = problems.len();
            errors.extend(problems.into_iter().map(|p| Error::Source(p.diagnostic)));
            errors.push(Error::Other(format!(
                "{n} problem{} with links or images, so nothing was written \
                 (`quire build --no-link-check` builds anyway)",
                if n == 1 { "" } else { "s" },
            )));
            return Err(Error::Many(errors));
        }
        if !errors.is_empty() {
            return Err(Error::Many(errors));
        }
        timings.push(("check", start.elapsed()));
        let touched = write(&update)?;
        timings.push(("write", start.elapsed()));

        let report = Report {
            posts: site.posts.len(),
            documents: site.posts.len() + site.pages.len(),
            pages: pages.fingerprints.len(),
            files: pages.fingerprints.len() + assets.len() + generated.len(),
            rendered,
            touched,
            output: output.to_path_buf(),
            elapsed: start.elapsed(),
            timings,
            problems,
            warnings: words
                .warnings()
                .iter()
                .cloned()
                .chain(documents.iter().flat_map(|d| d.warnings.iter().cloned()))
                .chain(template_warnings)
                .chain(shortcode_warnings)
                .chain(self.skipped.iter().cloned())
                .chain(check::kramdown(&site))
                .collect(),
        };
        self.pages = pages.fingerprints;
        self.assets = assets;
        self.generated = generated;
        self.made = made;
        self.routes = routes;
        Ok(report)
    }

    /// With `defer_search`, make the search index the last build asked for and bring the
    /// files in `output` up to date (only those that changed are written; those no longer
    /// made are removed). Returns how many files it wrote or removed.
    pub fn finish_search(&mut self, output: &Path) -> Result<usize> {
        let Some(pending) = self.pending_search.take() else {
            return Ok(0);
        };
        // A rebuild that changed nothing the index reads (a stylesheet, a template) leaves it.
        let input = pending.as_ref().map(crate::search::Prepared::fingerprint);
        if input.is_some() && input == self.search_input {
            return Ok(0);
        }
        self.search_input = input;
        let (paths, files) = match pending {
            Some(prepared) => prepared.build().into_parts(),
            None => (Vec::new(), Vec::new()),
        };
        let changed: Vec<Output> = files
            .into_iter()
            .zip(&paths)
            .filter(|(_, (path, fp))| self.search_files.get(path) != Some(fp))
            .map(|(file, _)| file)
            .collect();
        let made: HashMap<String, u64> = paths.into_iter().collect();
        let removed: Vec<String> = self
            .search_files
            .keys()
            .filter(|p| !made.contains_key(*p))
            .cloned()
            .collect();
        let count = crate::output::apply(output, &changed, &[], &removed)?;
        self.search_files = made;
        Ok(count)
    }

    fn forget(&mut self) {
        self.search_files.clear();
        self.search_input = None;
        self.sources = None;
        self.theme = None;
        self.memo = site::Memo::default();
        self.pages.clear();
        self.assets.clear();
        self.generated.clear();
        self.made.clear();
    }

    /// The files made from the whole site rather than from one template: each generator's
    /// (feeds, sitemap and robots.txt). They are made on every build from what they read
    /// (cheap and pure), and returned only when their fingerprint changed (unless they went
    /// to `emit`). A static file of the same path (a site's own `static/robots.txt`) wins.
    /// Returns the fingerprints of the generated files written, of every file the generators
    /// made (a static file's path included: that is what they compare with next time), and
    /// the changed files.
    fn generated(
        &self,
        generators: &[Box<dyn Generator>],
        input: &crate::generate::Input,
        assets: &HashMap<String, u64>,
        emit: Option<render::Emit>,
    ) -> Result<(Fingerprints, Fingerprints, Vec<Output>)> {
        // A static file of the same path wins over a generated one.
        let emit_unless_static = |o: Output| match emit {
            Some(emit) if !assets.contains_key(&o.path) => emit(o),
            _ => Ok(()),
        };
        let emit: Option<render::Emit> = emit.map(|_| &emit_unless_static as render::Emit);
        // What each generator made last time, except files a static file replaced then and
        // no longer does: those must be made again, whatever their inputs.
        let previous: HashMap<String, u64> = self
            .made
            .iter()
            .filter(|(p, _)| self.generated.contains_key(*p) || assets.contains_key(*p))
            .map(|(p, fp)| (p.clone(), *fp))
            .collect();
        let results: Vec<Result<crate::generate::Generated>> = generators
            .par_iter()
            .map(|g| g.generate(input, &previous, emit))
            .collect();
        let mut made = HashMap::new();
        let mut changed = Vec::new();
        for result in results {
            let (outputs, fingerprints) = result?;
            made.extend(fingerprints);
            changed.extend(
                outputs
                    .into_iter()
                    .filter(|o| !assets.contains_key(&o.path)),
            );
        }
        let written = made
            .iter()
            .filter(|(p, _)| !assets.contains_key(*p))
            .map(|(p, fp)| (p.clone(), *fp))
            .collect();
        Ok((written, made, changed))
    }

    /// Every document, reading only what changed. Modified sources are re-read; creations,
    /// deletions and renames make us walk `content/` again, keeping what is unchanged.
    fn load_documents(
        &mut self,
        root: &Path,
        links: &crate::walk::Links,
        changes: &Changes,
    ) -> Result<Vec<Arc<Document>>> {
        let rescan = match &self.sources {
            None => true,
            Some(s) => changes
                .content
                .iter()
                .any(|p| !s.index.contains_key(p) || !p.is_file()),
        };
        if rescan {
            let scan = content::scan(root, links)?;
            let old = self.sources.take();
            let docs = scan
                .sources
                .iter()
                .map(|(p, _)| {
                    let old = old.as_ref()?;
                    old.docs[*old.index.get(p)?].clone()
                })
                .collect();
            let index = scan
                .sources
                .iter()
                .enumerate()
                .map(|(i, (p, _))| (p.clone(), i))
                .collect();
            self.sources = Some(Sources { scan, docs, index });
        }
        let sources = self.sources.as_mut().expect("scanned above");

        // Read what is new, changed, or failed last time.
        let stale: Vec<usize> = (0..sources.docs.len())
            .filter(|&i| sources.docs[i].is_none())
            .chain(
                changes
                    .content
                    .iter()
                    .filter_map(|p| sources.index.get(p).copied()),
            )
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let scan = &sources.scan;
        let results: Vec<(usize, Result<(u64, Document)>)> = stale
            .par_iter()
            .map(|&i| {
                let (path, kind) = &scan.sources[i];
                (i, content::read(root, path, *kind, &self.taxonomy_names))
            })
            .collect();
        let mut errors = Vec::new();
        for (i, result) in results {
            match result {
                // Unchanged bytes keep the old document, and with it its rendered Markdown.
                Ok((hash, _)) if sources.docs[i].as_ref().is_some_and(|(h, _)| *h == hash) => {}
                Ok((hash, doc)) => sources.docs[i] = Some((hash, Arc::new(doc))),
                Err(e) => {
                    sources.docs[i] = None;
                    errors.push(e);
                }
            }
        }
        // With --keep-going a document that cannot be read is left out and listed, so a
        // migrated blog ships while its few broken files are fixed.
        self.skipped.clear();
        if self.options.checks.keep_going {
            self.skipped = errors
                .iter()
                .flat_map(Error::flatten)
                .map(|e| format!("{e}{LEFT_OUT}"))
                .collect();
        } else if let Some(e) = Error::from_many(errors) {
            return Err(e);
        }
        Ok(sources
            .docs
            .iter()
            .flatten()
            .map(|(_, d)| Arc::clone(d))
            .collect())
    }

    /// The files copied rather than rendered, with fingerprints: the theme's embedded assets
    /// (unless the site has a file of the same name), the site's `static/`, and post bundle
    /// assets. Returns every asset's fingerprint, an update holding those that changed, and
    /// the claims of every output that is not a page (these assets, feeds, sitemap), for
    /// the pages to be checked against.
    fn assets(
        &self,
        root: &Path,
        links: &crate::walk::Links,
        site: &Site,
        config: &Config,
    ) -> Result<(HashMap<String, u64>, Update, Claims)> {
        let statics = crate::output::list_files(root, &root.join("static"), links)?;
        // The marker that lets `output` delete a folder's contents must come from `output`
        // alone: copied from `static/`, it would vouch for a folder Quire never wrote.
        let markers: Vec<Error> = statics
            .iter()
            .filter(|(_, rel)| rel.rsplit('/').next() == Some(crate::output::MARKER))
            .map(|(from, _)| {
                Error::Source(crate::error::Diagnostic::new(
                    content::relative(root, from),
                    format!(
                        "`{}` is the name of the marker Quire writes into its output folders \
                         (it lets a build replace that folder's contents), so static files \
                         cannot have it: remove or rename the file",
                        crate::output::MARKER
                    ),
                ))
            })
            .collect();
        if let Some(e) = Error::from_many(markers) {
            return Err(e);
        }
        let mut claims = Claims::default();
        let mut copies: Vec<Copy> = Vec::new();
        for (from, to) in statics {
            if claims.claim(to.clone(), Owner::Static(content::relative(root, &from))) {
                copies.push(Copy { from, to });
            }
        }
        let scan = &self.sources.as_ref().expect("documents loaded first").scan;
        // Bundles of posts and of top-level pages (`content/about/index.md`) alike.
        let bundles = site
            .posts
            .iter()
            .map(|p| (&p.doc, &p.url))
            .chain(site.pages.iter().map(|p| (&p.doc, &p.url)))
            .filter(|(doc, _)| doc.is_bundle);
        for (doc, url) in bundles {
            let folder = root.join(doc.source.parent().unwrap_or(Path::new("")));
            let Some(files) = scan.assets.get(&folder) else {
                continue;
            };
            let page_dir =
                crate::routes::output_dir(&config.base_path, url).map_err(|problem| {
                    Error::UnsafePath {
                        path: url.clone(),
                        problem,
                    }
                })?;
            for asset in files {
                let rel: Vec<_> = asset
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect();
                let copy = Copy {
                    from: folder.join(asset),
                    to: format!("{page_dir}{}", rel.join("/")),
                };
                let owner = Owner::Bundle(content::relative(root, &copy.from));
                if claims.claim(copy.to.clone(), owner) {
                    copies.push(copy);
                }
            }
        }
        // Other files of `content/` (a section's pictures) keep their path, as Zola and Hugo
        // publish them; one that a static file or a bundle's file already writes is left to it.
        let content_dir = root.join("content");
        for from in &scan.loose {
            let Ok(rel) = from.strip_prefix(&content_dir) else {
                continue;
            };
            let to: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            let to = to.join("/");
            if claims.owner(&to).is_some() {
                continue;
            }
            let owner = Owner::Bundle(content::relative(root, from));
            if claims.claim(to.clone(), owner) {
                copies.push(Copy {
                    from: from.clone(),
                    to,
                });
            }
        }
        let mut all = HashMap::new();
        let mut update = Update::default();
        for copy in copies {
            let meta = std::fs::metadata(&copy.from).map_err(|e| Error::io(&copy.from, e))?;
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let fp = fingerprint::of(&(&copy.from, meta.len(), mtime));
            if self.assets.get(&copy.to) != Some(&fp) {
                update.copies.push(copy.clone());
            }
            all.insert(copy.to, fp);
        }
        for name in EmbeddedStatic::iter() {
            // The search page's script goes only where there is a search page.
            if name == crate::search::SCRIPT && !config.search.enabled {
                continue;
            }
            if !claims.claim(name.to_string(), Owner::Theme) {
                continue;
            }
            let Some(file) = EmbeddedStatic::get(&name) else {
                continue;
            };
            let fp = fingerprint::of_bytes(&file.data);
            if self.assets.get(name.as_ref()) != Some(&fp) {
                update.outputs.push(Output {
                    path: name.to_string(),
                    bytes: file.data.into_owned(),
                });
            }
            all.insert(name.into_owned(), fp);
        }
        Ok((all, update, claims))
    }
}
