// Quire's search page: reads the static index that `quire build` writes under `/search/`
// (its layout is described in src/search.rs) and shows results as the reader types. Only the
// files a query needs are fetched: the meta file, the dictionary chunks of its words, the
// filter lists it uses and one small file per result shown.

const form = document.getElementById("search-form");
const input = document.getElementById("search-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const base = form.dataset.index;
const language = form.dataset.language || "en";
const words = JSON.parse(form.dataset.words || "{}");
const selects = [...form.querySelectorAll("select[data-filter]")];
const sort = document.getElementById("search-sort");
const SHOWN = 10;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const MAX_WORD_CHARS = 48;

// The compact number form of src/search.rs: 5 bits a digit, upper 32 digits continue a number.
const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
const DIGIT = new Map([...DIGITS].map((d, i) => [d, i]));
function numbers(text) {
  const out = [];
  let acc = 0;
  for (const c of text) {
    const v = DIGIT.get(c);
    if (v >= 32) {
      acc = acc * 32 + (v - 32);
    } else {
      out.push(acc * 32 + v);
      acc = 0;
    }
  }
  return out;
}

// A word as the index keys it: lower case, Latin/Greek/Cyrillic accents and Arabic vowel
// marks folded away (as `search::fold`).
function fold(word) {
  return word
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, "")
    .normalize("NFC");
}

function queryWords(text) {
  return (text.match(WORD) || []).filter((w) => [...w].length <= MAX_WORD_CHARS).map(fold);
}

// Keys are sorted by their UTF-8 bytes, which is code point order.
function compare(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}

const files = new Map();
let meta = null;
function fetchJson(path) {
  if (!files.has(path)) {
    const url = `${base}${path}?v=${meta ? meta.build : Date.now()}`;
    files.set(
      path,
      fetch(url).then((r) => {
        if (!r.ok) throw new Error(`${url}: ${r.status}`);
        return r.json();
      }),
    );
    files.get(path).catch(() => files.delete(path));
  }
  return files.get(path);
}

async function loadMeta() {
  if (!meta) {
    const r = await fetch(`${base}meta.json`, { cache: "no-cache" });
    if (!r.ok) throw new Error(`meta.json: ${r.status}`);
    meta = await r.json();
  }
  return meta;
}

