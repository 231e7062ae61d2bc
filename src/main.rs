//! The `quire` binary: parse arguments, call the library, print the result or the error.

mod cli;

/// jemalloc: the rebuilds of `serve --watch` allocate many small short-lived values across
/// threads; measured against the system allocator in docs/performance.md.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::io::IsTerminal;
use std::process::ExitCode;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use clap::Parser;

use cli::{Cli, Command};
use quire::error::{Diagnostic, Error};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let today = chrono::Local::now().date_naive();
    match cli.command {
        Command::Build(args) => {
            let timings = args.timings;
            let bar = ProgressBar::start();
            let result = quire::build(&quire::BuildOptions {
                root: cli.root,
                output: args.output,
                drafts: args.drafts,
                base_url: args.base_url,
                now: None,
                checks: quire::check::Checks {
                    mode: if args.no_link_check {
                        quire::check::Mode::Off
                    } else {
                        quire::check::Mode::Errors
                    },
                    alt_text: false,
                    keep_going: args.keep_going,
                },
                progress: bar.progress(),
                live_fragments: false,
                defer_search: false,
            });
            bar.finish();
            let report = result?;
            for warning in &report.warnings {
                eprintln!("warning: {warning}\n");
            }
            println!(
                "Built {} posts, {} pages, {} files into {} in {} ms",
                report.posts,
                report.pages,
                report.files,
                report.output.display(),
                report.elapsed.as_millis()
            );
            if timings {
                let mut last = std::time::Duration::ZERO;
                for (stage, at) in &report.timings {
                    println!(
                        "  {stage:<9} {:>7.1} ms",
                        (*at - last).as_secs_f64() * 1000.0
                    );
                    last = *at;
                }
            }
        }
        Command::Check(args) => {
            let report = quire::check(&quire::BuildOptions {
                root: cli.root,
                drafts: args.drafts,
                base_url: args.base_url,
                ..Default::default()
            })?;
            for p in &report.problems {
                eprintln!(
                    "{}\n",
                    render_diagnostic(&renderer(), &p.diagnostic, Level::ERROR)
                );
            }
            let n = report.problems.len();
            if n > 0 {
                let docs = report.documents;
                return Err(Error::Other(format!(
                    "{n} problem{} found in {docs} document{}",
                    if n == 1 { "" } else { "s" },
                    if docs == 1 { "" } else { "s" },
                )));
            }
            println!(
                "Checked {} documents and {} pages: no problems found",
                report.documents, report.pages
            );
        }
        Command::Serve(args) => serve(cli.root, args)?,
        Command::Init { dir } => {
            let dir = cli.root.join(dir);
            let written = quire::scaffold::init(&dir, today)?;
            for path in &written {
                println!("created {}", path.display());
            }
            println!(
                "New site in {}. Build it with: quire --root {} build",
                dir.display(),
                dir.display()
            );
        }
        Command::Import { from, src, dest } => {
            let dest = cli.root.join(dest);
            let report = quire::import::import(&quire::import::Options {
                from,
                source: src,
                dest: dest.clone(),
            })?;
            return print_import(&report, &dest);
        }
        Command::New { title } => {
            quire::load_config(&cli.root)?;
            let path = quire::scaffold::new_post(&cli.root, &title, today)?;
            println!(
                "created {} (a draft: set `draft = false` to publish)",
                path.display()
            );
        }
    }
    Ok(())
}

