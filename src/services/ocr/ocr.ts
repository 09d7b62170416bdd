// OCR pipeline decisions (synchronous, safe inside transactions): after a render, store typed
// text and highlights (free) and decide what OCR a page needs; queue it, or park it in
// pending_ocr (no engine) or pending_quota (quota used up). Also the API's "OCR this" request
// (402 when the quota is used up) and the newest-first backlog drain at the monthly reset.
import { configuredEngineKey, ocrKeySetting, ocrModel } from "../../ocr/index.ts";
import type { OcrContext } from "../../ocr/engine.ts";
import { normaliseVocabulary, NOTEBOOK_NAME_CHARS, settingsKey, textTail, VOCABULARY_MAX_CHARS } from "../../ocr/key.ts";
import { effectiveLimit, humanDay, LAST_RESET_SETTING, quotaMonth, quotaState, remaining, type QuotaState } from "../../quota/index.ts";
import { penFor } from "../../render/pens.ts";
import type { Group, Page } from "../../rm/model.ts";
import { AppError } from "../../errors.ts";
import type { PageRow } from "../../storage/pages.ts";
import type { OcrReadReason, PageOcrRow } from "../../storage/page-ocr.ts";
import type { AppContext } from "../context.ts";
import { requireDocument, requirePage } from "../ownership.ts";
import { extractTodos } from "../library/todos.ts";
import { monthUsage } from "./cost.ts";
import { clearOcrPause, ocrPause, pausedPageReason } from "./pause.ts";
import { enqueueTodoistSync } from "../todoist/todoist-sync.ts";

export const OCR = "ocr";

/** The OCR job's payload schema: ids, the content/engine it is for, and why it is read. */
export interface OcrPayload {
  pageId: number;
  sha256: string;
  engineKey: string;
  /** Absent in jobs queued before reasons were recorded. */
  reason?: OcrReadReason;
  /** Asked for on purpose (re-read): runs even when these strokes were read with these settings. */
  force?: boolean;
}

const REASONS = new Set<string>(["new", "changed", "requested", "reread"]);

export function parseOcrPayload(p: unknown): OcrPayload {
  const o = p as Partial<OcrPayload> | null;
  if (!o || typeof o.pageId !== "number" || !Number.isSafeInteger(o.pageId) || o.pageId <= 0) throw new Error("ocr payload needs a positive integer pageId");
  if (typeof o.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(o.sha256)) throw new Error("ocr payload needs a sha256");
  if (typeof o.engineKey !== "string" || !o.engineKey) throw new Error("ocr payload needs an engineKey");
  if (o.reason !== undefined && !REASONS.has(o.reason)) throw new Error("ocr payload has an unknown reason");
  if (o.force !== undefined && typeof o.force !== "boolean") throw new Error("ocr payload: force must be a boolean");
  return { pageId: o.pageId, sha256: o.sha256, engineKey: o.engineKey, ...(o.reason ? { reason: o.reason } : {}), ...(o.force ? { force: true } : {}) };
}

/**
 * The key a user's pages are read with now: the engine's key (engine, model, prompt version,
 * languages) and the user's vocabulary hint (src/ocr/key.ts). A changed hint is a new key; it
 * never re-reads a page by itself.
 */
export function currentEngineKey(ctx: AppContext, userId: number): string {
  return settingsKey(ctx.ocr?.key ?? configuredEngineKey(ctx.config), ctx.store.ocrVocabulary(userId));
}

/**
 * What is sent with a page to help read it (at the time it is read): the notebook's name, the end
 * of the previous page's text (PREVIOUS_TEXT_CHARS) and the user's vocabulary hint.
 */
export function pageOcrContext(ctx: AppContext, page: PageRow): OcrContext {
  const name = ctx.store.documentNameById(page.document_id);
  const previous = ctx.store.previousPageText(page.id);
  const vocabulary = ctx.store.ocrVocabulary(page.user_id);
  const notebook = name?.trim().slice(0, NOTEBOOK_NAME_CHARS);
  return {
    ...(notebook ? { notebook } : {}),
    ...(previous?.trim() ? { previousText: textTail(previous) } : {}),
    ...(vocabulary ? { vocabulary } : {}),
  };
}

