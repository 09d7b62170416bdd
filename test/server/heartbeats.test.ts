// Issue 15 item 3 (server side): agents' heartbeats. POST /api/v1/agent/heartbeat with the device
// token; the Devices page lists each computer online/offline with version, platform, folder,
// queue, last sync and last error (an old version is marked); a stopping agent is offline at
// once, a silent one after three missed beats; the library warns when no computer has been
// caught up for a day.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OFFLINE_AFTER_MS, STALE_AFTER_MS, listComputers, staleSync } from "../../src/services/agent/heartbeats.ts";
import { VERSION } from "../../src/version.ts";
import { addUser, call, harness, json, type Harness, type TestUser } from "../support/server-harness.ts";
import { req, session, XSS_SCRIPT, expectEscaped, type Browser } from "../dashboard/support.ts";

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

const beat = (token: string, body: Record<string, unknown>) =>
  call(h, "POST", "/api/v1/agent/heartbeat", { token, json: { version: VERSION, platform: "darwin-arm64", folder: "ok", queue: 0, lastSyncAt: null, lastError: null, ...body } });

function row(html: string, name: string): string {
  const i = html.indexOf(`<td>${name}</td>`);
  expect(i).toBeGreaterThan(-1);
  return html.slice(html.lastIndexOf("<tr", i), html.indexOf("</tr>", i));
}