/// The import report: what came over, which URLs were kept, what was not translated, and
/// the first build. Fails (non-zero exit) when that build failed.
fn print_import(imported: &quire::import::Report, dest: &std::path::Path) -> Result<(), Error> {
    println!(
        "Imported {} documents and {} other files into {}",
        imported.documents,
        imported.files,
        dest.display()
    );
    if imported.compared > 0 {
        println!(
            "URLs: {} of {} posts and pages keep their URL; {} redirects from old URLs written to config.toml [redirects]",
            imported.kept, imported.compared, imported.redirects
        );
    } else {
        println!("URLs: not compared (see below)");
    }
    if !imported.templates.is_empty() {
        println!(
            "Shortcode templates copied as they are: {}",
            imported.templates.len()
        );
    }
    if !imported.stubs.is_empty() {
        println!(
            "Templates to port (each a stub that shows the shortcode's inner text until then):"
        );
        for stub in &imported.stubs {
            println!("  {}", stub.display());
        }
    }
    if !imported.notes.is_empty() {
        println!("Not translated:");
        for note in &imported.notes {
            println!("  {}: {}", note.file.display(), note.message);
        }
    }
    match &imported.build {
        Ok(build) => {
            let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
            for p in &build.problems {
                *kinds.entry(format!("{:?}", p.kind)).or_default() += 1;
            }
            println!(
                "First build: {} posts, {} pages into {}",
                build.posts,
                build.pages,
                build.output.display()
            );
            let (skipped, others): (Vec<&String>, Vec<&String>) = build
                .warnings
                .iter()
                .partition(|w| w.ends_with(quire::session::LEFT_OUT));
            if !skipped.is_empty() {
                println!(
                    "Documents left out, as they cannot be read ({}):",
                    skipped.len()
                );
                for w in skipped {
                    println!("  {}", w.trim_end_matches(quire::session::LEFT_OUT));
                }
            }
            if !others.is_empty() {
                println!(
                    "{} warnings (see them with `quire --root {} build --keep-going`)",
                    others.len(),
                    dest.display()
                );
            }
            if !build.problems.is_empty() {
                println!(
                    "{} problems that `quire build` reports as errors (see them with `quire --root {} check`):",
                    build.problems.len(),
                    dest.display()
                );
                for (kind, n) in kinds {
                    println!("  {kind}: {n}");
                }
            }
            Ok(())
        }
        Err(e) => {
            println!("First build failed:");
            report(e);
            Err(Error::Other(
                "the imported site does not build yet: fix the errors above".into(),
            ))
        }
    }
}

fn serve(root: std::path::PathBuf, args: cli::ServeArgs) -> Result<(), Error> {
    use quire::serve::{ServeEvent, ServeOptions};
    let open = args.open;
    let bind = args.bind;
    let shown = std::sync::Mutex::new(Vec::new());
    let shown_warnings = std::sync::Mutex::new(Vec::new());
    let on_event = move |event: ServeEvent| match event {
        ServeEvent::Listening {
            url,
            taken,
            exposed,
        } => {
            if let Some(port) = taken {
                println!("Port {port} is taken; using the next free one.");
            }
            println!("Serving at {url} (Ctrl-C to stop)");
            if let Some(urls) = exposed {
                let r#where = if urls.is_empty() {
                    "at this machine's network address".to_string()
                } else {
                    format!("at {}", urls.join(" or "))
                };
                eprintln!(
                    "warning: listening on {bind}: other machines can open this preview, \
                     drafts included, {where}"
                );
            }
            if open && let Err(e) = open::that(&url) {
                eprintln!("could not open a browser: {e}");
            }
        }
        ServeEvent::Built { cause, report } => {
            println!(
                "{} {cause}: rebuilt {} of {} pages, {} files written in {} ms",
                chrono::Local::now().format("%H:%M:%S"),
                report.rendered,
                report.pages,
                report.touched,
                report.elapsed.as_millis()
            );
            // Problems are shown when they first appear or change, not on every rebuild.
            let mut last = shown.lock().unwrap_or_else(|e| e.into_inner());
            if *last != report.problems {
                for p in &report.problems {
                    eprintln!(
                        "{}\n",
                        render_diagnostic(&renderer(), &p.diagnostic, Level::WARNING)
                    );
                }
                *last = report.problems;
            }
            // Likewise warnings (words a translation lacks).
            let mut last = shown_warnings.lock().unwrap_or_else(|e| e.into_inner());
            if *last != report.warnings {
                for warning in &report.warnings {
                    eprintln!("warning: {warning}\n");
                }
                *last = report.warnings;
            }
        }
        ServeEvent::Failed { cause, error } => {
            eprintln!(
                "{} {cause}: build failed; still serving the last good site",
                chrono::Local::now().format("%H:%M:%S")
            );
            report(&error);
        }
    };
    let server = quire::serve::start(
        ServeOptions {
            build: quire::BuildOptions {
                root,
                drafts: args.drafts,
                // Shown as warnings: a link to a post not yet written should not stop the preview.
                checks: quire::check::Checks {
                    mode: quire::check::Mode::Warnings,
                    alt_text: false,
                    keep_going: false,
                },
                ..Default::default()
            },
            bind: args.bind,
            port: args.port,
            watch: !args.no_watch,
            debounce: quire::serve::DEFAULT_DEBOUNCE,
            port_attempts: if args.port == 0 { 0 } else { 50 },
            idle_timeout: quire::serve::DEFAULT_IDLE_TIMEOUT,
            max_streams: quire::serve::DEFAULT_MAX_STREAMS,
            stream_lifetime: quire::serve::DEFAULT_STREAM_LIFETIME,
        },
        std::sync::Arc::new(on_event),
    )?;
    server.wait()?;
    println!("Stopped.");
    Ok(())
}

