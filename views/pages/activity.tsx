// Recent background jobs (render, OCR, …) with their errors and a Retry button for failures;
// updated live through views/partials/live.tsx.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { JobRow, jobKindLabel, type JobItem } from "../partials/job-row.tsx";
import { LIVE_EVENT, LivePoller } from "../partials/live.tsx";

export function ActivityPage(p: { header: HeaderInfo; jobs: JobItem[]; counts: Record<string, Record<string, number>>; filter: string; live: string }): string {
  const busy = Object.values(p.counts).some((c) => (c.queued ?? 0) + (c.running ?? 0) > 0);
  const self = p.filter ? `/activity?status=${p.filter}` : "/activity";
  // Reloads whenever GET /live reports a change (also when the page was opened idle).
  // hx-disinherit: the Retry buttons inside must not inherit hx-select (their answer is one row).
  const poll = { "hx-get": self, "hx-trigger": `${LIVE_EVENT} from:body`, "hx-select": "#activity", "hx-swap": "outerHTML", "hx-disinherit": "*" };
  return render(
    <Layout title="Activity" header={p.header} active="activity">
      <h1>Activity</h1>
      <LivePoller version={p.live} />
      <p class="toolbar">
        <a href="/activity" aria-current={p.filter === "" ? "true" : undefined}>
          All
        </a>
        <a href="/activity?status=failed" aria-current={p.filter === "failed" ? "true" : undefined}>
          Failed
        </a>
        <a href="/activity?status=queued" aria-current={p.filter === "queued" ? "true" : undefined}>
          Queued
        </a>
      </p>
      <section id="activity" data-polling={busy ? "1" : "0"} {...poll}>
      <ul class="counts">
        {Object.entries(p.counts).map(([kind, byStatus]) => (
          <li safe>{`${jobKindLabel(kind)}: ${Object.entries(byStatus).map(([s, n]) => `${n} ${s}`).join(", ")}`}</li>
        ))}
      </ul>
      {p.jobs.length === 0 ? (
        <p>No jobs yet.</p>
      ) : (
        <table id="jobs" class="list">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">For</th>
              <th scope="col">Attempts</th>
              <th scope="col">When</th>
              <th scope="col">Error</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.jobs.map((j) => (
              <JobRow job={j} />
            ))}
          </tbody>
        </table>
      )}
      </section>
    </Layout>
  );
}
