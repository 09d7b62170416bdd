// Finding the items (documents and folders) in a source's listing: every `<uuid>.metadata`,
// plus `<uuid>.content` files that have no `.metadata` (old rmapi cloud zips ship none).
// Only UUID-named files count, so stray files like `landscape.metadata` are not items.

import type { ItemLocation } from "./document.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

export function findItems(paths: readonly string[]): ItemLocation[] {
  const items = new Map<string, ItemLocation>();
  addItems(items, paths, ".metadata", true);
  addItems(items, paths, ".content", false);
  return [...items.values()];
}

function addItems(items: Map<string, ItemLocation>, paths: readonly string[], ext: string, hasMetadata: boolean): void {
  for (const path of paths) {
    if (!path.endsWith(ext)) continue;
    const base = path.slice(0, -ext.length);
    const uuid = base.slice(base.lastIndexOf("/") + 1);
    if (isUuid(uuid) && !items.has(uuid)) items.set(uuid, { uuid, base, hasMetadata });
  }
}
