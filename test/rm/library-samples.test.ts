import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { openInput, type Library } from "../../src/rm/container/library.ts";
import type { RmDocument } from "../../src/rm/container/document.ts";
import type { Stroke } from "../../src/rm/model.ts";
import { parseV3V5 } from "../../src/rm/v3v5.ts";
import { describeSamples, sample, SAMPLES_DIR } from "../support/samples.ts";

function only(lib: Library): RmDocument {
  expect(lib.errors).toEqual([]);
  expect(lib.documents).toHaveLength(1);
  const doc = lib.documents[0];
  if (!doc) throw new Error("no document");
  return doc;
}

async function pageVersion(lib: Library, doc: RmDocument, i: number): Promise<number> {
  const page = doc.pages[i];
  const bytes = page ? await lib.readPage(page) : undefined;
  return bytes ? Number(String.fromCharCode(bytes[32] ?? 0)) : 0;
}

async function strokeCount(lib: Library, doc: RmDocument, i: number): Promise<number> {
  const page = doc.pages[i];
  const bytes = page ? await lib.readPage(page) : undefined;
  if (!page || !bytes) throw new Error(`page ${i} has no bytes`);
  const parsed = parseV3V5(bytes, page.rmPath ?? "", (await pageVersion(lib, doc, i)) as 3 | 5, page.layerNames);
  return parsed.layers.flatMap((l) => l.children.filter((c): c is Stroke => c.kind === "stroke")).length;
}

const GOSPER = "bce041cf-ce31-4ede-ad11-2e53db0f6c77";