/// A progress line on stderr for builds that take more than a moment, and only on a
/// terminal: the stage and the number of files written. Cleared when the build ends.
struct ProgressBar {
    bar: indicatif::ProgressBar,
    /// Set when the build ended; guards showing the bar against a build that just ended.
    done: std::sync::Arc<std::sync::Mutex<bool>>,
}

impl ProgressBar {
    /// Shown after this long, so quick builds print nothing but their summary.
    const DELAY: std::time::Duration = std::time::Duration::from_millis(300);

    fn start() -> ProgressBar {
        use indicatif::{ProgressDrawTarget, ProgressStyle};
        let bar = indicatif::ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}: {pos} files written ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let done = std::sync::Arc::new(std::sync::Mutex::new(false));
        if std::io::stderr().is_terminal() {
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Self::DELAY);
                let done = done.lock().unwrap_or_else(|e| e.into_inner());
                if !*done {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(std::time::Duration::from_millis(100));
                }
            });
        }
        ProgressBar { bar, done }
    }

    fn progress(&self) -> quire::Progress {
        let bar = self.bar.clone();
        quire::Progress::new(move |step| match step {
            quire::Step::Stage(name) => bar.set_message(name),
            quire::Step::Wrote => bar.inc(1),
            // Shown at once, on a terminal or not: a build that waits must say why.
            quire::Step::Waiting { output, holder } => bar.suspend(|| {
                let by = holder
                    .map(|pid| format!(" (pid {pid})"))
                    .unwrap_or_default();
                eprintln!(
                    "waiting for another quire build of {}{by} to finish…",
                    output.display()
                );
            }),
        })
    }

    fn finish(&self) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done = true;
        self.bar.finish_and_clear();
    }
}

/// At most this many errors are printed, so a mistake repeated in every post (a bad
/// find-and-replace) does not scroll the first ones out of sight.
const MAX_SHOWN: usize = 50;

/// Print each error once (up to [`MAX_SHOWN`]), with the source line for those that have one.
fn report(error: &Error) {
    let errors = error.flatten();
    let renderer = renderer();
    for e in errors.iter().take(MAX_SHOWN) {
        match e {
            Error::Source(d) => eprintln!("{}\n", render_diagnostic(&renderer, d, Level::ERROR)),
            other => eprintln!("error: {other}\n"),
        }
    }
    if errors.len() > MAX_SHOWN {
        eprintln!("{} errors; the first {MAX_SHOWN} are shown.", errors.len());
    } else if errors.len() > 1 {
        eprintln!("{} errors.", errors.len());
    }
}

fn renderer() -> Renderer {
    if std::io::stderr().is_terminal() {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

fn render_diagnostic(renderer: &Renderer, d: &Diagnostic, level: Level) -> String {
    let path = d.path.display().to_string();
    match (d.position, &d.source_line) {
        (Some((line, col)), Some(source)) => {
            let start = source
                .char_indices()
                .nth(col.saturating_sub(1))
                .map_or(source.len(), |(i, _)| i);
            let end = source[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
            let report = &[level.primary_title(&d.message).element(
                Snippet::source(source.as_str())
                    .line_start(line)
                    .path(&path)
                    .annotation(AnnotationKind::Primary.span(start..end)),
            )];
            renderer.render(report).to_string()
        }
        _ => format!(
            "{}: {d}",
            if level == Level::WARNING {
                "warning"
            } else {
                "error"
            }
        ),
    }
}
