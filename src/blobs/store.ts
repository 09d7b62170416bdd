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

/** What a full read of a stored copy found: sound, absent, the wrong size, or the wrong content. */
export type ScrubResult = "ok" | "missing" | "size" | "hash";

/**
 * Content-addressed storage. Faults that pass by themselves are thrown as StorageFull /
 * StorageUnavailable (./faults.ts); anything else is a bug or a bad input.
 */
export interface BlobStore {
  readonly kind: "disk" | "s3";
  has(sha256: string): Promise<boolean>;
  /**
   * Store bytes whose hash the caller has verified, durably before it resolves. Idempotent: a
   * copy already there is kept only when sound (isSound); a damaged one is replaced.
   */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** Move/upload a verified temp file into the store, like put (the temp file is consumed). */
  putFile(sha256: string, path: string): Promise<void>;
  /** Size of the stored copy in bytes, or null when absent. */
  size(sha256: string): Promise<number | null>;
  /**
   * Cheap check of a stored copy before trusting it: present with the right size, and (disk,
   * copies up to 1 MiB) the right hash. Reading every byte is scrub()'s job.
   */
  isSound(sha256: string, size: number): Promise<boolean>;
  /** Read the stored copy whole and check it against its hash (and the indexed size). */
  scrub(sha256: string, expectedSize?: number): Promise<ScrubResult>;
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
