#!/usr/bin/env node
// Browser test of the search page (templates/search.html, static/search.js) in headless
// Chromium.
//
//   node tests/browser/search.mjs
//
// Builds, with target/release/quire (or $QUIRE_BIN), into a temp folder:
//   - the repository's sample site;
//   - the same under a base path (`--base-url http://127.0.0.1/blog/`), served under /blog/;
//   - a generated English site with 23 posts, so that results run past one screenful;
//   - a tiny Russian site (stemming: «книга» finds «книгами»);
// serves each on 127.0.0.1 with a small static server (which can serve a site under a path
// prefix) and, typing for real (page.type with a delay), checks:
//   a. a word found in exactly one post (picked by reading the built pages in the browser,
//      never the index) leads to that post first, with the word marked in the excerpt, a
//      status announcing one result, and ?q=<word> in the URL;
//   b. a tag filter narrows the results to the posts with that tag;
//   c. sorting by date orders the results newest first;
//   d. keyboard: Tab from the query reaches the filters and then the results in order; the
//      "show more" button moves focus to the first new result;
//   e. without JavaScript the page explains itself and links to the archive and the tag list,
//      and the masthead search box still leads to /search/?q=…;
//   f. with JavaScript, the masthead box leads to results;
//   g. axe-core on /search/ with results showing, light and dark, desktop and phone;
//   h. under a base path, result links keep the prefix and load;
//   i. the Russian site.
// Every page error, console error, failed response or request leaving 127.0.0.1 fails the
// test. The repository's files are never written. Exits non-zero on any failure.

import { execFile } from 'node:child_process';
import { constants as fsConstants, createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, isLocal } from './chromium.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const QUIRE = process.env.QUIRE_BIN || path.join(REPO, 'target', 'release', 'quire');
const AXE_JS = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
const DESKTOP = VIEWPORTS[0];
const SCHEMES = ['light', 'dark'];
const TYPE_DELAY = 40; // ms between keys: well under the page's 150 ms debounce
const TIMEOUT = 10_000; // every single wait
const WATCHDOG = 240_000; // the whole test
const SHOWN = 10; // results per screenful in search.js
const BLOG = '/blog/'; // the base path of the copy served under a prefix
const MANY_POSTS = 23;
const MANY_WORD = 'lantern';
const NOJS_QUERY = 'harbour';
const MASTHEAD_NOJS_TEXT = 'harbour wall';
const RU_QUERY = 'книга';
const RU_WORD = 'книгами';

// ---------------------------------------------------------------- results

const failures = []; // every problem found, for the report
const counts = new Map(); // check name -> times run
const failed = new Map(); // check name -> times it failed
const notes = [];

function count(name, ok = true) {
  counts.set(name, (counts.get(name) || 0) + 1);
  if (!ok) failed.set(name, (failed.get(name) || 0) + 1);
}
function fail(name, where, message) {
  failures.push({ check: name, where, message });
  console.log(`  FAIL [${name}] ${where}: ${String(message).split('\n')[0]}`);
}
function check(name, where, ok, message) {
  count(name, !!ok);
  if (!ok) fail(name, where, message);
  return !!ok;
}

/** A problem after which the rest of a step cannot run. */
class Abort extends Error {}
function need(name, where, ok, message) {
  if (!check(name, where, ok, message)) {
    const err = new Abort(`${name}: ${message}`);
    err.recorded = true;
    throw err;
  }
}

// ---------------------------------------------------------------- sites

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Abort(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(`${stdout}${stderr}`.trim());
    });
  });
}

async function build(root, out, extra = []) {
  const said = await run(QUIRE, ['--root', root, 'build', '--output', out, ...extra]);
  console.log(`  ${said.split('\n').pop()}`);
  return out;
}

/** A site with MANY_POSTS posts that all say MANY_WORD, tagged Lamps and Odd or Even. */
async function writeManySite(dir) {
  await mkdir(path.join(dir, 'content', 'posts'), { recursive: true });
  await writeFile(path.join(dir, 'config.toml'),
    'title = "Lamp Notes"\nbase_url = "http://127.0.0.1/"\nlanguage = "en"\n');
  for (let i = 1; i <= MANY_POSTS; i++) {
    const n = String(i).padStart(2, '0');
    const day = new Date(Date.UTC(2025, 0, 1 + i * 3)).toISOString().slice(0, 10);
    const tags = ['Lamps', i % 2 ? 'Odd' : 'Even'].map((t) => JSON.stringify(t)).join(', ');
    await writeFile(path.join(dir, 'content', 'posts', `lamp-${n}.md`),
      `+++\ntitle = "Lamp note number ${i}"\ndate = ${day}\ntags = [${tags}]\n+++\n\n`
      + `Note ${i}: the ${MANY_WORD} on the pier was lit at dusk and trimmed at dawn. `
      + `The keeper wrote down the weather, the oil used and the ships that passed.\n`);
  }
}

