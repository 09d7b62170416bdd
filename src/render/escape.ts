// Escaping for text that comes from hostile files: every string we put into SVG/XML goes
// through `xmlEscape`, which also drops characters XML 1.0 cannot carry at all.

const XML_SPECIAL = /[&<>"']/g;
// C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF: not allowed in XML 1.0.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function entity(ch: string): string {
  return ENTITY[ch] ?? ch;
}

/** Escape text for XML element content and attribute values (both quote styles). */
export function xmlEscape(text: string): string {
  return text.replace(XML_INVALID, "\uFFFD").replace(XML_SPECIAL, entity);
}
