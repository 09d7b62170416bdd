// This month's OCR usage, limit, the backlog waiting for the quota and the reset date.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import type { MonthUsage } from "../../src/services/ocr/cost.ts";
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
  pages: Record<"done" | "queued" | "pending_quota" | "pending_ocr" | "failed" | "blank" | "held", number>;
  tokens: { input: number; output: number };
  hint: string | null;
  notifications: { message: string; createdAt: string }[];
}

const REASON_LABEL: Record<keyof MonthUsage["reasons"], string> = {
  new: "New pages",
  changed: "Changed pages (new strokes)",
  requested: "Asked for (OCR now)",
  reread: "Re-read on request",
  unknown: "Read before reasons were recorded",
};

/** "$0.0123": small amounts keep 4 decimals, larger ones 2. */
export function usd(n: number): string {
  return n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`;
}

/** Where this month's quota went (pages per read reason) and the estimated cost per engine/model. */
export function QuotaUsage(p: { u: MonthUsage }) {
  const u = p.u;
  const total = Object.values(u.reasons).reduce((a, b) => a + b, 0);
  return (
    <>
      <section id="quota-reasons" aria-labelledby="reasons-h">
        <h2 id="reasons-h">Where the quota went this month</h2>
        {total === 0 ? (
          <p class="muted">No page was read this month yet.</p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Why the page was read</th>
                <th scope="col">Pages</th>
              </tr>
            </thead>
            <tbody>
              {(Object.keys(REASON_LABEL) as (keyof MonthUsage["reasons"])[])
                .filter((r) => r !== "unknown" || u.reasons.unknown > 0)
                .map((r) => (
                  <tr data-reason={r}>
                    <td safe>{REASON_LABEL[r]}</td>
                    <td data-reason-pages={String(u.reasons[r])}>{u.reasons[r]}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </section>
      <section id="quota-cost" aria-labelledby="cost-h">
        <h2 id="cost-h">Estimated cost this month</h2>
        {u.models.length === 0 ? (
          <p class="muted">Nothing yet.</p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Engine</th>
                <th scope="col">Model</th>
                <th scope="col">Pages</th>
                <th scope="col">Tokens in / out</th>
                <th scope="col">Estimated cost</th>
              </tr>
            </thead>
            <tbody>
              {u.models.map((m) => (
                <tr data-engine={m.engine} data-model={m.model}>
                  <td safe>{m.engine}</td>
                  <td safe>{m.model}</td>
                  <td>{m.pages}</td>
                  <td safe>{`${m.inputTokens} / ${m.outputTokens}`}</td>
                  <td data-cost={m.costUsd === null ? "unpriced" : m.costUsd.toFixed(6)} safe>
                    {m.costUsd === null ? "no price in the table" : `≈ ${usd(m.costUsd)}`}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colspan="4">
                  Total (estimate)
                </th>
                <td data-cost-total={u.costUsd.toFixed(6)} safe>{`≈ ${usd(u.costUsd)}${u.unpriced ? " + unpriced models" : ""}`}</td>
              </tr>
            </tfoot>
          </table>
        )}
        <p class="muted" safe>
          {`An estimate from list prices per million tokens (${u.customPrices ? "the administrator's price table" : `default prices as of ${u.pricesTakenOn}`}; no discounts or taxes), not a bill. The administrator can edit the prices in Settings.`}
        </p>
      </section>
    </>
  );
}

export function QuotaPage(p: { header: HeaderInfo; q: QuotaPageData; usage?: MonthUsage }): string {
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
          {q.pages.held ? (
            <>
              <dt>Not read: beyond a computer's initial-sync limit</dt>
              <dd data-quota-held={String(q.pages.held)} safe>{`${q.pages.held} page${q.pages.held === 1 ? "" : "s"} — read them from the notebook's page (“Read the remaining pages”)`}</dd>
            </>
          ) : (
            ""
          )}
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
      {p.usage ? <QuotaUsage u={p.usage} /> : ""}
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
