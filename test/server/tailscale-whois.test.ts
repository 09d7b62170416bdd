// Tailscale mode with tailscaled's LocalAPI whois (issue 11, item 2): the login in
// Tailscale-User-Login must be the user tailscaled names for the client's address; a whois that
// disagrees, a tagged node or an address tailscaled does not know is refused; when tailscaled
// cannot be asked, the Host + loopback + allow-list rules apply (or nothing, with
// RMIRROR_TAILSCALE_WHOIS=require); whois-confirmed logins are provisioned only with
// RMIRROR_TAILSCALE_PROVISION=whois. Real servers on real ports, a fake tailscaled on a unix socket.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/schema.ts";
import { createLogger } from "../../src/log.ts";
import { startServer, type RunningServer } from "../../src/server/boot.ts";
import { authenticate, createUser, forwardedClient, type AuthInput } from "../../src/services/accounts/accounts.ts";
import { isTailnetAddress, LOCALAPI_HOST, TailscaleWhois } from "../../src/services/accounts/tailscale-whois.ts";
import { FakeTailscaled } from "../support/fake-tailscaled.ts";

const PUBLIC = "https://rmirror.tailnet.ts.net";
const HOST = "rmirror.tailnet.ts.net";
const ADMIN_IP = "100.101.1.1";
const MALLORY_IP = "100.101.2.2";
const TAGGED_IP = "100.101.3.3";
const STRANGER_IP = "100.101.4.4";
const ADMIN_V6 = "fd7a:115c:a1e0::1234:abcd";

function fakeTailnet(): FakeTailscaled {
  return new FakeTailscaled(
    new Map([
      [ADMIN_IP, { login: "Admin@Example.com", displayName: "Admin" }],
      [ADMIN_V6, { login: "admin@example.com" }],
      [MALLORY_IP, { login: "mallory@example.com" }],
      [TAGGED_IP, { login: "ignored", tags: ["tag:server"] }],
      [STRANGER_IP, { login: "stranger@example.com" }],
    ]),
  );
}

describe("the LocalAPI client", () => {
  let tsd: FakeTailscaled;
  beforeAll(() => (tsd = fakeTailnet()));
  afterAll(() => tsd.close());

  test("asks over the socket with tailscaled's Host and reads user, tagged and no-match answers", async () => {
    const whois = new TailscaleWhois({ socketPath: tsd.socketPath });
    expect(await whois.lookup(ADMIN_IP)).toMatchObject({ kind: "user", login: "Admin@Example.com", displayName: "Admin" });
    expect(await whois.lookup(`${ADMIN_IP}:443`)).toMatchObject({ kind: "user", login: "Admin@Example.com" });
    expect(await whois.lookup(TAGGED_IP)).toMatchObject({ kind: "tagged" });
    expect(await whois.lookup("100.99.99.99")).toEqual({ kind: "no-match" });
    expect(await whois.lookup("127.0.0.1")).toEqual({ kind: "no-match" });
    expect(tsd.asked.every((a) => a.host === LOCALAPI_HOST)).toBe(true);
  });

  test("answers are cached per address; a missing socket is 'unavailable', not a disagreement", async () => {
    let now = 1_000_000;
    const whois = new TailscaleWhois({ socketPath: tsd.socketPath, now: () => now });
    const before = tsd.asked.length;
    await whois.lookup(MALLORY_IP);
    await whois.lookup(MALLORY_IP);
    expect(tsd.asked.length).toBe(before + 1);
    now += 60_000;
    await whois.lookup(MALLORY_IP);
    expect(tsd.asked.length).toBe(before + 2);

    const missing = new TailscaleWhois({ socketPath: join(tsd.dir, "no-such.sock") });
    const answer = await missing.lookup(ADMIN_IP);
    expect(answer.kind).toBe("unavailable");
  });

  test("a tailscaled that does not answer in time is 'unavailable'", async () => {
    const release = tsd.hold();
    try {
      const whois = new TailscaleWhois({ socketPath: tsd.socketPath, timeoutMs: 50 });
      const answer = await whois.lookup(STRANGER_IP);
      expect(answer).toMatchObject({ kind: "unavailable" });
      expect((answer as { reason: string }).reason).toContain("timed out");
    } finally {
      release();
    }
  });

  test("tailnet address ranges and the X-Forwarded-For entry serve sets", () => {
    for (const ip of ["100.64.0.1", "100.127.255.254", "::ffff:100.100.1.1", "fd7a:115c:a1e0::1", "fd7a:115c:a1e0:ab12:4843:cd96:6258:b240"]) expect({ ip, tailnet: isTailnetAddress(ip) }).toEqual({ ip, tailnet: true });
    for (const ip of ["100.63.255.255", "100.128.0.1", "127.0.0.1", "192.168.1.2", "10.0.0.1", "fd7a:115c:a1e1::1", "::1", "garbage", ""]) expect({ ip, tailnet: isTailnetAddress(ip) }).toEqual({ ip, tailnet: false });
    expect(forwardedClient("100.101.1.1")).toBe("100.101.1.1");
    expect(forwardedClient("1.2.3.4, 100.101.1.1")).toBe("100.101.1.1");
    expect(forwardedClient("fd7a:115c:a1e0::1")).toBe("fd7a:115c:a1e0::1");
    expect(forwardedClient("100.101.1.1, not-an-ip")).toBeNull();
    expect(forwardedClient(null)).toBeNull();
  });
});

