// Downloads (issue 13 item 13): the original PDF/EPUB as uploaded, the document as `.rmdoc` (the
// desktop app's export layout, which imports back page for page), one page as PNG or SVG — also
// for documents in the trash or deleted within the grace period; someone else's id is a 404.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { unzipSync } from "fflate";
import { PDFDocument } from "pdf-lib";
import { sha256Hex } from "../../src/blobs/store.ts";
import { inkPage } from "../ocr/support.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type BuiltDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { req, session, type Browser } from "./support.ts";

const DAY = 86_400_000;
let h: Harness;
let alice: TestUser;
let bob: TestUser;
let A: Browser;
let paper: BuiltDoc;
let book: BuiltDoc;
let notebook: BuiltDoc;
let trashed: BuiltDoc;
let deleted: BuiltDoc;
let expired: BuiltDoc;
let pdfBytes: Uint8Array;
const epubBytes = new TextEncoder().encode("PK\u0003\u0004 not really an epub, but bytes are bytes");

beforeAll(async () => {
  h = await harness({ overrides: { trashGraceDays: 30 } });
  alice = await addUser(h, "dl-alice@example.com");
  bob = await addUser(h, "dl-bob@example.com");
  A = session(h, alice);
  const pdf = await PDFDocument.create();
  pdf.addPage([595, 842]);
  pdf.addPage([595, 842]);
  pdfBytes = await pdf.save();
  const content = new TextEncoder().encode(JSON.stringify({ fileType: "pdf", orientation: "portrait", pageCount: 2 }));
  paper = buildDoc([inkPage(1), null], { name: "Turing: Computing Machinery", files: { ".pdf": pdfBytes, ".content": content, ".pagedata": new TextEncoder().encode("Blank\nBlank\n") } });
  paper.input.fileType = "pdf";
  book = buildDoc([inkPage(2)], { name: "A book", files: { ".epub": epubBytes } });
  book.input.fileType = "epub";
  notebook = buildDoc([inkPage(3), inkPage(4)], { name: "Plain notebook" });
  trashed = buildDoc([inkPage(5)], { name: "In the trash" });
  deleted = buildDoc([inkPage(6)], { name: "Deleted lately" });
  expired = buildDoc([inkPage(7)], { name: "Long gone" });
  for (const d of [paper, book, notebook, trashed, deleted, expired]) await syncDoc(h, alice.token, d);
  await h.runner.idle();
  const put = async (d: BuiltDoc, m: Record<string, unknown>) =>
    expect((await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: alice.token, json: { ...d.input, metadata: { ...d.input.metadata, ...m } } })).status).toBe(200);
  await put(trashed, { parent: "trash" });
  await put(deleted, { parent: "trash", deleted: true });
  expect(h.ctx.store.softDeleteDocument(alice.id, expired.uuid, Date.now() - 31 * DAY)).toBe(true);
});
afterAll(() => h.close());

const get = (path: string, token = alice.token) => call(h, "GET", path, { token });
const bytes = async (r: Response) => new Uint8Array(await r.arrayBuffer());

