// Ingest benchmark (DESIGN.md §9: 500 notebooks / 10,000 pages < 2 min end to end, memory flat;
// metadata-only change < 100 ms server time; issue 18: time per page must not grow with the library).
//
//   bun bench/ingest.ts [--scales 10000,50000] [--repeat 1] [--pages 20] [--batch 50] [--concurrency N]
//
// For each scale (total pages; --pages per notebook) and each repeat: builds a library from the
// real sample pages (../shared/samples), starts a fresh `rmirror serve` as a child process on a
// temp data dir (SQLite + disk blobs), syncs everything through the sync protocol (blobs, then
// batched document PUTs), waits for every render job, then times single metadata-only updates.
// Prints, per scale, min / median end-to-end seconds and milliseconds per page, the server's peak
// RSS, the load average before and after; at the end the per-page ratio of each scale to the first
// (issue 18's proof: 50k within 1.3× of 10k).
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
import { load, machine, summarize } from "./report.ts";

const { values: opt } = parseArgs({
  options: {
    scales: { type: "string" },
    docs: { type: "string" },
    repeat: { type: "string" },
    pages: { type: "string" },
    batch: { type: "string" },
    concurrency: { type: "string" },
    keep: { type: "boolean" },
  },
});
const PAGES = Number(opt.pages ?? 20);
// --docs N is the old single-scale form (N notebooks); --scales lists total page counts.
const SCALES = opt.docs ? [Number(opt.docs) * PAGES] : (opt.scales ?? "10000,50000").split(",").map((s) => Number(s.trim()));
const REPEAT = Number(opt.repeat ?? 1);
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

interface Run {
  pages: number;
  syncS: number;
  e2eS: number;
  idleMb: number;
  peakMb: number;
  metaP50: number;
  metaP95: number;
  loadBefore: string;
  loadAfter: string;
}

async function ingestOnce(DOCS: number): Promise<Run> {
  const loadBefore = load();
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
  else console.log(`kept data dir: ${dir}`);

  if ((jobs.done ?? 0) !== total) console.error(`  warning: ${jobs.failed ?? 0} render jobs failed`);
  return {
    pages: total,
    syncS: (tSynced - t0) / 1000,
    e2eS: (tRendered - t0) / 1000,
    idleMb: idleRss / 1024,
    peakMb: peakRss / 1024,
    metaP50: pct(50),
    metaP95: pct(95),
    loadBefore,
    loadAfter: load(),
  };
}

console.log(`machine: ${machine()}`);
console.log(`render concurrency ${CONC}, ${PAGES} pages per notebook, ${pageFiles.length} distinct sample pages, repeat ${REPEAT}`);
const perScale: { pages: number; msPerPage: number }[] = [];
for (const scale of SCALES) {
  const docsN = Math.ceil(scale / PAGES);
  const runs: Run[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const run = await ingestOnce(docsN);
    runs.push(run);
    console.log(
      `  ${run.pages} pages, run ${r + 1}: sync ${run.syncS.toFixed(1)} s, end to end ${run.e2eS.toFixed(1)} s = ${((run.e2eS * 1000) / run.pages).toFixed(2)} ms/page; RSS idle ${run.idleMb.toFixed(0)} MB, peak ${run.peakMb.toFixed(0)} MB; metadata-only update p50 ${run.metaP50.toFixed(1)} ms, p95 ${run.metaP95.toFixed(1)} ms; load ${run.loadBefore} → ${run.loadAfter}`,
    );
  }
  const pages = runs[0]!.pages;
  const e2e = summarize(runs.map((r) => r.e2eS));
  const perPage = summarize(runs.map((r) => (r.e2eS * 1000) / r.pages));
  perScale.push({ pages, msPerPage: perPage.median });
  console.log(
    `${pages} pages: end to end min ${e2e.min.toFixed(1)} / median ${e2e.median.toFixed(1)} s; per page min ${perPage.min.toFixed(2)} / median ${perPage.median.toFixed(2)} ms (${(pages / e2e.median).toFixed(0)} pages/s; budget 10,000 pages < 120 s); peak RSS ${Math.max(...runs.map((r) => r.peakMb)).toFixed(0)} MB`,
  );
}
if (perScale.length > 1) {
  const base = perScale[0]!;
  for (const s of perScale.slice(1))
    console.log(`per page at ${s.pages} / at ${base.pages}: ${(s.msPerPage / base.msPerPage).toFixed(2)}× (issue 18: within 1.3×)`);
}
console.log(JSON.stringify({ machine: machine(), load: load(), scales: perScale }));
