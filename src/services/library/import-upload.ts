// The upload endpoint's side of import: spool the archive to a temp file (size-limited while
// streaming), open it with the format core and feed each item through putDocument + blob storage.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { isRmFormatError } from "../../rm/errors.ts";
import { AppError } from "../../errors.ts";
import { recordBlob } from "./blobs.ts";
import type { AppContext } from "../context.ts";
import { libraryItems, openInput } from "./import.ts";
import { putDocument } from "./sync.ts";
import { SpoolFile } from "../../blobs/spool.ts";

export interface ImportSummary {
  documents: { uuid: string; name: string; pages: number; missingUploaded: number }[];
  folders: number;
  errors: { uuid: string; message: string }[];
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
      lib = await openInput(path);
    } catch (e) {
      if (isRmFormatError(e)) throw new AppError("bad_archive", `The upload is not a readable export: ${e.message.replace(path, fileName)}`);
      throw e;
    }
    const summary: ImportSummary = { documents: [], folders: 0, errors: lib.errors.map((e) => ({ uuid: e.uuid, message: e.error.message.replace(path, fileName) })) };
    if (!lib.documents.length && !lib.folders.length) throw new AppError("bad_archive", "The upload contains no reMarkable documents.", { errors: summary.errors });
    const keep = (uuid: string) => ctx.store.documentByUuid(userId, uuid)?.type === "CollectionType";
    for await (const item of libraryItems(lib, keep)) {
      const r = putDocument(ctx, userId, item.uuid, item.input);
      let uploaded = 0;
      for (const sha of r.missing) {
        const read = item.blobs.get(sha);
        if (!read) continue;
        const bytes = await read();
        if (new Bun.CryptoHasher("sha256").update(bytes).digest("hex") !== sha) throw new AppError("bad_archive", `A file of ${item.name} changed while importing.`);
        if (!ctx.store.blobByHash(sha) || !(await ctx.blobs.has(sha))) await ctx.blobs.put(sha, bytes);
        recordBlob(ctx, userId, sha, bytes.byteLength);
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
