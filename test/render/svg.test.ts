import { describe, expect, test } from "bun:test";
import { Resvg } from "@resvg/resvg-wasm";
import { ANCHOR_TOP, ParagraphStyle, type TextDoc } from "../../src/rm/model.ts";
import { xmlEscape } from "../../src/render/escape.ts";
import { initPng } from "../../src/render/png.ts";
import { buildScene } from "../../src/render/scene.ts";
import { renderSvg } from "../../src/render/svg.ts";
import { layoutText } from "../../src/render/text-layout.ts";
import { checkXml, highlight, layer, page, para, pt, stroke } from "./fixtures.ts";


function textDoc(paragraphs: TextDoc["paragraphs"], anchors: Array<[string, number]> = []): TextDoc {
  return { posX: -468, posY: 234, width: 936, paragraphs, anchors: new Map(anchors), anchorOffsets: new Map() };
}

const HOSTILE = `<script>alert(1)</script> ]]> & "quotes" 'apos' \u0000\u0007 \uD800 <![CDATA[x]]>`;

describe("escaping", () => {
  test("xmlEscape handles markup, quotes and characters XML cannot carry", () => {
    expect(xmlEscape(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    expect(xmlEscape("a\u0000b\uD800c")).toBe("a\uFFFDb\uFFFDc");
    expect(xmlEscape("😀")).toBe("😀");
  });

  test("hostile typed text and layer names come out escaped and the SVG stays well-formed", async () => {
    const p = page([layer([stroke([pt(0, 300), pt(100, 400)])], { label: HOSTILE })], {
      text: textDoc([
        para(HOSTILE, ParagraphStyle.HEADING),
        { style: ParagraphStyle.BULLET, startId: "1:1", spans: [{ text: "</text><script>x</script>", bold: true, italic: true }] },
      ]),
    });
    const svg = renderSvg(p);
    expect(svg).not.toContain("<script");
    expect(svg).not.toContain("]]>");
    expect(svg).not.toContain("\u0000");
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(svg).toContain("]]&gt;");
    expect(checkXml(svg)).toBeNull();
    await initPng();
    const r = new Resvg(svg);
    expect(r.width).toBeGreaterThan(0);
    r.free();
  });
});

describe("renderSvg", () => {
  test("one element with class 'stroke' per drawn stroke; erasers skipped; hidden layers skipped", () => {
    const p = page([
      layer([
        stroke([pt(0, 100), pt(50, 150), pt(90, 120)]),
        stroke([pt(0, 200), pt(50, 250)], { tool: 6 }),
        stroke([pt(10, 10)]),
        stroke(Array.from({ length: 30 }, (_, i) => pt(i * 5, 300 + i, { width: 2 + i * 0.3 })), { tool: 12 }),
      ]),
      layer([stroke([pt(0, 500), pt(50, 550)])], { id: "0:12", label: "Hidden", visible: false }),
    ]);
    const svg = renderSvg(p);
    expect(svg.match(/class="stroke /g)).toHaveLength(3);
    expect(svg).toContain("pen-brush");
    expect(svg).not.toContain("pen-eraser");
    expect(svg).not.toContain("Hidden");
    expect(svg).toContain('h0.1"'); // the single-point dot
    expect(checkXml(svg)).toBeNull();
  });

  test("viewBox is the page box, extended by ink outside it", () => {
    const inside = renderSvg(page([layer([stroke([pt(0, 100), pt(10, 110)])])]));
    expect(inside).toContain('viewBox="-702 0 1404 1872"');
    const outside = renderSvg(page([layer([stroke([pt(-900, -100, { width: 4 }), pt(900, 2300, { width: 4 })], { tool: 17, thickness: 2 })])]));
    const vb = /viewBox="([^"]+)"/.exec(outside)![1]!.split(" ").map(Number);
    expect(vb[0]).toBeLessThanOrEqual(-901);
    expect(vb[1]).toBeLessThanOrEqual(-101);
    expect(vb[0]! + vb[2]!).toBeGreaterThanOrEqual(901);
    expect(vb[1]! + vb[3]!).toBeGreaterThanOrEqual(2301);
    // physical size: 72/226 pt per unit on rm2
    expect(inside).toContain('width="447.29pt"');
    expect(renderSvg(page([]), { extend: false })).toContain('viewBox="-702 0 1404 1872"');
  });

  test("non-finite coordinates never reach the output", () => {
    const svg = renderSvg(page([layer([stroke([pt(Number.NaN, 1), pt(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), pt(1e308, 5)])])]));
    expect(svg).not.toMatch(/NaN|Infinity|e\+/);
    expect(checkXml(svg)).toBeNull();
  });

  test("anchored groups are translated to their anchor (origin x, line y)", () => {
    const anchored = {
      kind: "group" as const,
      id: "1:50",
      label: "",
      visible: true,
      anchor: { id: ANCHOR_TOP, type: 2, threshold: 35.7, originX: -464 },
      children: [stroke([pt(0, 0), pt(10, 0)])],
    };
    const p = page([layer([anchored])], { text: textDoc([para("Title", ParagraphStyle.HEADING)]) });
    const scene = buildScene(p);
    const item = scene.items[0]!;
    expect(item.dx).toBe(-464);
    // A heading's first baseline is posY + 50.8 on the tablet; anchors sit 0.4 below it.
    expect(item.dy).toBeCloseTo(234 + 50.8 + 0.4, 1);
    expect(renderSvg(p)).toContain('d="M-4640 2852 -4540 2852"'); // tenths of a unit
  });

  test("char anchors resolve to the paragraph's line", () => {
    const text = textDoc(
      [para("First", ParagraphStyle.PLAIN), para("Second", ParagraphStyle.PLAIN, "1:6")],
      [["1:1", 0], ["1:2", 0], ["1:6", 0], ["1:7", 1], ["1:8", 1]],
    );
    const group = (id: string) => ({
      kind: "group" as const,
      id: `g${id}`,
      label: "",
      visible: true,
      anchor: { id, type: 2, threshold: 0, originX: -400 },
      children: [stroke([pt(0, 0), pt(1, 1)])],
    });
    const scene = buildScene(page([layer([group("1:1"), group("1:8")])], { text }));
    const [a, b] = scene.items;
    expect(b!.dy - a!.dy).toBeCloseTo(69.5, 1);
  });

  test("typed text: headings, bold, bullets, numbers, checkboxes, inline styles", () => {
    const text = textDoc([
      para("Heading", ParagraphStyle.HEADING),
      para("Bold para", ParagraphStyle.BOLD),
      para("Bullet", ParagraphStyle.BULLET),
      para("Sub bullet", ParagraphStyle.BULLET2),
      para("One", ParagraphStyle.NUMBERED),
      para("Two", ParagraphStyle.NUMBERED),
      para("Todo", ParagraphStyle.CHECKBOX),
      para("Done", ParagraphStyle.CHECKBOX_CHECKED),
      { style: ParagraphStyle.PLAIN, startId: "1:9", spans: [{ text: "plain ", bold: false, italic: false }, { text: "bi", bold: true, italic: true }] },
    ]);
    const svg = renderSvg(page([], { text }));
    expect(svg).toContain(">Heading</tspan>");
    expect(svg).toContain('font-weight="bold" font-style="italic">bi</tspan>');
    expect(svg.match(/class="bullet"/g)).toHaveLength(2);
    expect(svg).toContain(">1.</text>");
    expect(svg).toContain(">2.</text>");
    expect(svg.match(/class="checkbox"/g)).toHaveLength(1);
    expect(svg.match(/class="checkbox checked"/g)).toHaveLength(1);
    expect(svg.match(/class="strike"/g)).toHaveLength(1);
    expect(renderSvg(page([], { text }), { text: false })).not.toContain("<text");
    expect(checkXml(svg)).toBeNull();
  });

  test("long paragraphs wrap inside the text box", () => {
    const long = "word ".repeat(80).trim();
    const layout = layoutText(textDoc([para(long)]));
    const lines = layout.paragraphs[0]!.lines;
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.right - layout.posX).toBeLessThanOrEqual(936 + 20);
    expect(lines[1]!.baseline - lines[0]!.baseline).toBeCloseTo(60, 5);
  });

  test("highlights are translucent rectangles; grayscale output has no colour", () => {
    const p = page([layer([highlight("x", [{ x: 0, y: 100, w: 200, h: 30 }], { color: 9, argb: 0xffbeeafe }), stroke([pt(0, 0), pt(5, 5)], { color: 7 })])]);
    const svg = renderSvg(p);
    expect(svg).toContain('class="highlight" fill="#beeafe"');
    expect(svg).toContain('fill-opacity="0.4"');
    const gray = renderSvg(p, { grayscale: true });
    for (const [, hex] of gray.matchAll(/(?:fill|stroke)="#([0-9a-f]{6})"/g)) expect(hex!.slice(0, 2)).toBe(hex!.slice(2, 4));
    expect(renderSvg(p, { highlights: false })).not.toContain("highlight");
  });
});
