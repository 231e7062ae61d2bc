//! `quire serve`: build into a private folder, serve it over HTTP on 127.0.0.1, and with
//! `--watch` rebuild what changed and tell open pages to reload. A failed rebuild keeps the
//! last good site and shows the error over the open page until the file is fixed; so does a
//! rebuild that panics (a bug), after which the next build starts from scratch.
//!
//! The private folder is created mode 0700 and removed on every way the server stops short of
//! SIGKILL: [`Server::stop`], SIGINT (Ctrl-C), SIGTERM and SIGHUP, which are listened for from
//! the start, before the first build.

mod accept;
mod http;
pub mod watch;

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::broadcast;

use crate::error::{Error, Result};
use crate::session::{Changes, Report, Session, Update};
use crate::{BuildOptions, output};

pub use http::{EVENTS_PATH, Refusal, SCRIPT_PATH, check_path, inject};

/// How long the watcher waits for a burst of file events to settle. Editors finish a save
/// (write, rename, delete backup) within a millisecond or two; a rebuild of a half-written file
/// only shows a brief error that the next event clears.
pub const DEFAULT_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(5);

/// How long a connection may sit without sending a complete request head before it is
/// closed. Browsers reopen closed keep-alive connections without fuss; the live-reload stream
/// is a response, not a wait for a request, and is not cut by this (see
/// [`DEFAULT_STREAM_LIFETIME`]).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// How many live-reload streams may be open at once; opening one more closes the oldest (its
/// page reconnects). A browser keeps one per open tab of the preview.
pub const DEFAULT_MAX_STREAMS: usize = 64;

/// How long a live-reload stream lasts before the server ends it and the page's `EventSource`
/// reconnects, so a stream nobody reads does not hold a connection for ever.
pub const DEFAULT_STREAM_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Root, drafts and the clock; `base_url` and `output` are set by the server.
    pub build: BuildOptions,
    pub bind: IpAddr,
    pub port: u16,
    /// Rebuild on changes.
    pub watch: bool,
    /// How long the watcher waits for a burst of saves to settle.
    pub debounce: Duration,
    /// Ports to try after `port` when it is taken.
    pub port_attempts: u16,
    /// Close connections idle this long ([`DEFAULT_IDLE_TIMEOUT`]).
    pub idle_timeout: Duration,
    /// At most this many live-reload streams at once ([`DEFAULT_MAX_STREAMS`]).
    pub max_streams: usize,
    /// End each live-reload stream after this long ([`DEFAULT_STREAM_LIFETIME`]).
    pub stream_lifetime: Duration,
}

/// What the server reports as it runs; `main` prints these.
#[derive(Debug)]
pub enum ServeEvent {
    /// Listening at `url`. `taken` is the port asked for, when it was busy. `exposed` holds
    /// the URLs other machines may use when the server listens on more than the loopback
    /// interface (`--bind 0.0.0.0`): the preview, drafts included, is open to the network.
    Listening {
        url: String,
        taken: Option<u16>,
        exposed: Option<Vec<String>>,
    },
    /// A build finished: `cause` says what changed.
    Built { cause: String, report: Report },
    /// A build failed; the last good site is still served.
    Failed { cause: String, error: Error },
}

/// A message to open pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    Reload,
    Css,
    /// The first event of each stream: it carries the generation (its `id`) and the
    /// reconnection delay.
    Hello,
    /// The server is stopping: end the stream.
    Close,
}

impl Message {
    fn event(self) -> &'static str {
        match self {
            Message::Reload => "reload",
            Message::Css => "css",
            Message::Hello => "hello",
            Message::Close => "close",
        }
    }
}

/// State shared by the HTTP handlers and the rebuild loop.
pub(crate) struct Shared {
    dir: PathBuf,
    /// The base path of `base_url` without its last slash (`/blog`), or empty: the site is
    /// served under it, as it will be published.
    prefix: String,
    /// Each message with the generation it starts (see [`Shared::generation`]).
    events: broadcast::Sender<(Message, u64)>,
    /// Counts reload and CSS messages. Each live-reload event carries it as its SSE `id`, so a
    /// page that reconnects (its `Last-Event-ID`) and missed one is told to reload.
    generation: std::sync::atomic::AtomicU64,
    /// Where the server listens: requests must name it, or the loopback, in `Host`.
    pub(crate) addr: SocketAddr,
    /// The live-reload streams open now, oldest first, and how to end each.
    streams: std::sync::Mutex<http::Streams>,
    max_streams: usize,
    stream_lifetime: Duration,
    /// The current build error, as overlay HTML.
    error: RwLock<Option<String>>,
    /// The last good build's fragments: (placeholder, HTML), filled into pages as they are
    /// served.
    fragments: RwLock<Vec<(String, String)>>,
}