/** A Russian site of two posts, one of which says RU_WORD. */
async function writeRussianSite(dir) {
  await mkdir(path.join(dir, 'content', 'posts'), { recursive: true });
  await writeFile(path.join(dir, 'config.toml'),
    'title = "Городские заметки"\nbase_url = "http://127.0.0.1/"\nlanguage = "ru"\n');
  await writeFile(path.join(dir, 'content', 'posts', 'a.md'),
    '+++\ntitle = "Библиотека открыла обменный шкаф"\ndate = 2026-01-01\n+++\n\n'
    + `В городской библиотеке теперь можно меняться ${RU_WORD} каждую субботу. `
    + 'Шкаф стоит у входа, рядом с гардеробом.\n');
  await writeFile(path.join(dir, 'content', 'posts', 'b.md'),
    '+++\ntitle = "Погода на неделю"\ndate = 2026-01-02\n+++\n\n'
    + 'В понедельник ожидается дождь, а к выходным станет теплее и суше.\n');
}

// ---------------------------------------------------------------- server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
};

async function isFile(p) {
  try { return (await stat(p)).isFile(); } catch { return false; }
}
async function isDir(p) {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
}

/** Serve `root` at http://127.0.0.1:PORT`prefix` (prefix "/" or "/blog/"); anything outside
 * the prefix is a 404. */
function startServer(root, prefix = '/') {
  const served = [];
  const server = http.createServer(async (req, res) => {
    let status = 200;
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let rel = null;
      if (url.pathname.startsWith(prefix)) {
        try { rel = decodeURIComponent(url.pathname.slice(prefix.length - 1)); } catch { rel = null; }
      }
      const file = rel === null ? null : path.join(root, path.normalize(rel));
      if (file !== null && !(file === root || file.startsWith(root + path.sep))) {
        status = 400;
        res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request\n');
      } else if (file !== null && rel.endsWith('/') && (await isFile(path.join(file, 'index.html')))) {
        send(res, path.join(file, 'index.html'), 200, req.method);
      } else if (file !== null && !rel.endsWith('/') && (await isFile(file))) {
        send(res, file, 200, req.method);
      } else if (file !== null && !rel.endsWith('/') && (await isDir(file))) {
        status = 301;
        res.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
      } else {
        status = 404;
        const notFound = path.join(root, '404.html');
        if (file !== null && (await isFile(notFound))) send(res, notFound, 404, req.method);
        else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch (err) {
      status = 500;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
    served.push({ url: req.url, status });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      // `base` + "/search/" is the search page: the origin plus the prefix without its last slash.
      resolve({ server, served, base: `http://127.0.0.1:${port}${prefix.replace(/\/$/, '')}`, prefix });
    });
  });
}

