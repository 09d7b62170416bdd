// Typed text and highlights straight out of a parsed page (DESIGN.md §3): no OCR, no quota.
import { ParagraphStyle, type Group, type Highlight, type Page } from "../../rm/model.ts";

/** Typed text as Markdown (headings, bullets, checkboxes, numbered items), or null when none. */
export function typedTextMarkdown(page: Page): string | null {
  const paras = page.text?.paragraphs ?? [];
  const lines: string[] = [];
  let n = 0;
  for (const p of paras) {
    const text = p.spans
      .map((s) => {
        if (!s.text.trim()) return s.text;
        if (s.bold && s.italic) return `***${s.text}***`;
        if (s.bold) return `**${s.text}**`;
        if (s.italic) return `*${s.text}*`;
        return s.text;
      })
      .join("");
    if (p.style !== ParagraphStyle.NUMBERED && p.style !== ParagraphStyle.NUMBERED2) n = 0;
    switch (p.style) {
      case ParagraphStyle.HEADING:
        lines.push(text.trim() ? `# ${text}` : "");
        break;
      case ParagraphStyle.BOLD:
        lines.push(text.trim() ? `## ${text}` : "");
        break;
      case ParagraphStyle.BULLET:
        lines.push(`- ${text}`);
        break;
      case ParagraphStyle.BULLET2:
        lines.push(`  - ${text}`);
        break;
      case ParagraphStyle.CHECKBOX:
        lines.push(`- [ ] ${text}`);
        break;
      case ParagraphStyle.CHECKBOX_CHECKED:
        lines.push(`- [x] ${text}`);
        break;
      case ParagraphStyle.CHECKBOX2:
        lines.push(`  - [ ] ${text}`);
        break;
      case ParagraphStyle.CHECKBOX2_CHECKED:
        lines.push(`  - [x] ${text}`);
        break;
      case ParagraphStyle.NUMBERED:
        lines.push(`${++n}. ${text}`);
        break;
      case ParagraphStyle.NUMBERED2:
        lines.push(`   1. ${text}`);
        break;
      default:
        lines.push(text);
    }
  }
  const out = lines.join("\n").replace(/\n{3,}/g, "\n\n").trim();
  return out ? out : null;
}

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