impl Shared {
    /// `page` with each fragment placeholder replaced by the fragment's HTML.
    fn fill_fragments(&self, page: &str) -> String {
        let fragments = self.fragments.read().unwrap_or_else(|e| e.into_inner());
        let mut out = page.to_string();
        for (placeholder, html) in fragments.iter() {
            if out.contains(placeholder.as_str()) {
                out = out.replace(placeholder.as_str(), html);
            }
        }
        out
    }

    fn has_error(&self) -> bool {
        self.error.read().map(|e| e.is_some()).unwrap_or(false)
    }

    /// What HTML pages get before `</body>`: the script, and the overlay if a build failed.
    fn snippet(&self) -> String {
        let mut s = format!("<script src=\"{SCRIPT_PATH}\"></script>");
        if let Ok(guard) = self.error.read()
            && let Some(overlay) = guard.as_ref()
        {
            s.push_str(overlay);
        }
        s
    }

    fn set_error(&self, error: Option<&Error>) {
        if let Ok(mut guard) = self.error.write() {
            *guard = error.map(overlay);
        }
    }

    /// Tell open pages: reload and CSS start a new generation; close does not.
    fn send(&self, message: Message) {
        use std::sync::atomic::Ordering;
        let generation = if message == Message::Close {
            self.generation.load(Ordering::SeqCst)
        } else {
            self.generation.fetch_add(1, Ordering::SeqCst) + 1
        };
        let _ = self.events.send((message, generation));
    }
}

/// A running server. Dropping it without [`Server::stop`] leaves it running until the process
/// ends; `main` calls [`Server::wait`], which returns after a stop signal.
pub struct Server {
    url: String,
    dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    rebuilds: Option<mpsc::Sender<Option<Changes>>>,
    http: Option<JoinHandle<Result<()>>>,
    builder: Option<JoinHandle<()>>,
}

impl Server {
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The folder being served.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stop serving and watching, and remove the served folder.
    pub fn stop(mut self) -> Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.finish()
    }

    /// Serve until SIGINT (Ctrl-C), SIGTERM or SIGHUP; the served folder goes when `self` does.
    pub fn wait(mut self) -> Result<()> {
        self.finish()
    }

    fn finish(&mut self) -> Result<()> {
        let result = match self.http.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(Error::Other("the HTTP server thread panicked".into())),
            None => Ok(()),
        };
        if let Some(tx) = self.rebuilds.take() {
            let _ = tx.send(None);
        }
        if let Some(b) = self.builder.take() {
            let _ = b.join();
        }
        result
    }
}

/// Where the served folder goes: memory-backed when the system has such a place
/// (`$XDG_RUNTIME_DIR`, `/dev/shm`), so rebuilds do not wait on the disk; else the temp folder.
fn serve_parent() -> PathBuf {
    let writable = |p: &Path| {
        p.is_dir()
            && std::fs::metadata(p).is_ok_and(|m| !m.permissions().readonly())
            && tempfile::tempdir_in(p).is_ok()
    };
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/dev/shm")])
        .find(|p| writable(p))
        .unwrap_or_else(std::env::temp_dir)
}

