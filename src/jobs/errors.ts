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
