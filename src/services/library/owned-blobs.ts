// Reading stored bytes on behalf of a user: only through that user's ownership (user_blobs).
// Bytes belong to users, not to hashes: another user's identical bytes are never reachable by
// naming their hash. Every read of the blob store for a user goes through these two functions
// (test/server/ownership.test.ts fails on a direct read anywhere else).
import type { AppContext } from "../context.ts";

/**
 * The bytes of `sha256` when `userId` owns them (uploaded them, or they were rendered for them),
 * else null, whoever else holds the same hash: bytes belong to users, not to hashes. Every read
 * of stored bytes on behalf of a user goes through this or `streamOwnedBlob`.
 */
export async function readOwnedBlob(ctx: AppContext, userId: number, sha256: string): Promise<Uint8Array | null> {
  if (!ctx.store.userHasBlob(userId, sha256)) return null;
  return ctx.blobs.get(sha256);
}

/** A response body for `sha256` when `userId` owns it, else null (see readOwnedBlob). */
export async function streamOwnedBlob(ctx: AppContext, userId: number, sha256: string): Promise<Blob | ReadableStream<Uint8Array> | null> {
  if (!ctx.store.userHasBlob(userId, sha256)) return null;
  return ctx.blobs.stream(sha256);
}
