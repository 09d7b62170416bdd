// OCR and typed-text Markdown → HTML that is safe to insert: every raw HTML token in the Markdown
// is shown as text (escaped) but a bare <strong>/<em> tag, links only keep http(s)/mailto/relative targets, images become their alt text.
// marked escapes ordinary text itself.
import { Marked, type Tokens } from "marked";
import { boundNesting, boundedTokenizer } from "../../src/render/markdown-bounds.ts";

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeText = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

const BARE_EMPHASIS = /^<\/?(strong|em)>$/i;
const SAFE_HREF = /^(https?:\/\/|mailto:|\/|#)/i;
const HERE = "https://rmirror.invalid";

/**
 * The href to emit for a Markdown link, or null to show only its text. Parsed the way a browser
 * will (WHATWG URL: `\` counts as `/`, tabs and newlines vanish), so "/\evil.example" and
 * "//evil.example" are seen for what they are — another site written as a local path — and
 * dropped. Local paths come out normalised, external ones only as explicit http(s):// or mailto:.
 */
export function safeHref(raw: string): string | null {
  const href = raw.trim();
  if (!SAFE_HREF.test(href)) return null;
  if (href.startsWith("#")) return /^#[^\\/\s]*$/.test(href) ? href : null;
  let u: URL;
  try {
    u = new URL(href, `${HERE}/`);
  } catch {
    return null;
  }
  if (href.startsWith("/")) return u.origin === HERE ? u.pathname + u.search + u.hash : null;
  if (u.protocol === "mailto:") return u.href;
  return (u.protocol === "https:" || u.protocol === "http:") && u.origin !== HERE ? u.href : null;
}

// Built on first use: `serve` does not pay for it before its first request (issue 18).
let instance: Marked | undefined;
const marked = () =>
  (instance ??= new Marked({
    gfm: true,
    breaks: true,
    async: false,
    // hostile shapes (hundreds of nested list markers, very long list items) stay linear
    tokenizer: boundedTokenizer,
    renderer: {
      html(token: Tokens.HTML | Tokens.Tag) {
        // The one exception: a bare <strong>, </strong>, <em> or </em> (no attributes), which the
        // typed-text exporter writes for emphasis inside a word (src/render/markdown.ts). Such a tag
        // can only change the look of text; anything else is shown as text.
        if (token.type === "html" && !token.block && BARE_EMPHASIS.test(token.text)) return token.text.toLowerCase();
        return escapeText(token.text);
      },
      link(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, token: Tokens.Link) {
        const text = this.parser.parseInline(token.tokens);
        const href = safeHref(token.href);
        if (href === null) return text;
        return `<a href="${escapeText(href)}" rel="noopener noreferrer nofollow">${text}</a>`;
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
  }));

/** Markdown → sanitised HTML (no markup from the input itself, except bare <strong>/<em> tags). */
export function markdownToSafeHtml(md: string): string {
  return marked().parse(boundNesting(md.replace(/\r\n?/g, "\n"))) as string;
}
