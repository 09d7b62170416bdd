// The change feed (issue 16 item 1): GET /api/v1/changes over a real server context and SQLite.
// Entries are written by triggers in the transaction of the change: a rolled-back change leaves
// none, a committed one always has one (also across kill -9, see the crash test below).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawn } from "bun";
import { join } from "node:path";
import { openDatabase } from "../../src/storage/db.ts";
import { createStore } from "../../src/storage/store.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";

let h: Harness;
let a: TestUser;
let b: TestUser;

beforeEach(async () => {
  h = await harness();
  a = await addUser(h, "a@example.com");
  b = await addUser(h, "b@example.com");
});
afterEach(() => h.close());

async function feed(u: TestUser, cursor?: string, limit?: number): Promise<{ changes: any[]; cursor: string; more: boolean }> {
  const q = new URLSearchParams();
  if (cursor) q.set("cursor", cursor);
  if (limit) q.set("limit", String(limit));
  const r = await call(h, "GET", `/api/v1/changes?${q}`, { token: u.token });
  const body = await json(r);
  if (r.status !== 200) throw new Error(`changes: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

/** Everything after `cursor`, page by page. */
async function drain(u: TestUser, cursor?: string, limit = 1000): Promise<{ changes: any[]; cursor: string }> {
  const all: any[] = [];
  for (;;) {
    const f = await feed(u, cursor, limit);
    all.push(...f.changes);
    cursor = f.cursor;
    if (!f.more) return { changes: all, cursor };
  }
}

function pageIds(u: TestUser, docUuid: string) {
  const doc = h.ctx.store.documentByUuid(u.id, docUuid)!;
  return { doc, pages: h.ctx.store.pagesByDocument(doc.id) };
}

describe("change feed", () => {
  test("a new notebook: its document and pages, in commit order, with content hashes; a read from the start is a snapshot", async () => {
    const d = buildDoc([null, null], { name: "Ideas" });
    await syncDoc(h, a.token, d);
    const { changes } = await drain(a);
    expect(changes.map((c) => [c.kind, c.op])).toEqual([
      ["document", "upsert"],
      ["page", "upsert"],
      ["page", "upsert"],
    ]);
    expect(changes[0]).toMatchObject({ document: d.uuid, page: null, data: { name: "Ideas", type: "notebook" } });
    expect(changes[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(changes.slice(1).map((c) => c.page)).toEqual(d.input.pages!.map((p) => p.id));
    // Cursors are increasing and opaque to the client: each entry's resumes right after it.
    const rest = await feed(a, changes[0].cursor);
    expect(rest.changes.map((c) => c.page)).toEqual(d.input.pages!.map((p) => p.id));
  });

  test("pagination with cursors returns every entry once, in order, whatever the page size", async () => {
    for (let i = 0; i < 5; i++) await syncDoc(h, a.token, buildDoc([null], { name: `N${i}` }));
    const whole = (await drain(a)).changes.map((c) => c.cursor);
    expect(whole.length).toBe(10);
    for (const size of [1, 3, 7]) {
      const paged = (await drain(a, undefined, size)).changes.map((c) => c.cursor);
      expect(paged).toEqual(whole);
    }
    const first = await feed(a, undefined, 3);
    expect(first.more).toBe(true);
    expect(first.changes.length).toBe(3);
  });

  test("a change after the cursor appears once; an unchanged re-sync writes nothing (no phantom events)", async () => {
    const d = buildDoc([null], { name: "Plan" });
    await syncDoc(h, a.token, d);
    const { cursor } = await drain(a);
    await syncDoc(h, a.token, d); // the same document again
    expect((await drain(a, cursor)).changes).toEqual([]);
    d.input.metadata.visibleName = "Plan B";
    await syncDoc(h, a.token, d);
    const after = await drain(a, cursor);
    expect(after.changes.map((c) => [c.kind, c.op, c.event, c.data?.name])).toEqual([["document", "upsert", "updated", "Plan B"]]);
    // Renamed twice more: only the latest entry of the object is returned.
    d.input.metadata.visibleName = "Plan C";
    await syncDoc(h, a.token, d);
    d.input.metadata.visibleName = "Plan D";
    await syncDoc(h, a.token, d);
    const latest = await drain(a, after.cursor);
    expect(latest.changes.map((c) => c.data?.name)).toEqual(["Plan D"]);
    expect(latest.changes[0].hash).not.toBe(after.changes[0].hash);
  });

  test("page text (typed, OCR, highlights) and todos: created, edited, checked, deleted; the same text again writes nothing", async () => {
    const d = buildDoc([null], { name: "Tasks" });
    await syncDoc(h, a.token, d);
    const { doc, pages } = pageIds(a, d.uuid);
    const page = pages[0]!;
    let { cursor } = await drain(a);
    const s = h.ctx.store;
    const put = (source: "ocr" | "typed" | "highlight", text: string | null) => s.putPageText({ pageId: page.id, userId: a.id, documentId: doc.id, source, text });
    const todos = (items: { text: string; checked: boolean }[]) => s.replacePageTodos({ userId: a.id, pageId: page.id, documentId: doc.id, source: "ocr", items });

    s.tx(() => {
      put("ocr", "- [ ] milk\n- [ ] eggs");
      todos([{ text: "milk", checked: false }, { text: "eggs", checked: false }]);
      put("highlight", "a quote");
    });
    let f = await drain(a, cursor);
    expect(f.changes.map((c) => [c.kind, c.op, c.source, c.event])).toEqual([
      ["text", "upsert", "ocr", "ready"],
      ["todo", "upsert", "ocr", "created"],
      ["todo", "upsert", "ocr", "created"],
      ["text", "upsert", "highlight", "ready"],
    ]);
    expect(f.changes[0]).toMatchObject({ document: d.uuid, page: page.page_uuid, data: { text: "- [ ] milk\n- [ ] eggs" } });
    const [milk, eggs] = [f.changes[1].id, f.changes[2].id];
    cursor = f.cursor;

    // The same OCR again (a re-read that found the same text): nothing.
    s.tx(() => {
      put("ocr", "- [ ] milk\n- [ ] eggs");
      todos([{ text: "milk", checked: false }, { text: "eggs", checked: false }]);
    });
    expect((await drain(a, cursor)).changes).toEqual([]);

    // Milk ticked, a new todo on top (positions shift: not a change of the others), highlight removed.
    s.tx(() => {
      put("ocr", "- [ ] bread\n- [x] milk\n- [ ] eggs");
      todos([{ text: "bread", checked: false }, { text: "milk", checked: true }, { text: "eggs", checked: false }]);
      put("highlight", null);
    });
    f = await drain(a, cursor);
    expect(f.changes.map((c) => [c.kind, c.op, c.event, c.kind === "text" ? c.source : c.id === milk ? "milk" : c.data?.text])).toEqual([
      ["text", "upsert", "ready", "ocr"],
      ["todo", "upsert", "created", "bread"],
      ["todo", "upsert", "checked", "milk"],
      ["text", "delete", "deleted", "highlight"],
    ]);
    expect(f.changes.find((c) => c.id === milk).data).toMatchObject({ checked: true, text: "milk" });
    expect(f.changes.some((c) => c.id === eggs)).toBe(false);
    cursor = f.cursor;

    // All todos gone.
    s.tx(() => todos([]));
    f = await drain(a, cursor);
    expect(f.changes.map((c) => [c.kind, c.op, c.hash])).toEqual([
      ["todo", "delete", null],
      ["todo", "delete", null],
      ["todo", "delete", null],
    ]);
  });

  test("deletions: trashing a notebook, restoring it, a removed page, and a purged notebook's pages", async () => {
    const d = buildDoc([null, null], { name: "Old" });
    await syncDoc(h, a.token, d);
    let { cursor } = await drain(a);
    // A page removed on the tablet.
    const removed = d.input.pages!.pop()!;
    await syncDoc(h, a.token, d);
    let f = await drain(a, cursor);
    expect(f.changes.map((c) => [c.kind, c.op, c.page])).toEqual([
      ["page", "delete", removed.id],
      ["document", "upsert", null],
    ]);
    cursor = f.cursor;
    expect((await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: a.token })).status).toBeLessThan(300);
    f = await drain(a, cursor);
    expect(f.changes.map((c) => [c.kind, c.op, c.event, c.document])).toEqual([["document", "delete", "trashed", d.uuid]]);
    expect(f.changes[0].data).toBeNull();
    // From the start, the trashed notebook's page reads as deleted too.
    expect((await drain(a)).changes.map((c) => [c.kind, c.op])).toEqual([
      ["page", "delete"],
      ["page", "delete"],
      ["document", "delete"],
    ]);
    // Restored (synced again): the notebook and its page come back through the feed alone.
    await syncDoc(h, a.token, d);
    f = await drain(a, f.cursor);
    expect(f.changes.map((c) => [c.kind, c.op, c.event])).toEqual(expect.arrayContaining([["document", "upsert", "restored"], ["page", "upsert", "restored"]]));
    expect(f.changes.length).toBe(2);
    await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: a.token });
    cursor = (await drain(a, f.cursor)).cursor;
    // Purged for good: the pages' entries (from any older cursor) now read as deletions.
    expect(h.ctx.store.purgeDeletedDocuments(Date.now() + 1)).toBe(1);
    expect((await drain(a, cursor)).changes).toEqual([]);
    const all = (await drain(a)).changes;
    expect(all.map((c) => [c.kind, c.op])).toEqual([
      ["page", "delete"],
      ["page", "delete"],
      ["document", "delete"],
    ]);
  });

  test("user isolation: each user reads only their own changes, whatever cursor they pass", async () => {
    await syncDoc(h, a.token, buildDoc([null], { name: "A's" }));
    const fa = await drain(a);
    await syncDoc(h, b.token, buildDoc([null], { name: "B's" }));
    const fb = await drain(b);
    expect(fa.changes.every((c) => c.data?.name !== "B's")).toBe(true);
    expect(fb.changes.map((c) => c.data?.name).filter(Boolean)).toEqual(["B's"]);
    // B with A's cursor (or from the start) never sees A's entries.
    expect((await drain(b, fa.changes[0].cursor)).changes.some((c) => c.document === fa.changes[0].document)).toBe(false);
    expect((await call(h, "GET", "/api/v1/changes")).status).toBe(401);
  });

  test("a rolled-back change leaves no entry; a committed one always has one", async () => {
    const d = buildDoc([null], { name: "Tx" });
    await syncDoc(h, a.token, d);
    const { doc } = pageIds(a, d.uuid);
    const { cursor } = await drain(a);
    const s = h.ctx.store;
    const fields = { ...doc, name: "never" };
    expect(() =>
      s.tx(() => {
        s.updateDocument(a.id, doc.id, fields);
        throw new Error("abort");
      }),
    ).toThrow("abort");
    expect((await drain(a, cursor)).changes).toEqual([]);
    s.tx(() => s.updateDocument(a.id, doc.id, { ...doc, name: "kept" }));
    expect((await drain(a, cursor)).changes.map((c) => c.data?.name)).toEqual(["kept"]);
  });

  test("bad cursors are refused; compaction keeps what every cursor reads; expired deletions → 410 cursor_expired", async () => {
    expect((await call(h, "GET", "/api/v1/changes?cursor=nope", { token: a.token })).status).toBe(400);
    expect((await call(h, "GET", "/api/v1/changes?limit=0", { token: a.token })).status).toBe(400);
    const d = buildDoc([null], { name: "v0" });
    await syncDoc(h, a.token, d);
    const early = (await feed(a)).changes[0].cursor;
    for (let i = 1; i <= 3; i++) {
      d.input.metadata.visibleName = `v${i}`;
      await syncDoc(h, a.token, d);
    }
    const before = { all: await drain(a), fromEarly: await drain(a, early) };
    expect(h.ctx.store.compactSupersededChanges(1000)).toBe(3);
    expect(await drain(a)).toEqual(before.all);
    expect(await drain(a, early)).toEqual(before.fromEarly);

    const old = (await drain(a)).cursor;
    await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: a.token });
    const fresh = (await drain(a)).cursor;
    // Retention passes: the deletion is dropped; a cursor from before it cannot be served.
    expect(h.ctx.store.expireChanges(Date.now() + 1000, 1000)).toBeGreaterThan(0);
    const r = await call(h, "GET", `/api/v1/changes?cursor=${old}`, { token: a.token });
    expect(r.status).toBe(410);
    expect((await json(r)).error.code).toBe("cursor_expired");
    expect((await call(h, "GET", `/api/v1/changes?cursor=${fresh}`, { token: a.token })).status).toBe(200);
    expect((await drain(a)).changes).toEqual([]); // a resync from the start: the current (empty) state
  });
});

describe("change feed housekeeping", () => {
  test("compaction never drops an entry the webhook fan-out has not read yet; reads use the indexes", async () => {
    const d = buildDoc([null], { name: "w0" });
    await syncDoc(h, a.token, d);
    // A webhook fan-out of user A that has read up to here (as an endpoint's cursor would be).
    const mark = h.ctx.store.changeHead(a.id);
    h.ctx.store.setWebhookCursor(a.id, mark);
    for (let i = 1; i <= 3; i++) {
      d.input.metadata.visibleName = `w${i}`;
      await syncDoc(h, a.token, d);
    }
    const unread = () => h.ctx.store.changesAfter(a.id, mark, 100).map((c) => c.seq);
    const before = unread();
    expect(before.length).toBe(3);
    h.ctx.store.compactSupersededChanges(1000);
    expect(unread()).toEqual(before);
    h.ctx.store.setWebhookCursor(a.id, before.at(-1)!);
    h.ctx.store.compactSupersededChanges(1000);
    expect(unread()).toEqual([before.at(-1)!]);

    const plan = (sql: string) =>
      h.ctx.store.db
        .query<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((r) => r.detail)
        .join(" | ");
    const { CHANGES_SQL } = await import("../../src/storage/changes.ts");
    const p = plan(CHANGES_SQL.latestAfter);
    expect(p).toContain("changes_user");
    expect(p).toContain("changes_object");
    expect(p).not.toContain("SCAN c");
  });
});

describe("change feed across a crash", () => {
  test("kill -9 during a stream of transactions (some rolled back): every committed rename has its entry, no rolled-back one has", async () => {
    const dir = h.dir;
    const dbPath = join(dir, "crash.db");
    const db = openDatabase(dbPath);
    const s = createStore(db);
    const uid = s.db.query<{ id: number }, []>("INSERT INTO users (email, created_at) VALUES ('c@example.com', 0) RETURNING id").get()!.id;
    const fields = { type: "DocumentType" as const, name: "n0", parent: "", file_type: "notebook", pinned: 0, tablet_deleted: 0, last_modified: null, last_opened: null, metadata_json: "{}", content_json: null, page_count: 0, deleted_at: null };
    const doc = s.insertDocument(uid, "11111111-1111-4111-8111-111111111111", fields);
    db.close();
    const child = spawn({
      cmd: [process.execPath, join(import.meta.dir, "crash-child.ts"), dbPath, String(uid), String(doc.id)],
      stdout: "pipe",
      stderr: "inherit",
    });
    // Barrier: wait until the child has committed a good number of transactions, then kill it mid-stream.
    const reader = child.stdout.getReader();
    let seen = "";
    while (!/^ready$/m.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`child ended early: ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    child.kill(9);
    await child.exited;

    const db2 = openDatabase(dbPath);
    const name = db2.query<{ name: string }, []>("SELECT name FROM documents").get()!.name;
    const last = Number(name.slice(1));
    const entries = db2.query<{ n: number }, []>("SELECT count(*) AS n FROM changes WHERE kind = 'document' AND event = 'updated'").get()!.n;
    // The child renames to n<i> for i = 1, 2, …, rolling back every i divisible by 3.
    let committed = 0;
    for (let i = 1; i <= last; i++) if (i % 3 !== 0) committed++;
    expect(last).toBeGreaterThan(50);
    expect(entries).toBe(committed);
    db2.close();
  });
});