describe("the original file", () => {
  test("a PDF's original is the uploaded PDF, byte for byte, named after the document", async () => {
    const r = await get(`/api/v1/documents/${paper.uuid}/original`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/pdf");
    expect(r.headers.get("content-disposition")).toBe(`attachment; filename*=UTF-8''${encodeURIComponent("Turing_ Computing Machinery.pdf")}`);
    expect(sha256Hex(await bytes(r))).toBe(sha256Hex(pdfBytes));
  });

  test("an EPUB's original is the EPUB; a notebook has none (404)", async () => {
    const r = await get(`/api/v1/documents/${book.uuid}/original`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/epub+zip");
    expect(await bytes(r)).toEqual(epubBytes);
    const none = await get(`/api/v1/documents/${notebook.uuid}/original`);
    expect(none.status).toBe(404);
    expect((await json(none)).error.code).toBe("document_not_found");
  });
});

describe(".rmdoc", () => {
  test("the desktop app's layout: metadata, content, one .rm per page, the PDF and its sidecars", async () => {
    const r = await get(`/api/v1/documents/${paper.uuid}/rmdoc`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/zip");
    expect(r.headers.get("content-disposition")).toContain(".rmdoc");
    const files = unzipSync(await bytes(r));
    const u = paper.uuid;
    const pageIds = paper.input.pages!.map((p) => p.id);
    // The blank page (no .rm on the tablet either) has no file.
    expect(Object.keys(files).sort()).toEqual([`${u}.content`, `${u}.metadata`, `${u}.pagedata`, `${u}.pdf`, `${u}/${pageIds[0]}.rm`].sort());
    expect(Array.from(files[`${u}/${pageIds[0]}.rm`]!)).toEqual(Array.from(inkPage(1)));
    expect(sha256Hex(files[`${u}.pdf`]!)).toBe(sha256Hex(pdfBytes));
    const meta = JSON.parse(new TextDecoder().decode(files[`${u}.metadata`]));
    expect(meta).toMatchObject({ visibleName: "Turing: Computing Machinery", type: "DocumentType", parent: "" });
  });

  test("imports back page for page (into another account, through the real import endpoint)", async () => {
    const archive = await bytes(await get(`/api/v1/documents/${notebook.uuid}/rmdoc`));
    const carol = await addUser(h, "dl-carol@example.com");
    const up = await call(h, "POST", "/api/v1/import?filename=Plain%20notebook.rmdoc", { token: carol.token, body: archive as Uint8Array<ArrayBuffer>, headers: { "content-type": "application/zip" } });
    expect(up.status).toBe(201);
    const back = await json(await get(`/api/v1/documents/${notebook.uuid}`, carol.token));
    expect(back.name).toBe("Plain notebook");
    const original = await json(await get(`/api/v1/documents/${notebook.uuid}`));
    expect(back.pages.map((p: any) => [p.id, p.sha256])).toEqual(original.pages.map((p: any) => [p.id, p.sha256]));
  });
});

describe("one page", () => {
  test("PNG and SVG as files named after the document and page", async () => {
    const pid = notebook.input.pages![1]!.id;
    const png = await get(`/api/v1/documents/${notebook.uuid}/pages/${pid}/png?download=1`);
    expect(png.status).toBe(200);
    expect(png.headers.get("content-disposition")).toBe(`attachment; filename*=UTF-8''${encodeURIComponent("Plain notebook - page 2.png")}`);
    expect(Array.from((await bytes(png)).slice(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const svg = await get(`/api/v1/documents/${notebook.uuid}/pages/${pid}/svg?download=1`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-disposition")).toContain("page%202.svg");
    expect(await svg.text()).toStartWith("<svg");
    // Without ?download=1 they stay inline images.
    expect((await get(`/api/v1/documents/${notebook.uuid}/pages/${pid}/png`)).headers.get("content-disposition")).toBeNull();
  });
});

describe("trash and deleted documents", () => {
  test("in the trash or deleted within the grace period: every download works; past it: 404", async () => {
    for (const d of [trashed, deleted]) {
      const pid = d.input.pages![0]!.id;
      for (const path of [`/rmdoc`, `/pdf`, `/markdown`, `/pages/${pid}/png?download=1`, `/pages/${pid}/svg?download=1`]) {
        const r = await get(`/api/v1/documents/${d.uuid}${path}`);
        expect({ name: d.input.metadata.visibleName, path, status: r.status }).toEqual({ name: d.input.metadata.visibleName, path, status: 200 });
      }
    }
    for (const path of [`/rmdoc`, `/pdf`, `/markdown`, `/pages/${expired.input.pages![0]!.id}/png`]) expect((await get(`/api/v1/documents/${expired.uuid}${path}`)).status).toBe(404);
  });

  test("the document view links every download, also for a deleted document", async () => {
    const html = await (await req(h, A, "GET", `/documents/${deleted.uuid}`)).text();
    expect(html).toContain('data-trash-state="deleted"');
    for (const k of ["pdf", "rmdoc", "markdown"]) expect(html).toContain(`data-download="${k}"`);
    expect(html).not.toContain('data-download="original"');
    const paperHtml = await (await req(h, A, "GET", `/documents/${paper.uuid}`)).text();
    expect(paperHtml).toContain(`href="/api/v1/documents/${paper.uuid}/original" download="" data-download="original" data-original="pdf"`);
    const pageHtml = await (await req(h, A, "GET", `/documents/${deleted.uuid}/pages/1`)).text();
    expect(pageHtml).toContain('data-download="page-png"');
    expect(pageHtml).toContain('data-download="page-svg"');
  });
});

describe("ownership", () => {
  test("another user gets 404 for every download of someone else's document (trashed and deleted too)", async () => {
    for (const d of [paper, notebook, trashed, deleted]) {
      const pid = d.input.pages![0]!.id;
      for (const path of ["/original", "/rmdoc", "/pdf", "/markdown", `/pages/${pid}/png?download=1`, `/pages/${pid}/svg?download=1`]) {
        const r = await get(`/api/v1/documents/${d.uuid}${path}`, bob.token);
        expect({ path, status: r.status }).toEqual({ path, status: 404 });
      }
    }
    // And without credentials: 401.
    expect((await call(h, "GET", `/api/v1/documents/${paper.uuid}/rmdoc`)).status).toBe(401);
  });
});
