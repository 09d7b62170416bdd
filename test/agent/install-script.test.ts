// Issue 15 item 2: the one-line installer, run for real. A real `rmirror serve` child hands out
// "executables" from a temp RMIRROR_AGENT_DIR (small launchers that run this checkout's
// src/main.ts, so the installed program is the real agent CLI); the install command is minted
// through the dashboard's route (cookie session + CSRF) and run by bash and by POSIX sh (dash,
// Debian's /bin/sh) with a fresh HOME. systemd is not available here: a fake `systemctl` on PATH
// records the calls the agent's autostart makes. Then the installed agent runs as the unit would
// and syncs a notebook with the token it got from the code, shows online, and `rmirror agent
// update` installs a newer build from the server, after which it still syncs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../src/config/schema.ts";
import { createContext } from "../../src/composition/context.ts";
import { silentLogger } from "../../src/log.ts";
import { createSession, createUser } from "../../src/services/accounts/accounts.ts";
import { describeSamples } from "../support/samples.ts";
import { agentIdle, MAIN, PAGE_SAMPLES, ServerApi, spawnMain, stop, waitFor, writeNotebook, type Child } from "./harness.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-install-sh-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const agentDir = join(tmp, "agents");
const fakeBin = join(tmp, "fakebin");
const data = join(tmp, "data");
const shells = ["/bin/bash", "/bin/sh"].filter((s) => existsSync(s));

/** A stand-in for the compiled agent: runs this checkout's CLI with the test's bun (--cwd: bun
 *  reads the checkout's tsconfig, whose JSX settings the status page needs, from the cwd). */
const LAUNCHER = `#!/bin/sh\nexec '${process.execPath}' --cwd '${resolve(MAIN, "../..")}' '${MAIN}' "$@"\n`;

let server: Child;
let browser: { cookie: string; csrf: string };
let userId: number;

