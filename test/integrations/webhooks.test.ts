// Webhooks (issue 16 item 2) against loopback receivers that verify every request with the
// standardwebhooks package: the events, a receiver that is down for a while (and a restart of the
// job runner meanwhile), redirects not followed, SSRF refusals, user isolation.
import { afterEach, describe, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { createRunner } from "../../src/composition/workers.ts";
import { isPrivateAddress } from "../../src/services/integrations/ssrf.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";

interface Received {
  id: string;
  type: string;
  data: any;
  path: string;
}

/** A loopback webhook receiver: verifies each request's signature; `status` decides the answer. */
function receiver(opts: { port?: number; status?: (path: string) => number; headers?: (path: string) => Record<string, string> } = {}) {
  const got: Received[] = [];
  const bad: string[] = [];
  let secret = "";
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: opts.port ?? 0,
    async fetch(req) {
      const body = await req.text();
      const path = new URL(req.url).pathname;
      const status = opts.status?.(path) ?? 200;
      if (status >= 200 && status < 300) {
        try {
          const msg = new Webhook(secret).verify(body, { "webhook-id": req.headers.get("webhook-id") ?? "", "webhook-timestamp": req.headers.get("webhook-timestamp") ?? "", "webhook-signature": req.headers.get("webhook-signature") ?? "" }) as { type: string; data: unknown };
          got.push({ id: req.headers.get("webhook-id")!, type: msg.type, data: msg.data, path });
        } catch (e) {
          bad.push(String(e));
          return new Response("bad signature", { status: 400 });
        }
      }
      return new Response(status >= 300 && status < 400 ? null : "ok", { status, headers: opts.headers?.(path) ?? {} });
    },
  });
  return {
    got,
    bad,
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    setSecret: (s: string) => (secret = s),
    stop: () => server.stop(true),
  };
}

/** Poll a condition (a barrier with a hang guard, not a speed check). */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

let h: Harness | null = null;
const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await h?.close();
  h = null;
});

const ALL = ["document.changed", "page.text_ready", "todo.created", "todo.checked", "quota.threshold"];

async function addEndpoint(u: TestUser, url: string, events = ALL): Promise<{ id: number; secret: string }> {
  const r = await call(h!, "POST", "/api/v1/webhooks", { token: u.token, json: { url, events } });
  const body = await json(r);
  if (r.status !== 201) throw new Error(`add webhook: ${r.status} ${JSON.stringify(body)}`);
  expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  return { id: body.endpoint.id, secret: body.secret };
}

function deliveries(u: TestUser) {
  return h!.ctx.store.db.query<{ id: number; event_id: string; event_type: string; status: string; attempts: number; last_error: string | null }, [number]>(
    "SELECT id, event_id, event_type, status, attempts, last_error FROM webhook_deliveries WHERE user_id = ? ORDER BY id",
  ).all(u.id);
}

function ocr(u: TestUser, docUuid: string, text: string, todos: { text: string; checked: boolean }[]) {
  const s = h!.ctx.store;
  const doc = s.documentByUuid(u.id, docUuid)!;
  const page = s.pagesByDocument(doc.id)[0]!;
  s.tx(() => {
    s.putPageText({ pageId: page.id, userId: u.id, documentId: doc.id, source: "ocr", text });
    s.replacePageTodos({ userId: u.id, pageId: page.id, documentId: doc.id, source: "ocr", items: todos });
  });
}

