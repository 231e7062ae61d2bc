//! The dev server's HTTP side: files from the output folder through tower-http's `ServeDir`
//! (content types, `index.html`, trailing-slash redirects, HEAD, Range, Last-Modified), plus a
//! layer that refuses paths escaping the folder, sets `Cache-Control: no-cache` and an `ETag`,
//! and injects the live-reload script and the error overlay into HTML.
//!
//! Before anything else, `Host` must name this server (the loopback or the address it
//! listens on), which keeps DNS-rebinding pages out; and a redirect never leaves the server
//! (a `Location` of `//host/` is another host to a browser).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{Stream, StreamExt, future};
use tokio::sync::oneshot;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::{ServeDir, ServeFile};

use super::Shared;

pub const EVENTS_PATH: &str = "/__quire/events";
pub const SCRIPT_PATH: &str = "/__quire/livereload.js";
const SCRIPT: &str = include_str!("livereload.js");
/// Largest HTML page the server will rewrite; larger ones are served as they are.
const MAX_HTML: usize = 64 * 1024 * 1024;
/// How soon a page's `EventSource` reconnects after its stream ends.
const RECONNECT: Duration = Duration::from_secs(1);

/// The address a connection came in on (the server's side), set by the accept loop: with
/// `--bind 0.0.0.0` it is the address the client used, so its `Host` may name it.
#[derive(Debug, Clone, Copy)]
pub struct LocalAddr(pub SocketAddr);

pub fn router(shared: Arc<Shared>) -> Router {
    let dir = shared.dir.clone();
    let files = ServeDir::new(&dir)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(dir.join("404.html")));
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(shared.clone(), decorate))
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .layer(middleware::from_fn_with_state(shared.clone(), mount))
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

/// The outermost layer: refuse requests whose `Host` (or absolute-form target) names another
/// server, and keep every redirect on this one.
///
/// Why the `Host` check: a page on any site can have its own name resolve to 127.0.0.1 (DNS
/// rebinding) and then read the preview, drafts included, as same-origin. Its requests carry
/// its name in `Host`; a browser sends the loopback or an IP address only to a page loaded
/// from that address.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let local = request.extensions().get::<LocalAddr>().map(|l| l.0);
    let hosts = request.headers().get_all(header::HOST);
    let mut hosts = hosts.iter();
    let refusal = match (hosts.next(), hosts.next()) {
        (None, _) => Some((StatusCode::BAD_REQUEST, "missing Host header")),
        (Some(_), Some(_)) => Some((StatusCode::BAD_REQUEST, "more than one Host header")),
        (Some(host), None) => {
            let named = std::iter::once(host.to_str().unwrap_or(""))
                .chain(request.uri().authority().map(|a| a.as_str()));
            let ok = named
                .into_iter()
                .all(|h| host_allowed(h, shared.addr, local));
            (!ok).then_some((StatusCode::FORBIDDEN, "unknown Host"))
        }
    };
    if let Some((status, why)) = refusal {
        let url = format!("http://{}/", super::shown_addr(shared.addr));
        return (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{why}: this Quire preview answers only at {url} (or localhost)\n"),
        )
            .into_response();
    }
    let mut response = next.run(request).await;
    if let Some(fixed) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(same_host_location)
        .and_then(|l| HeaderValue::from_str(&l).ok())
    {
        response.headers_mut().insert(header::LOCATION, fixed);
    }
    response
}

/// Whether `host` (a `Host` value: `name`, `name:port`, `[v6]:port`) names this server: the
/// loopback (`localhost`, `127.0.0.1`, `[::1]`, any 127.x address), the address it listens on
/// (`bound`), or the address the connection came in on (`local`), at the port it listens on
/// (with no port only when that is 80).
pub fn host_allowed(host: &str, bound: SocketAddr, local: Option<SocketAddr>) -> bool {
    let Ok(authority) = host.parse::<axum::http::uri::Authority>() else {
        return false;
    };
    if authority.as_str().contains('@') {
        return false;
    }
    let port_ok = match authority.port_u16() {
        Some(p) => p == bound.port(),
        None => bound.port() == 80 && !authority.as_str().ends_with(':'),
    };
    let name = authority.host();
    let ip = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name)
        .parse::<IpAddr>()
        .ok()
        .map(|ip| ip.to_canonical());
    let name_ok = match ip {
        Some(ip) => {
            ip.is_loopback()
                || (!bound.ip().is_unspecified() && ip == bound.ip().to_canonical())
                || local.is_some_and(|l| ip == l.ip().to_canonical())
        }
        None => name.eq_ignore_ascii_case("localhost"),
    };
    port_ok && name_ok
}

