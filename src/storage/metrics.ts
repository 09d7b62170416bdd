// Read-only aggregate queries for GET /metrics. Cheap (indexed counts) and user-independent.
import type { Database } from "bun:sqlite";
import { JOBS_SQL } from "./jobs.ts";

const cache = new WeakMap<Database, ReturnType<typeof build>>();

function build(db: Database) {
  // From the job_counts table (kept by triggers), never a count over the jobs table.
  const jobs = db.prepare<{ kind: string; status: string; n: number }, []>(JOBS_SQL.counts);
  const documents = db.prepare<{ type: string; deleted: number; n: number }, []>(
    "SELECT type, (deleted_at IS NOT NULL) AS deleted, count(*) AS n FROM documents GROUP BY type, deleted ORDER BY type, deleted",
  );
  const pages = db.prepare<{ status: string; n: number }, []>("SELECT render_status AS status, count(*) AS n FROM pages GROUP BY render_status ORDER BY render_status");
  const ocr = db.prepare<{ status: string; n: number }, []>("SELECT status, count(*) AS n FROM page_ocr GROUP BY status ORDER BY status");
  const quotaUsed = db.prepare<{ n: number }, [string]>("SELECT coalesce(sum(used), 0) AS n FROM quota_usage WHERE month = ?");
  const users = db.prepare<{ id: number }, []>("SELECT id FROM users ORDER BY id");
  const blobs = db.prepare<{ n: number; bytes: number }, []>("SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM blobs");
  return {
    jobCountsByKindStatus: () => jobs.all(),
    documentCounts: () => documents.all(),
    pageCountsByRenderStatus: () => pages.all(),
    pageOcrCountsAll: () => ocr.all(),
    quotaUsedInMonth: (month: string) => quotaUsed.get(month)!.n,
    userIds: () => users.all().map((u) => u.id),
    blobTotals: () => blobs.get()!,
  };
}

export function metricsRepo(db: Database) {
  let r = cache.get(db);
  if (!r) cache.set(db, (r = build(db)));
  return r;
}
