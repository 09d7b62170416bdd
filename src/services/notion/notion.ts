// Notion connections (DESIGN.md §6): OAuth for a public integration or a pasted internal
// integration token; the parent page (or an existing database to adopt); status; disconnect;
// "sync now" and per-document resync and state. Tokens are only ever stored sealed.
import { AppError } from "../../errors.ts";
import { exchangeOauthCode, NotionAuthError, NotionValidationError, type SearchPage } from "../../notion/client.ts";
import { sealToken } from "../../notion/token-box.ts";
import type { Auth } from "../accounts/accounts.ts";
import type { AppContext } from "../context.ts";
import { hashToken, randomToken } from "../accounts/crypto.ts";
import { requireDocument } from "../ownership.ts";
import { enqueueLibrarySync, enqueueNotionSync } from "./notion-sync.ts";
import { notionClientFor, notionClientForConnection, tokenKeyMaterial } from "./notion-tokens.ts";

const STATE_TTL_MS = 10 * 60_000;

/** Notion ids: 32 hex digits, with or without dashes; returned dashed and lowercase. */
export function normaliseNotionId(raw: string): string {
  const hex = raw.trim().toLowerCase().replace(/-/g, "");
  // Accept a pasted Notion URL too: the id is the last 32 hex digits of its path.
  const m = /([0-9a-f]{32})(?:[?#].*)?$/.exec(hex.includes("/") ? hex.split(/[?#]/)[0]! : hex);
  if (!m) throw new AppError("bad_notion_id");
  const h = m[1]!;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function iso(ms: number | null): string | null {
  return ms ? new Date(ms).toISOString() : null;
}

/** GET /api/v1/notion: the connection and sync counts. */
export function notionStatus(ctx: AppContext, userId: number) {
  const c = ctx.store.notionConnectionByUser(userId);
  const oauthAvailable = !!(ctx.config.notion.clientId && ctx.config.notion.clientSecret);
  if (!c) return { connected: false, oauthAvailable, connection: null, notebooks: {} };
  const counts = Object.fromEntries(ctx.store.syncRecordCounts(userId).map((r) => [r.status, r.n]));
  return {
    connected: true,
    oauthAvailable,
    connection: {
      mode: c.mode,
      status: c.status,
      workspaceName: c.workspace_name,
      parentPageId: c.parent_page_id,
      databaseId: c.database_id,
      databaseUrl: c.database_id ? `https://www.notion.so/${c.database_id.replace(/-/g, "")}` : null,
      lastError: c.last_error,
      lastSyncAt: iso(c.last_sync_at),
      initialSyncDone: c.initial_done === 1,
      connectedAt: iso(c.created_at),
    },
    notebooks: counts,
  };
}

async function clientForUser(ctx: AppContext, userId: number) {
  const c = ctx.store.notionConnectionByUser(userId);
  if (!c) throw new AppError("notion_not_connected");
  return notionClientForConnection(ctx, c);
}

function notionFailure(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof NotionAuthError) return new AppError("notion_token_rejected", e.message);
  return new AppError("notion_error", (e as Error)?.message?.slice(0, 500));
}

/** POST /api/v1/notion/token: internal integration mode. The token is checked with one search. */
export async function connectInternalToken(ctx: AppContext, userId: number, rawToken: string) {
  const token = rawToken.trim();
  // Printable ASCII only: anything else cannot travel in an Authorization header (fetch would fail
  // locally, which used to surface as a 502 blaming Notion).
  if (token.length < 20 || token.length > 500 || !/^[\x21-\x7e]+$/.test(token)) throw new AppError("notion_token_rejected", "That does not look like a Notion integration token.");
  let pages: SearchPage[];
  try {
    pages = await notionClientFor(ctx, token).searchPages();
  } catch (e) {
    throw notionFailure(e);
  }
  const sealed = await sealToken(tokenKeyMaterial(ctx), userId, token);
  ctx.store.upsertNotionConnection({ userId, mode: "internal", tokenEnc: sealed, workspaceId: null, workspaceName: null, botId: null });
  return { ...notionStatus(ctx, userId), pages };
}

/** GET /api/v1/notion/pages: pages shared with the integration (candidate parents). */
export async function listParentPages(ctx: AppContext, userId: number, query = "") {
  const client = await clientForUser(ctx, userId);
  try {
    return { pages: await client.searchPages(query.slice(0, 200)) };
  } catch (e) {
    throw notionFailure(e);
  }
}

/** PUT /api/v1/notion/parent: where the database lives (or which database to adopt); starts the first sync. */
export function chooseParent(ctx: AppContext, userId: number, input: { pageId?: string; databaseId?: string }) {
  const c = ctx.store.notionConnectionByUser(userId);
  if (!c) throw new AppError("notion_not_connected");
  if (!!input.pageId === !!input.databaseId) throw new AppError("bad_request", "Give either pageId (create the database there) or databaseId (adopt an existing database).");
  const pageId = input.pageId ? normaliseNotionId(input.pageId) : null;
  const databaseId = input.databaseId ? normaliseNotionId(input.databaseId) : null;
  ctx.store.tx(() => {
    ctx.store.setNotionParent(userId, pageId, databaseId);
    ctx.store.deleteUserSyncRecords(userId);
    enqueueLibrarySync(ctx, userId, true);
  });
  return notionStatus(ctx, userId);
}

/** DELETE /api/v1/notion: forget the token and what was synced (Notion content stays). */
export function disconnect(ctx: AppContext, userId: number) {
  ctx.store.tx(() => {
    ctx.store.deleteNotionConnection(userId);
    ctx.store.deleteUserSyncRecords(userId);
  });
  return { connected: false };
}

/** POST /api/v1/notion/sync: sync the whole library now (the first sync if never done). */
export function syncNow(ctx: AppContext, userId: number) {
  const c = ctx.store.notionConnectionByUser(userId);
  if (!c || c.status === "needs_parent") throw new AppError("notion_not_connected");
  if (c.status === "revoked") throw new AppError("notion_not_connected", "Notion no longer accepts the stored token: connect Notion again.");
  if (c.status !== "ready") ctx.store.setNotionStatus(userId, "ready", null);
  const queued = enqueueLibrarySync(ctx, userId, c.initial_done === 0);
  return { queued };
}

/** POST /api/v1/notion/documents/:uuid/sync: resync one notebook now (content rebuilt). */
export function resyncDocument(ctx: AppContext, userId: number, rawUuid: string) {
  const doc = requireDocument(ctx, userId, rawUuid);
  if (!ctx.store.notionReady(userId)) throw new AppError("notion_not_connected");
  return { queued: enqueueNotionSync(ctx, userId, doc.uuid, { delayMs: 0, force: true, priority: 2 }) };
}

/** GET /api/v1/notion/documents/:uuid: a notebook's sync state and last error. */
export function documentSyncState(ctx: AppContext, userId: number, rawUuid: string) {
  const doc = requireDocument(ctx, userId, rawUuid, true);
  const r = ctx.store.syncRecord(userId, doc.uuid, "notebook");
  const pages = ctx.store.pageSyncRecords(userId, doc.uuid);
  return {
    uuid: doc.uuid,
    status: r?.status ?? "not_synced",
    error: r?.error ?? null,
    notionPageId: r?.notion_id ?? null,
    notionUrl: r?.notion_id ? `https://www.notion.so/${r.notion_id.replace(/-/g, "")}` : null,
    syncedAt: iso(r?.synced_at ?? null),
    pages: { synced: pages.filter((p) => p.status === "synced").length, total: doc.page_count },
  };
}

// ---------------------------------------------------------------------------------------------
// OAuth (public integration)

function stateBinding(auth: Auth): string {
  return auth.sessionHash ? `session:${auth.sessionHash}` : `user:${auth.user.id}`;
}

/** GET /notion/oauth/start: the Notion authorize URL with a single-use state bound to this session. */
export function oauthStart(ctx: AppContext, auth: Auth): string {
  const { clientId, clientSecret, redirectUrl, apiBaseUrl } = ctx.config.notion;
  if (!clientId || !clientSecret) throw new AppError("notion_oauth_not_configured");
  const state = randomToken(24);
  ctx.store.insertNotionOauthState(hashToken(state), auth.user.id, stateBinding(auth), Date.now() + STATE_TTL_MS);
  const u = new URL("/v1/oauth/authorize", apiBaseUrl);
  u.searchParams.set("client_id", clientId);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("owner", "user");
  u.searchParams.set("redirect_uri", redirectUrl);
  u.searchParams.set("state", state);
  return u.toString();
}

/** GET /notion/oauth/callback: check the state, exchange the code, store the sealed token. */
export async function oauthCallback(ctx: AppContext, auth: Auth, q: { code?: string; state?: string; error?: string }) {
  const { clientId, clientSecret, redirectUrl, apiBaseUrl } = ctx.config.notion;
  if (!clientId || !clientSecret) throw new AppError("notion_oauth_not_configured");
  const row = q.state && q.state.length <= 200 ? ctx.store.takeNotionOauthState(hashToken(q.state)) : null;
  if (!row || row.user_id !== auth.user.id || row.binding !== stateBinding(auth) || row.expires_at < Date.now()) throw new AppError("notion_bad_state");
  if (q.error) throw new AppError("notion_token_rejected", `Notion authorization was not granted: ${q.error.slice(0, 100)}`);
  if (!q.code || q.code.length > 1000) throw new AppError("bad_request", "The callback has no code.");
  let r;
  try {
    r = await exchangeOauthCode({ baseUrl: apiBaseUrl, clientId, clientSecret, code: q.code, redirectUri: redirectUrl });
  } catch (e) {
    // Notion's 400 (invalid_grant / invalid_request) is about the code the browser brought back.
    if (e instanceof NotionValidationError) throw new AppError("notion_token_rejected", "Notion did not accept the authorization code (expired, already used or not Notion's); connect again.");
    throw notionFailure(e);
  }
  const sealed = await sealToken(tokenKeyMaterial(ctx), auth.user.id, r.accessToken);
  // The refresh token (rotating) is kept sealed too: access tokens expire, and a 401 is first
  // answered by a refresh (services/notion-tokens.ts).
  const sealedRefresh = r.refreshToken ? await sealToken(tokenKeyMaterial(ctx), auth.user.id, r.refreshToken, "refresh") : null;
  ctx.store.tx(() => {
    ctx.store.upsertNotionConnection({ userId: auth.user.id, mode: "oauth", tokenEnc: sealed, refreshTokenEnc: sealedRefresh, workspaceId: r.workspaceId, workspaceName: r.workspaceName, botId: r.botId });
    ctx.store.deleteUserSyncRecords(auth.user.id);
  });
  return notionStatus(ctx, auth.user.id);
}

// ---------------------------------------------------------------------------------------------
// The dashboard's per-notebook panel (views/partials/notion-status.tsx)

export type NotebookSyncState = "synced" | "queued" | "pending" | "failed" | "deferred" | "never";

/** What the document page shows about Notion: null when the user has no connection at all. */
export interface NotionPanelData {
  uuid: string;
  /** The connection can sync (ready); otherwise `connectionProblem` says why. */
  ready: boolean;
  connectionProblem: string | null;
  state: NotebookSyncState;
  syncedAt: number | null;
  error: string | null;
  notionUrl: string | null;
  /** A sync is queued or running: the panel polls. */
  busy: boolean;
}

/** The Notion panel of a document page (scoped by user; someone else's uuid is a 404). */
export function notionPanelData(ctx: AppContext, userId: number, rawUuid: string): NotionPanelData | null {
  const doc = requireDocument(ctx, userId, rawUuid);
  const c = ctx.store.notionConnectionByUser(userId);
  if (!c) return null;
  const r = ctx.store.syncRecord(userId, doc.uuid, "notebook");
  const queued = [`notion:${userId}:${doc.uuid}`, `notion:${userId}:${doc.uuid}:force`, `notion:${userId}:library`].some((k) => ctx.store.liveJobByKey(k) != null);
  let state: NotebookSyncState;
  if (queued) state = "queued";
  else if (!r || r.status === "archived") state = "never";
  else state = r.status;
  const problem =
    c.status === "ready"
      ? null
      : c.status === "needs_parent"
        ? "Choose the Notion page that holds the database to start syncing."
        : c.status === "revoked"
          ? (c.last_error ?? "notion: the token was rejected (revoked or unknown)") // the dashboard says it for people (views/partials/notion-error.tsx)
          : (c.last_error ?? "The Notion connection has a problem.");
  return {
    uuid: doc.uuid,
    ready: c.status === "ready",
    connectionProblem: problem,
    state,
    syncedAt: r?.synced_at ?? null,
    error: r?.status === "failed" || r?.status === "deferred" ? r.error : null,
    notionUrl: r?.notion_id && r.status !== "archived" ? `https://www.notion.so/${r.notion_id.replace(/-/g, "")}` : null,
    busy: queued && c.status === "ready",
  };
}
