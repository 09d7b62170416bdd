// Folder hierarchy of a library: walk `parent` links from an item up to the root ("") or the
// trash ("trash"). Unknown parents end the walk (the item is treated as top-level) and so do
// cycles, so a crafted or half-synced library cannot make the walk loop.

import type { DocMetadata } from "../model.ts";

export interface FolderWalk {
  /** Names of the enclosing folders, outermost first. */
  names: string[];
  /** The walk ended at "trash": the item or one of its folders is in the trash. */
  inTrash: boolean;
}

export function walkParents(parent: string, folders: ReadonlyMap<string, DocMetadata>): FolderWalk {
  const names: string[] = [];
  const seen = new Set<string>();
  let current = parent;
  while (current !== "" && current !== "trash" && !seen.has(current)) {
    seen.add(current);
    const folder = folders.get(current);
    if (!folder) break;
    names.unshift(folder.visibleName);
    current = folder.parent;
  }
  return { names, inTrash: current === "trash" };
}
