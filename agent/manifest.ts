// One document's manifest, read from the source folder: the exact sync payload the server will
// get (metadata, ordered pages with the sha256 of each `.rm`, the other files) plus a hash of
// it. The agent compares that hash with the last state the server confirmed, so an unchanged
// document costs no request and a rename costs one request with nothing to upload.
// The payload is built by the importer's code (src/services/library/sync-items.ts), so `rmirror import` and
// the agent send the same thing; the agent leaves `<uuid>.metadata` out of `files` (it travels
// as JSON in the body), which keeps rename/move/open metadata-only.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex } from "../src/blobs/store.ts";
import { loadItem } from "../src/rm/container/document.ts";
import { findItems } from "../src/rm/container/find-items.ts";
import { openFolderSource } from "../src/rm/container/folder-source.ts";
import { indexPaths } from "../src/rm/container/source-index.ts";
import { isRmFormatError } from "../src/rm/errors.ts";
import { parseMetadata } from "../src/rm/metadata.ts";
import { parsePage } from "../src/rm/page.ts";
import { documentItem, folderItem, type SyncItem } from "../src/services/library/sync-items.ts";

export type Manifest =
  | { kind: "put"; uuid: string; name: string; isFolder: boolean; pages: number; hash: string; item: SyncItem }
  /** No live item: the files are gone or `.metadata` says deleted. */
  | { kind: "absent"; uuid: string }
  /** The desktop app knows the document but has not downloaded its pages. */
  | { kind: "not_downloaded"; uuid: string; name: string; reason: string }
  /** Left out by the sync rules: excluded (itself or a folder it is in), or not in the "only these" list. */
  | { kind: "excluded"; uuid: string; name: string }
  /** Unreadable now (corrupt, or still being written): retried, then parked. */
  | { kind: "error"; uuid: string; error: string };

/** A file's sha256 as of its size, mtime and ctime (ctime also moves when a tool restores the mtime). */
export interface CachedHash {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  sha256: string;
}

/**
 * What syncs. `exclude`: folder or notebook names or uuids (case-insensitive) left out, with
 * everything inside such a folder. `include` (null = everything): only these notebooks and
 * folders, with everything inside them, sync; folders themselves always sync (a name and a
 * parent, no pages) so an included notebook keeps its place. Exclude wins over include.
 */
export interface SyncRules {
  exclude?: readonly string[];
  include?: readonly string[] | null;
}

/** Whether an item syncs, given its chain: itself first, then each folder it is in (uuid and name). */
export function syncsUnder(rules: SyncRules, chain: readonly { uuid: string; name: string }[], isFolder: boolean): boolean {
  const has = (list: readonly string[]) => {
    const set = new Set(list.map((s) => s.trim().toLowerCase()));
    return chain.some((c) => set.has(c.uuid.toLowerCase()) || set.has(c.name.toLowerCase()));
  };
  if (rules.exclude?.length && has(rules.exclude)) return false;
  if (rules.include && !isFolder && !has(rules.include)) return false;
  return true;
}

/** Where the reader keeps file hashes by path (relative to the source folder). */
export interface FileHashCache {
  get(path: string): CachedHash | undefined;
  set(path: string, entry: CachedHash): void;
  /** Every entry of one document (`<uuid>.…`, `<uuid>/…`). */
  forget(uuid: string): void;
}

/** In memory, for tests and one-off readers; the agent keeps its hashes in its database (Outbox.fileHashes). */
export class MemoryHashCache implements FileHashCache {
  readonly map = new Map<string, CachedHash>();
  get(path: string): CachedHash | undefined {
    return this.map.get(path);
  }
  set(path: string, entry: CachedHash): void {
    this.map.set(path, entry);
  }
  forget(uuid: string): void {
    for (const key of this.map.keys()) if (key.startsWith(uuid)) this.map.delete(key);
  }
}

/** How many page hashes known to parse cleanly are remembered (a bound on memory; only saves re-parsing). */
export const VALID_PAGES_MAX = 2048;

/** Builds manifests; remembers file hashes by (size, mtime, ctime) and which page hashes parsed cleanly. */
export class ManifestReader {
  private hashes: FileHashCache;
  private validPages = new Set<string>();
  private rules: { exclude: string[]; include: string[] | null };
  /** Files read and hashed (cache misses) since the reader was made. */
  filesHashed = 0;

  constructor(
    readonly root: string,
    opts: SyncRules & { hashes?: FileHashCache } = {},
  ) {
    this.rules = { exclude: [...(opts.exclude ?? [])], include: opts.include ? [...opts.include] : null };
    this.hashes = opts.hashes ?? new MemoryHashCache();
  }

  /** Entries held in this process's memory by the reader (the page-validity set): bounded. */
  get memoryEntries(): number {
    return this.validPages.size + (this.hashes instanceof MemoryHashCache ? this.hashes.map.size : 0);
  }

  /** The rules in effect now. */
  get syncRules(): { exclude: string[]; include: string[] | null } {
    return { exclude: [...this.rules.exclude], include: this.rules.include ? [...this.rules.include] : null };
  }

  /** Replace the rules (the server's settings changed); true when they differ from the old ones. */
  setRules(r: SyncRules): boolean {
    const next = { exclude: [...(r.exclude ?? [])], include: r.include ? [...r.include] : null };
    const changed = JSON.stringify(next) !== JSON.stringify(this.rules);
    this.rules = next;
    return changed;
  }

