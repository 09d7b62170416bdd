// RFC 2047 encoded-words in header values: `=?charset?Q?text?=` and `=?charset?B?base64?=`.
// `tailscale serve` sends non-ASCII Tailscale-User-Login / -Name values this way (Go's
// mime.QEncoding), possibly as several encoded-words separated by spaces.

const ENCODED_WORD = /=\?([^?\s]+)\?([^?\s]*)\?([^?\s]*)\?=/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function qBytes(text: string): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) out.push(0x20); // "_" is a space
    else if (c === 0x3d) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (c > 0x20 && c < 0x7f) out.push(c);
    else return null;
  }
  return Uint8Array.from(out);
}

function bBytes(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const bin = atob(text);
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

function decodeWord(charset: string, encoding: string, text: string): string | null {
  const bytes = encoding === "q" || encoding === "Q" ? qBytes(text) : encoding === "b" || encoding === "B" ? bBytes(text) : null;
  if (!bytes) return null;
  try {
    // RFC 2231 allows a language after "*": "utf-8*en".
    return new TextDecoder(charset.split("*")[0]!, { fatal: true }).decode(bytes);
  } catch {
    return null; // unknown charset or bytes that are not valid in it
  }
}

/**
 * Decode every encoded-word in a header value; text outside encoded-words is kept as it is and
 * white space between two adjacent encoded-words is dropped (RFC 2047 §6.2). Null when an
 * encoded-word is malformed (unknown charset or encoding, bad hex or base64, invalid bytes).
 */
export function decodeRfc2047(value: string): string | null {
  let out = "";
  let last = 0;
  let prevWasWord = false;
  for (const m of value.matchAll(ENCODED_WORD)) {
    const gap = value.slice(last, m.index);
    if (!(prevWasWord && /^[ \t\r\n]*$/.test(gap))) out += gap;
    const word = decodeWord(m[1]!, m[2]!, m[3]!);
    if (word === null) return null;
    out += word;
    last = m.index + m[0].length;
    prevWasWord = true;
  }
  return out + value.slice(last);
}
