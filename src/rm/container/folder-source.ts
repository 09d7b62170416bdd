// FileSource over a folder on disk (a xochitl/desktop-app folder, or a document's folder).
// The listing is taken once at open time; device caches that are never needed for rendering
// (thumbnails, render caches, handwriting conversions) are not descended into.

import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { RmFormatError } from "../errors.ts";
import { normaliseEntryPath } from "./entry-path.ts";
import type { FileSource } from "./file-source.ts";

const IGNORED_DIR_SUFFIXES = [".thumbnails", ".cache", ".textconversion"];

export interface FolderSourceOptions {
  /** Only list top-level entries whose name passes (e.g. one document's files in a big folder). */
  only?: (topLevelName: string) => boolean;
  /** The folder's top-level names, already listed by the caller (skips listing the root again). */
  topLevel?: readonly string[];
}

export async function openFolderSource(root: string, opts: FolderSourceOptions = {}): Promise<FileSource> {
  const files = opts.topLevel ? await listNamed(root, opts.topLevel, opts.only) : await listFiles(root, "", opts.only);
  files.sort();
  return {
    label: root,
    list: () => files,
    read: (path, maxBytes) => readInside(root, path, maxBytes),
  };
}

async function listFiles(root: string, rel: string, only?: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (rel === "" && only && !only(entry.name)) continue;
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!isIgnoredDir(entry.name)) files.push(...(await listFiles(root, path)));
    } else if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(join(root, path))))) {
      files.push(path);
    }
  }
  return files;
}

/** Like listFiles at the root, but over names listed earlier; an entry gone since is skipped. */
async function listNamed(root: string, names: readonly string[], only?: (name: string) => boolean): Promise<string[]> {
  const files: string[] = [];
  for (const name of names) {
    if (only && !only(name)) continue;
    let info;
    try {
      info = await lstat(join(root, name));
    } catch (e) {
      if (isMissing(e)) continue;
      throw e;
    }
    if (info.isDirectory()) {
      if (!isIgnoredDir(name)) files.push(...(await listFiles(root, name)));
    } else if (info.isFile() || (info.isSymbolicLink() && (await isFile(join(root, name))))) {
      files.push(name);
    }
  }
  return files;
}

function isIgnoredDir(name: string): boolean {
  return IGNORED_DIR_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readInside(root: string, path: string, maxBytes?: number): Promise<Uint8Array | undefined> {
  if (normaliseEntryPath(path) !== path || path === "") return undefined;
  const full = join(root, path);
  let size: number;
  try {
    const info = await stat(full);
    if (!info.isFile()) return undefined;
    size = info.size;
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  if (maxBytes !== undefined && size > maxBytes) {
    throw new RmFormatError("too_large", path, -1, `a file of at most ${maxBytes} bytes`, `${size} bytes`);
  }
  try {
    return new Uint8Array(await readFile(full));
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
