// Facts that samples/INDEX.md states about each v6 sample, checked against our parser.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import type { Group, Highlight, Page, Stroke } from "../../src/rm/model.ts";
import { parsePage } from "../../src/rm/page.ts";
import { HAVE_SAMPLES, SAMPLES_DIR, describeSamples, sample } from "../support/samples.ts";

const load = (name: string): Page => parsePage(new Uint8Array(readFileSync(sample(name))), name);

function walk(groups: Group[], visit: (item: Stroke | Highlight, group: Group) => void, onGroup?: (g: Group, depth: number) => void, depth = 0): void {
  for (const g of groups) {
    onGroup?.(g, depth);
    for (const c of g.children) {
      if (c.kind === "group") walk([c], visit, onGroup, depth + 1);
      else visit(c, g);
    }
  }
}
const strokes = (p: Page) => { const s: Stroke[] = []; walk(p.layers, (i) => { if (i.kind === "stroke") s.push(i); }); return s; };
const highlights = (p: Page) => { const s: Highlight[] = []; walk(p.layers, (i) => { if (i.kind === "highlight") s.push(i); }); return s; };
const anchoredGroups = (p: Page) => { let n = 0; walk(p.layers, () => {}, (g, d) => { if (d > 0 && g.anchor) n++; }); return n; };
const paragraphs = (p: Page) => (p.text?.paragraphs ?? []).map((x) => [x.style, x.spans.map((s) => s.text).join("")] as [number, string]);

describeSamples("every .rm sample", () => {
  const files = HAVE_SAMPLES ? readdirSync(SAMPLES_DIR).filter((f) => f.endsWith(".rm")) : [];
  test("all of them parse strictly with no warnings", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const f of files) {
      const p = load(f);
      expect(p.warnings ?? []).toEqual([]);
    }
  });
});

