// This month's OCR usage, limit, the backlog waiting for the quota and the reset date.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import { escapeHtml } from "@kitajs/html";
import { Layout, render } from "../layouts/layout.tsx";
import { formatDate } from "../partials/modal.tsx";

export interface QuotaPageData {
  used: number;
  limit: number | null;
  remaining: number | null;
  resetsAt: string;
  /** The reset day in the quota time zone, e.g. "1 January 2027". */
  resetsOn: string;
  month: string;
  configured: boolean;
  /** The configured engine and model, e.g. "gemini: gemini-3.8-flash". */
  model: string;
  /** The setting that configures the engine (shown while none is). */
  keySetting: string;
  pages: Record<"done" | "queued" | "pending_quota" | "pending_ocr" | "failed" | "blank", number>;
  tokens: { input: number; output: number };
  hint: string | null;
  notifications: { message: string; createdAt: string }[];
}

export function QuotaPage(p: { header: HeaderInfo; q: QuotaPageData }): string {
  const q = p.q;
  const level = p.header.quota.level;
  const pct = q.limit === null ? 0 : q.limit === 0 ? 100 : Math.min(100, Math.round((q.used / q.limit) * 100));
  return render(
    <Layout title="OCR quota" header={p.header} active="quota">
      <h1>OCR quota</h1>
      <section id="quota-page" class={`card ${level}`} data-level={level}>
        <p class="big">
          <span data-quota-used={String(q.used)}>{q.used}</span>
          {" of "}
          <span data-quota-limit={q.limit === null ? "unlimited" : String(q.limit)}>{q.limit === null ? "unlimited" : q.limit}</span>
          {" pages used this month"}
        </p>
        {q.limit !== null ? (
          <div
            class="meter wide"
            role="progressbar"
            aria-label="Quota used"
            aria-valuemin="0"
            aria-valuemax={String(q.limit)}
            aria-valuenow={String(Math.min(q.used, q.limit))}
            data-quota-progress={String(pct)}
          >
            <span class="fill" style={`width:${pct}%`}></span>
          </div>
        ) : (
          ""
        )}
        <dl class="facts">
          <dt>Month</dt>
          <dd safe>{q.month}</dd>
          <dt>Resets on</dt>
          <dd data-quota-resets={q.resetsAt} safe>
            {q.resetsOn}
          </dd>
          <dt>Waiting for next month's quota</dt>
          <dd data-quota-backlog={String(q.pages.pending_quota)}>{q.pages.pending_quota}</dd>
          <dt>Read this far</dt>
          <dd safe>{`${q.pages.done} done, ${q.pages.queued} queued, ${q.pages.failed} failed, ${q.pages.blank} blank`}</dd>
          <dt>OCR engine</dt>
          <dd data-ocr-engine={q.configured ? "ready" : "missing"} class={q.configured ? undefined : "warn"}>
            {escapeHtml(q.configured ? q.model : `none yet: set ${q.keySetting} and restart the server`)}
          </dd>
          <dt>Tokens</dt>
          <dd safe>{`${q.tokens.input} in, ${q.tokens.output} out`}</dd>
        </dl>
        {q.hint ? (
          <p class="hint" role="status" safe>
            {q.hint}
          </p>
        ) : (
          ""
        )}
      </section>
      {q.notifications.length ? (
        <section>
          <h2>Notifications</h2>
          <ul>
            {q.notifications.map((n) => (
              <li safe>{`${formatDate(n.createdAt)}: ${n.message}`}</li>
            ))}
          </ul>
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}
