// To-dos to Todoist, end to end: pages are uploaded through the sync API, rendered, read by the
// Anthropic fake (its answer holds the checkboxes), and the push goes through the official
// @doist/todoist-sdk to a loopback Todoist that follows the documented API (test/support/fake-todoist.ts).
// Last: a real server process killed with SIGKILL while Todoist is answering a create — no duplicates.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnServer, type ChildServer } from "../support/child-server.ts";
import { startFakeTodoist, type FakeTodoist } from "../support/fake-todoist.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides } from "../ocr/support.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, uuid, type Harness, type TestUser } from "../support/server-harness.ts";

const PROJECT = "6Jf8VQXxpwv56VQ8"; // the fake's "reMarkable" project

describe("Todoist: to-dos pushed, updated in place, never duplicated", () => {
  const ocr = fakeAnthropicForFile();
  let todoist: FakeTodoist;
  let h: Harness;
  let u: TestUser;
  let said = "";
  let seed = 1;

  beforeAll(async () => {
    todoist = startFakeTodoist();
    ocr.reply = () => said;
    h = await harness({ overrides: { ...ocrOverrides(ocr), "todoist.apiBaseUrl": todoist.url, "todoist.debounceMs": 0 }, jobs: true });
    u = await addUser(h, "todo@example.com");
  });
  afterAll(async () => {
    await h.close();
    await todoist.close();
  });
  beforeEach(() => {
    todoist.budget = Infinity;
  });

  /** Upload a new version of the notebook's one page and let render + OCR + push run. */
  async function write(docUuid: string, pageId: string, markdown: string, name = "Errands") {
    said = markdown;
    await syncDoc(h, u.token, buildDoc([inkPage(seed++)], { uuid: docUuid, name, pageIds: [pageId] }));
    await h.runner.idle();
  }
  const live = () => todoist.live(PROJECT).sort((a, b) => a.content.localeCompare(b.content));

  test("connecting checks the token with Todoist; the project is chosen by name", async () => {
    const bad = await call(h, "PUT", "/api/v1/todoist", { token: u.token, json: { token: "not-the-token" } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toContain("Todoist refused this token");
    const ok = await json(await call(h, "PUT", "/api/v1/todoist", { token: u.token, json: { token: todoist.token } }));
    expect(ok.status).toBe("needs_project");
    const withProjects = await json(await call(h, "GET", "/api/v1/todoist?projects=1", { token: u.token }));
    expect(withProjects.projects.map((p: { name: string }) => p.name)).toEqual(["Inbox", "reMarkable"]);
    const chosen = await json(await call(h, "PUT", "/api/v1/todoist/project", { token: u.token, json: { project: "reMarkable" } }));
    expect(chosen).toMatchObject({ status: "ready", project: { id: PROJECT, name: "reMarkable" } });
    // The token is stored sealed, never as typed.
    const row = h.ctx.store.todoistConnection(u.id)!;
    expect(row.token_enc).not.toContain(todoist.token);
  });

  const doc = uuid();
  const pageId = uuid();

  test("checkboxes become tasks once, with where they came from", async () => {
    await write(doc, pageId, "# Errands\n\n- [ ] call the plumber\n- [ ] buy milk\n- [x] post the letter");
    const tasks = live();
    expect(tasks.map((t) => t.content)).toEqual(["buy milk", "call the plumber", "post the letter"]);
    expect(tasks.find((t) => t.content === "post the letter")!.checked).toBe(true);
    for (const t of tasks) {
      expect(t.description).toContain("From “Errands”, page 1");
      expect(t.description).toContain(`/documents/${doc}`);
      expect(t.description).toMatch(/rmirror-todo:[0-9a-f-]{36}/);
    }
    // Pushing again changes nothing.
    const before = todoist.log.filter((l) => l.startsWith("POST")).length;
    expect((await json(await call(h, "POST", "/api/v1/todoist/sync", { token: u.token }))).queued).toBe(true);
    await h.runner.idle();
    expect(todoist.log.filter((l) => l.startsWith("POST")).length).toBe(before);
    expect(live().length).toBe(3);
  });

  test("ticked on the tablet → completed; unticked → reopened; corrected text → the same task updated; erased → removed", async () => {
    const ids = new Map(live().map((t) => [t.content, t.id]));
    await write(doc, pageId, "# Errands\n\n- [x] call the plumber\n- [ ] buy oat milk\n- [ ] post the letter");
    const after = new Map(live().map((t) => [t.content, t]));
    expect(after.get("call the plumber")!.checked).toBe(true);
    expect(after.get("post the letter")!.checked).toBe(false);
    expect(after.get("buy oat milk")!.id).toBe(ids.get("buy milk")!); // updated in place, not recreated
    expect(after.has("buy milk")).toBe(false);
    expect(todoist.live().length).toBe(3);

    await write(doc, pageId, "# Errands\n\n- [x] call the plumber\n- [ ] post the letter");
    expect(live().map((t) => t.content)).toEqual(["call the plumber", "post the letter"]);
    expect(todoist.tasks.get(ids.get("buy milk")!)!.is_deleted).toBe(true);
  });

  test("a rate limit defers the push without losing anything", async () => {
    todoist.budget = 0;
    todoist.retryAfter = 1;
    said = "- [ ] renew passport";
    await syncDoc(h, u.token, buildDoc([inkPage(seed++)], { uuid: uuid(), name: "Admin" }));
    // The job is pushed back (not failed) while Todoist says 429.
    const deadline = Date.now() + 100_000;
    while (!todoist.log.some((l) => l.startsWith("GET") || l.startsWith("POST"))) await Bun.sleep(20);
    while (!h.ctx.store.db.query("SELECT 1 FROM jobs WHERE kind = 'todoist_sync' AND status = 'queued' AND attempts = 0").get()) {
      if (Date.now() > deadline) throw new Error("the push was not deferred");
      await Bun.sleep(20);
    }
    todoist.budget = Infinity;
    // It runs again once the Retry-After has passed (a hang guard, not a timing assertion).
    while (!live().some((t) => t.content === "renew passport")) {
      if (Date.now() > deadline) throw new Error("the deferred push never ran");
      await Bun.sleep(20);
    }
    await h.runner.idle();
    expect(h.ctx.store.db.query("SELECT attempts FROM jobs WHERE kind = 'todoist_sync' ORDER BY id DESC LIMIT 1").get()).toEqual({ attempts: 1 });
    expect(todoist.live().filter((t) => t.content === "renew passport").length).toBe(1);
  });

  test("a notebook deleted on the tablet takes its to-dos out of Todoist", async () => {
    expect((await call(h, "DELETE", `/api/v1/documents/${doc}`, { token: u.token })).status).toBeLessThan(300);
    await h.runner.idle();
    expect(live().map((t) => t.content)).toEqual(["renew passport"]);
  });

  test("another user's to-dos never reach this Todoist", async () => {
    const other = await addUser(h, "other@example.com");
    said = "- [ ] secret errand";
    await syncDoc(h, other.token, buildDoc([inkPage(seed++)], { name: "Theirs" }));
    await h.runner.idle();
    expect(todoist.live().some((t) => t.content === "secret errand")).toBe(false);
  });

  test("a revoked token stops the pushes with one clear message in the dashboard", async () => {
    const real = todoist.token;
    todoist.token = "rotated-elsewhere";
    try {
      said = "- [ ] water the plants";
      await syncDoc(h, u.token, buildDoc([inkPage(seed++)], { name: "Home" }));
      await h.runner.idle();
      const st = await json(await call(h, "GET", "/api/v1/todoist", { token: u.token }));
      expect(st.status).toBe("revoked");
      expect(st.lastError).toContain("paste a new API token");
      const page = await call(h, "GET", "/settings/todoist", { token: u.token });
      const html = await page.text();
      expect(html).toContain("Token refused");
      expect(html).toContain("paste a new API token");
    } finally {
      todoist.token = real;
    }
  });
});

describe("Todoist: kill -9 while Todoist answers a create", () => {
  const ocr = fakeAnthropicForFile();
  let todoist: FakeTodoist;
  let tmp: string;
  let server: ChildServer | null = null;
  const ADMIN = { email: "admin@example.com", password: "correct horse battery" };

  beforeAll(() => {
    todoist = startFakeTodoist();
    tmp = mkdtempSync(join(tmpdir(), "rmirror-todoist-kill-"));
  });
  afterAll(async () => {
    if (server && server.proc.exitCode === null) server.proc.kill("SIGKILL");
    await todoist.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const env = () => ({
    RMIRROR_DATA_DIR: join(tmp, "data"),
    RMIRROR_JOBS_POLL_MS: "50",
    RMIRROR_JOBS_LEASE_SECONDS: "2",
    RMIRROR_OCR_SETTLE_SECONDS: "0",
    RMIRROR_ANTHROPIC_API_KEY: ocr.apiKey,
    RMIRROR_ANTHROPIC_BASE_URL: ocr.url,
    RMIRROR_TODOIST_API_BASE_URL: todoist.url,
    RMIRROR_TODOIST_DEBOUNCE_MS: "0",
  });

  test("the server dies after Todoist created a task; after restart every to-do exists exactly once", async () => {
    ocr.reply = () => "- [ ] first thing\n- [ ] second thing\n- [ ] third thing";
    server = await spawnServer(env());
    const url = server.url;
    await fetch(`${url}/api/v1/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    const login = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const tok = await fetch(`${url}/api/v1/tokens`, { method: "POST", headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken }, body: JSON.stringify({ name: "t" }) });
    const token = ((await tok.json()) as { token: string }).token;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

    // Todoist creates the second task, and the server is killed before it hears the answer.
    let creates = 0;
    const killed = Promise.withResolvers<void>();
    todoist.holdAfter = async () => {
      if (++creates === 2) {
        server!.proc.kill("SIGKILL");
        await server!.proc.exited;
        killed.resolve();
      }
    };
    expect((await api("PUT", "/api/v1/todoist", { token: todoist.token, project: PROJECT })).status).toBe(200);
    const d = buildDoc([inkPage(3)], { name: "Plans" });
    const put = await (await api("PUT", `/api/v1/documents/${d.uuid}`, d.input)).json() as { missing: string[] };
    for (const sha of put.missing) expect((await fetch(`${url}/api/v1/blobs/${sha}`, { method: "PUT", headers: { authorization: `Bearer ${token}` }, body: d.blobs.get(sha)! as Uint8Array<ArrayBuffer> })).status).toBe(200);
    await killed.promise;
    todoist.holdAfter = null;
    expect(todoist.live(PROJECT).length).toBe(2); // created in Todoist, not recorded by the server

    server = await spawnServer(env());
    const deadline = Date.now() + 120_000;
    while (todoist.live(PROJECT).length < 3 || !(await (await fetch(`${server.url}/api/v1/todoist`, { headers: { authorization: `Bearer ${token}` } })).json() as { syncedAt: string | null }).syncedAt) {
      if (Date.now() > deadline) throw new Error(`not synced after restart:\n${server.logs.slice(-15).join("\n")}`);
      await Bun.sleep(100);
    }
    const contents = todoist.live(PROJECT).map((t) => t.content).sort();
    expect(contents).toEqual(["first thing", "second thing", "third thing"]);
    server.proc.kill("SIGTERM");
    await server.proc.exited;
  }, 240_000);
});