/// `location` with its leading run of slashes, backslashes and blanks made one slash, when it
/// has more than one: browsers read `//evil.com/` and `/\evil.com/` as another host. `None`
/// when it is fine as it is.
pub fn same_host_location(location: &str) -> Option<String> {
    let rest = location.strip_prefix(['/', '\\'])?;
    let trimmed = rest.trim_start_matches(|c: char| {
        c == '/' || c == '\\' || c.is_ascii_whitespace() || c.is_ascii_control()
    });
    (trimmed.len() != rest.len() || location.starts_with('\\')).then(|| format!("/{trimmed}"))
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
}

/// The live-reload streams open now, oldest first, each with the sender that ends it.
#[derive(Default)]
pub(crate) struct Streams {
    next: u64,
    open: VecDeque<(u64, oneshot::Sender<()>)>,
}

/// Removes its stream from [`Streams`] when the stream goes (ended, or the client left).
struct OpenStream {
    shared: Arc<Shared>,
    serial: u64,
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        let mut streams = self
            .shared
            .streams
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        streams.open.retain(|(s, _)| *s != self.serial);
    }
}

/// Register a new stream, ending the oldest ones beyond the limit. Returns the guard and
/// what resolves when this stream must end.
fn open_stream(shared: &Arc<Shared>) -> (OpenStream, oneshot::Receiver<()>) {
    let (end, ended) = oneshot::channel();
    let mut streams = shared.streams.lock().unwrap_or_else(|e| e.into_inner());
    let serial = streams.next;
    streams.next += 1;
    streams.open.push_back((serial, end));
    while streams.open.len() > shared.max_streams {
        if let Some((_, end)) = streams.open.pop_front() {
            let _ = end.send(());
        }
    }
    let guard = OpenStream {
        shared: shared.clone(),
        serial,
    };
    (guard, ended)
}

/// The live-reload stream: `reload` and `css` events, each with the generation as its `id`.
/// It opens with a `hello` event (or `reload`, when the page reconnects having missed one)
/// and ends when the server stops, after [`Shared::stream_lifetime`], or when more than
/// [`Shared::max_streams`] newer ones are open; the page's `EventSource` then reconnects.
async fn events(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    use std::sync::atomic::Ordering;
    // Subscribe before reading the generation, so nothing falls between the two.
    let updates = BroadcastStream::new(shared.events.subscribe());
    let current = shared.generation.load(Ordering::SeqCst);
    // `Last-Event-ID` from the browser's own reconnection, `?since=` from the script's.
    let since = request
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            request
                .uri()
                .query()
                .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("since=")))
        })
        .and_then(|v| v.trim().parse::<u64>().ok());
    let first = if since.is_some_and(|s| s != current) {
        super::Message::Reload
    } else {
        super::Message::Hello
    };
    let (guard, ended) = open_stream(&shared);
    let lifetime = shared.stream_lifetime;
    let end = async move {
        tokio::select! {
            _ = ended => {}
            () = tokio::time::sleep(lifetime) => {}
        }
    };
    let generation = move || shared.generation.load(Ordering::SeqCst);
    let stream = futures_util::stream::once(future::ready((first, current)))
        // A stream that fell behind missed something: reload.
        .chain(updates.map(move |m| m.unwrap_or_else(|_| (super::Message::Reload, generation()))))
        // End the stream when the server stops, so graceful shutdown does not wait on it.
        .take_while(|(message, _)| future::ready(*message != super::Message::Close))
        .take_until(end)
        .map(move |(message, generation)| {
            let _open = &guard;
            let event = Event::default()
                .event(message.event())
                .data(message.event())
                .id(generation.to_string());
            Ok(if message == super::Message::Hello {
                event.retry(RECONNECT)
            } else {
                event
            })
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Serve the site under its base path (`/blog`): strip it from requests, put it back on
/// redirects, send `/` to the site, and answer any other path with the 404 page. Quire's own
/// `/__quire/` paths stay at the root.
async fn mount(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let prefix = shared.prefix.as_str();
    let path = request.uri().path();
    if prefix.is_empty() || path.starts_with("/__quire/") {
        return next.run(request).await;
    }
    let inner = match path.strip_prefix(prefix) {
        Some(rest) if rest.starts_with('/') => rest.to_string(),
        Some("") | None if path == prefix || path == "/" => {
            return redirect(&format!("{prefix}/"));
        }
        // Outside the site: the inner service answers with the 404 page.
        _ => "/__quire/not-found".to_string(),
    };
    let query = request.uri().query().map(|q| format!("?{q}"));
    let rewritten = format!("{inner}{}", query.unwrap_or_default());
    if let Ok(uri) = rewritten.parse() {
        *request.uri_mut() = uri;
    }
    let mut response = next.run(request).await;
    // ServeDir's trailing-slash redirects name the path it saw.
    if response.status().is_redirection()
        && let Some(location) = response.headers().get(header::LOCATION)
        && let Ok(location) = location.to_str()
        && location.starts_with('/')
        && let Ok(value) = HeaderValue::from_str(&format!("{prefix}{location}"))
    {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn redirect(location: &str) -> Response {
    let value = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    (
        StatusCode::TEMPORARY_REDIRECT,
        [(header::LOCATION, value)],
        "",
    )
        .into_response()
}

/// Why a request path is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed: not starting with `/`, `..`, backslashes, NUL, encoded slashes.
    BadRequest,
    /// Resolves outside the served folder (through a symlink).
    NotFound,
}

/// Check a request path (still percent-encoded) against the served folder.
pub fn check_path(dir: &Path, raw_path: &str) -> Result<(), Refusal> {
    // An authority-form (`GET name.txt`) or asterisk-form (`GET *`) target has no path to serve.
    if !raw_path.starts_with('/') {
        return Err(Refusal::BadRequest);
    }
    let lower = raw_path.to_ascii_lowercase();
    // Encoded separators would let a segment hide a `/` or `\` from the router.
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Err(Refusal::BadRequest);
    }
    let decoded = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| Refusal::BadRequest)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return Err(Refusal::BadRequest);
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(Refusal::BadRequest);
    }
    // Follow symlinks: what exists must stay inside the folder.
    let target = dir.join(rel);
    if let (Ok(real), Ok(base)) = (target.canonicalize(), dir.canonicalize())
        && !real.starts_with(&base)
    {
        return Err(Refusal::NotFound);
    }
    Ok(())
}