function send(res, file, status, method) {
  const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  if (method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

// ---------------------------------------------------------------- browser

let browser = null;

/** A fresh context and page that record page errors, console errors, failed responses and
 * requests leaving 127.0.0.1; `done(where)` checks them and closes the context. */
async function open({ vp = DESKTOP, js = true, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({
    viewport: { width: vp.width, height: vp.height },
    deviceScaleFactor: 1,
    colorScheme,
    reducedMotion: 'reduce',
    javaScriptEnabled: js,
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const watch = { offsite: new Set(), errors: [], bad: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    watch.offsite.add(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (req) => { if (!isLocal(req.url())) watch.offsite.add(req.url()); });
  const page = await context.newPage();
  page.on('pageerror', (e) => watch.errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') watch.errors.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) watch.bad.push(`${r.status()} ${r.url()}`); });
  let closed = false;
  const done = async (where) => {
    if (closed) return;
    closed = true;
    check('no page or console errors', where, watch.errors.length === 0, watch.errors.join(' | '));
    check('no failed responses', where, watch.bad.length === 0, watch.bad.join(', '));
    check('no request leaves 127.0.0.1', where, watch.offsite.size === 0, `off-site request(s): ${[...watch.offsite].join(', ')}`);
    await context.close();
  };
  return { context, page, watch, done };
}

/** Wait until the script has filled the filters (the sort select shows once meta.json is read). */
async function ready(page) {
  await page.waitForSelector('#search-sort', { state: 'visible' });
}

/** Wait until the URL holds `want` (every key, "" meaning absent) and the search it started is
 * over: search.js updates the URL and sets "Searching…" in one go, then the final status. */
async function settle(page, want, what = JSON.stringify(want)) {
  try {
    await page.waitForFunction((w) => {
      const params = new URL(location.href).searchParams;
      for (const [k, v] of Object.entries(w)) if ((params.get(k) || '') !== v) return false;
      const form = document.getElementById('search-form');
      const words = JSON.parse(form.dataset.words || '{}');
      const s = words.search_searching;
      const searching = s ? (s.Text ?? s) : '';
      const status = document.getElementById('search-status').textContent.trim();
      return status !== '' && status !== searching;
    }, want, { timeout: TIMEOUT, polling: 50 });
  } catch (err) {
    const now = await page.evaluate(() => ({
      url: location.href,
      status: document.getElementById('search-status')?.textContent,
    })).catch(() => ({}));
    throw new Abort(`timed out waiting for the search ${what} to finish (URL ${now.url}, status ${JSON.stringify(now.status)})`);
  }
}

async function typeQuery(page, selector, text) {
  await page.click(selector);
  await page.type(selector, text, { delay: TYPE_DELAY });
}

/** The results shown, as the reader sees them. */
function readResults(page) {
  return page.$$eval('#search-results > li.search-result', (lis) => lis.map((li) => {
    const a = li.querySelector('h2 a');
    return {
      href: a && a.getAttribute('href'),
      title: a && a.textContent.trim(),
      date: (li.querySelector('p.meta time') || { dateTime: null }).dateTime || null,
      marks: [...li.querySelectorAll('p.search-excerpt mark')].map((m) => m.textContent),
      excerpt: (li.querySelector('p.search-excerpt') || { textContent: '' }).textContent,
      tags: [...li.querySelectorAll('div.term-links ul li a')].map((t) => t.textContent.trim()),
    };
  }));
}

/** Every result, pressing "show more" until it hides. */
async function readAllResults(page) {
  for (let i = 0; i < 100; i++) {
    if (!(await page.isVisible('#search-more'))) break;
    const n = await page.locator('#search-results > li').count();
    await page.click('#search-more');
    await page.waitForFunction((k) => document.querySelectorAll('#search-results > li').length > k, n);
  }
  return readResults(page);
}

async function statusOf(page) {
  return page.$eval('#search-status', (s) => ({
    text: s.textContent.trim(),
    role: s.getAttribute('role'),
    live: s.getAttribute('aria-live'),
  }));
}

/** The number a status line gives ("3 results for …"), or null. */
function countIn(text) {
  const m = /\d[\d\s,.\u00a0\u202f]*/.exec(text);
  return m ? Number(m[0].replace(/[^\d]/g, '')) : null;
}

function urlParams(page) {
  const u = new URL(page.url());
  return { path: u.pathname, q: u.searchParams.get('q'), params: u.searchParams };
}

// ---------------------------------------------------------------- reading the sample

const WORD = /[\p{L}\p{N}\p{M}]+/gu; // how search.js splits words

/** Every post and page of a built site as the browser shows it: its URL, its body text, and
 * everything else of it a search could match (title, caption, alt text, tags, description). */
async function readDocuments(site, dir) {
  const files = [];
  const walk = async (rel) => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.name === 'index.html') files.push(r);
    }
  };
  await walk('');
  const s = await open();
  const docs = [];
  try {
    for (const f of files.sort()) {
      const url = `/${f.slice(0, -'index.html'.length)}`;
      await s.page.goto(site.base + url, { waitUntil: 'load' });
      const doc = await s.page.evaluate(() => {
        const art = document.querySelector('main article.post, main article.page');
        if (!art) return null;
        const body = art.querySelector('.post-body');
        const desc = document.querySelector('meta[name="description"]');
        return {
          kind: art.classList.contains('post') ? 'post' : 'page',
          title: (art.querySelector('h1') || { textContent: '' }).textContent.trim(),
          body: body ? body.innerText : '',
          all: [art.innerText, document.title, desc ? desc.content : '',
            ...[...art.querySelectorAll('img')].map((i) => i.alt)].join('\n'),
        };
      });
      if (doc) docs.push({ url: site.prefix === '/' ? url : site.prefix.slice(0, -1) + url, ...doc });
    }
  } finally {
    await s.done('reading the sample pages');
  }
  return docs;
}

const wordsOf = (text) => (text.toLowerCase().match(WORD) || []);
const isCandidate = (w) => /^\p{L}{5,}$/u.test(w);

/** A word of five letters or more in exactly one post's body, that no other document has in
 * any form (no word of theirs shares its first four letters, so neither stemming nor the
 * prefix match of the word being typed can find them), and that its own post has in that one
 * form (so the excerpt marks exactly it). Longest first, then alphabetical. */
function pickUniqueWord(docs) {
  const posts = docs.filter((d) => d.kind === 'post');
  const found = [];
  for (const post of posts) {
    const others = docs.filter((d) => d !== post).flatMap((d) => wordsOf(d.all));
    const own = wordsOf(post.all);
    for (const w of new Set(wordsOf(post.body).filter(isCandidate))) {
      const stem = w.slice(0, 4);
      if (others.some((o) => o.startsWith(stem))) continue;
      if (own.some((o) => o.startsWith(stem) && o !== w)) continue;
      found.push({ word: w, post });
    }
  }
  found.sort((a, b) => b.word.length - a.word.length || (a.word < b.word ? -1 : 1));
  return found;
}

/** Words of five letters or more in the bodies of two posts or more, most widespread first. */
function pickCommonWords(docs) {
  const posts = docs.filter((d) => d.kind === 'post');
  const seen = new Map();
  for (const post of posts) {
    for (const w of new Set(wordsOf(post.body).filter(isCandidate))) {
      if (!seen.has(w)) seen.set(w, []);
      seen.get(w).push(post.url);
    }
  }
  return [...seen].filter(([, urls]) => urls.length >= 2)
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .map(([word, urls]) => ({ word, urls }));
}

// ---------------------------------------------------------------- steps

let stepStart = Date.now();
const timings = [];
async function step(title, fn) {
  stepStart = Date.now();
  console.log(`search.mjs: ${title}`);
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof Abort)) check('step completes', title, false, err && err.stack ? err.stack : String(err));
    else if (!err.recorded) check('step completes', title, false, err.message);
  }
  timings.push([title, Date.now() - stepStart]);
  console.log(`  (${Date.now() - stepStart} ms)`);
}

async function stepUnique(sample, unique) {
  const { word, post } = unique;
  const where = `a. ${sample.prefix}search/ "${word}"`;
  const s = await open();
  try {
    await s.page.goto(`${sample.base}/search/`, { waitUntil: 'load' });
    await ready(s.page);
    await typeQuery(s.page, '#search-query', word);
    await settle(s.page, { q: word });
    const results = await readResults(s.page);
    const status = await statusOf(s.page);
    console.log(`  "${word}" (only in ${post.url}): ${results.length} result(s), status "${status.text}"`);
    need('results appear as the reader types', where, results.length > 0, `no results; status "${status.text}"`);
    check('first result is the one post with the word', where, results[0].href === post.url,
      `first result links to ${results[0].href}, wanted ${post.url}`);
    check('only one result', where, results.length === 1,
      `${results.length} results: ${results.map((r) => r.href).join(', ')}`);
    check('excerpt marks the word', where, results[0].marks.some((m) => m.toLowerCase() === word),
      `marks ${JSON.stringify(results[0].marks)} in ${JSON.stringify(results[0].excerpt)}`);
    check('status gives a count of 1', where, /(^|\D)1(\D|$)/.test(status.text) && countIn(status.text) === 1,
      `status "${status.text}"`);
    check('status is announced (role=status, aria-live=polite)', where,
      status.role === 'status' && status.live === 'polite', `role=${status.role} aria-live=${status.live}`);
    const u = urlParams(s.page);
    check('URL holds ?q=<word>', where, u.path === `${sample.prefix}search/` && u.q === word,
      `URL is ${s.page.url()}`);
  } finally {
    await s.done(where);
  }
}

/** b and c: a tag filter narrows the results; sorting by date orders them newest first. */
async function stepFilterAndSort(sample, commons) {
  const s = await open();
  let where = `b. ${sample.prefix}search/`;
  try {
    let chosen = null;
    for (const { word, urls } of commons.slice(0, 6)) {
      where = `b. ${sample.prefix}search/ "${word}"`;
      await s.page.goto(`${sample.base}/search/`, { waitUntil: 'load' });
      await ready(s.page);
      await typeQuery(s.page, '#search-query', word);
      await settle(s.page, { q: word });
      const all = await readAllResults(s.page);
      const status = await statusOf(s.page);
      const tally = new Map();
      for (const r of all) for (const t of new Set(r.tags)) tally.set(t, (tally.get(t) || 0) + 1);
      const partial = [...tally].filter(([, n]) => n > 0 && n < all.length)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      if (!partial.length) continue;
      chosen = { word, urls, all, status, tag: partial[0][0] };
      break;
    }
    need('a common word with a tag on some of its results', where, chosen,
      `none of ${commons.slice(0, 6).map((c) => c.word).join(', ')} has results that differ in tags`);
    const { word, urls, all, status, tag } = chosen;
    console.log(`  "${word}" (in the bodies of ${urls.length} posts): ${all.length} results; filtering on tag "${tag}"`);
    check('status count matches the results', where, countIn(status.text) === all.length,
      `status "${status.text}", ${all.length} results listed`);
    const hrefs = new Set(all.map((r) => r.href));
    const missing = urls.filter((u) => !hrefs.has(u));
    check('every post with the word is found', where, missing.length === 0, `missing: ${missing.join(', ')}`);

    await s.page.selectOption('select[name="tags"]', tag);
    await settle(s.page, { q: word, tags: tag });
    const narrowed = await readAllResults(s.page);
    const status2 = await statusOf(s.page);
    console.log(`  with tags=${tag}: ${narrowed.length} results, status "${status2.text}"`);
    where = `b. ${sample.prefix}search/?q=${word}&tags=${tag}`;
    check('tag filter narrows the results', where, narrowed.length > 0 && narrowed.length < all.length,
      `${all.length} results before, ${narrowed.length} after`);
    const untagged = narrowed.filter((r) => !r.tags.includes(tag));
    check('every filtered result lists the tag', where, untagged.length === 0,
      `without "${tag}": ${untagged.map((r) => `${r.href} (${r.tags.join(', ')})`).join('; ')}`);
    const want = all.filter((r) => r.tags.includes(tag)).map((r) => r.href).sort();
    const got = narrowed.map((r) => r.href).sort();
    check('filtered results are exactly the tagged ones', where, JSON.stringify(want) === JSON.stringify(got),
      `got ${got.join(', ')}; wanted ${want.join(', ')}`);
    check('status count matches the filtered results', where, countIn(status2.text) === narrowed.length,
      `status "${status2.text}", ${narrowed.length} results listed`);

    // c. Back to any tag, then newest first.
    where = `c. ${sample.prefix}search/?q=${word}&sort=date`;
    await s.page.selectOption('select[name="tags"]', '');
    await settle(s.page, { q: word, tags: '' });
    await s.page.selectOption('#search-sort', 'date');
    await settle(s.page, { q: word, tags: '', sort: 'date' });
    const sorted = await readAllResults(s.page);
    const dates = sorted.map((r) => r.date);
    console.log(`  sorted by date: ${dates.join(', ')}`);
    check('sorting keeps the same results', where,
      JSON.stringify(sorted.map((r) => r.href).sort()) === JSON.stringify([...hrefs].sort()),
      `got ${sorted.map((r) => r.href).join(', ')}`);
    const dated = dates.filter(Boolean);
    check('results carry dates', where, dated.length >= 2, `dates: ${JSON.stringify(dates)}`);
    const bad = dated.findIndex((d, i) => i > 0 && d > dated[i - 1]);
    check('dates are newest first', where, bad < 0,
      `${dated[bad]} comes after ${dated[bad - 1]}: ${dated.join(', ')}`);
    const undatedBetween = dates.findIndex((d, i) => !d && dates.slice(i + 1).some(Boolean));
    check('undated results after the dated ones', where, undatedBetween < 0, `dates: ${JSON.stringify(dates)}`);
  } finally {
    await s.done('b/c. filter and sort');
  }
}

/** Press Tab from #search-query and record what takes focus, until the focus leaves <main>
 * or reaches "show more". */
async function tabWalk(page, limit = 80) {
  await page.focus('#search-query');
  const seq = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const d = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { kind: 'none' };
      const li = el.closest('#search-results > li.search-result');
      const r = el.getBoundingClientRect();
      const visible = r.width > 0 && r.height > 0;
      if (li) {
        return { kind: el.matches('h2 a') ? 'title' : 'link', index: [...li.parentNode.children].indexOf(li), visible };
      }
      if (el.matches('select')) return { kind: 'select', name: el.name, visible };
      if (el.id === 'search-more') return { kind: 'more', visible };
      const main = document.getElementById('main');
      const desc = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + (el.getAttribute('type') ? `[type=${el.getAttribute('type')}]` : '');
      return { kind: main && main.contains(el) ? 'other' : 'outside', desc, visible };
    });
    seq.push(d);
    if (d.kind === 'outside' || d.kind === 'more' || d.kind === 'none') break;
  }
  return seq;
}

