// Reading a zip archive's central directory (the table of contents at its end), including the
// zip64 variants, with every offset and count checked against the archive's real size. Nothing
// is inflated here; the entry list is what lets the zip source read single files lazily and
// refuse bombs (too many entries, too many declared bytes) before inflating anything.

import { RmFormatError } from "../errors.ts";

export interface ZipEntry {
  /** Name exactly as stored (normalised later by the source). */
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipDirectoryLimits {
  maxEntries: number;
}

const EOCD_SIG = 0x06054b50;
const EOCD_BYTES = 22;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const CENTRAL_BYTES = 46;
const ZIP64_EXTRA_ID = 0x0001;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const MAX_COMMENT = 0xffff;

const NAME_DECODER = new TextDecoder("utf-8", { fatal: false });

interface Directory {
  entryCount: number;
  offset: number;
  size: number;
}

/** Every entry of the archive's central directory, in stored order. */
export function readZipDirectory(zip: Uint8Array, label: string, limits: ZipDirectoryLimits): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEndOfDirectory(view, label);
  const dir = readDirectoryLocation(view, eocd, label);
  if (dir.entryCount > limits.maxEntries) {
    throw new RmFormatError("too_large", label, eocd, `at most ${limits.maxEntries} zip entries`, `${dir.entryCount} declared`);
  }
  if (dir.offset + dir.size > zip.byteLength) throw bad(label, eocd, "a central directory inside the file");
  return readCentralEntries(zip, view, dir, label);
}

function findEndOfDirectory(view: DataView, label: string): number {
  const last = view.byteLength - EOCD_BYTES;
  const first = Math.max(0, last - MAX_COMMENT);
  for (let at = last; at >= first; at--) {
    if (view.getUint32(at, true) === EOCD_SIG) return at;
  }
  throw bad(label, Math.max(0, last), "a zip end-of-central-directory record", "not a zip archive");
}

function readDirectoryLocation(view: DataView, eocd: number, label: string): Directory {
  const dir = {
    entryCount: view.getUint16(eocd + 10, true),
    size: view.getUint32(eocd + 12, true),
    offset: view.getUint32(eocd + 16, true),
  };
  const usesZip64 = dir.entryCount === U16_MAX || dir.size === U32_MAX || dir.offset === U32_MAX;
  if (usesZip64) return readZip64Location(view, eocd, label) ?? dir;
  return dir;
}

function readZip64Location(view: DataView, eocd: number, label: string): Directory | undefined {
  const locator = eocd - ZIP64_LOCATOR_BYTES;
  if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR_SIG) return undefined;
  const record = readU64(view, locator + 8, label);
  if (record + 56 > view.byteLength || view.getUint32(record, true) !== ZIP64_EOCD_SIG) {
    throw bad(label, locator, "a zip64 end-of-central-directory record");
  }
  return {
    entryCount: readU64(view, record + 32, label),
    size: readU64(view, record + 40, label),
    offset: readU64(view, record + 48, label),
  };
}

function readCentralEntries(zip: Uint8Array, view: DataView, dir: Directory, label: string): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const end = dir.offset + dir.size;
  let at = dir.offset;
  for (let i = 0; i < dir.entryCount; i++) {
    if (at + CENTRAL_BYTES > end || view.getUint32(at, true) !== CENTRAL_SIG) {
      throw bad(label, at, `central directory entry ${i + 1} of ${dir.entryCount}`);
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const next = at + CENTRAL_BYTES + nameLength + extraLength + commentLength;
    if (next > end) throw bad(label, at, "a central directory entry inside the directory");
    entries.push(readCentralEntry(zip, view, at, nameLength, extraLength, label));
    at = next;
  }
  return entries;
}

function readCentralEntry(zip: Uint8Array, view: DataView, at: number, nameLength: number, extraLength: number, label: string): ZipEntry {
  const nameStart = at + CENTRAL_BYTES;
  const entry: ZipEntry = {
    name: NAME_DECODER.decode(zip.subarray(nameStart, nameStart + nameLength)),
    flags: view.getUint16(at + 8, true),
    method: view.getUint16(at + 10, true),
    compressedSize: view.getUint32(at + 20, true),
    size: view.getUint32(at + 24, true),
    localHeaderOffset: view.getUint32(at + 42, true),
  };
  applyZip64Extra(view, entry, nameStart + nameLength, extraLength, label);
  return entry;
}

/** Replace the 0xFFFFFFFF placeholders with the 64-bit values of the zip64 extra field. */
function applyZip64Extra(view: DataView, entry: ZipEntry, start: number, length: number, label: string): void {
  if (entry.size !== U32_MAX && entry.compressedSize !== U32_MAX && entry.localHeaderOffset !== U32_MAX) return;
  const end = start + length;
  for (let at = start; at + 4 <= end; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA_ID) return readZip64Fields(view, entry, at + 4, Math.min(at + 4 + size, end), label);
    at += 4 + size;
  }
}

function readZip64Fields(view: DataView, entry: ZipEntry, at: number, end: number, label: string): void {
  const take = (): number => {
    if (at + 8 > end) throw bad(label, at, "a complete zip64 extra field");
    const v = readU64(view, at, label);
    at += 8;
    return v;
  };
  if (entry.size === U32_MAX) entry.size = take();
  if (entry.compressedSize === U32_MAX) entry.compressedSize = take();
  if (entry.localHeaderOffset === U32_MAX) entry.localHeaderOffset = take();
}

function readU64(view: DataView, at: number, label: string): number {
  if (at + 8 > view.byteLength) throw bad(label, at, "a 64-bit zip field inside the file");
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(label, at, "a 64-bit zip value below 2^53");
  return Number(v);
}

export function bad(label: string, offset: number, expected: string, detail?: string): RmFormatError {
  return new RmFormatError("bad_container", label, offset, expected, detail);
}
