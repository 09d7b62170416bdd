// One job in the activity table; failed/cancelled jobs get a Retry button (htmx, swaps the row).
import { formatTime } from "./modal.tsx";

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
}

const KIND_LABELS: Record<string, string> = {
  render_page: "Render page",
  ocr: "Read handwriting (OCR)",
  notion_sync: "Sync to Notion",
  todoist_sync: "Push to-dos to Todoist",
  notify_email: "Email notice",
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
      <td safe>{jobKindLabel(j.kind)}</td>
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
      <td class="err" safe>
        {j.lastError ?? ""}
      </td>
      <td>
        {j.status === "failed" || j.status === "cancelled" ? (
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
