// OCR Markdown → HTML that is safe to insert: every raw HTML token in the Markdown is shown as
// text (escaped), links only keep http(s)/mailto/relative targets, images become their alt text.
// marked escapes ordinary text itself.
import { Marked, type Tokens } from "marked";
import { boundNesting, boundedTokenizer } from "../../src/render/markdown-bounds.ts";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeText = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

const SAFE_HREF = /^(https?:|mailto:|\/(?!\/)|#)/i;

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  // hostile shapes (hundreds of nested list markers, very long list items) stay linear
  tokenizer: boundedTokenizer,
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
    // Text after a raw <pre>/<code>/<kbd>/<script> tag comes marked as `escaped` (marked expects
    // that HTML to pass through) and would be emitted as is; since we show the tag as text, the
    // text after it must be escaped too (`<pre> <img src=x onerror=… a="b"c>` was live markup).
    text(token: Tokens.Text | Tokens.Escape) {
      if ("escaped" in token && token.escaped && !("tokens" in token && token.tokens)) return escapeText(token.text);
      return false;
    },
  },
});

/** Markdown → sanitised HTML (never contains markup from the input itself). */
export function markdownToSafeHtml(md: string): string {
  return marked.parse(boundNesting(md.replace(/\r\n?/g, "\n"))) as string;
}
