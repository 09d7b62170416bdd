// Issue 15 item 2 (server side): the one-time install code. Minted by a dashboard POST with the
// CSRF token, shown inside the one-line install commands; 15 minutes, single use, bound to the
// user who minted it, only its hash stored; the agent exchanges it for a device token through
// POST /api/v1/install-codes/redeem. The scripts are served without login, parameterised with
// this server and the code (PowerShell cannot be run here: its text is checked statically).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { INSTALL_CODE_TTL_MS, mintInstallCode, redeemInstallCode } from "../../src/services/accounts/install-codes.ts";
import { installCommands, installPs1, installSh } from "../../src/services/agent/install-script.ts";
import { call, harness, json, addUser, type Harness, type TestUser } from "../support/server-harness.ts";
import { req, session, type Browser } from "../dashboard/support.ts";

let h: Harness;
let alice: TestUser;
let bob: TestUser;
let A: Browser;
beforeAll(async () => {
  h = await harness();
  alice = await addUser(h, "alice@example.com");
  bob = await addUser(h, "bob@example.com");
  A = session(h, alice);
});
afterAll(() => h.close());

const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16))).replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

/** The install commands the Devices page shows after "Make install command". */
async function mintThroughDashboard(b: Browser): Promise<{ sh: string; ps1: string; code: string }> {
  const res = await req(h, b, "POST", "/devices/install", { htmx: true });
  expect(res.status).toBe(201);
  const html = await res.text();
  const sh = unescape(/<code id="install-sh"[^>]*>([^<]*)<\/code>/.exec(html)![1]!.trim());
  const ps1 = unescape(/<code id="install-ps1"[^>]*>([^<]*)<\/code>/.exec(html)![1]!.trim());
  const code = /code=(rmi_[A-Za-z0-9_-]+)/.exec(sh)![1]!;
  return { sh, ps1, code };
}

describe("install codes", () => {
  test("the Devices page offers 'Connect a computer' with the Full Disk Access path; minting needs the CSRF token", async () => {
    const page = await (await req(h, A, "GET", "/devices")).text();
    expect(page).toContain("Connect a computer");
    expect(page).toContain('hx-post="/devices/install"');
    expect(page).toContain("Full Disk Access");
    expect(page).toContain("~/Applications/rmirror/rmirror");
    expect((await req(h, A, "POST", "/devices/install", { htmx: true, csrf: false })).status).toBe(403);
    expect((await req(h, null, "POST", "/devices/install", { htmx: true })).status).toBe(401);
  });

  test("the dashboard's commands embed a fresh code; the agent's exchange gives a token of the minting user, once", async () => {
    const { sh, ps1, code } = await mintThroughDashboard(A);
    expect(sh).toBe(`curl -fsSL 'http://localhost/install.sh?code=${code}' | sh`);
    expect(ps1).toContain(`irm 'http://localhost/install.ps1?code=${code}' | iex`);
    expect(ps1).toStartWith("powershell -NoProfile -ExecutionPolicy Bypass -Command");
    // Only the hash is stored.
    const rows = h.ctx.store.db.query("SELECT * FROM install_codes").all() as Record<string, unknown>[];
    expect(rows.length).toBe(1);
    expect(JSON.stringify(rows)).not.toContain(code);
    expect(rows[0]!.user_id).toBe(alice.id);

    const r = await call(h, "POST", "/api/v1/install-codes/redeem", { json: { code, deviceName: "Alice's Mac" } });
    expect(r.status).toBe(200);
    const got = await json(r);
    expect(got.deviceName).toBe("Alice's Mac");
    const me = await json(await call(h, "GET", "/api/v1/auth/me", { token: got.token }));
    expect(me.user.email).toBe("alice@example.com");
    // Single use: the same code again is refused, and creates no second token.
    const again = await call(h, "POST", "/api/v1/install-codes/redeem", { json: { code, deviceName: "Thief" } });
    expect(again.status).toBe(404);
    expect((await json(again)).error.code).toBe("install_code_invalid");
    expect(h.ctx.store.deviceTokensByUser(alice.id).map((t) => t.name)).toEqual(["test device", "Alice's Mac"]);
  });

  test("a code expires after 15 minutes; one user's code never yields another user's token", () => {
    const t0 = Date.now();
    const old = mintInstallCode(h.ctx, bob.id, t0);
    expect(Date.parse(old.expiresAt) - t0).toBe(INSTALL_CODE_TTL_MS);
    expect(() => redeemInstallCode(h.ctx, old.code, "late", "10.0.0.1", t0 + INSTALL_CODE_TTL_MS)).toThrow(/unknown, already used or expired/);
    const fresh = mintInstallCode(h.ctx, bob.id, t0);
    const r = redeemInstallCode(h.ctx, fresh.code, "Bob's PC", "10.0.0.1", t0 + INSTALL_CODE_TTL_MS - 1);
    expect(h.ctx.store.deviceTokenById(bob.id, r.tokenId)?.name).toBe("Bob's PC");
    expect(h.ctx.store.deviceTokenById(alice.id, r.tokenId)).toBeFalsy();
  });

  test("guessing is rate limited per client address", () => {
    let limited = false;
    for (let i = 0; i < 40 && !limited; i++) {
      try {
        redeemInstallCode(h.ctx, `rmi_${"x".repeat(30)}${i}`, "guess", "10.9.9.9");
      } catch (e) {
        if ((e as { code?: string }).code === "rate_limited") limited = true;
      }
    }
    expect(limited).toBe(true);
  });
});

