// Agent heartbeats (issue 15): each running agent reports what it is doing about once a minute
// (version, platform, whether its folder is there and readable, queue length, last sync, last
// error) and once more when it stops. The Devices page shows each computer online or offline;
// the library warns when no computer has been caught up for a day.
import { AppError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import type { Auth } from "../accounts/accounts.ts";
import { listDeviceTokens, type PublicDeviceToken } from "../accounts/tokens.ts";
import type { AppContext } from "../context.ts";
import { syncSettingsForToken, type SyncSettings } from "./sync-settings.ts";

/** How often the agent reports (it may be told otherwise; the server only reads the age). */
export const HEARTBEAT_EVERY_MS = 60_000;
/** Without a heartbeat for this long (three missed), a computer counts as offline. */
export const OFFLINE_AFTER_MS = 3 * HEARTBEAT_EVERY_MS + 15_000;
/** The library's banner: no computer caught up for this long. */
export const STALE_AFTER_MS = 24 * 3600_000;

export interface HeartbeatBody {
  version: string;
  platform: string;
  folder: "ok" | "missing" | "unreadable";
  queue: number;
  lastSyncAt?: string | null | undefined;
  lastError?: string | null | undefined;
  stopping?: boolean | undefined;
}

/** The answer carries the computer's sync settings (choose what syncs): the agent applies them at once. */
export function recordHeartbeat(ctx: AppContext, auth: Auth, b: HeartbeatBody, now = Date.now()): { ok: true; serverVersion: string; settings: SyncSettings } {
  if (auth.tokenId === null) throw new AppError("forbidden", "Heartbeats come from an agent, with its device token.");
  const lastSync = b.lastSyncAt ? Date.parse(b.lastSyncAt) : NaN;
  const lastError = b.lastError ? b.lastError.replace(/[\u0000-\u001f\u007f]+/g, " ").slice(0, 500) : null;
  ctx.store.saveHeartbeat(
    {
      token_id: auth.tokenId,
      user_id: auth.user.id,
      version: b.version.slice(0, 40),
      platform: b.platform.slice(0, 40),
      folder: b.folder,
      queue: b.queue,
      last_sync_at: Number.isFinite(lastSync) ? lastSync : null,
      last_error: lastError,
      stopped: b.stopping === true,
      inSync: b.folder === "ok" && b.queue === 0 && lastError === null,
    },
    now,
  );
  return { ok: true, serverVersion: VERSION, settings: syncSettingsForToken(ctx, auth.tokenId) };
}

export interface Computer {
  token: PublicDeviceToken;
  status: "online" | "offline";
  version: string;
  /** Runs another version than this server's (which is the one it hands out). */
  outdated: boolean;
  platform: string;
  folder: "ok" | "missing" | "unreadable";
  queue: number;
  lastSyncAt: string | null;
  lastError: string | null;
  lastHeardAt: string;
  stopped: boolean;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The user's computers: every live device token that has sent a heartbeat. */
export function listComputers(ctx: AppContext, userId: number, now = Date.now()): Computer[] {
  const tokens = new Map(listDeviceTokens(ctx, userId).map((t) => [t.id, t]));
  return ctx.store.heartbeatsByUser(userId).flatMap((h) => {
    const token = tokens.get(h.token_id);
    if (!token) return [];
    return [
      {
        token,
        status: h.stopped === 0 && now - h.received_at < OFFLINE_AFTER_MS ? ("online" as const) : ("offline" as const),
        version: h.version,
        outdated: h.version !== VERSION,
        platform: h.platform,
        folder: h.folder,
        queue: h.queue,
        lastSyncAt: iso(h.last_sync_at),
        lastError: h.last_error,
        lastHeardAt: iso(h.received_at)!,
        stopped: h.stopped === 1,
      },
    ];
  });
}

/** The library banner: when the user has agents but none has been caught up for a day; else null. */
export function staleSync(ctx: AppContext, userId: number, now = Date.now()): { lastInSyncAt: string | null } | null {
  const rows = ctx.store.heartbeatsByUser(userId);
  if (!rows.length) return null;
  const last = Math.max(...rows.map((r) => r.in_sync_at ?? 0));
  if (last > 0 && now - last < STALE_AFTER_MS) return null;
  if (last === 0 && now - Math.min(...rows.map((r) => r.received_at)) < STALE_AFTER_MS) return null; // a new agent's first day
  return { lastInSyncAt: last > 0 ? iso(last) : null };
}
