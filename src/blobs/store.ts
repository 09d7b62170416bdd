// Content-addressed blob storage. Keys are lowercase sha256 hex, validated before they touch a
// path or an object key. Two implementations: local disk (default) and any S3-compatible store.

export const SHA256_RE = /^[0-9a-f]{64}$/;

export function isSha256(s: string): boolean {
  return SHA256_RE.test(s);
}

export function assertSha256(s: string): void {
  if (!SHA256_RE.test(s)) throw new Error(`blobs: invalid sha256 key ${JSON.stringify(s.slice(0, 80))}`);
}

/** One object in a blob store, as listed for garbage collection. */
export interface StoredBlob {
  sha256: string;
  size: number;
  /** Last write, ms since the epoch. */
  modifiedAt: number;
}

export interface BlobStore {
  readonly kind: "disk" | "s3";
  has(sha256: string): Promise<boolean>;
  /** Store bytes whose hash the caller has verified. Idempotent. */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** Move/upload a verified temp file into the store (the temp file is consumed). */
  putFile(sha256: string, path: string): Promise<void>;
  /** The bytes, or null when absent. */
  get(sha256: string): Promise<Uint8Array | null>;
  /** A body for HTTP responses (file-backed Blob or a stream), or null when absent. */
  stream(sha256: string): Promise<Blob | ReadableStream<Uint8Array> | null>;
  delete(sha256: string): Promise<void>;
  /** Every stored blob (anything else in the store's folder or prefix is skipped). */
  list(): AsyncIterable<StoredBlob>;
  /** Remove the store's own temp files older than `before` (left by crashed writes); how many. */
  removeStaleTemp(before: number): Promise<number>;
  /** Throws when the store is unusable (for /healthz). */
  check(): Promise<void>;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}