  /**
   * `topLevel`: the source folder's top-level names, listed once for a batch of documents
   * (see `listTop`), so a batch does not list a big folder once per document.
   */
  async read(uuid: string, topLevel?: readonly string[]): Promise<Manifest> {
    try {
      const m = await this.readUnsafe(uuid, topLevel);
      if (m.kind === "absent") this.hashes.forget(uuid); // gone: its hashes would only take room
      return m;
    } catch (e) {
      if (isRmFormatError(e)) return { kind: "error", uuid, error: e.message };
      const code = (e as { code?: string }).code;
      if (code === "ENOENT" || code === "ENOTDIR") return { kind: "error", uuid, error: `a file vanished while reading: ${(e as Error).message}` };
      if (code === "EACCES" || code === "EPERM") return { kind: "error", uuid, error: `permission denied: ${(e as Error).message}` };
      return { kind: "error", uuid, error: `unreadable: ${(e as Error)?.message ?? String(e)}` };
    }
  }

  /** The source folder's top-level names, for `read`. */
  async listTop(): Promise<string[]> {
    return readdir(this.root);
  }

  private async readUnsafe(uuid: string, topLevel?: readonly string[]): Promise<Manifest> {
    // One document's files only; the format core's item loader (no zip reader is loaded).
    const source = await openFolderSource(this.root, { only: (name) => name === uuid || name.startsWith(`${uuid}.`), ...(topLevel ? { topLevel } : {}) });
    const paths = source.list();
    const location = findItems(paths).find((i) => i.uuid === uuid);
    if (!location) return { kind: "absent", uuid };
    const loaded = await loadItem(source, indexPaths(paths), location, uuid);
    if (loaded.kind === "skipped") return { kind: "absent", uuid };
    const lib = { source };
    const keep = () => true;
    const folder = loaded.kind === "folder" ? loaded.folder : undefined;
    const doc = loaded.kind === "document" ? loaded.document : undefined;
    const meta = (folder ?? doc)!.metadata;
    if ((this.rules.exclude.length || this.rules.include) && !(await this.syncs(uuid, meta.visibleName, meta.parent, !!folder))) return { kind: "excluded", uuid, name: meta.visibleName };
    if (folder) {
      const item = folderItem(lib, folder, new Set(), keep);
      return { kind: "put", uuid, name: item.name, isFolder: true, pages: 0, hash: hashInput(item), item };
    }
    const d = doc!;
    const hasContent = source.list().includes(`${uuid}.content`);
    const anyPageFile = d.pages.some((p) => !p.missing);
    if (!hasContent || (d.pages.length > 0 && !anyPageFile && !d.pdfPath && !d.epubPath)) {
      return { kind: "not_downloaded", uuid, name: meta.visibleName, reason: hasContent ? `none of its ${d.pages.length} page(s) is on disk` : "no .content file" };
    }
    if (d.content.fileType === "pdf" && !d.pdfPath) return { kind: "not_downloaded", uuid, name: meta.visibleName, reason: "its .pdf is not on disk" };
    const item = await documentItem(lib, d, new Set(), keep, {
      hash: (path, max) => this.hash(path, max),
      skipFile: (path) => path === `${uuid}.metadata` || path.endsWith(".local"),
    });
    return { kind: "put", uuid, name: item.name, isFolder: false, pages: d.pages.length, hash: hashInput(item), item };
  }

  /** sha256 of one file, cached by size and mtime; `.rm` pages are parsed once per new hash. */
  private async hash(path: string, maxBytes: number): Promise<{ sha256: string; size: number } | undefined> {
    const full = join(this.root, path);
    let info;
    try {
      info = await stat(full);
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
    const hit = this.hashes.get(path);
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs && hit.ctimeMs === info.ctimeMs) return { sha256: hit.sha256, size: hit.size };
    if (info.size > maxBytes) throw Object.assign(new Error(`${path} is larger than ${maxBytes} bytes`), { code: "EFBIG" });
    const bytes = new Uint8Array(await readFile(full));
    this.filesHashed++;
    const sha256 = sha256Hex(bytes);
    if (path.endsWith(".rm") && !this.validPages.has(sha256)) {
      parsePage(bytes, path); // throws RmFormatError for a corrupt or half-written page
      if (this.validPages.size >= VALID_PAGES_MAX) this.validPages.clear();
      this.validPages.add(sha256);
    }
    const entry = { size: bytes.byteLength, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, sha256 };
    // Only trust the cache when the file did not change while it was read.
    if (bytes.byteLength === info.size) this.hashes.set(path, entry);
    return entry;
  }

  forget(uuid: string): void {
    this.hashes.forget(uuid);
  }

  /** The item's chain (itself, then its folders from .metadata on disk) checked against the rules. */
  private async syncs(uuid: string, name: string, parent: string, isFolder: boolean): Promise<boolean> {
    const chain = [{ uuid, name }];
    const seen = new Set<string>([uuid]);
    let p = parent;
    while (p && p !== "trash" && !seen.has(p) && seen.size < 100) {
      seen.add(p);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(join(this.root, `${p}.metadata`)));
      } catch {
        chain.push({ uuid: p, name: "" }); // the folder is not on disk: its uuid still matches
        break;
      }
      const m = parseMetadata(bytes, `${p}.metadata`);
      chain.push({ uuid: p, name: m.visibleName });
      p = m.parent;
    }
    return syncsUnder(this.rules, chain.map((c) => (c.name ? c : { uuid: c.uuid, name: c.uuid })), isFolder);
  }
}

export function hashInput(item: SyncItem): string {
  return sha256Hex(JSON.stringify(item.input));
}

