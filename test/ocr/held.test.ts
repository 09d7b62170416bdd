// Issue 15, initial-sync limit (in process, real SQLite, fake Anthropic API): a notebook new to
// the server from a computer with limit N has its newest N pages read; the others are held — also
// when they are rendered again — until asked for; "read the rest" goes newest first and stops at
// the quota; the document's plain "OCR waiting pages" leaves held pages alone; a held page whose
// strokes change, and a page added later, are read as usual.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides } from "./support.ts";

const fake = fakeAnthropicForFile();
let h: Harness;
let u: TestUser;

beforeAll(async () => {
  h = await harness({ overrides: ocrOverrides(fake, { "quota.defaultPages": 5 }) });
  u = await addUser(h, "held@example.com");
  const tokenId = h.ctx.store.deviceTokensByUser(u.id)[0]!.id;
  h.ctx.store.saveSyncSettings({ tokenId, userId: u.id, mode: "exclude", items: [], initialPages: 2 });
});
afterAll(() => h.close());

const statuses = (uuid: string) => {
  const doc = h.ctx.store.documentByUuid(u.id, uuid)!;
  return h.ctx.store.pagesByDocument(doc.id).map((p) => h.ctx.store.pageOcrByPage(p.id)?.status ?? "none");
};

test("newest 2 of 5 read, 3 held; the plain document OCR leaves them; read the rest newest first within the quota", async () => {
  const pages = [1, 2, 3, 4, 5].map(inkPage);
  const d = buildDoc(pages, { name: "Big notebook" });
  await syncDoc(h, u.token, d);
  await h.runner.idle();
  expect(statuses(d.uuid)).toEqual(["held", "held", "held", "done", "done"]);
  expect(fake.requests.length).toBe(2);

  // The document's "OCR waiting and failed pages" does not touch held pages.
  const plain = await json(await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr`, { token: u.token }));
  expect(plain.queued).toBe(0);

  // Quota 5 pages: 2 used; one more page elsewhere leaves room for 2 of the 3 held.
  const other = buildDoc([inkPage(9)], { name: "Other" });
  await syncDoc(h, u.token, other);
  await h.runner.idle();
  expect(fake.requests.length).toBe(3);
  const r = await json(await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr/held`, { token: u.token }));
  expect(r).toMatchObject({ queued: 2, left: 1 });
  await h.runner.idle();
  expect(statuses(d.uuid)).toEqual(["held", "done", "done", "done", "done"]); // newest first
  const page0 = d.input.pages![0]!.id;
  const api = await json(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${page0}/ocr`, { token: u.token }));
  expect(api.status).toBe("held");
  expect(api.held).toContain("initial-sync limit");
  expect((await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr/held`, { token: u.token })).status).toBe(402);
});

test("a held page whose strokes change is read as usual; a page added later is read", async () => {
  const tokenId = h.ctx.store.deviceTokensByUser(u.id)[0]!.id;
  h.ctx.store.saveSyncSettings({ tokenId, userId: u.id, mode: "exclude", items: [], initialPages: 1 });
  h.ctx.store.setUserQuotaLimit(u.id, null); // unlimited from here on
  const d = buildDoc([inkPage(20), inkPage(21)], { name: "Two pages" });
  await syncDoc(h, u.token, d);
  await h.runner.idle();
  const s = statuses(d.uuid);
  expect(s[0]).toBe("held");
  // The first page changes on the tablet: read as usual.
  const changed = buildDoc([inkPage(22), inkPage(21)], { name: "Two pages", uuid: d.uuid, pageIds: d.input.pages!.map((p) => p.id) });
  await syncDoc(h, u.token, changed);
  await h.runner.idle();
  expect(statuses(d.uuid)).toEqual(["done", "done"]);
  // A page added later (the notebook is not new any more): read as usual.
  const more = buildDoc([inkPage(22), inkPage(21), inkPage(23)], { name: "Two pages", uuid: d.uuid, pageIds: [...d.input.pages!.map((p) => p.id), crypto.randomUUID()] });
  await syncDoc(h, u.token, more);
  await h.runner.idle();
  expect(statuses(d.uuid)).toEqual(["done", "done", "done"]);
});

test("read the rest: another user's document is not found, no credentials are refused, and nothing is read", async () => {
  const mallory = await addUser(h, "mallory@example.com");
  const d = buildDoc([1, 2, 3].map(inkPage), { name: "Private notebook" });
  await syncDoc(h, u.token, d);
  await h.runner.idle();
  const before = fake.requests.length;
  const held = statuses(d.uuid).filter((s) => s === "held").length;
  expect(held).toBeGreaterThan(0); // the limit the previous test left (1 page) holds the older ones
  expect((await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr/held`, { token: mallory.token })).status).toBe(404);
  expect((await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr/held`, {})).status).toBe(401);
  expect((await call(h, "POST", `/api/v1/documents/${d.uuid}/ocr/held`, { token: "rmt_not-a-real-token" })).status).toBe(401);
  expect((await call(h, "POST", `/api/v1/documents/..%2F${d.uuid}/ocr/held`, { token: u.token })).status).toBeGreaterThanOrEqual(400);
  await h.runner.idle();
  expect(fake.requests.length).toBe(before);
  expect(statuses(d.uuid).filter((s) => s === "held").length).toBe(held);
});
