// bench/agent.ts — the agent as the user runs it: real `rmirror serve` and `rmirror agent`
// processes on loopback, a fixed amount of work, repeated per watcher.
//   For each run and each watcher (interleaved, so a change in the machine's load hits every
//   watcher alike), with a fresh server data dir and a fresh agent home:
//   1. initial sync of a generated library (default 500 notebooks × 20 pages = 10,000 pages,
//      page files cycled from the shared corpus, so they de-duplicate to the corpus' distinct pages;
//      the library is written once and shared by every run: the agent only reads it)
//   2. idle footprint: once the agent reports nothing queued, nothing in flight and every document
//      synced, `--settle` seconds later: VmRSS from /proc/<pid>/status (and its anonymous / file
//      parts: the file part is mostly the bun executable's code pages) and the JavaScript heap in
//      use (the agent's own /api/status, `process.memoryUsage().heapUsed`); peak RSS (VmHWM)
//   3. with `--changes N` (default 0): file written → upload complete, for a one-page change
//      (debounce included) and a rename (metadata-only), polled every 2 ms; then RSS again
//   4. idle CPU over 10 s
// Usage: bun bench/agent.ts [--docs 500] [--pages 20] [--runs 3] [--watch native,chokidar,poll]
//                           [--settle 5] [--changes 0] [--debounce 300] [--bin dist/rmirror-linux-x64]
// --bin runs the agent from a compiled executable (`npm run build`), as users run it; the server
// always runs from source.
// Memory does not depend much on the machine's load; latencies and sync times do.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SAMPLES_DIR } from "../test/support/samples.ts";
import { agentIdle, agentStatus, prepareServer, ServerApi, sha, startAgentChild, startServer, stop, writeMetadata, writeNotebook, writePage } from "../test/agent/harness.ts";
import { parsePage } from "../src/rm/page.ts";
import { fmt, load, machine, summarize } from "./report.ts";

const { values } = parseArgs({
  options: { docs: { type: "string" }, pages: { type: "string" }, runs: { type: "string" }, changes: { type: "string" }, debounce: { type: "string" }, watch: { type: "string" }, settle: { type: "string" }, bin: { type: "string" } },
});
const WATCHERS = (values.watch ?? "native,chokidar,poll").split(",").map((w) => w.trim());
for (const w of WATCHERS) if (!["native", "chokidar", "poll"].includes(w)) throw new Error(`--watch: native, chokidar or poll, not ${w}`);
const DOCS = Number(values.docs ?? 500);
const PAGES = Number(values.pages ?? 20);
const RUNS = Number(values.runs ?? 3);
const CHANGES = Number(values.changes ?? 0);
const DEBOUNCE = values.debounce ?? "300";
const SETTLE_S = Number(values.settle ?? 5);
const BIN = values.bin;

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

console.log(`agent bench — ${DOCS} notebooks × ${PAGES} pages = ${DOCS * PAGES} pages (${corpus.length} distinct corpus pages, cycled); debounce ${DEBOUNCE} ms; ${RUNS} run(s) of ${WATCHERS.join(", ")}; agent: ${BIN ?? "bun src/main.ts (from source)"}`);
console.log(`machine: ${machine()}`);
console.log(`load average at start: ${load()}`);

const tmp = mkdtempSync(join(tmpdir(), "rmirror-bench-agent-"));
const folder = join(tmp, "desktop");
mkdirSync(folder, { recursive: true });
const tGen = performance.now();
for (let d = 0; d < DOCS; d++) {
  writeNotebook(folder, { name: `Notebook ${d}`, pages: Array.from({ length: PAGES }, (_, i) => ({ sample: corpus[(d * PAGES + i) % corpus.length]! })) });
}
console.log(`library written in ${(performance.now() - tGen).toFixed(0)} ms`);

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

interface RunResult {
  syncS: number;
  blobs: number;
  idleRssMB: number;
  /** Of idleRssMB: anonymous memory (heaps, buffers) and file pages (mostly the bun executable's code, shared and clean). */
  anonMB: number;
  fileMB: number;
  heapMB: number;
  peakMB: number;
  afterChangesMB?: number;
  pageLat: number[];
  metaLat: number[];
  idleCpuMs: number;
  load: string;
}

