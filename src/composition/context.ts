// The composition root: builds the application context once at boot
// (config → db → migrate → blobs → queue → OCR engine → limiters). `serve`, the CLI commands,
// tests and benchmarks call createContext; services only receive the result (src/services/context.ts).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createBlobStore, type BlobStore } from "../blobs/index.ts";
import { DiskBlobStore } from "../blobs/disk.ts";
import type { Config } from "../config/schema.ts";
import { JobQueue } from "../jobs/queue.ts";
import { createLogger, type Logger } from "../log.ts";
import { createOcrEngine } from "../ocr/index.ts";
import { openDatabase } from "../storage/db.ts";
import { createStore } from "../storage/store.ts";
import type { AppContext } from "../services/context.ts";
import { LoginGuard } from "../services/accounts/login-guard.ts";
import { RateLimiter } from "../services/accounts/rate-limit.ts";
import { DOWNLOADS_PER_WINDOW } from "../services/agent/downloads.ts";
import { TailscaleWhois } from "../services/accounts/tailscale-whois.ts";
import { NotionRateLimiter } from "../notion/rate-limit.ts";

export interface ContextOptions {
  log?: Logger;
  blobs?: BlobStore;
  /** Clock for the job queue and the quota month (tests). */
  now?: () => number;
}

export function createContext(config: Config, opts: ContextOptions = {}): AppContext {
  const log = opts.log ?? createLogger(config.logLevel);
  const db = openDatabase(config.dbPath);
  const store = createStore(db);
  const blobs = opts.blobs ?? createBlobStore(config);
  const tmpDir = blobs instanceof DiskBlobStore ? blobs.tmpDir : join(config.dataDir, "tmp");
  mkdirSync(tmpDir, { recursive: true });
  const secret = store.ensureSetting("server_secret", Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url"));
  const queue = new JobQueue(store, { leaseMs: config.jobs.leaseSeconds * 1000, maxAttempts: config.jobs.maxAttempts, log: log.child({ component: "jobs" }), ...(opts.now ? { now: opts.now } : {}) });
  return {
    config,
    store,
    blobs,
    queue,
    log,
    secret,
    tmpDir,
    loginGuard: new LoginGuard({
      maxPairFailures: config.loginMaxFailures,
      maxAccountFailures: config.loginMaxFailures * 5,
      windowMs: config.loginWindowSeconds * 1000,
      concurrentVerifications: 2,
      queuedVerifications: 16,
    }),
    pairingLimiter: new RateLimiter(30, 10 * 60_000),
    downloadLimiter: new RateLimiter(DOWNLOADS_PER_WINDOW, 10 * 60_000),
    ocr: createOcrEngine(config),
    notionLimiter: new NotionRateLimiter(config.notion.requestsPerSecond),
    tailscaleWhois: config.tailscaleAuth && config.tailscaleWhois !== "off" ? new TailscaleWhois({ socketPath: config.tailscaleSocket }) : null,
  };
}
