// Every .rm sample renders to a well-formed SVG with one stroke element per drawn stroke.
import { expect, test } from "bun:test";
import { Resvg } from "@resvg/resvg-wasm";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { initPng } from "../../src/render/png.ts";
import { renderSvg } from "../../src/render/svg.ts";
import { describeSamples, SAMPLES_DIR } from "../support/samples.ts";
import { checkXml, drawnStrokeCount, loadSample } from "./fixtures.ts";

function rmFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...rmFiles(p));
    else if (name.endsWith(".rm")) out.push(relative(SAMPLES_DIR, p));
  }
  return out.sort();
}

/** Drawn stroke counts stated in samples/INDEX.md (and checked against the parser's output). */
const KNOWN: Record<string, number> = {
  "rmscene__Lines_v2.rm": 10,
  "rmc__writing_tools.rm": 116,
  "rmc__erasers.rm": 288,
  "scrybble-rmc__more_anchoring.rm": 569,
  "rmc__extended.stroke.rm": 34,
  "rmapi__encoding_rm_test_v5.rm": 16,
  "rmscene__With_SceneInfo_Block.rm": 13,
};

describeSamples("SVG of every .rm sample", () => {
  const files = rmFiles(SAMPLES_DIR);

  test("the corpus is there", () => {
    expect(files.length).toBeGreaterThan(30);
  });

  for (const file of files) {
    test(file, async () => {
      const page = loadSample(file);
      const svg = renderSvg(page);
      expect(checkXml(svg)).toBeNull();
      expect(svg).not.toMatch(/NaN|Infinity/);
      const strokes = (svg.match(/class="stroke /g) ?? []).length;
      expect(strokes).toBe(drawnStrokeCount(page));
      if (KNOWN[file] !== undefined) expect(strokes).toBe(KNOWN[file]!);
      await initPng();
      const r = new Resvg(svg);
      expect(r.width).toBeGreaterThan(0);
      r.free();
    });
  }

  test("ink outside the page extends the view (rmc__extended.stroke.rm reaches y 7776)", () => {
    const svg = renderSvg(loadSample("rmc__extended.stroke.rm"));
    const [x, y, w, h] = /viewBox="([^"]+)"/.exec(svg)![1]!.split(" ").map(Number);
    expect(x!).toBeLessThan(-936);
    expect(y!).toBeLessThanOrEqual(0);
    expect(x! + w!).toBeGreaterThan(1277);
    expect(y! + h!).toBeGreaterThan(7776);
  });

  test("v3 eraser strokes (tools 6 and 8) are not drawn", () => {
    const file = "lucasrla-remarks__tests_in/v2_notebook_complex/bce041cf-ce31-4ede-ad11-2e53db0f6c77/fcff2a80-6e4c-4b3d-b881-a2814b24104e.rm";
    const page = loadSample(file);
    const svg = renderSvg(page);
    // 1,086 ballpoints + 3 brushes; 19 erasers and 15 erase-area records skipped.
    expect((svg.match(/class="stroke /g) ?? []).length).toBe(1089);
    expect(svg).not.toContain("pen-eraser");
    expect(svg).not.toContain("pen-erase-area");
  });
});
