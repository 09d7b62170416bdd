// `rmirror agent login` against a real server (pairing approved through the API), the stored
// token then used by a real `rmirror agent`; `agent status`, `install`/`uninstall` (files only);
// the local status page refuses foreign Host/Origin and requests without the CSRF token.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSamples } from "../support/samples.ts";
import { agentIdle, MAIN, prepareServer, ServerApi, spawnMain, startServer, stop, waitFor, writeNotebook, PAGE_SAMPLES, type Child } from "./harness.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-agent-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function runCli(args: string[], env: Record<string, string> = {}) {
  const p = Bun.spawn([process.execPath, MAIN, "agent", ...args], { env: { ...process.env, RMIRROR_AGENT_KEYCHAIN: "0", ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { stdout, stderr, code };
}

describeSamples("agent login, then sync with the stored token", () => {
  const data = join(tmp, "data");
  const home = join(tmp, "home");
  const folder = join(tmp, "desktop");
  let server: Child;
  let agent: Child | undefined;
  let admin: string;

  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    admin = await prepareServer(data);
    server = await startServer(data);
  });
  afterAll(async () => {
    await stop(agent);
    await stop(server);
  });

  test("pairing: the printed code is approved in the account, the token lands in a 0600 file, the agent syncs with it", async () => {
    const p = Bun.spawn([process.execPath, MAIN, "agent", "login", "--server", server.url, "--home", home, "--name", "Test Mac", "--folder", folder], {
      env: { ...process.env, RMIRROR_AGENT_KEYCHAIN: "0", RMIRROR_AGENT_PAIR_POLL_MS: "50" },
      stdout: "pipe",
      stderr: "pipe",
    });
    let text = "";
    const reader = (p.stdout as ReadableStream<Uint8Array>).getReader();
    const code = await waitFor("pairing code", async () => {
      const { value } = await reader.read();
      if (value) text += new TextDecoder().decode(value);
      return /approve code (\S+)\./.exec(text)?.[1];
    });
    const approve = await fetch(`${server.url}/api/v1/pairing/${code}/approve`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
    expect(approve.status).toBe(200);
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(await p.exited).toBe(0);
    expect(text + rest).toContain('paired as "Test Mac"');
    expect(statSync(join(home, "token")).mode & 0o777).toBe(0o600);
    const cfg = JSON.parse(readFileSync(join(home, "config"), "utf8"));
    expect(cfg).toMatchObject({ server: server.url, folder });

    // No --server/--token/--folder: everything comes from <home>.
    agent = await spawnMain(["agent", "--home", home, "--status-port", "0", "--debounce-ms", "100"], { RMIRROR_AGENT_KEYCHAIN: "0" }, "agent status page");
    const nb = writeNotebook(folder, { name: "Paired", pages: [{ sample: PAGE_SAMPLES[0]! }] });
    const token = readFileSync(join(home, "token"), "utf8").trim();
    const api = new ServerApi(server.url, token);
    await waitFor("document via the paired token", async () => (await api.doc(nb.uuid))?.pages.length === 1);
    await agentIdle(agent.url);

    const st = await runCli(["status", "--home", home, "--status-port", String(new URL(agent.url).port)]);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain("token:     stored (file)");
    expect(st.stdout).toMatch(/running:   yes .* online, 0 queued, 0 parked, 1 synced/);
  });

  test("a token made in the dashboard: RMIRROR_TOKEN=… agent login --server keeps it once the server accepts it; a refused one keeps nothing", async () => {
    const home2 = join(tmp, "home-token");
    const bad = await runCli(["login", "--server", server.url, "--home", home2], { RMIRROR_TOKEN: "rmt_not-a-real-token" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("refused");
    expect(bad.stderr).not.toContain("rmt_not-a-real-token");
    expect(existsSync(join(home2, "token"))).toBe(false);
    const ok = await runCli(["login", "--server", server.url, "--home", home2, "--folder", folder], { RMIRROR_TOKEN: admin });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("signed in as");
    expect(ok.stdout).not.toContain(admin);
    expect(readFileSync(join(home2, "token"), "utf8").trim()).toBe(admin);
    expect(statSync(join(home2, "token")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(home2, "config"), "utf8"))).toMatchObject({ server: server.url, folder });
  });
});

describe("status page security", () => {
  let agent: Child;
  const home = join(tmp, "sec-home");
  const folder = join(tmp, "sec-desktop");
  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    // No server behind it: the page must still answer (connection shows offline).
    agent = await spawnMain(["agent", "--folder", folder, "--home", home, "--server", "http://127.0.0.1:9", "--token", "rmt_x", "--status-port", "0", "--debounce-ms", "50"], { RMIRROR_AGENT_BACKOFF_BASE_MS: "50", RMIRROR_AGENT_BACKOFF_CAP_MS: "200" }, "agent status page");
  });
  afterAll(() => stop(agent));

  test("GET / renders escaped HTML with a CSRF token in every form", async () => {
    const r = await fetch(agent.url + "/");
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("rmirror agent");
    const forms = html.match(/<form/g)!.length;
    expect(html.match(/name="csrf" value="[0-9a-f]{64}"/g)!.length).toBe(forms);
    expect(r.headers.get("x-frame-options")).toBe("DENY");
  });

  test("htmx is served from the binary; the live panel is a fragment that polls itself", async () => {
    const js = await fetch(agent.url + "/htmx.min.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toStartWith("text/javascript");
    expect(await js.text()).toContain('version:"2.0.11"');
    const page = await (await fetch(agent.url + "/")).text();
    expect(page).toContain('<script src="/htmx.min.js" defer></script>');
    expect(page).toContain('hx-boost="true"');
    const r = await fetch(agent.url + "/panel", { headers: { "hx-request": "true" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
    const panel = await r.text();
    expect(panel).toStartWith('<div id="live" hx-get="/panel" hx-trigger="every 3s" hx-swap="outerHTML">');
    expect(panel).not.toContain("<html");
    expect(panel).toContain("OCR quota");
    expect(panel.match(/<form/g)!.length).toBe(panel.match(/name="csrf" value="[0-9a-f]{64}"/g)!.length);
  });

  test("outside data (a document name) is escaped", async () => {
    writeNotebook(folder, { name: "<script>alert(1)</script>", pages: [{ sample: null }] });
    const html = await waitFor("the waiting document on the page", async () => {
      const h = await (await fetch(agent.url + "/")).text();
      return h.includes("alert(1)") ? h : false;
    });
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
  });

  test("foreign Host (DNS rebinding) and foreign Origin are refused", async () => {
    const port = new URL(agent.url).port;
    // fetch() sets Host from the URL; a raw request sets any Host.
    const raw = async (head: string) => {
      const sock = await Bun.connect({ hostname: "127.0.0.1", port: Number(port), socket: { data(s, d) { (s.data as any).buf += d.toString(); }, open(s) { s.data = { buf: "" } as any; } } });
      sock.write(head);
      await Bun.sleep(150);
      const out = (sock.data as any).buf as string;
      sock.end();
      return out;
    };
    expect(await raw(`GET /api/status HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`)).toStartWith("HTTP/1.1 403");
    const evil = await fetch(agent.url + "/pause", { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" }, body: "csrf=x" });
    expect(evil.status).toBe(403);
    const site = await fetch(agent.url + "/api/status", { headers: { "sec-fetch-site": "cross-site" } });
    expect(site.status).toBe(403);
  });

  test("POST without the right CSRF token is refused; with it, pause/resume work", async () => {
    const bad = await fetch(agent.url + "/pause", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "csrf=wrong" });
    expect(bad.status).toBe(403);
    const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(await (await fetch(agent.url + "/")).text())![1]!;
    const ok = await fetch(agent.url + "/pause", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: agent.url }, body: `csrf=${csrf}`, redirect: "manual" });
    expect(ok.status).toBe(303);
    expect((await (await fetch(agent.url + "/api/status")).json()).paused).toBe(true);
    await fetch(agent.url + "/resume", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `csrf=${csrf}`, redirect: "manual" });
    expect((await (await fetch(agent.url + "/api/status")).json()).paused).toBe(false);
  });
});

describe("agent CLI chores", () => {
  test("a missing folder gets a clear message and exit 1", async () => {
    const r = await runCli(["--folder", join(tmp, "nowhere"), "--home", join(tmp, "h1"), "--server", "http://127.0.0.1:9", "--token", "t"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("source folder not found");
  });

  test("not paired: says how to pair", async () => {
    mkdirSync(join(tmp, "f2"), { recursive: true });
    const r = await runCli(["--folder", join(tmp, "f2"), "--home", join(tmp, "h2"), "--server", "http://127.0.0.1:9"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("rmirror agent login --server http://127.0.0.1:9");
  });

  test("install writes the autostart file (loader skipped), status shows it, uninstall removes it", async () => {
    const home = join(tmp, "h3");
    const fakeHome = join(tmp, "userhome");
    mkdirSync(join(tmp, "f3"), { recursive: true });
    const env = { HOME: fakeHome, XDG_CONFIG_HOME: join(fakeHome, ".config"), RMIRROR_AGENT_NO_LOAD: "1" };
    const refused = await runCli(["install", "--home", home, "--server", "http://h:8080", "--folder", join(tmp, "f3")], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pair first");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "token"), "rmt_x\n", { mode: 0o600 });
    const i = await runCli(["install", "--home", home, "--server", "http://h:8080", "--folder", join(tmp, "f3")], env);
    expect(i.code).toBe(0);
    expect(i.stdout).toContain("(skipped) systemctl --user enable --now rmirror-agent.service");
    const unit = join(fakeHome, ".config/systemd/user/rmirror-agent.service");
    expect(readFileSync(unit, "utf8")).toContain(`Environment="RMIRROR_AGENT_HOME=${home}"`);
    expect(JSON.parse(readFileSync(join(home, "config"), "utf8"))).toMatchObject({ server: "http://h:8080", folder: join(tmp, "f3") });
    const s = await runCli(["status", "--home", home, "--status-port=-1"], env);
    expect(s.stdout).toContain(`autostart: installed (systemd: ${unit})`);
    const u = await runCli(["uninstall", "--home", home], env);
    expect(u.code).toBe(0);
    expect(existsSync(unit)).toBe(false);
  });
});
