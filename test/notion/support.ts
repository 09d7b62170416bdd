// Shared setup for the Notion tests: a harness wired to the fake Notion, a connected user with a
// parent page chosen, and helpers to put text on pages and run the queue.
import { expect } from "bun:test";
import { enqueueNotionSync } from "../../src/services/notion/notion-sync.ts";
import type { FakeNotion } from "../support/fake-notion.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type BuiltDoc, type Harness, type HarnessOptions, type TestUser } from "../support/server-harness.ts";

export const TOKEN = "secret_fake_notion_token_0123456789abcdef";

export async function notionHarness(fake: FakeNotion, extra: Record<string, string | number | boolean> = {}, opts: HarnessOptions = {}): Promise<Harness> {
  return harness({ ...opts, overrides: { "notion.apiBaseUrl": fake.url, "notion.requestsPerSecond": 100, "notion.debounceMs": 0, "notion.maxRetries": 2, publicUrl: "https://rm.example.net", ...extra } });
}

/** A user connected with an internal token, parent page chosen; the first sync has run. */
export async function connectedUser(h: Harness, fake: FakeNotion, email = "notion@example.com", token = TOKEN): Promise<TestUser & { parent: string }> {
  const u = await addUser(h, email);
  const parent = fake.addSharedPage(`Notes of ${email}`);
  let r = await call(h, "POST", "/api/v1/notion/token", { token: u.token, json: { token } });
  if (r.status !== 200) throw new Error(`connect: ${r.status} ${await r.text()}`);
  r = await call(h, "PUT", "/api/v1/notion/parent", { token: u.token, json: { pageId: parent } });
  if (r.status !== 200) throw new Error(`parent: ${r.status} ${await r.text()}`);
  await h.runner.idle();
  return { ...u, parent };
}

/** Store a page's OCR Markdown directly (as the OCR worker would) and queue the notebook. */
export function setPageText(h: Harness, userId: number, d: BuiltDoc, idx: number, md: string, source: "ocr" | "typed" | "highlight" = "ocr"): void {
  const doc = h.ctx.store.documentByUuid(userId, d.uuid)!;
  const page = h.ctx.store.pagesByDocument(doc.id).find((p) => p.idx === idx)!;
  h.ctx.store.putPageText({ pageId: page.id, userId, documentId: doc.id, source, text: md });
  enqueueNotionSync(h.ctx, userId, d.uuid, { delayMs: 0 });
}

export async function notebook(h: Harness, u: TestUser, name: string, pages: number, opts: { parent?: string; tags?: string[] } = {}): Promise<BuiltDoc> {
  const d = buildDoc(Array.from({ length: pages }, () => null), { name, ...(opts.parent ? { parent: opts.parent } : {}) });
  if (opts.tags) d.input.tags = opts.tags;
  await syncDoc(h, u.token, d);
  return d;
}

export function dataSourceOf(h: Harness, userId: number): string {
  return h.ctx.store.notionConnectionByUser(userId)!.data_source_id!;
}

export function notionPageOf(h: Harness, userId: number, uuid: string): string {
  return h.ctx.store.syncRecord(userId, uuid, "notebook")!.notion_id!;
}

export async function status(h: Harness, u: TestUser) {
  return json(await call(h, "GET", "/api/v1/notion", { token: u.token }));
}

/** The connection is revoked because Notion refused its token, and the sync job that found out failed at its first attempt (no retries). */
export async function expectRevoked(h: Harness, u: TestUser): Promise<void> {
  const s = await status(h, u);
  expect(s.connection.status).toBe("revoked");
  expect(s.connection.lastError).toContain("token was rejected");
  const job = h.ctx.store.db.query("SELECT status, attempts FROM jobs WHERE kind = 'notion_sync' ORDER BY id DESC LIMIT 1").get();
  expect(job).toEqual({ status: "failed", attempts: 1 });
}
