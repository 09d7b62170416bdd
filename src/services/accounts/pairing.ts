// Pairing a terminal agent without copying tokens by hand:
//   1. agent: POST /api/v1/pairing {deviceName} → {code, secret, approveUrl}; it prints/opens the URL
//   2. user (logged in): approves code in the browser (/pair?code=…, or the JSON API)
//   3. agent: polls POST /api/v1/pairing/poll {code, secret} → once approved, receives its device
//      token exactly once (created at that moment; only its hash is stored).
import { AppError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { hashToken, randomToken, safeEqual } from "./crypto.ts";
import { checkName, createDeviceToken } from "./tokens.ts";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const PAIRING_TTL_MS = 10 * 60_000;
export const CODE_RE = /^[A-Z2-9]{4}-[A-Z2-9]{4}$/;

function newCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let s = "";
  for (let i = 0; i < 8; i++) s += ALPHABET[bytes[i]! % ALPHABET.length];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

export function normaliseCode(code: string): string {
  const c = code.trim().toUpperCase();
  if (!CODE_RE.test(c)) throw new AppError("pairing_not_found");
  return c;
}

export function startPairing(ctx: AppContext, deviceName: string, ip: string) {
  const wait = ctx.pairingLimiter.blockedFor(`ip:${ip}`);
  if (wait > 0) throw new AppError("rate_limited", `Too many pairing requests; try again in ${wait} s.`, { retryAfterSeconds: wait }, { "retry-after": String(wait) });
  ctx.pairingLimiter.hit(`ip:${ip}`);
  const name = checkName(deviceName);
  const secret = randomToken(32);
  const expiresAt = Date.now() + PAIRING_TTL_MS;
  for (let i = 0; ; i++) {
    const code = newCode();
    try {
      ctx.store.insertPairing(code, hashToken(secret), name, expiresAt);
      return {
        code,
        secret,
        deviceName: name,
        approveUrl: `${ctx.config.publicUrl}/pair?code=${code}`,
        expiresAt: new Date(expiresAt).toISOString(),
        pollIntervalSeconds: 2,
      };
    } catch (e) {
      if (i > 5 || !String(e).includes("UNIQUE")) throw e;
    }
  }
}

/**
 * What a signed-in user may see of a pairing request. While it is pending, whoever holds the code
 * (the person the agent showed it to) sees it in order to decide; once decided, only the user who
 * decided does — anyone else gets "not found" (the agent follows its own request with its secret).
 */
export function pairingInfo(ctx: AppContext, code: string, viewerId: number) {
  const p = ctx.store.pairingByCode(normaliseCode(code));
  if (!p) throw new AppError("pairing_not_found");
  if (p.status !== "pending" && p.user_id !== viewerId) throw new AppError("pairing_not_found");
  const expired = p.status === "pending" && p.expires_at <= Date.now();
  return { code: p.code, deviceName: p.device_name, status: expired ? ("expired" as const) : p.status, expiresAt: new Date(p.expires_at).toISOString() };
}

export function decidePairing(ctx: AppContext, userId: number, code: string, approve: boolean) {
  const c = normaliseCode(code);
  const p = ctx.store.pairingByCode(c);
  if (!p) throw new AppError("pairing_not_found");
  if (p.status !== "pending") throw new AppError("pairing_decided");
  if (p.expires_at <= Date.now()) throw new AppError("pairing_expired");
  if (!ctx.store.decidePairing(c, userId, approve ? "approved" : "denied")) throw new AppError("pairing_decided");
  return pairingInfo(ctx, c, userId);
}

/** The agent's poll. On the first poll after approval the token is created and returned, once. */
export function pollPairing(ctx: AppContext, code: string, secret: string): { status: "pending" } | { status: "approved"; token: string; tokenId: number; deviceName: string } {
  const p = ctx.store.pairingByCode(normaliseCode(code));
  if (!p) throw new AppError("pairing_not_found");
  if (!safeEqual(hashToken(secret), p.secret_hash)) throw new AppError("bad_pairing_secret");
  switch (p.status) {
    case "denied":
      throw new AppError("pairing_denied");
    case "completed":
      throw new AppError("pairing_decided", "The token for this pairing was already delivered.");
    case "pending":
      if (p.expires_at <= Date.now()) throw new AppError("pairing_expired");
      return { status: "pending" };
    case "approved":
      return ctx.store.tx(() => {
        const { token, record } = createDeviceToken(ctx, p.user_id!, p.device_name);
        if (!ctx.store.completePairing(p.id, record.id)) throw new AppError("pairing_decided");
        return { status: "approved" as const, token, tokenId: record.id, deviceName: p.device_name };
      });
  }
}
