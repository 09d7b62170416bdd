import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { RmFormatError } from "../../src/rm/errors.ts";
import { LIMITS } from "../../src/rm/limits.ts";
import { parseMetadata } from "../../src/rm/metadata.ts";
import { describeSamples, sample } from "../support/samples.ts";

function rejects(fn: () => unknown): RmFormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RmFormatError) return e;
    throw e;
  }
  throw new Error("expected an RmFormatError");
}

describe("parseMetadata", () => {
  test("reads a 3.x metadata file; timestamps are strings of ms", () => {
    const m = parseMetadata(
      JSON.stringify({
        visibleName: "Notes: a/b",
        type: "CollectionType",
        parent: "trash",
        deleted: false,
        pinned: true,
        lastModified: "1743202784037",
        lastOpened: "0",
        lastOpenedPage: 4,
        createdTime: "1700000000000",
        version: 0,
        new: false,
        source: "",
        somethingNew: { nested: [1, 2] },
      }),
      "a.metadata",
    );
    expect(m).toEqual({
      visibleName: "Notes: a/b",
      type: "CollectionType",
      parent: "trash",
      deleted: false,
      pinned: true,
      lastModified: 1743202784037,
      lastOpened: 0,
      lastOpenedPage: 4,
      createdTime: 1700000000000,
      version: 0,
    });
  });

  test("tolerates nulls, missing keys, numbers for timestamps and unknown types", () => {
    const m = parseMetadata('{"deleted": null, "parent": null, "lastModified": 1577575039277, "type": "Weird", "synced": null}', "b.metadata");
    expect(m).toMatchObject({ visibleName: "", type: "DocumentType", parent: "", deleted: false, lastModified: 1577575039277, lastOpened: 0 });
    expect(parseMetadata("{}", "c.metadata").type).toBe("DocumentType");
  });

  test("19-digit nanosecond timestamps are brought back to ms", () => {
    expect(parseMetadata('{"lastModified":"1662729351781575992"}', "d.metadata").lastModified).toBe(1662729351781);
  });

  test("accepts bytes with a UTF-8 BOM", () => {
    const bytes = new TextEncoder().encode('\uFEFF{"visibleName":"Bücher ✓"}');
    expect(parseMetadata(bytes, "e.metadata").visibleName).toBe("Bücher ✓");
  });

  test("bad JSON → bad_json naming the file", () => {
    for (const text of ["{", "", "e724bba2-266f-434d-aaf2-935d2b405aee.metadata", "[1,2]", "null"]) {
      const e = rejects(() => parseMetadata(text, "x/broken.metadata"));
      expect([e.code, e.file]).toEqual(["bad_json", "x/broken.metadata"]);
    }
  });

  test("JSON over LIMITS.maxJsonBytes is rejected before parsing", () => {
    const big = new Uint8Array(LIMITS.maxJsonBytes + 1);
    const e = rejects(() => parseMetadata(big, "big.metadata"));
    expect([e.code, e.file]).toEqual(["too_large", "big.metadata"]);
  });
});

describeSamples("parseMetadata on samples", () => {
  test("lucasrla demo (fw 2.x): document with a folder parent", () => {
    const path = sample("lucasrla-remarks__demo_xochitl/d3954b55-8429-4220-a2d5-64f1daab9727.metadata");
    const m = parseMetadata(readFileSync(path), path);
    expect(m.type).toBe("DocumentType");
    expect(m.parent).toBe("44c5487f-81e3-4765-856a-c3b41630b4a5");
    expect(m.lastModified).toBe(1606670817393);
    expect(m.lastOpenedPage).toBe(1);
    expect(m.version).toBe(4);
    expect(m.visibleName.startsWith("1936 On Computable Numbers")).toBe(true);
  });
});
