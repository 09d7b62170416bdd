// The Notion mirror (DESIGN.md §6): one database per user, one Notion page per notebook, one
// section (heading_2 "Page N" + its text) per reMarkable page. sync_records is the source of
// truth: every Notion object is recorded the moment it is created, so a crash or retry updates in
// place and never duplicates. Metadata-only changes cost one properties update; a changed page
// replaces only its own blocks; deleted pages and notebooks are archived in Notion; objects the
// user archived in Notion are recreated.
import { PermanentError, RetryAfter } from "../../jobs/errors.ts";
import { NotionAuthError, NotionClient, NotionGoneError, NotionRateLimited, NotionValidationError, type DatabaseInfo } from "../../notion/client.ts";
import { headingBlock, highlightBlocks, markdownToBlocks, plain, planAppend, type Block } from "../../notion/markdown-to-blocks.ts";
import type { DocumentRow } from "../../storage/documents.ts";
import type { NotionConnectionRow } from "../../storage/notion-connections.ts";
import type { PageRow } from "../../storage/pages.ts";
import type { AppContext } from "../context.ts";
import { notionClientForConnection } from "./notion-tokens.ts";

export { notionClientFor, tokenKeyMaterial } from "./notion-tokens.ts";

export const NOTION_SYNC = "notion_sync";

/** The notion_sync job's payload: one notebook, or the whole library (documentUuid null). */
export interface NotionSyncPayload {
  userId: number;
  documentUuid: string | null;
  /** Library sync: the first one (two phases, page limit). Notebook sync: rebuild the content. */
  initial?: boolean;
  force?: boolean;
}

export function parseNotionSyncPayload(p: unknown): NotionSyncPayload {
  const o = p as Partial<NotionSyncPayload> | null;
  if (!o || typeof o.userId !== "number" || !Number.isSafeInteger(o.userId) || o.userId <= 0) throw new Error("notion_sync payload needs a positive integer userId");
  if (o.documentUuid !== null && (typeof o.documentUuid !== "string" || !/^[0-9a-f-]{36}$/.test(o.documentUuid))) throw new Error("notion_sync payload needs a documentUuid (or null)");
  return { userId: o.userId, documentUuid: o.documentUuid, ...(o.initial ? { initial: true } : {}), ...(o.force ? { force: true } : {}) };
}

/**
 * Queue a sync of one notebook (synchronous; safe inside the caller's transaction). Coalesced per
 * notebook: while one is queued, more changes add nothing. No-op without a ready connection.
 */
export function enqueueNotionSync(ctx: AppContext, userId: number, documentUuid: string, opts: { delayMs?: number; force?: boolean; priority?: number } = {}): boolean {
  if (!ctx.store.notionReady(userId)) return false;
  return ctx.queue.enqueue(NOTION_SYNC, { userId, documentUuid, ...(opts.force ? { force: true } : {}) } satisfies NotionSyncPayload, {
    userId,
    priority: opts.priority ?? 0,
    runAfter: ctx.queue.now() + (opts.delayMs ?? ctx.config.notion.debounceMs),
    idempotencyKey: `notion:${userId}:${documentUuid}${opts.force ? ":force" : ""}`,
  }).created;
}

/** A page's text changed (render or OCR commit): queue its notebook's sync. */
export function enqueueNotionSyncForPage(ctx: AppContext, page: { user_id: number; document_id: number }): boolean {
  if (!ctx.store.notionReady(page.user_id)) return false;
  const uuid = ctx.store.documentUuidById(page.document_id);
  return uuid ? enqueueNotionSync(ctx, page.user_id, uuid) : false;
}

/** A document changed: its notebook, or for a folder every notebook below it (their Path). */
export function enqueueNotionSyncForDocument(ctx: AppContext, userId: number, doc: { uuid: string; type: string }): void {
  if (!ctx.store.notionReady(userId)) return;
  if (doc.type !== "CollectionType") {
    enqueueNotionSync(ctx, userId, doc.uuid);
    return;
  }
  const all = ctx.store.documentsByUser(userId);
  const below = new Set([doc.uuid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of all) if (!below.has(d.uuid) && below.has(d.parent)) (below.add(d.uuid), (grew = true));
  }
  for (const d of all) if (d.type === "DocumentType" && below.has(d.uuid)) enqueueNotionSync(ctx, userId, d.uuid);
}

