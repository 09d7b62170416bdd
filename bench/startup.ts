// Compiled binary: `--version`/`--help` start → exit (against an empty executable built the same
// way), start → first served request, and idle RSS, of `serve` and of `agent`.
//   bun bench/startup.ts [--runs 15] [--bin dist/rmirror-linux-x64] [--compare other-binary] [--no-agent]
// Builds the linux-x64 binary (into a temp dir) first when --bin is not given. --compare runs a
// second binary's `--version` and `serve` start interleaved with the first (before/after, back to back).
// Each figure is min / median / p95 of --runs starts, with the load average before and after; for
// `serve` also the CPU time (user + system, all threads, 10 ms resolution) the process used until
// its first answer — on a shared machine that figure moves much less with the load than wall time.
// Budgets (issue 18): serve start → first request < 300 ms p50, --version < 60 ms; idle RSS serve < 80 MB, agent < 60 MB.
// The agent runs against a live `serve` with a device token, watching a copy of the shared
// sample xochitl folder (or an empty folder when the samples are absent); its first request
// served is its local status page's /api/status, answered once the initial scan is under way.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { COMPILE_FLAGS, build } from "../scripts/build.ts";
import { SAMPLES_DIR } from "../test/support/samples.ts";
import { fmt, load, machine, summarize } from "./report.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" }, bin: { type: "string" }, compare: { type: "string" }, "no-agent": { type: "boolean" } } });
const runs = Number(values.runs);
const bin = values.bin ?? (await build(["linux-x64"], mkdtempSync(join(tmpdir(), "rmirror-bench-dist-"))))[0]!;
const bins = values.compare ? [bin, values.compare] : [bin];
console.log(`machine: ${machine()}`);
console.log(`load average before: ${load()}`);
for (const b of bins) console.log(`binary: ${b}`);

