// The upload endpoint's side of import: spool the archive to a temp file (size-limited while
// streaming), open it with the format core and feed each item through putDocument + blob storage.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Library } from "../../rm/container/library.ts";
import { isRmFormatError } from "../../rm/errors.ts";
import { AppError } from "../../errors.ts";
import { storeVerifiedBytes, storeVerifiedFile } from "./blobs.ts";
import type { AppContext } from "../context.ts";
import { libraryItems, openInput } from "./import.ts";
import { putDocument } from "./sync.ts";
import { SpoolFile } from "../../blobs/spool.ts";

export interface ImportSummary {
  documents: { uuid: string; name: string; pages: number; missingUploaded: number }[];
  folders: number;
  errors: { uuid: string; message: string }[];
}

/**
 * Copy one archive entry into the blob store without holding it in memory: inflated chunk by chunk
 * into a temp file while hashing, then stored (under a pin, see blobs.ts) and given to the user.
 * False when the archive cannot stream this entry.
 */
async function storeStreamed(ctx: AppContext, userId: number, lib: Library, src: { path: string; maxBytes: number }, sha: string, itemName: string): Promise<boolean> {
  const chunks = lib.source.stream?.(src.path, src.maxBytes);
  if (!chunks) return false;
  const tmp = join(ctx.tmpDir, `import-blob-${crypto.randomUUID()}`);
  const writer = Bun.file(tmp).writer();
  const hasher = new Bun.CryptoHasher("sha256");
  let size = 0;
  let ended = false;
  try {
    for (const c of chunks) {
      hasher.update(c);
      size += c.byteLength;
      writer.write(c);
      // One chunk (≤ a few MB) in flight at a time; also lets other requests run.
      await writer.flush();
    }
    await writer.end();
    ended = true;
    if (hasher.digest("hex") !== sha) throw new AppError("bad_archive", `A file of ${itemName} changed while importing.`);
    await storeVerifiedFile(ctx, userId, sha, size, tmp);
    return true;
  } finally {
    if (!ended) {
      try {
        await writer.end();
      } catch {
        /* already failed */
      }
    }
    await rm(tmp, { force: true });
  }
}

/** Refuse an archive holding an entry larger than one blob may be (RMIRROR_MAX_BLOB_BYTES), naming it. */
function checkEntrySizes(ctx: AppContext, lib: Library, fileName: string): void {
  const max = ctx.config.maxBlobBytes;
  if (!lib.source.size) return;
  for (const path of lib.source.list()) {
    const size = lib.source.size(path) ?? 0;
    if (size > max) throw new AppError("archive_entry_too_large", `${fileName}: the entry ${path} is ${size} bytes; one file may be at most ${max} bytes (RMIRROR_MAX_BLOB_BYTES).`, { entry: path, size, limit: max });
  }
}

async function spool(ctx: AppContext, data: Blob | ReadableStream<Uint8Array>, ext: string): Promise<string> {
  const max = ctx.config.maxImportBytes;
  const path = join(ctx.tmpDir, `import-${crypto.randomUUID()}${ext}`);
  if (data instanceof Blob) {
    if (data.size > max) throw new AppError("too_large", `Imports are limited to ${max} bytes.`, { limit: max });
    await Bun.write(path, data);
    return path;
  }
  // Every write awaited (SpoolFile): a full disk is an error answered 507, not an unhandled rejection.
  const out = await SpoolFile.create(path);
  let size = 0;
  const reader = data.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) throw new AppError("too_large", `Imports are limited to ${max} bytes.`, { limit: max });
      await out.write(value);
    }
    await out.finish();
  } catch (e) {
    await out.discard();
    throw e;
  }
  return path;
}

export async function importArchive(ctx: AppContext, userId: number, data: Blob | ReadableStream<Uint8Array>, fileName: string): Promise<ImportSummary> {
  const ext = /\.(rmdoc|rmn|zip)$/i.exec(fileName)?.[0]?.toLowerCase() ?? ".zip";
  const path = await spool(ctx, data, ext);
  try {
    let lib;
    try {
      // A lone item without .metadata is named after the uploaded file, not the spool file.
      lib = await openInput(path, { map: true, name: fileName.replace(/\.(rmdoc|rmn|zip)$/i, "") || undefined });
    } catch (e) {
      if (isRmFormatError(e)) throw new AppError("bad_archive", `The upload is not a readable export: ${e.message.replace(path, fileName)}`);
      throw e;
    }
    const summary: ImportSummary = { documents: [], folders: 0, errors: lib.errors.map((e) => ({ uuid: e.uuid, message: e.error.message.replace(path, fileName) })) };
    if (!lib.documents.length && !lib.folders.length) throw new AppError("bad_archive", "The upload contains no reMarkable documents.", { errors: summary.errors });
    checkEntrySizes(ctx, lib, fileName);
    const keep = (uuid: string) => ctx.store.documentByUuid(userId, uuid)?.type === "CollectionType";
    for await (const item of libraryItems(lib, keep, { maxFileBytes: ctx.config.maxBlobBytes })) {
      let r: ReturnType<typeof putDocument>;
      try {
        r = putDocument(ctx, userId, item.uuid, item.input);
      } catch (e) {
        // One refused item (a name over 1,024 characters, a bad timestamp) spoils nothing else.
        if (!(e instanceof AppError)) throw e;
        summary.errors.push({ uuid: item.uuid, message: e.message });
        continue;
      }
      let uploaded = 0;
      for (const sha of r.missing) {
        // Streamed from the archive into the store: memory stays at one chunk whatever the entry's size.
        const src = item.paths?.get(sha);
        if (src && (await storeStreamed(ctx, userId, lib, src, sha, item.name))) {
          uploaded++;
          continue;
        }
        const read = item.blobs.get(sha);
        if (!read) continue;
        const bytes = await read();
        if (new Bun.CryptoHasher("sha256").update(bytes).digest("hex") !== sha) throw new AppError("bad_archive", `A file of ${item.name} changed while importing.`);
        await storeVerifiedBytes(ctx, userId, sha, bytes);
        uploaded++;
      }
      if (item.input.metadata.type === "CollectionType") summary.folders++;
      else summary.documents.push({ uuid: item.uuid, name: item.name, pages: item.input.pages?.length ?? 0, missingUploaded: uploaded });
    }
    return summary;
  } catch (e) {
    // A page that turns out unreadable only when read (an entry inflating past its declared size,
    // corrupt deflate data): the archive is bad, not the server.
    if (isRmFormatError(e)) throw new AppError("bad_archive", `The upload is not a readable export: ${e.message.replace(path, fileName)}`);
    throw e;
  } finally {
    await rm(path, { force: true });
  }
}
