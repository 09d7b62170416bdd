import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { agentServerUrl, headerInfo } from "../../../services/library/dashboard.ts";
import { decidePairing, pairingInfo } from "../../../services/accounts/pairing.ts";
import { requireIntId } from "../../../services/ids.ts";
import { createDeviceToken, listDeviceTokens, revokeDeviceToken } from "../../../services/accounts/tokens.ts";
import { render } from "../../../../views/layouts/layout.tsx";
import { DevicesPage } from "../../../../views/pages/devices.tsx";
import { ComputersTable, InstallCommand, NewToken, PairingPanel, TokenRow } from "../../../../views/partials/devices.tsx";
import { listComputers } from "../../../services/agent/heartbeats.ts";
import { VERSION } from "../../../version.ts";
import { mintInstallCode } from "../../../services/accounts/install-codes.ts";
import { INSTALL_PATHS, installCommands } from "../../../services/agent/install-script.ts";
import { AppError } from "../../errors.ts";
import { libraryChoices, saveSyncSettings, syncSettingsForToken, type SyncMode } from "../../../services/agent/sync-settings.ts";
import { SyncSettingsForm } from "../../../../views/partials/sync-settings.tsx";
import { isHtmx, redirect } from "./guard.ts";
import { dashboardHtml } from "../../http.ts";

function lookup(ctx: AppContext, auth: Auth, code: string | undefined): { info: ReturnType<typeof pairingInfo> | null; error?: string } {
  if (!code) return { info: null };
  try {
    return { info: pairingInfo(ctx, code.includes("-") ? code : `${code.slice(0, 4)}-${code.slice(4)}`, auth.user.id) };
  } catch (e) {
    if (e instanceof AppError && e.status < 500) return { info: null, error: e.message };
    throw e;
  }
}

/** GET /devices?code= — device tokens and the pairing panel. */
export function devicesPage(ctx: AppContext, auth: Auth, request: Request, code: string | undefined): Response {
  const p = lookup(ctx, auth, code);
  const tokens = listDeviceTokens(ctx, auth.user.id);
  const computers = listComputers(ctx, auth.user.id);
  const heard = new Map(computers.map((c) => [c.token.id, c.lastHeardAt]));
  const sync = { views: tokens.filter((t) => !t.revokedAt).map((t) => ({ token: t, settings: syncSettingsForToken(ctx, t.id), heardAt: heard.get(t.id) ?? null })), choices: libraryChoices(ctx, auth.user.id) };
  return dashboardHtml(DevicesPage({ header: headerInfo(ctx, auth), tokens, serverUrl: agentServerUrl(ctx, request), pairing: p.info, pairingError: p.error, macPath: INSTALL_PATHS.macos, computers, serverVersion: VERSION, sync }));
}

/** GET /devices/pairing?code= — htmx: the pairing request with Approve/Deny. */
export function pairingFragment(ctx: AppContext, auth: Auth, code: string | undefined): Response {
  const p = lookup(ctx, auth, code);
  return dashboardHtml(render(PairingPanel({ info: p.info, error: p.error ?? (code ? undefined : "Enter the code the agent shows.") })));
}

/** POST /devices/pairing/:code/approve|deny — htmx: decide. */
export function decidePairingFragment(ctx: AppContext, auth: Auth, code: string, approve: boolean): Response {
  const info = decidePairing(ctx, auth.user.id, code, approve);
  return dashboardHtml(render(PairingPanel({ info, decided: approve ? "approved" : "denied" })));
}

/** POST /devices/tokens — htmx: create a token, shown once. */
export function createTokenFragment(ctx: AppContext, auth: Auth, request: Request, body: unknown): Response {
  const name = body && typeof body === "object" && typeof (body as Record<string, unknown>).name === "string" ? ((body as Record<string, unknown>).name as string) : "";
  const { token, record } = createDeviceToken(ctx, auth.user.id, name);
  return dashboardHtml(render(NewToken({ token, record, serverUrl: agentServerUrl(ctx, request) })), 201);
}

/** POST /devices/tokens/:id/revoke — htmx: revoke; answers the updated row. */
export function revokeTokenRow(ctx: AppContext, auth: Auth, id: string): Response {
  return dashboardHtml(render(TokenRow({ t: revokeDeviceToken(ctx, auth.user.id, requireIntId(id, "token_not_found")) })));
}

/** POST /devices/install — htmx: a one-time install code inside the one-line install commands. */
export function installCommandFragment(ctx: AppContext, auth: Auth, request: Request): Response {
  const { code, expiresAt } = mintInstallCode(ctx, auth.user.id);
  return dashboardHtml(render(InstallCommand({ ...installCommands(agentServerUrl(ctx, request), code), expiresAt })), 201);
}

/** GET /devices/computers — htmx: the computers table (refreshed every 15 s). */
export function computersFragment(ctx: AppContext, auth: Auth): Response {
  return dashboardHtml(render(ComputersTable({ computers: listComputers(ctx, auth.user.id), serverVersion: VERSION })));
}

/**
 * POST /devices/tokens/:id/sync — choose what syncs for one computer: mode, the checked library
 * items (`item_<uuid>=1`), typed names or ids (`names`, one per line) and the initial-sync limit.
 * htmx: answers the computer's form with "Saved"; a plain form post goes back to /devices.
 */
export function syncSettingsForm(ctx: AppContext, auth: Auth, request: Request, id: string, body: unknown): Response {
  const f = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const tokenId = requireIntId(id, "token_not_found");
  const mode: SyncMode = f.mode === "include" ? "include" : "exclude";
  const checked = Object.entries(f).flatMap(([k, v]) => (k.startsWith("item_") && v === "1" ? [k.slice(5)] : []));
  const typed = typeof f.names === "string" ? f.names.split(/\r?\n/) : [];
  const rawLimit = typeof f.initial_pages === "string" ? f.initial_pages.trim() : "";
  const limit = rawLimit === "" || rawLimit === "0" ? null : /^\d{1,9}$/.test(rawLimit) ? Number(rawLimit) : NaN;
  if (Number.isNaN(limit)) throw new AppError("bad_request", "The initial-sync limit is a whole number of pages (or empty for none).");
  const settings = saveSyncSettings(ctx, auth.user.id, tokenId, { mode, items: [...checked, ...typed], initialPages: limit });
  if (!isHtmx(request)) return redirect(`/devices#sync-${tokenId}`);
  const token = listDeviceTokens(ctx, auth.user.id).find((t) => t.id === tokenId)!;
  const heardAt = listComputers(ctx, auth.user.id).find((c) => c.token.id === tokenId)?.lastHeardAt ?? null;
  return dashboardHtml(render(SyncSettingsForm({ view: { token, settings, heardAt }, choices: libraryChoices(ctx, auth.user.id), csrf: auth.csrfToken ?? "", saved: true })));
}
