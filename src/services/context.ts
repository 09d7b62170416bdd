// The application context: everything a service needs. Services take it as their first argument;
// they never see the HTTP framework. It is built once at boot by the composition root
// (src/composition/context.ts); this module only describes it, so it imports types alone.
import type { BlobStore } from "../blobs/index.ts";
import type { Config } from "../config/schema.ts";
import type { JobQueue } from "../jobs/queue.ts";
import type { Logger } from "../log.ts";
import type { OcrEngine } from "../ocr/engine.ts";
import type { Store } from "../storage/store.ts";
import type { LoginGuard } from "./accounts/login-guard.ts";
import type { RateLimiter } from "./accounts/rate-limit.ts";
import type { TailscaleWhois } from "./accounts/tailscale-whois.ts";
import type { NotionRateLimiter } from "../notion/rate-limit.ts";

export interface AppContext {
  config: Config;
  store: Store;
  blobs: BlobStore;
  queue: JobQueue;
  log: Logger;
  /** Server secret (random, stored in settings) for CSRF tokens. */
  secret: string;
  /** Where uploads are spooled before they are verified and stored. */
  tmpDir: string;
  /** Password-login limits and the bound on concurrent password verifications. */
  loginGuard: LoginGuard;
  pairingLimiter: RateLimiter;
  /** Agent downloads (executables, checksums, install scripts) per client address. */
  downloadLimiter: RateLimiter;
  /** The OCR engine, or null when none is configured (pages wait in pending_ocr). */
  ocr: OcrEngine | null;
  /** Per-token pacing of Notion requests (shared by every Notion job of this process). */
  notionLimiter: NotionRateLimiter;
  /** tailscaled's LocalAPI whois, in Tailscale mode unless RMIRROR_TAILSCALE_WHOIS=off (docs/tailscale.md). */
  tailscaleWhois: TailscaleWhois | null;
}
