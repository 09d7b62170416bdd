// Lifecycle in one place: config → db → migrate → workers → http; shutdown stops accepting,
// drains in-flight requests and jobs, then closes the database.
import { schedule, type ScheduledTask } from "node-cron";
import type { Server } from "bun";
import type { BlobStore } from "../blobs/store.ts";
import type { Config } from "../config/schema.ts";
import { createRunner } from "../composition/workers.ts";
import type { JobRunner } from "../jobs/runner.ts";
import type { Logger } from "../log.ts";
import { ensureAdminFromConfig } from "../services/accounts/accounts.ts";
import { createContext } from "../composition/context.ts";
import type { AppContext } from "../services/context.ts";
import { collectGarbage } from "../services/operations/blob-gc.ts";
import { purgeDeleted } from "../services/library/sync.ts";
import { startQuotaCron } from "../services/ocr/quota-cron.ts";
import { createApp, type App } from "./app.ts";

export interface RunningServer {
  ctx: AppContext;
  app: App;
  runner: JobRunner;
  server: Server<undefined>;
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  blobs?: BlobStore;
  /** Start the job runner (default true). */
  jobs?: boolean;
}

/**
 * Daily housekeeping: purge documents past the trash grace period, expired sessions/pairings,
 * then collect blobs nothing refers to any more (a failure is logged; the next run retries).
 */
export async function housekeeping(ctx: AppContext, now = Date.now()): Promise<void> {
  const docs = purgeDeleted(ctx, now);
  const sessions = ctx.store.purgeExpiredSessions();
  const pairings = ctx.store.purgeExpiredPairings();
  if (docs || sessions || pairings) ctx.log.info("housekeeping", { purgedDocuments: docs, expiredSessions: sessions, expiredPairings: pairings });
  try {
    const gc = await collectGarbage(ctx, { now });
    if (gc.deleted || gc.unindexed || gc.tempFiles) ctx.log.info("garbage collection", { ...gc });
  } catch (e) {
    ctx.log.error("garbage collection failed (retried at the next housekeeping)", { error: e as Error });
  }
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const ctx = createContext(config, opts);
  const log = ctx.log;
  await ensureAdminFromConfig(ctx);
  const runner = createRunner(ctx);
  if (opts.jobs !== false) runner.start();
  // One housekeeping at a time; shutdown waits for the running one before closing the database.
  let chores: Promise<void> = housekeeping(ctx);
  const cron: ScheduledTask = schedule(
    "17 3 * * *",
    () => {
      chores = chores.then(() => housekeeping(ctx));
    },
    { name: "housekeeping" },
  );
  const quotaCron = startQuotaCron(ctx);

  let draining = false;
  const app = createApp(ctx, { draining: () => draining });
  const httpLog = log.child({ component: "http" });
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    maxRequestBodySize: Math.max(config.maxBlobBytes, config.maxImportBytes) + 1024 * 1024,
    idleTimeout: 120,
    async fetch(req) {
      const t0 = performance.now();
      const res = await app.handle(req);
      const path = new URL(req.url).pathname;
      if (path !== "/healthz" || res.status !== 200)
        httpLog[res.status >= 500 ? "error" : "info"]("request", { method: req.method, path, status: res.status, ms: Math.round((performance.now() - t0) * 10) / 10 });
      return res;
    },
  });
  (app as unknown as { server: Server<undefined> }).server = server;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`;
  log.info("rmirror serving", { url, storage: ctx.blobs.kind, db: config.dbPath });

  let stopping: Promise<void> | null = null;
  return {
    ctx,
    app,
    runner,
    server,
    url,
    stop() {
      stopping ??= (async () => {
        draining = true;
        log.info("shutting down: stop accepting, drain requests and jobs");
        await cron.stop();
        await quotaCron.stop();
        await server.stop(false);
        await runner.stop();
        await chores;
        ctx.store.db.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}
