// Ingest benchmark (DESIGN.md §9: 500 notebooks / 10,000 pages < 2 min end to end, memory flat;
// metadata-only change < 100 ms server time).
//
//   bun bench/ingest.ts [--docs 500] [--pages 20] [--batch 50] [--concurrency N]
//
// Builds a library from the real sample pages (../shared/samples), starts a fresh `rmirror serve`
// as a child process on a temp data dir (SQLite + disk blobs), syncs everything through the
// sync protocol (blobs, then batched document PUTs), waits for every render job, then measures
// single metadata-only updates. Reports docs/s, pages/s, the server's peak RSS and latencies.
// Note: pages cycle through ~35 distinct sample files, so blob upload volume is small (content
// addressing dedups it); every page row still gets its own render job.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { sha256Hex } from "../src/blobs/store.ts";
import { loadConfig } from "../src/config/schema.ts";
import { silentLogger } from "../src/log.ts";
import { createUser } from "../src/services/accounts/accounts.ts";
import { createContext } from "../src/composition/context.ts";
import { createDeviceToken } from "../src/services/accounts/tokens.ts";

const { values: opt } = parseArgs({
  options: { docs: { type: "string" }, pages: { type: "string" }, batch: { type: "string" }, concurrency: { type: "string" }, keep: { type: "boolean" } },
});
const DOCS = Number(opt.docs ?? 500);
const PAGES = Number(opt.pages ?? 20);
const BATCH = Number(opt.batch ?? 50);
const CONC = Number(opt.concurrency ?? Math.max(1, cpus().length));

const SAMPLES = resolve(import.meta.dir, "../../shared/samples");
if (!existsSync(SAMPLES)) {
  console.error(`samples not found at ${SAMPLES}`);
  process.exit(2);
}
const pageFiles = readdirSync(SAMPLES).filter((f) => f.endsWith(".rm"));
const pages = pageFiles.map((f) => new Uint8Array(readFileSync(join(SAMPLES, f))));
const hashes = pages.map((p) => sha256Hex(p));

const dir = mkdtempSync(join(tmpdir(), "rmirror-bench-"));
const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: dir } }), { log: silentLogger });
const user = await createUser(ctx, "bench@example.com", null, true);
const { token } = createDeviceToken(ctx, user.id, "bench");
ctx.store.db.close();

const proc = Bun.spawn([process.execPath, resolve(import.meta.dir, "../src/cli/serve.ts")], {
  env: { ...process.env, RMIRROR_DATA_DIR: dir, RMIRROR_PORT: "0", RMIRROR_LOG_LEVEL: "info", RMIRROR_JOBS_RENDER_CONCURRENCY: String(CONC), RMIRROR_JOBS_POLL_MS: "100" },
  stdout: "ignore",
  stderr: "pipe",
});
const url = await (async () => {
  const dec = new TextDecoder();
  const reader = (proc.stderr as ReadableStream<Uint8Array>).getReader();
  let buf = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`server did not start:\n${buf}`);
    buf += dec.decode(value, { stream: true });
    const m = /"msg":"rmirror serving","url":"([^"]+)"/.exec(buf);
    if (m) {
      // Keep draining stderr so the child never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done);
      })();
      return m[1]!;
    }
  }
})();