beforeAll(async () => {
  mkdirSync(agentDir, { recursive: true });
  for (const p of ["linux-x64", "linux-arm64", "darwin-arm64", "darwin-x64"]) writeFileSync(join(agentDir, `rmirror-${p}`), LAUNCHER);
  mkdirSync(fakeBin, { recursive: true });
  // Records each call, one line per call: its arguments.
  writeFileSync(join(fakeBin, "systemctl"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "$FAKE_SYSTEMCTL_LOG"\n`);
  chmodSync(join(fakeBin, "systemctl"), 0o755);
  const ctx = createContext(loadConfig({ env: {}, overrides: { dataDir: data } }), { log: silentLogger });
  const u = await createUser(ctx, "owner@example.com", null, true);
  userId = u.id;
  const s = createSession(ctx, u.id);
  browser = { cookie: `rmirror_session=${s.sessionToken}`, csrf: s.csrfToken };
  ctx.store.db.close();
  server = await spawnMain(["serve"], { RMIRROR_DATA_DIR: data, RMIRROR_HOST: "127.0.0.1", RMIRROR_PORT: "0", RMIRROR_AGENT_DIR: agentDir }, "rmirror serving");
}, 120_000);
afterAll(() => stop(server));

const unescape = (s: string) => s.replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16))).replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");

/** "Make install command" on the Devices page, as htmx posts it; the macOS/Linux command shown. */
async function mintCommand(): Promise<{ command: string; code: string }> {
  const res = await fetch(`${server.url}/devices/install`, {
    method: "POST",
    headers: { cookie: browser.cookie, "x-csrf-token": browser.csrf, "hx-request": "true", "content-type": "application/x-www-form-urlencoded" },
    body: "",
  });
  expect(res.status).toBe(201);
  const command = unescape(/<code id="install-sh"[^>]*>([^<]*)<\/code>/.exec(await res.text())![1]!.trim());
  return { command, code: /code=(rmi_[A-Za-z0-9_-]+)/.exec(command)![1]! };
}

interface Run {
  home: string;
  folder: string;
  code: number;
  stdout: string;
  stderr: string;
  systemctl: string[];
}

async function runIn(shell: string, script: string, name: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const root = join(tmp, name);
  const home = join(root, "home");
  const folder = join(root, "desktop");
  mkdirSync(home, { recursive: true });
  mkdirSync(folder, { recursive: true });
  const log = join(root, "systemctl.log");
  const p = Bun.spawn([shell, "-c", script], {
    cwd: root,
    env: {
      HOME: home,
      PATH: `${fakeBin}:/usr/local/bin:/usr/bin:/bin`,
      RMIRROR_AGENT_KEYCHAIN: "0",
      RMIRROR_AGENT_FOLDER: folder,
      FAKE_SYSTEMCTL_LOG: log,
      ...extraEnv,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { home, folder, code, stdout, stderr, systemctl: existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [] };
}

async function tokensOfUser(): Promise<{ name: string; revokedAt: string | null }[]> {
  const r = await fetch(`${server.url}/api/v1/tokens`, { headers: { cookie: browser.cookie } });
  return ((await r.json()) as { tokens: { name: string; revokedAt: string | null }[] }).tokens;
}

describe.each(shells)("the one-line installer in %s", (shell) => {
  const tag = shell.endsWith("bash") ? "bash" : "sh";

  test("the dashboard's command installs, verifies, pairs (no approval), installs autostart, and says how to undo it", async () => {
    const { command } = await mintCommand();
    expect(command).toStartWith(`curl -fsSL '${server.url}/install.sh?code=rmi_`);
    const before = (await tokensOfUser()).length;
    const r = await runIn(shell, command, `${tag}-ok`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const bin = join(r.home, ".local/bin/rmirror");
    // The executable: where the user may write, byte for byte what the server published, executable.
    expect(readFileSync(bin, "utf8")).toBe(LAUNCHER);
    expect(statSync(bin).mode & 0o777).toBe(0o755);
    expect(r.stdout).toContain(`rmirror: installed ${bin} (SHA-256 ${new Bun.CryptoHasher("sha256").update(LAUNCHER).digest("hex")})`);
    // Paired with the code: a token in a 0600 file, the server in the config, a new device token for the user.
    expect(statSync(join(r.home, ".rmirror/token")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(r.home, ".rmirror/config"), "utf8"))).toMatchObject({ server: server.url, folder: r.folder });
    const tokens = await tokensOfUser();
    expect(tokens.length).toBe(before + 1);
    // Autostart: the unit runs the installed program; systemd was asked to load and start it.
    const unit = readFileSync(join(r.home, ".config/systemd/user/rmirror-agent.service"), "utf8");
    expect(unit).toContain(`Environment="RMIRROR_AGENT_HOME=${join(r.home, ".rmirror")}"`);
    expect(r.systemctl).toEqual(["--user daemon-reload", "--user enable --now rmirror-agent.service"]);
    // What it did and how to undo it.
    expect(r.stdout).toContain("What was done:");
    expect(r.stdout).toContain(`To undo: ${bin} agent uninstall && rm -f ${bin} && rm -rf ${r.home}/.rmirror`);
    expect(r.stdout).toContain(`${server.url}/devices`);
    // Nothing left behind but the program.
    expect(existsSync(join(r.home, ".local/bin"))).toBe(true);
    expect(Bun.spawnSync(["ls", "-A", join(r.home, ".local/bin")]).stdout.toString().trim()).toBe("rmirror");

    // The same command again: the code was used once; nothing new is paired.
    const again = await runIn(shell, command, `${tag}-again`);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("refused the install code");
    expect(again.stderr).toContain("make a new command on the Devices page");
    expect(existsSync(join(again.home, ".rmirror/token"))).toBe(false);
    expect(again.systemctl).toEqual([]);
    expect((await tokensOfUser()).length).toBe(before + 1);
  }, 180_000);

  test("the code as an argument (curl … | sh -s -- CODE)", async () => {
    const { code } = await mintCommand();
    const r = await runIn(shell, `curl -fsSL '${server.url}/install.sh' | sh -s -- ${code}`, `${tag}-arg`);
    expect(r.code).toBe(0);
    expect(existsSync(join(r.home, ".rmirror/token"))).toBe(true);
  }, 180_000);

  test("a download that does not match its published SHA-256 is not installed", async () => {
    const { code } = await mintCommand();
    // A man in the middle that changes the executable (and serves the script naming itself).
    const mitm: ReturnType<typeof Bun.serve> = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req): Promise<Response> {
        const u = new URL(req.url);
        const res = await fetch(server.url + u.pathname + u.search);
        if (u.pathname === "/install.sh") return new Response((await res.text()).replaceAll(server.url, `http://127.0.0.1:${mitm.port}`));
        if (u.pathname.startsWith("/download/agent/") && !u.pathname.endsWith(".sha256")) return new Response(`${await res.text()}\necho owned\n`);
        return res;
      },
    });
    try {
      const r = await runIn(shell, `curl -fsSL 'http://127.0.0.1:${mitm.port}/install.sh?code=${code}' | sh`, `${tag}-mitm`);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("checksum mismatch");
      expect(r.stderr).toContain("nothing was installed");
      expect(existsSync(join(r.home, ".local/bin/rmirror"))).toBe(false);
      expect(Bun.spawnSync(["ls", "-A", join(r.home, ".local/bin")]).stdout.toString().trim()).toBe("");
      expect(existsSync(join(r.home, ".rmirror"))).toBe(false);
    } finally {
      mitm.stop(true);
    }
  }, 180_000);
});

