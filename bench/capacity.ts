// Disk per page, for the capacity guide in docs/operations.md (issue 18).
//
//   bun bench/capacity.ts [--pages 10000] [--words 120] [--data DIR]
//
// Ingests --pages pages end to end through a real `rmirror serve` (bench/ingest.ts --keep: sync,
// render jobs, job history), or measures an existing data dir (--data, e.g. one kept by
// bench/ingest.ts --keep). Then it reports:
//   - the database (after a WAL checkpoint) and its largest tables/indexes (SQLite's dbstat),
//   - the blob store per distinct page (.rm file + rendered SVG): the bench pages cycle through
//     the ~35 sample pages, so content addressing stores each once; a real library's pages are
//     all distinct, so the per-page figure is multiplied by the page count,
//   - the same after adding OCR text to every page (--words words of generated handwriting
//     transcript, as the OCR job stores it), with the search index's share.
// Figures are scaled to 10,000 pages. The data dir is deleted afterwards unless --data was given.
import { Database } from "bun:sqlite";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/schema.ts";
import { createContext } from "../src/composition/context.ts";
import { silentLogger } from "../src/log.ts";
import { load, machine } from "./report.ts";

const { values: opt } = parseArgs({ options: { pages: { type: "string" }, words: { type: "string" }, data: { type: "string" } } });
const PAGES = Number(opt.pages ?? 10_000);
const WORDS = Number(opt.words ?? 120);
console.log(`machine: ${machine()}; load ${load()}`);

let dir = opt.data;
if (!dir) {
  const p = Bun.spawn([process.execPath, resolve(import.meta.dir, "ingest.ts"), "--scales", String(PAGES), "--keep"], { cwd: resolve(import.meta.dir, ".."), stdout: "pipe", stderr: "inherit" });
  const out = await new Response(p.stdout).text();
  if ((await p.exited) !== 0) throw new Error(`bench/ingest.ts failed:\n${out}`);
  process.stdout.write(out.split("\n").filter((l) => /pages[,:]/.test(l)).map((l) => `ingest: ${l.trim()}\n`).join(""));
  dir = /kept data dir: (\S+)/.exec(out)![1]!;
}
const dbPath = join(dir, "rmirror.db");

function treeBytes(path: string, skip: (name: string) => boolean): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (skip(e.name)) continue;
    const p = join(path, e.name);
    if (e.isDirectory()) {
      const t = treeBytes(p, () => false);
      bytes += t.bytes;
      files += t.files;
    } else if (e.isFile()) {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

interface DbSize {
  file: number;
  byObject: Map<string, number>;
}
function dbSize(): DbSize {
  const db = new Database(dbPath);
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  const rows = db.query<{ name: string; bytes: number }, []>("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name").all();
  db.close();
  return { file: statSync(dbPath).size, byObject: new Map(rows.map((r) => [r.name, r.bytes])) };
}
const ftsBytes = (d: DbSize) => [...d.byObject].filter(([n]) => n.startsWith("search_fts")).reduce((a, [, b]) => a + b, 0);

const db = new Database(dbPath, { readonly: true });
const counts = db.query<{ pages: number; distinct_rm: number; jobs: number }, []>(
  "SELECT (SELECT count(*) FROM pages) AS pages, (SELECT count(DISTINCT sha256) FROM pages) AS distinct_rm, (SELECT count(*) FROM jobs) AS jobs",
).get()!;
db.close();
const pages = counts.pages;
const per10k = (bytes: number, n = pages) => (bytes / n) * 10_000;
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

const before = dbSize();
const blobs = treeBytes(dir, (n) => n.startsWith("rmirror.db") || n === "tmp");
// Blob store: each distinct page's .rm file and its rendered SVG (plus a few document files).
const blobPerPage = blobs.bytes / counts.distinct_rm;

// OCR text: --words words per page, stored as the OCR job stores it (page_texts, indexed by triggers).
let seed = 0x0c7;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const COMMON = "the and to of meeting notes project plan call follow up review draft budget idea next steps und der die das ist nicht mit für auf termin besprechung".split(" ");
const SYL = ["ka", "ri", "mo", "len", "ter", "sch", "ber", "an", "ge", "ü", "lo", "ma", "st", "in", "ra", "ve"];
const word = () => (rnd() < 0.55 ? COMMON[Math.floor(rnd() * COMMON.length)]! : Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => SYL[Math.floor(rnd() * SYL.length)]).join(""));
const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }), { log: silentLogger });
const rows = ctx.store.db.query<{ id: number; user_id: number; document_id: number }, []>("SELECT id, user_id, document_id FROM pages").all();
let chars = 0;
for (let i = 0; i < rows.length; i += 1000) {
  ctx.store.tx(() => {
    for (const r of rows.slice(i, i + 1000)) {
      const lines: string[] = [];
      for (let left = WORDS; left > 0; left -= 8) lines.push(Array.from({ length: Math.min(8, left) }, word).join(" "));
      const text = lines.join("\n");
      chars += text.length;
      ctx.store.putPageText({ pageId: r.id, userId: r.user_id, documentId: r.document_id, source: "ocr", text });
    }
  });
}
ctx.store.db.close();
const after = dbSize();

const top = (d: DbSize) =>
  [...d.byObject]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([n, b]) => `${n} ${mb(per10k(b))}`)
    .join(", ");
console.log(`library: ${pages} pages (${counts.distinct_rm} distinct .rm files), ${counts.jobs} jobs in history`);
console.log(`per 10,000 pages:`);
console.log(`  database without OCR text: ${mb(per10k(before.file))} (largest: ${top(before)}); search index ${mb(per10k(ftsBytes(before)))}`);
console.log(`  blob store (.rm + SVG per distinct page, ${(blobPerPage / 1024).toFixed(1)} kB/page): ${mb(blobPerPage * 10_000)}`);
console.log(`  database with OCR text (${WORDS} words, ${(chars / rows.length).toFixed(0)} chars a page): ${mb(per10k(after.file))} (largest: ${top(after)}); search index ${mb(per10k(ftsBytes(after)))} = ${((ftsBytes(after) / after.file) * 100).toFixed(0)} % of the database`);
console.log(`  total without OCR: ${mb(per10k(before.file) + blobPerPage * 10_000)}, with OCR: ${mb(per10k(after.file) + blobPerPage * 10_000)}`);
if (!opt.data) rmSync(dir, { recursive: true, force: true });
