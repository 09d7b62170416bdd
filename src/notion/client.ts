// Thin client over @notionhq/client (API version pinned to 2026-03-11: databases hold data
// sources; blocks are positioned with `position`).
// No business logic: it sends requests through the per-token rate limiter and maps failures to
// prefixed errors ("notion: …"): NotionAuthError (401/403 token revoked or not shared),
// NotionGoneError (404, or an edit refused because its target is in the trash — told by the
// object's `in_trash` state, never by the wording of the message), NotionRateLimited (429 after
// the SDK's own retries, which honour Retry-After), NotionValidationError, plain Error.
// A 401 is first answered by `refresh` (given by the caller for OAuth connections): with a new
// access token the request is sent once more, and only then does the 401 stand.
// The SDK is loaded on the first request, so `serve` starts without parsing it
// (test/build/startup-chunks.test.ts).
import type { Client } from "@notionhq/client";
import type { Block } from "./markdown-to-blocks.ts";
import type { NotionRateLimiter } from "./rate-limit.ts";

/**
 * Pinned API version. 2026-03-11 keeps 2025-09-03's data sources and replaces append's `after`
 * with `position` (and `archived` with `in_trash`), which is what this client sends.
 */
export const NOTION_VERSION = "2026-03-11";

export class NotionAuthError extends Error {
  override readonly name = "NotionAuthError";
  /** 401 (the token is not accepted: revoked or expired) or 403 (no access to the object). */
  constructor(
    message: string,
    readonly reason: "unauthorized" | "restricted" = "unauthorized",
  ) {
    super(message);
  }
}
export class NotionGoneError extends Error {
  override readonly name = "NotionGoneError";
}
export class NotionValidationError extends Error {
  override readonly name = "NotionValidationError";
}
export class NotionRateLimited extends Error {
  override readonly name = "NotionRateLimited";
  constructor(readonly ms: number, message: string) {
    super(message);
  }
}

export interface NotionClientOptions {
  token: string;
  baseUrl: string;
  limiter: NotionRateLimiter;
  /** SDK retries on 429/529 (Retry-After honoured); 0 = none. */
  maxRetries: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * Called once when Notion answers 401 with `token`: a new access token to retry with (stored
   * by the caller), or null when there is none (the 401 then stands).
   */
  refresh?: (token: string) => Promise<string | null>;
}

function retryAfterMs(headers: unknown, fallback: number): number {
  const h = headers as { get?: (k: string) => string | null } | undefined;
  const raw = typeof h?.get === "function" ? h.get("retry-after") : null;
  const s = raw === null ? NaN : Number(raw);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : fallback;
}

type Sdk = typeof import("@notionhq/client");
let sdkModule: Sdk | undefined;
let sdkLoading: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  return (sdkLoading ??= import("@notionhq/client").then((m) => (sdkModule = m)));
}

export function mapNotionError(e: unknown): Error {
  if (e instanceof NotionAuthError || e instanceof NotionGoneError || e instanceof NotionRateLimited || e instanceof NotionValidationError) return e;
  // Before the SDK is loaded nothing can have thrown one of its errors.
  const m = sdkModule;
  if (!m) return new Error(`notion: ${(e as Error)?.message ?? String(e)}`);
  const { APIErrorCode, APIResponseError, isNotionClientError, RequestTimeoutError, UnknownHTTPResponseError } = m;
  if (RequestTimeoutError.isRequestTimeoutError(e)) return new Error("notion: request timed out");
  if (APIResponseError.isAPIResponseError(e)) {
    const msg = `notion: ${e.status} ${e.code}: ${e.message}`;
    if (e.code === APIErrorCode.Unauthorized) return new NotionAuthError(`notion: the token was rejected (revoked or unknown): ${e.message}`);
    if (e.code === APIErrorCode.RestrictedResource) return new NotionAuthError(`notion: the integration has no access: ${e.message}`, "restricted");
    if (e.code === APIErrorCode.ObjectNotFound) return new NotionGoneError(msg);
    if (e.code === APIErrorCode.RateLimited || e.status === 529) return new NotionRateLimited(retryAfterMs(e.headers, 30_000), msg);
    if (e.code === APIErrorCode.ValidationError || e.status === 400 || e.status === 413) return new NotionValidationError(msg);
    return new Error(msg);
  }
  // A 400 whose code the SDK does not know (OAuth's invalid_grant, for one) is still a refusal of what we sent.
  if (UnknownHTTPResponseError.isUnknownHTTPResponseError(e) && e.status === 400) return new NotionValidationError(`notion: 400: ${e.message}`);
  // A body over Notion's size limit may be refused by its front end as 413 Payload Too Large.
  if (UnknownHTTPResponseError.isUnknownHTTPResponseError(e) && e.status === 413) return new NotionValidationError(`notion: 413: the request body is too large: ${e.message}`);
  if (isNotionClientError(e)) return new Error(`notion: ${(e as Error).message}`);
  return new Error(`notion: ${(e as Error)?.message ?? String(e)}`);
}