function chunkOf(key) {
  let lo = 0;
  let hi = meta.chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (compare(meta.chunks[mid], key) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const chunk = (i) => fetchJson(`t/${i}.json`);

// The postings of a key's stem: `{ ids: Map(id -> score), stem, forms }`.
async function postings(key, entries) {
  let value = entries[key];
  let stem = key;
  let stemEntries = entries;
  if (value && value.startsWith(">")) {
    stem = value.slice(1);
    stemEntries = stem in entries ? entries : await chunk(chunkOf(stem));
    value = stemEntries[stem];
  }
  const ids = new Map();
  if (value === undefined) return { ids, stem, forms: [key] };
  if (value.startsWith("!")) {
    const without = new Set();
    let id = -1;
    for (const gap of numbers(value.slice(1))) without.add((id += gap + 1));
    for (let d = 0; d < meta.documents; d++) if (!without.has(d)) ids.set(d, 1);
  } else {
    const n = numbers(value);
    let id = -1;
    for (let i = 0; i + 1 < n.length; i += 2) ids.set((id += n[i] + 1), n[i + 1]);
  }
  // Every spelling of the stem the loaded chunks know, for highlighting.
  const forms = [stem, key];
  for (const e of new Set([entries, stemEntries]))
    for (const [k, v] of Object.entries(e)) if (v === `>${stem}`) forms.push(k);
  return { ids, stem, forms };
}

// Documents for one query word: its own entry, or (for the word being typed, or a word the
// site does not have) every key it begins. A word the site has in no form ("lanterns" where
// posts say "lantern") is tried again without its last letters, down to four.
async function lookup(word, typing) {
  const chars = [...word];
  let keys = [];
  let entries = {};
  for (let cut = 0; cut <= 3 && chars.length - cut >= (cut ? 4 : 1); cut++) {
    const stem = chars.slice(0, chars.length - cut).join("");
    const at = chunkOf(stem);
    entries = { ...(await chunk(at)) };
    if (!cut && stem in entries) keys.push(stem);
    if (typing || cut || !keys.length) {
      let candidates = Object.keys(entries);
      if (at + 1 < meta.chunks.length && meta.chunks[at + 1].startsWith(stem)) {
        const next = await chunk(at + 1);
        candidates = candidates.concat(Object.keys(next));
        Object.assign(entries, next);
      }
      for (const k of candidates) if (k !== stem && k.startsWith(stem)) keys.push(k);
      if (cut && stem in entries) keys.push(stem);
    }
    if (keys.length) break;
  }
  const ids = new Map();
  const forms = new Set();
  const seen = new Set();
  for (const p of await Promise.all(keys.slice(0, 40).map((key) => postings(key, entries)))) {
    if (seen.has(p.stem)) continue;
    seen.add(p.stem);
    p.forms.forEach((f) => forms.add(f));
    for (const [id, score] of p.ids) ids.set(id, Math.max(ids.get(id) || 0, score));
  }
  return { ids, forms };
}

async function filterIds(select) {
  const f = meta.filters.findIndex((x) => x.name === select.dataset.filter);
  if (f < 0) return new Set();
  const v = meta.filters[f].values.findIndex((x) => x[0] === select.value);
  if (v < 0) return new Set();
  const ids = new Set();
  let id = -1;
  for (const gap of numbers(await fetchJson(`f/${f}-${v}.json`))) ids.add((id += gap + 1));
  return ids;
}

async function search(query) {
  await loadMeta();
  const terms = queryWords(query);
  const typing = !/[\s\p{P}]$/u.test(query);
  const filters = selects.filter((s) => s.value);
  let scores = null;
  const forms = [];
  // Every word's chunks are fetched at once.
  const looked = await Promise.all(terms.map((term, i) => lookup(term, typing && i === terms.length - 1)));
  for (const found of looked) {
    forms.push(found.forms);
    const df = found.ids.size;
    const idf = Math.log(1 + (meta.documents - df + 0.5) / (df + 0.5));
    const next = new Map();
    for (const [id, q] of found.ids) {
      if (scores && !scores.has(id)) continue;
      next.set(id, (scores ? scores.get(id) : 0) + idf * q);
    }
    scores = next;
  }
  for (const select of filters) {
    const ids = await filterIds(select);
    if (!scores) {
      scores = new Map([...ids].map((id) => [id, 0]));
    } else {
      for (const id of [...scores.keys()]) if (!ids.has(id)) scores.delete(id);
    }
  }
  if (!scores) return { ids: [], forms };
  const byDate = sort.value === "date" || !terms.length;
  const ids = [...scores.keys()].sort((a, b) => (byDate ? a - b : scores.get(b) - scores.get(a) || a - b));
  return { ids, forms };
}

function text(key, values) {
  const entry = words[key];
  let t = entry ? entry.Text ?? entry : key;
  if (entry && entry.Plural) {
    const n = values.count ?? 0;
    const forms = entry.Plural;
    t = (n === 0 && forms.zero) || forms[new Intl.PluralRules(language).select(n)] || forms.other;
  }
  return t.replace(/\{(\w+)\}/g, (m, name) => {
    if (!(name in values)) return m;
    return name === "count" ? new Intl.NumberFormat(language).format(values[name]) : values[name];
  });
}

// The ~30 words of `body` around the most matches, with the matches marked.
function excerpt(body, forms, fallback) {
  const tokens = [...body.matchAll(WORD)];
  const hit = tokens.map((m) => {
    const w = fold(m[0]);
    return forms.some((set) => set.has(w));
  });
  const span = 30;
  let best = -1;
  let bestCount = 0;
  let count = 0;
  for (let i = 0; i < tokens.length; i++) {
    count += hit[i] ? 1 : 0;
    if (i >= span) count -= hit[i - span] ? 1 : 0;
    if (count > bestCount) {
      bestCount = count;
      best = i;
    }
  }
  const p = document.createElement("p");
  p.className = "search-excerpt";
  if (best < 0) {
    p.textContent = fallback;
    return p;
  }
  const first = Math.max(0, best - span + 1 - 5);
  const last = Math.min(tokens.length - 1, first + span + 5);
  const start = tokens[first].index;
  const end = tokens[last].index + tokens[last][0].length;
  if (first > 0) p.append("… ");
  let at = start;
  for (let i = first; i <= last; i++) {
    if (!hit[i]) continue;
    p.append(body.slice(at, tokens[i].index));
    const mark = document.createElement("mark");
    mark.textContent = tokens[i][0];
    p.append(mark);
    at = tokens[i].index + tokens[i][0].length;
  }
  p.append(body.slice(at, end));
  if (end < body.length) p.append(" …");
  return p;
}

const dates = new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" });

function result(doc, forms) {
  const li = document.createElement("li");
  li.className = "search-result";
  const article = document.createElement("article");
  const h = document.createElement("h2");
  const a = document.createElement("a");
  a.href = doc.url;
  a.textContent = doc.title;
  h.append(a);
  article.append(h);
  const facts = [];
  if (doc.date) {
    const time = document.createElement("time");
    time.dateTime = doc.date;
    time.textContent = doc.day || dates.format(new Date(`${doc.date}T00:00:00Z`));
    facts.push(time);
  }
  if (doc.section) facts.push(doc.section);
  if (doc.author) facts.push(doc.author);
  if (facts.length) {
    const p = document.createElement("p");
    p.className = "meta";
    facts.forEach((f, i) => p.append(...(i ? [" · ", f] : [f])));
    article.append(p);
  }
  article.append(excerpt(doc.text || doc.summary, forms, doc.summary));
  if (doc.terms && doc.terms.length) {
    const div = document.createElement("div");
    div.className = "term-links";
    const ul = document.createElement("ul");
    div.append(ul);
    for (const [name, url] of doc.terms) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = url;
      link.textContent = name;
      item.append(link);
      ul.append(item);
    }
    article.append(div);
  }
  li.append(article);
  return li;
}

let current = 0;
let found = { ids: [], forms: [] };
let shown = 0;

// One batch at a time, in order: a second press waits for the first and takes the next ones.
let appending = Promise.resolve();
function showMore(focus) {
  appending = appending.then(() => showBatch(focus)).catch((e) => console.error(e));
  return appending;
}

async function showBatch(focus) {
  const ids = found.ids.slice(shown, shown + SHOWN);
  shown += ids.length;
  const token = current;
  const docs = await Promise.all(ids.map((id) => fetchJson(`d/${id}.json`)));
  if (token !== current) return;
  const items = docs.map((doc) => result(doc, found.forms));
  list.append(...items);
  more.hidden = shown >= found.ids.length;
  if (focus && items.length) items[0].querySelector("a").focus();
}

function syncUrl(query) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const s of selects) if (s.value) params.set(s.name, s.value);
  if (sort.value) params.set("sort", sort.value);
  const qs = params.toString();
  history.replaceState(null, "", qs ? `?${qs}` : location.pathname);
}