describe("heartbeats", () => {
  test("a heartbeat shows the computer online on Devices with what it reported; the answer carries the server's version", async () => {
    const res = await beat(alice.token, { queue: 3, lastSyncAt: "2026-12-01T10:00:00.000Z", lastError: `disk said ${XSS_SCRIPT}` });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true, serverVersion: VERSION, settings: { mode: "exclude", items: [], initialPages: null, updatedAt: null } });
    const html = await (await req(h, A, "GET", "/devices")).text();
    const r = row(html, "test device");
    expect(r).toContain('data-agent-status="online"');
    expect(r).toContain(`${VERSION} · darwin-arm64`);
    expect(r).toContain("found, readable");
    expect(r).toContain("<td>3</td>");
    expect(r).toContain("2026-12-01 10:00 UTC");
    expectEscaped(r, XSS_SCRIPT, expect);
    expect(r).toContain('data-outdated="0"');
    // Bob sees none of Alice's computers.
    expect(listComputers(h.ctx, bob.id)).toEqual([]);
    // The htmx refresh answers the same table.
    const frag = await (await req(h, A, "GET", "/devices/computers", { htmx: true })).text();
    expect(frag).toStartWith('<div id="computers" hx-get="/devices/computers" hx-trigger="every 15s"');
    expect(frag).toContain('data-agent-status="online"');
  });

  test("only an agent's device token may report; bad fields are refused", async () => {
    const viaSession = await h.app.handle(
      new Request("http://localhost/api/v1/agent/heartbeat", { method: "POST", headers: { cookie: A.cookie, "x-csrf-token": A.csrf, "content-type": "application/json" }, body: JSON.stringify({ version: "1", platform: "x", folder: "ok", queue: 0 }) }),
    );
    expect(viaSession.status).toBe(403);
    expect((await call(h, "POST", "/api/v1/agent/heartbeat", { json: { version: "1", platform: "x", folder: "ok", queue: 0 } })).status).toBe(401);
    expect((await beat(alice.token, { folder: "sideways" })).status).toBe(400);
    expect((await beat(alice.token, { queue: -1 })).status).toBe(400);
  });

  test("a stopping agent is offline at once; a silent one after three missed beats; a revoked one is not listed", async () => {
    await beat(alice.token, { folder: "unreadable", version: "0.0.1" });
    let c = listComputers(h.ctx, alice.id)[0]!;
    expect(c).toMatchObject({ status: "online", folder: "unreadable", outdated: true, version: "0.0.1" });
    const html = await (await req(h, A, "GET", "/devices")).text();
    expect(row(html, "test device")).toContain("old version: update with &#x27;rmirror agent update&#x27;");
    expect(row(html, "test device")).toContain("not readable (permission)");
    expect(listComputers(h.ctx, alice.id, Date.now() + OFFLINE_AFTER_MS + 1)[0]!.status).toBe("offline");
    await beat(alice.token, { stopping: true });
    c = listComputers(h.ctx, alice.id)[0]!;
    expect(c).toMatchObject({ status: "offline", stopped: true });
    expect(row(await (await req(h, A, "GET", "/devices")).text(), "test device")).toContain('data-agent-status="offline"');
    // The last sync time is kept when a heartbeat does not report one.
    expect(c.lastSyncAt).toBe("2026-12-01T10:00:00.000Z");

    const other = await addUser(h, "carol@example.com");
    await beat(other.token, {});
    expect(listComputers(h.ctx, other.id).length).toBe(1);
    h.ctx.store.revokeDeviceToken(other.id, h.ctx.store.deviceTokensByUser(other.id)[0]!.id);
    expect(listComputers(h.ctx, other.id)).toEqual([]);
  });

  test("the library warns when no computer has been caught up for a day, and not before", async () => {
    const dave = await addUser(h, "dave@example.com");
    const D = session(h, dave);
    const banner = async () => (await (await req(h, D, "GET", "/")).text()).includes('id="sync-stale"');
    expect(await banner()).toBe(false); // no agent at all: nothing to warn about
    const tokenId = h.ctx.store.deviceTokensByUser(dave.id)[0]!.id;
    const t0 = Date.now() - STALE_AFTER_MS - 60_000;
    // Caught up a day and a minute ago, busy (queue > 0) ever since.
    h.ctx.store.saveHeartbeat({ token_id: tokenId, user_id: dave.id, version: VERSION, platform: "linux-x64", folder: "ok", queue: 0, last_sync_at: t0, last_error: null, stopped: false, inSync: true }, t0);
    await beat(dave.token, { queue: 12, lastError: "server unavailable" });
    expect(staleSync(h.ctx, dave.id)).toEqual({ lastInSyncAt: new Date(t0).toISOString() });
    const html = await (await req(h, D, "GET", "/")).text();
    expect(html).toContain("No computer has synced with rmirror for over a day");
    expect(html).toContain('href="/devices"');
    // Caught up again: the banner goes.
    await beat(dave.token, { queue: 0 });
    expect(await banner()).toBe(false);
    // A new agent that has never been caught up gets its first day.
    const erin = await addUser(h, "erin@example.com");
    await beat(erin.token, { queue: 5 });
    expect(staleSync(h.ctx, erin.id)).toBeNull();
    expect(staleSync(h.ctx, erin.id, Date.now() + STALE_AFTER_MS + 1)).toEqual({ lastInSyncAt: null });
  });

  test("choose what syncs: a computer's settings are set by its user (not another), read by its agent, validated", async () => {
    const id = h.ctx.store.deviceTokensByUser(alice.id)[0]!.id;
    const put = (token: string, body: unknown) => call(h, "PUT", `/api/v1/tokens/${id}/sync-settings`, { token, json: body });
    const ok = await put(alice.token, { mode: "include", items: [" Work ", "work", "11111111-1111-4111-8111-111111111111"], initialPages: 20 });
    expect(ok.status).toBe(200);
    const settings = (await json(ok)).settings;
    expect(settings).toMatchObject({ mode: "include", items: ["Work", "11111111-1111-4111-8111-111111111111"], initialPages: 20 });
    expect((await json(await call(h, "GET", "/api/v1/agent/settings", { token: alice.token }))).settings).toEqual(settings);
    expect((await json(await beat(alice.token, {}))).settings).toEqual(settings);
    // Another user's computer: not found, both ways.
    expect((await put(bob.token, { mode: "exclude", items: [], initialPages: null })).status).toBe(404);
    expect((await call(h, "GET", `/api/v1/tokens/${id}/sync-settings`, { token: bob.token })).status).toBe(404);
    expect((await json(await call(h, "GET", "/api/v1/agent/settings", { token: bob.token }))).settings.items).toEqual([]);
    // Bad input.
    expect((await put(alice.token, { mode: "all", items: [], initialPages: null })).status).toBe(400);
    expect((await put(alice.token, { mode: "exclude", items: [], initialPages: 0 })).status).toBe(400);
    expect((await put(alice.token, { mode: "exclude", items: ["x".repeat(301)], initialPages: null })).status).toBe(400);
    expect((await json(await call(h, "GET", "/api/v1/agent/settings", { token: alice.token }))).settings).toEqual(settings);
    // No credentials.
    expect((await call(h, "GET", "/api/v1/agent/settings", {})).status).toBe(401);
    expect((await call(h, "GET", `/api/v1/tokens/${id}/sync-settings`, {})).status).toBe(401);
    expect((await call(h, "PUT", `/api/v1/tokens/${id}/sync-settings`, { json: { mode: "exclude", items: [], initialPages: null } })).status).toBe(401);
    // A hostile typed name is kept as data and escaped on the Devices page.
    expect((await put(alice.token, { mode: "exclude", items: [XSS_SCRIPT], initialPages: null })).status).toBe(200);
    const page = await req(h, A, "GET", "/devices");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Choose what syncs");
    expectEscaped(html, XSS_SCRIPT, expect);
  });
});
