// bench/agent.ts — the agent as the user runs it: real `rmirror serve` and `rmirror agent`
// processes on loopback.
//   1. initial sync of a generated library (default 500 notebooks × 20 pages = 10,000 pages,
//      page files cycled from the shared corpus, so they de-duplicate to the corpus' distinct pages)
//   2. file written → upload complete, for a one-page change (default debounce 300 ms included)
//      and for a rename (metadata-only), measured by polling the server every 2 ms
//   3. agent footprint: RSS after the initial sync, peak RSS, CPU used while idle for 10 s
// Usage: bun bench/agent.ts [--docs 500] [--pages 20] [--changes 20] [--debounce 300] [--watch chokidar|native]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SAMPLES_DIR } from "../test/support/samples.ts";
import { agentIdle, agentStatus, prepareServer, ServerApi, sha, startAgentChild, startServer, stop, writeMetadata, writeNotebook, writePage } from "../test/agent/harness.ts";
import { parsePage } from "../src/rm/page.ts";

const { values } = parseArgs({ options: { docs: { type: "string" }, pages: { type: "string" }, changes: { type: "string" }, debounce: { type: "string" }, watch: { type: "string" } } });
const WATCH = values.watch ?? "chokidar";
const DOCS = Number(values.docs ?? 500);
const PAGES = Number(values.pages ?? 20);
const CHANGES = Number(values.changes ?? 20);
const DEBOUNCE = values.debounce ?? "300";

// Every top-level .rm of the corpus that parses strictly (the agent refuses corrupt pages).
const corpus: Uint8Array[] = [];
for (const f of readdirSync(SAMPLES_DIR)) {
  if (!f.endsWith(".rm")) continue;
  const bytes = new Uint8Array(readFileSync(join(SAMPLES_DIR, f)));
  try {
    parsePage(bytes, f);
    corpus.push(bytes);
  } catch {
    /* skip */
  }
}

const tmp = mkdtempSync(join(tmpdir(), "rmirror-bench-agent-"));
const data = join(tmp, "data");
const folder = join(tmp, "desktop");
mkdirSync(folder, { recursive: true });
const token = await prepareServer(data);
const server = await startServer(data);
const api = new ServerApi(server.url, token);

const tGen = performance.now();
for (let d = 0; d < DOCS; d++) {
  writeNotebook(folder, { name: `Notebook ${d}`, pages: Array.from({ length: PAGES }, (_, i) => ({ sample: corpus[(d * PAGES + i) % corpus.length]! })) });
}
const genMs = performance.now() - tGen;

function procStatus(pid: number, key: string): number {
  try {
    return Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
function cpuTicks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

// 1. Initial sync.
const t0 = performance.now();
const agent = await startAgentChild({ folder, home: join(tmp, "home"), server: server.url, token, args: ["--debounce-ms", DEBOUNCE, "--watch", WATCH], env: { RMIRROR_AGENT_MAX_ATTEMPTS: "5" } });
const pid = agent.proc.pid;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, procStatus(pid, "VmRSS"))), 100);
for (;;) {
  const s = await agentStatus(agent.url);
  if (s.synced >= DOCS && s.queue === 0 && !s.busy) break;
  await Bun.sleep(50);
}
const syncMs = performance.now() - t0;
const st = await agentStatus(agent.url);
const listed = ((await api.get("/api/v1/documents")).body.documents as unknown[]).length;

// 2. Latency: one-page change and rename, file write → server has it.
const nb = writeNotebook(folder, { name: "Latency", pages: [{ sample: corpus[0]! }, { sample: corpus[1]! }] });
for (;;) {
  if ((await api.doc(nb.uuid))?.pages.length === 2) break;
  await Bun.sleep(10);
}
await agentIdle(agent.url);
const pageLat: number[] = [];
const metaLat: number[] = [];
for (let i = 0; i < CHANGES; i++) {
  const bytes = corpus[(i + 2) % corpus.length]!;
  if (i > 0 && bytes === corpus[(i + 1) % corpus.length]) continue;
  const want = sha(bytes);
  const s = performance.now();
  writePage(folder, nb.uuid, nb.pageIds[0]!, bytes);
  for (;;) {
    if ((await api.doc(nb.uuid))?.pages.find((p: any) => p.id === nb.pageIds[0])?.sha256 === want) break;
    await Bun.sleep(2);
  }
  pageLat.push(performance.now() - s);
  await agentIdle(agent.url);
  const name = `Latency ${i}`;
  const m = performance.now();
  writeMetadata(folder, nb.uuid, { name });
  for (;;) {
    if ((await api.doc(nb.uuid))?.name === name) break;
    await Bun.sleep(2);
  }
  metaLat.push(performance.now() - m);
  await agentIdle(agent.url);
}

// 3. Footprint.
const rssAfter = procStatus(pid, "VmRSS");
await Bun.sleep(1000);
const c0 = cpuTicks(pid);
await Bun.sleep(10_000);
const idleCpuMs = ((cpuTicks(pid) - c0) * 1000) / 100; // USER_HZ = 100
clearInterval(sampler);
peak = Math.max(peak, procStatus(pid, "VmHWM"));

await stop(agent);
await stop(server);
rmSync(tmp, { recursive: true, force: true });

const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
const pct = (a: number[], p: number) => sorted(a)[Math.min(a.length - 1, Math.floor((p / 100) * a.length))]!;
const f = (n: number) => n.toFixed(0);
console.log(`agent bench — ${DOCS} notebooks × ${PAGES} pages = ${DOCS * PAGES} pages (${corpus.length} distinct corpus pages, cycled); debounce ${DEBOUNCE} ms; ${WATCH} watcher`);
console.log(`library written in ${f(genMs)} ms`);
console.log(`initial sync: ${(syncMs / 1000).toFixed(1)} s from agent start to ${st.synced} documents confirmed (${listed} on the server); ${st.counters.blobs} blob uploads, ${(st.counters.bytes / 1e6).toFixed(1)} MB`);
console.log(`one-page change, write → on server: median ${f(pct(pageLat, 50))} ms, p95 ${f(pct(pageLat, 95))} ms, max ${f(Math.max(...pageLat))} ms (n=${pageLat.length}, includes the ${DEBOUNCE} ms debounce)`);
console.log(`rename (metadata-only), write → on server: median ${f(pct(metaLat, 50))} ms, p95 ${f(pct(metaLat, 95))} ms (n=${metaLat.length})`);
console.log(`agent RSS: ${(rssAfter / 1024).toFixed(0)} MB after the sync, peak ${(peak / 1024).toFixed(0)} MB; idle CPU: ${idleCpuMs.toFixed(0)} ms in 10 s`);
