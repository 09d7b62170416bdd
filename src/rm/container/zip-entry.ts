// Extracting one zip entry: locate its data through the local header, then copy (stored) or
// inflate (deflate, via fflate's streaming Inflate). Inflation is fed in small slices and the
// output is counted as it appears, so an entry that lies about its size is stopped as soon as
// it passes the declared size — the declared sizes were already checked against the limits.

import type { Inflate as InflateT } from "fflate";
import { RmFormatError } from "../errors.ts";
import { bad, type ZipEntry } from "./zip-directory.ts";

/**
 * fflate, evaluated on the first inflation rather than when this module loads: its start-up
 * looks for node:worker_threads (~12 ms of CPU) before `serve` could answer (issue 18).
 */
let fflate: typeof import("fflate") | undefined;
const Inflate = (...a: ConstructorParameters<typeof InflateT>): InflateT => new (fflate ??= require("fflate") as typeof import("fflate")).Inflate(...a);

const LOCAL_SIG = 0x04034b50;
const LOCAL_BYTES = 30;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const FLAG_ENCRYPTED = 0x1;
/** Compressed bytes fed per step; deflate expands at most ~1032×, so each step yields ≤ ~16 MB. */
const FEED_BYTES = 16 * 1024;

export function extractEntry(zip: Uint8Array, entry: ZipEntry, path: string): Uint8Array {
  if (entry.flags & FLAG_ENCRYPTED) throw bad(path, -1, "an unencrypted zip entry");
  const data = entryData(zip, entry, path);
  if (entry.method === METHOD_STORED) return storedData(data, entry, path);
  if (entry.method === METHOD_DEFLATE) return inflateCounted(data, entry.size, path);
  throw bad(path, -1, "zip compression method 0 (stored) or 8 (deflate)", `method ${entry.method}`);
}

/** Compressed bytes per step when streaming: each step yields at most ~1 MB. */
const STREAM_FEED_BYTES = 1024;
/** Stored entries are handed out in slices of this size (views, no copy). */
const STREAM_SLICE_BYTES = 1024 * 1024;

/**
 * The entry's bytes as a sequence of chunks, never the whole entry at once: memory stays at a
 * few MB whatever the entry's size. Chunks are counted against the declared size as they appear
 * (the same rules as extractEntry).
 */
export function* streamEntry(zip: Uint8Array, entry: ZipEntry, path: string): Generator<Uint8Array> {
  if (entry.flags & FLAG_ENCRYPTED) throw bad(path, -1, "an unencrypted zip entry");
  const data = entryData(zip, entry, path);
  if (entry.method === METHOD_STORED) {
    storedData(data, entry, path);
    for (let at = 0; at < data.byteLength; at += STREAM_SLICE_BYTES) yield data.subarray(at, Math.min(at + STREAM_SLICE_BYTES, data.byteLength));
    return;
  }
  if (entry.method !== METHOD_DEFLATE) throw bad(path, -1, "zip compression method 0 (stored) or 8 (deflate)", `method ${entry.method}`);
  const declared = entry.size;
  let total = 0;
  let pending: Uint8Array[] = [];
  const inflater = Inflate((chunk) => {
    total += chunk.byteLength;
    if (total > declared) throw new RmFormatError("too_large", path, -1, `at most the declared ${declared} bytes`, "entry inflates past its declared size");
    pending.push(chunk);
  });
  const push = (slice: Uint8Array, last: boolean) => {
    try {
      inflater.push(slice, last);
    } catch (e) {
      if (e instanceof RmFormatError) throw e;
      throw bad(path, -1, "a valid deflate stream", e instanceof Error ? e.message : String(e));
    }
  };
  if (data.byteLength === 0) push(new Uint8Array(0), true);
  for (let at = 0; at < data.byteLength; at += STREAM_FEED_BYTES) {
    const end = Math.min(at + STREAM_FEED_BYTES, data.byteLength);
    push(data.subarray(at, end), end === data.byteLength);
    const out = pending;
    pending = [];
    yield* out;
  }
  yield* pending;
  if (total !== declared) throw bad(path, -1, `${declared} inflated bytes`, `got ${total}`);
}

function entryData(zip: Uint8Array, entry: ZipEntry, path: string): Uint8Array {
  const at = entry.localHeaderOffset;
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  if (at + LOCAL_BYTES > zip.byteLength || view.getUint32(at, true) !== LOCAL_SIG) {
    throw bad(path, at, "a zip local file header");
  }
  const start = at + LOCAL_BYTES + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > zip.byteLength) throw bad(path, start, "entry data inside the archive", `${entry.compressedSize} bytes declared`);
  return zip.subarray(start, end);
}

function storedData(data: Uint8Array, entry: ZipEntry, path: string): Uint8Array {
  if (data.byteLength !== entry.size) {
    throw bad(path, -1, `a stored entry of ${entry.size} bytes`, `${data.byteLength} bytes stored`);
  }
  return data;
}

function inflateCounted(data: Uint8Array, declared: number, path: string): Uint8Array {
  if (declared === 0 && data.byteLength === 0) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = Inflate((chunk) => {
    total += chunk.byteLength;
    if (total > declared) {
      throw new RmFormatError("too_large", path, -1, `at most the declared ${declared} bytes`, "entry inflates past its declared size");
    }
    chunks.push(chunk);
  });
  feed(inflater, data, path);
  if (total !== declared) throw bad(path, -1, `${declared} inflated bytes`, `got ${total}`);
  return concat(chunks, total);
}

function feed(inflater: InflateT, data: Uint8Array, path: string): void {
  try {
    if (data.byteLength === 0) inflater.push(new Uint8Array(0), true);
    for (let at = 0; at < data.byteLength; at += FEED_BYTES) {
      const end = Math.min(at + FEED_BYTES, data.byteLength);
      inflater.push(data.subarray(at, end), end === data.byteLength);
    }
  } catch (e) {
    if (e instanceof RmFormatError) throw e;
    throw bad(path, -1, "a valid deflate stream", e instanceof Error ? e.message : String(e));
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
