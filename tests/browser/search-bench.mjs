#!/usr/bin/env node
// Search benchmark (not a test): what a reader's browser downloads for a query on the search
// page of a site built by Quire, and how long the first results take to appear.
//
//   node tests/browser/search-bench.mjs SITE_DIR [--runs N] [--query Q]... [--json FILE]
//
// Serves SITE_DIR twice on 127.0.0.1 (free ports): plain (no compression), and with gzip
// (zlib, level 6) for .html/.js/.json/.css/.svg/.xml/.txt when the request accepts it. For
// each query and each server, --runs times (default 5), in a fresh browser context (empty
// cache): load /search/, wait for the load event and for the script to have read meta.json
// (the filters are filled in), then type the query into #search-query with page.fill and
// time, inside the page, from the input event to the first `li.search-result` in the DOM (or,
// for a query with no results, to the final status text). The time includes the script's
// wait for the reader to pause typing (the first key after a pause searches at once).
//
// Every response for /search/… and /search.js from the page load until the results render is
// recorded: bytes are response.body() lengths on the plain server and Content-Length (the
// compressed body) on the gzip one. The HTML page /search/ is reported on its own; the
// table's bytes are the index files and the script. Bytes are checked to be the same in
// every run. Prints a Markdown table, the budget (300 KB of index and script, first results
// under 300 ms) and, for a query over it, its biggest responses.

import { readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, isLocal } from './chromium.mjs';

// Queries from the vocabulary of benches/support/corpus.rs (10,000 posts, seed 1):
// every word of WORDS is in nearly every post; tags are drawn Zipf-like from 300, so a tag
// word is in 5–35% of posts; a post's number is in its title only.
const DEFAULT_QUERIES = [
  { q: 'harbour', what: 'very common word (WORDS, ~every post)' },
  { q: 'heritage', what: 'mid word (tag "Heritage …", ~7% of posts)' },
  { q: 'łódź', what: 'rare tag word, non-ASCII (tag "Łódź …", ~5.6%)' },
  { q: '4711', what: 'rarest: one post\'s number, in its title only' },
  { q: 'lig', what: 'prefix being typed ("lighthouse")' },
  { q: 'zeppelin', what: 'word not in the site' },
  { q: 'ferry timetable', what: 'two common words' },
  { q: 'café society', what: 'two-word tag ("Café Society …")' },
];
const BUDGET_BYTES = 300 * 1000;
const BUDGET_MS = 300;
const GZIP_TYPES = new Set(['.html', '.js', '.mjs', '.json', '.css', '.svg', '.xml', '.txt']);
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) console.error(`search-bench.mjs: ${msg}`);
  console.error('usage: node tests/browser/search-bench.mjs SITE_DIR [--runs N] [--query Q]... [--json FILE]');
  process.exit(2);
}

const opts = { site: null, runs: 5, queries: [], json: null };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') {
      opts.runs = Number(argv[++i]);
      if (!Number.isInteger(opts.runs) || opts.runs < 1) usage('--runs takes a whole number ≥ 1');
    } else if (a === '--query') {
      if (argv[i + 1] === undefined) usage('--query needs a value');
      opts.queries.push({ q: argv[++i], what: 'given' });
    } else if (a === '--json') {
      if (!argv[i + 1]) usage('--json needs a file');
      opts.json = path.resolve(argv[++i]);
    } else if (a === '-h' || a === '--help') {
      usage();
    } else if (a.startsWith('-')) {
      usage(`unknown option ${a}`);
    } else if (!opts.site) {
      opts.site = path.resolve(a);
    } else {
      usage(`unexpected argument ${a}`);
    }
  }
  if (!opts.site) usage('missing SITE_DIR');
  if (!opts.queries.length) opts.queries = DEFAULT_QUERIES;
}

// ---------------------------------------------------------------- server

async function isFile(p) {
  try { return (await stat(p)).isFile(); } catch { return false; }
}

/** A static server for `root`; with `gzip`, compresses text files for clients that accept it
 * (each file compressed once, then kept, as a server with precompressed files would). */
