// Webhooks (docs/integrations.md): per-user endpoints subscribed to events derived from the
// change feed. A trigger queues a fan-out job for every change of a user with an endpoint (in the
// change's transaction); the fan-out turns the feed after the user's cursor into events, one
// delivery row + one delivery job per subscribed endpoint, and moves the cursor — all in one
// transaction, so no event is missed or made twice across crashes and restarts. Deliveries follow
// the Standard Webhooks spec (webhook-id / webhook-timestamp / webhook-signature, HMAC-SHA256
// with a whsec_ secret), retry with exponential backoff, never follow redirects and refuse
// private targets (SSRF) unless the admin allows them.
import { AppError } from "../../errors.ts";
import { PermanentError, RetryAfter } from "../../jobs/errors.ts";
import type { ChangeRow } from "../../storage/changes.ts";
import type { WebhookDeliveryRow, WebhookEndpointRow } from "../../storage/webhooks.ts";
import type { AppContext } from "../context.ts";
import { encodeCursor, resolveChange } from "./changes.ts";
import { checkTarget, checkWebhookUrl, UnsafeTargetError } from "./ssrf.ts";

export const WEBHOOK_EVENTS = ["document.changed", "page.text_ready", "todo.created", "todo.checked", "quota.threshold"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_FANOUT = "webhook_fanout";
export const WEBHOOK_DELIVERY = "webhook_delivery";
export const MAX_ENDPOINTS = 20;
/** Changes turned into events per fan-out transaction. */
export const FANOUT_BATCH = 500;
/** Deliveries kept per endpoint (the newest; pending ones always). */
export const KEEP_DELIVERIES = 200;
/** Text longer than this is cut in payloads (`truncated: true`); fetch it from the API. */
export const MAX_TEXT_IN_PAYLOAD = 16 * 1024;
const RETRY_CAP_MS = 6 * 3600_000;

export interface WebhookMessage {
  id: string;
  type: WebhookEvent;
  data: Record<string, unknown>;
}

export function newWebhookSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;
}

export function endpointView(e: WebhookEndpointRow) {
  return { id: e.id, url: e.url, events: e.events.split(",").filter(Boolean), description: e.description, enabled: e.enabled === 1, createdAt: new Date(e.created_at).toISOString() };
}

export function deliveryView(d: WebhookDeliveryRow) {
  return {
    id: d.id,
    endpointId: d.endpoint_id,
    eventId: d.event_id,
    eventType: d.event_type,
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.last_status,
    lastError: d.last_error,
    createdAt: new Date(d.created_at).toISOString(),
    deliveredAt: d.delivered_at === null ? null : new Date(d.delivered_at).toISOString(),
  };
}

function parseEvents(events: unknown): WebhookEvent[] {
  const list = (Array.isArray(events) ? events : typeof events === "string" ? [events] : []).filter((e): e is string => typeof e === "string");
  const out = WEBHOOK_EVENTS.filter((e) => list.includes(e));
  if (!out.length || list.some((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e))) throw new AppError("bad_webhook_events", `Choose events among: ${WEBHOOK_EVENTS.join(", ")}.`);
  return out;
}

/** Add an endpoint: the URL is checked (form, DNS, SSRF) now and again at every delivery. */
export async function createWebhook(ctx: AppContext, userId: number, input: { url?: unknown; events?: unknown; description?: unknown }) {
  const events = parseEvents(input.events);
  const description = typeof input.description === "string" ? input.description.trim().slice(0, 200) : "";
  let url: URL;
  try {
    url = checkWebhookUrl(typeof input.url === "string" ? input.url.trim() : "");
    await checkTarget(url, ctx.config.webhooks.allowPrivate);
  } catch (e) {
    if (e instanceof UnsafeTargetError) throw new AppError("webhook_target_refused", e.message);
    throw e;
  }
  const secret = newWebhookSecret();
  const row = ctx.store.tx(() => {
    const existing = ctx.store.webhookEndpoints(userId);
    if (existing.length >= MAX_ENDPOINTS) throw new AppError("too_many_webhooks");
    // The first endpoint starts at the head of the feed: events from now on, not the past.
    if (!existing.some((e) => e.enabled === 1)) ctx.store.setWebhookCursor(userId, ctx.store.changeHead(userId));
    return ctx.store.insertWebhookEndpoint({ userId, url: url.href, secret, events, description });
  });
  return { endpoint: endpointView(row), secret };
}

export function listWebhooks(ctx: AppContext, userId: number) {
  return { events: WEBHOOK_EVENTS, endpoints: ctx.store.webhookEndpoints(userId).map(endpointView) };
}

/** The endpoint's signing secret (its owner only). */
export function webhookSecret(ctx: AppContext, userId: number, id: number): string {
  const e = ctx.store.webhookEndpoint(userId, id);
  if (!e) throw new AppError("webhook_not_found");
  return e.secret;
}

