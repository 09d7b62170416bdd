// One job in the activity table; failed jobs get a Retry button (htmx, swaps the row); jobs set
// aside (quota used up, OCR paused) say why and when they run instead.
import { formatTime } from "./modal.tsx";
import { NotionErrorText } from "./notion-error.tsx";

export interface JobItem {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: string | null;
  finishedAt: string | null;
  target: { href: string; label: string } | null;
  /** OCR jobs: why the page is read (new, changed, requested, reread). */
  readReason?: string | null;
  /** Set aside rather than failed (quota used up, OCR paused, …): why, and when it runs instead. No Retry. */
  waiting: { reason: string; when: string } | null;
  retryable: boolean;
}

const READ_REASONS: Record<string, string> = { new: "new page", changed: "changed page", requested: "asked for", reread: "re-read" };

const KIND_LABELS: Record<string, string> = {
  render_page: "Render page",
  ocr: "Read handwriting (OCR)",
  notion_sync: "Sync to Notion",
  todoist_sync: "Push to-dos to Todoist",
  notify_email: "Email notice",
  webhook_fanout: "Prepare webhooks",
  webhook_delivery: "Send webhook",
  pdf_text: "Read printed text (PDF)",
};

/** A job kind as people read it (an unknown kind is shown as it is). */
export function jobKindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

export function JobRow(p: { job: JobItem }) {
  const j = p.job;
  return (
    <tr data-job-id={String(j.id)} data-job-status={j.status} data-job-kind={j.kind}>
      <td>{j.id}</td>
      <td {...(j.readReason ? { "data-read-reason": j.readReason } : {})} safe>
        {j.readReason && READ_REASONS[j.readReason] ? `${jobKindLabel(j.kind)} · ${READ_REASONS[j.readReason]}` : jobKindLabel(j.kind)}
      </td>
      <td>
        <span class={`badge ${j.status}`} safe>
          {j.status}
        </span>
      </td>
      <td>
        {j.target ? (
          <a href={j.target.href} safe>
            {j.target.label}
          </a>
        ) : (
          ""
        )}
      </td>
      <td safe>{`${j.attempts}/${j.maxAttempts}`}</td>
      <td safe>{formatTime(j.finishedAt ?? j.createdAt)}</td>
      {j.waiting ? (
        <td class="waiting" data-job-waiting>
          <span safe>{j.waiting.reason}</span> <span class="when" safe>{j.waiting.when}</span>
        </td>
      ) : (
        <td class="err">{j.lastError === null ? "" : j.kind === "notion_sync" ? <NotionErrorText raw={j.lastError} /> : <span safe>{j.lastError}</span>}</td>
      )}
      <td>
        {j.retryable ? (
          <button type="button" data-action="retry-job" hx-post={`/activity/jobs/${j.id}/retry`} hx-target="closest tr" hx-swap="outerHTML">
            Retry
          </button>
        ) : (
          ""
        )}
      </td>
    </tr>
  );
}
