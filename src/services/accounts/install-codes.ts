// One-time install codes (issue 15): the Devices page mints one for the signed-in user and shows
// it inside the one-line install command; the installer's `rmirror agent login --install-code`
// exchanges it for a device token of that user. 15 minutes, single use, only its hash stored —
// minting it in the dashboard is the approval, so nothing is approved a second time.
import { AppError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { hashToken, randomToken } from "./crypto.ts";
import { checkName, createDeviceToken } from "./tokens.ts";

export const INSTALL_CODE_TTL_MS = 15 * 60_000;
export const INSTALL_CODE_PREFIX = "rmi_";
/** What an install code looks like (safe to embed in a shell or PowerShell command as is). */
export const INSTALL_CODE_RE = /^rmi_[A-Za-z0-9_-]{20,64}$/;

export function mintInstallCode(ctx: AppContext, userId: number, now = Date.now()): { code: string; expiresAt: string } {
  const code = INSTALL_CODE_PREFIX + randomToken(24);
  const expiresAt = now + INSTALL_CODE_TTL_MS;
  ctx.store.insertInstallCode(userId, hashToken(code), expiresAt, now);
  return { code, expiresAt: new Date(expiresAt).toISOString() };
}

/** The agent's exchange: a valid code becomes a device token named `deviceName` (returned once). */
export function redeemInstallCode(ctx: AppContext, code: string, deviceName: string, ip: string, now = Date.now()) {
  const key = `ip:${ip}`;
  const wait = ctx.pairingLimiter.blockedFor(key);
  if (wait > 0) throw new AppError("rate_limited", `Too many attempts; try again in ${wait} s.`, { retryAfterSeconds: wait }, { "retry-after": String(wait) });
  const name = checkName(deviceName);
  if (!INSTALL_CODE_RE.test(code.trim())) {
    ctx.pairingLimiter.hit(key);
    throw new AppError("install_code_invalid");
  }
  return ctx.store.tx(() => {
    const row = ctx.store.useInstallCode(hashToken(code.trim()), now);
    if (!row) {
      ctx.pairingLimiter.hit(key);
      throw new AppError("install_code_invalid");
    }
    const { token, record } = createDeviceToken(ctx, row.user_id, name);
    ctx.store.setInstallCodeToken(row.id, record.id);
    return { token, tokenId: record.id, deviceName: record.name };
  });
}