async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    match check_path(&shared.dir, request.uri().path()) {
        Ok(()) => next.run(request).await,
        Err(Refusal::BadRequest) => (StatusCode::BAD_REQUEST, "bad request path").into_response(),
        Err(Refusal::NotFound) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// Headers for every response; live-reload script and error overlay for HTML.
async fn decorate(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    // A HEAD is answered as the GET would be, without the body: the length of a page is known
    // only once its fragments and script are in.
    if method == Method::HEAD {
        *request.method_mut() = Method::GET;
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let is_html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let full = matches!(parts.status, StatusCode::OK | StatusCode::NOT_FOUND);

    if parts.status == StatusCode::NOT_FOUND && !is_html && shared.has_error() {
        // Nothing built yet (the first build failed): still show the error.
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build error</title></head><body>{}</body></html>",
            shared.snippet()
        );
        return (
            StatusCode::NOT_FOUND,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            page,
        )
            .into_response();
    }
    if !(is_html && full) {
        // Files: a validator from length and modification time, without reading the body.
        if parts.status == StatusCode::OK
            && let Some(tag) = file_etag(&parts.headers)
        {
            if if_none_match.as_ref() == Some(&tag) {
                return not_modified(tag);
            }
            parts.headers.insert(header::ETAG, tag);
        }
        if method == Method::HEAD {
            return Response::from_parts(parts, Body::empty());
        }
        return Response::from_parts(parts, body);
    }

    let Ok(bytes) = axum::body::to_bytes(body, MAX_HTML).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "page too large to serve").into_response();
    };
    let page = shared.fill_fragments(&String::from_utf8_lossy(&bytes));
    let html = inject(&page, &shared.snippet());
    let tag = etag(crate::fingerprint::of_bytes(html.as_bytes()));
    if parts.status == StatusCode::OK && if_none_match.as_ref() == Some(&tag) {
        return not_modified(tag);
    }
    parts.headers.insert(header::ETAG, tag);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, html.len().into());
    if method == Method::HEAD {
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(html))
}

fn not_modified(tag: HeaderValue) -> Response {
    let mut r = StatusCode::NOT_MODIFIED.into_response();
    r.headers_mut().insert(header::ETAG, tag);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

fn etag(hash: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{hash:016x}\"")).expect("hex is a valid header")
}

