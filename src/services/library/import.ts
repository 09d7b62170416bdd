// Import a tablet backup / app export (xochitl folder, .rmdoc, .zip) through the sync protocol:
// every folder and document becomes the same DocumentInput an agent sends, and every file the
// same content-addressed blob. Used by the CLI (over HTTP) and the upload endpoint (in-process).
import { openInput, type Library } from "../../rm/container/library.ts";
import type { RmFolder } from "../../rm/container/document.ts";
import { documentItem, folderItem, type ItemOptions, type SyncItem } from "./sync-items.ts";

export { documentItem, folderItem, type FileHasher, type ItemOptions, type SyncItem } from "./sync-items.ts";

/** Every folder (parents first) then every document of the library, as sync items. */
export async function* libraryItems(lib: Library, keep?: (uuid: string) => boolean, opts: ItemOptions = {}): AsyncGenerator<SyncItem> {
  const known = new Set(lib.folders.map((f) => f.uuid));
  const depth = (f: RmFolder) => {
    let n = 0;
    let p = f.metadata.parent;
    const seen = new Set<string>();
    while (p && known.has(p) && !seen.has(p) && n < 100) {
      seen.add(p);
      n++;
      p = lib.folders.find((x) => x.uuid === p)?.metadata.parent ?? "";
    }
    return n;
  };
  for (const f of [...lib.folders].sort((a, b) => depth(a) - depth(b))) yield folderItem(lib, f, known, keep);
  for (const d of lib.documents) yield await documentItem(lib, d, known, keep, opts);
}

export { openInput };