function startServer(root, gzip) {
  const compressed = new Map();
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let rel;
      try { rel = decodeURIComponent(url.pathname); } catch { rel = null; }
      let file = rel === null ? null : path.join(root, path.normalize(rel));
      if (file === null || !(file === root || file.startsWith(root + path.sep))) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request\n');
        return;
      }
      if (rel.endsWith('/')) file = path.join(file, 'index.html');
      if (!(await isFile(file))) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      const ext = path.extname(file).toLowerCase();
      const headers = { 'content-type': TYPES[ext] || 'application/octet-stream', 'cache-control': 'no-cache' };
      let body;
      if (gzip && GZIP_TYPES.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
        body = compressed.get(file);
        if (!body) {
          body = zlib.gzipSync(await readFile(file), { level: 6 });
          compressed.set(file, body);
        }
        headers['content-encoding'] = 'gzip';
        headers.vary = 'Accept-Encoding';
      } else {
        body = await readFile(file);
      }
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` }));
  });
}

// ---------------------------------------------------------------- one run

/** Installed in the page before typing: resolves `window.__benchFirst` with the time from the
 * input event to the first result (or the final "nothing matches" status), and
 * `window.__benchDone` with the final status text. */
function watchPage() {
  const input = document.getElementById('search-query');
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  let t0 = null;
  let searching = null;
  let started = null;
  let first = null;
  let resolveFirst;
  let resolveDone;
  window.__benchFirst = new Promise((r) => { resolveFirst = r; });
  window.__benchDone = new Promise((r) => { resolveDone = r; });
  input.addEventListener('input', () => { if (t0 === null) t0 = performance.now(); }, { capture: true });
  const check = () => {
    if (t0 === null) return;
    const text = status.textContent;
    if (first === null && list.querySelector('li.search-result')) {
      first = { ms: performance.now() - t0, started, kind: 'results' };
      resolveFirst(first);
    }
    if (text && searching === null) {
      searching = text; // "Searching…", set when the query runs (after any wait for a pause)
      started = performance.now() - t0;
    } else if (text && text !== searching) {
      if (first === null) {
        first = { ms: performance.now() - t0, started, kind: 'status' };
        resolveFirst(first);
      }
      observer.disconnect();
      resolveDone({ status: text, shown: list.querySelectorAll('li.search-result').length });
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
}

/** Whether a URL is one the search needs: the page, the script or the index. */
function searchPath(url) {
  const p = new URL(url).pathname;
  return p === '/search.js' || p.startsWith('/search/');
}

async function runOnce(browser, base, query, gzip) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    const responses = [];
    const offsite = [];
    let recording = true;
    page.on('request', (req) => { if (!isLocal(req.url())) offsite.push(req.url()); });
    page.on('response', (r) => { if (recording) responses.push(r); });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    const resp = await page.goto(`${base}/search/`, { waitUntil: 'load' });
    if (!resp || !resp.ok()) throw new Error(`/search/: ${resp ? resp.status() : 'no response'}`);
    // The script has read meta.json and filled the filters (a reader types later than that).
    await page.waitForFunction(() => {
      const s = document.getElementById('search-sort');
      return s && !s.closest('.search-filter').hidden;
    }, null, { timeout: 15000 });
    await page.evaluate(watchPage);
    await page.fill('#search-query', query);
    const first = await page.evaluate(() => window.__benchFirst);
    const done = await page.evaluate(() => window.__benchDone);
    recording = false;
    if (pageErrors.length) throw new Error(`page errors: ${pageErrors.join('; ')}`);
    if (offsite.length) throw new Error(`requests off 127.0.0.1: ${offsite.join(', ')}`);

    const files = [];
    let other = 0;
    for (const r of responses) {
      const url = new URL(r.url());
      const body = await r.body().catch(() => Buffer.alloc(0));
      const headers = await r.allHeaders();
      const wire = gzip && headers['content-length'] !== undefined ? Number(headers['content-length']) : body.length;
      if (!searchPath(r.url())) {
        other += wire;
        continue;
      }
      if (r.status() !== 200) throw new Error(`${url.pathname}${url.search}: ${r.status()}`);
      if (gzip && GZIP_TYPES.has(path.extname(url.pathname) || '.html') && headers['content-encoding'] !== 'gzip') {
        throw new Error(`${url.pathname}: not compressed by the gzip server`);
      }
      files.push({ path: url.pathname, page: url.pathname === '/search/', raw: body.length, wire });
    }
    return { ms: first.ms, search: first.ms - first.started, kind: first.kind, status: done.status, shown: done.shown, files, other };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- main

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n) => n.toLocaleString('en-US');
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const sum = (files, key) => files.reduce((a, f) => a + f[key], 0);
/** What identifies a run's downloads: each file with its size (the `?v=` query dropped). */
const signature = (files, key) => files.map((f) => `${f.path}:${f[key]}`).sort().join(' ');

async function main() {
  if (!(await isFile(path.join(opts.site, 'search', 'index.html')))) {
    usage(`${opts.site} has no search/index.html: is it the output of \`quire build\`?`);
  }
  const plain = await startServer(opts.site, false);
  const packed = await startServer(opts.site, true);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const rows = [];
  let failed = false;
  try {
    // One run to warm the browser up, not counted.
    await runOnce(browser, plain.base, opts.queries[0].q, false);
    for (const { q, what } of opts.queries) {
      const row = { query: q, what, modes: {} };
      for (const [mode, server, gzip] of [['raw', plain, false], ['gzip', packed, true]]) {
        const runs = [];
        for (let i = 0; i < opts.runs; i++) runs.push(await runOnce(browser, server.base, q, gzip));
        const key = gzip ? 'wire' : 'raw';
        const sigs = new Set(runs.map((r) => signature(r.files, key)));
        row.modes[mode] = {
          runs, same: sigs.size === 1, ms: median(runs.map((r) => r.ms)), search: median(runs.map((r) => r.search)),
        };
        process.stderr.write(`search-bench: ${JSON.stringify(q)} ${mode}: ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms\n`);
      }
      rows.push(row);
    }
  } finally {
    await browser.close();
    plain.server.close();
    packed.server.close();
  }

  // The table: index+script bytes of the first run (all runs are checked to be the same).
  const out = [];
  out.push(`Search benchmark: ${opts.site}, ${opts.runs} runs a query, fresh browser context each run`);
  out.push('');
  out.push('| query | requests | index+script bytes raw | gzip bytes | median ms to first results | of which after "Searching…" | median ms, gzip server | results |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  let pageRaw = 0;
  let pageGzip = 0;
  let otherRaw = 0;
  for (const row of rows) {
    const raw = row.modes.raw.runs[0];
    const gz = row.modes.gzip.runs[0];
    const rawFiles = raw.files.filter((f) => !f.page);
    const gzFiles = gz.files.filter((f) => !f.page);
    pageRaw = sum(raw.files.filter((f) => f.page), 'raw');
    pageGzip = sum(gz.files.filter((f) => f.page), 'wire');
    otherRaw = raw.other;
    row.bytesRaw = sum(rawFiles, 'raw');
    row.bytesGzip = sum(gzFiles, 'wire');
    row.requests = rawFiles.length;
    row.files = rawFiles.map((f) => ({ ...f, wire: (gzFiles.find((g) => g.path === f.path) || {}).wire }));
    const results = raw.kind === 'results' ? (raw.status.match(/\d[\d,.\u00a0\u202f]*/) || ['?'])[0] : '0';
    const flags = [row.modes.raw.same, row.modes.gzip.same].every(Boolean) ? '' : ' (bytes differ between runs!)';
    if (flags) failed = true;
    out.push(`| \`${row.query}\` | ${row.requests} | ${fmt(row.bytesRaw)} | ${fmt(row.bytesGzip)} | ${row.modes.raw.ms.toFixed(0)} | ${row.modes.raw.search.toFixed(0)} | ${row.modes.gzip.ms.toFixed(0)} | ${results}${flags} |`);
  }
  out.push('');
  out.push(`Not in the table: the HTML page /search/ itself, ${fmt(pageRaw)} bytes raw, ${fmt(pageGzip)} gzip (1 request);`);
  out.push(`other files the page loads (style sheet, icon): ${fmt(otherRaw)} bytes raw.`);
  out.push('Requests: index files and /search.js (meta.json, t/ dictionary chunks, d/ result files, f/ filter lists).');
  out.push('Times: from the input event to the first li.search-result in the DOM (for no results, to the final status),');
  out.push('including any wait of search.js for the reader to pause ("after Searching…": from that message to first results);');
  out.push('localhost, no throttling. Results: the count the page reports.');
  out.push('');
  out.push(`Budget: at most ${kb(BUDGET_BYTES)} of index files and script a query, first results under ${BUDGET_MS} ms.`);
  for (const row of rows) {
    const over = [];
    if (row.bytesRaw > BUDGET_BYTES) over.push(`raw bytes ${kb(row.bytesRaw)}`);
    if (row.bytesGzip > BUDGET_BYTES) over.push(`gzip bytes ${kb(row.bytesGzip)}`);
    if (row.modes.raw.ms >= BUDGET_MS) over.push(`time ${row.modes.raw.ms.toFixed(0)} ms`);
    if (!over.length) {
      out.push(`- \`${row.query}\`: within budget`);
      continue;
    }
    out.push(`- \`${row.query}\`: OVER (${over.join(', ')}); biggest responses (raw / gzip bytes):`);
    const byKind = {};
    for (const f of row.files) {
      const kind = f.path.replace(/^\/search\//, '').replace(/\/[^/]*$/, '/') || f.path;
      const k = f.path === '/search.js' ? 'search.js' : f.path.endsWith('meta.json') ? 'meta.json' : kind;
      byKind[k] = byKind[k] || { n: 0, raw: 0, wire: 0 };
      byKind[k].n += 1;
      byKind[k].raw += f.raw;
      byKind[k].wire += f.wire || 0;
    }
    for (const f of [...row.files].sort((a, b) => b.raw - a.raw).slice(0, 6)) {
      out.push(`  - ${f.path}: ${fmt(f.raw)} / ${fmt(f.wire)}`);
    }
    out.push(`  - by kind: ${Object.entries(byKind).sort((a, b) => b[1].raw - a[1].raw)
      .map(([k, v]) => `${k} ${v.n} file${v.n === 1 ? '' : 's'} ${fmt(v.raw)} / ${fmt(v.wire)}`).join('; ')}`);
  }
  console.log(out.join('\n'));
  if (opts.json) {
    await writeFile(opts.json, JSON.stringify(rows.map((r) => ({
      query: r.query, what: r.what, requests: r.requests, bytesRaw: r.bytesRaw, bytesGzip: r.bytesGzip,
      msRaw: r.modes.raw.runs.map((x) => x.ms), msGzip: r.modes.gzip.runs.map((x) => x.ms), files: r.files,
    })), null, 2));
  }
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`search-bench.mjs: ${err.stack || err}`);
  process.exit(1);
});
