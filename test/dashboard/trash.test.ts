// The Trash page: items in the tablet's trash and documents deleted on the tablet (within the
// grace period, with their purge day) — never in the library, never someone else's, escaped,
// paginated, viewable read-only, and no restore button (the tablet is the source of truth).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { inkPage } from "../ocr/support.ts";
import { addUser, buildDoc, call, harness, syncDoc, uuid, type BuiltDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { expectEscaped, req, session, XSS_IMG, XSS_SCRIPT, type Browser } from "./support.ts";

const DAY = 86_400_000;
let h: Harness;
let alice: TestUser;
let bob: TestUser;
let A: Browser;
let B: Browser;
let kept: BuiltDoc;
let trashed: BuiltDoc;
let tabletDeleted: BuiltDoc;
let agentDeleted: BuiltDoc;
let expired: BuiltDoc;
let child: BuiltDoc;
let bobTrashed: BuiltDoc;
let bobDeleted: BuiltDoc;
const trashedFolder = uuid();

async function put(token: string, d: BuiltDoc, metadata: Record<string, unknown>) {
  const res = await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token, json: { ...d.input, metadata: { ...d.input.metadata, ...metadata } } });
  expect(res.status).toBe(200);
}

const text = async (b: Browser | null, path: string) => (await req(h, b, "GET", path)).text();

beforeAll(async () => {
  h = await harness({ overrides: { trashGraceDays: 30 } });
  alice = await addUser(h, "alice@example.com", true);
  bob = await addUser(h, "bob@example.com");
  A = session(h, alice);
  B = session(h, bob);
  kept = buildDoc([inkPage(1)], { name: "Kept notebook" });
  trashed = buildDoc([inkPage(2)], { name: `Trashed ${XSS_SCRIPT}` });
  tabletDeleted = buildDoc([inkPage(3), inkPage(4)], { name: `Deleted ${XSS_IMG}` });
  agentDeleted = buildDoc([inkPage(5)], { name: "Vanished files" });
  expired = buildDoc([inkPage(6)], { name: "Long gone" });
  child = buildDoc([inkPage(7)], { name: "Inside trashed folder", parent: trashedFolder });
  bobTrashed = buildDoc([inkPage(8)], { name: "Bob secret trashed" });
  bobDeleted = buildDoc([inkPage(9)], { name: "Bob secret deleted" });
  for (const d of [kept, trashed, tabletDeleted, agentDeleted, expired, child]) await syncDoc(h, alice.token, d);
  for (const d of [bobTrashed, bobDeleted]) await syncDoc(h, bob.token, d);
  const folder = await call(h, "PUT", `/api/v1/documents/${trashedFolder}`, {
    token: alice.token,
    json: { metadata: { visibleName: `Folder ${XSS_IMG}`, type: "CollectionType", parent: "trash", lastModified: "1700000000000" }, pages: [], files: [] },
  });
  expect(folder.status).toBe(200);
  await h.runner.idle();
  await put(alice.token, trashed, { parent: "trash" });
  await put(alice.token, tabletDeleted, { parent: "trash", deleted: true });
  expect((await call(h, "DELETE", `/api/v1/documents/${agentDeleted.uuid}`, { token: alice.token })).status).toBe(200);
  // Deleted 31 days ago: past the grace period (due for the next purge), no longer listed.
  expect(h.ctx.store.softDeleteDocument(alice.id, expired.uuid, Date.now() - 31 * DAY)).toBe(true);
  await put(bob.token, bobTrashed, { parent: "trash" });
  await put(bob.token, bobDeleted, { deleted: true });
});
afterAll(async () => {
  await h.close();
});

