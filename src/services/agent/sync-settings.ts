// Choose what syncs (issue 15): per computer (device token) the folders and notebooks its agent
// leaves out — or the only ones it syncs — and an initial-sync limit. Kept on the server, edited
// on the Devices page (or PUT /api/v1/tokens/:id/sync-settings); the agent reads them with its
// heartbeat (and GET /api/v1/agent/settings at start) and applies them without a restart.
// Items are folder or notebook uuids, or names (matched case-insensitively, as the agent's own
// `exclude`). Excluding something never deletes it on the server: it only stops syncing.
// The initial-sync limit N: a notebook that reaches the server for the first time from this
// computer has only its newest N pages read by OCR; the others are `held` until asked for
// (src/services/library/sync.ts holds them, src/services/ocr/ocr.ts keeps them held).
import { AppError } from "../../errors.ts";
import type { DocumentRow } from "../../storage/documents.ts";
import type { Auth } from "../accounts/accounts.ts";
import type { AppContext } from "../context.ts";

export type SyncMode = "exclude" | "include";

export interface SyncSettings {
  /** "exclude": everything but `items` syncs; "include": only `items` (and what is inside them). */
  mode: SyncMode;
  /** Folder or notebook uuids or names. */
  items: string[];
  /** Newest N pages per notebook read by OCR on its first sync from this computer; null = no limit. */
  initialPages: number | null;
  /** When they were last changed (null: never set, the defaults). */
  updatedAt: string | null;
}

export const MAX_ITEMS = 500;
export const MAX_ITEM_CHARS = 300;
export const MAX_INITIAL_PAGES = 100_000;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = { mode: "exclude", items: [], initialPages: null, updatedAt: null };

function liveToken(ctx: AppContext, userId: number, tokenId: number) {
  const t = ctx.store.deviceTokenById(userId, tokenId);
  if (!t || t.revoked_at !== null) throw new AppError("token_not_found");
  return t;
}

/** The settings of one device token (the defaults when none were saved). */
export function syncSettingsForToken(ctx: AppContext, tokenId: number): SyncSettings {
  const r = ctx.store.syncSettingsByToken(tokenId);
  if (!r) return { ...DEFAULT_SYNC_SETTINGS, items: [] };
  let items: string[] = [];
  try {
    const v = JSON.parse(r.items_json) as unknown;
    if (Array.isArray(v)) items = v.filter((x): x is string => typeof x === "string");
  } catch {
    /* stored by us: never malformed */
  }
  return { mode: r.mode, items, initialPages: r.initial_pages, updatedAt: new Date(r.updated_at).toISOString() };
}

/** GET /api/v1/agent/settings: the calling agent's settings (device token only). */
export function agentSyncSettings(ctx: AppContext, auth: Auth): SyncSettings {
  if (auth.tokenId === null) throw new AppError("forbidden", "Sync settings are read by an agent, with its device token.");
  return syncSettingsForToken(ctx, auth.tokenId);
}

/** The settings of one of the user's tokens (404 for another user's or a revoked token). */
export function userTokenSyncSettings(ctx: AppContext, userId: number, tokenId: number): SyncSettings {
  liveToken(ctx, userId, tokenId);
  return syncSettingsForToken(ctx, tokenId);
}

/** Trimmed, control characters stripped, empty and duplicate (case-insensitive) entries dropped. */
export function cleanItems(raw: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const r of raw) {
    const v = r.replace(CONTROLS, " ").trim();
    if (!v) continue;
    if (v.length > MAX_ITEM_CHARS) throw new AppError("bad_request", `A folder or notebook name is too long: at most ${MAX_ITEM_CHARS} characters.`);
    const k = v.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  if (out.length > MAX_ITEMS) throw new AppError("bad_request", `At most ${MAX_ITEMS} folders and notebooks.`);
  return out;
}

export function saveSyncSettings(ctx: AppContext, userId: number, tokenId: number, input: { mode: SyncMode; items: readonly string[]; initialPages: number | null }): SyncSettings {
  liveToken(ctx, userId, tokenId);
  if (input.mode !== "exclude" && input.mode !== "include") throw new AppError("bad_request", 'The mode is "exclude" or "include".');
  const n = input.initialPages;
  if (n !== null && (!Number.isSafeInteger(n) || n < 1 || n > MAX_INITIAL_PAGES))
    throw new AppError("bad_request", `The initial-sync limit is a whole number of pages from 1 to ${MAX_INITIAL_PAGES} (or none).`);
  ctx.store.saveSyncSettings({ tokenId, userId, mode: input.mode, items: cleanItems(input.items), initialPages: n });
  return syncSettingsForToken(ctx, tokenId);
}

/** The initial-sync limit of the computer a sync request comes from (null: none, or not an agent). */
export function initialLimitFor(ctx: AppContext, tokenId: number | null): number | null {
  if (tokenId === null) return null;
  return ctx.store.syncSettingsByToken(tokenId)?.initial_pages ?? null;
}

export interface LibraryChoice {
  uuid: string;
  name: string;
  /** "Work / Projects / Notes": where it is, for the form. */
  path: string;
  folder: boolean;
}

/** The folders and notebooks the server knows for the user, with their paths, folders first. */
export function libraryChoices(ctx: AppContext, userId: number): LibraryChoice[] {
  const rows = ctx.store.documentsByUser(userId).filter((d) => d.parent !== "trash");
  const byUuid = new Map<string, DocumentRow>(rows.map((r) => [r.uuid, r]));
  const path = (d: DocumentRow): string => {
    const names = [d.name];
    const seen = new Set([d.uuid]);
    let p = byUuid.get(d.parent);
    while (p && !seen.has(p.uuid) && names.length < 50) {
      names.unshift(p.name);
      seen.add(p.uuid);
      p = byUuid.get(p.parent);
    }
    return names.join(" / ");
  };
  return rows
    .map((d) => ({ uuid: d.uuid, name: d.name, path: path(d), folder: d.type === "CollectionType" }))
    .sort((a, b) => Number(b.folder) - Number(a.folder) || a.path.localeCompare(b.path, "en", { sensitivity: "base" }));
}
