#!/usr/bin/env node
// Browser checks for a site built by Quire.
//
//   node tests/browser/check.mjs SITE_DIR [--screenshots DIR] [--update-docs] [--a11y-only]
//                                [--shoot NAME=/path/]...
//
// Serves SITE_DIR on 127.0.0.1 (a free port) and, in headless Chromium, checks
// every HTML page at a desktop and a phone width: no horizontal overflow,
// sidebar placement (mirrored in right-to-left pages, whose quote, caption and
// contents bars must sit on the right), skip link on first Tab, no request off 127.0.0.1, no
// <script> (except the one module, search.js, on /search/), all images load, and axe-core
// (light and dark colour schemes).
// The Nu Html Checker (vnu.jar) validates all HTML and CSS once.
// With --a11y-only (for large generated sites), each page gets only the status,
// no-script, request and axe-core checks, at the desktop width.
// Exits non-zero on any failure.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, isLocal } from './chromium.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const AXE_JS = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const VNU_JAR = path.join(HERE, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
const SCHEMES = ['light', 'dark'];
const DOCS_SHOTS = [
  { file: 'desktop.png', viewport: 'desktop', clip: { width: 1280, height: 1600 } },
  { file: 'phone.png', viewport: 'phone', clip: { width: 390, height: 1400 } },
];
const DOCS_MAX_BYTES = 400 * 1024;

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) console.error(`check.mjs: ${msg}`);
  console.error('usage: node tests/browser/check.mjs SITE_DIR [--screenshots DIR] [--update-docs] [--a11y-only] [--shoot NAME=/path/]...');
  process.exit(2);
}

const opts = { site: null, screenshots: null, updateDocs: false, a11yOnly: false, shoot: [] };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--screenshots') {
      if (!argv[i + 1]) usage('--screenshots needs a directory');
      opts.screenshots = path.resolve(argv[++i]);
    } else if (a.startsWith('--screenshots=')) {
      opts.screenshots = path.resolve(a.slice('--screenshots='.length));
    } else if (a === '--update-docs') {
      opts.updateDocs = true;
    } else if (a === '--a11y-only') {
      opts.a11yOnly = true;
    } else if (a === '--shoot') {
      opts.shoot.push(shootTarget(argv[++i]));
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
}

/** `--shoot NAME=/path/`: one more page to photograph with --screenshots (the worked example's
 * section pages); the sample's home and post pages are photographed whatever is given. */
function shootTarget(arg) {
  const m = /^([\w-]+)=(\/.*)$/.exec(arg || '');
  if (!m) usage('--shoot needs NAME=/path/');
  return [m[1], m[2]];
}

// ---------------------------------------------------------------- results

const failures = []; // every problem found, for the report
const counts = new Map(); // check name -> times run
const failed = new Map(); // check name -> times it failed
const warnings = [];

function count(name, ok = true) {
  counts.set(name, (counts.get(name) || 0) + 1);
  if (!ok) failed.set(name, (failed.get(name) || 0) + 1);
}
function fail(name, where, message) {
  failures.push({ check: name, where, message });
}
function check(name, where, ok, message) {
  count(name, !!ok);
  if (!ok) fail(name, where, message);
  return ok;
}

// ---------------------------------------------------------------- files

async function walk(dir, rel = '') {
  const out = [];
  for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, r)));
    else if (entry.isFile()) out.push(r);
  }
  return out;
}

/** URL path under which a file is normally linked: a/index.html -> /a/ */
function urlFor(rel) {
  if (rel === 'index.html') return '/';
  if (rel.endsWith('/index.html')) return `/${rel.slice(0, -'index.html'.length)}`;
  return `/${rel}`;
}

// ---------------------------------------------------------------- server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

async function isFile(p) {
  try { return (await stat(p)).isFile(); } catch { return false; }
}
async function isDir(p) {
  try { return (await stat(p)).isDirectory(); } catch { return false; }
}

