// Page thumbnails (issue 13 items 1 and 5): small raster images at content-addressed URLs that
// browsers cache forever; a new URL as soon as the page changes; the PDF page under the ink of
// annotated PDFs, and a PDF page is never called "blank". Real app, real SQLite, real renders.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { addUser, buildDoc, harness, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";
import { describeSamples, sample } from "../support/samples.ts";
import { req, session, type Browser } from "./support.ts";

const rm = (name: string) => new Uint8Array(readFileSync(sample(name)));

/** Width, height and the decoded RGB pixels of an indexed-colour PNG (what the thumbnails are). */
function decodeIndexedPng(png: Uint8Array): { width: number; height: number; depth: number; rgb: Uint8Array } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let type = 0;
  let palette: Uint8Array = new Uint8Array(0);
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const len = view.getUint32(at);
    const name = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    if (name === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = data[8]!;
      type = data[9]!;
    } else if (name === "PLTE") palette = data;
    else if (name === "IDAT") idat.push(data);
    at += 12 + len;
  }
  expect(type).toBe(3);
  const raw = inflateSync(Buffer.concat(idat));
  const rowBytes = Math.ceil((width * depth) / 8);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    const f = raw[y * (rowBytes + 1)]!;
    const line = new Uint8Array(raw.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1)));
    const prev = rows[y - 1];
    for (let i = 0; i < rowBytes; i++) {
      const a = i > 0 ? line[i - 1]! : 0;
      const b = prev ? prev[i]! : 0;
      const c = prev && i > 0 ? prev[i - 1]! : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      line[i] = (line[i]! + pred) & 0xff;
    }
    rows.push(line);
  }
  const rgb = new Uint8Array(width * height * 3);
  const per = 8 / depth;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const byte = rows[y]![Math.floor(x / per)]!;
      const idx = (byte >> (8 - depth * ((x % per) + 1))) & ((1 << depth) - 1);
      rgb.set(palette.subarray(idx * 3, idx * 3 + 3), (y * width + x) * 3);
    }
  return { width, height, depth, rgb };
}

/** Share of pixels that are not (near) white. */
const inked = (rgb: Uint8Array) => {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i]! + rgb[i + 1]! + rgb[i + 2]! < 3 * 235) n++;
  return n / (rgb.length / 3);
};

const thumbsIn = (html: string) => [...html.matchAll(/<img src="(\/api\/v1\/documents\/[^"]+\/thumb\/[0-9a-f]{32}\.png)"/g)].map((m) => m[1]!);