export function deleteWebhook(ctx: AppContext, userId: number, id: number) {
  ctx.store.tx(() => {
    if (!ctx.store.deleteWebhookEndpoint(userId, id)) throw new AppError("webhook_not_found");
    if (!ctx.store.webhookEndpoints(userId).some((e) => e.enabled === 1)) ctx.store.deleteWebhookCursor(userId);
  });
  return { deleted: true };
}

export function listDeliveries(ctx: AppContext, userId: number, endpointId: number, limit = 50) {
  if (!ctx.store.webhookEndpoint(userId, endpointId)) throw new AppError("webhook_not_found");
  return { deliveries: ctx.store.webhookDeliveries(userId, endpointId, Math.min(200, Math.max(1, limit))).map(deliveryView) };
}

function enqueueDelivery(ctx: AppContext, d: WebhookDeliveryRow): void {
  ctx.queue.enqueue(WEBHOOK_DELIVERY, { deliveryId: d.id }, { userId: d.user_id, idempotencyKey: `webhook:${d.id}`, maxAttempts: 10 });
}

/** Send a delivery again (same webhook-id: receivers that saw it can tell). */
export function redeliver(ctx: AppContext, userId: number, deliveryId: number) {
  return ctx.store.tx(() => {
    const d = ctx.store.webhookDeliveryOfUser(userId, deliveryId);
    if (!d) throw new AppError("delivery_not_found");
    ctx.store.resetWebhookDelivery(d.id);
    enqueueDelivery(ctx, d);
    return { delivery: deliveryView(ctx.store.webhookDelivery(d.id)!) };
  });
}

const cut = (text: string) => (text.length > MAX_TEXT_IN_PAYLOAD ? { text: text.slice(0, MAX_TEXT_IN_PAYLOAD), truncated: true } : { text, truncated: false });

/** The events a run of change-feed entries makes (one document.changed per document per run). */
export function deriveEvents(ctx: AppContext, userId: number, rows: ChangeRow[]): WebhookMessage[] {
  const out: WebhookMessage[] = [];
  // Several changes of one page text in one run: one event, for the latest.
  const lastText = new Map<string, number>();
  for (const c of rows) if (c.kind === "text") lastText.set(c.object, c.seq);
  const docs = new Map<string, { last: ChangeRow; pages: Set<string>; deleted: boolean }>();
  const order: string[] = [];
  for (const c of rows) {
    if ((c.kind === "document" || c.kind === "page") && c.document_uuid) {
      let g = docs.get(c.document_uuid);
      if (!g) {
        g = { last: c, pages: new Set(), deleted: false };
        docs.set(c.document_uuid, g);
        order.push(c.document_uuid);
      }
      g.last = c;
      if (c.kind === "page" && c.page_uuid) g.pages.add(c.page_uuid);
      if (c.kind === "document") g.deleted = c.op === "delete";
    } else if (c.kind === "text" && c.op === "upsert" && c.source !== "highlight" && lastText.get(c.object) === c.seq) {
      const st = resolveChange(ctx.store, userId, c);
      if (!st) continue;
      out.push({
        id: `msg_${c.seq}_text`,
        type: "page.text_ready",
        data: { document: { uuid: c.document_uuid, name: docName(ctx, userId, c.document_uuid) }, page: c.page_uuid, source: c.source, hash: st.hash, ...cut(String(st.data.text)), cursor: encodeCursor(c.seq) },
      });
    } else if (c.kind === "todo" && c.op === "upsert" && (c.event === "created" || c.event === "created_checked" || c.event === "checked")) {
      const st = resolveChange(ctx.store, userId, c);
      if (!st) continue;
      const data = { todo: { id: c.ref_id, text: st.data.text, checked: st.data.checked, source: c.source }, document: { uuid: c.document_uuid, name: docName(ctx, userId, c.document_uuid) }, page: c.page_uuid, cursor: encodeCursor(c.seq) };
      if (c.event !== "checked") out.push({ id: `msg_${c.seq}_todo_created`, type: "todo.created", data });
      if (c.event !== "created") out.push({ id: `msg_${c.seq}_todo_checked`, type: "todo.checked", data });
    } else if (c.kind === "notice" && c.event === "quota") {
      const st = resolveChange(ctx.store, userId, c);
      if (st) out.push({ id: `msg_${c.seq}_quota`, type: "quota.threshold", data: { ...st.data, cursor: encodeCursor(c.seq) } });
    }
  }
  for (const uuid of order) {
    const g = docs.get(uuid)!;
    const d = g.deleted ? null : ctx.store.documentByUuid(userId, uuid);
    out.push({
      id: `msg_${g.last.seq}_document`,
      type: "document.changed",
      data: {
        document: { uuid, name: d?.name ?? null, type: d ? (d.type === "CollectionType" ? "folder" : "notebook") : null },
        deleted: g.deleted || !d || d.deleted_at !== null,
        pages: [...g.pages],
        cursor: encodeCursor(g.last.seq),
      },
    });
  }
  return out.sort((a, b) => seqOf(a) - seqOf(b));
}

