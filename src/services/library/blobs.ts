// Blob upload: stream the body to a temp file while hashing and counting (abort as soon as the
// size limit is passed), verify the hash, then store it content-addressed, durably, before
// answering. Idempotent: uploading bytes the user already has is a no-op while the stored copy is
// sound, and rewrites it when it is damaged. Every write is awaited, so a full disk is an error
// answered 507 (StorageFull), never an unhandled rejection. Pages of this user that were waiting
// for the blob are queued for rendering.
// Every write of a blob (upload, render, import) pins the hash before it checks or writes the
// bytes and unpins after the index row is committed, so garbage collection (services/operations/blob-gc.ts)
// never deletes bytes a write is about to rely on; a hash being deleted is waited for, then
// written again.
import { join } from "node:path";
import { storageFault } from "../../blobs/faults.ts";
import { SpoolFile } from "../../blobs/spool.ts";
import { enqueuePdfTextForBlob } from "./pdf-text.ts";
import { enqueueRender } from "./render-page.ts";
import { AppError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { requireSha256 } from "../ids.ts";

export interface UploadResult {
  sha256: string;
  size: number;
  stored: boolean;
  queuedPages: number;
}

export async function uploadBlob(
  ctx: AppContext,
  userId: number,
  rawSha: string,
  body: ReadableStream<Uint8Array> | null,
  declaredLength: number | null,
): Promise<UploadResult> {
  const sha256 = requireSha256(rawSha.toLowerCase(), "url");
  const max = ctx.config.maxBlobBytes;
  if (declaredLength !== null && declaredLength > max) throw new AppError("too_large", `Blobs are limited to ${max} bytes.`, { limit: max });
  // Only an owner is told "already stored" (and its use refreshed for garbage collection); anyone
  // else sends the bytes, which are verified, whatever other users hold.
  const known = ctx.store.blobByHash(sha256);
  // "Already stored" only when the stored copy is sound: a crash can leave a 0-byte or short copy.
  if (known && ctx.store.userHasBlob(userId, sha256) && (await ctx.blobs.isSound(sha256, known.size)) && ctx.store.touchUserBlob(userId, sha256, Date.now())) {
    await body?.cancel().catch(() => {});
    return { sha256, size: known.size, stored: false, queuedPages: 0 };
  }
  let spool: SpoolFile;
  try {
    spool = await SpoolFile.create(join(ctx.tmpDir, `upload-${crypto.randomUUID()}`));
  } catch (e) {
    await body?.cancel().catch(() => {});
    throw storageFault(e, "upload");
  }
  const hasher = new Bun.CryptoHasher("sha256");
  let size = 0;
  try {
    if (body) {
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > max) throw new AppError("too_large", `Blobs are limited to ${max} bytes.`, { limit: max });
          hasher.update(value);
          await spool.write(value);
        }
      } finally {
        reader.releaseLock();
      }
    }
    await spool.finish();
    const actual = hasher.digest("hex");
    if (actual !== sha256) throw new AppError("hash_mismatch", undefined, { expected: sha256, actual, size });
    if (declaredLength !== null && declaredLength !== size) throw new AppError("size_mismatch", undefined, { declared: declaredLength, actual: size });
  } catch (e) {
    await spool.discard();
    throw storageFault(e, "upload");
  }
  try {
    // Keeps a sound stored copy, replaces a damaged one; durable (fsync'd) before it returns.
    const queuedPages = await writePinned(ctx, userId, sha256, size, () => ctx.blobs.putFile(sha256, spool.path));
    return { sha256, size, stored: true, queuedPages };
  } catch (e) {
    throw storageFault(e, "upload");
  } finally {
    await spool.discard();
  }
}

/** How long a writer waits for garbage collection to finish deleting the same hash. */
const DELETION_WAIT_MS = 30_000;
/** A deletion in progress older than this was abandoned by a crashed collector. */
export const STALE_DELETION_MS = 10 * 60_000;

/** Pin `sha256` for a write, waiting while garbage collection is deleting it. */
async function pinForWrite(ctx: AppContext, sha256: string): Promise<number> {
  const t0 = Date.now();
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    const now = Date.now();
    const id = ctx.store.tx(() => ctx.store.pinBlob(sha256, now, now - STALE_DELETION_MS));
    if (id !== null) return id;
    if (delay === 2) ctx.log.debug("blob write waits: garbage collection is deleting the same bytes", { sha256 });
    if (now - t0 > DELETION_WAIT_MS) throw new AppError("unavailable", "The blob is being cleaned up; retry shortly.");
    await Bun.sleep(delay);
  }
}

/**
 * Write verified bytes of `sha256` with `write` (the stores skip bytes they already have) and
 * index them for the user, all under a pin. Returns how many waiting pages were queued.
 */
async function writePinned(ctx: AppContext, userId: number, sha256: string, size: number, write: () => Promise<void>): Promise<number> {
  const pin = await pinForWrite(ctx, sha256);
  try {
    await write();
    return recordBlob(ctx, userId, sha256, size);
  } finally {
    ctx.store.unpinBlob(pin);
  }
}

/** Index a stored blob, give it to the user, and queue the user's pages that were waiting for it. */
export function recordBlob(ctx: AppContext, userId: number, sha256: string, size: number): number {
  return ctx.store.tx(() => {
    ctx.store.insertBlob(sha256, size);
    ctx.store.grantBlob(userId, sha256);
    let queued = 0;
    for (const p of ctx.store.pagesAwaitingBlob(userId, sha256)) {
      ctx.store.setPageStatus(p.id, "pending");
      if (enqueueRender(ctx, userId, p.id, sha256)) queued++;
    }
    enqueuePdfTextForBlob(ctx, userId, sha256);
    return queued;
  });
}

/** Store bytes produced on the server (derived renders) and index them for the user. */
export async function storeBytes(ctx: AppContext, userId: number, bytes: Uint8Array): Promise<string> {
  const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  await storeVerifiedBytes(ctx, userId, sha256, bytes);
  return sha256;
}

/** Store a file whose hash the caller verified (streamed import entries) and index it for the user; the caller removes the file. */
export async function storeVerifiedFile(ctx: AppContext, userId: number, sha256: string, size: number, path: string): Promise<void> {
  await writePinned(ctx, userId, sha256, size, () => ctx.blobs.putFile(sha256, path));
}

/** Store bytes whose hash the caller verified (imports) and index them for the user. */
export async function storeVerifiedBytes(ctx: AppContext, userId: number, sha256: string, bytes: Uint8Array): Promise<void> {
  await writePinned(ctx, userId, sha256, bytes.byteLength, () => ctx.blobs.put(sha256, bytes));
}
