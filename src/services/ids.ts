// Identifier checks applied before an id touches a query, a path or an object key.
import { AppError } from "../errors.ts";

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const SHA_RE = /^[0-9a-f]{64}$/;

export function requireUuid(s: string, what = "document id"): string {
  const u = s.toLowerCase();
  if (!UUID_RE.test(u)) throw new AppError("bad_uuid", `The ${what} is not a valid UUID.`, { value: s.slice(0, 80) });
  return u;
}

export function requireSha256(s: string, where = "sha256"): string {
  if (!SHA_RE.test(s)) throw new AppError("bad_sha256", undefined, { where, value: s.slice(0, 80) });
  return s;
}

/** Page ids are UUIDs, or "0", "1"… in the oldest archives: a conservative token. */
export const PAGE_ID_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function requirePageId(s: string): string {
  if (UUID_RE.test(s.toLowerCase())) return s.toLowerCase();
  if (!PAGE_ID_RE.test(s)) throw new AppError("bad_uuid", "The page id is not a valid UUID (or short page token).", { value: s.slice(0, 80) });
  return s;
}

export function requireIntId(s: string, code: "token_not_found" | "job_not_found"): number {
  if (!/^\d{1,15}$/.test(s)) throw new AppError(code);
  return Number(s);
}