describeSamples("openInput on the sample containers", () => {
  test("every zip sample opens with at least one document and no errors", async () => {
    const zips = [
      ...readdirSync(SAMPLES_DIR).filter((n) => n.endsWith(".zip")),
      ...readdirSync(sample("rm2pdf__testfiles"))
        .filter((n) => n.endsWith(".zip"))
        .map((n) => `rm2pdf__testfiles/${n}`),
    ];
    expect(zips.length).toBeGreaterThanOrEqual(11);
    for (const z of zips) {
      const lib = await openInput(sample(z));
      expect(lib.errors).toEqual([]);
      expect(lib.documents.length).toBeGreaterThanOrEqual(1);
    }
  });

  test("lucasrla xochitl folder: 36-page PDF, 3 annotated pages, unknown parent → top level", async () => {
    const lib = await openInput(sample("lucasrla-remarks__demo_xochitl"));
    const doc = only(lib);
    expect(doc.content.fileType).toBe("pdf");
    expect(doc.pages).toHaveLength(36);
    expect(doc.pages.filter((p) => !p.missing).map((p) => p.index)).toEqual([0, 1, 27]);
    expect(doc.pages[27]?.id).toBe("a8cee983-7203-4218-a1af-e2f4fcf3d073");
    expect(doc.pages.every((p, i) => p.sourcePage === i && p.index === i)).toBe(true);
    expect(doc.pdfPath).toBe("d3954b55-8429-4220-a2d5-64f1daab9727.pdf");
    expect(doc.pages[0]?.layerNames).toEqual(["Layer 1"]);
    expect(lib.folderPath(doc.uuid)).toEqual([]);
    expect(lib.inTrash(doc.uuid)).toBe(false);
    expect(doc.warnings).toEqual([]);
  });

  test("lucasrla v2_notebook_complex: folder, page folder and .metadata path all give the same 3 v3 pages", async () => {
    const dir = sample("lucasrla-remarks__tests_in/v2_notebook_complex");
    for (const input of [dir, `${dir}/${GOSPER}`, `${dir}/${GOSPER}.metadata`]) {
      const lib = await openInput(input);
      const doc = only(lib);
      expect(doc.metadata.visibleName).toBe("Gosper");
      expect(doc.content.formatVersion).toBe(1);
      expect(doc.pages.map((p) => [p.id.slice(0, 8), p.template, p.missing])).toEqual([
        ["e411a942", "P Dots large", false],
        ["1f1e3cbb", "P Dots large", false],
        ["fcff2a80", "P Dots large", false],
      ]);
      expect(await strokeCount(lib, doc, 0)).toBe(219);
      expect(await strokeCount(lib, doc, 1)).toBe(230);
      expect(await strokeCount(lib, doc, 2)).toBe(1123);
    }
  });

  test("rm2pdf bundle folder: 4 documents, stray files ignored, layer names, inserted page", async () => {
    const lib = await openInput(sample("rm2pdf__testfiles"));
    expect(lib.errors).toEqual([]);
    const names = lib.documents.map((d) => d.metadata.visibleName).sort();
    expect(names).toEqual(["horizontal", "insert-pages", "toolbox", "tpl"]);
    const tpl = lib.document("cc8313bb-5fab-4ab5-af39-46e6d4160df3");
    expect(tpl?.pages.map((p) => p.layerNames)).toEqual([
      ["Layer 1", "Layer 2 is empty"],
      ["Layer 1", "Layer 2"],
    ]);
    const inserted = lib.document("fbe9f971-03ba-4c21-a0e8-78dd921f9c4c");
    expect(inserted?.pages.map((p) => p.sourcePage)).toEqual([0, -1, 1]);
    const toolbox = lib.document("d34df12d-e72b-4939-a791-5b34b3a810e7");
    expect(toolbox?.content.fileType).toBe("notebook");
    expect(toolbox?.pages[0]?.sourcePage).toBeNull();
    if (toolbox) expect(await strokeCount(lib, toolbox, 0)).toBe(459);
  });

  test("rm2pdf version3.zip: cPages order, inserted blank page with sourcePage -1, v6 pages", async () => {
    const lib = await openInput(sample("rm2pdf__testfiles/version3.zip"));
    const doc = only(lib);
    expect(doc.content.formatVersion).toBe(2);
    expect(doc.content.fileType).toBe("pdf");
    expect(doc.pages.map((p) => [p.id.slice(0, 8), p.sourcePage, p.missing])).toEqual([
      ["2f1872fd", 0, false],
      ["c1e80e7d", -1, false],
    ]);
    expect(doc.pdfPath).toBe("701cdc43-04aa-410c-bc6f-3c773105a74d.pdf");
    expect(await pageVersion(lib, doc, 0)).toBe(6);
    expect(doc.metadata.visibleName).toBe("tmp");
  });

  test("horizontal_rmapi.zip: landscape PDF, second page has no .rm", async () => {
    const doc = only(await openInput(sample("rm2pdf__testfiles/horizontal_rmapi.zip")));
    expect(doc.content.orientation).toBe("landscape");
    expect(doc.pages.map((p) => [p.sourcePage, p.missing])).toEqual([
      [0, false],
      [1, true],
    ]);
    expect(doc.metadata.lastModified).toBe(1662729351781);
  });

  test("no-metadata.zip: name from the archive, page uuid listed but file named 0.rm", async () => {
    const lib = await openInput(sample("rm2pdf__testfiles/no-metadata.zip"));
    const doc = only(lib);
    expect(doc.metadata.visibleName).toBe("no-metadata");
    expect(doc.metadata.type).toBe("DocumentType");
    expect(doc.pages.map((p) => [p.id, p.rmPath])).toEqual([["100b1c2a-e8f4-402b-9966-94a10c7ac39c", "ddae88d1-7514-43b6-b7de-dcdd18eeb69a/0.rm"]]);
    expect(doc.pages[0]?.layerNames).toEqual(["Layer 1"]);
    expect(doc.warnings.some((w) => w.includes(".metadata"))).toBe(true);
    expect(await strokeCount(lib, doc, 0)).toBe(25);
  });

  test("rmapi archive_test.zip: doubled slashes, no page ids, fileType '' → notebook, v3 page", async () => {
    const lib = await openInput(sample("rmapi__archive_test.zip"));
    const doc = only(lib);
    expect(lib.source.list()).toContain("384327f5-133e-49c8-82ff-30aa19f3cfa4/0.rm");
    expect(doc.content.fileType).toBe("notebook");
    expect(doc.pages).toEqual([
      {
        id: "0",
        index: 0,
        template: "P Dots S",
        sourcePage: null,
        rmPath: "384327f5-133e-49c8-82ff-30aa19f3cfa4/0.rm",
        layerNames: ["Layer 1"],
        highlights: [],
        missing: false,
      },
    ]);
    expect(await pageVersion(lib, doc, 0)).toBe(3);
    expect(await strokeCount(lib, doc, 0)).toBe(55);
  });

  test("rmapi cloud_test.zip: minimal PDF upload with no page list has the PDF's pages", async () => {
    const doc = only(await openInput(sample("rmapi__cloud_test.zip")));
    expect(doc.content.fileType).toBe("pdf");
    expect(doc.pages.map((p) => [p.id, p.sourcePage, p.missing])).toEqual([["0", 0, true]]);
    expect(doc.pdfPath).toBe("883ba04f-606c-41b7-8903-8d113356850f.pdf");
    expect(doc.warnings.some((w) => w.includes("no page list"))).toBe(false);
  });

  test("lines-are-rusty zip: one v5 page, 445 strokes, template from .pagedata", async () => {
    const lib = await openInput(sample("lines-are-rusty__test_rm_notebook.zip"));
    const doc = only(lib);
    expect(doc.pages.map((p) => [p.template, p.rmPath?.endsWith("/0.rm"), p.layerNames])).toEqual([["P Grid medium", true, ["Layer 1"]]]);
    expect(await strokeCount(lib, doc, 0)).toBe(445);
  });

  test("rmapi annotation zips: one-page PDFs with the PDF and a v5 page", async () => {
    for (const name of ["a3", "a4", "a5", "letter", "rm"]) {
      const lib = await openInput(sample(`rmapi__annotations_testfiles_${name}.zip`));
      const doc = only(lib);
      expect(doc.content.fileType).toBe("pdf");
      expect(doc.pdfPath).toBeDefined();
      expect(doc.pages).toHaveLength(1);
      expect(doc.pages[0]?.sourcePage).toBe(0);
      expect(await pageVersion(lib, doc, 0)).toBe(5);
    }
  });
});
