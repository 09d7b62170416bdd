// Issue 15 item 4: `rmirror agent update` against a real `rmirror serve` child that hands out a
// newer build from RMIRROR_AGENT_DIR. The executable to replace is a file in a temp dir
// (RMIRROR_AGENT_EXE; a checkout is not a compiled executable), autostart is "installed" (the
// systemd unit file exists) and a fake `systemctl` on PATH records the restart. The running
// agent is stood in for by a status page that reports a sync in progress, then idle.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN, spawnMain, stop, waitFor, type Child } from "./harness.ts";
import { autostartTarget } from "../../agent/autostart/index.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-update-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const agentDir = join(tmp, "agents");
const fakeBin = join(tmp, "fakebin");
const V1 = "#!/bin/sh\n# rmirror build 1\nexit 0\n";
const V2 = "#!/bin/sh\n# rmirror build 2\nexit 0\n";
let server: Child;

beforeAll(async () => {
  mkdirSync(agentDir, { recursive: true });
  for (const p of ["linux-x64", "linux-arm64"]) writeFileSync(join(agentDir, `rmirror-${p}`), V2);
  mkdirSync(fakeBin, { recursive: true });
  writeFileSync(join(fakeBin, "systemctl"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "$FAKE_SYSTEMCTL_LOG"\n`);
  chmodSync(join(fakeBin, "systemctl"), 0o755);
  server = await spawnMain(["serve"], { RMIRROR_DATA_DIR: join(tmp, "data"), RMIRROR_HOST: "127.0.0.1", RMIRROR_PORT: "0", RMIRROR_AGENT_DIR: agentDir }, "rmirror serving");
}, 120_000);
afterAll(() => stop(server));

interface Setup {
  home: string;
  exe: string;
  log: string;
}

function computer(name: string, withAutostart = true): Setup {
  const home = join(tmp, name);
  mkdirSync(join(home, "bin"), { recursive: true });
  const exe = join(home, "bin/rmirror");
  writeFileSync(exe, V1, { mode: 0o755 });
  if (withAutostart) {
    mkdirSync(join(home, ".config/systemd/user"), { recursive: true });
    writeFileSync(join(home, ".config/systemd/user/rmirror-agent.service"), "[Service]\n");
  }
  return { home, exe, log: join(home, "systemctl.log") };
}

/** The environment of a fake computer: its home, the fake systemctl first on PATH, the program to replace, no keychain. */
function computerEnv(c: Setup): Record<string, string> {
  return {
    HOME: c.home,
    XDG_CONFIG_HOME: join(c.home, ".config"),
    PATH: `${fakeBin}:${process.env.PATH}`,
    RMIRROR_AGENT_EXE: c.exe,
    RMIRROR_AGENT_KEYCHAIN: "0",
    FAKE_SYSTEMCTL_LOG: c.log,
  };
}

function update(c: Setup, args: string[], serverUrl = server.url) {
  const p = Bun.spawn([process.execPath, MAIN, "agent", "update", "--server", serverUrl, "--home", join(c.home, ".rmirror"), ...args], {
    env: { ...process.env, ...computerEnv(c), RMIRROR_AGENT_UPDATE_POLL_MS: "50" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const stdout = new Response(p.stdout).text();
  const stderr = new Response(p.stderr).text();
  return { proc: p, result: Promise.all([stdout, stderr, p.exited]).then(([o, e, code]) => ({ stdout: o, stderr: e, code })) };
}

const calls = (c: Setup) => (existsSync(c.log) ? readFileSync(c.log, "utf8").trim().split("\n") : []);

describe("rmirror agent update", () => {
  test("--check only tells; update replaces the executable with the server's build and restarts the service; then it is up to date", async () => {
    const c = computer("plain");
    const check = await update(c, ["--check", "--status-port=-1"]).result;
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("an update is available");
    expect(readFileSync(c.exe, "utf8")).toBe(V1);

    const r = await update(c, ["--status-port=-1"]).result;
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(readFileSync(c.exe, "utf8")).toBe(V2);
    expect(statSync(c.exe).mode & 0o777).toBe(0o755);
    expect(r.stdout).toContain(`updated ${c.exe}`);
    expect(calls(c)).toEqual(["--user restart rmirror-agent.service"]);
    // No temporary file left beside it.
    expect(readdirSync(join(c.home, "bin"))).toEqual(["rmirror"]);

    const again = await update(c, ["--status-port=-1"]).result;
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("is up to date");
    expect(calls(c)).toEqual(["--user restart rmirror-agent.service"]); // no second restart
  }, 120_000);

  test("never mid-upload: it waits while the running agent syncs, and updates once it is idle", async () => {
    const c = computer("busy");
    let busy = true;
    let polls = 0;
    const polledWhileBusy = Promise.withResolvers<void>();
    const status = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch() {
        polls++;
        if (busy) polledWhileBusy.resolve();
        return Response.json(busy ? { queue: 2, busy: true } : { queue: 0, busy: false });
      },
    });
    try {
      const run = update(c, ["--status-port", String(status.port)]);
      await polledWhileBusy.promise;
      const seen = polls;
      // Asked again after that: still waiting, nothing replaced, nothing restarted.
      while (polls < seen + 2) await Bun.sleep(20);
      expect(readFileSync(c.exe, "utf8")).toBe(V1);
      expect(calls(c)).toEqual([]);
      busy = false;
      const r = await run.result;
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("waiting for the running agent to finish syncing (2 queued)");
      expect(readFileSync(c.exe, "utf8")).toBe(V2);
      expect(calls(c)).toEqual(["--user restart rmirror-agent.service"]);
    } finally {
      status.stop(true);
    }
  }, 120_000);

  test("a download that does not match the published hash leaves the executable alone", async () => {
    const c = computer("tampered");
    const mitm: ReturnType<typeof Bun.serve> = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req): Promise<Response> {
        const u = new URL(req.url);
        const res = await fetch(server.url + u.pathname);
        if (u.pathname === "/download/agent/manifest.json") return new Response((await res.text()).replaceAll(server.url, `http://127.0.0.1:${mitm.port}`));
        if (u.pathname.startsWith("/download/agent/linux-")) return new Response(`${await res.text()}echo owned\n`);
        return res;
      },
    });
    try {
      const r = await update(c, ["--status-port=-1"], `http://127.0.0.1:${mitm.port}`).result;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("checksum mismatch");
      expect(readFileSync(c.exe, "utf8")).toBe(V1);
      expect(readdirSync(join(c.home, "bin"))).toEqual(["rmirror"]);
      expect(calls(c)).toEqual([]);
    } finally {
      mitm.stop(true);
    }
  }, 120_000);

  test("without autostart it says to restart by hand", async () => {
    const c = computer("manual", false);
    const r = await update(c, ["--status-port=-1"]).result;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("restart the agent to run the new version");
    expect(calls(c)).toEqual([]);
  }, 120_000);
});