/** Queue a whole-library sync (phase 1: every notebook's page and properties; phase 2: content). */
export function enqueueLibrarySync(ctx: AppContext, userId: number, initial: boolean): boolean {
  if (!ctx.store.notionReady(userId)) return false;
  return ctx.queue.enqueue(NOTION_SYNC, { userId, documentUuid: null, ...(initial ? { initial: true } : {}) } satisfies NotionSyncPayload, {
    userId,
    priority: 1,
    idempotencyKey: `notion:${userId}:library`,
  }).created;
}

// ---------------------------------------------------------------------------------------------
// Database and properties

export const DATABASE_TITLE = "reMarkable";

/** Our logical property → its name at creation and its schema. */
export const PROPERTIES = {
  name: { name: "Name", type: "title", schema: { title: {} } },
  path: { name: "Path", type: "rich_text", schema: { rich_text: {} } },
  tags: { name: "Tags", type: "multi_select", schema: { multi_select: { options: [] } } },
  pages: { name: "Pages", type: "number", schema: { number: { format: "number" } } },
  lastOpened: { name: "Last opened", type: "date", schema: { date: {} } },
  lastModified: { name: "Last modified", type: "date", schema: { date: {} } },
  status: { name: "Status", type: "select", schema: { select: { options: [{ name: "Up to date", color: "green" }, { name: "OCR pending", color: "yellow" }, { name: "Deleted", color: "gray" }] } } },
  link: { name: "Link", type: "url", schema: { url: {} } },
} as const;

export type PropertyKey = keyof typeof PROPERTIES;
export type PropertyIds = Record<PropertyKey, string>;

/** Match a data source's properties to ours by name (case-insensitive) and type. */
function matchProperties(props: DatabaseInfo["properties"]): { ids: Partial<PropertyIds>; missing: PropertyKey[] } {
  const ids: Partial<PropertyIds> = {};
  const missing: PropertyKey[] = [];
  for (const [key, def] of Object.entries(PROPERTIES) as [PropertyKey, (typeof PROPERTIES)[PropertyKey]][]) {
    const hit =
      def.type === "title"
        ? Object.values(props).find((p) => p.type === "title")
        : Object.entries(props).find(([n, p]) => n.toLowerCase() === def.name.toLowerCase() && p.type === def.type)?.[1];
    if (hit) ids[key] = hit.id;
    else missing.push(key);
  }
  return { ids, missing };
}

interface Target {
  conn: NotionConnectionRow;
  client: NotionClient;
  dataSourceId: string;
  ids: PropertyIds;
}

/** Create the database under the chosen parent (or adopt the chosen one) once; ids are stored. */
async function ensureDatabase(ctx: AppContext, conn: NotionConnectionRow, client: NotionClient): Promise<Target> {
  if (conn.data_source_id && conn.property_ids && conn.database_id) return { conn, client, dataSourceId: conn.data_source_id, ids: JSON.parse(conn.property_ids) as PropertyIds };
  let info: DatabaseInfo;
  if (conn.database_id) {
    info = await client.retrieveDatabase(conn.database_id);
    const { missing } = matchProperties(info.properties);
    if (missing.length) {
      const add = Object.fromEntries(missing.map((k) => [PROPERTIES[k].name, PROPERTIES[k].schema]));
      info.properties = await client.addDataSourceProperties(info.dataSourceId, add);
    }
  } else if (conn.parent_page_id) {
    info = await client.createDatabase(conn.parent_page_id, DATABASE_TITLE, Object.fromEntries(Object.values(PROPERTIES).map((p) => [p.name, p.schema])));
  } else throw new PermanentError("notion: no parent page chosen");
  const { ids, missing } = matchProperties(info.properties);
  if (missing.length) throw new PermanentError(`notion: the database lacks properties: ${missing.map((k) => PROPERTIES[k].name).join(", ")}`);
  ctx.store.setNotionDatabase(conn.user_id, info.databaseId, info.dataSourceId, ids);
  return { conn, client, dataSourceId: info.dataSourceId, ids: ids as PropertyIds };
}

export const TODO_DATABASE_TITLE = "reMarkable to-dos";