describe("webhooks", () => {
  test("every event type arrives signed (Standard Webhooks), with its data; only subscribed events are sent", async () => {
    // The runner is driven step by step (idle()), so each step's events are sent before the next.
    h = await harness({ overrides: { "webhooks.allowPrivate": true, "webhooks.retryBaseMs": 20 } });
    const u = await addUser(h, "hooks@example.com");
    const before = buildDoc([null], { name: "Before the endpoint" });
    await syncDoc(h, u.token, before);
    const rx = receiver();
    stops.push(rx.stop);
    const ep = await addEndpoint(u, `${rx.url}/all`);
    rx.setSecret(ep.secret);
    const only = receiver();
    stops.push(only.stop);
    only.setSecret((await addEndpoint(u, `${only.url}/todos`, ["todo.checked"])).secret);

    const d = buildDoc([null], { name: "Groceries" });
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    ocr(u, d.uuid, "- [ ] milk\n- [ ] eggs", [{ text: "milk", checked: false }, { text: "eggs", checked: false }]);
    await h.runner.idle();
    ocr(u, d.uuid, "- [x] milk\n- [ ] eggs", [{ text: "milk", checked: true }, { text: "eggs", checked: false }]);
    await h.runner.idle();
    h.ctx.store.insertNotification({ userId: u.id, kind: "quota", month: "2026-12", threshold: 90, message: "90 % used", data: { used: 27, limit: 30 } });
    await h.runner.idle();

    await until("all events", () => rx.got.length >= 7 && only.got.length >= 1);
    await h.runner.idle();
    expect(rx.bad).toEqual([]);
    // Deliveries run in parallel: the arrival order within one step is not defined; events are
    // made in change-feed order (their delivery rows are in that order).
    const made = deliveries(u).map((x) => x.event_id);
    rx.got.sort((x, y) => made.indexOf(x.id) - made.indexOf(y.id));
    expect(rx.got.map((m) => m.type)).toEqual(["document.changed", "page.text_ready", "todo.created", "todo.created", "page.text_ready", "todo.checked", "quota.threshold"]);
    const [doc, text, , , , checked, quota] = rx.got;
    expect(doc!.data).toMatchObject({ document: { uuid: d.uuid, name: "Groceries", type: "notebook" }, deleted: false, pages: [d.input.pages![0]!.id] });
    expect(text!.data).toMatchObject({ document: { uuid: d.uuid, name: "Groceries" }, page: d.input.pages![0]!.id, source: "ocr", text: "- [ ] milk\n- [ ] eggs", truncated: false });
    expect(checked!.data.todo).toMatchObject({ text: "milk", checked: true });
    expect(quota!.data).toMatchObject({ kind: "quota", threshold: 90, month: "2026-12" });
    // Nothing from before the endpoint existed; ids are unique.
    expect(rx.got.some((m) => m.data?.document?.uuid === before.uuid)).toBe(false);
    expect(new Set(rx.got.map((m) => m.id)).size).toBe(rx.got.length);
    expect(only.bad).toEqual([]);
    expect(only.got.map((m) => [m.type, m.data.todo.text])).toEqual([["todo.checked", "milk"]]);
    expect(deliveries(u).every((x) => x.status === "delivered")).toBe(true);

    // Trashing the notebook: document.changed with deleted: true.
    await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: u.token });
    await h.runner.idle();
    await until("the deletion", () => rx.got.length >= 8);
    expect(rx.got[7]).toMatchObject({ type: "document.changed", data: { document: { uuid: d.uuid }, deleted: true } });
  }, 120_000);

  test("a receiver that is down for a while (and a restart meanwhile): every event arrives once it is back, exactly once per id", async () => {
    h = await harness({ jobs: true, overrides: { "webhooks.allowPrivate": true, "webhooks.retryBaseMs": 20, "webhooks.maxAttempts": 100 } });
    const u = await addUser(h, "down@example.com");
    // A port that answers nothing (the receiver is started on it later).
    const probe = receiver();
    const port = probe.port;
    probe.stop();
    const ep = await addEndpoint(u, `http://127.0.0.1:${port}/hook`);

    const docs = [buildDoc([null], { name: "one" }), buildDoc([null], { name: "two" })];
    for (const d of docs) await syncDoc(h, u.token, d);
    ocr(u, docs[0]!.uuid, "- [ ] call Anna", [{ text: "call Anna", checked: false }]);
    // Barrier: every delivery has failed at least once (connection refused).
    await until("failed attempts", () => deliveries(u).length === 4 && deliveries(u).every((x) => x.attempts >= 1 && x.status === "pending"));
    expect(deliveries(u)[0]!.last_error).toMatch(/cannot connect/);

    // The server restarts while the receiver is still down: the runner stops, changes keep coming
    // (their fan-out job is queued durably in their own transaction), a new runner takes over.
    await h.runner.stop();
    ocr(u, docs[1]!.uuid, "- [x] pay rent", [{ text: "pay rent", checked: true }]);
    h.runner = createRunner(h.ctx);
    h.runner.start();

    const rx = receiver({ port });
    stops.push(rx.stop);
    rx.setSecret(ep.secret);
    await until("every delivery delivered", () => deliveries(u).length === 7 && deliveries(u).every((x) => x.status === "delivered"));
    await h.runner.idle();
    expect(rx.bad).toEqual([]);
    const ids = rx.got.map((m) => m.id).sort();
    expect(ids).toEqual(deliveries(u).map((x) => x.event_id).sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(rx.got.map((m) => m.type).sort()).toEqual(["document.changed", "document.changed", "page.text_ready", "page.text_ready", "todo.checked", "todo.created", "todo.created"]);
  }, 120_000);

  test("redirects are not followed; Redeliver sends the same event (same webhook-id) again", async () => {
    h = await harness({ jobs: true, overrides: { "webhooks.allowPrivate": true, "webhooks.retryBaseMs": 20, "webhooks.maxAttempts": 2 } });
    const u = await addUser(h, "redirect@example.com");
    let redirecting = true;
    const rx = receiver({ status: (p) => (p === "/hook" && redirecting ? 302 : 200), headers: () => ({ location: "/elsewhere" }) });
    stops.push(rx.stop);
    const ep = await addEndpoint(u, `${rx.url}/hook`, ["document.changed"]);
    rx.setSecret(ep.secret);
    await syncDoc(h, u.token, buildDoc([null], { name: "R" }));
    await until("failed for good", () => deliveries(u)[0]?.status === "failed");
    const [failed] = deliveries(u);
    expect(failed!.last_error).toMatch(/redirects are not followed/);
    expect(rx.got.filter((m) => m.path === "/elsewhere")).toEqual([]);

    redirecting = false;
    const r = await call(h, "POST", `/api/v1/webhooks/deliveries/${failed!.id}/redeliver`, { token: u.token });
    expect(r.status).toBe(200);
    await until("redelivered", () => deliveries(u)[0]?.status === "delivered");
    expect(rx.got.map((m) => [m.id, m.path])).toEqual([[failed!.event_id, "/hook"]]);
  }, 120_000);

  test("SSRF: private, loopback and link-local targets are refused unless allowed, also at delivery time", async () => {
    h = await harness({ jobs: true, overrides: { "webhooks.retryBaseMs": 20 } });
    const u = await addUser(h, "ssrf@example.com");
    for (const url of ["http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://169.254.169.254/latest/meta-data", "http://10.0.0.5/", "http://192.168.1.10/", "http://0.0.0.0/"]) {
      const r = await call(h, "POST", "/api/v1/webhooks", { token: u.token, json: { url, events: ["document.changed"] } });
      expect(r.status, url).toBe(400);
      expect((await json(r)).error.code, url).toBe("webhook_target_refused");
    }
    for (const url of ["file:///etc/passwd", "ftp://example.com/", "http://user:pw@example.com/"]) {
      const r = await call(h, "POST", "/api/v1/webhooks", { token: u.token, json: { url, events: ["document.changed"] } });
      expect((await json(r)).error.code, url).toBe("webhook_target_refused");
    }
    expect((await json(await call(h, "POST", "/api/v1/webhooks", { token: u.token, json: { url: "http://127.0.0.1/", events: ["nope"] } }))).error.code).toBe("bad_webhook_events");

    // Allowed when the endpoint was added, refused when the admin turned it off: nothing is sent.
    const rx = receiver();
    stops.push(rx.stop);
    h.ctx.config.webhooks.allowPrivate = true;
    const ep = await addEndpoint(u, `${rx.url}/hook`, ["document.changed"]);
    rx.setSecret(ep.secret);
    h.ctx.config.webhooks.allowPrivate = false;
    await syncDoc(h, u.token, buildDoc([null], { name: "S" }));
    await until("refused for good", () => deliveries(u)[0]?.status === "failed");
    expect(deliveries(u)[0]!.last_error).toMatch(/private, loopback or link-local/);
    expect(rx.got).toEqual([]);
  }, 120_000);

  test("address classification covers IPv4, IPv6 and IPv4 inside IPv6", () => {
    for (const ip of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd12::1", "::ffff:10.0.0.1", "::ffff:7f00:1", "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1"])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  test("users see and manage only their own endpoints and deliveries", async () => {
    h = await harness({ overrides: { "webhooks.allowPrivate": true } });
    const a = await addUser(h, "a@example.com");
    const b = await addUser(h, "b@example.com");
    const ep = await addEndpoint(a, "http://127.0.0.1:9/a");
    await syncDoc(h, a.token, buildDoc([null], { name: "A" }));
    // The fan-out job was queued by the change's trigger; run it (no runner in this test).
    await h.runner.idle().catch(() => {});
    expect((await json(await call(h, "GET", "/api/v1/webhooks", { token: b.token }))).endpoints).toEqual([]);
    expect((await call(h, "GET", `/api/v1/webhooks/${ep.id}/deliveries`, { token: b.token })).status).toBe(404);
    expect((await call(h, "GET", `/api/v1/webhooks/${ep.id}/secret`, { token: b.token })).status).toBe(404);
    expect((await call(h, "DELETE", `/api/v1/webhooks/${ep.id}`, { token: b.token })).status).toBe(404);
    const d = deliveries(a)[0];
    if (d) expect((await call(h, "POST", `/api/v1/webhooks/deliveries/${d.id}/redeliver`, { token: b.token })).status).toBe(404);
    expect((await json(await call(h, "GET", `/api/v1/webhooks/${ep.id}/secret`, { token: a.token }))).secret).toBe(ep.secret);
    expect((await call(h, "DELETE", `/api/v1/webhooks/${ep.id}`, { token: a.token })).status).toBe(200);
    expect((await json(await call(h, "GET", "/api/v1/webhooks", { token: a.token }))).endpoints).toEqual([]);
  });
});