async function wrap<T>(p: () => Promise<T>): Promise<T> {
  await loadSdk();
  try {
    return await p();
  } catch (e) {
    throw mapNotionError(e);
  }
}

/** A limiter key for a token that does not keep the token itself in memory maps. */
export function tokenKey(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex").slice(0, 24);
}

export type PropertyValues = Record<string, unknown>;

export interface DatabaseInfo {
  databaseId: string;
  dataSourceId: string;
  /** Property name → { id, type } of the data source. */
  properties: Record<string, { id: string; type: string }>;
}

export interface SearchPage {
  id: string;
  title: string;
  url: string | null;
}

export class NotionClient {
  private sdk: Client | undefined;
  private token: string;
  private readonly build: (token: string) => Client;
  private readonly refresh: ((token: string) => Promise<string | null>) | undefined;

  constructor(o: NotionClientOptions) {
    // The limiter key stays the first token's: a refreshed token is the same connection.
    const key = tokenKey(o.token);
    const baseFetch = o.fetch ?? fetch;
    // Every request (including the SDK's own retries) takes a slot from the per-token limiter; a
    // 429 pauses the token for its Retry-After so concurrent work waits too.
    const paced = async (url: string, init?: RequestInit): Promise<Response> => {
      await o.limiter.acquire(key);
      const res = await baseFetch(url, init);
      if (res.status === 429) o.limiter.pause(key, retryAfterMs(res.headers, 1000));
      return res;
    };
    this.build = (token) =>
      new sdkModule!.Client({
        auth: token,
        baseUrl: o.baseUrl,
        notionVersion: NOTION_VERSION,
        timeoutMs: o.timeoutMs ?? 60_000,
        fetch: paced as never,
        logLevel: "error" as never,
        logger: () => {},
        retry: o.maxRetries > 0 ? { maxRetries: o.maxRetries, initialRetryDelayMs: 1000, maxRetryDelayMs: 60_000 } : false,
      });
    this.token = o.token;
    this.refresh = o.refresh;
  }

  /** One API call; a 401 is answered by one refresh and one retry with the new token. */
  private async call<T>(fn: (sdk: Client) => Promise<T>): Promise<T> {
    await loadSdk();
    const sdk = (this.sdk ??= this.build(this.token));
    try {
      return await wrap(() => fn(sdk));
    } catch (e) {
      if (!(e instanceof NotionAuthError) || e.reason !== "unauthorized" || !this.refresh) throw e;
      const fresh = await this.refresh(this.token);
      if (!fresh) throw e;
      this.token = fresh;
      const renewed = (this.sdk = this.build(fresh));
      return await wrap(() => fn(renewed));
    }
  }

  /**
   * An edit that Notion refused with a validation error: if its target (or a block or page
   * above it) is in the trash, that is the reason (NotionGoneError); otherwise the refusal stands.
   * Decided by the objects' `in_trash` state, not by the message's wording.
   */
  private async edit<T>(ids: (string | undefined)[], fn: (sdk: Client) => Promise<T>): Promise<T> {
    try {
      return await this.call(fn);
    } catch (e) {
      if (!(e instanceof NotionValidationError)) throw e;
      for (const id of ids) if (id && (await this.inTrash(id))) throw new NotionGoneError(`notion: ${id} is in the trash (${e.message})`);
      throw e;
    }
  }

  /** Whether a data source, or the database holding it, is in the trash (or gone). */
  private async dataSourceInTrash(dataSourceId: string): Promise<boolean> {
    try {
      const ds = (await this.call((sdk) => sdk.dataSources.retrieve({ data_source_id: dataSourceId }))) as any;
      if (ds?.in_trash === true || ds?.archived === true) return true;
      const dbId = ds?.parent?.type === "database_id" ? ds.parent.database_id : null;
      if (!dbId) return false;
      const db = (await this.call((sdk) => sdk.databases.retrieve({ database_id: dbId }))) as any;
      return db?.in_trash === true || db?.archived === true;
    } catch (e) {
      if (e instanceof NotionGoneError) return true;
      throw e;
    }
  }

