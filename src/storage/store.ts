// All repositories over one database. Created once at boot; services receive this.
import type { Database } from "bun:sqlite";
import { blobsRepo } from "./blobs.ts";
import { blobGcRepo } from "./blob-gc.ts";
import { deviceTokensRepo } from "./device-tokens.ts";
import { documentFilesRepo } from "./document-files.ts";
import { documentsRepo } from "./documents.ts";
import { jobsRepo } from "./jobs.ts";
import { pagesRepo } from "./pages.ts";
import { pairingsRepo } from "./pairings.ts";
import { installCodesRepo } from "./install-codes.ts";
import { agentHeartbeatsRepo } from "./agent-heartbeats.ts";
import { agentSyncSettingsRepo } from "./agent-sync-settings.ts";
import { sessionsRepo } from "./sessions.ts";
import { settingsRepo } from "./settings.ts";
import { usersRepo } from "./users.ts";
import { pageOcrRepo } from "./page-ocr.ts";
import { quotaRepo } from "./quota.ts";
import { notificationsRepo } from "./notifications.ts";
import { pageTextsRepo } from "./page-texts.ts";
import { todosRepo } from "./todos.ts";
import { searchRepo } from "./search.ts";
import { notionConnectionsRepo } from "./notion-connections.ts";
import { notionOauthStatesRepo } from "./notion-oauth-states.ts";
import { syncRecordsRepo } from "./sync-records.ts";
import { dashboardRepo } from "./dashboard.ts";
import { todoistRepo } from "./todoist.ts";
import { changesRepo } from "./changes.ts";
import { webhooksRepo } from "./webhooks.ts";
import { ocrReadsRepo } from "./ocr-reads.ts";

export function createStore(db: Database) {
  return {
    db,
    /** Run `fn` in one synchronous transaction (never pass an async function). */
    tx<T>(fn: () => T): T {
      return db.transaction(() => {
        const r = fn();
        if (r instanceof Promise) throw new Error("storage: async function passed to tx (transactions must be synchronous)");
        return r;
      })();
    },
    ...settingsRepo(db),
    ...usersRepo(db),
    ...sessionsRepo(db),
    ...deviceTokensRepo(db),
    ...pairingsRepo(db),
    ...installCodesRepo(db),
    ...agentHeartbeatsRepo(db),
    ...agentSyncSettingsRepo(db),
    ...blobsRepo(db),
    ...blobGcRepo(db),
    ...documentsRepo(db),
    ...pagesRepo(db),
    ...documentFilesRepo(db),
    ...jobsRepo(db),
    ...pageOcrRepo(db),
    ...quotaRepo(db),
    ...notificationsRepo(db),
    ...pageTextsRepo(db),
    ...todosRepo(db),
    ...searchRepo(db),
    ...notionConnectionsRepo(db),
    ...notionOauthStatesRepo(db),
    ...syncRecordsRepo(db),
    ...dashboardRepo(db),
    ...todoistRepo(db),
    ...changesRepo(db),
    ...webhooksRepo(db),
    ...ocrReadsRepo(db),
  };
}

export type Store = ReturnType<typeof createStore>;
