// Notion sync end to end against the loopback fake, through the real @notionhq/client: first
// sync, edits in place, metadata-only updates, chunking, 429 storms, archived pages, revoked
// tokens, the two-phase first sync with a page limit, renamed properties, deletions.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { enqueueNotionSync } from "../../src/services/notion/notion-sync.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { call, json, syncDoc } from "../support/server-harness.ts";
import { connectedUser, dataSourceOf, expectRevoked, notebook, notionHarness, notionPageOf, setPageText, status } from "./support.ts";

let fake: FakeNotion;
beforeAll(() => {
  fake = startFakeNotion();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

test("edits update in place: same objects, only the changed page's blocks are replaced; an unchanged sync sends nothing", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await connectedUser(h, fake);
    const d = await notebook(h, u, "Meeting notes", 2);
    setPageText(h, u.id, d, 0, "# Monday\n\n- [ ] call the plumber\n- [x] buy milk");
    setPageText(h, u.id, d, 1, "Second page text");
    await h.runner.idle();
    const pageId = notionPageOf(h, u.id, d.uuid);
    expect(fake.tree(pageId)).toEqual([
      { type: "heading_2", text: "Page 1", children: [] },
      { type: "heading_1", text: "Monday", children: [] },
      { type: "to_do", text: "call the plumber", checked: false, children: [] },
      { type: "to_do", text: "buy milk", checked: true, children: [] },
      { type: "heading_2", text: "Page 2", children: [] },
      { type: "paragraph", text: "Second page text", children: [] },
    ]);
    const before = fake.count();
    expect(before.pages).toBe(1);
    expect(new Set(fake.requests.map((r) => r.version))).toEqual(new Set(["2026-03-11"]));

    fake.requests.length = 0;
    setPageText(h, u.id, d, 0, "# Monday\n\n- [x] call the plumber");
    await h.runner.idle();
    const after = fake.count();
    expect(after.pages).toBe(1);
    expect(after.databases).toBe(1);
    expect(after.liveBlocks).toBe(before.liveBlocks - 1);
    // Only page 1's three text blocks were archived and two appended after its heading; page 2 untouched.
    expect(fake.requests.filter((r) => r.method === "DELETE").length).toBe(3);
    expect(fake.requests.filter((r) => r.method === "PATCH" && r.path.endsWith("/children")).length).toBe(1);
    expect(fake.tree(pageId).map((b) => b.text)).toEqual(["Page 1", "Monday", "call the plumber", "Page 2", "Second page text"]);

    fake.requests.length = 0;
    enqueueNotionSync(h.ctx, u.id, d.uuid, { delayMs: 0 });
    await h.runner.idle();
    expect(fake.requests).toEqual([]);

    const st = await json(await call(h, "GET", `/api/v1/notion/documents/${d.uuid}`, { token: u.token }));
    expect(st).toMatchObject({ status: "synced", error: null, notionPageId: pageId, pages: { synced: 2, total: 2 } });
  } finally {
    await h.close();
  }
});

test("rename, move and tags are one properties update; a renamed Notion property keeps working", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await connectedUser(h, fake);
    const folder = { uuid: crypto.randomUUID() };
    const f = await call(h, "PUT", `/api/v1/documents/${folder.uuid}`, { token: u.token, json: { metadata: { visibleName: "Work", type: "CollectionType", parent: "" } } });
    expect(f.status).toBe(200);
    const d = await notebook(h, u, "Ideas", 1);
    setPageText(h, u.id, d, 0, "some text");
    await h.runner.idle();
    const ds = dataSourceOf(h, u.id);
    // The user renames the "Name" and "Path" properties in Notion.
    fake.renameProperty(ds, "Path", "Folder");
    fake.renameProperty(ds, "Name", "Notebook");

    fake.requests.length = 0;
    d.input.metadata.visibleName = "Ideas (renamed)";
    d.input.metadata.parent = folder.uuid;
    d.input.tags = ["project", "a,b"];
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /v1/pages/${notionPageOf(h, u.id, d.uuid)}`]);
    const row = fake.rows(ds)[0]!;
    expect(fake.prop(row, "Notebook")).toBe("Ideas (renamed)");
    expect(fake.prop(row, "Folder")).toBe("Work");
    expect(fake.prop(row, "Tags")).toEqual(["project", "a b"]);
    expect(fake.prop(row, "Link")).toBe(`https://rm.example.net/documents/${d.uuid}`);
    expect(fake.prop(row, "Pages")).toBe(1);
    expect(fake.count().pages).toBe(1);
  } finally {
    await h.close();
  }
});

