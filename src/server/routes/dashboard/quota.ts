import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { ocrKeySetting } from "../../../ocr/index.ts";
import { humanDay } from "../../../quota/index.ts";
import { headerInfo } from "../../../services/library/dashboard.ts";
import { quotaSummary } from "../../../services/ocr/ocr.ts";
import { QuotaPage } from "../../../../views/pages/quota.tsx";
import { dashboardHtml } from "../../http.ts";

/** GET /quota — this month's OCR usage, limit, backlog and reset date. */
export function quotaPage(ctx: AppContext, auth: Auth): Response {
  const s = quotaSummary(ctx, auth.user.id);
  return dashboardHtml(
    QuotaPage({
      header: headerInfo(ctx, auth),
      q: {
        used: s.quota.used,
        limit: s.quota.limit,
        remaining: s.quota.remaining,
        resetsAt: s.quota.resets_at,
        resetsOn: humanDay(s.quota.resets_at, ctx.config.quota.timezone),
        month: s.quota.month,
        configured: s.ocr.configured,
        model: `${s.ocr.engine}: ${s.ocr.model}`,
        keySetting: ocrKeySetting(ctx.config),
        pages: s.ocr.pages,
        tokens: s.ocr.tokens,
        hint: s.ocr.hint,
        notifications: s.notifications.map((n) => ({ message: n.message, createdAt: n.createdAt })),
      },
      usage: s.month,
    }),
  );
}