function startServer(root) {
  const served = [];
  const server = http.createServer(async (req, res) => {
    let status = 200;
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let rel;
      try { rel = decodeURIComponent(url.pathname); } catch { rel = null; }
      const file = rel === null ? null : path.join(root, path.normalize(rel));
      if (file === null || !(file === root || file.startsWith(root + path.sep))) {
        status = 400;
        res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request\n');
      } else if (rel.endsWith('/') && (await isFile(path.join(file, 'index.html')))) {
        send(res, path.join(file, 'index.html'), 200, req.method);
      } else if (!rel.endsWith('/') && (await isFile(file))) {
        send(res, file, 200, req.method);
      } else if (!rel.endsWith('/') && (await isDir(file))) {
        status = 301;
        res.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
      } else {
        status = 404;
        const notFound = path.join(root, '404.html');
        if (await isFile(notFound)) send(res, notFound, 404, req.method);
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
    server.listen(0, '127.0.0.1', () => resolve({ server, served, port: server.address().port }));
  });
}

function send(res, file, status, method) {
  const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  if (method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

// ---------------------------------------------------------------- vnu

function runVnu(files) {
  // Files are relative to the site folder; vnu gets absolute paths.
  const args = [
    '-Xss4m', '-jar', VNU_JAR,
    '--errors-only', '--format', 'json', '--also-check-css', '--exit-zero-always',
    ...files,
  ];
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => {
    child.on('error', (err) => resolve({ error: `cannot run java: ${err.message}` }));
    child.on('close', (code) => {
      // vnu writes its JSON report to stderr.
      const text = stderr.trim() || stdout.trim();
      try {
        resolve({ code, report: JSON.parse(text) });
      } catch {
        resolve({ error: `vnu exited ${code} without a JSON report:\n${text.slice(0, 2000)}` });
      }
    });
  });
}

// ---------------------------------------------------------------- browser checks


async function newContext(browser, vp, colorScheme = 'light') {
  const context = await browser.newContext({
    viewport: { width: vp.width, height: vp.height },
    deviceScaleFactor: 1,
    colorScheme,
    reducedMotion: 'reduce',
    javaScriptEnabled: true, // needed by axe-core and the checks; the site itself ships none
  });
  const seen = new Set();
  // Never let a request leave the machine: record it, then abort it.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    seen.add(url);
    return route.abort('blockedbyclient');
  });
  context.on('request', (req) => {
    if (!isLocal(req.url())) seen.add(req.url());
  });
  return { context, offsite: seen };
}

async function waitForImages(page) {
  // Load lazy images now, then wait for each to load or fail (at most 5 s each).
  await page.evaluate(async () => {
    const imgs = [...document.images];
    for (const img of imgs) img.loading = 'eager';
    await Promise.all(imgs.map((img) => (img.complete ? null : new Promise((resolve) => {
      img.addEventListener('load', resolve, { once: true });
      img.addEventListener('error', resolve, { once: true });
      setTimeout(resolve, 5000);
    }))));
    window.scrollTo(0, 0);
  });
}

