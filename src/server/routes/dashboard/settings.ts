import { tailscaleStatus, type Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo } from "../../../services/library/dashboard.ts";
import { VOCABULARY_MAX_CHARS } from "../../../ocr/key.ts";
import { formatPrices, priceTable, PRICES_TAKEN_ON } from "../../../services/ocr/cost.ts";
import { DEFAULT_LIMIT_SETTING, effectiveLimit, quotaState } from "../../../quota/index.ts";
import { SettingsPage } from "../../../../views/pages/settings.tsx";
import { dashboardHtml } from "../../http.ts";

const DONE: Record<string, string> = {
  user: "User added.",
  quota: "Quota limit saved.",
  vocabulary: "Vocabulary hint saved. It is used for pages read from now on.",
  prices: "OCR price table saved.",
  password: "Password changed. Every other session was signed out.",
  "password-devices": "Password changed. Every other session was signed out and every device token revoked: pair your agents again.",
};

/** GET /settings — account, admin (users, quota limits), integrations. */
export function settingsPage(ctx: AppContext, auth: Auth, query: Record<string, string | undefined>, error?: string, status = 200): Response {
  const admin =
    auth.user.is_admin === 1
      ? {
          users: ctx.store.listUsers().map((u) => ({
            id: u.id,
            email: u.email,
            isAdmin: u.is_admin === 1,
            used: quotaState(ctx, u.id).used,
            limit: effectiveLimit(ctx, u.id),
            ownLimit: ctx.store.userQuotaLimit(u.id) !== undefined,
          })),
          globalLimit: ctx.store.settingValue(DEFAULT_LIMIT_SETTING) ?? "default",
          tailscale: tailscaleStatus(ctx),
          prices: (() => {
            const t = priceTable(ctx);
            return { text: formatPrices(t.prices), custom: t.custom, takenOn: PRICES_TAKEN_ON };
          })(),
        }
      : null;
  return dashboardHtml(
    SettingsPage({
      header: headerInfo(ctx, auth),
      message: DONE[query.done ?? ""],
      error,
      hasPassword: auth.user.password_hash !== null,
      ocr: { vocabulary: ctx.store.ocrVocabulary(auth.user.id), maxChars: VOCABULARY_MAX_CHARS },
      admin,
    }),
    status,
  );
}
