// The ordered, non-deleted page list of a document (rm-format.md §3.3), from whichever of the
// three `.content` generations is present:
//   formatVersion 2: cPages.pages, sorted by the fractional `idx` key (plain `<`), ties by id;
//   formatVersion ≤1: pages[] in order, with redirectionPageMap for PDFs;
//   oldest archives: no ids at all, pages are "0", "1", … (files `0.rm`, `1.rm`, …).

import { RmFormatError } from "./errors.ts";
import { arrayAt, isObject, objectAt, toNumber, type JsonObject } from "./json-read.ts";
import { LIMITS } from "./limits.ts";
import type { FileType, PageRef } from "./model.ts";

export interface PageListInput {
  /** The parsed `.content` object. */
  content: JsonObject;
  fileType: FileType;
  /** Lines of `<uuid>.pagedata` (template names, one per page), if any. */
  templates: string[];
  /** For archives without page ids or pageCount: max `N` of the `<uuid>/N.rm` files present + 1. */
  indexedRmCount?: number;
  /** Pages of the original PDF (PDF/EPUB documents without a page list), when it could be counted. */
  originalPages?: number;
  /** Used in errors. */
  file: string;
}

interface Draft {
  id: string;
  template: string;
  sourcePage: number | null;
}

export function pageList(input: PageListInput): PageRef[] {
  const drafts = draftPages(input);
  if (drafts.length > LIMITS.maxPages) {
    throw new RmFormatError("too_large", input.file, -1, `at most ${LIMITS.maxPages} pages`, `${drafts.length} pages`);
  }
  return drafts.map((d, index) => ({ id: d.id, index, template: d.template, sourcePage: d.sourcePage }));
}

function draftPages(input: PageListInput): Draft[] {
  const cPages = arrayAt(objectAt(input.content, "cPages") ?? {}, "pages");
  if (cPages) return pagesFromCPages(cPages, input.fileType);
  const pages = arrayAt(input.content, "pages");
  if (pages) return pagesFromArray(pages, input);
  return pagesByIndex(input);
}

/** Split `.pagedata` text into template names, one per page. */
export function pagedataTemplates(text: string | undefined): string[] {
  if (!text) return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Display order of fractional-index keys: byte-wise string order, ties broken by page id. */
export function compareIdx(a: { idx: string; id: string }, b: { idx: string; id: string }): number {
  if (a.idx !== b.idx) return a.idx < b.idx ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

// --- formatVersion 2 ---------------------------------------------------------------------

interface CPage {
  id: string;
  idx: string;
  template: string;
  redir: number | undefined;
}

function pagesFromCPages(entries: unknown[], fileType: FileType): Draft[] {
  const seen = new Set<string>();
  const live: CPage[] = [];
  for (const entry of entries) {
    const page = readCPage(entry);
    if (!page || seen.has(page.id)) continue;
    seen.add(page.id);
    live.push(page);
  }
  live.sort(compareIdx);
  return live.map((p) => ({
    id: p.id,
    template: templateName(p.template),
    sourcePage: fileType === "notebook" ? null : (p.redir ?? -1),
  }));
}

/** One live cPages entry, or undefined for deleted/unusable ones. */
function readCPage(entry: unknown): CPage | undefined {
  if (!isObject(entry) || typeof entry.id !== "string" || entry.id === "") return undefined;
  if (isDeletedCPage(entry)) return undefined;
  const idx = registerValue(entry, "idx");
  const template = registerValue(entry, "template");
  const redir = toNumber(registerValue(entry, "redir"));
  return {
    id: entry.id,
    idx: typeof idx === "string" ? idx : "",
    template: typeof template === "string" ? template : "",
    redir: redir === undefined ? undefined : Math.trunc(redir),
  };
}

/** `deleted: {value: 1}` removes a page; `value: 0` (seen in another tool's tests) does not. */
function isDeletedCPage(entry: JsonObject): boolean {
  const deleted = entry.deleted;
  if (deleted === undefined || deleted === null) return false;
  return !(isObject(deleted) && toNumber(deleted.value) === 0);
}

/** The `.value` of a `{timestamp, value}` register. */
function registerValue(entry: JsonObject, key: string): unknown {
  const reg = entry[key];
  return isObject(reg) ? reg.value : undefined;
}

// --- formatVersion ≤ 1 --------------------------------------------------------------------

function pagesFromArray(ids: unknown[], input: PageListInput): Draft[] {
  const redirection = arrayAt(input.content, "redirectionPageMap") ?? [];
  const drafts: Draft[] = [];
  ids.forEach((id, i) => {
    if (typeof id !== "string" || id === "") return;
    drafts.push({ id, template: templateName(input.templates[i]), sourcePage: arraySourcePage(input.fileType, redirection[i], i) });
  });
  return drafts;
}

function arraySourcePage(fileType: FileType, redirect: unknown, i: number): number | null {
  if (fileType === "notebook") return null;
  const n = toNumber(redirect);
  return n === undefined ? i : Math.trunc(n);
}

// --- oldest archives ----------------------------------------------------------------------

function pagesByIndex(input: PageListInput): Draft[] {
  const declared = toNumber(input.content.pageCount);
  const indexed = input.indexedRmCount ?? 0;
  let count: number;
  if (input.fileType !== "notebook" && input.originalPages !== undefined) {
    // Without a page list nothing can be inserted or reordered: the original's pages, in order
    // (plus any further `N.rm`); a declared pageCount is not trusted over the PDF itself.
    count = Math.max(input.originalPages, indexed);
  } else {
    count = declared !== undefined && declared >= 0 ? Math.trunc(declared) : indexed;
    // Pages no file backs are blank: a crafted pageCount must not become thousands of them.
    if (count > indexed + LIMITS.maxUnbackedPages) {
      throw new RmFormatError("too_large", input.file, -1, `a pageCount of at most ${LIMITS.maxUnbackedPages} pages beyond the ${indexed} page file(s) present`, `pageCount ${count} without a page list`);
    }
  }
  if (count > LIMITS.maxPages) {
    throw new RmFormatError("too_large", input.file, -1, `at most ${LIMITS.maxPages} pages`, `pageCount ${count}`);
  }
  const drafts: Draft[] = [];
  for (let i = 0; i < count; i++) {
    drafts.push({ id: String(i), template: templateName(input.templates[i]), sourcePage: input.fileType === "notebook" ? null : i });
  }
  return drafts;
}

function templateName(name: string | undefined): string {
  const t = name?.trim();
  return t ? t : "Blank";
}