/** True when the page has handwriting worth reading (ink strokes; not erasers, selections or highlighters). */
export function hasInk(page: Page): boolean {
  const walk = (g: Group): boolean =>
    g.visible !== false &&
    g.children.some((c) => {
      if (c.kind === "group") return walk(c);
      if (c.kind !== "stroke" || c.points.length === 0) return false;
      const pen = penFor(c.tool);
      return pen.drawn && pen.name !== "highlighter" && pen.name !== "shader";
    });
  return page.layers.some(walk);
}

/** Why a page at `sha256` would be read now: never read, new strokes, or the same strokes with new engine settings. */
export function readReason(o: PageOcrRow | null | undefined, sha256: string): OcrReadReason {
  if (!o?.done_sha256) return "new";
  return o.done_sha256 === sha256 ? "reread" : "changed";
}

/**
 * Queue OCR of a page at `sha256`. A page has at most one queued OCR job (idempotency key
 * `ocr:<page>:<engine key>`): a newer version, or "OCR now", rewrites that job's payload and run
 * time instead of adding one. `settle`: run once the page has not changed for
 * RMIRROR_OCR_SETTLE_SECONDS (each new version pushes it back); otherwise at once. Returns true
 * when a job was added or moved.
 */
export function enqueueOcr(ctx: AppContext, userId: number, pageId: number, sha256: string, priority = 0, opts: { reason?: OcrReadReason; settle?: boolean; force?: boolean } = {}): boolean {
  const key = currentEngineKey(ctx, userId);
  const reason = opts.reason ?? readReason(ctx.store.pageOcrByPage(pageId), sha256);
  const runAfter = ctx.queue.now() + (opts.settle ? ctx.config.ocr.settleSeconds * 1000 : 0);
  ctx.store.setPageOcrStatus(pageId, "queued");
  const payload: OcrPayload = { pageId, sha256, engineKey: key, reason, ...(opts.force ? { force: true } : {}) };
  const r = ctx.queue.enqueue(OCR, payload, { userId, priority, runAfter, idempotencyKey: `ocr:${pageId}:${key}`, replaceQueued: true });
  if (r.created || r.job.status === "queued") return true;
  // The page's job is running (reading an older version, or this one): this version gets its own.
  if (parseOcrPayload(JSON.parse(r.job.payload)).sha256 === sha256) return false;
  return ctx.queue.enqueue(OCR, payload, { userId, priority, runAfter, idempotencyKey: `ocr:${pageId}:${sha256}:${key}` }).created;
}

/**
 * Called in the render's commit transaction, only while the page still has `sha256`: stores typed
 * text and highlights as page text (no quota) and decides the page's OCR state.
 */
export function onPageRendered(ctx: AppContext, page: PageRow, r: { sha256: string; ink: boolean; typedText: string | null; highlights: string[] }): void {
  const s = ctx.store;
  s.putPageText({ pageId: page.id, userId: page.user_id, documentId: page.document_id, source: "typed", text: r.typedText });
  s.putPageText({ pageId: page.id, userId: page.user_id, documentId: page.document_id, source: "highlight", text: r.highlights.join("\n") || null });
  s.replacePageTodos({ userId: page.user_id, pageId: page.id, documentId: page.document_id, source: "typed", items: extractTodos(r.typedText ?? "") });
  enqueueTodoistSync(ctx, page.user_id);
  scheduleOcr(ctx, page, r.sha256, r.ink);
}