describe("configuration", () => {
  test("whois provisioning needs whois", () => {
    let err: unknown;
    try {
      loadConfig({ env: { RMIRROR_TAILSCALE_AUTH: "true", RMIRROR_PUBLIC_URL: PUBLIC, RMIRROR_TAILSCALE_PROVISION: "whois", RMIRROR_TAILSCALE_WHOIS: "off" } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join("\n")).toContain("RMIRROR_TAILSCALE_PROVISION=whois needs");
    const c = loadConfig({ env: { RMIRROR_TAILSCALE_AUTH: "true", RMIRROR_PUBLIC_URL: PUBLIC } });
    expect({ whois: c.tailscaleWhois, provision: c.tailscaleProvision, socket: c.tailscaleSocket }).toEqual({ whois: "auto", provision: "allowlist", socket: "/var/run/tailscale/tailscaled.sock" });
  });
});

describe("Tailscale mode with whois over real HTTP", () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  const fakes: FakeTailscaled[] = [];

  async function serve(overrides: Record<string, string | number | boolean>, logLines: string[] = []) {
    const dir = mkdtempSync(join(tmpdir(), "rmirror-tswho-"));
    dirs.push(dir);
    const srv = await startServer(
      loadConfig({ env: {}, overrides: { dataDir: dir, port: 0, logLevel: "silent", tailscaleAuth: true, publicUrl: PUBLIC, tailscaleUsers: "friend@example.com", tailscaleSocket: join(dir, "no-tailscaled.sock"), ...overrides } }),
      { log: createLogger("info", {}, (l) => logLines.push(l)), jobs: false },
    );
    servers.push(srv);
    await createUser(srv.ctx, "admin@example.com", null, true);
    return srv;
  }
  function fake() {
    const f = fakeTailnet();
    fakes.push(f);
    return f;
  }
  afterAll(async () => {
    for (const srv of servers) await srv.stop();
    for (const f of fakes) f.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** As `tailscale serve` sends it: the public Host, the login and the client's tailnet address in X-Forwarded-For. */
  const viaServe = (srv: RunningServer, login: string, client: string | null, host = HOST) =>
    fetch(`${srv.url}/api/v1/auth/me`, { headers: { host, "tailscale-user-login": login, ...(client ? { "x-forwarded-for": client } : {}) } });
  const logged = (lines: string[], text: string) => lines.filter((l) => l.includes(text)).length;

  test("whois agrees (case aside): signed in; tailscaled was asked about the X-Forwarded-For address", async () => {
    const tsd = fake();
    const s = await serve({ tailscaleSocket: tsd.socketPath });
    const res = await viaServe(s, "admin@example.com", ADMIN_IP);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ via: "tailscale", user: { email: "admin@example.com", isAdmin: true } });
    expect(tsd.asked.map((a) => a.addr)).toContain(ADMIN_IP);
    const settings = await fetch(`${s.url}/settings`, { headers: { host: HOST, "tailscale-user-login": "admin@example.com", "x-forwarded-for": ADMIN_IP } });
    expect(await settings.text()).toContain("whois answers (");
    // IPv6 tailnet addresses too.
    expect((await viaServe(s, "admin@example.com", ADMIN_V6)).status).toBe(200);
  });

  test("whois disagrees (header says admin, whois says mallory): 401, no account, logged once", async () => {
    const tsd = fake();
    const lines: string[] = [];
    const s = await serve({ tailscaleSocket: tsd.socketPath, tailscaleProvision: "whois" }, lines);
    const users = s.ctx.store.countUsers();
    for (let i = 0; i < 3; i++) expect((await viaServe(s, "admin@example.com", MALLORY_IP)).status).toBe(401);
    expect(s.ctx.store.userByEmail("mallory@example.com")).toBeNull();
    expect(s.ctx.store.countUsers()).toBe(users);
    expect(logged(lines, "disagrees with tailscaled's whois")).toBe(1);
    // The same forgery as the dashboard sees it: the login page, not the admin's library.
    const page = await fetch(`${s.url}/`, { headers: { host: HOST, "tailscale-user-login": "admin@example.com", "x-forwarded-for": MALLORY_IP }, redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toStartWith("/login");
  });

  test("a tagged node, an address tailscaled does not know, and no address at all are refused", async () => {
    const tsd = fake();
    const s = await serve({ tailscaleSocket: tsd.socketPath });
    expect((await viaServe(s, "admin@example.com", TAGGED_IP)).status).toBe(401);
    expect((await viaServe(s, "admin@example.com", "100.101.250.250")).status).toBe(401);
    // A local process talking to the port directly (no serve, no X-Forwarded-For): tailscaled is
    // asked about the loopback peer, which is nobody.
    expect((await viaServe(s, "admin@example.com", null)).status).toBe(401);
    expect((await viaServe(s, "admin@example.com", "not-an-address")).status).toBe(401);
  });

  test("a foreign Host is refused even when whois would agree", async () => {
    const tsd = fake();
    const s = await serve({ tailscaleSocket: tsd.socketPath });
    for (const host of ["evil.example", `127.0.0.1:${s.server.port}`, "localhost"]) {
      const res = await viaServe(s, "admin@example.com", ADMIN_IP, host);
      expect({ host, status: res.status }).toEqual({ host, status: 401 });
    }
  });

  test("tailscaled not available: the Host + loopback + allow-list rules apply, and the log says so once", async () => {
    const lines: string[] = [];
    const s = await serve({}, lines); // the socket does not exist
    expect((await viaServe(s, "admin@example.com", MALLORY_IP)).status).toBe(200);
    expect((await viaServe(s, "friend@example.com", null)).status).toBe(200);
    expect((await viaServe(s, "stranger@example.com", STRANGER_IP)).status).toBe(401);
    expect(s.ctx.store.userByEmail("stranger@example.com")).toBeNull();
    expect(logged(lines, "whois is not available")).toBe(1);
    // The admin's settings page says it too.
    const settings = await fetch(`${s.url}/settings`, { headers: { host: HOST, "tailscale-user-login": "admin@example.com" } });
    expect(settings.status).toBe(200);
    expect(await settings.text()).toContain("whois is not available");
  });

  test("tailscaled stops, then answers again: fallback meanwhile, whois again after", async () => {
    const tsd = fake();
    const lines: string[] = [];
    const s = await serve({ tailscaleSocket: tsd.socketPath }, lines);
    tsd.down();
    expect((await viaServe(s, "admin@example.com", "100.101.9.1")).status).toBe(200);
    tsd.up();
    expect((await viaServe(s, "admin@example.com", "100.101.9.2")).status).toBe(401); // no such node
    expect(logged(lines, "whois is not available")).toBe(1);
    expect(logged(lines, "whois answers again")).toBe(1);
  });

  test("RMIRROR_TAILSCALE_WHOIS=require: no tailscaled, no sign-in", async () => {
    const lines: string[] = [];
    const s = await serve({ tailscaleWhois: "require" }, lines);
    expect((await viaServe(s, "admin@example.com", ADMIN_IP)).status).toBe(401);
    expect((await viaServe(s, "friend@example.com", null)).status).toBe(401);
    expect(s.ctx.store.userByEmail("friend@example.com")).toBeNull();
    expect(logged(lines, "refused until it answers")).toBe(1);
    // With tailscaled there, require behaves like auto.
    const tsd = fake();
    const r = await serve({ tailscaleWhois: "require", tailscaleSocket: tsd.socketPath });
    expect((await viaServe(r, "admin@example.com", ADMIN_IP)).status).toBe(200);
  });

  test("RMIRROR_TAILSCALE_WHOIS=off never asks (today's rules)", async () => {
    const tsd = fake();
    const s = await serve({ tailscaleWhois: "off", tailscaleSocket: tsd.socketPath });
    expect((await viaServe(s, "admin@example.com", MALLORY_IP)).status).toBe(200);
    expect(tsd.asked.length).toBe(0);
  });

  test("a whois-confirmed login off the allow-list gets an account only with RMIRROR_TAILSCALE_PROVISION=whois", async () => {
    const tsd = fake();
    const byList = await serve({ tailscaleSocket: tsd.socketPath });
    expect((await viaServe(byList, "stranger@example.com", STRANGER_IP)).status).toBe(401);
    expect(byList.ctx.store.userByEmail("stranger@example.com")).toBeNull();
    // The allow-list still works with whois confirming.
    tsd.nodes.set("100.101.5.5", { login: "friend@example.com" });
    expect((await viaServe(byList, "friend@example.com", "100.101.5.5")).status).toBe(200);

    const byWhois = await serve({ tailscaleSocket: tsd.socketPath, tailscaleProvision: "whois" });
    const res = await viaServe(byWhois, "stranger@example.com", STRANGER_IP);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ via: "tailscale", user: { email: "stranger@example.com", isAdmin: false } });
    expect(byWhois.ctx.store.userByEmail("stranger@example.com")?.provisioned_by).toBe("tailscale");

    // Without tailscaled, "whois" provisioning creates nothing from a bare header.
    const noTsd = await serve({ tailscaleProvision: "whois" });
    expect((await viaServe(noTsd, "stranger@example.com", STRANGER_IP)).status).toBe(401);
    expect(noTsd.ctx.store.userByEmail("stranger@example.com")).toBeNull();
  });

  test("a peer on a tailnet address (rmirror bound on the tailnet interface) is whoever whois says", async () => {
    const tsd = fake();
    const s = await serve({ tailscaleSocket: tsd.socketPath });
    const input = (peerIp: string, login: string | null, host = HOST): AuthInput => ({
      method: "GET",
      authorization: null,
      sessionCookie: null,
      csrfHeader: null,
      tailscaleLogin: login,
      host,
      peerIp,
      forwardedFor: MALLORY_IP, // a tailnet peer's own X-Forwarded-For is never believed
    });
    expect((await authenticate(s.ctx, input(ADMIN_IP, null)))?.user.email).toBe("admin@example.com");
    expect((await authenticate(s.ctx, input(`::ffff:${ADMIN_IP}`, null)))?.user.email).toBe("admin@example.com");
    expect((await authenticate(s.ctx, input(ADMIN_V6, "admin@example.com")))?.via).toBe("tailscale");
    // The client's own header must agree with whois; tagged and unknown nodes are nobody.
    expect(await authenticate(s.ctx, input(MALLORY_IP, "admin@example.com"))).toBeNull();
    expect(await authenticate(s.ctx, input(TAGGED_IP, null))).toBeNull();
    expect(await authenticate(s.ctx, input("100.101.250.250", "admin@example.com"))).toBeNull();
    expect(await authenticate(s.ctx, input(ADMIN_IP, null, "evil.example"))).toBeNull();
    // A peer that is neither loopback nor on the tailnet: never, whatever it sends.
    expect(await authenticate(s.ctx, input("192.168.1.20", "admin@example.com"))).toBeNull();
    expect(await authenticate(s.ctx, { ...input("192.168.1.20", "admin@example.com"), forwardedFor: ADMIN_IP })).toBeNull();
    // Without tailscaled, a tailnet peer has no trusted header to fall back on.
    tsd.down();
    const cold = await serve({ tailscaleSocket: tsd.socketPath });
    expect(await authenticate(cold.ctx, input(ADMIN_IP, "admin@example.com"))).toBeNull();
  });
});
