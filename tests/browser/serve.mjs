#!/usr/bin/env node
// End-to-end test of `quire serve` in headless Chromium.
//
//   node tests/browser/serve.mjs
//
// Copies the repository's sample site (config.toml, content/, static/,
// templates/) into a temp folder, starts `target/release/quire --root TMP serve
// --port 0` (or $QUIRE_BIN) and, on a long post page at 1280x900:
//   1. edits the post's Markdown and checks that the page reloads, shows the
//      new text and keeps its scroll position;
//   2. changes static/style.css and checks that the new style applies without
//      a page reload;
//   3. breaks the post's front matter and checks that the error overlay names
//      the file and line; fixes it and checks that the overlay goes away;
//   4. checks that no request left 127.0.0.1, stops the server with SIGINT and
//      checks that it exits with status 0 and removes the folder it served.
// The repository's own files are never written. Every wait has a timeout.
// Exits non-zero on any failure.

import { spawn } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, isLocal } from './chromium.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const QUIRE = process.env.QUIRE_BIN || path.join(REPO, 'target', 'release', 'quire');
const VIEWPORT = { width: 1280, height: 900 };
const SITE_PARTS = ['config.toml', 'content', 'static', 'templates'];
const POST_FILE = 'content/posts/harbour-wall-survey.md';
const POST_URL = '/posts/harbour-wall-survey/';
const SENTENCE = 'Harbour users were relieved.';
const DATE_LINE = 'date = 2026-03-04';
const BAD_DATE_LINE = 'date = "someday"';
const BAD_DATE_LINENO = 3;
const STYLE_RULE = 'body { outline: 3px solid rgb(1, 2, 3) }';
const SCROLL_Y = 800;
const SCROLL_TOLERANCE = 3;
const TIMEOUT = 10_000; // every single wait
const WATCHDOG = 90_000; // the whole test

// ---------------------------------------------------------------- results

const results = []; // { name, ok, message, ms }
let stepStart = Date.now();

function check(name, ok, message = '') {
  results.push({ name, ok: !!ok, message: ok ? '' : message });
  if (!ok) console.log(`  FAIL ${name}: ${message}`);
  return !!ok;
}

/** A fatal problem: the remaining steps cannot run. */
class Abort extends Error {}

function need(name, ok, message) {
  if (!check(name, ok, message)) {
    const err = new Abort(`${name}: ${message}`);
    err.recorded = true;
    throw err;
  }
}

function step(title) {
  const now = Date.now();
  stepStart = now;
  console.log(`serve.mjs: ${title}`);
}

