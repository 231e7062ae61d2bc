// What check.mjs and serve.mjs share: how headless Chromium is started, and which
// requests count as staying on this machine.

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

const LOCAL_HOSTS = new Set(['127.0.0.1']);

// Whether a request stays on this machine (the test server, or data the page holds itself).
export function isLocal(urlString) {
  let u;
  try { u = new URL(urlString); } catch { return false; }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return (u.protocol === 'http:' || u.protocol === 'https:') && LOCAL_HOSTS.has(u.hostname);
}
