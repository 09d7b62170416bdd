// Highlights straight out of a parsed page (DESIGN.md §3): no OCR, no quota. Typed text comes
// from render/markdown.ts textToMarkdown.
import type { Group, Highlight, Page } from "../../rm/model.ts";

export interface ExtractedHighlight {
  text: string;
  color: number;
  start?: number;
  length?: number;
}

export function pageHighlights(page: Page): ExtractedHighlight[] {
  const out: ExtractedHighlight[] = [];
  const walk = (g: Group) => {
    for (const c of g.children) {
      if (c.kind === "group") walk(c);
      else if (c.kind === "highlight") out.push(pick(c));
    }
  };
  page.layers.forEach(walk);
  return out;
}

function pick(h: Highlight): ExtractedHighlight {
  return { text: h.text, color: h.color, ...(h.start !== undefined ? { start: h.start } : {}), ...(h.length !== undefined ? { length: h.length } : {}) };
}