function describe(seq) {
  return seq.map((d) => (d.kind === 'select' ? `select[${d.name}]`
    : d.kind === 'title' || d.kind === 'link' ? `${d.kind}#${d.index}` : d.desc || d.kind)).join(' → ');
}

function checkTabOrder(where, seq, selects, shown) {
  const sel = seq.filter((d) => d.kind === 'select').map((d) => d.name);
  check('Tab reaches the filters in order', where, JSON.stringify(sel) === JSON.stringify(selects),
    `selects focused ${JSON.stringify(sel)}, visible ${JSON.stringify(selects)}; ${describe(seq)}`);
  const lastSelect = seq.map((d) => d.kind).lastIndexOf('select');
  const firstResult = seq.findIndex((d) => d.kind === 'title' || d.kind === 'link');
  check('filters before the results', where, lastSelect >= 0 && firstResult > lastSelect, describe(seq));
  const titles = seq.filter((d) => d.kind === 'title').map((d) => d.index);
  const wantTitles = Array.from({ length: shown }, (_, i) => i);
  check('Tab reaches every result link in order', where, JSON.stringify(titles) === JSON.stringify(wantTitles),
    `result titles focused ${JSON.stringify(titles)}, ${shown} shown; ${describe(seq)}`);
  const idx = seq.filter((d) => d.kind === 'title' || d.kind === 'link').map((d) => d.index);
  check('result links in document order', where, idx.every((v, i) => i === 0 || v >= idx[i - 1]), describe(seq));
  const hidden = seq.filter((d) => d.kind !== 'none' && d.kind !== 'outside' && !d.visible);
  check('every focused control is visible', where, hidden.length === 0, `invisible: ${describe(hidden)}`);
}

