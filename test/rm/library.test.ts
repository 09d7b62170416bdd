import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { zipSync } from "fflate";
import { openFolderSource } from "../../src/rm/container/folder-source.ts";
import { openInput, openLibrary } from "../../src/rm/container/library.ts";
import { openZipSource } from "../../src/rm/container/zip-source.ts";
import { RmFormatError } from "../../src/rm/errors.ts";
import { buildV3V5 } from "./build-v3v5.ts";

const ROOT = mkdtempSync(join(tmpdir(), "rmirror-lib-"));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

let dirCount = 0;
/** Write a folder of files; returns its path. */
function folder(files: Record<string, string | Uint8Array>): string {
  const dir = join(ROOT, `case-${++dirCount}`);
  mkdirSync(dir);
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

/** A uuid-shaped id from a small number, for readable tests. */
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const meta = (visibleName: string, parent = "", extra: object = {}) =>
  JSON.stringify({ visibleName, parent, type: "DocumentType", lastModified: "1700000000000", ...extra });
const folderMeta = (visibleName: string, parent = "", extra: object = {}) => meta(visibleName, parent, { type: "CollectionType", ...extra });
const reg = (value: unknown) => ({ timestamp: "1:1", value });
const PAGE = buildV3V5(5, [[{ points: [[1, 2, 0, 0, 2, 0.5]] }]]);

describe("folder hierarchy, trash and deletion", () => {
  test("folder paths, trash, deleted items, unknown parents and cycles", async () => {
    const dir = folder({
      [`${U(1)}.metadata`]: folderMeta("Work"),
      [`${U(1)}.content`]: "{}",
      [`${U(2)}.metadata`]: folderMeta("Projects", U(1)),
      [`${U(3)}.metadata`]: meta("Plan", U(2)),
      [`${U(4)}.metadata`]: meta("Binned", "trash"),
      [`${U(5)}.metadata`]: folderMeta("Old", "trash"),
      [`${U(6)}.metadata`]: meta("In old folder", U(5)),
      [`${U(7)}.metadata`]: meta("Deleted", "", { deleted: true }),
      [`${U(8)}.metadata`]: folderMeta("Deleted folder", "", { deleted: true }),
      [`${U(9)}.metadata`]: meta("Child of deleted folder", U(8)),
      [`${U(10)}.metadata`]: folderMeta("Loop A", U(11)),
      [`${U(11)}.metadata`]: folderMeta("Loop B", U(10)),
      [`${U(12)}.metadata`]: meta("In a loop", U(10)),
      [`${U(13)}.metadata`]: meta("Orphan", U(99)),
      [`${U(14)}.metadata`]: meta("Template", "", { type: "TemplateType" }),
    });
    const lib = await openInput(dir);
    expect(lib.errors).toEqual([]);
    expect(lib.documents.map((d) => d.metadata.visibleName).sort()).toEqual(["Binned", "Child of deleted folder", "In a loop", "In old folder", "Orphan", "Plan"]);
    expect(lib.folders.map((f) => f.metadata.visibleName).sort()).toEqual(["Loop A", "Loop B", "Old", "Projects", "Work"]);
    expect(lib.folderPath(U(3))).toEqual(["Work", "Projects"]);
    expect(lib.folderPath(U(2))).toEqual(["Work"]);
    expect(lib.inTrash(U(3))).toBe(false);
    expect(lib.inTrash(U(4))).toBe(true);
    expect(lib.folderPath(U(4))).toEqual([]);
    expect(lib.inTrash(U(6))).toBe(true);
    expect(lib.folderPath(U(6))).toEqual(["Old"]);
    expect(lib.folderPath(U(9))).toEqual([]);
    expect(lib.folderPath(U(12))).toEqual(["Loop B", "Loop A"]);
    expect(lib.folderPath(U(13))).toEqual([]);
    expect(lib.folderPath("not-an-item")).toEqual([]);
    expect(lib.document(U(7))).toBeUndefined();
  });
});

describe("documents", () => {
  test("page list drives everything: missing pages, orphans, layer names, highlights, warnings", async () => {
    const id = U(20);
    const dir = folder({
      [`${id}.metadata`]: meta("Doc"),
      [`${id}.content`]: JSON.stringify({
        fileType: "pdf",
        formatVersion: 2,
        cPages: {
          pages: [
            { id: "p-b", idx: reg("bb"), redir: reg(1) },
            { id: "p-gone", idx: reg("b0"), deleted: reg(1) },
            { id: "p-a", idx: reg("ba"), redir: reg(0), template: reg("P Grid") },
            { id: "p-new", idx: reg("bza") },
          ],
        },
      }),
      [`${id}.pdf`]: "%PDF-1.4",
      [`${id}/p-a.rm`]: PAGE,
      [`${id}/p-a-metadata.json`]: '{"layers":[{"name":"Ink"}]}',
      [`${id}/p-b.rm`]: PAGE,
      [`${id}/p-b-metadata.json`]: "{broken",
      [`${id}/p-gone.rm`]: PAGE,
      [`${id}/orphan.rm`]: PAGE,
      [`${id}.highlights/p-b.json`]: JSON.stringify({ highlights: [[{ text: "hi", color: 4, rects: [{ x: 1, y: 2, width: 3, height: 4 }] }]] }),
      [`${id}.thumbnails/p-a.jpg`]: "jpg",
    });
    const lib = await openInput(dir);
    expect(lib.errors).toEqual([]);
    const doc = lib.document(id);
    expect(doc?.pages.map((p) => [p.id, p.index, p.template, p.sourcePage, p.missing])).toEqual([
      ["p-a", 0, "P Grid", 0, false],
      ["p-b", 1, "Blank", 1, false],
      ["p-new", 2, "Blank", -1, true],
    ]);
    expect(doc?.pages[0]?.layerNames).toEqual(["Ink"]);
    expect(doc?.pages[1]?.layerNames).toBeUndefined();
    expect(doc?.pages[1]?.highlights.map((h) => [h.text, h.color])).toEqual([["hi", 4]]);
    expect(doc?.pdfPath).toBe(`${id}.pdf`);
    expect(doc?.warnings.some((w) => w.includes("p-b-metadata.json ignored"))).toBe(true);
    expect(doc?.warnings.some((w) => w.includes("2 .rm file(s) not in the page list"))).toBe(true);
    expect(lib.source.list().some((p) => p.includes(".thumbnails"))).toBe(false);
    const first = doc?.pages[0];
    expect(first ? await lib.readPage(first) : undefined).toEqual(PAGE);
    const last = doc?.pages[2];
    expect(last ? await lib.readPage(last) : "x").toBeUndefined();
  });

  test("one bad document does not stop the others; errors name the item and file", async () => {
    const dir = folder({
      [`${U(30)}.metadata`]: meta("Good"),
      [`${U(30)}.content`]: '{"fileType":"notebook","pages":["a"]}',
      [`${U(31)}.metadata`]: meta("Bad content"),
      [`${U(31)}.content`]: '{"pages": [',
      [`${U(32)}.metadata`]: "not json",
    });
    const lib = await openInput(dir);
    expect(lib.documents.map((d) => d.metadata.visibleName)).toEqual(["Good"]);
    const errors = lib.errors.map((e) => [e.uuid, e.error.code, e.error.file]).sort();
    expect(errors).toEqual([
      [U(31), "bad_json", `${U(31)}.content`],
      [U(32), "bad_json", `${U(32)}.metadata`],
    ]);
  });

  test("desktop cache without page data: pages listed and marked missing", async () => {
    const id = U(40);
    const dir = folder({
      [`${id}.metadata`]: meta("Not downloaded"),
      [`${id}.content`]: JSON.stringify({ fileType: "notebook", pages: ["x", "y"] }),
    });
    const doc = (await openInput(dir)).document(id);
    expect(doc?.pages.map((p) => p.missing)).toEqual([true, true]);
  });

  test("a .content without .metadata is still an item (old cloud zips)", async () => {
    const id = U(41);
    const lib = await openInput(folder({ [`${id}.content`]: '{"fileType":"","pageCount":1}', [`${id}/0.rm`]: PAGE }));
    expect(lib.documents[0]?.metadata.visibleName).toBe(id);
    expect(lib.documents[0]?.pages[0]?.rmPath).toBe(`${id}/0.rm`);
  });

  test("no page ids and no pageCount: pages from the N.rm files present", async () => {
    const id = U(42);
    const lib = await openInput(folder({ [`${id}.content`]: "{}", [`${id}/0.rm`]: PAGE, [`${id}/2.rm`]: PAGE }));
    expect(lib.documents[0]?.pages.map((p) => [p.id, p.missing])).toEqual([
      ["0", false],
      ["1", true],
      ["2", false],
    ]);
  });

  test("formatVersion 2 documents do not fall back to index-named files", async () => {
    const id = U(43);
    const dir = folder({
      [`${id}.metadata`]: meta("fv2"),
      [`${id}.content`]: JSON.stringify({ formatVersion: 2, cPages: { pages: [{ id: "only", idx: reg("ba") }] } }),
      [`${id}/0.rm`]: PAGE,
    });
    expect((await openInput(dir)).documents[0]?.pages[0]?.missing).toBe(true);
  });
});

describe("archives and inputs", () => {
  test(".rmdoc with leading-slash names opens like a folder", async () => {
    const id = U(50);
    const enc = (s: string) => new TextEncoder().encode(s);
    const zip = zipSync({
      [`/${id}.metadata`]: enc(meta("Exported")),
      [`/${id}.content`]: enc(JSON.stringify({ fileType: "notebook", formatVersion: 2, cPages: { pages: [{ id: "p1", idx: reg("ba") }] } })),
      [`/${id}/p1.rm`]: PAGE,
    });
    const path = join(folder({}), "Exported.rmdoc");
    writeFileSync(path, zip);
    const lib = await openInput(path);
    expect(lib.errors).toEqual([]);
    expect(lib.documents[0]?.metadata.visibleName).toBe("Exported");
    const page = lib.documents[0]?.pages[0];
    expect(page?.rmPath).toBe(`${id}/p1.rm`);
    expect(page ? await lib.readPage(page) : undefined).toEqual(PAGE);
  });

  test("a zip without a zip extension is detected by its signature", async () => {
    const id = U(51);
    const path = join(folder({}), "download.bin");
    writeFileSync(path, zipSync({ [`${id}.content`]: new TextEncoder().encode("{}") }));
    const lib = await openInput(path);
    expect(lib.documents[0]?.metadata.visibleName).toBe("download");
  });

  test("openLibrary works over any FileSource (zip in memory, folder)", async () => {
    const id = U(52);
    const zip = zipSync({ [`${id}.metadata`]: new TextEncoder().encode(meta("Mem")) });
    const lib = await openLibrary(openZipSource(zip, "mem.zip"));
    expect(lib.documents[0]?.pages).toEqual([]);
    const dir = folder({ [`${id}.metadata`]: meta("Disk") });
    expect((await openLibrary(await openFolderSource(dir))).documents[0]?.metadata.visibleName).toBe("Disk");
  });

  test("unusable inputs are typed errors", async () => {
    const dir = folder({ "page.rm": PAGE, "empty/readme.txt": "hi" });
    const cases: Array<[string, string]> = [
      [join(dir, "nope"), "not_found"],
      [join(dir, "page.rm"), "bad_container"],
      [join(dir, "empty"), "not_found"],
    ];
    for (const [path, code] of cases) {
      try {
        await openInput(path);
        throw new Error(`${path} opened`);
      } catch (e) {
        expect(e).toBeInstanceOf(RmFormatError);
        expect((e as RmFormatError).code).toBe(code as RmFormatError["code"]);
      }
    }
  });

  test("a corrupt .zip is a bad_container error", async () => {
    const path = join(folder({}), "broken.zip");
    writeFileSync(path, "PK\x03\x04 definitely not a complete archive");
    await expect(openInput(path)).rejects.toMatchObject({ code: "bad_container" });
  });

  test("folder source refuses paths that escape its root and honours maxBytes", async () => {
    const dir = folder({ "a.json": "x".repeat(50) });
    const src = await openFolderSource(join(dir));
    expect(await src.read("../a.json")).toBeUndefined();
    expect(await src.read("/etc/passwd")).toBeUndefined();
    await expect(src.read("a.json", 10)).rejects.toMatchObject({ code: "too_large" });
    expect((await src.read("a.json"))?.length).toBe(50);
  });
});
