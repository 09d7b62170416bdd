// `rmirror render <input> [--to svg,pdf,png,md] [--out DIR] [--page N]`: offline conversion of a
// .rm page, a document folder, a xochitl folder (every document), a .rmdoc or a cloud .zip.
// Every good document is rendered even when some are bad; the exit code is 1 if any failed.

import { mkdir, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { type Library, openInput } from "../rm/container/library.ts";
import type { RmDocument } from "../rm/container/document.ts";
import { type ParsedPage, parseDocumentPages } from "../rm/container/parse-pages.ts";
import { RmFormatError } from "../rm/errors.ts";
import type { DocContent, Page } from "../rm/model.ts";
import { parsePage } from "../rm/page.ts";
import { renderMarkdown } from "../render/markdown.ts";
import { renderPdf } from "../render/pdf.ts";
import { renderPng } from "../render/png.ts";
import type { PdfUnderlay } from "../render/png-underlay.ts";
import { renderSvg } from "../render/svg.ts";
import { pageFrameOverPdf, type PdfPageBoxes, readPdfPageBoxes } from "../render/pdf-frame.ts";
import { UsageError, parse, safeFileName } from "./args.ts";

const FORMATS = ["svg", "pdf", "png", "md"] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: rmirror render <input> [--to svg,pdf,png,md] [--out DIR] [--page N]

Converts reMarkable pages and documents, offline.
  <input>        a .rm page, a document folder, a xochitl / desktop-app folder (all documents),
                 a .rmdoc export or a cloud .zip archive
  --to LIST      formats, comma separated (default: svg,pdf,md)
                   svg  one file per page        png  one file per page (for OCR; --size px long edge;
                                                      pages of a PDF show the PDF page underneath)
                   pdf  one file per document    md   typed text and highlights per document
  --out DIR      output folder (default: ./rmirror-render); folders of the library are mirrored
  --page N       only page N (1-based) of each document
  --size PX      PNG long edge in pixels (default 1568)
  --quiet        no progress lines`;

interface Options {
  formats: Set<Format>;
  out: string;
  page?: number;
  size: number;
  quiet: boolean;
}

export async function run(argv: string[]): Promise<number> {
  let opts: Options;
  let input: string;
  try {
    ({ opts, input } = parseOptions(argv));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`rmirror render: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (input === "--help") {
    console.log(HELP);
    return 0;
  }
  const log = opts.quiet ? () => {} : (s: string) => console.error(s);
  try {
    if (extname(input).toLowerCase() === ".rm") return await renderSinglePage(input, opts, log);
    return await renderLibrary(await openInput(input), opts, log);
  } catch (e) {
    if (e instanceof RmFormatError) {
      console.error(`rmirror render: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function parseOptions(argv: string[]): { opts: Options; input: string } {
  const { values, positionals } = parse(argv, {
    to: { type: "string", default: "svg,pdf,md" },
    out: { type: "string", short: "o", default: "rmirror-render" },
    page: { type: "string" },
    size: { type: "string", default: "1568" },
    quiet: { type: "boolean", short: "q", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return { opts: {} as Options, input: "--help" };
  if (positionals.length !== 1) throw new UsageError(positionals.length ? "give exactly one input" : "missing <input>");
  const formats = new Set<Format>();
  for (const f of values.to!.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format '${f}' (use ${FORMATS.join(", ")})`);
    formats.add(f as Format);
  }
  if (formats.size === 0) throw new UsageError("--to needs at least one format");
  const size = Number(values.size);
  if (!Number.isInteger(size) || size < 16 || size > 8000) throw new UsageError("--size must be a whole number of pixels from 16 to 8000");
  const opts: Options = { formats, out: values.out!, size, quiet: values.quiet! };
  if (values.page !== undefined) {
    const n = Number(values.page);
    if (!Number.isInteger(n) || n < 1) throw new UsageError("--page must be a page number from 1");
    opts.page = n;
  }
  return { opts, input: positionals[0]! };
}

async function renderSinglePage(file: string, opts: Options, log: (s: string) => void): Promise<number> {
  const bytes = new Uint8Array(await Bun.file(file).arrayBuffer());
  const page = parsePage(bytes, basename(file), { lenient: true });
  for (const w of page.warnings ?? []) log(`warning: ${w}`);
  const name = safeFileName(basename(file, extname(file)), "page");
  await mkdir(opts.out, { recursive: true });
  const title = name;
  try {
    await writePageFiles(page, join(opts.out, name), opts, "portrait");
    if (opts.formats.has("pdf")) await writeFile(join(opts.out, `${name}.pdf`), await renderPdf({ title, pages: [{ page, sourcePage: null }] }));
    if (opts.formats.has("md")) await writeFile(join(opts.out, `${name}.md`), renderMarkdown({ title, pages: [{ page }] }));
  } catch (e) {
    console.error(`rmirror render: ${file}: could not be drawn: ${errorMessage(e)}`);
    return 1;
  }
  log(`${file}: v${page.version}, ${page.layers.length} layer(s) → ${opts.out}`);
  return 0;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `underlay`: the original PDF page under a page of a PDF document (PNG only; the SVG is the ink). */
const pdfBoxes = new WeakMap<Uint8Array, Promise<PdfPageBoxes | null>>();
function pdfBoxesOf(pdf: Uint8Array): Promise<PdfPageBoxes | null> {
  let b = pdfBoxes.get(pdf);
  if (!b) pdfBoxes.set(pdf, (b = readPdfPageBoxes(pdf)));
  return b;
}

async function writePageFiles(
  page: Page,
  base: string,
  opts: Options,
  orientation: DocContent["orientation"],
  underlay?: PdfUnderlay & { warn: (m: string) => void },
): Promise<void> {
  if (opts.formats.has("svg")) {
    // Over a PDF page: the PDF page's frame, as the PNG and PDF (issue 12 item 5).
    const boxes = underlay ? await pdfBoxesOf(underlay.pdf) : null;
    const frame = boxes ? pageFrameOverPdf(page, boxes, underlay!.index, orientation) : null;
    await writeFile(`${base}.svg`, renderSvg(page, { orientation, ...(frame ?? {}) }));
  }
  if (opts.formats.has("png")) {
    const under = underlay ? { underlay: { pdf: underlay.pdf, index: underlay.index }, onUnderlayError: underlay.warn } : {};
    await writeFile(`${base}.png`, await renderPng(page, { longEdge: opts.size, orientation, ...under }));
  }
}

async function renderLibrary(lib: Library, opts: Options, log: (s: string) => void): Promise<number> {
  let failures = 0;
  for (const e of lib.errors) {
    failures++;
    console.error(`error: ${e.error.message}`);
  }
  const docs = lib.documents;
  if (docs.length === 0 && lib.errors.length === 0) {
    console.error("rmirror render: no documents found in the input");
    return 1;
  }
  const used = new Set<string>();
  for (const [i, doc] of docs.entries()) {
    const dir = join(opts.out, ...outputFolders(lib, doc));
    const name = uniqueName(dir, safeFileName(doc.metadata.visibleName, doc.uuid), doc.uuid, used);
    const only = opts.page !== undefined ? new Set([opts.page - 1]) : undefined;
    const pages = await parseDocumentPages(lib, doc, only);
    const bad = pages.filter((p) => p.error);
    log(`[${i + 1}/${docs.length}] ${doc.metadata.visibleName || doc.uuid}: ${pages.length} page(s)${bad.length ? `, ${bad.length} unreadable` : ""}`);
    for (const w of doc.warnings) log(`  warning: ${w}`);
    for (const p of bad) console.error(`  error: page ${p.ref.index + 1}: ${p.error!.message}`);
    let failed = bad.length > 0;
    try {
      // Every failure inside a document is that page's (or that output's) error: the batch goes on.
      if (!(await writeDocument(lib, doc, pages, dir, name, opts))) failed = true;
    } catch (e) {
      failed = true;
      console.error(`  error: ${errorMessage(e)}`);
    }
    if (failed) failures++;
  }
  log(`${docs.length - Math.min(failures, docs.length)} of ${docs.length} document(s) rendered to ${opts.out}${failures ? `, ${failures} with errors` : ""}`);
  return failures > 0 ? 1 : 0;
}

/** Writes what can be written; false when a page or an output could not be drawn (each reported). */
async function writeDocument(lib: Library, doc: RmDocument, pages: ParsedPage[], dir: string, name: string, opts: Options): Promise<boolean> {
  let ok = true;
  const failed = (what: string, e: unknown) => {
    ok = false;
    console.error(`  error: ${what} could not be drawn: ${errorMessage(e)}`);
  };
  await mkdir(dir, { recursive: true });
  const pageFormats = opts.formats.has("svg") || opts.formats.has("png");
  const background = doc.pdfPath && (opts.formats.has("pdf") || opts.formats.has("png")) ? await lib.source.read(doc.pdfPath) : undefined;
  if (pageFormats) {
    const pageDir = join(dir, name);
    await mkdir(pageDir, { recursive: true });
    let warned = false;
    const warn = (m: string) => {
      if (!warned) console.error(`  warning: PNG pages drawn without their PDF page: ${m}`);
      warned = true;
    };
    for (const p of pages) {
      const src = p.ref.sourcePage;
      const underlay = background && src !== null && src >= 0 ? { pdf: background, index: src, warn } : undefined;
      if (!p.page) continue;
      try {
        await writePageFiles(p.page, join(pageDir, `page-${String(p.ref.index + 1).padStart(3, "0")}`), opts, doc.content.orientation, underlay);
      } catch (e) {
        failed(`page ${p.ref.index + 1}`, e);
      }
    }
  }
  const title = doc.metadata.visibleName || doc.uuid;
  if (opts.formats.has("pdf")) {
    try {
      const pdf = await renderPdf({
        title,
        pages: pages.map((p) => ({ page: p.page, sourcePage: p.ref.sourcePage, highlights: p.ref.highlights })),
        ...(background ? { background } : {}),
        orientation: doc.content.orientation,
      });
      await writeFile(join(dir, `${name}.pdf`), pdf);
    } catch (e) {
      failed("the PDF", e);
    }
  }
  if (opts.formats.has("md")) {
    try {
      await writeFile(join(dir, `${name}.md`), renderMarkdown({
          title,
          tags: doc.content.tags.map((t) => t.name),
          pages: pages.map((p) => ({ page: p.page, highlights: p.ref.highlights, tags: doc.content.pageTags.filter((t) => t.pageId === p.ref.id).map((t) => t.name) })),
        }));
    } catch (e) {
      failed("the Markdown", e);
    }
  }
  return ok;
}

function outputFolders(lib: Library, doc: RmDocument): string[] {
  const path = lib.folderPath(doc.uuid).map((n) => safeFileName(n, "folder"));
  return lib.inTrash(doc.uuid) ? ["Trash", ...path] : path;
}

function uniqueName(dir: string, name: string, uuid: string, used: Set<string>): string {
  let candidate = name;
  if (used.has(join(dir, candidate).toLowerCase())) candidate = `${name} (${uuid.slice(0, 8)})`;
  used.add(join(dir, candidate).toLowerCase());
  return candidate;
}
