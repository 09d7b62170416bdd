// `rmirror ocr reread [--document UUID] [--since DATE] [--user EMAIL] [--all]` — read pages again
// with the current engine settings, within each user's monthly quota (read_reason 're-read').
// Changing the engine, model or vocabulary hint never re-reads old pages by itself; this does.
// Safe while 'rmirror serve' runs: it queues OCR jobs in the database, the server reads them.
import { silentLogger } from "../log.ts";
import { createContext } from "../composition/context.ts";
import { dayStart } from "../quota/index.ts";
import { normaliseEmail } from "../services/accounts/accounts.ts";
import { rereadPages, type RereadResult } from "../services/ocr/reread.ts";
import { AppError } from "../errors.ts";
import { startConfigCommand } from "./data-dir-command.ts";

export const REREAD_HELP = `Usage: rmirror ocr reread [--document UUID] [--since DATE] [--user EMAIL] [--all] [--json] [--data-dir DIR] [--config file.json]

Reads pages again with the current OCR engine settings (engine, model, prompt, vocabulary hint),
newest first, as far as each user's monthly quota reaches; each page costs one quota page.
Switching engines or hints never re-reads old pages by itself: run this when you want it.
By default only pages read with other settings are re-read, so running it again (e.g. after the
quota resets) continues where it stopped.
  --document UUID  only this document (needs --user)
  --since DATE     only pages whose strokes changed on or after DATE (YYYY-MM-DD in the quota
                   time zone, or an ISO 8601 date-time)
  --user EMAIL     only this user (default: every user)
  --all            also pages read with the current settings (every read page)
  --json           print the result as JSON
Safe while 'rmirror serve' runs: the server picks the queued pages up.
`;

/** "2026-03-01" (midnight in `tz`) or an ISO 8601 date-time; null when unreadable. */
export function parseSince(raw: string, tz: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
    return dayStart(y, mo, d, tz);
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw.trim())) return null;
  const t = Date.parse(raw);
  return Number.isFinite(t) ? t : null;
}

export async function runReread(argv: string[]): Promise<number> {
  const start = startConfigCommand(
    "ocr reread",
    argv,
    { document: { type: "string" }, since: { type: "string" }, user: { type: "string" }, all: { type: "boolean" }, json: { type: "boolean" } },
    REREAD_HELP,
    (v) => (v.document !== undefined && v.user === undefined ? "--document needs --user (documents belong to one user)" : undefined),
  );
  if (typeof start === "number") return start;
  const { values, config } = start;
  let since: number | undefined;
  if (values.since !== undefined) {
    const t = parseSince(values.since, config.quota.timezone);
    if (t === null) {
      process.stderr.write(`ocr reread: --since must be a date (YYYY-MM-DD) or an ISO 8601 date-time, not '${values.since}'\n`);
      return 2;
    }
    since = t;
  }
  const ctx = createContext(config, { log: silentLogger });
  try {
    let users;
    if (values.user !== undefined) {
      const u = ctx.store.userByEmail(normaliseEmail(values.user));
      if (!u) {
        process.stderr.write(`ocr reread: no user ${values.user}\n`);
        return 1;
      }
      users = [u];
    } else users = ctx.store.listUsers();
    const results: (RereadResult & { user: string })[] = [];
    for (const u of users) {
      const r = rereadPages(ctx, u.id, { ...(values.document !== undefined ? { documentUuid: values.document } : {}), ...(since !== undefined ? { since } : {}), all: values.all === true });
      results.push({ user: u.email, ...r });
    }
    if (values.json) process.stdout.write(JSON.stringify({ users: results }, null, 2) + "\n");
    else for (const r of results) (r.short > 0 ? process.stderr : process.stdout).write(`${r.user}: ${r.message}\n`);
    const candidates = results.reduce((n, r) => n + r.candidates, 0);
    const queued = results.reduce((n, r) => n + r.queued, 0);
    // 0: everything asked for is queued (or there was nothing to do); 3: the quota was short.
    return candidates > queued ? 3 : 0;
  } catch (e) {
    if (e instanceof AppError) {
      process.stderr.write(`ocr reread: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    ctx.store.db.close();
  }
}