describe("webhooks page forms", () => {
  test("CSRF is required; hostile URLs and descriptions are escaped; another user's endpoint or delivery is 404", async () => {
    h = await harness({ overrides: { "webhooks.allowPrivate": true } });
    const { createSession } = await import("../../src/services/accounts/accounts.ts");
    const a = await addUser(h, "forms-a@example.com");
    const b = await addUser(h, "forms-b@example.com");
    const sa = createSession(h.ctx, a.id);
    const sb = createSession(h.ctx, b.id);
    const post = (s: { sessionToken: string; csrfToken: string } | null, path: string, fields: Record<string, string>, csrf = true) =>
      call(h!, "POST", path, {
        headers: { ...(s ? { cookie: `rmirror_session=${s.sessionToken}` } : {}), "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
        body: new URLSearchParams({ ...(csrf && s ? { csrf: s.csrfToken } : {}), ...fields }).toString(),
      });
    const evil = '"><script>alert(1)</script>';
    const fields = { url: `http://127.0.0.1:9/x?q=${encodeURIComponent(evil)}`, description: evil, "ev_document.changed": "1" };
    expect((await post(sa, "/settings/webhooks", fields, false)).status).toBe(403);
    expect(h.ctx.store.webhookEndpoints(a.id)).toEqual([]);
    const added = await post(sa, "/settings/webhooks", fields);
    expect(added.status).toBe(303);
    expect(added.headers.get("location")).toBe("/settings/webhooks?done=added");
    const page = await (await call(h, "GET", "/settings/webhooks", { headers: { cookie: `rmirror_session=${sa.sessionToken}` } })).text();
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const [ep] = h.ctx.store.webhookEndpoints(a.id);
    // No events chosen: the page again, with the message.
    const none = await post(sa, "/settings/webhooks", { url: "http://127.0.0.1:9/y" });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('id="webhooks-error"');
    // B cannot delete A's endpoint (404), A can (CSRF needed).
    expect((await post(sb, `/settings/webhooks/${ep!.id}/delete`, {})).status).toBe(404);
    expect((await post(sa, `/settings/webhooks/${ep!.id}/delete`, {}, false)).status).toBe(403);
    expect((await post(sa, `/settings/webhooks/${ep!.id}/delete`, {})).status).toBe(303);
    expect(h.ctx.store.webhookEndpoints(a.id)).toEqual([]);
  });
});