/** CPU time (user + system, all threads) a live process has used so far, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

// --- --version / --help: start → exit, against an empty executable built the same way ----------
{
  const tmp = mkdtempSync(join(tmpdir(), "rmirror-bench-empty-"));
  writeFileSync(join(tmp, "empty.ts"), 'console.log("0");\n');
  const empty = join(tmp, "empty");
  const b = Bun.spawnSync([process.execPath, "build", join(tmp, "empty.ts"), "--compile", ...COMPILE_FLAGS, `--outfile=${empty}`], { stdout: "ignore", stderr: "inherit" });
  if (b.exitCode !== 0) throw new Error("building the empty executable failed");
  const exitTimes = async (cmds: string[][]) => {
    const ts: number[][] = cmds.map(() => []);
    const cpus: number[][] = cmds.map(() => []);
    for (let i = 0; i < Math.max(runs, 10); i++)
      for (const [k, cmd] of cmds.entries()) {
        const t0 = performance.now();
        const p = Bun.spawn(cmd, { env: { PATH: "/usr/bin:/bin" }, stdout: "ignore", stderr: "ignore" });
        await p.exited;
        ts[k]!.push(performance.now() - t0);
        const ru = p.resourceUsage();
        if (ru) cpus[k]!.push(Number(ru.cpuTime.total) / 1000);
      }
    return ts.map((t, k) => `${fmt(summarize(t))}; CPU median ${summarize(cpus[k]!.length ? cpus[k]! : [0]).median.toFixed(0)} ms`);
  };
  console.log(`empty executable (console.log, same flags): ${(await exitTimes([[empty]]))[0]}`);
  const v = await exitTimes(bins.map((b) => [b, "--version"]));
  for (const [k, b] of bins.entries()) console.log(`rmirror --version [${b}]: ${v[k]} (budget < 60 ms)`);
  const h = await exitTimes(bins.map((b) => [b, "--help"]));
  for (const [k, b] of bins.entries()) console.log(`rmirror --help [${b}]: ${h[k]}`);
  rmSync(tmp, { recursive: true, force: true });
}

const starts: number[][] = bins.map(() => []);
const cpu: number[][] = bins.map(() => []);
let idleRss = 0;
for (let i = 0; i < runs; i++) {
  for (const [k, b] of bins.entries()) {
    const dir = mkdtempSync(join(tmpdir(), "rmirror-bench-start-"));
    const port = 18_000 + i * bins.length + k;
    const t0 = performance.now();
    const p = Bun.spawn([b, "serve"], { cwd: dir, env: { PATH: "/usr/bin:/bin", RMIRROR_PORT: String(port), RMIRROR_LOG_LEVEL: "warn" }, stdout: "ignore", stderr: "ignore" });
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (r.status === 200) break;
      } catch {}
      await Bun.sleep(2);
    }
    starts[k]!.push(performance.now() - t0);
    cpu[k]!.push(cpuMs(p.pid));
    if (i === runs - 1 && k === 0) {
      await Bun.sleep(5_000); // let start-up garbage settle, then read the idle footprint
      idleRss = rssMb(p.pid);
    }
    p.kill("SIGTERM");
    await p.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
for (const [k, b] of bins.entries()) {
  console.log(`serve start → first /healthz 200 (fresh data dir) [${b}]: ${fmt(summarize(starts[k]!))} (budget p50 < 300 ms)`);
  console.log(`  CPU time used until then: ${fmt(summarize(cpu[k]!))}`);
}
console.log(`idle RSS of serve after 5 s: ${idleRss.toFixed(1)} MB (budget < 80 MB)`);
console.log(`load average after serve: ${load()}`);
if (values["no-agent"]) process.exit(0);

// --- agent -------------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), "rmirror-bench-agent-"));
const env = { PATH: "/usr/bin:/bin", HOME: dir, RMIRROR_PORT: "18100", RMIRROR_DATA_DIR: join(dir, "data"), RMIRROR_LOG_LEVEL: "warn", RMIRROR_ADMIN_EMAIL: "bench@example.com", RMIRROR_ADMIN_PASSWORD: "bench password 1" };
const server = Bun.spawn([bin, "serve"], { cwd: dir, env, stdout: "ignore", stderr: "ignore" });
const base = "http://127.0.0.1:18100";
for (;;) {
  try {
    if ((await fetch(`${base}/healthz`)).status === 200) break;
  } catch {}
  await Bun.sleep(10);
}
const login = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "bench@example.com", password: "bench password 1" }) });
const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
const { csrfToken } = (await login.json()) as { csrfToken: string };
const { token } = (await (await fetch(`${base}/api/v1/tokens`, { method: "POST", headers: { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" }, body: JSON.stringify({ name: "bench" }) })).json()) as { token: string };
const folder = join(dir, "desktop");
const demo = join(SAMPLES_DIR, "lucasrla-remarks__demo_xochitl");
if (existsSync(demo)) cpSync(demo, folder, { recursive: true });
else mkdirSync(folder);
const agentStarts: number[] = [];
let agentRss = 0;
for (let i = 0; i < runs; i++) {
  const port = 18_200 + i;
  const t0 = performance.now();
  const a = Bun.spawn([bin, "agent", "--home", join(dir, `home-${i}`), "--folder", folder, "--server", base, "--token", token, "--status-port", String(port)], { cwd: dir, env, stdout: "ignore", stderr: "ignore" });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/status`)).status === 200) break;
    } catch {}
    await Bun.sleep(2);
  }
  agentStarts.push(performance.now() - t0);
  if (i === runs - 1) {
    await Bun.sleep(5_000);
    agentRss = rssMb(a.pid);
  }
  a.kill("SIGTERM");
  await a.exited;
}
server.kill("SIGTERM");
await server.exited;
rmSync(dir, { recursive: true, force: true });
console.log(`agent start → first /api/status 200 (${existsSync(demo) ? "sample xochitl folder" : "empty folder"}): ${fmt(summarize(agentStarts))} (budget < 300 ms)`);
console.log(`idle RSS of agent after 5 s: ${agentRss.toFixed(1)} MB (budget < 60 MB)`);
console.log(`load average after: ${load()}`);