async function checkPage(browser, base, pagePath, vp, axeSource, { full = true } = {}) {
  const where = `${pagePath} @${vp.name}`;
  const { context, offsite } = await newContext(browser, vp);
  const page = await context.newPage();
  const badResponses = [];
  const pageErrors = [];
  page.on('response', (r) => {
    if (r.status() >= 400 && r.url() !== base + pagePath) badResponses.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });

  const resp = await page.goto(base + pagePath, { waitUntil: 'load' });
  check('http status 200', where, resp && resp.status() === 200, `status ${resp && resp.status()}`);

  // No JavaScript in the page (checked before axe-core is evaluated); JSON-LD data blocks
  // are not scripts that run. The search page alone has one: the module search.js, under
  // the site's base path (the path of its home link).
  const scripts = await page.evaluate(() => {
    const home = document.querySelector('a[rel~="home"]');
    let basePath = '/';
    try { if (home) basePath = new URL(home.href, location.href).pathname; } catch { /* keep / */ }
    return {
      basePath,
      list: [...document.querySelectorAll('script:not([type="application/ld+json"])')].map((s) => ({
        type: s.getAttribute('type'),
        src: s.getAttribute('src'),
        inline: !s.getAttribute('src') && (s.textContent || '').trim().length > 0,
      })),
    };
  });
  if (pagePath === '/search/') {
    const [only] = scripts.list;
    const ok = scripts.list.length === 1 && only.type === 'module' && !!only.src
      && only.src.endsWith('search.js') && new URL(only.src, base + pagePath).pathname.startsWith(scripts.basePath);
    check('no <script> but search.js on /search/', where, ok,
      `wanted exactly one <script type="module" src="${scripts.basePath}…search.js">, found ${JSON.stringify(scripts.list)}`);
  } else {
    check('no <script>', where, scripts.list.length === 0,
      `${scripts.list.length} <script> element(s) in the page: ${JSON.stringify(scripts.list)}`);
  }
  if (full) await checkKeyboardImagesLayout(page, where, vp);
  const imgCount = await page.evaluate(() => document.images.length);

  // axe-core, light and dark.
  const axeRuns = [];
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!hasAxe) await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
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
    axeRuns.push({ scheme, ...result });
    const w = `${where} ${scheme}`;
    count('axe-core', result.violations.length === 0);
    for (const v of result.violations) {
      const nodes = v.nodes.map((n) => `      ${n.target.join(' ')}${n.summary ? `\n        ${n.summary.replace(/\n/g, '\n        ')}` : ''}`).join('\n');
      fail('axe-core', w, `${v.id} (${v.impact}): ${v.help}\n      ${v.helpUrl}\n${nodes}`);
    }
    for (const v of result.incomplete) {
      warnings.push(`axe needs review: ${v.id} (${v.impact}) on ${w}: `
        + v.nodes.map((n) => `${n.target.join(' ')}${n.reason ? ` (${n.reason})` : ''}`).join(', '));
    }
  }

  // Requests.
  check('no request leaves 127.0.0.1', where, offsite.size === 0, `off-site request(s): ${[...offsite].join(', ')}`);
  check('no failed subresource', where, badResponses.length === 0, badResponses.join(', '));
  check('no page errors', where, pageErrors.length === 0, pageErrors.join(' | '));

  await context.close();
  return { imgCount, axeRuns };
}

