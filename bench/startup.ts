// Compiled binary: `--version`/`--help` start → exit (against an empty executable built the same
// way), start → first served request, and idle RSS, of `serve` and of `agent`.
//   bun bench/startup.ts [--runs 10] [--bin dist/rmirror-linux-x64]
// Builds the linux-x64 binary first when --bin is not given.
// Budgets: start < 300 ms; idle RSS serve < 80 MB, agent < 60 MB.
// The agent runs against a live `serve` with a device token, watching a copy of the shared
// sample xochitl folder (or an empty folder when the samples are absent); its first request
// served is its local status page's /api/status, answered once the initial scan is under way.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BUNDLE_FLAGS, build } from "../scripts/build.ts";
import { SAMPLES_DIR } from "../test/support/samples.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "10" }, bin: { type: "string" } } });
const runs = Number(values.runs);
const bin = values.bin ?? (await build(["linux-x64"], mkdtempSync(join(tmpdir(), "rmirror-bench-dist-"))))[0]!;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

// --- --version / --help: start → exit, against an empty executable built the same way ----------
{
  const tmp = mkdtempSync(join(tmpdir(), "rmirror-bench-empty-"));
  writeFileSync(join(tmp, "empty.ts"), 'console.log("0");\n');
  const empty = join(tmp, "empty");
  const b = Bun.spawnSync([process.execPath, "build", join(tmp, "empty.ts"), "--compile", ...BUNDLE_FLAGS, `--outfile=${empty}`], { stdout: "ignore", stderr: "inherit" });
  if (b.exitCode !== 0) throw new Error("building the empty executable failed");
  const exitTimes = async (cmd: string[]) => {
    const ts: number[] = [];
    for (let i = 0; i < Math.max(runs, 10); i++) {
      const t0 = performance.now();
      const p = Bun.spawn(cmd, { env: { PATH: "/usr/bin:/bin" }, stdout: "ignore", stderr: "ignore" });
      await p.exited;
      ts.push(performance.now() - t0);
    }
    ts.sort((x, y) => x - y);
    return `min ${ts[0]!.toFixed(0)} ms, p50 ${ts[Math.floor(ts.length / 2)]!.toFixed(0)} ms`;
  };
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`empty executable (console.log, same flags): ${await exitTimes([empty])}`);
  console.log(`rmirror --version: ${await exitTimes([bin, "--version"])} (budget < 60 ms)`);
  console.log(`rmirror --help: ${await exitTimes([bin, "--help"])}`);
  rmSync(tmp, { recursive: true, force: true });
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
agentStarts.sort((a, b) => a - b);
const apct = (q: number) => agentStarts[Math.min(agentStarts.length - 1, Math.floor(q * agentStarts.length))]!;
console.log(`agent start → first /api/status 200 (${existsSync(demo) ? "sample xochitl folder" : "empty folder"}, ${runs} runs): p50 ${apct(0.5).toFixed(0)} ms, max ${agentStarts.at(-1)!.toFixed(0)} ms (budget < 300 ms)`);
console.log(`idle RSS of agent after 5 s: ${agentRss.toFixed(1)} MB (budget < 60 MB)`);
