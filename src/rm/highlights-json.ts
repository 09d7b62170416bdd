// fw 2.x "smart highlights": `<uuid>.highlights/<page>.json` (rm-format.md §1.2)
//   {"highlights": [[{text, color, start, length, rects: [{x, y, width, height}]}, …], …]}
// One inner list per highlight, one fragment per text line. Each inner list becomes one
// Highlight (like a v6 glyph range): fragment texts joined by a space, every fragment's rects,
// start = first start, length = span up to the last fragment's end. Rects are in the page's
// top-left frame (the same frame as the v5 strokes of that page).

import { arrayAt, isObject, readJsonObject, stringAt, toNumber, type JsonObject } from "./json-read.ts";
import type { Highlight, Rect } from "./model.ts";

/** Palette id used when a fragment has no colour: 3 = yellow highlighter. */
const DEFAULT_COLOR = 3;

export function parseHighlightsJson(input: Uint8Array | string, file: string, pageId: string): Highlight[] {
  const groups = arrayAt(readJsonObject(input, file), "highlights") ?? [];
  const result: Highlight[] = [];
  groups.forEach((group, i) => {
    const fragments = (Array.isArray(group) ? group : [group]).filter(isObject);
    if (fragments.length > 0) result.push(mergeFragments(fragments, `${pageId}/h${i}`));
  });
  return result;
}

function mergeFragments(fragments: JsonObject[], id: string): Highlight {
  const first = fragments[0] ?? {};
  const highlight: Highlight = {
    kind: "highlight",
    id,
    color: Math.trunc(toNumber(first.color) ?? DEFAULT_COLOR),
    text: fragments.map((f) => stringAt(f, "text", "")).filter((t) => t !== "").join(" "),
    rects: fragments.flatMap(readRects),
  };
  const span = textSpan(fragments);
  if (span) {
    highlight.start = span.start;
    highlight.length = span.length;
  }
  return highlight;
}

function textSpan(fragments: JsonObject[]): { start: number; length: number } | undefined {
  let start = Infinity;
  let end = -Infinity;
  for (const f of fragments) {
    const s = toNumber(f.start);
    if (s === undefined) continue;
    start = Math.min(start, s);
    end = Math.max(end, s + Math.max(0, toNumber(f.length) ?? 0));
  }
  return Number.isFinite(start) ? { start: Math.trunc(start), length: Math.trunc(end - start) } : undefined;
}

function readRects(fragment: JsonObject): Rect[] {
  const rects: Rect[] = [];
  for (const r of arrayAt(fragment, "rects") ?? []) {
    if (!isObject(r)) continue;
    const x = toNumber(r.x);
    const y = toNumber(r.y);
    const w = toNumber(r.width);
    const h = toNumber(r.height);
    if (x !== undefined && y !== undefined && w !== undefined && h !== undefined) rects.push({ x, y, w, h });
  }
  return rects;
}
