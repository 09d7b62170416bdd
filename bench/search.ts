// Search benchmark (DESIGN.md §9: dashboard and search with 100,000 pages, p95 < 50 ms server time).
//
//   bun bench/search.ts [--pages 100000] [--docs 1000] [--words 120] [--queries 400] [--users 2]
//
// Generates a library of page text on a fresh temp database (real migrations, the real store):
// German and English words with a Zipf-like frequency (a few very common words, a long tail),
// ~120 words per page, some with umlauts, distributed over documents and users. Writes it through
// the same putPageText path the OCR and render jobs use (the FTS index is kept by triggers in the
// same transaction), timing the build. Then runs the search service (what GET /api/v1/search does,
// minus HTTP) for a mix of queries: rare words, common words, two-word queries, short prefixes,
// umlaut-folded forms and names, and reports p50/p95/max per kind and overall.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/schema.ts";
import { silentLogger } from "../src/log.ts";
import { createContext } from "../src/composition/context.ts";
import { RANK_CAP, search } from "../src/services/library/search.ts";

const { values: opt } = parseArgs({
  options: { pages: { type: "string" }, docs: { type: "string" }, words: { type: "string" }, queries: { type: "string" }, users: { type: "string" }, keep: { type: "boolean" } },
});
const PAGES = Number(opt.pages ?? 100_000);
const DOCS = Number(opt.docs ?? 1000);
const WORDS = Number(opt.words ?? 120);
const QUERIES = Number(opt.queries ?? 400);
const USERS = Number(opt.users ?? 2);

// Deterministic PRNG (mulberry32).
let seed = 0x5eed;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const BASE = (
  "the and to of meeting notes project idea plan call email follow up review draft budget design client team week month " +
  "monday tuesday friday todo done next steps question answer research paper chapter summary reading book list " +
  "und der die das ist nicht mit für auf über müller größe küche straße grüße prüfung bücher schön wäre möglich termin " +
  "besprechung angebot rechnung einkaufen arzt zahnarzt geburtstag urlaub reise zug flughafen hotel wohnung umzug " +
  "algorithm database index query latency throughput cache memory server backup network router firmware tablet stylus"
).split(" ");
// A long tail of generated words (syllable soup) so most terms are rare, as in real notes.
const SYL = ["ka", "ri", "mo", "len", "ter", "sch", "ber", "an", "ge", "ü", "ö", "lo", "ma", "st", "in", "ra", "ve", "to", "ul", "ne"];
const TAIL: string[] = [];
for (let i = 0; i < 40_000; i++) {
  const n = 2 + Math.floor(rnd() * 3);
  let w = "";
  for (let k = 0; k < n; k++) w += SYL[Math.floor(rnd() * SYL.length)];
  TAIL.push(w);
}
const VOCAB = [...BASE, ...TAIL];
// Zipf-like: index ~ floor(V^u) - 1 gives heavy weight to the first (common) words.
const word = () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(Math.pow(VOCAB.length, rnd())) - 1)]!;

function pageText(): string {
  const lines: string[] = [];
  let left = WORDS;
  while (left > 0) {
    const n = Math.min(left, 4 + Math.floor(rnd() * 8));
    const ws = Array.from({ length: n }, word);
    const kind = rnd();
    lines.push(kind < 0.1 ? `# ${ws.join(" ")}` : kind < 0.25 ? `- [ ] ${ws.join(" ")}` : kind < 0.45 ? `- ${ws.join(" ")}` : ws.join(" "));
    left -= n;
  }
  return lines.join("\n");
}

const dir = mkdtempSync(join(tmpdir(), "rmirror-bench-search-"));
const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }), { log: silentLogger });
const s = ctx.store;
const users = Array.from({ length: USERS }, (_, i) => s.insertUser({ email: `bench${i}@example.com`, passwordHash: null, isAdmin: false }).id);

