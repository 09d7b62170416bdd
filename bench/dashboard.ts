// Dashboard benchmark (DESIGN.md §9: dashboard and search with 100,000 pages, p95 < 50 ms server time).
//
//   bun bench/dashboard.ts [--pages 100000] [--docs 2000] [--folders 40] [--runs 60]
//
// One user owns the whole library (the worst case: nothing is filtered away by the user scope):
// folders, notebooks spread over them, every page with OCR or typed text in the search index.
// The real app answers each dashboard page in-process (app.handle: routing, auth, CSRF, the
// queries and the kitajs views; no network), timed from request to the last byte of the body.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/schema.ts";
import { silentLogger } from "../src/log.ts";
import { createApp } from "../src/server/app.ts";
import { createSession, createUser, SESSION_COOKIE } from "../src/services/accounts/accounts.ts";
import { createContext } from "../src/composition/context.ts";

const { values: opt } = parseArgs({ options: { pages: { type: "string" }, docs: { type: "string" }, folders: { type: "string" }, runs: { type: "string" } } });
const PAGES = Number(opt.pages ?? 100_000);
const DOCS = Number(opt.docs ?? 2000);
const FOLDERS = Number(opt.folders ?? 40);
const RUNS = Number(opt.runs ?? 60);

const dir = mkdtempSync(join(tmpdir(), "rmirror-bench-dashboard-"));
const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }), { log: silentLogger });
const app = createApp(ctx);
const s = ctx.store;

const WORDS = "meeting notes project plan call email budget design client week monday friday todo review draft paper chapter summary besprechung angebot rechnung termin müller größe küche straße urlaub reise".split(" ");
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const w = () => WORDS[Math.floor(rnd() * WORDS.length)]!;
const text = (n: number) => Array.from({ length: n }, w).join(" ");

const user = await createUser(ctx, "bench@example.com", null, true);
const t0 = performance.now();
const folders: string[] = [];
const docUuids: string[] = [];
s.db.transaction(() => {
  const base = Date.UTC(2025, 0, 1);
  const doc = (uuid: string, type: "DocumentType" | "CollectionType", name: string, parent: string, pages: number, i: number) =>
    s.insertDocument(user.id, uuid, {
      type,
      name,
      parent,
      file_type: type === "DocumentType" ? "notebook" : null,
      pinned: i % 97 === 0 ? 1 : 0,
      tablet_deleted: 0,
      last_modified: base + i * 3_600_000,
      last_opened: base + i * 1_800_000,
      metadata_json: "{}",
      content_json: null,
      page_count: pages,
      deleted_at: null,
    });
  for (let f = 0; f < FOLDERS; f++) {
    const uuid = crypto.randomUUID();
    folders.push(uuid);
    doc(uuid, "CollectionType", `Folder ${f} ${w()}`, "", 0, f);
  }
  const perDoc = Math.ceil(PAGES / DOCS);
  let written = 0;
  for (let d = 0; d < DOCS; d++) {
    const uuid = crypto.randomUUID();
    docUuids.push(uuid);
    const parent = d % 10 === 0 ? "" : folders[d % FOLDERS]!;
    const row = doc(uuid, "DocumentType", `${w()} ${w()} ${d}`, parent, perDoc, d);
    for (let p = 0; p < perDoc && written < PAGES; p++, written++) {
      const page = s.insertPage({ documentId: row.id, userId: user.id, pageUuid: crypto.randomUUID(), idx: p, sha256: null, size: 0, template: null, sourcePage: null, status: "done" });
      s.putPageText({ pageId: page.id, userId: user.id, documentId: row.id, source: p % 10 === 0 ? "typed" : "ocr", text: `# ${text(3)}\n\n- [ ] ${text(6)}\n- [x] ${text(5)}\n\n${text(80)}` });
    }
  }
})();
const buildS = (performance.now() - t0) / 1000;
const { sessionToken } = createSession(ctx, user.id);
const cookie = `${SESSION_COOKIE}=${encodeURIComponent(sessionToken)}`;

async function time(path: string, headers: Record<string, string> = {}): Promise<{ p50: number; p95: number; max: number; bytes: number; status: number }> {
  const ms: number[] = [];
  let bytes = 0;
  let status = 0;
  for (let i = 0; i < RUNS + 5; i++) {
    const t = performance.now();
    const res = await app.handle(new Request(`http://localhost${path}`, { headers: { cookie, ...headers } }));
    const body = await res.arrayBuffer();
    const dt = performance.now() - t;
    if (i >= 5) ms.push(dt); // the first few warm the statement cache and the JIT
    bytes = body.byteLength;
    status = res.status;
  }
  ms.sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
  return { p50: q(0.5), p95: q(0.95), max: ms.at(-1)!, bytes, status };
}

const busyFolder = folders[1]!;
const bigDoc = docUuids[DOCS - 1]!;
const routes: [string, string, Record<string, string>?][] = [
  ["library (root, newest first)", "/"],
  ["library sorted by name, page 3", "/?sort=name&page=3"],
  ["folder with ~50 notebooks", `/folders/${busyFolder}`],
  ["library as list", "/?view=list"],
  ["document (50 pages)", `/documents/${bigDoc}`],
  ["page view with OCR text", `/documents/${bigDoc}/pages/7`],
  ["page status fragment (htmx poll)", `/documents/${bigDoc}/pages/7/status`, { "hx-request": "true" }],
  ["search page, common word", "/search?q=meeting"],
  ["search page, two words", "/search?q=budget+müller"],
  ["search dropdown (htmx)", "/search?q=rech", { "hx-request": "true" }],
  ["quota", "/quota"],
  ["activity", "/activity"],
  ["devices", "/devices"],
  ["settings (admin)", "/settings"],
];

console.log(`dashboard bench — ${PAGES.toLocaleString()} pages in ${DOCS.toLocaleString()} notebooks and ${FOLDERS} folders, one user; built in ${buildS.toFixed(1)} s; ${RUNS} timed requests per route`);
console.log("| page | p50 ms | p95 ms | max ms | HTML bytes |");
console.log("|---|---:|---:|---:|---:|");
for (const [name, path, headers] of routes) {
  const r = await time(path, headers);
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
  console.log(`| ${name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.bytes.toLocaleString()} |`);
}
ctx.store.db.close();
rmSync(dir, { recursive: true, force: true });