fn file_etag(headers: &HeaderMap) -> Option<HeaderValue> {
    let modified = headers.get(header::LAST_MODIFIED)?.as_bytes();
    let len = headers.get(header::CONTENT_LENGTH)?.as_bytes();
    Some(etag(crate::fingerprint::of(&(modified, len))))
}

/// Put `snippet` just before `</body>`, or at the end when there is none.
pub fn inject(html: &str, snippet: &str) -> String {
    let at = html.rfind("</body>").unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + snippet.len());
    out.push_str(&html[..at]);
    out.push_str(snippet);
    out.push_str(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_attempts_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("a.html"), "x").unwrap();
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/posts/..%2f..%2fetc/passwd",
            "/..%5c..%5cetc",
            "/a%00.html",
            "/%c0%ae%c0%ae/etc/passwd",
            "/posts/%2e%2e/%2e%2e/x",
            "",
            "*",
            "a.html",
        ] {
            assert_eq!(check_path(dir, bad), Err(Refusal::BadRequest), "{bad}");
        }
        for good in ["/", "/a.html", "/posts/x/", "/caf%C3%A9/", "/./a.html"] {
            assert_eq!(check_path(dir, good), Ok(()), "{good}");
        }
    }

    #[test]
    fn symlinks_out_of_the_folder_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(outside.path(), tmp.path().join("link")).unwrap();
        assert_eq!(
            check_path(tmp.path(), "/link/secret.txt"),
            Err(Refusal::NotFound)
        );
    }

    #[test]
    fn only_hosts_naming_this_server_are_allowed() {
        let loopback: SocketAddr = "127.0.0.1:3131".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:3131".parse().unwrap();
        let lan: SocketAddr = "192.168.1.5:3131".parse().unwrap();
        for good in [
            "127.0.0.1:3131",
            "localhost:3131",
            "LocalHost:3131",
            "[::1]:3131",
            "127.0.0.2:3131",
            "[::ffff:127.0.0.1]:3131",
        ] {
            assert!(host_allowed(good, loopback, Some(loopback)), "{good}");
        }
        for bad in [
            "evil.com:3131",
            "evil.com",
            "127.0.0.1",
            "127.0.0.1:80",
            "127.0.0.1:31310",
            "localhost",
            "localhost.:3131",
            "localhost.evil.com:3131",
            "127.0.0.1.nip.io:3131",
            "user@127.0.0.1:3131",
            "[::1]",
            "::1:3131",
            "192.168.1.5:3131",
            "",
            "127.0.0.1:3131:3131",
            "127.0.0.1 :3131",
        ] {
            assert!(!host_allowed(bad, loopback, Some(loopback)), "{bad}");
        }
        // `--bind 0.0.0.0`: the address the client came in on.
        assert!(host_allowed("192.168.1.5:3131", any, Some(lan)));
        assert!(!host_allowed("192.168.1.6:3131", any, Some(lan)));
        assert!(!host_allowed("0.0.0.0:3131", any, Some(lan)));
        assert!(!host_allowed("evil.com:3131", any, Some(lan)));
        // `--bind 192.168.1.5`.
        assert!(host_allowed("192.168.1.5:3131", lan, Some(lan)));
        assert!(host_allowed("192.168.1.5:3131", lan, None));
        // Port 80 may be left out, as browsers do.
        let eighty: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert!(host_allowed("localhost", eighty, None));
        assert!(host_allowed("127.0.0.1:80", eighty, None));
        assert!(!host_allowed("evil.com", eighty, None));
    }

    #[test]
    fn redirects_never_name_another_host() {
        for (location, fixed) in [
            ("//evil.com/", Some("/evil.com/")),
            ("///posts/", Some("/posts/")),
            ("/\\evil.com/", Some("/evil.com/")),
            ("\\evil.com/", Some("/evil.com/")),
            ("/\t/evil.com/", Some("/evil.com/")),
            ("/ //evil.com/", Some("/evil.com/")),
            ("/blog//evil.com/", None),
            ("/posts/", None),
            ("/", None),
        ] {
            assert_eq!(same_host_location(location).as_deref(), fixed, "{location}");
        }
    }

    #[test]
    fn snippet_goes_before_the_closing_body_tag() {
        assert_eq!(
            inject("<p>x</p></body></html>", "S"),
            "<p>x</p>S</body></html>"
        );
        assert_eq!(inject("<p>x</p>", "S"), "<p>x</p>S");
    }
}
