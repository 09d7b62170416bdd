// A user's Notion tokens: the sealed access token opened into a client and, for OAuth
// connections, the rotating refresh token. Notion answers an expired access token with 401; the
// client then asks `refreshNotionToken` once for a new one and retries, and only a 401 that a
// refresh cannot cure marks the connection revoked (runNotionSync's classify).
// Refresh tokens rotate (the used one stops working), so refreshes for one user are single-flight,
// and a request that comes back with an already-replaced token takes the stored new one instead
// of spending the refresh token again.
import { NotionClient, NotionValidationError, refreshOauthToken } from "../../notion/client.ts";
import { openToken, sealToken } from "../../notion/token-box.ts";
import type { NotionConnectionRow } from "../../storage/notion-connections.ts";
import type { AppContext } from "../context.ts";

export function tokenKeyMaterial(ctx: AppContext): string {
  return ctx.config.notion.key ?? ctx.secret;
}

/** A client for a bare token (no refresh: internal integration tokens, the connect check). */
export function notionClientFor(ctx: AppContext, token: string, refresh?: (token: string) => Promise<string | null>): NotionClient {
  return new NotionClient({ token, baseUrl: ctx.config.notion.apiBaseUrl, limiter: ctx.notionLimiter, maxRetries: ctx.config.notion.maxRetries, ...(refresh ? { refresh } : {}) });
}

/** A client for the user's stored connection; OAuth connections refresh on 401. */
export async function notionClientForConnection(ctx: AppContext, conn: NotionConnectionRow): Promise<NotionClient> {
  const token = await openToken(tokenKeyMaterial(ctx), conn.user_id, conn.token_enc);
  if (conn.mode !== "oauth" || !conn.refresh_token_enc) return notionClientFor(ctx, token);
  return notionClientFor(ctx, token, (stale) => refreshNotionToken(ctx, conn.user_id, stale));
}

const inFlight = new WeakMap<AppContext, Map<number, Promise<string | null>>>();

/**
 * A new access token for the user whose `stale` token Notion refused, or null when there is
 * none to be had (no refresh token, Notion refused it, OAuth not configured, disconnected).
 * Network and server failures throw (transient: the job is retried later).
 */
export function refreshNotionToken(ctx: AppContext, userId: number, stale: string): Promise<string | null> {
  let byUser = inFlight.get(ctx);
  if (!byUser) inFlight.set(ctx, (byUser = new Map()));
  const running = byUser.get(userId);
  if (running) return running;
  const p = doRefresh(ctx, userId, stale).finally(() => byUser.delete(userId));
  byUser.set(userId, p);
  return p;
}

async function doRefresh(ctx: AppContext, userId: number, stale: string): Promise<string | null> {
  const conn = ctx.store.notionConnectionByUser(userId);
  if (!conn) return null;
  const material = tokenKeyMaterial(ctx);
  const current = await openToken(material, userId, conn.token_enc);
  // Someone refreshed (or reconnected) since this token was read: use the stored one.
  if (current !== stale) return current;
  const { clientId, clientSecret, apiBaseUrl } = ctx.config.notion;
  if (conn.mode !== "oauth" || !conn.refresh_token_enc || !clientId || !clientSecret) return null;
  const refreshToken = await openToken(material, userId, conn.refresh_token_enc, "refresh");
  let r;
  try {
    r = await refreshOauthToken({ baseUrl: apiBaseUrl, clientId, clientSecret, refreshToken });
  } catch (e) {
    // 400 invalid_grant: the refresh token was revoked or already used; the 401 stands.
    if (e instanceof NotionValidationError) return null;
    throw e;
  }
  const sealed = await sealToken(material, userId, r.accessToken);
  // Without a new refresh token in the answer the old one is kept (it may not have rotated).
  const sealedRefresh = r.refreshToken ? await sealToken(material, userId, r.refreshToken, "refresh") : conn.refresh_token_enc;
  // Stored only if the connection is still the one refreshed (a reconnect meanwhile wins).
  if (!ctx.store.setNotionTokens(userId, sealed, sealedRefresh, conn.token_enc)) return null;
  return r.accessToken;
}