function scheduleOcr(ctx: AppContext, page: PageRow, sha256: string, ink: boolean): void {
  const s = ctx.store;
  const key = currentEngineKey(ctx, page.user_id);
  const prev = s.pageOcrByPage(page.id);
  // Newest = content changed last (pages of one upload: the later page in the notebook).
  const base = { pageId: page.id, userId: page.user_id, sha256, engineKey: key, requestedAt: page.updated_at };
  if (!ink) {
    // Nothing handwritten: never sent, and any old OCR text no longer applies.
    s.upsertPageOcr({ ...base, status: "blank" });
    s.putPageText({ pageId: page.id, userId: page.user_id, documentId: page.document_id, source: "ocr", text: null });
    s.replacePageTodos({ userId: page.user_id, pageId: page.id, documentId: page.document_id, source: "ocr", items: [] });
    return;
  }
  // These strokes were read already: other engine settings (engine, model, hint) never re-read a
  // page by itself; `rmirror ocr reread` and the dashboard's Re-read do, when asked.
  if (prev && prev.done_sha256 === sha256) {
    s.upsertPageOcr({ ...base, status: "done" });
    return;
  }
  // Beyond its computer's initial-sync limit (choose what syncs): not read until asked for, as
  // long as the strokes are the ones that arrived with the first sync.
  if (prev?.status === "held" && prev.sha256 === sha256) {
    s.upsertPageOcr({ ...base, status: "held" });
    return;
  }
  if (!ctx.ocr) {
    s.upsertPageOcr({ ...base, status: "pending_ocr" });
    return;
  }
  const paused = ocrPause(ctx);
  if (paused) {
    s.upsertPageOcr({ ...base, status: "pending_ocr" });
    s.setPageOcrStatus(page.id, "pending_ocr", pausedPageReason(paused));
    return;
  }
  s.upsertPageOcr({ ...base, status: "queued" });
  if (remaining(quotaState(ctx, page.user_id)) < 1) {
    s.setPageOcrStatus(page.id, "pending_quota");
    return;
  }
  enqueueOcr(ctx, page.user_id, page.id, sha256, 0, { settle: true });
}

export function quotaExceeded(q: QuotaState): AppError {
  const quota = { used: q.used, limit: q.limit, resets_at: q.resets_at };
  return new AppError("quota_exceeded", undefined, { quota }, undefined, { error: "quota_exceeded", message: "The monthly OCR quota is used up; OCR resumes when it resets.", quota });
}

/** Pages "OCR now" applies to: waiting, failed, held (beyond the initial-sync limit), or queued (still settling: pulled forward). */
const REQUESTABLE = new Set(["pending_quota", "pending_ocr", "failed", "queued", "held"]);

/** What the page OCR API and the dashboard say about a held page. */
export const HELD_REASON = "not read: beyond the initial-sync limit of the computer it came from; read it on request";

/**
 * The API asks for OCR of a document (or one page): queue its pages that wait or failed (one page:
 * also a held one), newest first, as far as the quota reaches. `onlyHeld`: only the pages held by the initial-sync
 * limit ("Read the remaining pages"). 402 quota_exceeded when the month's quota is used up; 409
 * when no engine is configured.
 */
export function requestOcr(ctx: AppContext, userId: number, rawUuid: string, rawPageId?: string, opts: { onlyHeld?: boolean } = {}) {
  const pages = rawPageId === undefined ? ctx.store.pagesByDocument(requireDocument(ctx, userId, rawUuid).id) : [requirePage(ctx, userId, rawUuid, rawPageId).page];
  if (!ctx.ocr) throw new AppError("ocr_not_configured", `OCR is not configured on this server: set ${ocrKeySetting(ctx.config)}.`);
  const paused = ocrPause(ctx);
  if (paused) throw new AppError("ocr_paused", `${pausedPageReason(paused)}. The server administrator has to set a working key and restart.`);
  const q = quotaState(ctx, userId);
  const wanted = pages.flatMap((p) => {
    const o = ctx.store.pageOcrByPage(p.id);
    // A document's held pages are read only when asked for by name (onlyHeld) or one by one.
    const fits = opts.onlyHeld ? o?.status === "held" : REQUESTABLE.has(o?.status ?? "") && (rawPageId !== undefined || o?.status !== "held");
    return o && p.sha256 === o.sha256 && fits ? [o] : [];
  });
  if (wanted.length && remaining(q) < 1) throw quotaExceeded(q);
  let queued = 0;
  ctx.store.tx(() => {
    for (const o of wanted.sort((a, b) => b.requested_at - a.requested_at).slice(0, Math.min(wanted.length, remaining(q)))) {
      if (enqueueOcr(ctx, userId, o.page_id, o.sha256, 0, { reason: "requested" })) queued++;
    }
  });
  return { queued, left: wanted.length - queued, quota: quotaState(ctx, userId) };
}