describe("the installer on macOS (uname, xattr and sysctl faked: this machine is Linux)", () => {
  test("installs to ~/Applications/rmirror, clears the quarantine attribute of that file, explains Full Disk Access with its exact path", async () => {
    const mac = join(tmp, "fake-mac-bin");
    mkdirSync(mac, { recursive: true });
    const tools: Record<string, string> = {
      uname: `case "$1" in -s) echo Darwin ;; -m) echo arm64 ;; *) /bin/uname "$@" ;; esac`,
      xattr: `printf '%s\\n' "$*" >> "$FAKE_XATTR_LOG"`,
      sysctl: `echo 0`,
    };
    for (const [name, body] of Object.entries(tools)) {
      writeFileSync(join(mac, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(mac, name), 0o755);
    }
    const { command } = await mintCommand();
    const xattrLog = join(tmp, "xattr.log");
    const r = await runIn("/bin/sh", command, "mac", { PATH: `${mac}:${fakeBin}:/usr/local/bin:/usr/bin:/bin`, FAKE_XATTR_LOG: xattrLog });
    expect(r.code).toBe(0);
    const bin = join(r.home, "Applications/rmirror/rmirror");
    expect(readFileSync(bin, "utf8")).toBe(LAUNCHER); // the darwin-arm64 file
    expect(readFileSync(xattrLog, "utf8")).toBe(`-d com.apple.quarantine ${bin}\n`);
    expect(r.stdout).toContain("Full Disk Access");
    expect(r.stdout).toContain(`enter this path:\n  ${bin}\n`);
  }, 180_000);
});

describe("the installer on a platform without a build", () => {
  test("a clear message, nothing installed", async () => {
    rmSync(join(agentDir, "rmirror-linux-arm64"));
    rmSync(join(agentDir, "rmirror-linux-x64"));
    try {
      const { command } = await mintCommand();
      const r = await runIn("/bin/sh", command, "no-build");
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/the server has no agent for linux-(x64|arm64)/);
      expect(existsSync(join(r.home, ".local/bin/rmirror"))).toBe(false);
    } finally {
      for (const p of ["linux-x64", "linux-arm64"]) writeFileSync(join(agentDir, `rmirror-${p}`), LAUNCHER);
    }
  }, 180_000);
});

