// Storage faults that are not the caller's fault and pass by themselves: the disk is full, or the
// store (S3 endpoint, network, a 5xx from the service) does not answer. The blob stores throw
// these instead of raw errors so the edges can act on them: HTTP answers 507 / 503 with
// Retry-After, the job runner backs off without spending an attempt. `transient` is what the
// runner looks at (it does not import this module).

/** The disk (or the database's disk) is full: retry once space is freed. */
export class StorageFull extends Error {
  override readonly name = "StorageFull";
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The blob store does not answer (connection refused/reset, timeout, a 5xx): retry later. */
export class StorageUnavailable extends Error {
  override readonly name = "StorageUnavailable";
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const DISK_FULL = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL"]);
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ConnectionRefused",
  "ConnectionClosed",
  "ConnectionReset",
  "ConnectionTimeout",
  "Timeout",
  "TimeoutError",
  "FailedToOpenSocket",
  "UnableToConnect",
  // S3 answers that mean "try again" (AWS documents them as retryable)
  "InternalError",
  "ServiceUnavailable",
  "SlowDown",
  "RequestTimeout",
  "RequestTimeTooSkewed",
]);

function codeOf(e: unknown): string {
  const err = e as { code?: unknown; name?: unknown } | null;
  return typeof err?.code === "string" ? err.code : "";
}

/** ENOSPC / EDQUOT from the file system, SQLITE_FULL from the database. */
export function isDiskFull(e: unknown): boolean {
  if (e instanceof StorageFull) return true;
  const code = codeOf(e);
  if (DISK_FULL.has(code)) return true;
  const msg = (e as { message?: unknown } | null)?.message;
  return typeof msg === "string" && /\bENOSPC\b|database or disk is full|No space left on device/i.test(msg);
}

/** A network failure or a retryable answer from the store. */
export function isUnreachable(e: unknown): boolean {
  if (e instanceof StorageUnavailable) return true;
  const code = codeOf(e);
  if (NETWORK.has(code)) return true;
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 500;
}

/** Map a raw error from a store operation to StorageFull / StorageUnavailable, or return it as is. */
export function storageFault(e: unknown, what: string): unknown {
  if (e instanceof StorageFull || e instanceof StorageUnavailable) return e;
  const detail = `${codeOf(e) || (e as Error)?.name || "error"}: ${(e as Error)?.message ?? String(e)}`;
  if (isDiskFull(e)) return new StorageFull(`blobs: ${what}: no space left (${detail})`, { cause: e });
  if (isUnreachable(e)) return new StorageUnavailable(`blobs: ${what}: storage does not answer (${detail})`, { cause: e });
  return e;
}

/** Run a store operation, translating its faults. */
export async function guarded<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw storageFault(e, what);
  }
}