/** Queue a user's pending_quota backlog, newest page first, as far as this month's quota reaches. */
export function drainBacklog(ctx: AppContext, userId: number): number {
  if (!ctx.ocr || ocrPause(ctx)) return 0;
  return ctx.store.tx(() => {
    const left = remaining(quotaState(ctx, userId));
    if (left < 1) return 0;
    const rows = ctx.store.pageOcrBacklog(userId, "pending_quota", Number.isFinite(left) ? left : 1_000_000);
    // Newest first: enqueued in this order with rising priority so the newest is claimed first.
    let n = 0;
    rows.forEach((o, i) => {
      if (enqueueOcr(ctx, userId, o.page_id, o.sha256, rows.length - i)) n++;
    });
    return n;
  });
}

/**
 * The monthly reset (node-cron, and at start-up in case one was missed): usage is per month, so
 * the new month starts at zero by itself; this drains every user's backlog newest first. Runs
 * once per month (settings quota.last_reset_month). Returns the number of pages queued.
 */
export function monthlyReset(ctx: AppContext, now = ctx.queue.now()): number {
  const month = quotaMonth(now, ctx.config.quota.timezone);
  if (ctx.store.settingValue(LAST_RESET_SETTING) === month) return 0;
  ctx.store.putSetting(LAST_RESET_SETTING, month);
  let n = 0;
  for (const userId of ctx.store.usersWithOcrStatus("pending_quota")) n += drainBacklog(ctx, userId);
  if (n) ctx.log.info("quota month started: OCR backlog queued newest first", { month, pages: n });
  return n;
}

/**
 * At start-up with an engine configured: pages that waited for one (or for a working key) are
 * queued. A restart lifts a pause for a rejected key: it tries again, with one request.
 */
export function resumePendingOcr(ctx: AppContext): number {
  if (!ctx.ocr) return 0;
  clearOcrPause(ctx);
  let n = 0;
  for (const userId of ctx.store.usersWithOcrStatus("pending_ocr")) {
    ctx.store.tx(() => {
      for (const o of ctx.store.pageOcrBacklog(userId, "pending_ocr", 1_000_000)) {
        const key = currentEngineKey(ctx, userId);
        ctx.store.upsertPageOcr({ pageId: o.page_id, userId, status: "queued", sha256: o.sha256, engineKey: key });
        if (remaining(quotaState(ctx, userId)) < 1) ctx.store.setPageOcrStatus(o.page_id, "pending_quota");
        else if (enqueueOcr(ctx, userId, o.page_id, o.sha256)) n++;
      }
    });
  }
  return n;
}