async function runOnce(watch: string, n: number): Promise<RunResult> {
  const data = join(tmp, `data-${watch}-${n}`);
  const home = join(tmp, `home-${watch}-${n}`);
  const token = await prepareServer(data);
  const server = await startServer(data);
  const api = new ServerApi(server.url, token);
  const watchArgs = watch === "poll" ? ["--poll"] : ["--watch", watch];
  const t0 = performance.now();
  const agent = await startAgentChild({ folder, home, server: server.url, token, args: ["--debounce-ms", DEBOUNCE, ...watchArgs], env: { RMIRROR_AGENT_MAX_ATTEMPTS: "5" }, ...(BIN ? { bin: BIN } : {}) });
  const pid = agent.proc.pid;
  try {
    for (;;) {
      const s = await agentStatus(agent.url);
      if (s.synced >= DOCS && s.queue === 0 && !s.busy) break;
      await Bun.sleep(50);
    }
    const syncS = (performance.now() - t0) / 1000;
    await Bun.sleep(SETTLE_S * 1000);
    const st = await agentStatus(agent.url);
    const idleRssMB = procStatus(pid, "VmRSS") / 1024;
    const anonMB = procStatus(pid, "RssAnon") / 1024;
    const fileMB = procStatus(pid, "RssFile") / 1024;
    const heapMB = st.memory.heapMB as number;

    const pageLat: number[] = [];
    const metaLat: number[] = [];
    let afterChangesMB: number | undefined;
    if (CHANGES > 0) {
      const nb = writeNotebook(folder, { name: `Latency ${watch} ${n}`, pages: [{ sample: corpus[0]! }, { sample: corpus[1]! }] });
      for (;;) {
        if ((await api.doc(nb.uuid))?.pages.length === 2) break;
        await Bun.sleep(10);
      }
      await agentIdle(agent.url);
      for (let i = 0; i < CHANGES; i++) {
        const bytes = corpus[(i + 2) % corpus.length]!;
        const want = sha(bytes);
        const s = performance.now();
        writePage(folder, nb.uuid, nb.pageIds[0]!, bytes);
        for (;;) {
          if ((await api.doc(nb.uuid))?.pages.find((p: any) => p.id === nb.pageIds[0])?.sha256 === want) break;
          await Bun.sleep(2);
        }
        pageLat.push(performance.now() - s);
        await agentIdle(agent.url);
        const name = `Latency ${watch} ${n} ${i}`;
        const m = performance.now();
        writeMetadata(folder, nb.uuid, { name });
        for (;;) {
          if ((await api.doc(nb.uuid))?.name === name) break;
          await Bun.sleep(2);
        }
        metaLat.push(performance.now() - m);
        await agentIdle(agent.url);
      }
      // The shared library must stay the same for the next run.
      rmSync(join(folder, nb.uuid), { recursive: true, force: true });
      for (const ext of [".metadata", ".content"]) rmSync(join(folder, nb.uuid + ext), { force: true });
      await Bun.sleep(SETTLE_S * 1000);
      afterChangesMB = procStatus(pid, "VmRSS") / 1024;
    }
    const c0 = cpuTicks(pid);
    await Bun.sleep(10_000);
    const idleCpuMs = ((cpuTicks(pid) - c0) * 1000) / 100; // USER_HZ = 100
    const peakMB = procStatus(pid, "VmHWM") / 1024;
    return { syncS, blobs: st.counters.blobs, idleRssMB, anonMB, fileMB, heapMB, peakMB, ...(afterChangesMB !== undefined ? { afterChangesMB } : {}), pageLat, metaLat, idleCpuMs, load: load() };
  } finally {
    await stop(agent);
    await stop(server);
    rmSync(data, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

const results = new Map<string, RunResult[]>(WATCHERS.map((w) => [w, []]));
try {
  for (let n = 0; n < RUNS; n++) {
    for (const w of WATCHERS) {
      const r = await runOnce(w, n);
      results.get(w)!.push(r);
      console.log(
        `run ${n + 1} ${w.padEnd(8)} sync ${r.syncS.toFixed(1)} s (${r.blobs} blobs) · idle RSS ${r.idleRssMB.toFixed(1)} MB (anon ${r.anonMB.toFixed(1)}, file ${r.fileMB.toFixed(1)}), heap ${r.heapMB.toFixed(1)} MB, peak ${r.peakMB.toFixed(1)} MB` +
          (r.afterChangesMB !== undefined ? ` · after ${CHANGES} edits+renames ${r.afterChangesMB.toFixed(1)} MB` : "") +
          ` · idle CPU ${r.idleCpuMs.toFixed(0)} ms/10 s · load ${r.load}`,
      );
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(`\nload average at end: ${load()}`);
console.log(`summary (${RUNS} run(s) each; idle = ${SETTLE_S} s after the initial sync finished):`);
for (const [w, rs] of results) {
  if (!rs.length) continue;
  const line = [
    `idle RSS ${fmt(summarize(rs.map((r) => r.idleRssMB)), "MB", 1)}`,
    `anon ${fmt(summarize(rs.map((r) => r.anonMB)), "MB", 1)}`,
    `file ${fmt(summarize(rs.map((r) => r.fileMB)), "MB", 1)}`,
    `heap ${fmt(summarize(rs.map((r) => r.heapMB)), "MB", 1)}`,
    `peak ${fmt(summarize(rs.map((r) => r.peakMB)), "MB", 1)}`,
    `sync ${fmt(summarize(rs.map((r) => r.syncS)), "s", 1)}`,
  ];
  if (CHANGES > 0) {
    const pl = rs.flatMap((r) => r.pageLat);
    const ml = rs.flatMap((r) => r.metaLat);
    line.push(`after edits ${fmt(summarize(rs.map((r) => r.afterChangesMB!)), "MB", 1)}`, `one-page change ${fmt(summarize(pl))}`, `rename ${fmt(summarize(ml))}`);
  }
  console.log(`  ${w}: ${line.join(" · ")}`);
}
