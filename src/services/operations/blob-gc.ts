// Garbage collection of blobs: delete stored bytes nothing wants any more (old page versions,
// replaced renders and PNG variants, files of purged documents, uploads no document ever named,
// leftovers of crashed writes). Run by the daily housekeeping and by `rmirror gc`.
//
// A blob is kept while one of its owners refers to it (page file, page render, document file,
// document PDF export), while any owner used it within the grace period (upload, re-upload,
// render), and while a write of it is pinned. Safety against concurrent writers, for indexed
// blobs and for unindexed bytes alike:
//   1. one transaction decides, unindexes (grants and row) and records a deletion in progress;
//   2. the bytes are deleted; 3. the deletion record is removed.
// A writer pins the hash in a transaction that fails while a deletion is recorded (it waits and
// then writes the bytes again), so either the writer's pin comes first (the collector keeps the
// blob) or the deletion does (the writer does not trust bytes about to vanish). Ownership goes
// with the row: a user whose blob was collected is asked for it again by the next sync.
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { GcCutoffs } from "../../storage/blob-gc.ts";
import type { AppContext } from "../context.ts";
import { STALE_DELETION_MS } from "../library/blobs.ts";

const BATCH = 200;
const HOUR_MS = 3_600_000;
/** A pin or temp file this old was left by a crashed process (a write takes seconds to minutes). */
const STALE_WRITE_MS = 24 * HOUR_MS;

export interface GcOptions {
  /** Report what would be deleted, change nothing. */
  dryRun?: boolean;
  now?: number;
  /** Default: the configured grace period (RMIRROR_GC_GRACE_HOURS). */
  graceHours?: number;
  /** Called after a batch is unindexed and before its bytes are deleted (tests hold it here). */
  beforeDelete?: (sha256s: string[]) => Promise<void>;
}

export interface GcReport {
  dryRun: boolean;
  graceHours: number;
  /** Indexed blobs looked at. */
  examined: number;
  /** Indexed blobs deleted (or, dry run, that would be). */
  deleted: number;
  deletedBytes: number;
  /** Stored bytes no index row names (left by crashes), deleted. */
  unindexed: number;
  unindexedBytes: number;
  /** Temp files of crashed writes removed (not counted in a dry run). */
  tempFiles: number;
  ms: number;
}

export async function collectGarbage(ctx: AppContext, opts: GcOptions = {}): Promise<GcReport> {
  const t0 = performance.now();
  const now = opts.now ?? Date.now();
  const graceHours = opts.graceHours ?? ctx.config.gcGraceHours;
  const cutoff = now - graceHours * HOUR_MS;
  // Pins and temp files belong to writes in flight: judged by the real clock, whatever `now` and
  // the grace period say (even `--grace-hours 0` never touches a live write).
  const stalePin = Date.now() - STALE_WRITE_MS;
  const c: GcCutoffs = { grace: cutoff, stalePin };
  const dry = opts.dryRun === true;
  const s = ctx.store;
  const report: GcReport = { dryRun: dry, graceHours, examined: 0, deleted: 0, deletedBytes: 0, unindexed: 0, unindexedBytes: 0, tempFiles: 0, ms: 0 };

  if (!dry) {
    // Left by a crashed process: pins of writes that never finished, deletions never completed
    // (their bytes, if any, are unindexed now and are swept below).
    s.tx(() => {
      s.dropStaleBlobPins(stalePin);
      for (const sha of s.staleBlobDeletions(Date.now() - STALE_DELETION_MS)) s.finishBlobDeletion(sha);
    });
  }

  // 1. Indexed blobs, in hash order, a batch per transaction.
  let after = "";
  for (;;) {
    const rows = s.indexedBlobsAfter(after, BATCH);
    if (!rows.length) break;
    after = rows.at(-1)!.sha256;
    report.examined += rows.length;
    await yieldToRequests(); // a batch at a time: the server keeps answering meanwhile
    if (dry) {
      for (const r of rows) {
        if (s.blobWanted(r.sha256, c)) continue;
        report.deleted++;
        report.deletedBytes += r.size;
      }
      continue;
    }
    const claimed = s.tx(() => rows.filter((r) => s.claimIndexedBlobForDeletion(r.sha256, c, Date.now())));
    await deleteClaimed(ctx, claimed.map((r) => r.sha256), opts);
    report.deleted += claimed.length;
    report.deletedBytes += claimed.reduce((n, r) => n + r.size, 0);
  }

  // 2. Bytes in the store that no row indexes, old enough that no write can be relying on them.
  let batch: { sha256: string; size: number }[] = [];
  const flush = async () => {
    const items = batch;
    batch = [];
    if (dry) {
      const loose = items.filter((b) => !s.blobIndexed(b.sha256) && !s.blobPinnedSince(b.sha256, stalePin));
      report.unindexed += loose.length;
      report.unindexedBytes += loose.reduce((n, b) => n + b.size, 0);
      return;
    }
    const claimed = s.tx(() => items.filter((b) => s.claimUnindexedBlobForDeletion(b.sha256, c, Date.now())));
    await deleteClaimed(ctx, claimed.map((b) => b.sha256), opts);
    report.unindexed += claimed.length;
    report.unindexedBytes += claimed.reduce((n, b) => n + b.size, 0);
  };
  for await (const o of ctx.blobs.list()) {
    if (o.modifiedAt >= cutoff || s.blobIndexed(o.sha256)) continue;
    batch.push(o);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();

  // 3. Temp files of writes that crashed (uploads are spooled there first).
  if (!dry) {
    report.tempFiles += await ctx.blobs.removeStaleTemp(stalePin);
    if (!("tmpDir" in ctx.blobs) || ctx.blobs.tmpDir !== ctx.tmpDir) report.tempFiles += await removeOldFiles(ctx.tmpDir, stalePin);
  }

  report.ms = Math.round(performance.now() - t0);
  return report;
}

/** Delete the bytes of hashes this collector recorded as being deleted, then clear the records. */
async function deleteClaimed(ctx: AppContext, sha256s: string[], opts: GcOptions): Promise<void> {
  if (!sha256s.length) return;
  try {
    await opts.beforeDelete?.(sha256s);
    for (const sha of sha256s) {
      // A writer takes over a deletion only once it is stale; then the bytes are its own.
      if (ctx.store.blobDeletionStarted(sha) === null) continue;
      await ctx.blobs.delete(sha);
    }
  } finally {
    ctx.store.tx(() => {
      for (const sha of sha256s) ctx.store.finishBlobDeletion(sha);
    });
  }
}

function yieldToRequests(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

async function removeOldFiles(dir: string, before: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const p = join(dir, name);
    const st = await stat(p).catch(() => null);
    if (st?.isFile() && st.mtimeMs < before) {
      await rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}
