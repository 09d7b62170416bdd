// `<uuid>.metadata` → DocMetadata (rm-format.md §2). Every key is optional and may be null;
// unknown keys are ignored; timestamps are strings of epoch ms.

import { boolAt, intAt, readJsonObject, stringAt, toEpochMs, type JsonObject } from "./json-read.ts";
import type { DocMetadata } from "./model.ts";

const ITEM_TYPES = ["DocumentType", "CollectionType", "TemplateType"] as const;

export function parseMetadata(input: Uint8Array | string, file: string): DocMetadata {
  return metadataFromJson(readJsonObject(input, file));
}

export function metadataFromJson(obj: JsonObject): DocMetadata {
  return {
    visibleName: stringAt(obj, "visibleName", ""),
    type: itemType(obj.type),
    parent: stringAt(obj, "parent", ""),
    deleted: boolAt(obj, "deleted", false),
    pinned: boolAt(obj, "pinned", false),
    lastModified: toEpochMs(obj.lastModified),
    lastOpened: toEpochMs(obj.lastOpened),
    lastOpenedPage: Math.max(0, intAt(obj, "lastOpenedPage", 0)),
    createdTime: toEpochMs(obj.createdTime),
    version: intAt(obj, "version", 0),
  };
}

/** Metadata for an item that has none (old rmapi zips ship only `.content`). */
export function defaultMetadata(visibleName: string): DocMetadata {
  return { ...metadataFromJson({}), visibleName };
}

function itemType(v: unknown): DocMetadata["type"] {
  return ITEM_TYPES.find((t) => t === v) ?? "DocumentType";
}