  /** Whether a block or page, or one of the blocks and the page above it, is in the trash. */
  private async inTrash(id: string): Promise<boolean> {
    let next: { kind: "block" | "page"; id: string } | null = { kind: "block", id };
    for (let hops = 0; next && hops < 8; hops++) {
      let o: any;
      try {
        const cur: { kind: "block" | "page"; id: string } = next;
        o = await this.call<unknown>((sdk) => (cur.kind === "page" ? sdk.pages.retrieve({ page_id: cur.id }) : sdk.blocks.retrieve({ block_id: cur.id })));
      } catch (e) {
        if (e instanceof NotionGoneError) return true;
        throw e;
      }
      if (o?.in_trash === true || o?.archived === true) return true;
      const parent = o?.parent;
      next = parent?.type === "block_id" ? { kind: "block", id: parent.block_id } : parent?.type === "page_id" && o?.object === "block" ? { kind: "page", id: parent.page_id } : null;
    }
    return false;
  }

  /** Pages shared with the integration (candidate parents). */
  async searchPages(query = ""): Promise<SearchPage[]> {
    const out: SearchPage[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await this.call((sdk) => sdk.search({ ...(query ? { query } : {}), filter: { property: "object", value: "page" }, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }));
      for (const p of r.results as any[]) {
        // Rows of databases (our own notebook pages among them) are not candidate parents.
        if (p.object !== "page" || p.in_trash || p.archived || p.parent?.type === "data_source_id" || p.parent?.type === "database_id") continue;
        const titleProp = Object.values((p.properties ?? {}) as Record<string, any>).find((v) => v?.type === "title");
        const title = (titleProp?.title ?? []).map((t: any) => t.plain_text ?? t.text?.content ?? "").join("") || "Untitled";
        out.push({ id: p.id, title, url: p.url ?? null });
      }
      if (!r.has_more || !r.next_cursor) break;
      cursor = r.next_cursor;
    }
    return out;
  }

  async retrievePage(pageId: string): Promise<{ id: string; inTrash: boolean }> {
    const p = (await this.call((sdk) => sdk.pages.retrieve({ page_id: pageId }))) as any;
    return { id: p.id, inTrash: !!(p.in_trash || p.archived) };
  }

  async createDatabase(parentPageId: string, title: string, properties: Record<string, unknown>): Promise<DatabaseInfo> {
    const db = (await this.edit([parentPageId], (sdk) =>
      sdk.databases.create({
        parent: { type: "page_id", page_id: parentPageId },
        title: [{ type: "text", text: { content: title } }],
        initial_data_source: { properties: properties as never },
      }),
    )) as any;
    const dsId = db.data_sources?.[0]?.id;
    if (!dsId) throw new Error("notion: the new database has no data source");
    return { databaseId: db.id, dataSourceId: dsId, properties: await this.dataSourceProperties(dsId) };
  }

  /** An existing database: its first data source and that source's properties. */
  async retrieveDatabase(databaseId: string): Promise<DatabaseInfo> {
    const db = (await this.call((sdk) => sdk.databases.retrieve({ database_id: databaseId }))) as any;
    if (db.in_trash || db.archived) throw new NotionGoneError("notion: the database is in the trash");
    const dsId = db.data_sources?.[0]?.id;
    if (!dsId) throw new Error("notion: the database has no data source");
    return { databaseId: db.id, dataSourceId: dsId, properties: await this.dataSourceProperties(dsId) };
  }

  async dataSourceProperties(dataSourceId: string): Promise<Record<string, { id: string; type: string }>> {
    const ds = (await this.call((sdk) => sdk.dataSources.retrieve({ data_source_id: dataSourceId }))) as any;
    return Object.fromEntries(Object.entries((ds.properties ?? {}) as Record<string, any>).map(([name, p]) => [name, { id: p.id, type: p.type }]));
  }

  async addDataSourceProperties(dataSourceId: string, properties: Record<string, unknown>): Promise<Record<string, { id: string; type: string }>> {
    const ds = (await this.call((sdk) => sdk.dataSources.update({ data_source_id: dataSourceId, properties: properties as never }))) as any;
    return Object.fromEntries(Object.entries((ds.properties ?? {}) as Record<string, any>).map(([name, p]) => [name, { id: p.id, type: p.type }]));
  }

