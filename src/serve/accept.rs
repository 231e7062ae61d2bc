//! The accept loop: hyper's HTTP/1 connection driver with a timer, instead of `axum::serve`,
//! which sets no timer and so never times out a client that connects and sends nothing.
//!
//! - A connection that sends no complete request head within `idle_timeout` (nothing at all,
//!   half a request line, or nothing more after a response on a kept-alive connection) is
//!   closed: hyper's `header_read_timeout` runs whenever a head is awaited. A response being
//!   streamed (the live-reload event stream) is not a head read, so this never cuts it (the
//!   stream ends by itself: `http::events`).
//! - At most [`max_connections`] connections are open at once; more wait in the kernel's
//!   backlog until one closes, so the process never runs out of file descriptors because of
//!   clients. The limit follows the soft `RLIMIT_NOFILE`, raised to the hard limit first.
//! - An accept error (`EMFILE` when the rebuild holds many files at the limit, `ENOBUFS`) is
//!   waited out with a short pause: it neither stops the server nor spins a core.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// How long to wait before accepting again after an error such as `EMFILE`.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// File descriptors kept for everything but client connections: the rebuild's reads and
/// parallel writes, the watcher, the runtime.
const RESERVED_FDS: u64 = 256;
/// How long open requests get to finish when the server stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Serve `router` on `listener` until `stop` resolves.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    idle_timeout: Duration,
    stop: impl Future<Output = ()>,
) {
    let limit = Arc::new(Semaphore::new(max_connections()));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(idle_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let next = async {
            let permit = limit
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => return (stream, permit),
                    // The client gave up before we accepted: nothing to wait for.
                    Err(e) if is_connection_error(&e) => {}
                    Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
                }
            }
        };
        let (stream, permit) = tokio::select! {
            biased;
            () = &mut stop => break,
            next = next => next,
        };
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().ok().map(super::http::LocalAddr);
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                if let Some(local) = local {
                    request.extensions_mut().insert(local);
                }
                request
            },
        ));
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors here are the client's (reset, timed out, malformed): nothing to report.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    // Idle connections close at once; requests in flight get a moment to finish.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// How many client connections may be open at once: what the descriptor limit leaves after
/// [`RESERVED_FDS`], between 64 and 16,384.
fn max_connections() -> usize {
    let fds = raise_fd_limit().unwrap_or(1024);
    usize::try_from(fds.saturating_sub(RESERVED_FDS).clamp(64, 16_384)).unwrap_or(16_384)
}

/// Raise the soft limit on open files to the hard one (often 1,024 against 500,000 or more),
/// and return the soft limit now in force. A dev server is one process the user started;
/// it may use what the system allows it.
#[cfg(target_os = "linux")]
fn raise_fd_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some() && limit.current != limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        let _ = setrlimit(Resource::Nofile, raised);
    }
    // `None` is "unlimited".
    Some(getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX))
}

#[cfg(not(target_os = "linux"))]
fn raise_fd_limit() -> Option<u64> {
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn the_soft_file_limit_is_raised_to_the_hard_one() {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        // Lower the soft limit first (this is the library's test process; no other test in
        // it holds many files), so that raising it is seen.
        let before = getrlimit(Resource::Nofile);
        let low = Rlimit {
            current: Some(256),
            maximum: before.maximum,
        };
        setrlimit(Resource::Nofile, low).unwrap();
        assert_eq!(getrlimit(Resource::Nofile).current, Some(256));
        let soft = raise_fd_limit().unwrap();
        let now = getrlimit(Resource::Nofile);
        assert_eq!(now.current, now.maximum);
        assert_eq!(Some(soft), now.current.or(Some(u64::MAX)));
        assert!((64..=16_384).contains(&max_connections()));
    }
}