console.log(`generating ${PAGES.toLocaleString()} pages × ~${WORDS} words in ${DOCS} documents for ${USERS} users…`);
const t0 = performance.now();
const perDoc = Math.ceil(PAGES / DOCS);
let written = 0;
let chars = 0;
for (let d = 0; d < DOCS && written < PAGES; d++) {
  const userId = users[d % USERS]!;
  s.tx(() => {
    const doc = s.insertDocument(userId, crypto.randomUUID(), {
      type: "DocumentType",
      name: `${word()} ${word()} ${d}`,
      parent: "",
      file_type: "notebook",
      pinned: 0,
      tablet_deleted: 0,
      last_modified: Date.UTC(2025, 0, 1) + d * 3_600_000,
      last_opened: null,
      metadata_json: "{}",
      content_json: null,
      page_count: perDoc,
      deleted_at: null,
    });
    for (let p = 0; p < perDoc && written < PAGES; p++, written++) {
      const page = s.insertPage({ documentId: doc.id, userId, pageUuid: crypto.randomUUID(), idx: p, sha256: null, size: 0, template: null, sourcePage: null, status: "done" });
      const text = pageText();
      chars += text.length;
      s.putPageText({ pageId: page.id, userId, documentId: doc.id, source: p % 10 === 0 ? "typed" : "ocr", text });
    }
  });
}
const buildMs = performance.now() - t0;
const tOpt = performance.now();
s.db.run("INSERT INTO search_fts(search_fts) VALUES ('optimize')");
const optimizeMs = performance.now() - tOpt;
s.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
const dbBytes = Bun.file(join(dir, "rmirror.db")).size;
console.log(
  `index build: ${(buildMs / 1000).toFixed(1)} s for ${written.toLocaleString()} pages (${Math.round(written / (buildMs / 1000)).toLocaleString()} pages/s, ${(chars / 1e6).toFixed(1)} M chars); optimize ${(optimizeMs / 1000).toFixed(1)} s; database ${(dbBytes / 1e6).toFixed(0)} MB`,
);

const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
const kinds: Record<string, () => string> = {
  rare: () => TAIL[Math.floor(rnd() * TAIL.length)]!,
  common: () => pick(BASE.slice(0, 40)),
  "two words": () => `${pick(BASE)} ${pick(BASE)}`,
  prefix: () => pick(BASE).slice(0, 3),
  umlaut: () => pick(["muller", "Müller", "grosse", "größe", "kuche", "uber", "Grüße", "bücher", "prufung"]),
  "rare + common": () => `${TAIL[Math.floor(rnd() * 2000)]!} ${pick(BASE.slice(0, 20))}`,
};
const results: Record<string, number[]> = {};
const all: number[] = [];
const orders = { rank: 0, recent: 0 };
// Warm-up (page cache, statement preparation).
for (let i = 0; i < 20; i++) search(ctx, users[0]!, { q: kinds.common!() });
for (let i = 0; i < QUERIES; i++) {
  const kind = Object.keys(kinds)[i % Object.keys(kinds).length]!;
  const q = kinds[kind]!();
  const t = performance.now();
  const r = search(ctx, users[i % USERS]!, { q, limit: "20" });
  const ms = performance.now() - t;
  (results[kind] ??= []).push(ms);
  all.push(ms);
  orders[r.order]++;
}
const pct = (a: number[], p: number) => {
  const b = [...a].sort((x, y) => x - y);
  return b[Math.min(b.length - 1, Math.floor((p / 100) * b.length))]!;
};
const f = (n: number) => n.toFixed(1).padStart(7);
console.log(`\nqueries (first page of 20 hits, ranked, with snippets), ms:\n${"kind".padEnd(16)}${"p50".padStart(7)}${"p95".padStart(7)}${"max".padStart(7)}  n`);
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(16)}${f(pct(v, 50))}${f(pct(v, 95))}${f(Math.max(...v))}  ${v.length}`);
console.log(`${"all".padEnd(16)}${f(pct(all, 50))}${f(pct(all, 95))}${f(Math.max(...all))}  ${all.length}`);
console.log(`\nordered by BM25: ${orders.rank}, newest first (≥ ${RANK_CAP.toLocaleString()} matching rows): ${orders.recent}`);
console.log(`budget p95 < 50 ms: ${pct(all, 95) < 50 ? "met" : "NOT met"}`);

ctx.store.db.close();
if (!opt.keep) rmSync(dir, { recursive: true, force: true });