/** The agent's start-up log line about automatic updates. */
function autoUpdateLine(c: Child): Record<string, unknown> | undefined {
  for (const l of c.logs) {
    try {
      const rec = JSON.parse(l) as Record<string, unknown>;
      if (rec.msg === "automatic updates") return rec;
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

describe("automatic updates", () => {
  let agent: Child | undefined;
  afterAll(() => stop(agent));

  test("an installed agent (autostart present) runs the updater by itself: the program is replaced once it is idle, and the service restarted", async () => {
    const c = computer("auto");
    const folder = join(c.home, "desktop");
    mkdirSync(folder, { recursive: true });
    agent = await spawnMain(
      ["agent", "--folder", folder, "--home", join(c.home, ".rmirror"), "--server", server.url, "--token", "rmt_not_paired_here", "--status-port", "0", "--rescan-minutes", "0"],
      { ...computerEnv(c), RMIRROR_AGENT_UPDATE_CHECK_MS: "200", RMIRROR_AGENT_UPDATE_POLL_MS: "50" },
      "agent status page",
    );
    const end = Date.now() + 100_000; // hang guard
    while (!(readFileSync(c.exe, "utf8") === V2 && calls(c).includes("--user restart rmirror-agent.service")) && Date.now() < end) await Bun.sleep(100);
    expect(readFileSync(c.exe, "utf8")).toBe(V2);
    expect(calls(c)[0]).toBe("--user restart rmirror-agent.service");
    expect(autoUpdateLine(agent)).toMatchObject({ on: true });
    expect(agent.logs.some((l) => l.includes("checking for an agent update"))).toBe(true);
  }, 120_000);

  test("not for an agent without autostart, nor with RMIRROR_AGENT_AUTO_UPDATE=0", async () => {
    for (const [name, autostart, env] of [
      ["auto-none", false, {}],
      ["auto-off", true, { RMIRROR_AGENT_AUTO_UPDATE: "0" }],
    ] as const) {
      const c = computer(name, autostart);
      const folder = join(c.home, "desktop");
      mkdirSync(folder, { recursive: true });
      const a = await spawnMain(
        ["agent", "--folder", folder, "--home", join(c.home, ".rmirror"), "--server", server.url, "--token", "rmt_x", "--status-port", "0", "--rescan-minutes", "0"],
        { ...computerEnv(c), RMIRROR_AGENT_UPDATE_CHECK_MS: "50", ...env },
        "agent status page",
      );
      const said = await waitFor("the agent's word on automatic updates", () => autoUpdateLine(a));
      await stop(a);
      expect(said).toMatchObject({ on: false, reason: autostart ? "RMIRROR_AGENT_AUTO_UPDATE=0" : "autostart is not installed" });
      expect(a.logs.some((l) => l.includes("checking for an agent update"))).toBe(false);
      expect(readFileSync(c.exe, "utf8")).toBe(V1);
    }
  }, 120_000);
});

test("the restart after an update, per service manager: launchd kickstart -k, systemd restart, the scheduled task ended and run", () => {
  const spec = { command: ["/x/rmirror", "agent"], env: {}, logDir: tmp };
  const uid = process.getuid?.() ?? 501;
  expect(autostartTarget(spec, "darwin", "/Users/a").restart).toEqual([["launchctl", "kickstart", "-k", `gui/${uid}/com.rmirror.agent`]]);
  expect(autostartTarget(spec, "linux", "/home/a", {}).restart).toEqual([["systemctl", "--user", "restart", "rmirror-agent.service"]]);
  expect(autostartTarget(spec, "win32", "C:/Users/a", { USERNAME: "a" }).restart).toEqual([
    ["schtasks", "/End", "/TN", "rmirror agent"],
    ["schtasks", "/Run", "/TN", "rmirror agent"],
  ]);
});
