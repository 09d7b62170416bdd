// Compiled binary: start → first served request, and idle RSS of `serve`.
//   bun bench/startup.ts [--runs 10] [--bin dist/rmirror-linux-x64]
// Builds the linux-x64 binary first when --bin is not given. Budgets: start < 300 ms, idle RSS < 80 MB.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "../scripts/build.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "10" }, bin: { type: "string" } } });
const runs = Number(values.runs);
const bin = values.bin ?? (await build(["linux-x64"], mkdtempSync(join(tmpdir(), "rmirror-bench-dist-"))))[0]!;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

const starts: number[] = [];
let idleRss = 0;
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), "rmirror-bench-start-"));
  const port = 18_000 + i;
  const t0 = performance.now();
  const p = Bun.spawn([bin, "serve"], { cwd: dir, env: { PATH: "/usr/bin:/bin", RMIRROR_PORT: String(port), RMIRROR_LOG_LEVEL: "warn" }, stdout: "ignore", stderr: "ignore" });
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) break;
    } catch {}
    await Bun.sleep(2);
  }
  starts.push(performance.now() - t0);
  if (i === runs - 1) {
    await Bun.sleep(5_000); // let start-up garbage settle, then read the idle footprint
    idleRss = rssMb(p.pid);
  }
  p.kill("SIGTERM");
  await p.exited;
  rmSync(dir, { recursive: true, force: true });
}
starts.sort((a, b) => a - b);
const pct = (q: number) => starts[Math.min(starts.length - 1, Math.floor(q * starts.length))]!;
console.log(`binary: ${bin}`);
console.log(`start → first /healthz 200 (fresh data dir, ${runs} runs): p50 ${pct(0.5).toFixed(0)} ms, max ${starts.at(-1)!.toFixed(0)} ms (budget < 300 ms)`);
console.log(`idle RSS of serve after 5 s: ${idleRss.toFixed(1)} MB (budget < 80 MB)`);
