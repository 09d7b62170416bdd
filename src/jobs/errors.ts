// Errors a worker throws to steer the queue.

/** Try again after `ms` without spending an attempt (HTTP 429/529, quota windows). */
export class RetryAfter extends Error {
  override readonly name = "RetryAfter";
  constructor(readonly ms: number, message = `retry after ${ms} ms`) {
    super(message);
  }
}

/** Fail now, no retries: the input itself is bad (corrupt file) and retrying cannot help. */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
}

/**
 * A fault that passes by itself (storage full or not answering, see src/blobs/faults.ts): the
 * runner backs off and retries without spending an attempt. Recognised by its `transient` flag.
 */
export function isTransient(e: unknown): boolean {
  return (e as { transient?: unknown } | null)?.transient === true;
}