// The skip link on the first Tab, every image loaded, no overflow, the sidebar placed.
async function checkKeyboardImagesLayout(page, where, vp) {
  // First Tab focuses the skip link, which becomes visible.
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { text: null };
    const r = el.getBoundingClientRect();
    return {
      text: (el.textContent || '').trim(),
      href: el.getAttribute('href'),
      rect: { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height },
      vw: window.innerWidth,
      vh: window.innerHeight,
      // The page's own first skip link, in whatever language the page is written.
      want: ((document.querySelector('a.skip-link') || {}).textContent || '').trim(),
      visibility: getComputedStyle(el).visibility,
      opacity: getComputedStyle(el).opacity,
    };
  });
  if (check('skip link focused on first Tab', where, skip.text && skip.text === skip.want,
    `first Tab focused ${skip.text === null ? 'nothing' : JSON.stringify(skip.text)}`)) {
    const r = skip.rect;
    const visible = r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0
      && r.right <= skip.vw && r.bottom <= skip.vh
      && skip.visibility === 'visible' && Number(skip.opacity) > 0;
    check('skip link visible when focused', where, visible,
      `focused skip link box ${JSON.stringify(r)} in ${skip.vw}x${skip.vh}, visibility ${skip.visibility}, opacity ${skip.opacity}`);
    // Following it moves focus to <main>.
    await page.keyboard.press('Enter');
    const target = await page.evaluate(() => document.activeElement && document.activeElement.id);
    const want = (skip.href || '').replace(/^#/, '');
    check('skip link moves focus to main', where, target === want && want === 'main',
      `after Enter focus is on #${target}, link points to ${skip.href}`);
    await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  }

  // Images.
  await waitForImages(page);
  const broken = await page.evaluate(() => [...document.images]
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => img.currentSrc || img.src));
  check('images load', where, broken.length === 0, `image(s) did not load: ${broken.join(', ')}`);

  // Layout.
  const layout = await page.evaluate(() => {
    const box = (sel) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { left: r.left + scrollX, top: r.top + scrollY, right: r.right + scrollX, bottom: r.bottom + scrollY };
    };
    const root = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') + (el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''));
    // Bars along the start edge (quotes, captions, contents): on the right in a
    // right-to-left page, on the left otherwise.
    const rtl = getComputedStyle(root).direction === 'rtl';
    const wrongSide = [...document.querySelectorAll('blockquote, figcaption, .toc')]
      .filter((el) => {
        const cs = getComputedStyle(el);
        const [start, end] = rtl ? ['Right', 'Left'] : ['Left', 'Right'];
        return parseFloat(cs[`border${end}Width`]) > 0 && !(parseFloat(cs[`border${start}Width`]) > 0);
      })
      .map((el) => el.tagName.toLowerCase() + (el.className ? `.${el.className}` : ''));
    return {
      rtl,
      dir: root.getAttribute('dir'),
      wrongSide,
      scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth),
      vw: window.innerWidth,
      wide,
      main: box('main'),
      aside: box('aside'),
    };
  });
  check('html dir matches the direction', where,
    layout.dir === (layout.rtl ? 'rtl' : 'ltr'), `dir="${layout.dir}", direction ${layout.rtl ? 'rtl' : 'ltr'}`);
  check('start-edge bars on the start side', where, layout.wrongSide.length === 0,
    `bar on the end side: ${layout.wrongSide.join(', ')}`);
  check('no horizontal overflow', where, layout.scrollWidth <= layout.vw,
    `scrollWidth ${layout.scrollWidth} > viewport ${layout.vw}; widest: ${layout.wide.join(', ')}`);
  if (check('main and aside present', where, layout.main && layout.aside,
    `main: ${!!layout.main}, aside: ${!!layout.aside}`)) {
    const { main, aside } = layout;
    if (vp.name === 'desktop' && layout.rtl) {
      // Mirrored: the sidebar is on the left of a right-to-left page.
      check('sidebar left of main (desktop, rtl)', where,
        aside.right <= main.left + 0.5 && Math.abs(aside.top - main.top) <= 48,
        `aside right ${aside.right.toFixed(1)} / top ${aside.top.toFixed(1)}; main left ${main.left.toFixed(1)} / top ${main.top.toFixed(1)}`);
    } else if (vp.name === 'desktop') {
      check('sidebar right of main (desktop)', where,
        aside.left >= main.right - 0.5 && Math.abs(aside.top - main.top) <= 48,
        `aside left ${aside.left.toFixed(1)} / top ${aside.top.toFixed(1)}; main right ${main.right.toFixed(1)} / top ${main.top.toFixed(1)}`);
    } else {
      check('sidebar below main (phone)', where, aside.top >= main.bottom - 0.5,
        `aside top ${aside.top.toFixed(1)} < main bottom ${main.bottom.toFixed(1)}`);
    }
  }
}

