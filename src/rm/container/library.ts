// A library = every document and folder found in one input (a xochitl/desktop folder, a single
// document's folder, a .rmdoc/.rmn, or an old cloud .zip). Items load independently: one bad
// document is recorded in `errors` and the others still load. Page bytes stay in the source and
// are read one page at a time with `readPage`.

import { readFile, stat } from "node:fs/promises";
import { RmFormatError } from "../errors.ts";
import { LIMITS } from "../limits.ts";
import type { DocMetadata } from "../model.ts";
import { detectInput } from "./detect-input.ts";
import { loadItem, type ItemLocation, type LoadedItem, type RmDocument, type RmFolder, type RmPage } from "./document.ts";
import type { FileSource } from "./file-source.ts";
import { findItems } from "./find-items.ts";
import { openFolderSource } from "./folder-source.ts";
import { walkParents } from "./folder-tree.ts";
import { indexPaths, type SourceIndex } from "./source-index.ts";
import { openZipSource } from "./zip-source.ts";

/** Items loaded concurrently (small sidecar reads); results are kept in listing order. */
const LOAD_BATCH = 16;

export interface LibraryError {
  /** The item whose files could not be read. */
  uuid: string;
  error: RmFormatError;
}

export interface Library {
  readonly source: FileSource;
  /** Live (not deleted) documents, trashed ones included (see `inTrash`). */
  readonly documents: RmDocument[];
  /** Live folders (CollectionType), trashed ones included. */
  readonly folders: RmFolder[];
  /** Items that could not be loaded, one entry per item. */
  readonly errors: LibraryError[];
  document(uuid: string): RmDocument | undefined;
  /** Names of the folders enclosing an item, outermost first ([] at the root or when unknown). */
  folderPath(uuid: string): string[];
  /** The item, or a folder above it, is in the trash. */
  inTrash(uuid: string): boolean;
  /** The page's `.rm` bytes (size-limited), or undefined for a page without a file. */
  readPage(page: RmPage): Promise<Uint8Array | undefined>;
}

export interface LibraryOptions {
  /** Load only this item (a document folder opened inside a larger folder). */
  onlyUuid?: string;
  /** Name for an item without `.metadata` when it is the only item (e.g. the zip's file name). */
  fallbackName?: string;
}

/**
 * Open a folder, `<uuid>/` page folder, `<uuid>.metadata`, `.rmdoc`, `.rmn` or `.zip`. With
 * `map`, an archive is memory-mapped rather than read into memory (file-backed pages the kernel
 * can drop; for files nobody else changes, such as the server's own spooled upload). `name` names
 * a single item without `.metadata` (default: the archive's file name).
 */
export async function openInput(path: string, opts: { map?: boolean; name?: string } = {}): Promise<Library> {
  const input = await detectInput(path);
  // `name`: what the archive is called where it came from (an upload's file name), when `path` is a copy.
  if (input.kind === "zip") return openLibrary(await openZipFile(input.file, !!opts.map), { fallbackName: opts.name ?? input.name });
  const only = input.onlyUuid;
  const source = await openFolderSource(input.root, only ? { only: (name) => belongsTo(name, only) } : {});
  return openLibrary(source, only ? { onlyUuid: only } : {});
}

export async function openLibrary(source: FileSource, opts: LibraryOptions = {}): Promise<Library> {
  const paths = source.list();
  const index = indexPaths(paths);
  const items = findItems(paths).filter((item) => !opts.onlyUuid || item.uuid === opts.onlyUuid);
  const documents: RmDocument[] = [];
  const folders: RmFolder[] = [];
  const errors: LibraryError[] = [];
  for (let i = 0; i < items.length; i += LOAD_BATCH) {
    const batch = items.slice(i, i + LOAD_BATCH);
    const loaded = await Promise.all(batch.map((item) => loadOrError(source, index, item, fallbackFor(item, items, opts))));
    for (const result of loaded) {
      if (result.kind === "document") documents.push(result.document);
      else if (result.kind === "folder") folders.push(result.folder);
      else if (result.kind === "error") errors.push(result.error);
    }
  }
  return makeLibrary(source, documents, folders, errors);
}

function fallbackFor(item: ItemLocation, items: ItemLocation[], opts: LibraryOptions): string {
  return items.length === 1 && opts.fallbackName ? opts.fallbackName : item.uuid;
}

async function loadOrError(
  source: FileSource,
  index: SourceIndex,
  item: ItemLocation,
  fallback: string,
): Promise<LoadedItem | { kind: "error"; error: LibraryError }> {
  try {
    return await loadItem(source, index, item, fallback);
  } catch (e) {
    return { kind: "error", error: { uuid: item.uuid, error: asFormatError(e, item.base) } };
  }
}

function makeLibrary(source: FileSource, documents: RmDocument[], folders: RmFolder[], errors: LibraryError[]): Library {
  const folderMeta = new Map<string, DocMetadata>(folders.map((f) => [f.uuid, f.metadata]));
  const docs = new Map(documents.map((d) => [d.uuid, d]));
  const parentOf = (uuid: string) => docs.get(uuid)?.metadata.parent ?? folderMeta.get(uuid)?.parent ?? "";
  return {
    source,
    documents,
    folders,
    errors,
    document: (uuid) => docs.get(uuid),
    folderPath: (uuid) => walkParents(parentOf(uuid), folderMeta).names,
    inTrash: (uuid) => walkParents(parentOf(uuid), folderMeta).inTrash,
    readPage: async (page) => (page.rmPath ? source.read(page.rmPath, LIMITS.maxRmBytes) : undefined),
  };
}

async function openZipFile(file: string, map: boolean): Promise<FileSource> {
  const size = (await stat(file)).size;
  if (size > LIMITS.maxArchiveBytes) {
    throw new RmFormatError("too_large", file, -1, `an archive of at most ${LIMITS.maxArchiveBytes} bytes`, `${size} bytes`);
  }
  // A zip bomb declares far more than it could hold in real data: cap the declared total by ratio.
  const maxBytes = Math.min(LIMITS.maxArchiveBytes, Math.max(LIMITS.maxRmBytes, size * LIMITS.maxArchiveRatio));
  // Windows cannot delete a mapped file (the caller removes its spool file): read it there.
  const bytes = map && process.platform !== "win32" && size > 0 ? Bun.mmap(file, { shared: false }) : new Uint8Array(await readFile(file));
  return openZipSource(bytes, file, { maxBytes });
}

/** Top-level names of one item's files: `<uuid>`, `<uuid>.metadata`, `<uuid>.highlights`, … */
function belongsTo(name: string, uuid: string): boolean {
  return name === uuid || name.startsWith(`${uuid}.`);
}

function asFormatError(e: unknown, file: string): RmFormatError {
  if (e instanceof RmFormatError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new RmFormatError("bad_container", file, -1, "a readable document", message);
}
