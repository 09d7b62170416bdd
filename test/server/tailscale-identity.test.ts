// Tailscale trusted-header mode (issue 11, items 2 and 16): the header counts only from a loopback
// peer, for the configured public host, and creates accounts only for allow-listed logins;
// RFC 2047-encoded logins are decoded. Real servers on real ports. (tailscaled's whois is off here,
// so a tailscaled on the test machine changes nothing: tailscale-whois.test.ts covers whois.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/schema.ts";
import { silentLogger } from "../../src/log.ts";
import { decodeRfc2047 } from "../../src/server/auth/rfc2047.ts";
import { startServer, type RunningServer } from "../../src/server/boot.ts";
import { createUser } from "../../src/services/accounts/accounts.ts";

const PUBLIC = "https://rmirror.tailnet.ts.net";
const HOST = "rmirror.tailnet.ts.net";

describe("RFC 2047 decoding of Tailscale-User-Name / -Login", () => {
  test("Q and B encodings, several words, mixed text", () => {
    expect(decodeRfc2047("=?utf-8?q?J=C3=B6rg_M=C3=BCller?=")).toBe("Jörg Müller");
    expect(decodeRfc2047("=?UTF-8?Q?j=C3=B6rg@example.com?=")).toBe("jörg@example.com");
    expect(decodeRfc2047("=?utf-8?b?SsO2cmcgTcO8bGxlcg==?=")).toBe("Jörg Müller");
    expect(decodeRfc2047("=?utf-8?B?5bGx55Sw?=")).toBe("山田");
    // Go's mime.QEncoding splits long values into words separated by a space: the space goes.
    expect(decodeRfc2047("=?utf-8?q?=E5=B1=B1?= =?utf-8?q?=E7=94=B0_=E5=A4=AA=E9=83=8E?=")).toBe("山田 太郎");
    expect(decodeRfc2047("Dr. =?utf-8?q?J=C3=B6rg?= (home)")).toBe("Dr. Jörg (home)");
    expect(decodeRfc2047("=?iso-8859-1?q?J=F6rg?=")).toBe("Jörg");
    expect(decodeRfc2047("=?utf-8*de?q?J=C3=B6rg?=")).toBe("Jörg");
    expect(decodeRfc2047("plain.user@example.com")).toBe("plain.user@example.com");
    expect(decodeRfc2047("")).toBe("");
  });

  test("malformed encoded-words give null, never garbage", () => {
    expect(decodeRfc2047("=?utf-8?q?J=C3?=")).toBeNull(); // truncated UTF-8
    expect(decodeRfc2047("=?utf-8?q?J=ZZrg?=")).toBeNull(); // bad hex
    expect(decodeRfc2047("=?utf-8?q?J=C?=")).toBeNull(); // short escape
    expect(decodeRfc2047("=?utf-8?b?SsO2cmc?=")).toBeNull(); // base64 without padding
    expect(decodeRfc2047("=?utf-8?b?!!!!?=")).toBeNull();
    expect(decodeRfc2047("=?utf-8?x?abc?=")).toBeNull(); // unknown encoding
    expect(decodeRfc2047("=?no-such-charset?q?abc?=")).toBeNull();
  });
});

