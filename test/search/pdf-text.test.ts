// The printed text of PDFs becomes searchable (issue 13 item 2): the Turing paper sample (a
// 36-page PDF annotated on 3 pages) is imported through the real upload path; its text layer is
// extracted by MuPDF in a pdf_text background job (ingest does not wait for it), stored per page
// with source 'pdf', and "machine" then finds the paper's pages.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { zipSync } from "fflate";
import { importArchive } from "../../src/services/library/import-upload.ts";
import { jobKindLabel } from "../../views/partials/job-row.tsx";
import { describeSamples, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, type Harness, type TestUser } from "../support/server-harness.ts";

/** A minimal EPUB 3 (one chapter) for the EPUB path: MuPDF lays it out itself. */
function tinyEpub(text: string): Uint8Array<ArrayBuffer> {
  const enc = (s: string) => new TextEncoder().encode(s);
  return new Uint8Array(
    zipSync({
      mimetype: [enc("application/epub+zip"), { level: 0 }],
      "META-INF/container.xml": enc(
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
      ),
      "book.opf": enc(
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">x</dc:identifier><dc:title>T</dc:title><dc:language>en</dc:language></metadata><manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine></package>',
      ),
      "c.xhtml": enc(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title></head><body><p>${text}</p></body></html>`),
    }),
  );
}

const TURING = "d3954b55-8429-4220-a2d5-64f1daab9727";

/** The sample's xochitl folder as a .zip, the way a user uploads a backup. */
export function turingZip(): Uint8Array<ArrayBuffer> {
  const root = sample("lucasrla-remarks__demo_xochitl");
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files[relative(root, p)] = new Uint8Array(readFileSync(p));
    }
  };
  walk(root);
  return new Uint8Array(zipSync(files));
}

describeSamples("printed PDF text in search", () => {
  let h: Harness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    h = await harness(); // no OCR engine: printed text needs none
    alice = await addUser(h, "alice@example.com");
    bob = await addUser(h, "bob@example.com");
  });
  afterAll(async () => {
    await h?.close();
  });

  async function search(user: TestUser, qs: string): Promise<any> {
    const res = await call(h, "GET", `/api/v1/search?${qs}`, { token: user.token });
    const body = await json(res);
    if (res.status !== 200) throw new Error(`search ${qs}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  test("import returns before the text is read; the pdf_text job then makes 'machine' find the paper's pages", async () => {
    const summary = await importArchive(h.ctx, alice.id, new Blob([turingZip()]), "turing.zip");
    expect(summary.documents.map((d) => d.uuid)).toEqual([TURING]);
    // Ingest is done, the extraction only queued (the runner has not run yet).
    const queued = h.ctx.store.jobsByUser(alice.id, { kind: "pdf_text", limit: 10 });
    expect(queued.map((j) => j.status)).toEqual(["queued"]);
    expect(jobKindLabel("pdf_text")).toBe("Read printed text (PDF)");
    expect((await search(alice, "q=machine&source=pdf")).items).toEqual([]);

    await h.runner.idle();
    expect(h.ctx.store.jobsByUser(alice.id, { kind: "pdf_text", limit: 10 }).map((j) => j.status)).toEqual(["done"]);
    const r = await search(alice, "q=machine&source=pdf&limit=100");
    expect(r.items.length).toBeGreaterThanOrEqual(20); // the word is on 30 of the 36 pages
    for (const hit of r.items) {
      expect(hit).toMatchObject({ kind: "page", source: "pdf", document: { uuid: TURING } });
      expect(hit.snippet).toMatch(/<mark>machines?<\/mark>/i);
      expect(hit.words.map((w: string) => w.toLowerCase())).toContainEqual(expect.stringMatching(/^machine/));
    }
    // The title page is among them, and the page numbers are the PDF's (page 2 shows "231").
    const idx = new Set(r.items.map((i: any) => i.page.idx));
    expect(idx.has(0)).toBe(true);
    const p2 = await search(alice, "q=Entscheidungsproblem%20Hilbertian&source=pdf");
    expect(p2.items.map((i: any) => i.page.idx)).toEqual([1]);
    // Without a source filter the printed text is found too; other users see none of it.
    expect((await search(alice, "q=computable%20numbers")).items.some((i: any) => i.source === "pdf")).toBe(true);
    expect((await search(bob, "q=machine")).items).toEqual([]);
  });

  test("importing the same document again queues no new extraction; each page holds its own printed text", async () => {
    await importArchive(h.ctx, alice.id, new Blob([turingZip()]), "turing.zip");
    expect(h.ctx.store.jobsByUser(alice.id, { kind: "pdf_text", limit: 10 }).filter((j) => j.status === "queued")).toEqual([]);
    const page = h.ctx.store.pagesByDocument(h.ctx.store.documentByUuid(alice.id, TURING)!.id).find((p) => p.idx === 1)!;
    const texts = h.ctx.store.pageTexts(page.id);
    expect(texts.find((t) => t.source === "pdf")?.text).toContain("Hilbertian Entscheidungsproblem");
  });

  test("an EPUB without the tablet's PDF is read from the EPUB itself", async () => {
    const d = buildDoc([null], { name: "A small book", files: { ".epub": tinyEpub("The caravan reached Zanzibar at dawn.") } });
    d.input.fileType = "epub";
    await syncDoc(h, alice.token, d);
    await h.runner.idle();
    const r = await search(alice, "q=zanzibar");
    expect(r.items.map((i: any) => [i.document.name, i.source, i.page.idx])).toEqual([["A small book", "pdf", 0]]);
  });
});