async function visibleSelects(page) {
  return page.$$eval('#search-form select', (ss) => ss.filter((x) => !x.closest('[hidden]')).map((x) => x.name));
}

async function stepKeyboard(sample, common, many) {
  // On the sample: Tab order from the query through the filters to the results.
  let where = `d. ${sample.prefix}search/?q=${common}`;
  let s = await open();
  try {
    await s.page.goto(`${sample.base}/search/?q=${encodeURIComponent(common)}`, { waitUntil: 'load' });
    await ready(s.page);
    await settle(s.page, { q: common });
    const shown = await s.page.locator('#search-results > li').count();
    const selects = await visibleSelects(s.page);
    const seq = await tabWalk(s.page);
    console.log(`  sample, ${shown} results: ${describe(seq)}`);
    checkTabOrder(where, seq, selects, shown);
  } finally {
    await s.done(where);
  }

  // On the generated site: more than a screenful; "show more" moves focus to the first new result.
  where = `d. many posts: /search/?q=${MANY_WORD}`;
  s = await open();
  try {
    await s.page.goto(`${many.base}/search/?q=${MANY_WORD}`, { waitUntil: 'load' });
    await ready(s.page);
    await settle(s.page, { q: MANY_WORD });
    const status = await statusOf(s.page);
    check('status counts every result', where, countIn(status.text) === MANY_POSTS, `status "${status.text}"`);
    const shown = await s.page.locator('#search-results > li').count();
    check('one screenful shown first', where, shown === SHOWN, `${shown} results shown`);
    const selects = await visibleSelects(s.page);
    const seq = await tabWalk(s.page, 120);
    console.log(`  many posts, ${shown} of ${MANY_POSTS} results: ${describe(seq)}`);
    checkTabOrder(where, seq, selects, shown);
    need('Tab reaches "show more" after the results', where, seq.length && seq[seq.length - 1].kind === 'more',
      describe(seq));
    let total = shown;
    for (const key of ['Enter', 'Space']) {
      await s.page.focus('#search-more'); // already there the first time
      await s.page.keyboard.press(key);
      const want = Math.min(total + SHOWN, MANY_POSTS);
      await s.page.waitForFunction((k) => document.querySelectorAll('#search-results > li').length >= k, want);
      const focus = await s.page.evaluate(() => {
        const el = document.activeElement;
        const li = el && el.closest('#search-results > li');
        return {
          index: li ? [...li.parentNode.children].indexOf(li) : -1,
          title: !!(el && el.matches('h2 a')),
          count: document.querySelectorAll('#search-results > li').length,
          moreHidden: document.getElementById('search-more').hidden,
        };
      });
      check(`"show more" (${key}) adds the next results`, where, focus.count === want, `${focus.count} results, wanted ${want}`);
      check(`"show more" (${key}) focuses the first new result`, where, focus.index === total && focus.title,
        `focus on result ${focus.index} (title link: ${focus.title}), wanted result ${total}`);
      total = focus.count;
      if (total >= MANY_POSTS) {
        check('"show more" hides when all are shown', where, focus.moreHidden, 'the button is still shown');
        break;
      }
    }
  } finally {
    await s.done(where);
  }
}