export const TODO_PROPERTIES = {
  name: { name: "Name", type: "title", schema: { title: {} } },
  done: { name: "Done", type: "checkbox", schema: { checkbox: {} } },
  notebook: { name: "Notebook", type: "rich_text", schema: { rich_text: {} } },
  page: { name: "Page", type: "number", schema: { number: { format: "number" } } },
  link: { name: "Link", type: "url", schema: { url: {} } },
} as const;

type TodoKey = keyof typeof TODO_PROPERTIES;

/** The optional to-do database, created once under the same parent page (not in adopt mode). */
async function ensureTodoDatabase(ctx: AppContext, t: Target): Promise<{ dataSourceId: string; ids: Record<TodoKey, string> } | null> {
  if (!ctx.config.notion.todos) return null;
  const c = ctx.store.notionConnectionByUser(t.conn.user_id);
  if (!c?.parent_page_id) return null;
  if (c.todo_data_source_id && c.todo_property_ids) return { dataSourceId: c.todo_data_source_id, ids: JSON.parse(c.todo_property_ids) as Record<TodoKey, string> };
  const info = await t.client.createDatabase(c.parent_page_id, TODO_DATABASE_TITLE, Object.fromEntries(Object.values(TODO_PROPERTIES).map((p) => [p.name, p.schema])));
  const ids = Object.fromEntries(
    (Object.entries(TODO_PROPERTIES) as [TodoKey, (typeof TODO_PROPERTIES)[TodoKey]][]).map(([k, def]) => [k, info.properties[def.name]?.id ?? def.name]),
  ) as Record<TodoKey, string>;
  ctx.store.setNotionTodoDatabase(t.conn.user_id, { databaseId: info.databaseId, dataSourceId: info.dataSourceId, propertyIds: ids });
  return { dataSourceId: info.dataSourceId, ids };
}

/** Mirror the notebook's checkbox items into the to-do database: created, updated in place, trashed. */
async function syncTodos(ctx: AppContext, t: Target, doc: DocumentRow | null, uuid: string): Promise<void> {
  const s = ctx.store;
  const userId = t.conn.user_id;
  const existing = s.todoSyncRecords(userId, uuid);
  const todoDb = doc ? await ensureTodoDatabase(ctx, t) : null;
  if (!todoDb && !existing.length) return;
  const want = new Map<string, { props: Record<string, unknown>; hash: string; position: number }>();
  if (doc && todoDb) {
    const items = s.todosByUser(userId, { document: uuid, after: 0, limit: 100_000 });
    for (const [i, it] of items.entries()) {
      const props = {
        [todoDb.ids.name]: { title: plain(it.text.slice(0, 2000)) },
        [todoDb.ids.done]: { checkbox: it.checked === 1 },
        [todoDb.ids.notebook]: { rich_text: plain(doc.name.slice(0, 2000)) },
        [todoDb.ids.page]: { number: it.page_idx + 1 },
        [todoDb.ids.link]: { url: `${ctx.config.publicUrl}/documents/${doc.uuid}` },
      };
      want.set(`${it.page_uuid}#${it.source}:${it.position}`, { props, hash: hashOf(props), position: i });
    }
  }
  for (const r of existing) {
    if (want.has(r.page_uuid) || !r.notion_id) continue;
    try {
      await t.client.trashPage(r.notion_id);
    } catch (e) {
      if (!(e instanceof NotionGoneError)) throw e;
    }
    s.deleteSyncRecord(userId, r.page_uuid, "todo");
  }
  const byKey = new Map(existing.map((r) => [r.page_uuid, r]));
  for (const [key, w] of want) {
    const r = byKey.get(key);
    if (r?.notion_id && r.content_hash === w.hash) continue;
    let id = r?.notion_id ?? null;
    if (id) {
      try {
        await t.client.updatePageProperties(id, w.props);
      } catch (e) {
        if (!(e instanceof NotionGoneError)) throw e;
        id = null;
      }
    }
    if (!id) id = await t.client.createPage(todoDb!.dataSourceId, w.props);
    s.upsertSyncRecord({ userId, pageUuid: key, target: "todo", documentUuid: uuid, notionId: id, position: w.position, contentHash: w.hash, status: "synced" });
  }
}

function folderPath(ctx: AppContext, userId: number, doc: DocumentRow): string {
  const parts: string[] = [];
  let parent = doc.parent;
  for (let i = 0; parent && i < 64; i++) {
    if (parent === "trash") {
      parts.unshift("Trash");
      break;
    }
    const f = ctx.store.documentByUuid(userId, parent);
    if (!f) break;
    parts.unshift(f.name);
    parent = f.parent;
  }
  return parts.join(" / ");
}