test("a page with 500 lines of OCR text is chunked within Notion's limits", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await connectedUser(h, fake);
    const d = await notebook(h, u, "Long", 1);
    const lines = Array.from({ length: 500 }, (_, i) => `- line ${i + 1} ${"word ".repeat(8)}`);
    const para = Array.from({ length: 500 }, (_, i) => `sentence ${i} of a very long paragraph`).join("\n");
    setPageText(h, u.id, d, 0, `${lines.join("\n")}\n\n${para}\n\n- a\n  - b\n    - c\n      - d`);
    await h.runner.idle();
    const bad = fake.requests.filter((r) => r.status !== 200);
    expect(bad).toEqual([]);
    const tree = fake.tree(notionPageOf(h, u.id, d.uuid));
    expect(tree.length).toBe(1 + 500 + 1 + 1);
    expect(tree[500]!.text).toBe("line 500 word word word word word word word word");
    expect(tree[501]!.text).toBe(para);
    expect(JSON.stringify(tree[502])).toContain('"text":"d"');
    const appends = fake.requests.filter((r) => r.path.endsWith("/children") && r.method === "PATCH");
    expect(appends.length).toBeGreaterThanOrEqual(6);
    for (const a of appends) expect(a.body.children.length).toBeLessThanOrEqual(100);
  } finally {
    await h.close();
  }
});

test("a 429 storm is survived: Retry-After is honoured and nothing is duplicated", async () => {
  const h = await notionHarness(fake, { "notion.requestsPerSecond": 100, "notion.maxRetries": 1 });
  try {
    const u = await connectedUser(h, fake);
    const docs = [];
    for (let i = 0; i < 3; i++) docs.push(await notebook(h, u, `Storm ${i}`, 2));
    fake.requests.length = 0;
    // Notion allows ~3 requests/s with a burst of 3; we send up to 100/s.
    fake.rate = { perSecond: 3, burst: 3, retryAfterSeconds: 1 };
    for (const d of docs) {
      setPageText(h, u.id, d, 0, "page one");
      setPageText(h, u.id, d, 1, "page two");
    }
    const t0 = performance.now();
    await h.runner.idle();
    // Jobs deferred by a 429 the SDK could not absorb wait in the queue (no attempt spent).
    const queued = () => (h.ctx.store.db.query("SELECT count(*) AS n FROM jobs WHERE kind = 'notion_sync' AND status = 'queued'").get() as { n: number }).n;
    for (let i = 0; i < 200 && queued() > 0; i++) {
      await Bun.sleep(50);
      await h.runner.idle();
    }
    expect(fake.rateLimited).toBeGreaterThan(0);
    // After a 429 the next request with that token waited at least the Retry-After second.
    const first429 = fake.requests.findIndex((r) => r.status === 429);
    const next = fake.requests[first429 + 1]!;
    expect(next.at - fake.requests[first429]!.at).toBeGreaterThanOrEqual(900);
    expect(performance.now() - t0).toBeGreaterThan(900);
    for (const d of docs) expect(fake.tree(notionPageOf(h, u.id, d.uuid)).map((b) => b.text)).toEqual(["Page 1", "page one", "Page 2", "page two"]);
    expect(fake.count().pages).toBe(3);
    const failed = h.ctx.store.db.query("SELECT count(*) AS n FROM jobs WHERE kind = 'notion_sync' AND status = 'failed'").get() as { n: number };
    expect(failed.n).toBe(0);
  } finally {
    fake.rate = null;
    await h.close();
  }
}, 60_000);

test("a page the user archived in Notion is recreated when the notebook changes; a removed section too", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await connectedUser(h, fake);
    const d = await notebook(h, u, "Archived", 2);
    setPageText(h, u.id, d, 0, "first");
    setPageText(h, u.id, d, 1, "second");
    await h.runner.idle();
    const old = notionPageOf(h, u.id, d.uuid);
    fake.trash(old);
    setPageText(h, u.id, d, 1, "second, edited");
    await h.runner.idle();
    const now = notionPageOf(h, u.id, d.uuid);
    expect(now).not.toBe(old);
    expect(fake.rows(dataSourceOf(h, u.id)).length).toBe(1);
    expect(fake.tree(now).map((b) => b.text)).toEqual(["Page 1", "first", "Page 2", "second, edited"]);
    expect((await json(await call(h, "GET", `/api/v1/notion/documents/${d.uuid}`, { token: u.token }))).status).toBe("synced");

    // The user deletes page 2's heading block; the next change rebuilds the sections.
    const heading2 = h.ctx.store.syncRecord(u.id, d.input.pages![1]!.id, "page")!.notion_id!;
    fake.trash(heading2);
    setPageText(h, u.id, d, 1, "second, edited again");
    await h.runner.idle();
    expect(fake.tree(now).map((b) => b.text)).toEqual(["Page 1", "first", "Page 2", "second, edited again"]);
  } finally {
    await h.close();
  }
});

test("a revoked token puts a clear error on the connection and the job is not retried forever", async () => {
  const h = await notionHarness(fake);
  const token = "secret_revoked_later_0123456789abcdefghij";
  fake.tokens.add(token);
  try {
    const u = await connectedUser(h, fake, "revoked@example.com", token);
    const d = await notebook(h, u, "Doomed", 1);
    await h.runner.idle();
    fake.tokens.delete(token);
    fake.requests.length = 0;
    setPageText(h, u.id, d, 0, "text");
    await h.runner.idle();
    await expectRevoked(h, u);
    expect(fake.requests.length).toBe(1);
    const st = await json(await call(h, "GET", `/api/v1/notion/documents/${d.uuid}`, { token: u.token }));
    expect(st.status).toBe("failed");
    expect(st.error).toContain("notion:");
    // Further changes queue nothing until the user reconnects.
    setPageText(h, u.id, d, 0, "more text");
    expect(h.ctx.store.db.query("SELECT count(*) AS n FROM jobs WHERE kind = 'notion_sync' AND status = 'queued'").get()).toEqual({ n: 0 });
  } finally {
    await h.close();
  }
});