async function stepNoScript(sample) {
  const where = `e. no JavaScript: ${sample.prefix}search/?q=${NOJS_QUERY}`;
  const s = await open({ js: false });
  try {
    const resp = await s.page.goto(`${sample.base}/search/?q=${NOJS_QUERY}`, { waitUntil: 'load' });
    check('search page loads without JavaScript', where, resp && resp.status() === 200, `status ${resp && resp.status()}`);
    const msg = s.page.locator('.search-nojs');
    need('noscript message shown', where, (await msg.count()) === 1 && (await msg.isVisible()),
      'no visible .search-nojs');
    const text = (await msg.textContent()).trim();
    const links = await msg.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    console.log(`  "${text}" links ${links.join(', ')}`);
    check('no results without JavaScript', where,
      (await s.page.locator('#search-results > li').count()) === 0, 'results shown');
    for (const want of [`${sample.prefix}archive/`, `${sample.prefix}tags/`]) {
      await s.page.goto(`${sample.base}/search/?q=${NOJS_QUERY}`, { waitUntil: 'load' });
      const link = s.page.locator(`.search-nojs a[href="${want}"]`);
      if (!check(`noscript message links to ${want.slice(sample.prefix.length - 1)}`, where, (await link.count()) === 1,
        `links: ${links.join(', ')}`)) continue;
      const [r] = await Promise.all([s.page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
      check(`${want.slice(sample.prefix.length - 1)} link works`, where,
        r && r.status() === 200 && new URL(s.page.url()).pathname === want,
        `status ${r && r.status()} at ${s.page.url()}`);
    }

    // The masthead box: a plain GET form.
    const w2 = `e. no JavaScript: masthead search on ${sample.prefix}`;
    await s.page.goto(`${sample.base}/`, { waitUntil: 'load' });
    const box = 'form.masthead-search input[name="q"]';
    await typeQuery(s.page, box, MASTHEAD_NOJS_TEXT);
    const [r] = await Promise.all([s.page.waitForNavigation({ waitUntil: 'load' }), s.page.press(box, 'Enter')]);
    const u = urlParams(s.page);
    console.log(`  masthead "${MASTHEAD_NOJS_TEXT}" + Enter → ${s.page.url()}`);
    check('masthead search goes to /search/?q=<text>', w2,
      r && r.status() === 200 && u.path === `${sample.prefix}search/` && u.q === MASTHEAD_NOJS_TEXT,
      `status ${r && r.status()} at ${s.page.url()}`);
    check('noscript message on the page reached', w2, await s.page.locator('.search-nojs').isVisible(), 'no .search-nojs');
  } finally {
    await s.done(where);
  }
}

async function stepMasthead(site, unique, label) {
  const { word, post } = unique;
  const where = `${label} masthead search on ${site.prefix} "${word}"`;
  const s = await open();
  try {
    await s.page.goto(`${site.base}/`, { waitUntil: 'load' });
    const box = 'form.masthead-search input[name="q"]';
    await typeQuery(s.page, box, word);
    const [r] = await Promise.all([s.page.waitForNavigation({ waitUntil: 'load' }), s.page.press(box, 'Enter')]);
    const u = urlParams(s.page);
    check('masthead search goes to /search/?q=<word>', where,
      r && r.status() === 200 && u.path === `${site.prefix}search/` && u.q === word,
      `status ${r && r.status()} at ${s.page.url()}`);
    await ready(s.page);
    await settle(s.page, { q: word });
    const results = await readResults(s.page);
    const value = await s.page.inputValue('#search-query');
    console.log(`  → ${s.page.url()}: ${results.length} result(s), first ${results[0] && results[0].href}`);
    check('query box filled from the URL', where, value === word, `#search-query holds ${JSON.stringify(value)}`);
    check('results for the masthead query', where, results.length > 0 && results[0].href === post.url,
      `first result ${results[0] && results[0].href}, wanted ${post.url}`);
  } finally {
    await s.done(where);
  }
}

async function stepAxe(sample, word, axeSource) {
  for (const vp of VIEWPORTS) {
    const where = `g. ${sample.prefix}search/?q=${word} @${vp.name}`;
    const s = await open({ vp });
    try {
      await s.page.goto(`${sample.base}/search/?q=${encodeURIComponent(word)}`, { waitUntil: 'load' });
      await ready(s.page);
      await settle(s.page, { q: word });
      const shown = await s.page.locator('#search-results > li').count();
      need('results showing for axe-core', where, shown > 0, 'no results');
      for (const scheme of SCHEMES) {
        await s.page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await s.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        if (!(await s.page.evaluate(() => typeof window.axe !== 'undefined'))) await s.page.evaluate(axeSource);
        const result = await s.page.evaluate(async () => {
          const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
          const slim = (list) => list.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({
              target: n.target,
              summary: n.failureSummary,
              reason: [...n.any, ...n.all, ...n.none].map((c) => c.message).filter(Boolean)[0],
            })),
          }));
          return { violations: slim(r.violations), incomplete: slim(r.incomplete) };
        });
        const w = `${where} ${scheme} (${shown} results)`;
        count('axe-core', result.violations.length === 0);
        for (const v of result.violations) {
          const nodes = v.nodes.map((n) => `      ${n.target.join(' ')}${n.summary ? `\n        ${n.summary.replace(/\n/g, '\n        ')}` : ''}`).join('\n');
          fail('axe-core', w, `${v.id} (${v.impact}): ${v.help}\n      ${v.helpUrl}\n${nodes}`);
        }
        for (const v of result.incomplete) {
          notes.push(`axe needs review: ${v.id} (${v.impact}) on ${w}: `
            + v.nodes.map((n) => `${n.target.join(' ')}${n.reason ? ` (${n.reason})` : ''}`).join(', '));
        }
      }
    } finally {
      await s.done(where);
    }
  }
}

