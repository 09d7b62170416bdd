// All repositories over one database. Created once at boot; services receive this.
import type { Database, Statement } from "bun:sqlite";
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

/**
 * The database as the repositories see it: `prepare` and `query` hand back a statement that is
 * prepared on its first use (then kept), so building the store prepares nothing — ~250 statements,
 * ~15 ms of `serve`'s start before its first request (issue 18); most of them a given run never
 * uses. Everything else is the database itself.
 */
function lazyStatements(db: Database): Database {
  const lazy = (make: (...args: unknown[]) => Statement) => (...args: unknown[]) => {
    let real: Statement | undefined;
    const bound = new Map<PropertyKey, unknown>();
    return new Proxy({} as Statement, {
      get(_, prop) {
        real ??= make(...args);
        let v = bound.get(prop);
        if (v === undefined) {
          v = Reflect.get(real, prop, real);
          if (typeof v === "function") {
            v = (v as (...a: unknown[]) => unknown).bind(real);
            bound.set(prop, v);
          }
        }
        return v;
      },
    });
  };
  const prepare = lazy((...a) => (db.prepare as (...a: unknown[]) => Statement)(...a));
  const query = lazy((...a) => (db.query as (...a: unknown[]) => Statement)(...a));
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return prepare;
      if (prop === "query") return query;
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export function createStore(realDb: Database) {
  const db = lazyStatements(realDb);
  return {
    db: realDb,
    /** Run `fn` in one synchronous transaction (never pass an async function). */
    tx<T>(fn: () => T): T {
      return realDb.transaction(() => {
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