  async createPage(dataSourceId: string, properties: PropertyValues, children: Block[] = []): Promise<string> {
    try {
      const p = (await this.call((sdk) =>
        sdk.pages.create({ parent: { type: "data_source_id", data_source_id: dataSourceId }, properties: properties as never, ...(children.length ? { children: children as never } : {}) }),
      )) as any;
      return p.id;
    } catch (e) {
      // Refused: because the database is in the trash (its `in_trash`), or for what we sent.
      if (e instanceof NotionValidationError && (await this.dataSourceInTrash(dataSourceId))) throw new NotionGoneError(`notion: the database is in the trash (${e.message})`);
      throw e;
    }
  }

  async updatePageProperties(pageId: string, properties: PropertyValues): Promise<void> {
    await this.edit([pageId], (sdk) => sdk.pages.update({ page_id: pageId, properties: properties as never }));
  }

  async trashPage(pageId: string): Promise<void> {
    await this.edit([pageId], (sdk) => sdk.pages.update({ page_id: pageId, in_trash: true }));
  }

  /** Append blocks (already within request limits); returns the ids of the new top-level blocks. */
  async append(parentId: string, children: Block[], afterBlockId?: string, atStart = false): Promise<string[]> {
    const position = afterBlockId ? { type: "after_block" as const, after_block: { id: afterBlockId } } : atStart ? { type: "start" as const } : null;
    const r = await this.edit([parentId, afterBlockId], (sdk) => sdk.blocks.children.append({ block_id: parentId, children: children as never, ...(position ? { position } : {}) }));
    return (r.results as { id: string }[]).map((b) => b.id);
  }

  async updateBlock(blockId: string, body: Record<string, unknown>): Promise<void> {
    await this.edit([blockId], (sdk) => sdk.blocks.update({ block_id: blockId, ...body } as never));
  }

  /** Move a block to the trash ("delete"); a block that is already gone counts as done. */
  async deleteBlock(blockId: string): Promise<void> {
    try {
      await this.edit([blockId], (sdk) => sdk.blocks.delete({ block_id: blockId }));
    } catch (e) {
      if (e instanceof NotionGoneError) return;
      throw e;
    }
  }
}

export interface OauthResult {
  accessToken: string;
  /** Notion's rotating refresh token (null when the response has none). */
  refreshToken: string | null;
  workspaceId: string | null;
  workspaceName: string | null;
  botId: string | null;
}

/** POST /v1/oauth/token (HTTP Basic with client id/secret, done by the SDK). */
export async function exchangeOauthCode(o: { baseUrl: string; clientId: string; clientSecret: string; code: string; redirectUri: string; fetch?: typeof fetch }): Promise<OauthResult> {
  const { Client } = await loadSdk();
  const sdk = new Client({ baseUrl: o.baseUrl, notionVersion: NOTION_VERSION, retry: false, logger: () => {}, ...(o.fetch ? { fetch: o.fetch as never } : {}) });
  const r = (await wrap(() => sdk.oauth.token({ grant_type: "authorization_code", code: o.code, redirect_uri: o.redirectUri, client_id: o.clientId, client_secret: o.clientSecret }))) as any;
  return { accessToken: r.access_token, refreshToken: typeof r.refresh_token === "string" && r.refresh_token ? r.refresh_token : null, workspaceId: r.workspace_id ?? null, workspaceName: r.workspace_name ?? null, botId: r.bot_id ?? null };
}

/**
 * POST /v1/oauth/token with grant_type=refresh_token (HTTP Basic client auth): a new access token
 * and a new refresh token; the one sent stops working (rotation). A refused refresh token is a
 * NotionValidationError (400 invalid_grant).
 */
export async function refreshOauthToken(o: { baseUrl: string; clientId: string; clientSecret: string; refreshToken: string; fetch?: typeof fetch }): Promise<OauthResult> {
  const { Client } = await loadSdk();
  const sdk = new Client({ baseUrl: o.baseUrl, notionVersion: NOTION_VERSION, retry: false, logger: () => {}, ...(o.fetch ? { fetch: o.fetch as never } : {}) });
  const r = (await wrap(() => sdk.oauth.token({ grant_type: "refresh_token", refresh_token: o.refreshToken, client_id: o.clientId, client_secret: o.clientSecret }))) as any;
  if (typeof r?.access_token !== "string" || !r.access_token) throw new Error("notion: the token refresh answered without an access token");
  return { accessToken: r.access_token, refreshToken: typeof r.refresh_token === "string" && r.refresh_token ? r.refresh_token : null, workspaceId: r.workspace_id ?? null, workspaceName: r.workspace_name ?? null, botId: r.bot_id ?? null };
}