function stepDone() {
  return `${Date.now() - stepStart} ms`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` (sync or async) until it returns a truthy value or `timeout` passes. */
async function waitFor(what, fn, timeout = TIMEOUT, interval = 25) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      if (err instanceof Abort) throw err;
      last = err;
    }
    if (Date.now() >= end) {
      const detail = last instanceof Error ? ` (last error: ${last.message.split('\n')[0]})` : '';
      throw new Abort(`timed out after ${timeout / 1000} s waiting for ${what}${detail}`);
    }
    await sleep(interval);
  }
}

// ---------------------------------------------------------------- server

function startServer(root, tmpdir) {
  const child = spawn(QUIRE, ['--root', root, 'serve', '--port', '0'], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmpdir, XDG_RUNTIME_DIR: tmpdir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { child, stdout: [], stderr: [], exit: null, spawnError: null };
  const lines = (into) => {
    let partial = '';
    return (chunk) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop();
      for (const l of parts) into.push(l);
    };
  };
  child.stdout.setEncoding('utf8').on('data', lines(state.stdout));
  child.stderr.setEncoding('utf8').on('data', lines(state.stderr));
  child.on('error', (err) => { state.spawnError = err; });
  child.on('exit', (code, signal) => { state.exit = { code, signal }; });
  return state;
}

function serverLog(server) {
  const tail = (a) => a.slice(-40).map((l) => `    ${l}`).join('\n') || '    (nothing)';
  return `  server stdout:\n${tail(server.stdout)}\n  server stderr:\n${tail(server.stderr)}`;
}

/** Wait for a stdout line matching `re` at index `from` or later. */
function waitForLine(server, re, from, what, timeout = TIMEOUT) {
  return waitFor(what, () => {
    if (server.exit) throw new Abort(`the server exited (${JSON.stringify(server.exit)})`);
    return server.stdout.slice(from).find((l) => re.test(l));
  }, timeout);
}

// ---------------------------------------------------------------- main


let tmp = null;
let server = null;
let browser = null;

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  if (server && !server.exit && server.child.exitCode === null) {
    // SIGTERM, so that the server removes its private folder; SIGKILL if it lingers.
    server.child.kill('SIGTERM');
    await waitFor('the server to stop', () => server.exit, 5000).catch(() => {});
    if (!server.exit) server.child.kill('SIGKILL');
  }
  if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  tmp = null;
}

async function main() {
  try {
    await access(QUIRE, fsConstants.X_OK);
  } catch {
    throw new Abort(`no executable at ${QUIRE}: run \`cargo build --release\` first (or set QUIRE_BIN)`);
  }

  // ------------------------------------------------------------ site copy
  step('copying the sample site and starting the server');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quire-serve-test-'));
  const site = path.join(tmp, 'site');
  const serverTmp = path.join(tmp, 'server-tmp'); // TMPDIR and XDG_RUNTIME_DIR of the server: its served folder goes here
  for (const part of SITE_PARTS) {
    await cp(path.join(REPO, part), path.join(site, part), { recursive: true });
  }
  await mkdir(serverTmp);
  const postPath = path.join(site, POST_FILE);
  const original = await readFile(postPath, 'utf8');
  need('sample post has the sentence to edit', original.includes(SENTENCE), `${POST_FILE} has no "${SENTENCE}"`);
  need('sample post has the date line', original.split('\n')[BAD_DATE_LINENO - 1] === DATE_LINE,
    `line ${BAD_DATE_LINENO} of ${POST_FILE} is not "${DATE_LINE}"`);
  const themeCss = await readFile(path.join(REPO, 'static', 'style.css'), 'utf8');

  server = startServer(site, serverTmp);
  const listening = await waitFor('"Serving at http://127.0.0.1:PORT/" on stdout', () => {
    if (server.spawnError) throw new Abort(`cannot start ${QUIRE}: ${server.spawnError.message}`);
    if (server.exit) throw new Abort(`the server exited early (${JSON.stringify(server.exit)})`);
    return server.stdout.map((l) => l.match(/^Serving at (http:\/\/127\.0\.0\.1:(\d+)\/) \(Ctrl-C to stop\)$/)).find(Boolean);
  });
  const base = listening[1].replace(/\/$/, '');
  check('server listens on 127.0.0.1 with an OS-chosen port', Number(listening[2]) > 0, listening[0]);
  console.log(`  ${listening[0]} (${stepDone()})`);

  // ------------------------------------------------------------ browser
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: TIMEOUT });
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const offsite = new Set();
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    offsite.add(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (req) => { if (!isLocal(req.url())) offsite.add(req.url()); });

  const page = await context.newPage();
  const pageErrors = [];
  const badResponses = [];
  let loads = 0; // main-frame load events
  let sseOpen = 0; // /__quire/events responses (headers received: the page is subscribed)
  let cssFetches = 0; // style.css requests with the cache-busting query
  let serverStopping = false;
  page.on('load', () => { loads++; });
  page.on('pageerror', (e) => pageErrors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !serverStopping) pageErrors.push(`console: ${m.text()}`);
  });
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.pathname === '/style.css' && u.searchParams.has('quire-reload')) cssFetches++;
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/__quire/events' && r.status() === 200) sseOpen++;
    if (r.status() >= 400) badResponses.push(`${r.status()} ${r.url()}`);
  });
  const waitForSse = (since) => waitFor('the page to connect to /__quire/events', () => sseOpen > since);
  const waitForLoad = (since, why) => waitFor(`the page to reload (${why})`, () => loads > since);
  const markerVisible = (text) => waitFor(`"${text}" to be visible`,
    () => page.getByText(text, { exact: false }).first().isVisible());

  // ------------------------------------------------------------ 1. edit Markdown: reload, keep scroll
  step(`1. open ${POST_URL}, scroll to ${SCROLL_Y}px, edit ${POST_FILE}`);
  let sse0 = sseOpen;
  const resp = await page.goto(base + POST_URL, { waitUntil: 'load' });
  need('post page loads', resp && resp.status() === 200, `status ${resp && resp.status()}`);
  need('live-reload script injected',
    await page.evaluate(() => !!document.querySelector('script[src="/__quire/livereload.js"]')),
    'no <script src="/__quire/livereload.js"> in the served page');
  await waitForSse(sse0);

  const room = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
  need('post page is long enough to scroll', room >= SCROLL_Y + 50, `only ${room}px of scroll room at ${VIEWPORT.width}x${VIEWPORT.height}`);
  await page.evaluate((y) => window.scrollTo(0, y), SCROLL_Y);
  const scrolled = await waitFor('the scroll to settle',
    () => page.evaluate((y) => (Math.abs(window.scrollY - y) < 1 ? window.scrollY : 0), SCROLL_Y), 2000);
  // Chromium keeps the scroll position across location.reload() by itself; with
  // manual restoration only Quire's live-reload script can bring it back.
  await page.evaluate(() => { window.__quireBeforeEdit = 1; history.scrollRestoration = 'manual'; });

  const marker1 = `Quire marker ${process.pid}-${Date.now().toString(36)} edited this.`;
  const edited = original.replace(SENTENCE, marker1);
  let line0 = server.stdout.length;
  let loads0 = loads;
  sse0 = sseOpen;
  await writeFile(postPath, edited);
  await waitForLoad(loads0, 'after the Markdown edit');
  await markerVisible(marker1);
  check('page reloaded after the Markdown edit',
    await page.evaluate(() => window.__quireBeforeEdit === undefined), 'window.__quireBeforeEdit survived: no real reload');
  check('old sentence gone', !(await page.getByText(SENTENCE).count()), `"${SENTENCE}" still in the page`);
  // The script restores the position on load; give it a moment, then compare.
  let y1 = null;
  try {
    y1 = await waitFor('the scroll position to be restored', () => page.evaluate(
      ([y, tol]) => (Math.abs(window.scrollY - y) <= tol ? String(window.scrollY) : null), [SCROLL_Y, SCROLL_TOLERANCE]), 2000);
  } catch {
    y1 = await page.evaluate(() => String(window.scrollY));
    check('scroll position kept across the reload (by the live-reload script)', false, `scrollY ${y1} after reload, was ${scrolled} (tolerance ${SCROLL_TOLERANCE}px)`);
  }
  if (Math.abs(Number(y1) - SCROLL_Y) <= SCROLL_TOLERANCE) check('scroll position kept across the reload (by the live-reload script)', true);
  const rebuiltLine = await waitForLine(server, /^\d\d:\d\d:\d\d content\/posts\/harbour-wall-survey\.md: rebuilt \d+ of \d+ pages/, line0,
    'the rebuild line on stdout').catch((e) => { check('rebuild line printed', false, e.message); return null; });
  if (rebuiltLine) check('rebuild line printed', true);
  await waitForSse(sse0);
  console.log(`  reloaded, marker visible, scrollY ${y1} (was ${scrolled}); ${rebuiltLine || '(no stdout line)'} (${stepDone()})`);

  // ------------------------------------------------------------ 2. CSS: swap without reload
  step('2. change static/style.css');
  await page.evaluate(() => { window.__quireMarker = 1; });
  const before = await page.evaluate(() => getComputedStyle(document.body).outlineColor);
  check('test style not applied yet', before !== 'rgb(1, 2, 3)', `body outline colour is already ${before}`);
  line0 = server.stdout.length;
  loads0 = loads;
  const css0 = cssFetches;
  await writeFile(path.join(site, 'static', 'style.css'), `${themeCss}\n${STYLE_RULE}\n`);
  const style = await waitFor('body { outline: 3px solid rgb(1, 2, 3) } to apply', () => page.evaluate(() => {
    const s = getComputedStyle(document.body);
    return s.outlineColor === 'rgb(1, 2, 3)' && s.outlineStyle === 'solid' && s.outlineWidth === '3px'
      ? `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}` : null;
  }));
  check('new style applies', !!style, 'computed style did not change');
  check('stylesheet re-fetched with a cache-busting query', cssFetches > css0, 'no style.css?quire-reload=... request');
  // A late `reload` would be a bug too: wait a little before judging.
  await sleep(500);
  check('no page reload for a CSS change',
    loads === loads0 && (await page.evaluate(() => window.__quireMarker)) === 1,
    `load events ${loads0} -> ${loads}; window.__quireMarker is ${await page.evaluate(() => window.__quireMarker)}`);
  const cssLine = await waitForLine(server, /^\d\d:\d\d:\d\d static\/: rebuilt \d+ of \d+ pages/, line0,
    'the static/ rebuild line on stdout').catch((e) => { check('CSS rebuild line printed', false, e.message); return null; });
  if (cssLine) check('CSS rebuild line printed', true);
  console.log(`  body outline ${style}, no reload; ${cssLine || '(no stdout line)'} (${stepDone()})`);

  // ------------------------------------------------------------ 3. broken front matter: overlay
  step(`3. break the front matter of ${POST_FILE} (${BAD_DATE_LINE}), then fix it`);
  const broken = edited.replace(DATE_LINE, BAD_DATE_LINE);
  let err0 = server.stderr.length;
  loads0 = loads;
  sse0 = sseOpen;
  await writeFile(postPath, broken);
  await waitForLoad(loads0, 'after breaking the front matter');
  const overlay = page.locator('#quire-error-overlay');
  await waitFor('#quire-error-overlay to be visible', () => overlay.isVisible());
  check('error overlay visible', true);
  check('overlay has role=alert', (await overlay.getAttribute('role')) === 'alert', `role=${await overlay.getAttribute('role')}`);
  const where = await overlay.locator('[data-quire-error-file]').allTextContents();
  const wantWhere = `content/posts/harbour-wall-survey.md:${BAD_DATE_LINENO}:`;
  check('overlay names the file and line', where.some((w) => w.includes(wantWhere)),
    `[data-quire-error-file] holds ${JSON.stringify(where)}, wanted ${wantWhere}…`);
  check('overlay path is relative to the site', where.every((w) => !w.includes(site)),
    `[data-quire-error-file] shows the absolute path ${JSON.stringify(where)}`);
  const pres = await overlay.locator('pre').allTextContents();
  check('overlay shows the offending line', pres.some((p) => p.includes(BAD_DATE_LINE)),
    `<pre> holds ${JSON.stringify(pres)}`);
  check('last good page still served under the overlay',
    (await page.getByText(marker1, { exact: false }).count()) > 0, `"${marker1}" is not in the page`);
  const failLine = await waitFor('"build failed" on stderr',
    () => server.stderr.slice(err0).find((l) => /harbour-wall-survey\.md: build failed/.test(l))).catch(() => null);
  check('build failure reported on stderr', !!failLine, 'no "build failed" line on stderr');
  await waitForSse(sse0);

  const marker2 = `Quire marker ${process.pid}-${Date.now().toString(36)} fixed this.`;
  loads0 = loads;
  line0 = server.stdout.length;
  await writeFile(postPath, edited.replace(marker1, marker2));
  await waitForLoad(loads0, 'after fixing the front matter');
  await markerVisible(marker2);
  await waitFor('#quire-error-overlay to go away', async () => (await overlay.count()) === 0);
  check('overlay gone after the fix', true);
  check('fixed text shows', true);
  const fixedLine = await waitForLine(server, /^\d\d:\d\d:\d\d content\/posts\/harbour-wall-survey\.md: rebuilt/, line0,
    'the rebuild line after the fix').catch(() => null);
  check('rebuild after the fix printed', !!fixedLine, 'no rebuild line on stdout after the fix');
  console.log(`  overlay: ${where.join(', ')} | ${pres.join(' | ')}; fixed (${stepDone()})`);

  // ------------------------------------------------------------ 4. requests, shutdown
  step('4. check requests, stop the server with SIGINT');
  check('no request leaves 127.0.0.1', offsite.size === 0, `off-site request(s): ${[...offsite].join(', ')}`);
  check('no failed responses', badResponses.length === 0, badResponses.join(', '));
  check('no page errors', pageErrors.length === 0, pageErrors.join(' | '));
  const served = await readdir(serverTmp);
  check('server builds into its own temp folder', served.some((n) => n.startsWith('quire-serve-')),
    `TMPDIR of the server holds ${JSON.stringify(served)}`);

  // Stop while the page is still open and subscribed, as a user pressing Ctrl-C would.
  serverStopping = true;
  const tStop = Date.now();
  server.child.kill('SIGINT');
  const exit = await waitFor('the server to exit after SIGINT', () => server.exit).catch((e) => {
    check('server exits after SIGINT', false, `${e.message}\n${serverLog(server)}`);
    return null;
  });
  if (exit) {
    check('server exits with status 0 after SIGINT', exit.code === 0 && exit.signal === null,
      `exit ${JSON.stringify(exit)}\n${serverLog(server)}`);
    check('server prints "Stopped."', server.stdout.includes('Stopped.'), `stdout ends ${JSON.stringify(server.stdout.slice(-3))}`);
    const left = await readdir(serverTmp);
    check('served folder removed on exit', left.length === 0, `left behind in the server's TMPDIR: ${left.join(', ')}`);
    console.log(`  exit ${JSON.stringify(exit)} after ${Date.now() - tStop} ms (${stepDone()})`);
  }
  const repoClean = await readFile(path.join(REPO, POST_FILE), 'utf8');
  check('repository files untouched', repoClean === original && !repoClean.includes('Quire marker'), `${POST_FILE} in the repository changed`);
}

