// Bulk actions on the library (issue 13 item 15): the selection from the form and the zip of
// several documents (each as PDF or as .rmdoc). OCR now and Notion for a selection are in
// src/server/routes/dashboard/bulk.ts. Every uuid is checked against the user (someone else's is
// skipped like a missing one).
import { AppError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { UUID_RE } from "../ids.ts";
import { documentPdf, documentRmdoc, downloadableDocument, zipEntries } from "./exports.ts";

/** At most this many documents per bulk action (a library page shows 48). */
export const BULK_MAX = 200;

export type BulkAction = "download" | "ocr" | "notion";

/** The selected uuids from the form: fields named `doc.<uuid>` (one per checked box). */
export function selectedUuids(form: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(form)) {
    if (!k.startsWith("doc.")) continue;
    const u = k.slice(4).toLowerCase();
    if (UUID_RE.test(u) && !out.includes(u)) out.push(u);
  }
  if (out.length > BULK_MAX) throw new AppError("bad_request", `Select at most ${BULK_MAX} documents at once.`);
  return out;
}

/** The user's own documents among `uuids` (folders, missing and other users' ids left out). */
export function ownDocuments(ctx: AppContext, userId: number, uuids: string[]) {
  return uuids.flatMap((u) => {
    try {
      return [downloadableDocument(ctx, userId, u)];
    } catch {
      return [];
    }
  });
}

/** A name not used yet in the zip: "Name.pdf", "Name (2).pdf", … */
function unique(used: Set<string>, name: string): string {
  const dot = name.lastIndexOf(".");
  const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  let n = 1;
  let candidate = name;
  while (used.has(candidate.toLowerCase())) candidate = `${base} (${++n})${ext}`;
  used.add(candidate.toLowerCase());
  return candidate;
}

async function bytesOf(body: Blob | ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** The selected documents in one zip, each as PDF or as .rmdoc. */
export async function bulkDownload(ctx: AppContext, userId: number, uuids: string[], format: "pdf" | "rmdoc"): Promise<{ name: string; bytes: Uint8Array; count: number }> {
  const docs = ownDocuments(ctx, userId, uuids);
  if (!docs.length) throw new AppError("document_not_found", "None of the selected documents can be downloaded.");
  const used = new Set<string>();
  const entries: Record<string, Uint8Array> = {};
  for (const d of docs) {
    if (format === "rmdoc") {
      const r = await documentRmdoc(ctx, userId, d.uuid);
      entries[unique(used, r.name)] = r.bytes;
    } else {
      const r = await documentPdf(ctx, userId, d.uuid);
      entries[unique(used, r.name)] = await bytesOf(r.body);
    }
  }
  return { name: `rmirror-${docs.length}-documents.zip`, bytes: zipEntries(entries), count: docs.length };
}

