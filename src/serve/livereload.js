// Quire dev server: reload on rebuild, swap stylesheets on CSS-only changes, keep the scroll
// position across reloads. Injected only while serving; never part of a built site.
(() => {
  const key = "quire-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved) {
    sessionStorage.removeItem(key);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    restore();
    window.addEventListener("load", restore, { once: true });
  }
  // The server ends each stream after a while (and the oldest when too many are open); the
  // browser then reconnects by itself, telling the server the last event's id, and is told to
  // reload if it missed a rebuild. A source the browser gave up on (the server answered with
  // an error, say while restarting) is opened again here, with that id in `since`.
  let last = "";
  const connect = () => {
    const events = new EventSource("/__quire/events" + (last ? "?since=" + last : ""));
    const seen = (e) => {
      last = e.lastEventId;
    };
    events.addEventListener("hello", seen);
    events.addEventListener("reload", () => {
      events.close();
      sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY]));
      location.reload();
    });
    events.addEventListener("css", (e) => {
      seen(e);
      for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
        const url = new URL(link.href);
        url.searchParams.set("quire-reload", Date.now().toString());
        link.href = url.toString();
      }
    });
    events.addEventListener("error", () => {
      if (events.readyState === EventSource.CLOSED) {
        setTimeout(connect, 2000);
      }
    });
  };
  connect();
})();
