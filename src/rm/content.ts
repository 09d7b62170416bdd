// `<uuid>.content` → DocContent (rm-format.md §3), tolerant of every generation: folders' `{}`,
// the oldest archives without pageCount, formatVersion 1 `pages[]`, formatVersion 2 `cPages`.

import {
  arrayAt,
  intAt,
  isObject,
  objectAt,
  readJsonObject,
  stringAt,
  toEpochMs,
  toNumber,
  type JsonObject,
} from "./json-read.ts";
import type { DocContent, FileType, PageTag, Tag } from "./model.ts";
import { pagedataTemplates, pageList } from "./page-list.ts";

export interface ContentOptions {
  /** For the oldest archives (no page ids, no pageCount): max N of the `N.rm` files present + 1. */
  indexedRmCount?: number;
  /** Pages of the document's original PDF, when counted (documents without a page list only). */
  originalPages?: number;
}

/**
 * Parse a `.content` file. `pagedata` is the text of `<uuid>.pagedata` (template names for
 * documents without cPages). Blank input is read as `{}` (folders, half-synced items).
 */
export function parseContent(input: Uint8Array | string, file: string, pagedata?: string, opts: ContentOptions = {}): DocContent {
  const obj = readJsonObject(input, file, { blankIsEmpty: true });
  const fileType = fileTypeOf(obj.fileType);
  const pages = pageList({
    content: obj,
    fileType,
    templates: pagedataTemplates(pagedata),
    file,
    ...(opts.indexedRmCount === undefined ? {} : { indexedRmCount: opts.indexedRmCount }),
    ...(opts.originalPages === undefined ? {} : { originalPages: opts.originalPages }),
  });
  return {
    fileType,
    formatVersion: intAt(obj, "formatVersion", 0),
    orientation: obj.orientation === "landscape" ? "landscape" : "portrait",
    pages,
    tags: readTags(arrayAt(obj, "tags")),
    pageTags: readPageTags(arrayAt(obj, "pageTags")),
    originalPageCount: originalPageCount(obj),
    coverPageNumber: intAt(obj, "coverPageNumber", 0),
    documentMetadata: readDocumentMetadata(objectAt(obj, "documentMetadata")),
  };
}

/** True when the content declares no page ids at all (fw 1.6–1.7 / old rmapi zips). */
export function hasPageIds(obj: JsonObject): boolean {
  return Array.isArray(obj.pages) || Array.isArray(objectAt(obj, "cPages")?.pages);
}

/** `""` (very old notebooks), missing and unknown values all mean a notebook. */
function fileTypeOf(v: unknown): FileType {
  const t = typeof v === "string" ? v.toLowerCase() : "";
  return t === "pdf" || t === "epub" ? t : "notebook";
}

/** Pages of the backing PDF/EPUB: `originalPageCount`, else cPages.original.value, else -1. */
function originalPageCount(obj: JsonObject): number {
  const direct = toNumber(obj.originalPageCount);
  if (direct !== undefined) return Math.trunc(direct);
  const original = objectAt(objectAt(obj, "cPages") ?? {}, "original");
  const fromCPages = toNumber(original?.value);
  return fromCPages === undefined ? -1 : Math.trunc(fromCPages);
}

/** Tags are `{name, timestamp}` objects (3.x) or plain strings (early firmware). */
function readTags(list: unknown[] | undefined): Tag[] {
  const tags: Tag[] = [];
  for (const t of list ?? []) {
    const tag = readTag(t);
    if (tag) tags.push(tag);
  }
  return tags;
}

function readTag(t: unknown): Tag | undefined {
  if (typeof t === "string") return t ? { name: t } : undefined;
  if (!isObject(t)) return undefined;
  const name = stringAt(t, "name", "");
  if (!name) return undefined;
  return withTimestamp({ name }, t.timestamp);
}

function readPageTags(list: unknown[] | undefined): PageTag[] {
  const tags: PageTag[] = [];
  for (const t of list ?? []) {
    if (!isObject(t)) continue;
    const name = stringAt(t, "name", "");
    const pageId = stringAt(t, "pageId", "");
    if (name && pageId) tags.push(withTimestamp({ name, pageId }, t.timestamp));
  }
  return tags;
}

function withTimestamp<T extends Tag>(tag: T, raw: unknown): T {
  const ms = toEpochMs(raw);
  if (ms > 0) tag.timestamp = ms;
  return tag;
}

function readDocumentMetadata(obj: JsonObject | undefined): DocContent["documentMetadata"] {
  const meta: DocContent["documentMetadata"] = {};
  if (!obj) return meta;
  const title = stringAt(obj, "title", "");
  if (title) meta.title = title;
  const authors = arrayAt(obj, "authors")?.filter((a): a is string => typeof a === "string");
  if (authors && authors.length > 0) meta.authors = authors;
  return meta;
}