// ---------------------------------------------------------------- run

async function run() {
  const t0 = Date.now();
  const watchdog = setTimeout(async () => {
    console.error(`serve.mjs: FAIL: the whole test took over ${WATCHDOG / 1000} s; giving up`);
    if (server) console.error(serverLog(server));
    await cleanup();
    process.exit(1);
  }, WATCHDOG);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      console.error(`serve.mjs: interrupted (${sig})`);
      await cleanup();
      process.exit(130);
    });
  }

  let fatal = null;
  try {
    await main();
  } catch (err) {
    fatal = err;
    if (!(err instanceof Abort)) check('no unexpected error', false, err && err.stack ? err.stack : String(err));
    else if (!err.recorded) check('step completes', false, err.message);
  }
  await cleanup();
  clearTimeout(watchdog);

  const failed = results.filter((r) => !r.ok);
  console.log('');
  if (fatal instanceof Abort) console.log(`serve.mjs: stopped early: ${fatal.message}`);
  if (failed.length) {
    console.log(`\nFAILURES (${failed.length}):`);
    for (const f of failed) console.log(`  [${f.name}]\n    ${f.message.replace(/\n/g, '\n    ')}`);
    if (server) console.log(serverLog(server));
  }
  console.log('\nChecks run:');
  for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}`);
  const ok = !fatal && failed.length === 0;
  console.log(`\nserve: ${results.length - failed.length} passed, ${failed.length} failed${fatal instanceof Abort ? ' (stopped early)' : ''}; `
    + `${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(ok ? 0 : 1);
}

run();
