// Notion sync job: one notebook (coalesced per notebook by its idempotency key) or the whole
// library (two phases). One at a time: Notion allows ~3 requests/s per integration anyway, and
// one writer per user keeps database creation single.
import type { AppContext } from "../../services/context.ts";
import { NOTION_SYNC, notionSyncFailed, parseNotionSyncPayload, runNotionSync, type NotionSyncPayload } from "../../services/notion/notion-sync.ts";
import type { Worker } from "../runner.ts";

export function notionSyncWorker(ctx: AppContext): Worker<NotionSyncPayload> {
  return {
    kind: NOTION_SYNC,
    concurrency: 1,
    parse: parseNotionSyncPayload,
    run: ({ payload }) => runNotionSync(ctx, payload),
    onFinalFailure(payload, reason) {
      notionSyncFailed(ctx, payload, reason);
    },
  };
}