/// Bind the first free port from `port` on.
fn bind(addr: IpAddr, port: u16, attempts: u16) -> Result<(TcpListener, Option<u16>)> {
    let mut last = None;
    for p in port..=port.saturating_add(attempts) {
        match TcpListener::bind(SocketAddr::new(addr, p)) {
            Ok(l) => return Ok((l, (p != port).then_some(port))),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => return Err(Error::Other(format!("cannot listen on {addr}:{p}: {e}"))),
        }
    }
    Err(Error::Other(format!(
        "ports {port} to {} on {addr} are all taken ({}); pass --port",
        port.saturating_add(attempts),
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}

/// The address to show for `addr`: the loopback of the same family when it listens on all
/// interfaces (`0.0.0.0`, `::`), which always works from this machine.
fn shown_addr(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(std::net::Ipv6Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    }
}

/// The URLs other machines may open the preview at, when it listens on more than the loopback.
fn exposed_urls(addr: SocketAddr, base_path: &str) -> Option<Vec<String>> {
    (!addr.ip().is_loopback()).then(|| {
        network_addrs(addr)
            .into_iter()
            .map(|a| format!("http://{a}{base_path}"))
            .collect()
    })
}

/// The addresses other machines may reach a server listening on `addr` by: `addr` itself, or
/// for `0.0.0.0` / `::` this machine's non-loopback interface addresses of that family (both
/// families for `::`, which also takes IPv4 on Linux).
fn network_addrs(addr: SocketAddr) -> Vec<SocketAddr> {
    if !addr.ip().is_unspecified() {
        return vec![addr];
    }
    let mut out: Vec<SocketAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| !ip.is_loopback() && (addr.is_ipv6() || ip.is_ipv4()))
        // Link-local IPv6 addresses need a zone in a URL: leave them out.
        .filter(|ip| !matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local()))
        .map(|ip| SocketAddr::new(ip, addr.port()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The signals that stop the server: SIGINT (Ctrl-C), SIGTERM (`kill`, a service manager) and
/// SIGHUP (the terminal closed). Once listened for, they no longer kill the process outright,
/// so the server always gets to remove its folder.
struct StopSignals {
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 3],
}

impl StopSignals {
    /// Start listening; call inside the runtime.
    fn listen() -> Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind| {
                signal(kind)
                    .map_err(|e| Error::Other(format!("cannot listen for stop signals: {e}")))
            };
            Ok(StopSignals {
                signals: [
                    listen(SignalKind::interrupt())?,
                    listen(SignalKind::terminate())?,
                    listen(SignalKind::hangup())?,
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    /// Wait for any of them.
    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let [int, term, hup] = &mut self.signals;
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Build the site, start serving it, and (with `watch`) rebuild on changes. Events go to
/// `on_event` from the server's threads.
pub fn start(
    options: ServeOptions,
    on_event: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> Result<Server> {
    // Watch events carry absolute paths; so must everything they are compared with.
    let root =
        std::path::absolute(&options.build.root).map_err(|e| Error::io(&options.build.root, e))?;
    let config = crate::load_config(&root)?;
    // The runtime and the stop signals come first: a signal from now on stops the server
    // and removes its folder (after the first build, if it comes during it).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the server: {e}")))?;
    let mut signals = {
        let _entered = runtime.enter();
        StopSignals::listen()?
    };
    let (listener, taken) = bind(options.bind, options.port, options.port_attempts)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Other(e.to_string()))?;
    // Served under the base path of `base_url` (`/blog/`), so links work as they will online.
    let url = format!("http://{}{}", shown_addr(addr), config.base_path);
    let exposed = exposed_urls(addr, &config.base_path);
    // Private: the preview holds drafts, and other users of the machine may read /dev/shm.
    let mut folder = tempfile::Builder::new();
    folder.prefix("quire-serve-");
    #[cfg(unix)]
    folder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let dir = folder
        .tempdir_in(serve_parent())
        .map_err(|e| Error::Other(format!("cannot create a folder to serve from: {e}")))?;

    let (events, _) = broadcast::channel(64);
    let shared = Arc::new(Shared {
        dir: dir.path().to_path_buf(),
        prefix: config.base_path.trim_end_matches('/').to_string(),
        events,
        generation: Default::default(),
        addr,
        streams: Default::default(),
        max_streams: options.max_streams.max(1),
        stream_lifetime: options.stream_lifetime,
        error: RwLock::new(None),
        fragments: RwLock::new(Vec::new()),
    });

    let mut build_options = options.build.clone();
    build_options.root = root.clone();
    build_options.base_url = Some(url.clone());
    build_options.output = Some(dir.path().to_path_buf());
    build_options.live_fragments = true;
    build_options.defer_search = true;
    let mut session = Rebuilder {
        session: Session::new(build_options),
        reset: false,
    };
    rebuild(
        &mut session,
        &shared,
        &Changes::everything(),
        "first build",
        &*on_event,
    );

    // The rebuild loop: one thread, fed by the watcher; `None` stops it.
    let (tx, rx) = mpsc::channel::<Option<Changes>>();
    let watcher = if options.watch {
        let (wtx, wrx) = mpsc::channel::<Changes>();
        let forward = tx.clone();
        std::thread::spawn(move || {
            while let Ok(c) = wrx.recv() {
                if forward.send(Some(c)).is_err() {
                    break;
                }
            }
        });
        let output_dir = crate::load_config(&root)
            .ok()
            .map(|c| root.join(c.output_dir))
            .into_iter()
            .chain([dir.path().to_path_buf()])
            .collect();
        Some(watch::Watch::start(
            &root,
            output_dir,
            options.debounce,
            wtx,
        )?)
    } else {
        None
    };
    let builder = {
        let shared = shared.clone();
        let on_event = on_event.clone();
        std::thread::spawn(move || {
            let mut watcher = watcher;
            while let Ok(Some(mut changes)) = rx.recv() {
                // Take everything already queued: one rebuild for a burst.
                let mut stop = false;
                while let Ok(more) = rx.try_recv() {
                    match more {
                        Some(m) => changes.merge(m),
                        None => stop = true,
                    }
                }
                // Watch folders created since the last build before building, so that anything
                // written into them after this build is seen (and anything before, read by it).
                if let Some(Err(error)) = watcher.as_mut().map(watch::Watch::refresh) {
                    on_event(ServeEvent::Failed {
                        cause: "watching".into(),
                        error,
                    });
                }
                let cause = describe(&root, &changes);
                rebuild(&mut session, &shared, &changes, &cause, &*on_event);
                if stop {
                    break;
                }
            }
        })
    };

    let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Other(e.to_string()))?;
    let router = http::router(shared.clone());
    let idle_timeout = options.idle_timeout;
    let http = std::thread::spawn(move || -> Result<()> {
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)
                .map_err(|e| Error::Other(e.to_string()))?;
            let stop = async move {
                tokio::select! {
                    () = signals.recv() => {}
                    _ = shutdown_rx => {}
                }
                shared.send(Message::Close);
            };
            accept::serve(listener, router, idle_timeout, stop).await;
            Ok(())
        })
    });
    on_event(ServeEvent::Listening {
        url: url.clone(),
        taken,
        exposed,
    });
    Ok(Server {
        url,
        dir,
        shutdown: Some(shutdown_tx),
        rebuilds: Some(tx),
        http: Some(http),
        builder: Some(builder),
    })
}

/// The rebuild loop's memory.
struct Rebuilder {
    session: Session,
    /// A build panicked and the session was replaced by a new one: the next build is a full
    /// one that leaves the served folder holding exactly what it produced (the panic may have
    /// come half-way through writing it).
    reset: bool,
}

/// Run one build into the served folder and tell pages and the terminal about it. A panic in
/// the build is caught and reported like a failed build: the server and the rebuild loop go on.
fn rebuild(
    builder: &mut Rebuilder,
    shared: &Shared,
    changes: &Changes,
    cause: &str,
    on_event: &(dyn Fn(ServeEvent) + Send + Sync),
) {
    let dir = shared.dir.clone();
    let mut css_only = false;
    let mut fragments = Vec::new();
    let reset = builder.reset;
    let everything = Changes::everything();
    let changes = if reset { &everything } else { changes };
    let session = &mut builder.session;
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        #[cfg(debug_assertions)]
        panic_for_tests(changes);
        session.build(changes, &dir, |update: &Update| {
            css_only = is_css_only(update);
            fragments = update
                .fragments
                .iter()
                .map(|(name, html)| (crate::render::fragment_placeholder(name), html.clone()))
                .collect();
            if reset {
                output::apply_all(&dir, &update.outputs, &update.copies)
            } else {
                output::apply(&dir, &update.outputs, &update.copies, &update.removed)
            }
        })
    }));
    let result = match caught {
        Ok(result) => {
            builder.reset &= result.is_err();
            result
        }
        Err(payload) => {
            // Whatever the session held may be half-updated: start again from nothing.
            builder.session = Session::new(builder.session.options().clone());
            builder.reset = true;
            Err(Error::Other(format!(
                "internal error while rebuilding: {}; please report it",
                panic_message(payload.as_ref())
            )))
        }
    };
    let had_error = shared.has_error();
    match result {
        Ok(report) => {
            shared.set_error(None);
            let fragments_changed = {
                let mut current = shared.fragments.write().unwrap_or_else(|e| e.into_inner());
                let changed = *current != fragments;
                *current = fragments;
                changed
            };
            let message = if css_only && !had_error && !fragments_changed {
                Message::Css
            } else {
                Message::Reload
            };
            if report.touched > 0 || had_error || fragments_changed {
                shared.send(message);
            }
            on_event(ServeEvent::Built {
                cause: cause.to_string(),
                report,
            });
            // The pages are reloading: now the search index, which only the search page reads
            // (and fetches afresh each time it opens).
            if let Err(error) = builder.session.finish_search(&dir) {
                on_event(ServeEvent::Failed {
                    cause: "the search index".into(),
                    error,
                });
            }
        }
        Err(error) => {
            shared.set_error(Some(&error));
            shared.send(Message::Reload);
            on_event(ServeEvent::Failed {
                cause: cause.to_string(),
                error,
            });
        }
    }
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Debug builds only (the tests'): a rebuild panics when a changed content file has the name
/// `QUIRE_PANIC_ON_REBUILD_FOR_TESTS` gives, so that recovering from a panic stays tested
/// once the inputs that panic today are fixed (tests/it/serve_safety.rs).
#[cfg(debug_assertions)]
fn panic_for_tests(changes: &Changes) {
    if let Some(name) = std::env::var_os("QUIRE_PANIC_ON_REBUILD_FOR_TESTS")
        && changes.content.iter().any(|p| p.file_name() == Some(&name))
    {
        panic!(
            "QUIRE_PANIC_ON_REBUILD_FOR_TESTS: {} changed",
            name.display()
        );
    }
}

fn is_css_only(update: &Update) -> bool {
    let paths = update
        .outputs
        .iter()
        .map(|o| o.path.as_str())
        .chain(update.copies.iter().map(|c| c.to.as_str()));
    update.removed.is_empty() && {
        let mut any = false;
        for p in paths {
            if !p.ends_with(".css") {
                return false;
            }
            any = true;
        }
        any
    }
}

/// "content/posts/a.md" or "templates/ and 2 more" for the terminal line.
fn describe(root: &Path, changes: &Changes) -> String {
    let mut names: Vec<String> = changes
        .content
        .iter()
        .map(|p| crate::content::relative(root, p).display().to_string())
        .collect();
    if changes.config {
        names.push("config.toml".into());
    }
    if changes.templates {
        names.push("templates/".into());
    }
    if changes.statics {
        names.push("static/".into());
    }
    if changes.everything {
        names.push("everything".into());
    }
    match names.len() {
        0 => "nothing".into(),
        1 => names.remove(0),
        n => format!("{} and {} more", names[0], n - 1),
    }
}

/// The error overlay: every problem with its file, position, message and source line.
fn overlay(error: &Error) -> String {
    let esc = |s: &str| {
        let mut out = String::new();
        let _ = pulldown_cmark_escape::escape_html(&mut out, s);
        out
    };
    let mut items = String::new();
    for e in error.flatten() {
        items.push_str("<li style=\"margin:0 0 1em\">");
        match e {
            Error::Source(d) => {
                let place = match d.position {
                    Some((l, c)) => format!("{}:{l}:{c}", d.path.display()),
                    None => d.path.display().to_string(),
                };
                let _ = write!(
                    items,
                    "<strong data-quire-error-file>{}</strong><br>{}",
                    esc(&place),
                    esc(&d.message)
                );
                if let Some(line) = &d.source_line {
                    let _ = write!(
                        items,
                        "<pre style=\"background:#2a2a2a;color:#fff;padding:.5em;margin:.5em 0 0;white-space:pre-wrap\">{}</pre>",
                        esc(line)
                    );
                }
            }
            other => items.push_str(&esc(&other.to_string())),
        }
        items.push_str("</li>");
    }
    format!(
        "<div id=\"quire-error-overlay\" role=\"alert\" style=\"position:fixed;inset:0;z-index:2147483647;\
         overflow:auto;background:rgba(20,20,20,.94);color:#fff;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace;\
         padding:2em\"><p style=\"font-size:1.2em;margin:0 0 1em;color:#ff8a80\">Quire could not rebuild the site. \
         The last good version is shown underneath; fix the file and this goes away.</p>\
         <ul style=\"list-style:none;padding:0;margin:0\">{items}</ul></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_shown_works_here_and_a_wider_bind_is_reported() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(shown_addr(at("0.0.0.0:3131")), at("127.0.0.1:3131"));
        assert_eq!(shown_addr(at("[::]:3131")), at("[::1]:3131"));
        assert_eq!(shown_addr(at("192.168.1.5:3131")), at("192.168.1.5:3131"));
        assert_eq!(exposed_urls(at("127.0.0.1:3131"), "/"), None);
        assert_eq!(exposed_urls(at("[::1]:3131"), "/"), None);
        assert_eq!(
            exposed_urls(at("192.168.1.5:3131"), "/blog/"),
            Some(vec!["http://192.168.1.5:3131/blog/".to_string()])
        );
        // All interfaces: this machine's addresses (whatever they are here), never the
        // loopback, each at the port.
        let all = exposed_urls(at("0.0.0.0:3131"), "/").unwrap();
        for url in &all {
            let addr: SocketAddr = url
                .strip_prefix("http://")
                .and_then(|u| u.strip_suffix('/'))
                .unwrap()
                .parse()
                .unwrap();
            assert!(addr.is_ipv4() && !addr.ip().is_loopback(), "{url}");
            assert_eq!(addr.port(), 3131);
        }
    }

    #[test]
    fn a_panic_message_is_kept() {
        let caught = std::panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(caught.as_ref()), "boom 1");
        let caught = std::panic::catch_unwind(|| panic!("static")).unwrap_err();
        assert_eq!(panic_message(caught.as_ref()), "static");
    }
}
