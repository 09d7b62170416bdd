// FileSource over a zip archive (.rmdoc, .rmn, old cloud .zip). Opening only reads the central
// directory and applies the safety rules; entries are inflated one at a time when read.
// Rules: entry names normalised (leading "/" stripped, "//" collapsed), names with ".." refused,
// entry count and the sum of declared sizes bounded, and each entry's real inflated size held to
// its declared size (so the declared total bounds the real total).

import { RmFormatError } from "../errors.ts";
import { LIMITS } from "../limits.ts";
import { normaliseEntryPath } from "./entry-path.ts";
import type { FileSource } from "./file-source.ts";
import { bad, readZipDirectory, type ZipEntry } from "./zip-directory.ts";
import { extractEntry, streamEntry } from "./zip-entry.ts";

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes of all entries. */
  maxBytes: number;
}

const DEFAULT_LIMITS: ZipLimits = { maxEntries: LIMITS.maxArchiveEntries, maxBytes: LIMITS.maxArchiveBytes };

export function openZipSource(zip: Uint8Array, label: string, limits: Partial<ZipLimits> = {}): FileSource {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const entries = indexEntries(readZipDirectory(zip, label, lim), label);
  checkDeclaredTotal(entries, label, lim.maxBytes);
  const paths = [...entries.keys()].sort();
  return {
    label,
    list: () => paths,
    read: async (path, maxBytes) => readEntry(zip, entries, path, maxBytes),
    stream: (path, maxBytes) => {
      const entry = checkedEntry(entries, path, maxBytes);
      return entry ? streamEntry(zip, entry, path) : undefined;
    },
    size: (path) => entries.get(path)?.size,
  };
}

function indexEntries(list: ZipEntry[], label: string): Map<string, ZipEntry> {
  const byPath = new Map<string, ZipEntry>();
  for (const entry of list) {
    const path = normaliseEntryPath(entry.name);
    if (path === undefined) throw bad(label, entry.localHeaderOffset, "entry names inside the archive", `unsafe name ${JSON.stringify(entry.name)}`);
    if (path === "" || byPath.has(path)) continue;
    byPath.set(path, entry);
  }
  return byPath;
}

function checkDeclaredTotal(entries: Map<string, ZipEntry>, label: string, maxBytes: number): void {
  let total = 0;
  for (const entry of entries.values()) total += entry.size;
  if (total > maxBytes) {
    throw new RmFormatError("too_large", label, -1, `at most ${maxBytes} uncompressed bytes`, `${total} declared`);
  }
}

function checkedEntry(entries: Map<string, ZipEntry>, path: string, maxBytes?: number): ZipEntry | undefined {
  const entry = entries.get(path);
  if (!entry) return undefined;
  if (maxBytes !== undefined && entry.size > maxBytes) {
    throw new RmFormatError("too_large", path, -1, `a file of at most ${maxBytes} bytes`, `${entry.size} bytes`);
  }
  return entry;
}

function readEntry(zip: Uint8Array, entries: Map<string, ZipEntry>, path: string, maxBytes?: number): Uint8Array | undefined {
  const entry = checkedEntry(entries, path, maxBytes);
  return entry ? extractEntry(zip, entry, path) : undefined;
}
