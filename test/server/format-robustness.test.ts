// Issue 12 items 5, 7 and 8 on the server (the CLI and the format core have their own tests):
// 5: the PDF-only `rmapi__cloud_test.zip` imports as a document with the PDF's page, stored PDF
//    included, and its PDF export keeps that page;
// 7: a crafted pageCount is clamped (PDF) or refused (notebook) at import, and a page with a
//    4.29e9-unit paper size fails its render job with the format error;
// 8: a page that cannot be drawn as PNG answers 422 render_failed with the reason; the document's
//    other page and other documents are drawn.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { strToU8, unzipSync, zipSync } from "fflate";
import { PDFDocument } from "pdf-lib";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { b, block, groupItem, lineItem, page, point14, sceneTree } from "../support/v6-builder.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";

let h: Harness;
let u: TestUser;

beforeAll(async () => {
  h = await harness();
  u = await addUser(h, "format@example.com");
});
afterAll(() => h.close());

const DOC = "883ba04f-606c-41b7-8903-8d113356850f";

async function upload(zip: Uint8Array, name: string): Promise<Response> {
  const form = new FormData();
  form.set("file", new File([zip as Uint8Array<ArrayBuffer>], name));
  return call(h, "POST", "/api/v1/import", { token: u.token, body: form });
}

function cloudZip(content?: object): Uint8Array {
  const entries = unzipSync(new Uint8Array(readFileSync(sample("rmapi__cloud_test.zip"))));
  if (content) entries[`${DOC}.content`] = strToU8(JSON.stringify(content));
  return zipSync(entries);
}

const withPaper = (w: number, hgt: number) =>
  page(
    block(0x0d, b().sub(5, b().u32(w).u32(hgt)), 1),
    sceneTree(0, 11),
    groupItem([0, 1], [0, 12], [0, 0], [0, 0], [0, 11]),
    lineItem([0, 11], [0, 13], [0, 0], [0, 0], { points: [point14(0, 100), point14(300, 400)] }),
  );

test.skipIf(!HAVE_SAMPLES)("item 5: a PDF-only archive imports with the PDF's page, and its PDF export keeps it", async () => {
  const res = await upload(cloudZip(), "cloud_test.zip");
  expect(res.status).toBe(201);
  const summary = await json(res);
  expect(summary.documents).toMatchObject([{ uuid: DOC, pages: 1 }]);
  const doc = await json(await call(h, "GET", `/api/v1/documents/${DOC}`, { token: u.token }));
  expect(doc.pages.map((p: { sourcePage: number | null; sha256: string | null }) => [p.sourcePage, p.sha256])).toEqual([[0, null]]);
  expect(doc.files.map((f: { path: string }) => f.path)).toContain(`${DOC}.pdf`);
  const pdfRes = await call(h, "GET", `/api/v1/documents/${DOC}/pdf`, { token: u.token });
  expect(pdfRes.status).toBe(200);
  const out = await PDFDocument.load(new Uint8Array(await pdfRes.arrayBuffer()));
  const original = await PDFDocument.load(unzipSync(new Uint8Array(readFileSync(sample("rmapi__cloud_test.zip"))))[`${DOC}.pdf`]!);
  expect(out.getPageCount()).toBe(original.getPageCount());
  expect(out.getPage(0).getSize()).toEqual(original.getPage(0).getSize());
});

test.skipIf(!HAVE_SAMPLES)("item 7: pageCount 99,999 without a page list: clamped to the PDF, refused for a notebook", async () => {
  await call(h, "DELETE", `/api/v1/documents/${DOC}`, { token: u.token });
  const pdf = await upload(cloudZip({ fileType: "pdf", pageCount: 99_999 }), "pdf.zip");
  expect(pdf.status).toBe(201);
  expect((await json(pdf)).documents).toMatchObject([{ uuid: DOC, pages: 1 }]);
  const pagesBefore = h.ctx.store.db.query("SELECT count(*) AS n FROM pages").get() as { n: number };
  const nb = await upload(cloudZip({ fileType: "notebook", pageCount: 99_999 }), "notebook.zip");
  const body = await json(nb);
  expect(nb.status).toBe(400);
  expect(body.error.code).toBe("bad_archive");
  expect(JSON.stringify(body.error)).toContain("pageCount 99999");
  expect(h.ctx.store.db.query("SELECT count(*) AS n FROM pages").get()).toEqual(pagesBefore);
});

test("item 7: a page with a 4.29e9-unit paper size fails its render job with the format error; its neighbour renders", async () => {
  const d = buildDoc([withPaper(0xffff_ffff, 0xffff_ff00), withPaper(1620, 2160)]);
  await syncDoc(h, u.token, d);
  await h.runner.idle();
  const doc = await json(await call(h, "GET", `/api/v1/documents/${d.uuid}`, { token: u.token }));
  expect(doc.pages[0].renderStatus).toBe("failed");
  expect(doc.pages[0].renderError).toMatch(/unreadable page: .*paper size/);
  expect(doc.pages[1].renderStatus).toBe("done");
});

test("item 8: a page no PNG can be made of is that page's 422; the next page and the next document draw", async () => {
  // Paper 1 unit wide and 20,000 tall, no ink to widen it: resvg refuses a zero-pixel-wide image.
  const degenerate = page(block(0x0d, b().sub(5, b().u32(1).u32(20_000)), 1));
  const bad = buildDoc([degenerate, withPaper(1404, 1872)]);
  const other = buildDoc([withPaper(1620, 2160)]);
  await syncDoc(h, u.token, bad);
  await syncDoc(h, u.token, other);
  await h.runner.idle();
  const png = (d: typeof bad, i: number) => call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![i]!.id}/png?longEdge=256`, { token: u.token });
  const r = await png(bad, 0);
  const body = await json(r);
  expect(r.status).toBe(422);
  expect(body.error.code).toBe("render_failed");
  expect(body.error.message).toContain("Target size is zero");
  expect((await png(bad, 1)).status).toBe(200);
  expect((await png(other, 0)).status).toBe(200);
});