describeSamples("the installed agent syncs, reports in, and is updated", () => {
  let agent: Child | undefined;
  afterAll(() => stop(agent));

  test("started as its unit would start it: syncs with the token from the install code, shows online, is updated to the server's newer build and still syncs", async () => {
    const { command } = await mintCommand();
    const r = await runIn("/bin/sh", command, "syncs");
    expect(r.code).toBe(0);
    const bin = join(r.home, ".local/bin/rmirror");
    // ExecStart runs `<program> agent` with RMIRROR_AGENT_HOME; everything else comes from <home>/config.
    agent = await spawnMain(["agent", "--status-port", "0", "--debounce-ms", "100"], { RMIRROR_AGENT_HOME: join(r.home, ".rmirror"), RMIRROR_AGENT_KEYCHAIN: "0", HOME: r.home }, "agent status page");
    expect(readFileSync(bin, "utf8")).toContain(MAIN); // the launcher stands for the program spawnMain runs
    const nb = writeNotebook(r.folder, { name: "Installed", pages: [{ sample: PAGE_SAMPLES[0]! }] });
    const token = readFileSync(join(r.home, ".rmirror/token"), "utf8").trim();
    const api = new ServerApi(server.url, token);
    await waitFor("the notebook on the server", async () => (await api.doc(nb.uuid))?.pages.length === 1);
    await agentIdle(agent.url);
    // It reported in: the user's computer, online, with a readable folder.
    const computers = await waitFor("the heartbeat", async () => {
      const html = await (await fetch(`${server.url}/devices/computers`, { headers: { cookie: browser.cookie } })).text();
      return html.includes('data-agent-status="online"') ? html : false;
    });
    expect(computers).toContain("found, readable");
    expect(userId).toBeGreaterThan(0);

    // A newer build on the server: `rmirror agent update` (run as the user would, through the
    // installed program) waits for the idle agent, replaces the program and restarts the unit.
    const newer = `${LAUNCHER}# build 2\n`;
    for (const p of ["linux-x64", "linux-arm64"]) writeFileSync(join(agentDir, `rmirror-${p}`), newer);
    try {
      const up = Bun.spawn([bin, "agent", "update", `--status-port=${new URL(agent.url).port}`], {
        env: { HOME: r.home, PATH: `${fakeBin}:/usr/local/bin:/usr/bin:/bin`, RMIRROR_AGENT_KEYCHAIN: "0", RMIRROR_AGENT_EXE: bin, FAKE_SYSTEMCTL_LOG: join(r.home, "..", "systemctl.log") },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, errText, code] = await Promise.all([new Response(up.stdout).text(), new Response(up.stderr).text(), up.exited]);
      expect({ code, errText }).toEqual({ code: 0, errText: "" });
      expect(out).toContain(`updated ${bin}`);
      expect(readFileSync(bin, "utf8")).toBe(newer);
      expect(readFileSync(join(r.home, "..", "systemctl.log"), "utf8").trim().split("\n").at(-1)).toBe("--user restart rmirror-agent.service");
      // The service manager restarts it: still syncing.
      await stop(agent);
      agent = await spawnMain(["agent", "--status-port", "0", "--debounce-ms", "100"], { RMIRROR_AGENT_HOME: join(r.home, ".rmirror"), RMIRROR_AGENT_KEYCHAIN: "0", HOME: r.home }, "agent status page");
      const nb2 = writeNotebook(r.folder, { name: "After the update", pages: [{ sample: PAGE_SAMPLES[1]! }] });
      await waitFor("a notebook after the update", async () => (await api.doc(nb2.uuid))?.pages.length === 1);
    } finally {
      for (const p of ["linux-x64", "linux-arm64"]) writeFileSync(join(agentDir, `rmirror-${p}`), LAUNCHER);
    }
  }, 180_000);
});
