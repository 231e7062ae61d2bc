//! The dev server's HTTP side: files from the output folder through tower-http's `ServeDir`
//! (content types, `index.html`, trailing-slash redirects, HEAD, Range, Last-Modified), plus a
//! layer that refuses paths escaping the folder, sets `Cache-Control: no-cache` and an `ETag`,
//! and injects the live-reload script and the error overlay into HTML.

use std::convert::Infallible;
use std::path::{Component, Path};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::{ServeDir, ServeFile};

use super::Shared;

pub const EVENTS_PATH: &str = "/__quire/events";
pub const SCRIPT_PATH: &str = "/__quire/livereload.js";
const SCRIPT: &str = include_str!("livereload.js");
/// Largest HTML page the server will rewrite; larger ones are served as they are.
const MAX_HTML: usize = 64 * 1024 * 1024;

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
        .with_state(shared)
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

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(shared.events.subscribe())
        .filter_map(|msg| msg.ok())
        // End the stream when the server stops, so graceful shutdown does not wait on it.
        .take_while(|msg| *msg != super::Message::Close)
        .map(|msg| Ok(Event::default().event(msg.event()).data(msg.event())));
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
    fn snippet_goes_before_the_closing_body_tag() {
        assert_eq!(
            inject("<p>x</p></body></html>", "S"),
            "<p>x</p>S</body></html>"
        );
        assert_eq!(inject("<p>x</p>", "S"), "<p>x</p>S");
    }
}
