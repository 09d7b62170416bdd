// The sync protocol end to end in-process: real app, real SQLite, real blob store, real runner.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { sha256Hex } from "../../src/blobs/store.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, uuid, type Harness, type TestUser } from "../support/server-harness.ts";

const rm = (name: string) => new Uint8Array(readFileSync(sample(name)));
let h: Harness;
let a: TestUser;
let P1: Uint8Array, P2: Uint8Array, P3: Uint8Array;

beforeAll(async () => {
  h = await harness();
  a = await addUser(h, "alice@example.com");
  if (HAVE_SAMPLES) {
    P1 = rm("rmscene__Normal_AB.rm");
    P2 = rm("rmc__abcd.strokes.rm");
    P3 = rm("rmscene__Wikipedia_highlighted_p1.rm");
  }
});
afterAll(() => h.close());

const renderJobs = () => (h.ctx.store.db.query("SELECT count(*) AS n FROM jobs WHERE kind = 'render_page'").get() as { n: number }).n;
const getDoc = async (id: string) => json(await call(h, "GET", `/api/v1/documents/${id}`, { token: a.token }));

describe.skipIf(!HAVE_SAMPLES)("sync protocol", () => {
  test("PUT answers the missing hashes; uploads verify; pages render once; SVG, PNG, typed text", async () => {
    const d = buildDoc([P1, P2, null], { name: "First" });
    const res = await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: d.input });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ uuid: d.uuid, created: true, changed: true, revision: 1, pages: { total: 3, queued: 0 } });
    expect(body.missing.sort()).toEqual([sha256Hex(P1), sha256Hex(P2)].sort());
    const pagesBefore = (await getDoc(d.uuid)).pages;
    expect(pagesBefore.map((p: any) => p.renderStatus)).toEqual(["awaiting_blob", "awaiting_blob", "blank"]);
    for (const sha of body.missing) {
      const r = await call(h, "PUT", `/api/v1/blobs/${sha}`, { token: a.token, body: d.blobs.get(sha) as Uint8Array<ArrayBuffer> });
      expect(r.status).toBe(200);
      expect(await json(r)).toMatchObject({ sha256: sha, stored: true, queuedPages: 1 });
    }
    // Idempotent re-upload.
    const again = await call(h, "PUT", `/api/v1/blobs/${sha256Hex(P1)}`, { token: a.token, body: P1 as Uint8Array<ArrayBuffer> });
    expect(await json(again)).toMatchObject({ stored: false, queuedPages: 0 });
    await h.runner.idle();
    const doc = await getDoc(d.uuid);
    expect(doc.pages.map((p: any) => p.renderStatus)).toEqual(["done", "done", "blank"]);
    expect(doc.pages[0].typedText).toBe("AB");
    const svg = await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![1]!.id}/svg`, { token: a.token });
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(await svg.text()).toStartWith("<svg");
    const png = await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![1]!.id}/png?longEdge=400`, { token: a.token });
    expect(png.status).toBe(200);
    const bytes = new Uint8Array(await png.arrayBuffer());
    expect([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect(renderJobs()).toBe(2);
    expect(h.ctx.store.db.query("SELECT sum(render_count) AS n FROM pages").get()).toEqual({ n: 2 });
    // Re-PUT of the same state: nothing changes, nothing queued, nothing missing.
    const same = await json(await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: d.input }));
    expect(same).toMatchObject({ changed: false, revision: 1, missing: [], pages: { queued: 0 } });
  });

  test("metadata-only change: one request, new revision, no render job", async () => {
    const d = buildDoc([P1], { name: "Meta" });
    await syncDoc(h, a.token, d);
    await h.runner.idle();
    const jobs = renderJobs();
    const folder = uuid();
    await call(h, "PUT", `/api/v1/documents/${folder}`, { token: a.token, json: { metadata: { visibleName: "Folder", type: "CollectionType", parent: "" } } });
    const renamed = { ...d.input, metadata: { ...d.input.metadata, visibleName: "Renamed", parent: folder, pinned: true } };
    // Its server time is measured in bench/ingest.ts (DESIGN.md §9), not asserted here.
    const res = await json(await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: renamed }));
    expect(res).toMatchObject({ changed: true, revision: 2, missing: [], pages: { queued: 0 } });
    expect(renderJobs()).toBe(jobs);
    const doc = await getDoc(d.uuid);
    expect(doc).toMatchObject({ name: "Renamed", parent: folder, pinned: true });
    const inFolder = await json(await call(h, "GET", `/api/v1/documents?parent=${folder}`, { token: a.token }));
    expect(inFolder.documents.map((x: any) => x.uuid)).toEqual([d.uuid]);
    const folders = await json(await call(h, "GET", `/api/v1/folders`, { token: a.token }));
    expect(folders.folders.map((f: any) => f.uuid)).toContain(folder);
  });

  test("page reorder, insert, delete, and a content change re-render only what changed", async () => {
    const ids = [uuid(), uuid(), uuid()];
    const d = buildDoc([P1, P2, P3], { pageIds: ids });
    await syncDoc(h, a.token, d);
    await h.runner.idle();
    const jobs = renderJobs();
    // Reorder: metadata only.
    const reordered = { ...d.input, pages: [d.input.pages![2]!, d.input.pages![0]!, d.input.pages![1]!].map((p, i) => ({ ...p, idx: i })) };
    const r1 = await json(await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: reordered }));
    expect(r1.pages.queued).toBe(0);
    expect((await getDoc(d.uuid)).pages.map((p: any) => p.id)).toEqual([ids[2], ids[0], ids[1]]);
    // Delete the middle page, insert a blank page and a new page at the front.
    const newId = uuid();
    const blankId = uuid();
    const edited = {
      ...d.input,
      pages: [
        { id: newId, idx: 0, sha256: sha256Hex(P1), size: P1.byteLength },
        { ...d.input.pages![2]!, idx: 1 },
        { id: blankId, idx: 2, sha256: null, size: 0 },
        { ...d.input.pages![1]!, idx: 3 },
      ],
    };
    const r2 = await json(await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: edited }));
    expect(r2).toMatchObject({ missing: [], pages: { total: 4, queued: 1 } });
    await h.runner.idle();
    const doc = await getDoc(d.uuid);
    expect(doc.pages.map((p: any) => p.id)).toEqual([newId, ids[2], blankId, ids[1]]);
    expect(doc.pages.map((p: any) => p.renderStatus)).toEqual(["done", "done", "blank", "done"]);
    expect(renderJobs()).toBe(jobs + 1);
    // Content change on one page: exactly one re-render.
    const changed = { ...edited, pages: edited.pages.map((p) => (p.id === ids[1] ? { ...p, sha256: sha256Hex(P3), size: P3.byteLength } : p)) };
    const r3 = await json(await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: changed }));
    expect(r3.pages.queued).toBe(1);
    await h.runner.idle();
    expect(renderJobs()).toBe(jobs + 2);
    const page = (await getDoc(d.uuid)).pages.find((p: any) => p.id === ids[1]);
    expect(page).toMatchObject({ sha256: sha256Hex(P3), renderStatus: "done" });
    expect(page.highlights.length).toBeGreaterThan(0);
  });

  test("trash, tablet deletion, server delete and un-deletion", async () => {
    const d = buildDoc([P1], { name: "Trashy" });
    await syncDoc(h, a.token, d);
    const list = async (q = "") => (await json(await call(h, "GET", `/api/v1/documents${q}`, { token: a.token }))).documents.map((x: any) => x.uuid);
    expect(await list()).toContain(d.uuid);
    await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: { ...d.input, metadata: { ...d.input.metadata, parent: "trash" } } });
    expect(await list()).not.toContain(d.uuid);
    expect(await list("?parent=trash")).toContain(d.uuid);
    await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: { ...d.input, metadata: { ...d.input.metadata, parent: "trash", deleted: true } } });
    expect(await list("?trash=include")).not.toContain(d.uuid);
    expect(await list("?deleted=1")).toContain(d.uuid);
    expect((await call(h, "GET", `/api/v1/documents/${d.uuid}/pages`, { token: a.token })).status).toBe(404);
    // Un-delete: the tablet restores it.
    await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: d.input });
    expect(await list()).toContain(d.uuid);
    // Server-side delete (agent saw the files vanish), then restore by PUT.
    const del = await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: a.token });
    expect(await json(del)).toEqual({ uuid: d.uuid, deleted: true });
    expect(await list()).not.toContain(d.uuid);
    await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: d.input });
    expect(await list()).toContain(d.uuid);
    // Purge after the grace period.
    await call(h, "DELETE", `/api/v1/documents/${d.uuid}`, { token: a.token });
    const { purgeDeleted } = await import("../../src/services/library/sync.ts");
    expect(purgeDeleted(h.ctx, Date.now() + 31 * 86_400_000)).toBeGreaterThanOrEqual(1);
    expect(h.ctx.store.documentByUuid(a.id, d.uuid)).toBeNull();
  });

  test("batch: many documents in one request, a bad one does not spoil the rest", async () => {
    const docs = Array.from({ length: 5 }, (_, i) => buildDoc([P1], { name: `B${i}` }));
    const bad = { uuid: "not-a-uuid", ...docs[0]!.input };
    const res = await call(h, "PUT", "/api/v1/documents", { token: a.token, json: { documents: [...docs.map((d) => ({ uuid: d.uuid, ...d.input })), bad] } });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.results.filter((r: any) => r.ok).length).toBe(5);
    expect(body.results[5]).toMatchObject({ ok: false, uuid: "not-a-uuid", error: { code: "bad_uuid" } });
    for (const d of docs) expect(h.ctx.store.documentByUuid(a.id, d.uuid)).not.toBeNull();
  });

  test("nothing half-written: a bad page list leaves the previous state intact", async () => {
    const d = buildDoc([P1, P2]);
    await syncDoc(h, a.token, d);
    const before = await getDoc(d.uuid);
    const broken = { ...d.input, metadata: { ...d.input.metadata, visibleName: "Should not apply" }, pages: [d.input.pages![0]!, { ...d.input.pages![1]!, idx: 0 }] };
    const res = await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: broken });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("bad_page_list");
    expect(await getDoc(d.uuid)).toEqual(before);
  });

  test("document PDF and Markdown downloads", async () => {
    const d = buildDoc([P1, P2], { name: "Export me" });
    d.input.tags = ["work", "two words"];
    await syncDoc(h, a.token, d);
    await h.runner.idle();
    const pdf = await call(h, "GET", `/api/v1/documents/${d.uuid}/pdf`, { token: a.token });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.headers.get("content-disposition")).toContain("Export%20me.pdf");
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    // Second download is served from the cache (same bytes).
    const again = new Uint8Array(await (await call(h, "GET", `/api/v1/documents/${d.uuid}/pdf`, { token: a.token })).arrayBuffer());
    expect(sha256Hex(again)).toBe(sha256Hex(bytes));
    const md = await call(h, "GET", `/api/v1/documents/${d.uuid}/markdown`, { token: a.token });
    expect(md.status).toBe(200);
    const text = await md.text();
    expect(text).toContain("# Export me");
    expect(text).toContain("AB");
    // The document's tags, as Obsidian/Logseq read them (issue 12 item 10).
    expect(text).toContain("# Export me\n\nTags: #work #[[two words]]\n");
  });
});
