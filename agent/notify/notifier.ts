// Native notifications for what needs the user: the OCR quota at 90 % and at 100 %, documents
// the agent could not sync (parked), and a device token the server no longer accepts. Each event
// is shown at most once — the keys already shown are kept in the agent's database, so a restart
// does not repeat them: the quota once per threshold and month, a parked document once per
// version of it (a new change to its files is a new event), "unauthorized" once until the agent
// is online again.
import type { Notice } from "./commands.ts";
import { plainText } from "./commands.ts";

export interface NoticeStore {
  getState(key: string): string | undefined;
  setState(key: string, value: string): void;
}

export interface QuotaInfo {
  used: number;
  limit: number | null;
  resets_at?: string;
}

export interface ParkedDoc {
  uuid: string;
  gen: number;
  name: string | undefined;
  error: string;
}

export interface ProblemState {
  connection: string;
  parked: ParkedDoc[];
  /** Undefined when not known this time (not fetched, or the server did not say). */
  quota?: QuotaInfo;
  /** Where the user can act (the local status page), named in the text. */
  statusUrl?: string;
}

const STATE_KEY = "notified";

export function quotaNotice(q: QuotaInfo): Notice | undefined {
  if (q.limit === null || q.limit <= 0) return undefined;
  const level = q.used >= q.limit ? 100 : q.used >= q.limit * 0.9 ? 90 : undefined;
  if (!level) return undefined;
  const period = q.resets_at ?? "";
  const resets = q.resets_at ? ` It resets on ${q.resets_at.slice(0, 10)}.` : "";
  return level === 100
    ? { key: `quota:100:${period}`, title: "rmirror: OCR quota used up", body: `${q.used} of ${q.limit} OCR pages used this month. New pages are still synced and rendered; their text is read when the quota resets.${resets}` }
    : { key: `quota:90:${period}`, title: "rmirror: OCR quota at 90 %", body: `${q.used} of ${q.limit} OCR pages used this month.${resets}` };
}

export function parkedKey(d: ParkedDoc): string {
  return `parked:${d.uuid}:${d.gen}`;
}

/** One notice for every parked document not yet told about (names quoted, the first error). */
export function parkedNotice(fresh: ParkedDoc[], statusUrl?: string): Notice | undefined {
  if (fresh.length === 0) return undefined;
  const names = fresh.slice(0, 3).map((d) => `“${plainText(d.name ?? d.uuid, 60)}”`);
  const more = fresh.length > 3 ? ` and ${fresh.length - 3} more` : "";
  const where = statusUrl ? `\nRetry from ${statusUrl}` : "";
  return {
    key: fresh.map(parkedKey).join(" "),
    title: fresh.length === 1 ? "rmirror: a notebook could not be synced" : `rmirror: ${fresh.length} notebooks could not be synced`,
    body: `${names.join(", ")}${more}: ${plainText(fresh[0]!.error, 160)}${where}`,
  };
}

export class Notifier {
  private shown: Set<string>;

  constructor(
    private readonly store: NoticeStore,
    private readonly show: (n: Notice) => void,
  ) {
    let keys: unknown = [];
    try {
      keys = JSON.parse(store.getState(STATE_KEY) ?? "[]");
    } catch {
      keys = [];
    }
    this.shown = new Set(Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : []);
  }

  /** Look at the agent's state and show what is new; returns the notices shown. */
  check(s: ProblemState): Notice[] {
    const out: Notice[] = [];
    const fire = (n: Notice | undefined, keys = n ? [n.key] : []) => {
      if (!n || keys.every((k) => this.shown.has(k))) return;
      for (const k of keys) this.shown.add(k);
      out.push(n);
    };
    // Only the highest threshold reached: never "90 %" after "used up" in the same month (a
    // refund can bring the count back under the limit).
    const quota = s.quota ? quotaNotice(s.quota) : undefined;
    if (quota && !this.shown.has(quota.key.replace(/^quota:90:/, "quota:100:"))) fire(quota);
    // Forget parked documents that are no longer parked: parked again later is a new event.
    const parkedNow = new Set(s.parked.map(parkedKey));
    for (const k of this.shown) if (k.startsWith("parked:") && !parkedNow.has(k)) this.shown.delete(k);
    const fresh = s.parked.filter((d) => !this.shown.has(parkedKey(d)));
    fire(parkedNotice(fresh, s.statusUrl), fresh.map(parkedKey));
    if (s.connection === "unauthorized")
      fire({ key: "unauthorized", title: "rmirror: the server refused this computer", body: "The device token was revoked or the server changed. Pair again with: rmirror agent login" });
    else if (s.connection === "online") this.shown.delete("unauthorized");
    this.store.setState(STATE_KEY, JSON.stringify([...this.shown]));
    for (const n of out) this.show(n);
    return out;
  }
}
