// Fragments swapped into #modal: the 402 "quota reached" dialog and a generic error dialog.
import type { PropsWithChildren } from "@kitajs/html";
import { render } from "../render.ts";

export function formatDate(iso: string | number | null): string {
  if (iso === null) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "—" : d.toISOString().slice(0, 10);
}

export function formatTime(t: number | string | null): string {
  if (t === null) return "—";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? "—" : d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function Modal(p: PropsWithChildren<{ title: string; kind: string }>) {
  return (
    <div class="modal-backdrop" data-close-modal>
      <div class={`modal ${p.kind}`} role="dialog" aria-modal="true" aria-labelledby="modal-title" data-modal={p.kind}>
        <h2 id="modal-title" safe>
          {p.title}
        </h2>
        {p.children}
        <p>
          <button type="button" data-close-modal autofocus>
            Close
          </button>
        </p>
      </div>
    </div>
  );
}

export interface QuotaInfo {
  used: number;
  limit: number | null;
  resets_at: string;
  /** The reset day in the quota time zone ("1 January 2027"); falls back to resets_at's date. */
  resets_on?: string;
}

/** "used 30 of 30 pages this month; resets on 1 January 2027" (the dialog's title says the rest). */
export function quotaSentence(q: QuotaInfo): string {
  return `You have used ${q.used} of ${q.limit ?? "unlimited"} OCR pages this month; the quota resets on ${q.resets_on ?? formatDate(q.resets_at)}.`;
}

export function quotaExceededFragment(q: QuotaInfo): string {
  return render(
    <Modal title="Monthly OCR quota reached" kind="quota">
      <p safe>{quotaSentence(q)}</p>
      <p>
        Pages wait as <strong>OCR pending</strong> and are read, newest first, when the quota resets. See <a href="/quota">Quota</a>.
      </p>
    </Modal>,
  );
}

export function errorFragment(status: number, code: string, message: string): string {
  return render(
    <Modal title={status === 403 ? "Not allowed" : status === 404 ? "Not found" : "Something went wrong"} kind="error">
      <p class="err" data-error-code={code} safe>
        {message}
      </p>
    </Modal>,
  );
}
