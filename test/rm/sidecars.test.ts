import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { RmFormatError } from "../../src/rm/errors.ts";
import { parseHighlightsJson } from "../../src/rm/highlights-json.ts";
import { parseLayerNames } from "../../src/rm/layer-names.ts";
import { describeSamples, sample } from "../support/samples.ts";

describe("-metadata.json layer names", () => {
  test("names in order; unnamed layers become empty strings", () => {
    expect(parseLayerNames('{"layers":[{"name":"Layer 1"},{"name":"Sketch"},{},{"name":3}]}', "p-metadata.json")).toEqual(["Layer 1", "Sketch", "", ""]);
    expect(parseLayerNames("{}", "p-metadata.json")).toEqual([]);
  });

  test("bad JSON → bad_json naming the file", () => {
    expect(() => parseLayerNames("{oops", "doc/p-metadata.json")).toThrow(RmFormatError);
    try {
      parseLayerNames("{oops", "doc/p-metadata.json");
    } catch (e) {
      expect((e as RmFormatError).file).toBe("doc/p-metadata.json");
      expect((e as RmFormatError).code).toBe("bad_json");
    }
  });
});

describeSamples("-metadata.json samples", () => {
  test('rm2pdf cc8313bb: "Layer 2 is empty"', () => {
    const path = sample("rm2pdf__testfiles/cc8313bb-5fab-4ab5-af39-46e6d4160df3/da7f9a41-c2b2-4cbc-9c1b-5a20b5d54224-metadata.json");
    expect(parseLayerNames(readFileSync(path), path)).toEqual(["Layer 1", "Layer 2 is empty"]);
  });
});

describe(".highlights/<page>.json (fw 2.x)", () => {
  const json = JSON.stringify({
    highlights: [
      [
        { text: "first line of", color: 3, start: 100, length: 13, rects: [{ x: 10, y: 20, width: 300, height: 18 }] },
        { text: "a passage", color: 3, start: 114, length: 9, rects: [{ x: 10, y: 40, width: 120, height: 18 }] },
      ],
      [{ text: "second", rects: [{ x: 1, y: 2, width: 3, height: 4 }, { x: "bad" }] }],
      [],
    ],
  });

  test("one Highlight per inner list, fragments merged", () => {
    const hs = parseHighlightsJson(json, "d.highlights/p1.json", "p1");
    expect(hs).toEqual([
      {
        kind: "highlight",
        id: "p1/h0",
        color: 3,
        text: "first line of a passage",
        start: 100,
        length: 23,
        rects: [
          { x: 10, y: 20, w: 300, h: 18 },
          { x: 10, y: 40, w: 120, h: 18 },
        ],
      },
      { kind: "highlight", id: "p1/h1", color: 3, text: "second", rects: [{ x: 1, y: 2, w: 3, h: 4 }] },
    ]);
  });

  test("missing highlights key → none; bad JSON → bad_json", () => {
    expect(parseHighlightsJson("{}", "h.json", "p")).toEqual([]);
    expect(() => parseHighlightsJson("nope", "h.json", "p")).toThrow(RmFormatError);
  });
});
