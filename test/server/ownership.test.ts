// Bytes belong to users, not to hashes. User B names user A's hashes (page files, the original
// PDF of an annotated PDF) in B's own documents without uploading a byte. Every route that
// returns stored bytes or something rendered from them must answer B exactly as it does for
// hashes nobody on the server holds: same status, same error, same body, same missing list.
// The render and OCR workers must not read bytes the page's owner never uploaded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { PDFDocument, rgb } from "pdf-lib";
import { sha256Hex } from "../../src/blobs/store.ts";
import { enqueueRender } from "../../src/services/library/render-page.ts";
import { fakeAnthropicForFile, inkPage, ocrOverrides } from "../ocr/support.ts";
import type { SeenRequest } from "../support/fake-anthropic.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, uuid, type BuiltDoc, type Harness, type TestUser } from "../support/server-harness.ts";

const fake = fakeAnthropicForFile();

/** A's PDF: one page of an unusual size (300 × 500 pt) with a printed box, so its use shows. */
async function secretPdf(): Promise<Uint8Array> {
  const d = await PDFDocument.create();
  const p = d.addPage([300, 500]);
  p.drawRectangle({ x: 20, y: 20, width: 200, height: 300, color: rgb(0, 0, 0) });
  return d.save();
}

let h: Harness;
let a: TestUser;
let b: TestUser;
let aNotebook: BuiltDoc;
let aPdfDoc: BuiltDoc;
let aPdfSha: string;
/** B's documents naming A's hashes ("held") and hashes nobody holds ("unheld"). */
const bDocs: Record<"held" | "unheld", BuiltDoc> = {} as never;
/** B's own strokes over a PDF B never uploaded: A's PDF ("held") or a PDF nobody holds ("unheld"). */
const bPdf: Record<"held" | "unheld", BuiltDoc> = {} as never;
const putAnswers: Record<"held" | "unheld", any> = {} as never;
/** The OCR requests made while setting up (the fake's log is cleared before each test). */
let ocrRequests: SeenRequest[] = [];

/** A copy of `d` for user B: new document and page ids, every hash replaced through `swap`. */
function asB(d: BuiltDoc, swap: (sha: string) => string): BuiltDoc {
  const id = uuid();
  const input = structuredClone(d.input);
  input.pages = input.pages!.map((p) => ({ ...p, id: uuid(), sha256: p.sha256 ? swap(p.sha256) : null }));
  input.files = input.files!.map((f) => ({ ...f, path: f.path.replace(d.uuid, id), sha256: swap(f.sha256) }));
  return { uuid: id, input, blobs: new Map() };
}

beforeAll(async () => {
  h = await harness({ overrides: ocrOverrides(fake, { "quota.defaultPages": -1 }) });
  a = await addUser(h, "a@example.com");
  b = await addUser(h, "b@example.com");
  if (!HAVE_SAMPLES) return;
  aNotebook = buildDoc([new Uint8Array(readFileSync(sample("scrybble-rmc__text.rm"))), inkPage(1)], { name: "Notes" });
  await syncDoc(h, a.token, aNotebook);
  aPdfDoc = buildDoc([inkPage(2)], { name: "Paper", files: { ".pdf": await secretPdf() } });
  aPdfDoc.input.fileType = "pdf";
  aPdfSha = aPdfDoc.input.files![0]!.sha256;
  await syncDoc(h, a.token, aPdfDoc);
  await h.runner.idle();

  // Hashes of bytes that no one has uploaded, one per hash of A's, in the same positions.
  const unheld = new Map<string, string>();
  const fresh = (sha: string) => {
    if (!unheld.has(sha)) unheld.set(sha, sha256Hex(`nobody has this ${sha}`));
    return unheld.get(sha)!;
  };
  bDocs.held = asB(aNotebook, (s) => s);
  bDocs.unheld = asB(aNotebook, fresh);
  for (const k of ["held", "unheld"] as const) {
    putAnswers[k] = await json(await call(h, "PUT", `/api/v1/documents/${bDocs[k].uuid}`, { token: b.token, json: bDocs[k].input }));
  }
  // B's own strokes (uploaded by B) over the original PDF of an annotated PDF B never uploaded.
  for (const k of ["held", "unheld"] as const) {
    const d = buildDoc([inkPage(3)], { name: "Paper", files: { ".pdf": new Uint8Array([1]) } });
    d.input.fileType = "pdf";
    d.input.files![0]!.sha256 = k === "held" ? aPdfSha : fresh(aPdfSha);
    d.input.files![0]!.size = aPdfDoc.input.files![0]!.size;
    d.blobs.clear();
    d.blobs.set(d.input.pages![0]!.sha256!, inkPage(3));
    bPdf[k] = d;
    const put = await json(await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: b.token, json: d.input }));
    for (const sha of put.missing as string[]) if (d.blobs.has(sha)) expect((await call(h, "PUT", `/api/v1/blobs/${sha}`, { token: b.token, body: d.blobs.get(sha)! as Uint8Array<ArrayBuffer> })).status).toBe(200);
  }
  await h.runner.idle();
  ocrRequests = [...fake.requests];
});
afterAll(() => h.close());