describeSamples("page thumbnails", () => {
  let h: Harness;
  let u: TestUser;
  let A: Browser;
  beforeAll(async () => {
    h = await harness();
    u = await addUser(h, "thumbs@example.com");
    A = session(h, u);
  });
  afterAll(() => h.close());

  test("a small raster at a content-addressed, immutable URL; a new URL after an edit; the old one redirects there", async () => {
    const pageId = crypto.randomUUID();
    const doc = buildDoc([rm("rmc__writing_tools.rm")], { name: "Tools", pageIds: [pageId] });
    await syncDoc(h, u.token, doc);
    await h.runner.idle();
    const html = await (await req(h, A, "GET", `/documents/${doc.uuid}`)).text();
    const [url] = thumbsIn(html);
    expect(url).toBeDefined();
    // The library card shows the same thumbnail.
    expect(thumbsIn(await (await req(h, A, "GET", "/")).text())).toContain(url!);

    const res = await req(h, A, "GET", url!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const cc = res.headers.get("cache-control") ?? "";
    expect(cc).toContain("max-age=31536000");
    expect(cc).toContain("immutable");
    const png = new Uint8Array(await res.arrayBuffer());
    expect(png.byteLength).toBeLessThan(8 * 1024); // the SVG of this page is ~100 KB
    const img = decodeIndexedPng(png);
    expect(img.height).toBe(256);
    expect(img.width).toBeGreaterThan(150);
    expect(img.width).toBeLessThan(256);
    expect(inked(img.rgb)).toBeGreaterThan(0.01); // the handwriting is there

    // Drawn once: asked again, the same stored bytes; a revalidation is answered 304.
    const row = () => h.ctx.store.pageByUuid(u.id, h.ctx.store.documentByUuid(u.id, doc.uuid)!.id, pageId)!;
    const stored = row().thumb_sha256;
    expect(stored).not.toBeNull();
    const again = new Uint8Array(await (await req(h, A, "GET", url!)).arrayBuffer());
    expect(Buffer.from(again).equals(Buffer.from(png))).toBe(true);
    expect(row().thumb_sha256).toBe(stored);
    const etag = res.headers.get("etag")!;
    expect((await req(h, A, "GET", url!, { headers: { "if-none-match": etag } })).status).toBe(304);

    // The page viewer's image (SVG for a notebook page) is linked with the same key: cached for a year.
    const viewerSrc = async () => /id="page-image" class="fit" src="([^"]+)"/.exec(await (await req(h, A, "GET", `/documents/${doc.uuid}/pages/1`)).text())![1]!.replaceAll("&amp;", "&");
    const svgUrl = await viewerSrc();
    expect(svgUrl).toContain("/svg?v=");
    expect((await req(h, A, "GET", svgUrl)).headers.get("cache-control")).toBe("private, max-age=31536000, immutable");

    // An edit on the tablet: new strokes on the page. The page links a new URL at once.
    const edited = buildDoc([rm("scrybble-rmc__colours.rm")], { name: "Tools", uuid: doc.uuid, pageIds: [pageId] });
    await syncDoc(h, u.token, edited);
    await h.runner.idle();
    const [url2] = thumbsIn(await (await req(h, A, "GET", `/documents/${doc.uuid}`)).text());
    expect(url2).toBeDefined();
    expect(url2).not.toBe(url);
    const png2 = new Uint8Array(await (await req(h, A, "GET", url2!)).arrayBuffer());
    expect(Buffer.from(png2).equals(Buffer.from(png))).toBe(false);
    // A page of HTML from before the edit asks for the old URL: sent to the new one, never
    // cached (the old URL must not hold other bytes).
    const old = await req(h, A, "GET", url!);
    expect(old.status).toBe(307);
    expect(old.headers.get("location")).toBe(url2!);
    expect(old.headers.get("cache-control")).toBe("no-store");
    // The viewer links a new image URL too; the old one is no longer cached for long.
    expect(await viewerSrc()).not.toBe(svgUrl);
    expect((await req(h, A, "GET", svgUrl)).headers.get("cache-control")).toBe("private, max-age=60");
  });

  test("search results show the page's thumbnail (page hits only)", async () => {
    const doc = buildDoc([rm("rmc__text_multiple_lines.rm")], { name: "Typed lines" });
    await syncDoc(h, u.token, doc);
    await h.runner.idle();
    const [url] = thumbsIn(await (await req(h, A, "GET", `/documents/${doc.uuid}`)).text());
    const page = await (await req(h, A, "GET", "/search?q=text")).text();
    expect(page).toContain(`<img class="hit-thumb" src="${url}"`);
    const dropdown = await (await req(h, A, "GET", "/search?q=text", { htmx: true, target: "search-results" })).text();
    expect(dropdown).toContain(`<img class="hit-thumb" src="${url}"`);
    // A hit on a document's name has no page, hence no thumbnail.
    const byName = await (await req(h, A, "GET", "/search?q=Typed+lines")).text();
    expect(byName).toContain('data-source="name"');
    expect(byName.match(/<li class="hit" data-source="name">[\s\S]*?<\/li>/)![0]).not.toContain("hit-thumb");
  });

  test("requests for a thumbnail being drawn all get it (one drawing shared)", async () => {
    const doc = buildDoc([rm("rmc__pen_size_test.strokes.rm")], { name: "Pens" });
    await syncDoc(h, u.token, doc);
    await h.runner.idle();
    const [url] = thumbsIn(await (await req(h, A, "GET", `/documents/${doc.uuid}`)).text());
    const answers = await Promise.all([1, 2, 3].map(() => req(h, A, "GET", url!)));
    const bodies = await Promise.all(answers.map(async (r) => [r.status, Buffer.from(await r.arrayBuffer()).toString("base64")] as const));
    expect(bodies.map((b) => b[0])).toEqual([200, 200, 200]);
    expect(new Set(bodies.map((b) => b[1])).size).toBe(1);
  });

  test("someone else's thumbnail is not found", async () => {
    const doc = buildDoc([rm("rmc__fullpage.rm")], { name: "Mine" });
    await syncDoc(h, u.token, doc);
    await h.runner.idle();
    const [url] = thumbsIn(await (await req(h, A, "GET", `/documents/${doc.uuid}`)).text());
    const other = await addUser(h, "other@example.com");
    expect((await req(h, session(h, other), "GET", url!)).status).toBe(404);
  });

  test("annotated PDF: every page shows its PDF page under the ink, none is called blank; the viewer shows the PNG with the PDF page", async () => {
    const pdf = new Uint8Array(readFileSync(sample("lucasrla-remarks__demo_xochitl", "d3954b55-8429-4220-a2d5-64f1daab9727.pdf")));
    const doc = buildDoc([rm("rmc__writing_tools.rm"), null, null], { name: "Paper", files: { ".pdf": pdf } });
    doc.input.fileType = "pdf";
    await syncDoc(h, u.token, doc);
    await h.runner.idle();
    const html = await (await req(h, A, "GET", `/documents/${doc.uuid}`)).text();
    expect(html).not.toContain('data-page-status="blank"');
    expect(html).not.toMatch(/>blank</);
    expect(html).toContain('data-page-status="pdf"');
    const urls = thumbsIn(html);
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      const res = await req(h, A, "GET", url);
      expect(res.status).toBe(200);
      const img = decodeIndexedPng(new Uint8Array(await res.arrayBuffer()));
      // The printed page: text over much of it, not a white page.
      expect(inked(img.rgb)).toBeGreaterThan(0.02);
    }
    // The viewer of a page without ink shows the server's PNG (PDF page underneath).
    const view = await (await req(h, A, "GET", `/documents/${doc.uuid}/pages/2`)).text();
    const src = /id="page-image" class="fit" src="([^"]+)"/.exec(view)![1]!.replaceAll("&amp;", "&");
    expect(src).toContain("/png?");
    const png = await req(h, A, "GET", src);
    expect(png.status).toBe(200);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
  });
});