function tagsOf(doc: DocumentRow): string[] {
  try {
    const tags = (JSON.parse(doc.metadata_json) as { tags?: unknown }).tags;
    if (!Array.isArray(tags)) return [];
    // Notion select option names: ≤ 100 characters, no commas.
    return [...new Set(tags.filter((t): t is string => typeof t === "string").map((t) => t.replace(/,/g, " ").trim().slice(0, 100)).filter(Boolean))].slice(0, 100);
  } catch {
    return [];
  }
}

const PENDING_OCR = new Set(["queued", "pending_quota", "pending_ocr"]);

function isoDate(ms: number | null): { start: string } | null {
  return ms && Number.isFinite(ms) ? { start: new Date(ms).toISOString() } : null;
}

export function notebookProperties(ctx: AppContext, t: { ids: PropertyIds }, doc: DocumentRow, pages: PageRow[]): Record<string, unknown> {
  const ocrPending = pages.some((p) => PENDING_OCR.has(ctx.store.pageOcrByPage(p.id)?.status ?? ""));
  const status = doc.deleted_at ? "Deleted" : ocrPending ? "OCR pending" : "Up to date";
  return {
    [t.ids.name]: { title: plain(doc.name.slice(0, 2000)) },
    [t.ids.path]: { rich_text: plain(folderPath(ctx, doc.user_id, doc).slice(0, 2000)) },
    [t.ids.tags]: { multi_select: tagsOf(doc).map((name) => ({ name })) },
    [t.ids.pages]: { number: pages.length },
    [t.ids.lastOpened]: { date: isoDate(doc.last_opened) },
    [t.ids.lastModified]: { date: isoDate(doc.last_modified) },
    [t.ids.status]: { select: { name: status } },
    [t.ids.link]: { url: `${ctx.config.publicUrl}/documents/${doc.uuid}` },
  };
}

/** A reMarkable page's Notion content: typed text, OCR Markdown, highlights as quotes. */
export function pageContentBlocks(ctx: AppContext, page: PageRow): Block[] {
  const texts = Object.fromEntries(ctx.store.pageTexts(page.id).map((t) => [t.source, t.text]));
  return [...markdownToBlocks(texts.typed ?? ""), ...markdownToBlocks(texts.ocr ?? ""), ...highlightBlocks((texts.highlight ?? "").split("\n"))];
}