const seqOf = (m: WebhookMessage) => Number(m.id.split("_")[1]);

function docName(ctx: AppContext, userId: number, uuid: string | null): string | null {
  return uuid ? (ctx.store.documentByUuid(userId, uuid)?.name ?? null) : null;
}

/**
 * The fan-out job's commit (runs in the job's completion transaction): events from the feed after
 * the user's cursor → deliveries and delivery jobs; the cursor moves past them. Queues itself
 * again while more is left.
 */
export function fanOut(ctx: AppContext, userId: number): () => void {
  return () => {
    const s = ctx.store;
    const endpoints = s.webhookEndpoints(userId).filter((e) => e.enabled === 1);
    if (!endpoints.length) return;
    const cursor = s.webhookCursor(userId) ?? s.changeHead(userId);
    const rows = s.changesAfter(userId, cursor, FANOUT_BATCH);
    if (!rows.length) return;
    const at = new Date().toISOString();
    for (const m of deriveEvents(ctx, userId, rows)) {
      const payload = JSON.stringify({ type: m.type, timestamp: at, data: m.data });
      for (const e of endpoints) {
        if (!e.events.split(",").includes(m.type)) continue;
        const d = s.insertWebhookDelivery({ endpointId: e.id, userId, eventId: m.id, eventType: m.type, payload });
        if (d) enqueueDelivery(ctx, d);
      }
    }
    s.setWebhookCursor(userId, rows.at(-1)!.seq);
    for (const e of endpoints) s.pruneWebhookDeliveries(e.id, KEEP_DELIVERIES);
    if (rows.length === FANOUT_BATCH) ctx.queue.enqueue(WEBHOOK_FANOUT, { userId }, { userId, idempotencyKey: `webhook-fanout:${userId}`, priority: 1 });
  };
}

function retryDelay(ctx: AppContext, attempts: number): number {
  const exp = Math.min(RETRY_CAP_MS, ctx.config.webhooks.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/**
 * Send one delivery. 2xx: delivered (the returned commit marks it, fenced by the job). Anything
 * else: the attempt is recorded and the job retried after an exponential backoff, until
 * RMIRROR_WEBHOOK_MAX_ATTEMPTS (then failed; the dashboard can redeliver).
 */
export async function deliver(ctx: AppContext, deliveryId: number, signal: AbortSignal): Promise<(() => void) | void> {
  const d = ctx.store.webhookDelivery(deliveryId);
  if (!d || d.status !== "pending") return; // endpoint deleted, or already settled
  const e = ctx.store.webhookEndpointById(d.endpoint_id);
  if (!e) return;
  const fail = (httpStatus: number | null, error: string, permanent = false): never => {
    const attempts = d.attempts + 1;
    const final = permanent || attempts >= ctx.config.webhooks.maxAttempts;
    ctx.store.recordWebhookAttempt(d.id, { status: final ? "failed" : "pending", httpStatus, error });
    if (final) throw new PermanentError(`webhook delivery failed: ${error}`);
    throw new RetryAfter(retryDelay(ctx, attempts), `webhook delivery: ${error}`);
  };
  let url: URL;
  try {
    url = checkWebhookUrl(e.url);
    await checkTarget(url, ctx.config.webhooks.allowPrivate);
  } catch (err) {
    if (err instanceof UnsafeTargetError) return fail(null, err.message, !err.retryable);
    throw err;
  }
  const now = new Date();
  // The signing library is loaded with the first delivery, not when serve starts.
  const { Webhook } = await import("standardwebhooks");
  const signature = new Webhook(e.secret).sign(d.event_id, now, d.payload);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "rmirror-webhooks",
        "webhook-id": d.event_id,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body: d.payload,
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(ctx.config.webhooks.timeoutSeconds * 1000)]),
    });
  } catch (err) {
    if (signal.aborted) throw err;
    const msg = (err as Error).name === "TimeoutError" ? `no answer within ${ctx.config.webhooks.timeoutSeconds} s` : `cannot connect (${(err as Error).message})`;
    return fail(null, msg);
  }
  // Only the status matters: the body is never read (at most its first bytes are discarded).
  await res.body?.cancel().catch(() => {});
  if (res.status >= 200 && res.status < 300) return () => ctx.store.recordWebhookAttempt(d.id, { status: "delivered", httpStatus: res.status, error: null });
  if (res.status >= 300 && res.status < 400) return fail(res.status, `HTTP ${res.status}: redirects are not followed (point the endpoint at the final URL)`);
  return fail(res.status, `HTTP ${res.status}`);
}

/** Final failure of a delivery job (an unexpected error spent its attempts). */
export function deliveryFailed(ctx: AppContext, deliveryId: number, reason: string): void {
  const d = ctx.store.webhookDelivery(deliveryId);
  if (d && d.status === "pending") ctx.store.setWebhookDeliveryStatus(d.id, "failed", reason.slice(0, 500));
}
