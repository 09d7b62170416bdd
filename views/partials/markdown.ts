// OCR Markdown → HTML that is safe to insert: every raw HTML token in the Markdown is shown as
// text (escaped), links only keep http(s)/mailto/relative targets, images become their alt text.
// marked escapes ordinary text itself.
import { Marked, type Tokens } from "marked";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeText = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

const SAFE_HREF = /^(https?:|mailto:|\/(?!\/)|#)/i;

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeText(token.text);
    },
    link(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      if (!SAFE_HREF.test(token.href.trim())) return text;
      return `<a href="${escapeText(token.href)}" rel="noopener noreferrer nofollow">${text}</a>`;
    },
    image(token: Tokens.Image) {
      return escapeText(token.text);
    },
  },
});

/** Markdown → sanitised HTML (never contains markup from the input itself). */
export function markdownToSafeHtml(md: string): string {
  return marked.parse(md) as string;
}