function rssKb(): number {
  try {
    const s = readFileSync(`/proc/${proc.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
function hwmKb(): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
let peakRss = rssKb();
const idleRss = peakRss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssKb())), 100);

const auth = { authorization: `Bearer ${token}` };
const json = { ...auth, "content-type": "application/json" };

const docs = Array.from({ length: DOCS }, (_, d) => ({
  uuid: crypto.randomUUID(),
  metadata: { visibleName: `Notebook ${d}`, type: "DocumentType" as const, parent: "", lastModified: String(Date.now()) },
  fileType: "notebook" as const,
  pages: Array.from({ length: PAGES }, (_, i) => {
    const k = (d * PAGES + i) % pages.length;
    return { id: crypto.randomUUID(), idx: i, sha256: hashes[k]!, size: pages[k]!.byteLength };
  }),
}));

const t0 = performance.now();
let uploaded = 0;
for (let i = 0; i < docs.length; i += BATCH) {
  const res = await fetch(`${url}/api/v1/documents`, { method: "PUT", headers: json, body: JSON.stringify({ documents: docs.slice(i, i + BATCH) }) });
  if (!res.ok) throw new Error(`batch PUT: ${res.status} ${await res.text()}`);
  const { missing } = (await res.json()) as { missing: string[] };
  for (const sha of missing) {
    const k = hashes.indexOf(sha);
    const r = await fetch(`${url}/api/v1/blobs/${sha}`, { method: "PUT", headers: auth, body: pages[k]! });
    if (!r.ok) throw new Error(`blob PUT: ${r.status} ${await r.text()}`);
    uploaded++;
  }
}
const tSynced = performance.now();

const total = DOCS * PAGES;
for (;;) {
  const c = ((await (await fetch(`${url}/api/v1/jobs?limit=1`, { headers: auth })).json()) as any).counts.render_page ?? {};
  if ((c.done ?? 0) + (c.failed ?? 0) >= total) break;
  await Bun.sleep(200);
}
const tRendered = performance.now();
const jobs = ((await (await fetch(`${url}/api/v1/jobs?limit=1`, { headers: auth })).json()) as any).counts.render_page;

// Metadata-only updates: rename + move, one request each.
const lat: number[] = [];
for (let i = 0; i < 200; i++) {
  const d = docs[(i * 7919) % docs.length]!;
  const body = JSON.stringify({ ...d, metadata: { ...d.metadata, visibleName: `Renamed ${i}` } });
  const s = performance.now();
  const r = await fetch(`${url}/api/v1/documents/${d.uuid}`, { method: "PUT", headers: json, body });
  const out = (await r.json()) as any;
  lat.push(performance.now() - s);
  if (!out.changed || out.pages.queued !== 0 || out.missing.length) throw new Error(`metadata update was not metadata-only: ${JSON.stringify(out)}`);
}
lat.sort((a, b) => a - b);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;
clearInterval(sampler);
peakRss = Math.max(peakRss, hwmKb());

proc.kill("SIGTERM");
await proc.exited;
if (!opt.keep) rmSync(dir, { recursive: true, force: true });

const syncS = (tSynced - t0) / 1000;
const e2eS = (tRendered - t0) / 1000;
const report = {
  library: { docs: DOCS, pages: total, distinctPageFiles: pages.length, blobsUploaded: uploaded },
  renderConcurrency: CONC,
  sync: { seconds: +syncS.toFixed(2), docsPerSec: +(DOCS / syncS).toFixed(1), pagesPerSec: +(total / syncS).toFixed(1) },
  endToEnd: { seconds: +e2eS.toFixed(2), docsPerSec: +(DOCS / e2eS).toFixed(1), pagesPerSec: +(total / e2eS).toFixed(1), jobs },
  serverRssMb: { idle: +(idleRss / 1024).toFixed(1), peak: +(peakRss / 1024).toFixed(1) },
  metadataOnlyUpdateMs: { p50: +pct(50).toFixed(2), p95: +pct(95).toFixed(2), max: +lat.at(-1)!.toFixed(2) },
};
console.log(`ingest: ${DOCS} docs / ${total} pages`);
console.log(`  sync (PUTs + blobs):   ${syncS.toFixed(2)} s  → ${report.sync.docsPerSec} docs/s, ${report.sync.pagesPerSec} pages/s`);
console.log(`  end to end (rendered): ${e2eS.toFixed(2)} s  → ${report.endToEnd.docsPerSec} docs/s, ${report.endToEnd.pagesPerSec} pages/s  (budget < 120 s)`);
console.log(`  server RSS: idle ${report.serverRssMb.idle} MB, peak ${report.serverRssMb.peak} MB`);
console.log(`  metadata-only update (client-measured, loopback): p50 ${report.metadataOnlyUpdateMs.p50} ms, p95 ${report.metadataOnlyUpdateMs.p95} ms (budget < 100 ms server time)`);
console.log(JSON.stringify(report));