async function probe(path: string): Promise<{ status: number; code: string | null; body: Uint8Array }> {
  const res = await call(h, "GET", path, { token: b.token });
  const body = new Uint8Array(await res.arrayBuffer());
  let code: string | null = null;
  if (res.status >= 400) code = JSON.parse(new TextDecoder().decode(body)).error.code;
  return { status: res.status, code, body };
}

async function pdfPageSizes(bytes: Uint8Array): Promise<number[][]> {
  const d = await PDFDocument.load(bytes);
  return d.getPages().map((p) => [Math.round(p.getWidth()), Math.round(p.getHeight())]);
}

describe.skipIf(!HAVE_SAMPLES)("user B names user A's hashes", () => {
  test("the missing list is the same whether or not another user holds the hashes", () => {
    const held = putAnswers.held;
    const unheld = putAnswers.unheld;
    const named = (d: BuiltDoc) => [...d.input.pages!.map((p) => p.sha256!), ...d.input.files!.map((f) => f.sha256)];
    expect(held.missing).toEqual(named(bDocs.held));
    expect(unheld.missing).toEqual(named(bDocs.unheld));
    expect({ ...held, uuid: 0, missing: held.missing.length }).toEqual({ ...unheld, uuid: 0, missing: unheld.missing.length });
    // The PDF documents: B uploaded its page, the PDF is still missing for B in both cases.
    for (const k of ["held", "unheld"] as const) {
      const d = h.ctx.store.documentByUuid(b.id, bPdf[k].uuid)!;
      expect(h.ctx.store.missingForUser(b.id, h.ctx.store.filesByDocument(d.id).map((f) => f.sha256))).toEqual([bPdf[k].input.files![0]!.sha256]);
    }
  });

  test("B's pages stay awaiting_blob, and the document reads the same either way", async () => {
    const held = await json(await call(h, "GET", `/api/v1/documents/${bDocs.held.uuid}`, { token: b.token }));
    const unheld = await json(await call(h, "GET", `/api/v1/documents/${bDocs.unheld.uuid}`, { token: b.token }));
    expect(held.pages.map((p: any) => p.renderStatus)).toEqual(["awaiting_blob", "awaiting_blob"]);
    expect(unheld.pages.map((p: any) => p.renderStatus)).toEqual(["awaiting_blob", "awaiting_blob"]);
  });

  test("every route that returns stored bytes or renders answers B the same for A's hashes as for unheld ones", async () => {
    const routes = (d: BuiltDoc) => {
      const p = d.input.pages!;
      return [
        ...p.flatMap((pg) => [`/api/v1/documents/${d.uuid}/pages/${pg.id}/svg`, `/api/v1/documents/${d.uuid}/pages/${pg.id}/png`, `/api/v1/documents/${d.uuid}/pages/${pg.id}/png?longEdge=300`, `/api/v1/documents/${d.uuid}/pages/${pg.id}/thumb/${"0".repeat(32)}.png`]),
        `/api/v1/documents/${d.uuid}/pdf`,
        `/api/v1/documents/${d.uuid}/markdown`,
        ...p.map((pg) => `/api/v1/blobs/${pg.sha256}`),
        ...d.input.files!.map((f) => `/api/v1/blobs/${f.sha256}`),
      ];
    };
    const held = routes(bDocs.held);
    const unheld = routes(bDocs.unheld);
    for (const [i, path] of held.entries()) {
      const x = await probe(path);
      const y = await probe(unheld[i]!);
      expect([path, x.status, x.code]).toEqual([path, y.status, y.code]);
      if (x.status === 200 && !path.endsWith("/pdf")) expect([path, x.body]).toEqual([path, y.body]);
      if (path.endsWith("/pdf")) expect(await pdfPageSizes(x.body)).toEqual(await pdfPageSizes(y.body));
    }
    // A's text appears nowhere in what B gets (the Markdown export read A's page file before).
    const md = new TextDecoder().decode((await probe(`/api/v1/documents/${bDocs.held.uuid}/markdown`)).body);
    expect(md).not.toContain("Hello, how we");
    // The page PNGs of pages B never uploaded are "not ready: awaiting_blob", not A's handwriting.
    const png = await call(h, "GET", `/api/v1/documents/${bDocs.held.uuid}/pages/${bDocs.held.input.pages![1]!.id}/png`, { token: b.token });
    expect(png.status).toBe(409);
    expect((await json(png)).error.details.status).toBe("awaiting_blob");
    // A still reads all of it.
    for (const p of aNotebook.input.pages!) expect((await call(h, "GET", `/api/v1/documents/${aNotebook.uuid}/pages/${p.id}/png`, { token: a.token })).status).toBe(200);
    expect((await call(h, "GET", `/api/v1/blobs/${aPdfSha}`, { token: a.token })).status).toBe(200);
  });

  test("a PDF underlay B never uploaded is not drawn: page PNG, PDF export and OCR input are strokes only", async () => {
    const pageOf = (d: BuiltDoc) => d.input.pages![0]!.id;
    const pngs = [];
    for (const k of ["held", "unheld"] as const) {
      const r = await call(h, "GET", `/api/v1/documents/${bPdf[k].uuid}/pages/${pageOf(bPdf[k])}/png`, { token: b.token });
      expect(r.status).toBe(200);
      pngs.push(new Uint8Array(await r.arrayBuffer()));
    }
    expect(pngs[0]).toEqual(pngs[1]!);
    const pdfs = [];
    for (const k of ["held", "unheld"] as const) {
      const r = await call(h, "GET", `/api/v1/documents/${bPdf[k].uuid}/pdf`, { token: b.token });
      expect(r.status).toBe(200);
      pdfs.push(await pdfPageSizes(new Uint8Array(await r.arrayBuffer())));
    }
    expect(pdfs[0]).toEqual(pdfs[1]!);
    expect(pdfs[0]).not.toContainEqual([300, 500]);
    // A's own export does use its PDF (the page size shows it).
    const aPdf = await call(h, "GET", `/api/v1/documents/${aPdfDoc.uuid}/pdf`, { token: a.token });
    expect(await pdfPageSizes(new Uint8Array(await aPdf.arrayBuffer()))).toEqual([[300, 500]]);
    // OCR: the images sent for B's two pages are the same picture (no PDF page under either).
    const sent = ocrRequests.filter((r) => r.prompt.includes("printed text"));
    const [aReq, ...bReqs] = sent;
    expect(aReq).toBeDefined();
    expect(bReqs.length).toBe(2);
    expect(bReqs[0]!.png).toEqual(bReqs[1]!.png);
    expect([bReqs[0]!.width, bReqs[0]!.height]).not.toEqual([aReq!.width, aReq!.height]);
  });

  test("the render worker does not render a page from bytes its owner never uploaded", async () => {
    const doc = h.ctx.store.documentByUuid(b.id, bDocs.held.uuid)!;
    for (const p of h.ctx.store.pagesByDocument(doc.id)) {
      h.ctx.store.setPageStatus(p.id, "pending");
      enqueueRender(h.ctx, b.id, p.id, p.sha256!);
    }
    await h.runner.idle();
    for (const p of h.ctx.store.pagesByDocument(doc.id)) {
      expect(p.render_status).toBe("awaiting_blob");
      expect(p.svg_sha256).toBeNull();
      expect(p.typed_text).toBeNull();
      expect(h.ctx.store.pageTexts(p.id)).toEqual([]);
    }
  });

  test("PUT blob: B uploading A's hash verifies B's bytes and answers as for a new hash; stored:false only once B owns it", async () => {
    const aSha = aNotebook.input.pages![1]!.sha256!;
    const aBytes = aNotebook.blobs.get(aSha)!;
    const other = inkPage(40);
    const otherSha = sha256Hex(other);
    // Wrong bytes: refused the same way for a held and an unheld hash.
    for (const sha of [aSha, otherSha]) {
      const r = await call(h, "PUT", `/api/v1/blobs/${sha}`, { token: b.token, body: new Uint8Array([1, 2, 3]) });
      expect(r.status).toBe(400);
      expect((await json(r)).error.code).toBe("hash_mismatch");
    }
    const first = await json(await call(h, "PUT", `/api/v1/blobs/${aSha}`, { token: b.token, body: aBytes as Uint8Array<ArrayBuffer> }));
    const firstOther = await json(await call(h, "PUT", `/api/v1/blobs/${otherSha}`, { token: b.token, body: other as Uint8Array<ArrayBuffer> }));
    expect(first.stored).toBe(true);
    expect(firstOther.stored).toBe(true);
    expect(Object.keys(first).sort()).toEqual(Object.keys(firstOther).sort());
    const again = await json(await call(h, "PUT", `/api/v1/blobs/${aSha}`, { token: b.token, body: aBytes as Uint8Array<ArrayBuffer> }));
    expect(again.stored).toBe(false);
    // Now that B uploaded it, B's page that named it renders.
    await h.runner.idle();
    const doc = h.ctx.store.documentByUuid(b.id, bDocs.held.uuid)!;
    const page = h.ctx.store.pagesByDocument(doc.id).find((p) => p.sha256 === aSha)!;
    expect(page.render_status).toBe("done");
    expect((await call(h, "GET", `/api/v1/blobs/${aSha}`, { token: b.token })).status).toBe(200);
  });

  test("once B uploads the PDF itself, B's cached strokes-only renders are replaced by ones with the PDF underneath", async () => {
    const d = bPdf.held;
    const pngPath = `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/png`;
    const before = new Uint8Array(await (await call(h, "GET", pngPath, { token: b.token })).arrayBuffer());
    const pdfBytes = aPdfDoc.blobs.get(aPdfSha)!;
    expect((await call(h, "PUT", `/api/v1/blobs/${aPdfSha}`, { token: b.token, body: pdfBytes as Uint8Array<ArrayBuffer> })).status).toBe(200);
    const after = new Uint8Array(await (await call(h, "GET", pngPath, { token: b.token })).arrayBuffer());
    expect(after).not.toEqual(before);
    const pdf = await call(h, "GET", `/api/v1/documents/${d.uuid}/pdf`, { token: b.token });
    expect(await pdfPageSizes(new Uint8Array(await pdf.arrayBuffer()))).toEqual([[300, 500]]);
  });
});

test("stored bytes are read only through the caller's ownership (no direct blob-store reads elsewhere)", () => {
  // The blob store's readers (get/stream) may be called only by the modules that check ownership
  // or work on the whole store as the operator (backup, restore, garbage collection).
  const root = resolve(import.meta.dir, "../../src");
  const allowed = new Set(["services/library/owned-blobs.ts", "services/library/blobs.ts", "services/operations/backup.ts", "services/operations/blob-gc.ts", "blobs/disk.ts", "blobs/s3.ts", "blobs/store.ts", "blobs/index.ts"]);
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(name)) {
        const rel = relative(root, p);
        if (allowed.has(rel)) continue;
        if (/\bctx\.blobs\.(get|stream)\(/.test(readFileSync(p, "utf8"))) offenders.push(rel);
      }
    }
  };
  walk(root);
  expect(offenders).toEqual([]);
});
