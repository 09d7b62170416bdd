// The sync payload of one folder or document (DESIGN.md §3): the same DocumentInput the server's
// sync protocol takes, plus lazy readers for each content-addressed blob. Shared by the importer
// (`rmirror import`, the upload endpoint) and the agent. Deliberately imports only types from the
// container layer, so the agent does not load the zip reader.
import type { Library } from "../../rm/container/library.ts";
import type { RmDocument, RmFolder } from "../../rm/container/document.ts";
import { LIMITS } from "../../rm/limits.ts";
import type { DocMetadata } from "../../rm/model.ts";
import { sha256Hex } from "../../blobs/store.ts";
import type { DocumentInput } from "./sync-schema.ts";

/** What building an item needs of a library: its files. */
export type ItemLibrary = Pick<Library, "source">;

const SKIP = /\.(thumbnails|textconversion)\/|\.cache\//;

export interface SyncItem {
  uuid: string;
  name: string;
  input: DocumentInput;
  /** sha256 → a reader for the bytes (read lazily, only when the server says it is missing). */
  blobs: Map<string, () => Promise<Uint8Array>>;
  /** sha256 → the file in the library's source and its size cap (to stream it instead of reading it whole). */
  paths?: Map<string, { path: string; maxBytes: number }>;
}


function metadataInput(m: DocMetadata, parent: string): DocumentInput["metadata"] {
  return {
    visibleName: m.visibleName,
    type: m.type === "CollectionType" ? "CollectionType" : "DocumentType",
    parent,
    deleted: m.deleted,
    pinned: m.pinned,
    lastModified: m.lastModified,
    lastOpened: m.lastOpened,
    lastOpenedPage: m.lastOpenedPage,
    createdTime: m.createdTime,
    version: m.version,
  };
}

/** Parent as stored: "", "trash", or a folder UUID that exists in this library (else the root). */
function parentIn(_lib: ItemLibrary, parent: string, knownFolders: Set<string>, keep?: (uuid: string) => boolean): string {
  if (parent === "" || parent === "trash") return parent;
  if (knownFolders.has(parent) || keep?.(parent)) return parent;
  return "";
}

export function folderItem(lib: ItemLibrary, f: RmFolder, knownFolders: Set<string>, keep?: (uuid: string) => boolean): SyncItem {
  return { uuid: f.uuid, name: f.metadata.visibleName, input: { metadata: metadataInput(f.metadata, parentIn(lib, f.metadata.parent, knownFolders, keep)) }, blobs: new Map() };
}

/** How a file's content hash is obtained (the agent caches hashes by size and mtime). */
export type FileHasher = (path: string, maxBytes: number) => Promise<{ sha256: string; size: number } | undefined>;

export interface ItemOptions {
  /** Hash a file of the library's source (default: read it and hash the bytes). */
  hash?: FileHasher;
  /** Leave a document file out of `files` (the agent sends `.metadata` only as JSON). */
  skipFile?: (path: string) => boolean;
  /** Largest non-page file (default LIMITS.maxArchiveBytes). */
  maxFileBytes?: number;
}

/** sha256 and size of a source file: streamed when the source can (memory stays at one chunk). */
async function hashSourceFile(lib: ItemLibrary, path: string, max: number): Promise<{ sha256: string; size: number } | undefined> {
  const chunks = lib.source.stream?.(path, max);
  if (chunks) {
    const h = new Bun.CryptoHasher("sha256");
    let size = 0;
    let n = 0;
    for (const c of chunks) {
      h.update(c);
      size += c.byteLength;
      // Let other requests run between chunks of a large entry.
      if (++n % 8 === 0) await Bun.sleep(0);
    }
    return { sha256: h.digest("hex"), size };
  }
  const bytes = await lib.source.read(path, max);
  return bytes ? { sha256: sha256Hex(bytes), size: bytes.byteLength } : undefined;
}

export async function documentItem(lib: ItemLibrary, d: RmDocument, knownFolders: Set<string>, keep?: (uuid: string) => boolean, opts: ItemOptions = {}): Promise<SyncItem> {
  const blobs = new Map<string, () => Promise<Uint8Array>>();
  const paths = new Map<string, { path: string; maxBytes: number }>();
  const maxFile = opts.maxFileBytes ?? LIMITS.maxArchiveBytes;
  const pages: NonNullable<DocumentInput["pages"]> = [];
  const pagePaths = new Set<string>();
  const hash: FileHasher = opts.hash ?? ((path, max) => hashSourceFile(lib, path, max));
  for (const [i, ref] of d.pages.entries()) {
    const h = ref.rmPath ? await hash(ref.rmPath, LIMITS.maxRmBytes) : undefined;
    if (ref.rmPath) pagePaths.add(ref.rmPath);
    if (!h) {
      pages.push({ id: ref.id, idx: i, sha256: null, size: 0, template: ref.template, sourcePage: ref.sourcePage });
      continue;
    }
    const path = ref.rmPath!;
    blobs.set(h.sha256, async () => (await lib.source.read(path, LIMITS.maxRmBytes))!);
    paths.set(h.sha256, { path, maxBytes: LIMITS.maxRmBytes });
    pages.push({ id: ref.id, idx: i, sha256: h.sha256, size: h.size, template: ref.template, sourcePage: ref.sourcePage });
  }
  const files: NonNullable<DocumentInput["files"]> = [];
  for (const path of lib.source.list()) {
    if (pagePaths.has(path) || SKIP.test(path) || opts.skipFile?.(path)) continue;
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (!path.split("/").some((seg) => seg === d.uuid || seg.startsWith(`${d.uuid}.`)) && !name.startsWith(d.uuid)) continue;
    const h = await hash(path, maxFile);
    if (!h) continue;
    blobs.set(h.sha256, async () => (await lib.source.read(path, maxFile))!);
    paths.set(h.sha256, { path, maxBytes: maxFile });
    files.push({ path, sha256: h.sha256, size: h.size });
  }
  return {
    uuid: d.uuid,
    name: d.metadata.visibleName,
    input: {
      metadata: metadataInput(d.metadata, parentIn(lib, d.metadata.parent, knownFolders, keep)),
      fileType: d.content.fileType,
      tags: d.content.tags.map((t) => t.name),
      pages,
      files,
    },
    blobs,
    paths,
  };
}