/** GET /api/v1/quota: usage, limit, reset time, OCR state counts and a hint for the dashboard. */
export function quotaSummary(ctx: AppContext, userId: number) {
  const q = quotaState(ctx, userId);
  const counts = Object.fromEntries(ctx.store.pageOcrCounts(userId).map((r) => [r.status, r.n]));
  const tokens = ctx.store.pageOcrTokens(userId);
  const limit = effectiveLimit(ctx, userId);
  let hint: string | null = null;
  const paused = ocrPause(ctx);
  if (ctx.ocr && paused) hint = `OCR is paused for all users: ${paused.reason}. The administrator has to set a working ${ocrKeySetting(ctx.config)} (or _FILE) and restart; ${counts.pending_ocr === 1 ? "1 page waits" : `${counts.pending_ocr ?? 0} pages wait`} and ${counts.pending_ocr === 1 ? "is" : "are"} read then, without spending quota meanwhile.`;
  else if (!ctx.ocr && counts.pending_ocr) hint = `OCR is not configured: set ${ocrKeySetting(ctx.config)} (or _FILE) and restart; waiting pages are read then.`;
  else if (counts.pending_quota) hint = `OCR pending: the monthly quota is used up; ${counts.pending_quota === 1 ? "1 page is" : `${counts.pending_quota} pages are`} read, newest first, when it resets on ${humanDay(q.resets_at, ctx.config.quota.timezone)}.`;
  return {
    quota: { used: q.used, limit, unlimited: limit === null, remaining: limit === null ? null : Math.max(0, limit - q.used), resets_at: q.resets_at, month: q.month, timezone: ctx.config.quota.timezone },
    ocr: {
      configured: ctx.ocr !== null,
      paused: ctx.ocr && paused ? { reason: paused.reason, since: paused.since } : null,
      engine: ctx.config.ocr.engine,
      model: ocrModel(ctx.config),
      pages: { done: counts.done ?? 0, queued: counts.queued ?? 0, pending_quota: counts.pending_quota ?? 0, pending_ocr: counts.pending_ocr ?? 0, failed: counts.failed ?? 0, blank: counts.blank ?? 0, held: counts.held ?? 0 },
      tokens: { input: tokens.input ?? 0, output: tokens.output ?? 0 },
      hint,
    },
    /** This quota month's reads: per reason (where the quota went) and the estimated cost per engine/model. */
    month: monthUsage(ctx, userId, q.month),
    notifications: ctx.store.notificationsByUser(userId, 10).map((n) => ({
      id: n.id,
      kind: n.kind,
      threshold: n.threshold,
      month: n.month,
      message: n.message,
      createdAt: new Date(n.created_at).toISOString(),
      emailed: n.emailed_at !== null,
    })),
  };
}

/** GET a page's OCR state and text. */
export function pageOcr(ctx: AppContext, userId: number, rawUuid: string, rawPageId: string) {
  const { page } = requirePage(ctx, userId, rawUuid, rawPageId);
  const o = ctx.store.pageOcrByPage(page.id);
  const texts = Object.fromEntries(ctx.store.pageTexts(page.id).map((t) => [t.source, t.text]));
  const runAfter = o?.status === "queued" ? ctx.store.ocrQueuedRunAfter(page.id) : null;
  return {
    status: o?.status ?? (page.sha256 ? "not_rendered" : "blank"),
    /** Queued and waiting for the page to stop changing (RMIRROR_OCR_SETTLE_SECONDS); readAt says until when. */
    settling: runAfter !== null && runAfter > ctx.queue.now(),
    readAt: runAfter !== null ? new Date(runAfter).toISOString() : null,
    error: o?.error ?? null,
    /** Held: why the page was not read (beyond its computer's initial-sync limit). */
    held: o?.status === "held" ? HELD_REASON : null,
    markdown: texts.ocr ?? null,
    typedText: texts.typed ?? null,
    highlights: texts.highlight ?? null,
    model: o?.model ?? null,
    inputTokens: o?.input_tokens ?? null,
    outputTokens: o?.output_tokens ?? null,
    ms: o?.ms ?? null,
    doneAt: o?.done_at ? new Date(o.done_at).toISOString() : null,
    current: o ? o.done_sha256 === page.sha256 : false,
    readReason: o?.read_reason ?? null,
  };
}

/**
 * Settings: the user's vocabulary hint (names, jargon), at most VOCABULARY_MAX_CHARS. It is sent
 * with every page read from now on and is part of the engine key; pages read already keep their
 * text until they change or are re-read.
 */
export function setOcrVocabulary(ctx: AppContext, userId: number, raw: string): string {
  const tooLong = () => new AppError("bad_request", `The vocabulary hint is too long: at most ${VOCABULARY_MAX_CHARS} characters.`);
  if (raw.length > VOCABULARY_MAX_CHARS * 4) throw tooLong();
  const text = normaliseVocabulary(raw);
  if (text.length > VOCABULARY_MAX_CHARS) throw tooLong();
  ctx.store.setOcrVocabulary(userId, text);
  return text;
}