describe("install scripts", () => {
  test("served without login, for this server, with the code embedded; a malformed code is refused", async () => {
    const code = mintInstallCode(h.ctx, alice.id).code;
    const sh = await call(h, "GET", `/install.sh?code=${code}`);
    expect(sh.status).toBe(200);
    expect(sh.headers.get("content-type")).toStartWith("text/x-shellscript");
    const text = await sh.text();
    expect(text).toStartWith("#!/bin/sh\n");
    expect(text).toContain(`SERVER='http://localhost'\n`);
    expect(text).toContain(`CODE='${code}'\n`);
    const ps = await (await call(h, "GET", `/install.ps1?code=${code}`)).text();
    expect(ps).toContain(`$Server = 'http://localhost'\n`);
    expect(ps).toContain(`$Code = '${code}'\n`);
    const bare = await (await call(h, "GET", "/install.sh")).text();
    expect(bare).toContain("CODE=''\n");
    const bad = await call(h, "GET", `/install.sh?code=${encodeURIComponent("x'; rm -rf ~; '")}`);
    expect(bad.status).toBe(404);
  });

  test("a hostile server URL cannot break out of the quoting (sh and PowerShell)", () => {
    const evil = "https://x.example/'$(touch /tmp/pwn)`id`\"; Remove-Item C:\\ ;'";
    const sh = installSh(evil, null);
    expect(sh).toContain(`SERVER='https://x.example/'\\''$(touch /tmp/pwn)\`id\`"; Remove-Item C:\\ ;'\\'''\n`);
    const ps = installPs1(evil, null);
    expect(ps).toContain(`$Server = 'https://x.example/''$(touch /tmp/pwn)\`id\`"; Remove-Item C:\\ ;'''\n`);
    const cmd = installCommands(evil, "rmi_abcdefghijklmnopqrstuvwxyz");
    expect(cmd.sh).toStartWith(`curl -fsSL 'https://x.example/'\\''`);
  });

  test("PowerShell (no pwsh here): statically sane — balanced brackets and quotes, every variable assigned before use, the documented cmdlets", () => {
    const ps = installPs1("https://rm.example", "rmi_abcdefghijklmnopqrstuvwxyz");
    // Strip comments and strings (single-quoted: '' escapes; double-quoted: `-escapes), counting brackets outside them.
    const stack: string[] = [];
    const pairs: Record<string, string> = { ")": "(", "}": "{", "]": "[" };
    let i = 0;
    while (i < ps.length) {
      const c = ps[i]!;
      if (c === "#" && (i === 0 || /\s/.test(ps[i - 1]!))) {
        while (i < ps.length && ps[i] !== "\n") i++;
        continue;
      }
      if (c === "'") {
        i++;
        while (i < ps.length && !(ps[i] === "'" && ps[i + 1] !== "'")) i += ps[i] === "'" ? 2 : 1;
        expect(i).toBeLessThan(ps.length); // closed
        i++;
        continue;
      }
      if (c === '"') {
        i++;
        while (i < ps.length && ps[i] !== '"') i += ps[i] === "`" ? 2 : 1;
        expect(i).toBeLessThan(ps.length);
        i++;
        continue;
      }
      if ("({[".includes(c)) stack.push(c);
      if (")}]".includes(c)) expect(stack.pop()).toBe(pairs[c]!);
      i++;
    }
    expect(stack).toEqual([]);
    const automatic = new Set(["ErrorActionPreference", "ProgressPreference", "args", "env", "PID", "LASTEXITCODE", "null"]);
    const assigned = new Set<string>();
    for (const line of ps.split("\n")) {
      for (const m of line.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
        const name = m[1]!;
        if (automatic.has(name) || assigned.has(name)) continue;
        if (new RegExp(`^\\s*\\$${name}\\s*=`).test(line)) assigned.add(name);
        else throw new Error(`$${name} used before it is assigned: ${line}`);
      }
    }
    for (const cmdlet of ["Invoke-WebRequest", "Invoke-RestMethod", "Get-FileHash -Algorithm SHA256", "Move-Item -Force", "Unblock-File", "agent login --server $Server --install-code $Code", "agent install"]) expect(ps).toContain(cmdlet);
  });
});