async function stepBasePath(blog, unique) {
  const { word, post } = unique;
  const want = BLOG.slice(0, -1) + post.url;
  const where = `h. base path: ${BLOG}search/ "${word}"`;
  const s = await open();
  try {
    const resp = await s.page.goto(`${blog.base}/search/`, { waitUntil: 'load' });
    check('search page under the base path loads', where, resp && resp.status() === 200, `status ${resp && resp.status()}`);
    await ready(s.page);
    await typeQuery(s.page, '#search-query', word);
    await settle(s.page, { q: word });
    const results = await readResults(s.page);
    console.log(`  ${results.length} result(s), first ${results[0] && results[0].href}`);
    need('results under the base path', where, results.length > 0, 'no results');
    check('result link starts with the base path', where, results[0].href.startsWith(BLOG) && results[0].href === want,
      `first result links to ${results[0].href}, wanted ${want}`);
    check('term links start with the base path', where, (await s.page.$$eval('#search-results .term-links a',
      (as) => as.map((a) => a.getAttribute('href')))).every((h) => h.startsWith(BLOG)), 'a term link outside the base path');
    const u = urlParams(s.page);
    check('URL under the base path holds ?q=<word>', where, u.path === `${BLOG}search/` && u.q === word, `URL ${s.page.url()}`);
    const [r] = await Promise.all([
      s.page.waitForNavigation({ waitUntil: 'load' }),
      s.page.click('#search-results > li:first-child h2 a'),
    ]);
    check('result link loads (200)', where, r && r.status() === 200 && new URL(s.page.url()).pathname === want,
      `status ${r && r.status()} at ${s.page.url()}`);
  } finally {
    await s.done(where);
  }
}

async function stepRussian(ru) {
  const where = `i. Russian: /search/ «${RU_QUERY}»`;
  const s = await open();
  try {
    await s.page.goto(`${ru.base}/search/`, { waitUntil: 'load' });
    await ready(s.page);
    await typeQuery(s.page, '#search-query', RU_QUERY);
    await settle(s.page, { q: RU_QUERY });
    const results = await readResults(s.page);
    const status = await statusOf(s.page);
    console.log(`  ${results.length} result(s), first ${results[0] && results[0].href}, marks ${JSON.stringify(results[0] && results[0].marks)}, status "${status.text}"`);
    need('Russian inflected form found', where, results.length > 0, `no results; status "${status.text}"`);
    check('first result is the post with «книгами»', where, results[0].href === '/posts/a/',
      `first result ${results[0].href}`);
    check('only that post found', where, results.length === 1, results.map((r) => r.href).join(', '));
    check('«книгами» marked in the excerpt', where, results[0].marks.some((m) => m.toLowerCase() === RU_WORD),
      `marks ${JSON.stringify(results[0].marks)} in ${JSON.stringify(results[0].excerpt)}`);
    check('Russian status gives a count of 1', where, countIn(status.text) === 1, `status "${status.text}"`);
  } finally {
    await s.done(where);
  }
}