async function run() {
  const query = input.value.trim();
  const token = ++current;
  syncUrl(query);
  if (!query && !selects.some((s) => s.value)) {
    list.replaceChildren();
    status.textContent = "";
    more.hidden = true;
    return;
  }
  status.textContent = text("search_searching", {});
  try {
    const result = await search(query);
    if (token !== current) return;
    found = result;
    shown = 0;
    list.replaceChildren();
    const label = query || selects.filter((s) => s.value).map((s) => s.value).join(", ");
    await showMore(false);
    if (token !== current) return;
    status.textContent = found.ids.length
      ? text("search_results", { count: found.ids.length, query: label })
      : text("search_no_results", { query: label });
  } catch (e) {
    if (token !== current) return;
    console.error(e);
    status.textContent = text("search_failed", {});
  }
}

// The first key after a pause searches at once; keys typed quickly after it wait until the
// reader pauses for 120 ms.
let timer = null;
let lastInput = 0;
input.addEventListener("input", () => {
  const now = performance.now();
  clearTimeout(timer);
  if (now - lastInput > 400) {
    timer = null;
    run();
  } else {
    timer = setTimeout(run, 120);
  }
  lastInput = now;
});
form.addEventListener("submit", (e) => {
  e.preventDefault();
  clearTimeout(timer);
  run();
});
for (const s of [...selects, sort]) s.addEventListener("change", run);
more.textContent = text("search_more", {});
more.addEventListener("click", () => showMore(true));

// Fill the filters from the index, then run the query in the URL.
(async () => {
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  try {
    await loadMeta();
    for (const select of selects) {
      const filter = meta.filters.find((f) => f.name === select.dataset.filter);
      if (!filter || filter.values.length < 2) continue;
      for (const [value, count] of filter.values) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = `${value} (${new Intl.NumberFormat(language).format(count)})`;
        select.append(option);
      }
      select.value = params.get(select.name) || "";
      select.closest(".search-filter").hidden = false;
    }
    sort.value = params.get("sort") === "date" ? "date" : "";
    sort.closest(".search-filter").hidden = false;
  } catch (e) {
    console.error(e);
  }
  if (input.value || selects.some((s) => s.value)) run();
})();
