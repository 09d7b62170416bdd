// A landscape document through the server (issue 12 item 1): the render job's SVG (what the
// dashboard shows), the page PNG and the document PDF all take the orientation from the uploaded
// `.content` and show the page as the tablet does. Sample: rm2pdf e724bba2 (v5 over a landscape
// A4 PDF), compared with the tablet's own thumbnail (ink F1 within 2 px at 498 × 374).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { PDFDocument } from "pdf-lib";
import { decodePng, inkScore, rasterPdf } from "../render/visual-support.ts";
import { describeSamples, HAVE_SAMPLES, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, syncDoc, type BuiltDoc, type Harness, type TestUser } from "../support/server-harness.ts";

const DOC = "rm2pdf__testfiles/e724bba2-266f-434d-aaf2-935d2b405aee";
const PAGE = "1a9ef8e1-8009-4c84-bbe8-ba2885a137e6";

let h: Harness;
let user: TestUser;
let doc: BuiltDoc;

beforeAll(async () => {
  h = await harness();
  user = await addUser(h, "l@example.com");
  if (!HAVE_SAMPLES) return;
  doc = buildDoc([new Uint8Array(readFileSync(sample(`${DOC}/${PAGE}.rm`)))], {
    name: "Horizontal",
    files: { ".pdf": new Uint8Array(readFileSync(sample(`${DOC}.pdf`))), ".content": new Uint8Array(readFileSync(sample(`${DOC}.content`))) },
  });
  doc.input.fileType = "pdf";
  doc.input.pages![0]!.sourcePage = 0;
  await syncDoc(h, user.token, doc);
  await h.runner.idle();
});

afterAll(async () => {
  await h.close();
});

describeSamples("a landscape document on the server", () => {
  const pageId = () => doc.input.pages![0]!.id;

  test("the stored SVG (dashboard) is the page turned, in the PDF page's frame and size (item 5)", async () => {
    const res = await call(h, "GET", `/api/v1/documents/${doc.uuid}/pages/${pageId()}/svg`, { token: user.token });
    expect(res.status).toBe(200);
    const svg = await res.text();
    expect(svg).toContain('transform="rotate(90)"');
    // The landscape A4 page's frame: the 1872-unit-wide screen scaled to 841.89 pt, so the page is
    // 595.28 / (841.89 / 1872) = 1323.6 units tall (not the screen's 1404), at the PDF's size in pt:
    // the same frame as the page PNG and the document PDF.
    const m = /viewBox="([^"]+)" width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!;
    const [x, y, w, hh] = m[1]!.split(" ").map(Number);
    expect([x, y, w]).toEqual([-1872, 0, 1872]);
    expect(hh!).toBeCloseTo(1323.6, 0);
    expect(Number(m[2])).toBeCloseTo(841.89, 0);
    expect(Number(m[3])).toBeCloseTo(595.28, 0);
  });

  test("the page PNG (with its PDF page underneath) is landscape", async () => {
    const res = await call(h, "GET", `/api/v1/documents/${doc.uuid}/pages/${pageId()}/png?longEdge=500`, { token: user.token });
    expect(res.status).toBe(200);
    const g = decodePng(new Uint8Array(await res.arrayBuffer()));
    expect(g.width).toBeGreaterThan(g.height);
    expect(g.width / g.height).toBeCloseTo(841.89 / 595.28, 1);
  });

  test("the document PDF matches the tablet's thumbnail", async () => {
    const res = await call(h, "GET", `/api/v1/documents/${doc.uuid}/pdf`, { token: user.token });
    expect(res.status).toBe(200);
    const pdf = new Uint8Array(await res.arrayBuffer());
    const p = (await PDFDocument.load(pdf)).getPage(0);
    expect(p.getWidth()).toBeCloseTo(841.89, 1);
    const thumb = decodePng(new Uint8Array(readFileSync(sample(`${DOC}.thumbnails/${PAGE}.jpg`))));
    // Measured 1.000 (0.10 before orientation reached the renderers).
    expect(inkScore(rasterPdf(pdf, 0, 498, Math.round((498 * 595.28) / 841.89)), thumb, 2).f1).toBeGreaterThan(0.9);
  });
});
