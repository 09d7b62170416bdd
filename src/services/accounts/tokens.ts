// Device tokens for agents: created by a user, shown once, stored hashed, named, revocable.
import { AppError } from "../../errors.ts";
import type { DeviceTokenRow } from "../../storage/device-tokens.ts";
import type { AppContext } from "../context.ts";
import { hashToken, randomToken } from "./crypto.ts";

export const TOKEN_PREFIX = "rmt_";

export interface PublicDeviceToken {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function publicToken(r: DeviceTokenRow): PublicDeviceToken {
  return { id: r.id, name: r.name, prefix: r.prefix, createdAt: iso(r.created_at)!, lastSeenAt: iso(r.last_seen_at), revokedAt: iso(r.revoked_at) };
}

export function checkName(name: string, max = 100): string {
  const n = name.trim();
  if (!n || n.length > max || /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(n)) throw new AppError("bad_name");
  return n;
}

/** Create a token; the plain value is returned only here, never stored. */
export function createDeviceToken(ctx: AppContext, userId: number, name: string): { token: string; record: PublicDeviceToken } {
  const token = TOKEN_PREFIX + randomToken(32);
  const row = ctx.store.insertDeviceToken(userId, checkName(name), hashToken(token), token.slice(0, TOKEN_PREFIX.length + 6));
  return { token, record: publicToken(row) };
}

export function listDeviceTokens(ctx: AppContext, userId: number): PublicDeviceToken[] {
  return ctx.store.deviceTokensByUser(userId).map(publicToken);
}

export function revokeDeviceToken(ctx: AppContext, userId: number, id: number): PublicDeviceToken {
  const row = ctx.store.deviceTokenById(userId, id);
  if (!row) throw new AppError("token_not_found");
  ctx.store.revokeDeviceToken(userId, id);
  return publicToken(ctx.store.deviceTokenById(userId, id)!);
}