test("deleted pages and notebooks are archived in Notion", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await connectedUser(h, fake);
    const d = await notebook(h, u, "Shrinking", 3);
    for (const i of [0, 1, 2]) setPageText(h, u.id, d, i, `text ${i}`);
    await h.runner.idle();
    const pageId = notionPageOf(h, u.id, d.uuid);
    d.input.pages = [d.input.pages![0]!, { ...d.input.pages![2]!, idx: 1 }];
    await syncDoc(h, u.token, d);
    await h.runner.idle();
    expect(fake.tree(pageId).map((b) => b.text)).toEqual(["Page 1", "text 0", "Page 2", "text 2"]);
    const r = await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: u.token });
    expect(r.status).toBe(200);
    await h.runner.idle();
    expect(fake.pages.get(pageId)!.in_trash).toBe(true);
    expect(fake.rows(dataSourceOf(h, u.id)).length).toBe(0);
    expect((await json(await call(h, "GET", `/api/v1/notion/documents/${d.uuid}`, { token: u.token }))).status).toBe("archived");
  } finally {
    await h.close();
  }
});

test("a database the user deleted in Notion is created again and every notebook is mirrored into it", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await connectedUser(h, fake);
    const a = await notebook(h, u, "One", 1);
    const b = await notebook(h, u, "Two", 1);
    setPageText(h, u.id, a, 0, "alpha");
    setPageText(h, u.id, b, 0, "beta");
    await h.runner.idle();
    const oldDb = h.ctx.store.notionConnectionByUser(u.id)!.database_id!;
    fake.databases.get(oldDb)!.in_trash = true;
    setPageText(h, u.id, a, 0, "alpha 2");
    const queued = () => (h.ctx.store.db.query("SELECT count(*) AS n FROM jobs WHERE kind = 'notion_sync' AND status = 'queued'").get() as { n: number }).n;
    await h.runner.idle();
    for (let i = 0; i < 100 && queued() > 0; i++) {
      await Bun.sleep(50);
      await h.runner.idle();
    }
    const conn = h.ctx.store.notionConnectionByUser(u.id)!;
    expect(conn.database_id).not.toBe(oldDb);
    expect(conn.status).toBe("ready");
    const rows = fake.rows(conn.data_source_id!);
    expect(rows.map((r) => fake.prop(r, "Name")).sort()).toEqual(["One", "Two"]);
    expect(fake.tree(notionPageOf(h, u.id, a.uuid)).map((x) => x.text)).toEqual(["Page 1", "alpha 2"]);
    expect(fake.tree(notionPageOf(h, u.id, b.uuid)).map((x) => x.text)).toEqual(["Page 1", "beta"]);
    expect((await status(h, u)).connection.lastError).toBeNull();
  } finally {
    await h.close();
  }
}, 30_000);

test("optional to-do database: checkbox items become rows, updated in place and trashed when gone", async () => {
  const h = await notionHarness(fake, { "notion.todos": true });
  try {
    const u = await connectedUser(h, fake);
    const d = await notebook(h, u, "Errands", 1);
    const s = h.ctx.store;
    const page = s.pagesByDocument(s.documentByUuid(u.id, d.uuid)!.id)[0]!;
    const put = (md: string, items: { text: string; checked: boolean }[]) => {
      s.replacePageTodos({ userId: u.id, pageId: page.id, documentId: page.document_id, source: "ocr", items });
      setPageText(h, u.id, d, 0, md);
    };
    put("- [ ] call the plumber\n- [x] buy milk", [
      { text: "call the plumber", checked: false },
      { text: "buy milk", checked: true },
    ]);
    await h.runner.idle();
    const conn = s.notionConnectionByUser(u.id)!;
    expect(conn.todo_data_source_id).toBeTruthy();
    const rows = () => fake.rows(conn.todo_data_source_id!).map((r) => [fake.prop(r, "Name"), (r.properties[JSON.parse(conn.todo_property_ids!).done] as boolean) ?? false, fake.prop(r, "Notebook")]);
    expect(rows()).toEqual([
      ["call the plumber", false, "Errands"],
      ["buy milk", true, "Errands"],
    ]);
    const ids = fake.rows(conn.todo_data_source_id!).map((r) => r.id);
    put("- [x] call the plumber", [{ text: "call the plumber", checked: true }]);
    await h.runner.idle();
    expect(rows()).toEqual([["call the plumber", true, "Errands"]]);
    expect(fake.rows(conn.todo_data_source_id!)[0]!.id).toBe(ids[0]!);
    // The notebook is deleted: its to-dos go to the trash with it.
    await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: u.token });
    await h.runner.idle();
    expect(rows()).toEqual([]);
    expect(fake.count().databases).toBe(2);
  } finally {
    await h.close();
  }
});
