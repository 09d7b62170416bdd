// One item of a library (document or folder) read from a FileSource: its .metadata, .content
// and page list, with each listed page resolved to its `.rm` file, layer names and fw 2.x
// highlights. Page bytes are NOT read here (see Library.readPage): only small JSON sidecars.
// Rendering is driven by the page list, so `.rm` files not in it (orphans) are ignored.

import { hasPageIds, parseContent } from "../content.ts";
import { readJsonObject, toNumber } from "../json-read.ts";
import { RmFormatError } from "../errors.ts";
import { parseHighlightsJson } from "../highlights-json.ts";
import { parseLayerNames } from "../layer-names.ts";
import { LIMITS } from "../limits.ts";
import { defaultMetadata, parseMetadata } from "../metadata.ts";
import type { DocContent, DocMetadata, Highlight, PageRef } from "../model.ts";
import type { FileSource } from "./file-source.ts";
import { countPdfPages } from "./pdf-pages.ts";
import type { SourceIndex } from "./source-index.ts";

export interface RmPage extends PageRef {
  /** Path of the page's `.rm` file in the source; absent when the page has none. */
  rmPath?: string;
  /** Layer names from `<page>-metadata.json` (v3/v5 era), in layer order. */
  layerNames?: string[];
  /** fw 2.x highlights from `<uuid>.highlights/<page>.json` (v6 pages carry theirs inside). */
  highlights: Highlight[];
  /** No `.rm` file: a blank page on a tablet, or page data not downloaded in a desktop cache. */
  missing: boolean;
}

export interface RmDocument {
  uuid: string;
  metadata: DocMetadata;
  content: DocContent;
  pages: RmPage[];
  pdfPath?: string;
  epubPath?: string;
  warnings: string[];
}

export interface RmFolder {
  uuid: string;
  metadata: DocMetadata;
}

/** Where an item's files are: `<base>.metadata`, `<base>.content`, `<base>/<page>.rm`, … */
export interface ItemLocation {
  uuid: string;
  /** Path prefix without extension (the uuid itself, or `dir/uuid` for nested layouts). */
  base: string;
  hasMetadata: boolean;
}

export type LoadedItem = { kind: "document"; document: RmDocument } | { kind: "folder"; folder: RmFolder } | { kind: "skipped" };

const INDEX_NAMED_RM = /^(\d{1,9})\.rm$/;
const UTF8 = new TextDecoder("utf-8", { fatal: false });

/**
 * Load one item. Deleted items and templates come back as "skipped". Errors in the item's own
 * .metadata/.content throw (the library records them per item); problems with optional per-page
 * sidecars become warnings.
 */
export async function loadItem(source: FileSource, files: SourceIndex, item: ItemLocation, fallbackName: string): Promise<LoadedItem> {
  const metadata = await readMetadata(source, item, fallbackName);
  if (metadata.deleted || metadata.type === "TemplateType") return { kind: "skipped" };
  if (metadata.type === "CollectionType") return { kind: "folder", folder: { uuid: item.uuid, metadata } };
  return { kind: "document", document: await loadDocument(source, files, item, metadata) };
}

async function readMetadata(source: FileSource, item: ItemLocation, fallbackName: string): Promise<DocMetadata> {
  if (!item.hasMetadata) return defaultMetadata(fallbackName);
  const path = `${item.base}.metadata`;
  const bytes = await source.read(path, LIMITS.maxJsonBytes);
  if (!bytes) throw new RmFormatError("not_found", path, -1, "the item's .metadata file");
  return parseMetadata(bytes, path);
}

async function loadDocument(source: FileSource, files: SourceIndex, item: ItemLocation, metadata: DocMetadata): Promise<RmDocument> {
  const warnings: string[] = [];
  const pageFiles = indexedPageFiles(files, item.base);
  const content = await readContent(source, files, item, pageFiles.indexedCount, warnings);
  const pages: RmPage[] = [];
  for (const ref of content.pages) pages.push(await resolvePage(source, files, item, ref, content, warnings));
  if (!item.hasMetadata) warnings.push(`no ${item.base}.metadata: name and dates are defaults`);
  const doc: RmDocument = { uuid: item.uuid, metadata, content, pages, warnings };
  attachOriginals(doc, files, item.base);
  warnAboutGaps(doc, pageFiles.all);
  return doc;
}

async function readContent(source: FileSource, files: SourceIndex, item: ItemLocation, indexedRmCount: number, warnings: string[]): Promise<DocContent> {
  const path = `${item.base}.content`;
  const bytes = await source.read(path, LIMITS.maxJsonBytes);
  if (!bytes) warnings.push(`${path} is missing: treated as an empty notebook description`);
  const pagedata = await source.read(`${item.base}.pagedata`, LIMITS.maxJsonBytes);
  const originalPages = await pagesOfOriginal(source, files, item, bytes, path, warnings);
  const content = parseContent(bytes ?? "", path, pagedata ? UTF8.decode(pagedata) : undefined, { indexedRmCount, ...(originalPages === undefined ? {} : { originalPages }) });
  if (originalPages !== undefined && bytes) {
    const declared = toNumber(readJsonObject(bytes, path, { blankIsEmpty: true }).pageCount);
    if (declared !== undefined && declared !== content.pages.length) warnings.push(`pageCount ${declared} in ${path} ignored: the PDF has ${originalPages} page(s)`);
  }
  return content;
}