// ---------------------------------------------------------------- main

let tmp = null;
const servers = [];

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  for (const s of servers.splice(0)) s.server.close();
  if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  tmp = null;
}

async function main() {
  try {
    await access(QUIRE, fsConstants.X_OK);
  } catch {
    throw new Abort(`no executable at ${QUIRE}: run \`cargo build --release\` first (or set QUIRE_BIN)`);
  }
  const t = Date.now();
  console.log('search.mjs: building the sites');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quire-search-test-'));
  const sampleDir = await build(REPO, path.join(tmp, 'sample'));
  const blogDir = await build(REPO, path.join(tmp, 'blog'), ['--base-url', `http://127.0.0.1${BLOG}`]);
  await writeManySite(path.join(tmp, 'many-site'));
  const manyDir = await build(path.join(tmp, 'many-site'), path.join(tmp, 'many'));
  await writeRussianSite(path.join(tmp, 'ru-site'));
  const ruDir = await build(path.join(tmp, 'ru-site'), path.join(tmp, 'ru'));
  const sample = await startServer(sampleDir);
  const blog = await startServer(blogDir, BLOG);
  const many = await startServer(manyDir);
  const ru = await startServer(ruDir);
  servers.push(sample, blog, many, ru);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: TIMEOUT });
  const axeSource = await readFile(AXE_JS, 'utf8');
  console.log(`  (${Date.now() - t} ms)`);

  let docs = [];
  let uniques = [];
  let commons = [];
  await step('reading the sample\'s posts in the browser to pick words', async () => {
    docs = await readDocuments(sample, sampleDir);
    uniques = pickUniqueWord(docs);
    commons = pickCommonWords(docs);
    need('sample has posts', 'sample', docs.filter((d) => d.kind === 'post').length >= 2, `${docs.length} documents`);
    need('a word in exactly one post', 'sample', uniques.length > 0, 'no word of 5+ letters is in only one post');
    need('a word in several posts', 'sample', commons.length > 0, 'no word of 5+ letters is in two posts or more');
    console.log(`  ${docs.length} documents; unique word "${uniques[0].word}" (${uniques[0].post.url}), `
      + `${uniques.length} candidates; most widespread: ${commons.slice(0, 5).map((c) => `${c.word} (${c.urls.length})`).join(', ')}`);
  });
  const unique = uniques[0];
  const common = commons[0] && commons[0].word;

  if (unique) await step('a. a word in exactly one post', () => stepUnique(sample, unique));
  if (common) await step('b/c. tag filter and sort by date', () => stepFilterAndSort(sample, commons));
  if (common) await step('d. keyboard', () => stepKeyboard(sample, common, many));
  await step('e. without JavaScript', () => stepNoScript(sample));
  if (unique) await step('f. masthead search with JavaScript', () => stepMasthead(sample, unique, 'f.'));
  if (common) await step('g. axe-core on /search/ with results', () => stepAxe(sample, common, axeSource));
  if (unique) await step(`h. under a base path (${BLOG})`, () => stepBasePath(blog, unique));
  await step('i. a Russian site', () => stepRussian(ru));

  for (const s of servers) {
    const errs = s.served.filter((x) => x.status >= 500);
    check('no server errors', `server ${s.prefix} ${s.base}`, errs.length === 0, JSON.stringify(errs));
  }
}

async function runAll() {
  const t0 = Date.now();
  const watchdog = setTimeout(async () => {
    console.error(`search.mjs: FAIL: the whole test took over ${WATCHDOG / 1000} s; giving up`);
    await cleanup();
    process.exit(1);
  }, WATCHDOG);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      console.error(`search.mjs: interrupted (${sig})`);
      await cleanup();
      process.exit(130);
    });
  }
  let fatal = null;
  try {
    await main();
  } catch (err) {
    fatal = err;
    if (!(err instanceof Abort)) check('no unexpected error', '-', false, err && err.stack ? err.stack : String(err));
    else if (!err.recorded) check('setup completes', '-', false, err.message);
  }
  await cleanup();
  clearTimeout(watchdog);

  console.log('');
  for (const n of notes) console.log(`note: ${n}`);
  if (failures.length) {
    console.log(`\nFAILURES (${failures.length}):`);
    for (const f of failures) console.log(`  [${f.check}] ${f.where}\n    ${String(f.message).replace(/\n/g, '\n    ')}`);
  }
  console.log('\nChecks run:');
  for (const [name, n] of counts) {
    const bad = failed.get(name) || 0;
    console.log(`  ${bad ? 'FAIL' : 'ok  '} ${name}: ${n}${bad ? ` (${bad} failed)` : ''}`);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const totalFailed = [...failed.values()].reduce((a, b) => a + b, 0);
  console.log(`\nsteps: ${timings.map(([n, ms]) => `${n.split(' ')[0]} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  console.log(`search: ${total - totalFailed} passed, ${totalFailed} failed${fatal ? ' (stopped early)' : ''}; `
    + `${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(!fatal && failures.length === 0 && totalFailed === 0 ? 0 : 1);
}

runAll();