async function check404(browser, base, vp) {
  const where = `/no-such-page/ @${vp.name}`;
  const { context, offsite } = await newContext(browser, vp);
  const page = await context.newPage();
  const resp = await page.goto(`${base}/no-such-page/`, { waitUntil: 'load' });
  check('404 status and page', where, resp && resp.status() === 404, `status ${resp && resp.status()}`);
  const title = await page.title();
  // The site's own 404 page, whatever its language.
  const own = ((await readFile(path.join(opts.site, '404.html'), 'utf8')).match(/<title>([^<]*)<\/title>/) || [])[1];
  check('404 page served', where, !!own && title === own.replace(/&amp;/g, '&'), `title ${JSON.stringify(title)}, 404.html has ${JSON.stringify(own)}`);
  check('no request leaves 127.0.0.1', where, offsite.size === 0, `off-site request(s): ${[...offsite].join(', ')}`);
  await context.close();
}

// ---------------------------------------------------------------- screenshots

async function shoot(browser, base, pagePath, vp, file, { clip, colorScheme = 'light' } = {}) {
  const { context } = await newContext(browser, vp, colorScheme);
  const page = await context.newPage();
  await page.goto(base + pagePath, { waitUntil: 'load' });
  await waitForImages(page);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const options = { path: file, type: 'png', animations: 'disabled', caret: 'hide' };
  if (clip) {
    options.fullPage = true;
    options.clip = { x: 0, y: 0, width: clip.width, height: Math.min(clip.height, height) };
  } else {
    options.fullPage = true;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await page.screenshot(options);
  await context.close();
  return (await stat(file)).size;
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  if (!(await isDir(opts.site))) usage(`${opts.site} is not a directory`);
  const files = await walk(opts.site);
  const htmlFiles = files.filter((f) => f.endsWith('.html')).sort();
  const cssFiles = files.filter((f) => f.endsWith('.css')).sort();
  if (htmlFiles.length === 0) usage(`no HTML files in ${opts.site}`);
  const pages = htmlFiles.map(urlFor);

  // vnu runs in the background while the browser works.
  const vnuPromise = runVnu([...htmlFiles, ...cssFiles].map((f) => path.join(opts.site, f)));

  const axeSource = await readFile(AXE_JS, 'utf8');
  const { server, served, port } = await startServer(opts.site);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });

  let imagesSeen = 0;
  let axeRunCount = 0;
  try {
    if (opts.a11yOnly) {
      // axe-core only, at one width, two pages at a time (no keyboard focus involved).
      let next = 0;
      const worker = async () => {
        while (next < pages.length) {
          const p = pages[next++];
          const r = await checkPage(browser, base, p, VIEWPORTS[0], axeSource, { full: false });
          imagesSeen += r.imgCount;
          axeRunCount += r.axeRuns.length;
          process.stdout.write('.');
        }
      };
      await Promise.all([worker(), worker()]);
    } else {
      for (const p of pages) {
        for (const vp of VIEWPORTS) {
          const r = await checkPage(browser, base, p, vp, axeSource);
          imagesSeen += r.imgCount;
          axeRunCount += r.axeRuns.length;
        }
        process.stdout.write('.');
      }
    }
    process.stdout.write('\n');
    for (const vp of VIEWPORTS) await check404(browser, base, vp);

    // Pick the post page for screenshots: the one the Breaking News bar links
    // to if it has a captioned lead image, else the first post that has one.
    const posts = htmlFiles.filter((f) => /^posts\/[^/]+\/index\.html$/.test(f));
    const withLead = [];
    for (const f of posts) {
      const html = await readFile(path.join(opts.site, f), 'utf8');
      if (/class="lead-image"[\s\S]*?<figcaption/.test(html)) withLead.push(urlFor(f));
    }
    const home = await readFile(path.join(opts.site, 'index.html'), 'utf8');
    const breaking = (home.match(/class="breaking-text" href="([^"]+)"/) || [])[1];
    const shotPost = withLead.includes(breaking) ? breaking : (withLead[0] || (posts[0] && urlFor(posts[0])));

    if (opts.screenshots) {
      const targets = [['home', '/'], ['post', shotPost], ...opts.shoot].filter(([, p]) => p);
      for (const [name, p] of targets) {
        for (const vp of VIEWPORTS) {
          for (const scheme of SCHEMES) {
            const file = path.join(opts.screenshots, `${name}-${vp.name}${scheme === 'dark' ? '-dark' : ''}.png`);
            const size = await shoot(browser, base, p, vp, file, { colorScheme: scheme });
            console.log(`screenshot ${path.relative(process.cwd(), file)} (${p}, ${(size / 1024).toFixed(0)} KB)`);
          }
        }
      }
    }
    if (opts.updateDocs) {
      if (!shotPost || !withLead.includes(shotPost)) {
        fail('docs screenshots', '-', 'no post page with a captioned lead image to photograph');
      } else {
        for (const s of DOCS_SHOTS) {
          const vp = VIEWPORTS.find((v) => v.name === s.viewport);
          const file = path.join(REPO, 'docs', 'screenshots', s.file);
          const size = await shoot(browser, base, shotPost, vp, file, { clip: s.clip });
          console.log(`docs screenshot ${path.relative(REPO, file)} (${shotPost}, ${(size / 1024).toFixed(0)} KB)`);
          check('docs screenshot size', file, size <= DOCS_MAX_BYTES,
            `${(size / 1024).toFixed(0)} KB is over ${DOCS_MAX_BYTES / 1024} KB`);
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
  }

  const serverErrors = served.filter((s) => s.status >= 500);
  check('no server errors', 'server', serverErrors.length === 0, JSON.stringify(serverErrors));

  // vnu report.
  const vnu = await vnuPromise;
  let vnuErrors = 0;
  if (vnu.error) {
    count('Nu Html Checker', false);
    fail('Nu Html Checker', '-', vnu.error);
  } else {
    for (const m of vnu.report.messages || []) {
      if (m.type === 'info') continue;
      vnuErrors++;
      const file = m.url ? path.relative(opts.site, fileURLToPath(m.url)) : '-';
      const loc = m.lastLine ? `:${m.lastLine}${m.lastColumn ? `:${m.lastColumn}` : ''}` : '';
      const extract = m.extract ? `\n      ${JSON.stringify(m.extract)}` : '';
      fail('Nu Html Checker', `${file}${loc}`, `${m.type}${m.subType ? `/${m.subType}` : ''}: ${m.message}${extract}`);
    }
    count('Nu Html Checker', vnuErrors === 0);
  }

  // Summary.
  const axeViolations = failures.filter((f) => f.check === 'axe-core').length;
  console.log('');
  for (const w of warnings) console.log(`note: ${w}`);
  if (failures.length) {
    console.log(`\nFAILURES (${failures.length}):`);
    for (const f of failures) console.log(`  [${f.check}] ${f.where}\n    ${f.message}`);
  }
  console.log('\nChecks run:');
  for (const [name, n] of counts) {
    const bad = failed.get(name) || 0;
    console.log(`  ${bad ? 'FAIL' : 'ok  '} ${name}: ${n}${bad ? ` (${bad} failed)` : ''}`);
  }
  const totalChecks = [...counts.values()].reduce((a, b) => a + b, 0);
  const totalFailed = [...failed.values()].reduce((a, b) => a + b, 0);
  const widths = opts.a11yOnly ? VIEWPORTS.slice(0, 1) : VIEWPORTS;
  console.log(`\n${pages.length} pages x ${widths.length} widths (${widths.map((v) => `${v.width}x${v.height}`).join(', ')}), `
    + `${axeRunCount} axe-core runs (light + dark), ${imagesSeen} images, `
    + `vnu over ${htmlFiles.length} HTML + ${cssFiles.length} CSS files`);
  console.log(`axe violations: ${axeViolations}; vnu errors: ${vnu.error ? 'n/a (vnu failed)' : vnuErrors}; `
    + `needs-review notes: ${warnings.length}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`browser: ${totalChecks - totalFailed} passed, ${totalFailed} failed`);
  process.exit(failures.length || totalFailed ? 1 : 0);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
