// Small hand-made pages for renderer tests.

import { readFileSync } from "node:fs";
import {
  type Group,
  type Highlight,
  type Page,
  type Paragraph,
  type Point,
  type SceneItem,
  type Stroke,
  ParagraphStyle,
} from "../../src/rm/model.ts";
import { parsePage } from "../../src/rm/page.ts";
import { penFor } from "../../src/render/pens.ts";
import { sample } from "../support/samples.ts";

export function pt(x: number, y: number, extra: Partial<Point> = {}): Point {
  return { x, y, speed: 0, direction: 0, width: 3, pressure: 0.5, ...extra };
}

export function stroke(points: Point[], extra: Partial<Stroke> = {}): Stroke {
  return { kind: "stroke", id: `s${Math.random()}`, tool: 15, color: 0, thickness: 2, startingLength: 0, points, ...extra };
}

export function layer(children: SceneItem[], extra: Partial<Group> = {}): Group {
  return { kind: "group", id: "0:11", label: "Layer 1", visible: true, children, ...extra };
}

export function para(text: string, style: number = ParagraphStyle.PLAIN, startId = "0:0"): Paragraph {
  return { style, startId, spans: [{ text, bold: false, italic: false }] };
}

export function highlight(text: string, rects: Highlight["rects"], extra: Partial<Highlight> = {}): Highlight {
  return { kind: "highlight", id: `h${Math.random()}`, color: 3, text, rects, ...extra };
}

export function page(layers: Group[], extra: Partial<Page> = {}): Page {
  return {
    version: 6,
    frame: "centered",
    box: { x: -702, y: 0, w: 1404, h: 1872 },
    device: "rm2",
    layers,
    stats: { blocks: 0, unknownBlocks: 0, deletedItems: 0, skippedBytes: 0 },
    ...extra,
  };
}

export function loadSample(name: string): Page {
  return parsePage(new Uint8Array(readFileSync(sample(name))), name, { lenient: true });
}

/** Strokes a renderer should draw: visible layers/groups, drawn tools, at least one point. */
export function drawnStrokeCount(p: Page): number {
  let n = 0;
  const visit = (g: Group, depth: number) => {
    if (depth > 64) return;
    for (const c of g.children) {
      if (c.kind === "group") {
        if (c.visible) visit(c, depth + 1);
      } else if (c.kind === "stroke" && penFor(c.tool).drawn && c.points.length > 0) n++;
    }
  };
  for (const l of p.layers) if (l.visible) visit(l, 0);
  return n;
}

/** Minimal XML well-formedness check: balanced tags, quoted attributes, no stray '<' or '&'. */
export function checkXml(xml: string): string | null {
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|#39|#\d+|#x[0-9a-fA-F]+);)/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(xml))) {
    if (m[0] === "<") return `stray '<' at ${m.index}`;
    if (m[0].startsWith("&")) return `bare '&' at ${m.index}`;
    last = re.lastIndex;
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return `mismatched </${name}> at ${m.index}`;
    } else stack.push(name!);
  }
  if (stack.length) return `unclosed <${stack[stack.length - 1]}>`;
  if (last !== xml.length) return "trailing content";
  return null;
}
