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
  const events = new EventSource("/__quire/events");
  events.addEventListener("reload", () => {
    sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  });
  events.addEventListener("css", () => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("quire-reload", Date.now().toString());
      link.href = url.toString();
    }
  });
})();