function hashOf(v: unknown): string {
  return new Bun.CryptoHasher("sha256").update(JSON.stringify(v)).digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Appending within request limits

type Position = { after: string } | "start" | "end";

/**
 * Append blocks to `parentId` at `pos`, in requests of ≤ 100 blocks and ≤ 2 nesting levels;
 * deeper children follow in further requests to the new block's id. Returns top-level ids.
 */
export async function appendBlocks(client: NotionClient, parentId: string, blocks: Block[], pos: Position = "end"): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined = typeof pos === "object" ? pos.after : undefined;
  let atStart = pos === "start";
  for (const step of planAppend(blocks)) {
    const got = await client.append(parentId, step.blocks, after, atStart);
    atStart = false;
    for (const [i, id] of got.entries()) {
      const later = step.deferred[i];
      if (later?.length) await appendBlocks(client, id, later);
    }
    ids.push(...got);
    after = got.at(-1) ?? after;
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// One notebook

interface SectionWant {
  uuid: string;
  position: number;
  blocks: Block[];
  hash: string;
}

async function deleteAll(client: NotionClient, ids: (string | null)[]): Promise<void> {
  for (const id of ids) if (id) await client.deleteBlock(id);
}

function recordBlocks(r: { block_ids: string }): string[] {
  try {
    const v = JSON.parse(r.block_ids);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Bring the notebook page's sections in line with the reMarkable pages. */
async function syncContent(ctx: AppContext, t: Target, doc: DocumentRow, pageId: string, pages: PageRow[], force: boolean): Promise<void> {
  const userId = doc.user_id;
  const s = ctx.store;
  const want: SectionWant[] = pages.map((p, i) => {
    const blocks = pageContentBlocks(ctx, p);
    return { uuid: p.page_uuid, position: i, blocks, hash: hashOf(blocks) };
  });
  const wantIds = new Set(want.map((w) => w.uuid));
  let records = s.pageSyncRecords(userId, doc.uuid);
  // Sections of pages that no longer exist: archive their blocks.
  for (const r of records) {
    if (wantIds.has(r.page_uuid) && !force) continue;
    await deleteAll(t.client, [r.notion_id, ...recordBlocks(r)]);
    s.deleteSyncRecord(userId, r.page_uuid, "page");
  }
  records = s.pageSyncRecords(userId, doc.uuid);
  // Pages reordered on the tablet: blocks cannot be moved, so rebuild the sections.
  const order = new Map(want.map((w) => [w.uuid, w.position]));
  const kept = records.map((r) => order.get(r.page_uuid)!);
  if (kept.some((v, i) => i > 0 && v < kept[i - 1]!)) {
    for (const r of records) {
      await deleteAll(t.client, [r.notion_id, ...recordBlocks(r)]);
      s.deleteSyncRecord(userId, r.page_uuid, "page");
    }
    records = [];
  }
  const byUuid = new Map(records.map((r) => [r.page_uuid, r]));
  let prevLast: string | null = null;
  // New sections go after the previous section; with none before them, at the start when later
  // sections already exist, else at the end.
  const laterExists = (i: number) => want.slice(i + 1).some((w) => byUuid.has(w.uuid));
  for (const [i, w] of want.entries()) {
    const r = byUuid.get(w.uuid);
    const heading = headingBlock(`Page ${i + 1}`);
    if (!r || !r.notion_id) {
      const pos: Position = prevLast ? { after: prevLast } : laterExists(i) ? "start" : "end";
      const ids = await appendBlocks(t.client, pageId, [heading, ...w.blocks], pos);
      const [headingId, ...blockIds] = ids;
      s.upsertSyncRecord({ userId, pageUuid: w.uuid, target: "page", documentUuid: doc.uuid, notionId: headingId!, blockIds, position: i, contentHash: w.hash, status: "synced" });
      byUuid.set(w.uuid, s.syncRecord(userId, w.uuid, "page")!);
      prevLast = ids.at(-1)!;
      continue;
    }
    let blockIds = recordBlocks(r);
    if (r.position !== i) {
      await t.client.updateBlock(r.notion_id, { heading_2: { rich_text: plain(`Page ${i + 1}`) } });
      s.upsertSyncRecord({ userId, pageUuid: w.uuid, target: "page", documentUuid: doc.uuid, notionId: r.notion_id, blockIds, position: i, contentHash: r.content_hash, status: "synced" });
    }
    if (r.content_hash !== w.hash) {
      await deleteAll(t.client, blockIds);
      s.upsertSyncRecord({ userId, pageUuid: w.uuid, target: "page", documentUuid: doc.uuid, notionId: r.notion_id, blockIds: [], position: i, contentHash: null, status: "pending" });
      blockIds = w.blocks.length ? await appendBlocks(t.client, pageId, w.blocks, { after: r.notion_id }) : [];
      s.upsertSyncRecord({ userId, pageUuid: w.uuid, target: "page", documentUuid: doc.uuid, notionId: r.notion_id, blockIds, position: i, contentHash: w.hash, status: "synced" });
    }
    prevLast = blockIds.at(-1) ?? r.notion_id;
  }
}

async function archiveNotebook(ctx: AppContext, t: Target | null, userId: number, uuid: string): Promise<void> {
  if (t) await syncTodos(ctx, t, null, uuid);
  const rec = ctx.store.syncRecord(userId, uuid, "notebook");
  if (!rec || rec.status === "archived") return;
  if (rec.notion_id && t) {
    try {
      await t.client.trashPage(rec.notion_id);
    } catch (e) {
      if (!(e instanceof NotionGoneError)) throw e;
    }
  }
  ctx.store.tx(() => {
    ctx.store.upsertSyncRecord({ userId, pageUuid: uuid, target: "notebook", documentUuid: uuid, notionId: rec.notion_id, status: "archived", metaHash: null });
    ctx.store.deletePageSyncRecords(userId, uuid);
  });
}

/**
 * The database (or its data source) is gone in Notion. Created by us: forget it and every record,
 * and queue a library sync that creates a new one. Adopted: the user must choose again.
 */
function databaseGone(ctx: AppContext, t: Target): Error {
  const userId = t.conn.user_id;
  if (!t.conn.parent_page_id) {
    ctx.store.tx(() => {
      ctx.store.clearNotionDatabase(userId);
      ctx.store.deleteUserSyncRecords(userId);
      ctx.store.setNotionStatus(userId, "needs_parent", "notion: the adopted database was deleted in Notion; choose a parent page or database again");
    });
    return new PermanentError("notion: the adopted database was deleted in Notion");
  }
  ctx.store.tx(() => {
    ctx.store.clearNotionDatabase(userId);
    ctx.store.deleteUserSyncRecords(userId);
    enqueueLibrarySync(ctx, userId, false);
  });
  // Run this job again (no attempt spent): it creates the new database first.
  return new RetryAfter(1000, "notion: the database was deleted in Notion; a new one is being created");
}

async function createNotebookPage(ctx: AppContext, t: Target, doc: DocumentRow, props: Record<string, unknown>, metaHash: string, status: "pending"): Promise<string> {
  let id: string;
  try {
    id = await t.client.createPage(t.dataSourceId, props);
  } catch (e) {
    throw e instanceof NotionGoneError ? databaseGone(ctx, t) : e;
  }
  ctx.store.tx(() => {
    ctx.store.upsertSyncRecord({ userId: doc.user_id, pageUuid: doc.uuid, target: "notebook", documentUuid: doc.uuid, notionId: id, metaHash, status });
    ctx.store.deletePageSyncRecords(doc.user_id, doc.uuid);
  });
  return id;
}

/**
 * Sync one notebook: its page and properties always (one request when only metadata changed);
 * its sections and to-dos when `content` is set; a deleted notebook is moved to the trash.
 */
export async function syncNotebook(ctx: AppContext, t: Target, userId: number, uuid: string, opts: { content: boolean; force?: boolean }): Promise<void> {
  const s = ctx.store;
  const doc = s.documentByUuid(userId, uuid);
  if (!doc || doc.type !== "DocumentType" || doc.deleted_at !== null) return archiveNotebook(ctx, t, userId, uuid);
  const pages = s.pagesByDocument(doc.id);
  const props = notebookProperties(ctx, t, doc, pages);
  const metaHash = hashOf(props);
  const rec = s.syncRecord(userId, uuid, "notebook");
  let pageId = rec?.status === "archived" ? null : (rec?.notion_id ?? null);
  if (!pageId) pageId = await createNotebookPage(ctx, t, doc, props, metaHash, "pending");
  else if (rec!.meta_hash !== metaHash) {
    try {
      await t.client.updatePageProperties(pageId, props);
      s.upsertSyncRecord({ userId, pageUuid: uuid, target: "notebook", documentUuid: uuid, notionId: pageId, metaHash, status: rec!.status === "failed" ? "pending" : rec!.status, error: null });
    } catch (e) {
      if (!(e instanceof NotionGoneError)) throw e;
      pageId = await createNotebookPage(ctx, t, doc, props, metaHash, "pending");
    }
  }
  if (!opts.content) return;
  try {
    await syncContent(ctx, t, doc, pageId, pages, !!opts.force);
  } catch (e) {
    if (!(e instanceof NotionGoneError)) throw e;
    // The user archived the page (or one of its sections) in Notion: recreate what is missing.
    let alive = false;
    try {
      alive = !(await t.client.retrievePage(pageId)).inTrash;
    } catch (e2) {
      if (!(e2 instanceof NotionGoneError)) throw e2;
    }
    if (!alive) pageId = await createNotebookPage(ctx, t, doc, props, metaHash, "pending");
    await syncContent(ctx, t, doc, pageId, pages, alive);
  }
  await syncTodos(ctx, t, doc, uuid);
  s.upsertSyncRecord({ userId, pageUuid: uuid, target: "notebook", documentUuid: uuid, notionId: pageId, metaHash, status: "synced", error: null });
}

// ---------------------------------------------------------------------------------------------
// The job

/** What a notebook looked like when a sync began; compared at the end to catch late changes. */
export function notebookFingerprint(ctx: AppContext, userId: number, uuid: string): string {
  const doc = ctx.store.documentByUuid(userId, uuid);
  if (!doc) return "gone";
  const pages = ctx.store.pagesByDocument(doc.id);
  return hashOf([doc.revision, doc.deleted_at, pages.map((p) => [p.page_uuid, p.idx, p.sha256, ctx.store.pageTexts(p.id).map((x) => x.updated_at), ctx.store.pageOcrByPage(p.id)?.status])]);
}

/** Run one notion_sync job. Throws RetryAfter (429), PermanentError (revoked token, bad input). */
export async function runNotionSync(ctx: AppContext, p: NotionSyncPayload): Promise<(() => void) | void> {
  const s = ctx.store;
  const conn = s.notionConnectionByUser(p.userId);
  if (!conn || conn.status !== "ready") return;
  const before = p.documentUuid ? notebookFingerprint(ctx, p.userId, p.documentUuid) : null;
  let deferred: string[] = [];
  let content: string[] = [];
  try {
    const t = await ensureDatabase(ctx, conn, await notionClientForConnection(ctx, conn));
    if (p.documentUuid) await syncNotebook(ctx, t, p.userId, p.documentUuid, { content: true, force: !!p.force });
    else {
      // Phase 1: every notebook gets its Notion page and properties (no content yet).
      const docs = s.documentsByUser(p.userId).filter((d) => d.type === "DocumentType");
      const live = new Set(docs.map((d) => d.uuid));
      for (const d of docs) await syncNotebook(ctx, t, p.userId, d.uuid, { content: false });
      for (const r of s.notebookSyncRecords(p.userId)) if (!live.has(r.page_uuid) && r.status !== "archived") await archiveNotebook(ctx, t, p.userId, r.page_uuid);
      // Phase 2 (queued as one job per notebook, newest first): content, within the page limit
      // on the first sync.
      const limit = p.initial && ctx.config.notion.initialPageLimit > 0 ? ctx.config.notion.initialPageLimit : Infinity;
      let budget = limit;
      for (const d of [...docs].sort((a, b) => (b.last_modified ?? 0) - (a.last_modified ?? 0) || a.id - b.id)) {
        if (d.page_count > budget) deferred.push(d.uuid);
        else {
          budget -= d.page_count;
          content.push(d.uuid);
        }
      }
    }
  } catch (e) {
    throw classify(ctx, p, e);
  }
  return () => {
    s.markNotionSynced(p.userId);
    if (p.documentUuid) {
      if (notebookFingerprint(ctx, p.userId, p.documentUuid) !== before) enqueueNotionSync(ctx, p.userId, p.documentUuid);
      return;
    }
    if (p.initial) s.markNotionInitialDone(p.userId);
    for (const uuid of deferred) {
      const r = s.syncRecord(p.userId, uuid, "notebook");
      if (r && r.status !== "synced") s.setSyncRecordStatus(p.userId, uuid, "notebook", "deferred", `beyond the first sync's page limit (${ctx.config.notion.initialPageLimit}); synced when it changes or on "resync"`);
    }
    content.forEach((uuid, i) => enqueueNotionSync(ctx, p.userId, uuid, { delayMs: 0, priority: -1 - Math.min(i, 1_000_000) }));
  };
}

function classify(ctx: AppContext, p: NotionSyncPayload, e: unknown): Error {
  const msg = ((e as Error)?.message ?? String(e)).slice(0, 2000);
  if (e instanceof NotionAuthError) {
    ctx.store.setNotionStatus(p.userId, "revoked", `${msg} — reconnect Notion in the settings`);
    return new PermanentError(msg);
  }
  if (e instanceof NotionRateLimited) return new RetryAfter(e.ms, msg);
  ctx.store.setNotionError(p.userId, msg);
  if (e instanceof NotionValidationError) return new PermanentError(msg);
  return e instanceof Error ? e : new Error(msg);
}

/** Final failure: the reason goes onto the notebook's sync record (what the API shows). */
export function notionSyncFailed(ctx: AppContext, p: NotionSyncPayload, reason: string): void {
  if (!p.documentUuid) {
    ctx.store.setNotionError(p.userId, reason.slice(0, 2000));
    return;
  }
  const r = ctx.store.syncRecord(p.userId, p.documentUuid, "notebook");
  if (r) ctx.store.setSyncRecordStatus(p.userId, p.documentUuid, "notebook", "failed", reason.slice(0, 2000));
  else ctx.store.upsertSyncRecord({ userId: p.userId, pageUuid: p.documentUuid, target: "notebook", documentUuid: p.documentUuid, notionId: null, status: "failed", error: reason.slice(0, 2000) });
}