describe("configuration", () => {
  test("Tailscale mode refuses to start without RMIRROR_PUBLIC_URL, and checks the allow-list", () => {
    let err: unknown;
    try {
      loadConfig({ env: { RMIRROR_TAILSCALE_AUTH: "true", RMIRROR_TAILSCALE_USERS: "ok@example.com, not-a-login, *@example.org" } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join("\n");
    expect(problems).toContain("RMIRROR_TAILSCALE_AUTH=true needs RMIRROR_PUBLIC_URL");
    expect(problems).toContain('"not-a-login"');
    expect(problems).not.toContain("example.org");
    expect(loadConfig({ env: { RMIRROR_TAILSCALE_AUTH: "true", RMIRROR_PUBLIC_URL: PUBLIC } }).tailscaleAuth).toBe(true);
  });
});

describe("trusted header over real HTTP", () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  let s: RunningServer;

  async function serve(overrides: Record<string, string | number | boolean>) {
    const dir = mkdtempSync(join(tmpdir(), "rmirror-tsid-"));
    dirs.push(dir);
    const srv = await startServer(loadConfig({ env: {}, overrides: { dataDir: dir, port: 0, logLevel: "silent", tailscaleAuth: true, publicUrl: PUBLIC, tailscaleWhois: "off", ...overrides } }), {
      log: silentLogger,
      jobs: false,
    });
    servers.push(srv);
    return srv;
  }

  beforeAll(async () => {
    s = await serve({ tailscaleUsers: "friend@example.com, *@family.example, jörg@example.com" });
    await createUser(s.ctx, "admin@example.com", "correct horse", true);
  });
  afterAll(async () => {
    for (const srv of servers) await srv.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const me = (srv: RunningServer, headers: Record<string, string>, base = srv.url) => fetch(`${base}/api/v1/auth/me`, { headers });

  test("the public host from loopback is the admin; a foreign Host (DNS rebinding, a local process) is nobody", async () => {
    const ok = await me(s, { host: HOST, "tailscale-user-login": "admin@example.com" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ via: "tailscale", user: { email: "admin@example.com", isAdmin: true } });
    // Case and an explicit default port do not matter.
    expect((await me(s, { host: "RMirror.Tailnet.TS.net:443", "tailscale-user-login": "admin@example.com" })).status).toBe(200);
    for (const host of ["evil.example", `127.0.0.1:${s.server.port}`, "localhost", `${HOST}:8080`, `${HOST}.evil.example`, `evil@${HOST}`, "rmirror"]) {
      const res = await me(s, { host, "tailscale-user-login": "admin@example.com" });
      // 401, or 400 for a Host that is not a host name at all.
      expect({ host, refused: res.status === 401 || res.status === 400 }).toEqual({ host, refused: true });
    }
  });

  test("a forged header for an unknown login provisions nothing", async () => {
    const before = s.ctx.store.countUsers();
    const res = await me(s, { host: HOST, "tailscale-user-login": "stranger@example.com" });
    expect(res.status).toBe(401);
    expect(s.ctx.store.userByEmail("stranger@example.com")).toBeNull();
    // Not even a malformed or control-character login.
    expect((await me(s, { host: HOST, "tailscale-user-login": "=?utf-8?q?admin=00@example.com?=" })).status).toBe(401);
    expect((await me(s, { host: HOST, "tailscale-user-login": "=?utf-8?q?adm=ZZ?=" })).status).toBe(401);
    expect(s.ctx.store.countUsers()).toBe(before);
  });

  test("allow-listed logins (exact, *@domain, RFC 2047-encoded) are provisioned as ordinary users", async () => {
    const friend = await me(s, { host: HOST, "tailscale-user-login": "Friend@Example.com" });
    expect(friend.status).toBe(200);
    expect(await friend.json()).toMatchObject({ via: "tailscale", user: { email: "friend@example.com", isAdmin: false } });
    const kid = await me(s, { host: HOST, "tailscale-user-login": "kid@family.example" });
    expect(kid.status).toBe(200);
    expect((await kid.json()).user.email).toBe("kid@family.example");
    expect((await me(s, { host: HOST, "tailscale-user-login": "kid@evilfamily.example" })).status).toBe(401);
    const jorg = await me(s, { host: HOST, "tailscale-user-login": "=?utf-8?q?j=C3=B6rg@example.com?=" });
    expect(jorg.status).toBe(200);
    expect((await jorg.json()).user.email).toBe("jörg@example.com");
    expect(s.ctx.store.userByEmail("jörg@example.com")?.provisioned_by).toBe("tailscale");
  });

  test("a non-loopback peer is never trusted, even with the right Host", async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (!address) {
      console.warn("skipped: this machine has no non-loopback IPv4 address to connect from");
      return;
    }
    const wide = await serve({ host: "0.0.0.0" });
    await createUser(wide.ctx, "admin@example.com", null, true);
    const base = `http://${address}:${wide.server.port}`;
    const res = await me(wide, { host: HOST, "tailscale-user-login": "admin@example.com" }, base);
    expect(res.status).toBe(401);
    // The same request over loopback is let in: the peer address alone made the difference.
    expect((await me(wide, { host: HOST, "tailscale-user-login": "admin@example.com" }, `http://127.0.0.1:${wide.server.port}`)).status).toBe(200);
  });
});