describe("trash page", () => {
  test("logged out → login redirect (htmx: HX-Redirect)", async () => {
    const res = await req(h, null, "GET", "/trash?page=2");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/trash?page=2")}`);
    const hx = await req(h, null, "GET", "/trash", { htmx: true });
    expect(hx.status).toBe(401);
    expect(hx.headers.get("hx-redirect")).toStartWith("/login?next=");
  });

  test("lists trashed and deleted items (not the library's), with the purge day; no restore button", async () => {
    const res = await req(h, A, "GET", "/trash");
    expect(res.status).toBe(200);
    const html = await res.text();
    const row = (u: string) => new RegExp(`<tr class="[^"]*" data-doc-uuid="${u}" data-trash-state="([a-z]+)">([\\s\\S]*?)</tr>`).exec(html);
    expect(row(trashed.uuid)?.[1]).toBe("trash");
    expect(row(trashedFolder)?.[1]).toBe("trash");
    expect(row(tabletDeleted.uuid)?.[1]).toBe("deleted");
    expect(row(agentDeleted.uuid)?.[1]).toBe("deleted");
    expect(row(trashed.uuid)![2]).toContain(`href="/documents/${trashed.uuid}"`);
    expect(row(trashedFolder)![2]).toContain(`href="/folders/${trashedFolder}"`);
    expect(row(tabletDeleted.uuid)![2]).toContain(`href="/documents/${tabletDeleted.uuid}"`);
    // Purge day = deleted_at + grace period (what purgeDeleted uses).
    for (const d of [tabletDeleted, agentDeleted]) {
      const deletedAt = h.ctx.store.documentByUuid(alice.id, d.uuid)!.deleted_at!;
      const due = new Date(deletedAt + 30 * DAY).toISOString();
      expect(row(d.uuid)![2]).toContain(`data-purge-at="${due}"`);
    }
    expect(row(trashed.uuid)![2]).not.toContain("data-purge-at");
    // Not listed: library items, items inside a trashed folder (reached through it), expired tombstones.
    for (const u of [kept.uuid, child.uuid, expired.uuid]) expect(html).not.toContain(u);
    expect(html).toContain("restore it on your tablet; it comes back here at the next sync");
    expect(html).toContain("30 days after");
    expect(html).not.toMatch(/<button[^>]*>[^<]*restore/i);
    expect(html).toContain("4 items");
    // The library hides them and links to the trash.
    const lib = await text(A, "/");
    expect(lib).toContain(kept.uuid);
    for (const u of [trashed.uuid, trashedFolder, tabletDeleted.uuid, agentDeleted.uuid, expired.uuid]) expect(lib).not.toContain(`data-doc-uuid="${u}"`);
    expect(lib).toMatch(/<a href="\/trash" id="trash-link" data-trash-count="4">/);
  });

  test("hostile names are escaped", async () => {
    const html = await text(A, "/trash");
    expectEscaped(html, `Trashed ${XSS_SCRIPT}`, expect);
    expectEscaped(html, `Deleted ${XSS_IMG}`, expect);
    expectEscaped(html, `Folder ${XSS_IMG}`, expect);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
  });

  test("user isolation: each user sees only their own trash; someone else's deleted document is a 404", async () => {
    const a = await text(A, "/trash");
    const b = await text(B, "/trash");
    for (const d of [bobTrashed, bobDeleted]) {
      expect(a).not.toContain(d.uuid);
      expect(b).toContain(`data-doc-uuid="${d.uuid}"`);
    }
    for (const u of [trashed.uuid, trashedFolder, tabletDeleted.uuid, agentDeleted.uuid]) expect(b).not.toContain(u);
    expect(b).not.toContain("Trashed");
    for (const path of [`/documents/${tabletDeleted.uuid}`, `/documents/${tabletDeleted.uuid}/pages/1`, `/documents/${trashed.uuid}`, `/folders/${trashedFolder}`]) {
      const res = await req(h, B, "GET", path);
      expect(res.status).toBe(404);
    }
    const page = h.ctx.store.pagesByDocument(h.ctx.store.documentByUuid(alice.id, tabletDeleted.uuid)!.id)[0]!;
    expect((await req(h, B, "GET", `/api/v1/documents/${tabletDeleted.uuid}/pages/${page.page_uuid}/svg`)).status).toBe(404);
  });

  test("a trashed document, folder and its child open read-only with a Trash breadcrumb", async () => {
    const doc = await req(h, A, "GET", `/documents/${trashed.uuid}`);
    expect(doc.status).toBe(200);
    const html = await doc.text();
    expect(html).toContain('id="removed-notice"');
    expect(html).toContain('data-trash-state="trash"');
    expect(html).toContain('<a href="/trash">Trash</a>');
    const page = await req(h, A, "GET", `/documents/${trashed.uuid}/pages/1`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<a href="/trash">Trash</a>');
    expect(await text(A, `/documents/${kept.uuid}/pages/1`)).not.toContain('<a href="/trash">Trash</a>');
    const folder = await text(A, `/folders/${trashedFolder}`);
    expect(folder).toContain('data-trash-state="trash"');
    expect(folder).toContain(`data-doc-uuid="${child.uuid}"`);
    const inside = await text(A, `/documents/${child.uuid}`);
    expect(inside).toContain('data-trash-state="trash"');
    expect(await text(A, `/documents/${kept.uuid}`)).not.toContain('id="removed-notice"');
  });

  test("a deleted document (within the grace period) opens read-only: pages, thumbnails and downloads, no OCR", async () => {
    const res = await req(h, A, "GET", `/documents/${tabletDeleted.uuid}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-trash-state="deleted"');
    expect(html).toContain("restore it on your tablet");
    expect(html).toContain('data-download="rmdoc"'); // issue 13 item 13: downloads until purged (test/dashboard/downloads.test.ts)
    expect(html).not.toContain("notion-sync");
    expect(html).not.toContain('data-action="ocr-document"');
    const img = /<img src="([^"]+\/thumb\/[^"]+)"/.exec(html)![1]!;
    const thumb = await req(h, A, "GET", img);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("content-type")).toBe("image/png");
    const page = await req(h, A, "GET", `/documents/${tabletDeleted.uuid}/pages/2`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('data-action="retry-ocr"');
    expect((await req(h, A, "GET", `/documents/${tabletDeleted.uuid}/status`, { htmx: true })).status).toBe(200);
    // Actions still refuse it; the API listing still hides it.
    expect((await req(h, A, "POST", `/documents/${tabletDeleted.uuid}/ocr`, { htmx: true })).status).toBe(404);
    expect((await req(h, A, "POST", `/documents/${tabletDeleted.uuid}/pages/1/ocr`, { htmx: true })).status).toBe(404);
    expect((await call(h, "GET", `/api/v1/documents/${tabletDeleted.uuid}/pages`, { token: alice.token })).status).toBe(404);
  });

  test("empty state", async () => {
    const u = await addUser(h, "empty@example.com");
    const html = await text(session(h, u), "/trash");
    expect(html).toContain('id="empty-trash"');
    expect(html).not.toContain('id="trash"');
    expect(await text(session(h, u), "/")).toContain('data-trash-count="0"');
  });

  test("is paginated (48 per page)", async () => {
    const u = await addUser(h, "many@example.com");
    const s = session(h, u);
    const store = h.ctx.store;
    const now = Date.now();
    store.tx(() => {
      for (let d = 0; d < 60; d++) {
        store.insertDocument(u.id, uuid(), {
          type: "DocumentType",
          name: `Old ${String(d).padStart(2, "0")}`,
          parent: "trash",
          file_type: "notebook",
          pinned: 0,
          tablet_deleted: d >= 50 ? 1 : 0,
          last_modified: 1_700_000_000_000 + d * 1000,
          last_opened: null,
          metadata_json: "{}",
          content_json: null,
          page_count: 0,
          deleted_at: d >= 50 ? now - d * 1000 : null,
        });
      }
    });
    const p1 = await text(s, "/trash");
    expect(p1.match(/<tr class="doc-card"/g)!.length).toBe(48);
    expect(p1).toContain("Page 1 of 2");
    expect(p1).toContain('rel="next" href="/trash?page=2"');
    expect(p1).not.toContain('rel="prev"');
    const p2 = await text(s, "/trash?page=2");
    expect(p2.match(/<tr class="doc-card"/g)!.length).toBe(12);
    expect(p2).toContain('rel="prev" href="/trash"');
    expect(p2).not.toContain('rel="next"');
    expect((await text(s, "/trash?page=99")).match(/<tr class="doc-card"/g)!.length).toBe(12);
    expect((await text(s, "/trash?page=x")).match(/<tr class="doc-card"/g)!.length).toBe(48);
  });
});