/**
 * A PDF/EPUB document whose `.content` lists no pages (old cloud zips, rmapi uploads) shows the pages
 * of its PDF: count them. Undefined for every other document, or when the PDF is missing or unreadable.
 */
async function pagesOfOriginal(source: FileSource, files: SourceIndex, item: ItemLocation, bytes: Uint8Array | undefined, path: string, warnings: string[]): Promise<number | undefined> {
  const pdfPath = `${item.base}.pdf`;
  if (!bytes || !files.has(pdfPath)) return undefined;
  const obj = readJsonObject(bytes, path, { blankIsEmpty: true });
  const type = typeof obj.fileType === "string" ? obj.fileType.toLowerCase() : "";
  if ((type !== "pdf" && type !== "epub") || hasPageIds(obj)) return undefined;
  const pdf = await source.read(pdfPath);
  const n = pdf ? await countPdfPages(pdf) : undefined;
  if (n === undefined) warnings.push(`${pdfPath} could not be read as a PDF: its pages are unknown`);
  return n;
}

/** The `.rm` files directly inside `<base>/`, and 1 + the largest `N` of index-named ones. */
function indexedPageFiles(files: SourceIndex, base: string): { all: string[]; indexedCount: number } {
  const all: string[] = [];
  let indexedCount = 0;
  for (const name of files.filesIn(base)) {
    if (!name.endsWith(".rm")) continue;
    all.push(`${base}/${name}`);
    const m = INDEX_NAMED_RM.exec(name);
    if (m) indexedCount = Math.max(indexedCount, Number(m[1]) + 1);
  }
  return { all, indexedCount };
}

async function resolvePage(
  source: FileSource,
  files: SourceIndex,
  item: ItemLocation,
  ref: PageRef,
  content: DocContent,
  warnings: string[],
): Promise<RmPage> {
  const rmPath = findRmFile(files, item.base, ref, content);
  const page: RmPage = { ...ref, highlights: [], missing: rmPath === undefined };
  if (rmPath) {
    page.rmPath = rmPath;
    const names = await readOptionalJson(source, files, `${rmPath.slice(0, -3)}-metadata.json`, parseLayerNames, warnings);
    if (names) page.layerNames = names;
  }
  const highlightsPath = `${item.base}.highlights/${ref.id}.json`;
  const highlights = await readOptionalJson(source, files, highlightsPath, (b, f) => parseHighlightsJson(b, f, ref.id), warnings);
  if (highlights) page.highlights = highlights;
  return page;
}

/**
 * `<base>/<id>.rm`; for documents without cPages also `<base>/<index>.rm`, because old cloud
 * zips list page uuids in `.content` but name the files by position (`0.rm`).
 */
function findRmFile(files: SourceIndex, base: string, ref: PageRef, content: DocContent): string | undefined {
  const byId = `${base}/${ref.id}.rm`;
  if (files.has(byId)) return byId;
  if (content.formatVersion >= 2) return undefined;
  const byIndex = `${base}/${ref.index}.rm`;
  return files.has(byIndex) ? byIndex : undefined;
}

async function readOptionalJson<T>(
  source: FileSource,
  files: SourceIndex,
  path: string,
  parse: (bytes: Uint8Array, file: string) => T,
  warnings: string[],
): Promise<T | undefined> {
  if (!files.has(path)) return undefined;
  try {
    const bytes = await source.read(path, LIMITS.maxJsonBytes);
    return bytes ? parse(bytes, path) : undefined;
  } catch (e) {
    if (!(e instanceof RmFormatError)) throw e;
    warnings.push(`${path} ignored: ${e.message}`);
    return undefined;
  }
}

function attachOriginals(doc: RmDocument, files: SourceIndex, base: string): void {
  if (files.has(`${base}.pdf`)) doc.pdfPath = `${base}.pdf`;
  if (files.has(`${base}.epub`)) doc.epubPath = `${base}.epub`;
}

function warnAboutGaps(doc: RmDocument, rmFiles: string[]): void {
  const { fileType } = doc.content;
  if (fileType === "pdf" && !doc.pdfPath) doc.warnings.push("PDF document without its .pdf file");
  if (fileType === "epub" && !doc.epubPath && !doc.pdfPath) doc.warnings.push("EPUB document without its .epub or converted .pdf file");
  if (doc.pages.length === 0 && fileType !== "notebook") doc.warnings.push("no page list in .content: pages of the original file are unknown");
  const used = new Set(doc.pages.map((p) => p.rmPath));
  const orphans = rmFiles.filter((path) => !used.has(path)).length;
  if (orphans > 0) doc.warnings.push(`${orphans} .rm file(s) not in the page list ignored`);
}