describeSamples("v6 sample facts from INDEX.md", () => {
  test("test-crdt-ordering: a single heading A12_Z", () => {
    expect(paragraphs(load("rmscene__test-crdt-ordering.rm"))).toEqual([[2, "A12_Z"]]);
  });
  test("styled text samples", () => {
    expect(paragraphs(load("rmscene__Bold_Heading_Bullet_Normal.rm"))).toEqual([[3, "A"], [2, "new line"], [4, "B is a letter of the alphabet"], [1, "C"]]);
    expect(paragraphs(load("rmscene__Normal_AB.rm"))).toEqual([[1, "AB"]]);
    const v332 = load("rmscene__Normal_A_stroke_2_layers_v3.3.2.rm").text!.paragraphs;
    expect(v332[2]!.spans).toEqual([
      { text: "Normal ", bold: false, italic: false },
      { text: "bold", bold: true, italic: false },
      { text: " ", bold: false, italic: false },
      { text: "italic", bold: false, italic: true },
    ]);
    expect(paragraphs(load("rmc__abcd.text.rm"))).toEqual([[1, "abc"]]);
    expect(paragraphs(load("rmc__text_multiple_lines.rm")).map((p) => p[1]).join("\n")).toBe("text 1\ntext 2\ntext 3\n        text 4\ntext 5\n\n\ntext 8\n\n\n\n\ntext 13");
  });
  test("keyboard checkboxes and bullets: styles 1,2,3,4,6,7 and a wide text box", () => {
    const p = load("rmc__keyboard-checkboxes-and-bullets.rm");
    const styles = new Set(paragraphs(p).map(([s]) => s));
    for (const s of [1, 2, 3, 4, 6, 7]) expect(styles.has(s)).toBe(true);
    expect(paragraphs(p)[0]).toEqual([2, "This is a text test file"]);
    expect([p.text!.posX, p.text!.width]).toEqual([-576, 1152]);
    expect(p.device).toBe("rmpp");
  });
  test("scrybble text.rm: numbered, nested, checkbox level 2 and inline bold+italic", () => {
    const p = load("scrybble-rmc__text.rm");
    const styles = new Set(paragraphs(p).map(([s]) => s));
    for (const s of [1, 2, 3, 4, 5, 6, 8, 10, 11]) expect(styles.has(s)).toBe(true);
    const spans = p.text!.paragraphs.flatMap((x) => x.spans);
    expect(spans.some((s) => s.bold && s.italic && s.text.includes("bold and italic"))).toBe(true);
  });
  test("layers, names and counts", () => {
    const p = load("rmc__layers.stroke.rm");
    expect(p.layers.map((l) => l.label)).toEqual(["Layer 1", "Layer 2", "Layer 3", "Layer 4"]);
    expect(strokes(p)).toHaveLength(21);
    expect(p.stats.deletedItems).toBe(6);
    expect(load("rmscene__Normal_A_stroke_2_layers.rm").layers).toHaveLength(2);
  });
  test("stroke counts and tools", () => {
    expect(strokes(load("rmc__writing_tools.rm"))).toHaveLength(116);
    const tools = new Set(strokes(load("rmc__writing_tools.rm")).map((s) => s.tool));
    for (const t of [12, 13, 14, 15, 16, 17, 18, 21]) expect(tools.has(t)).toBe(true);
    const erasers = load("rmc__erasers.rm");
    expect(strokes(erasers)).toHaveLength(288);
    expect(new Set(strokes(erasers).map((s) => s.color))).toEqual(new Set([12]));
    expect(erasers.device).toBe("rmpp");
    expect(strokes(load("rmc__abcd.strokes.rm")).map((s) => s.tool)).toEqual([13, 13, 13, 13]);
    expect(strokes(load("rmc__dot.stroke.rm"))[0]!.points).toHaveLength(11);
    expect(strokes(load("rmscene__Lines_v2.rm"))).toHaveLength(10);
    expect(strokes(load("scrybble-rmc__sentinel_bug.rm"))).toHaveLength(1);
  });
  test("anchored groups", () => {
    expect(anchoredGroups(load("rmc__pen_size_test.strokes.rm"))).toBe(23);
    const more = load("scrybble-rmc__more_anchoring.rm");
    expect(strokes(more)).toHaveLength(569);
    expect(anchoredGroups(more)).toBe(21);
    expect(anchoredGroups(load("rmc__writing_tools_with_text.rm"))).toBe(7);
  });
  test("colours: Paper Pro ids, ARGB highlights and shaders", () => {
    const c = load("rmscene__Color_and_tool_v3.14.4.rm");
    const ballpointColours = new Set(strokes(c).filter((s) => s.tool === 15).map((s) => s.color));
    expect(ballpointColours).toEqual(new Set([10, 11])); // INDEX also names 12; the golden dump agrees it is not live
    const hl = highlights(c);
    expect(hl).toHaveLength(6);
    expect(hl.every((h) => h.color === 9 && h.argb !== undefined)).toBe(true);
    expect(new Set(hl.map((h) => h.argb!.toString(16)))).toEqual(new Set(["ffffed75", "ffbeeafe", "fff29eff", "ffffc38c", "ffacff85", "ffc7c7c6"]));
    const shaders = strokes(c).filter((s) => s.tool === 23);
    expect(shaders).toHaveLength(6);
    expect(shaders.every((s) => s.argb === 0x40211e1c)).toBe(true);
    const more = strokes(load("rmscene__More_color_highlight_shader_v3.15.4.2.rm"));
    expect(new Set(more.filter((s) => s.tool === 23).map((s) => s.argb)).size).toBe(8);
    expect(new Set(more.filter((s) => s.tool === 18).map((s) => s.argb)).size).toBe(6);
  });
  test("glyph highlights with start/length (Wikipedia p1/p2)", () => {
    const h1 = highlights(load("rmscene__Wikipedia_highlighted_p1.rm"));
    expect(h1).toHaveLength(4);
    expect(h1[0]!).toMatchObject({ text: "The reMarkable uses electronic paper", start: 821, length: 36, color: 3 });
    expect(new Set(highlights(load("rmscene__Wikipedia_highlighted_p2.rm")).map((h) => h.color))).toEqual(new Set([4, 5]));
  });
  test("page geometry: centred x and ink outside the page", () => {
    const full = strokes(load("rmc__fullpage.rm")).flatMap((s) => s.points);
    const xs = full.map((p) => p.x);
    const ys = full.map((p) => p.y);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-703);
    expect(Math.min(...xs)).toBeLessThan(-690);
    expect(Math.max(...xs)).toBeLessThanOrEqual(702);
    expect(Math.max(...ys)).toBeLessThanOrEqual(1872);
    const ext = strokes(load("rmc__extended.stroke.rm")).flatMap((s) => s.points);
    expect(Math.max(...ext.map((p) => p.y))).toBeGreaterThan(7000);
    expect(Math.min(...ext.map((p) => p.x))).toBeLessThan(-900);
  });
});
