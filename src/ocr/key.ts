// Engine keys as the pipeline records them. An engine's own key (engine + model + prompt version +
// language hint, OcrEngine.key) is extended with:
// - the user's vocabulary hint ("|v:<hash>"): the *settings key*, per user. It names a page's OCR
//   job (idempotency key `ocr:<page>:<settings key>`), so a changed hint is a new engine key;
// - the page's context (notebook name and end of the previous page, "|c:<hash>"): recorded with
//   the text it produced (page_ocr.done_engine_key), so a result says exactly what made it.
// Neither re-reads a page by itself: a page is read again only when its strokes change or when
// asked (requested / re-read).
import type { OcrContext } from "./engine.ts";

/** How much of the previous page's text is sent (its end, in characters). */
export const PREVIOUS_TEXT_CHARS = 300;
/** The longest vocabulary hint a user can store (characters). */
export const VOCABULARY_MAX_CHARS = 1000;
/** The longest notebook name sent (characters). */
export const NOTEBOOK_NAME_CHARS = 200;

function digest(s: string): string {
  return new Bun.CryptoHasher("sha256").update(s).digest("hex").slice(0, 12);
}

/** Collapse whitespace and control characters in a vocabulary hint (what is stored and sent). */
export function normaliseVocabulary(s: string): string {
  return s
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.replace(/[\u0000-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .join("\n");
}

/** The end of a page's text, at most PREVIOUS_TEXT_CHARS, starting at a word where possible. */
export function textTail(text: string, max = PREVIOUS_TEXT_CHARS): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const cut = t.slice(t.length - max);
  const sp = cut.search(/\s/);
  return (sp >= 0 && sp < 40 ? cut.slice(sp) : cut).trim();
}

/** Engine key + vocabulary hint: what a user's pages are read with (no hint: the engine key). */
export function settingsKey(engineKey: string, vocabulary: string | undefined): string {
  const v = vocabulary?.trim();
  return v ? `${engineKey}|v:${digest(v)}` : engineKey;
}

/** The full key of one read: settings key + the page's context (notebook, previous text). */
export function readKey(engineKey: string, context: OcrContext | undefined): string {
  const base = settingsKey(engineKey, context?.vocabulary);
  const notebook = context?.notebook?.trim() ?? "";
  const previous = context?.previousText?.trim() ?? "";
  return notebook || previous ? `${base}|c:${digest(JSON.stringify([notebook, previous]))}` : base;
}

/** The settings part of a recorded key (drops the page context). */
export function settingsPart(key: string | null | undefined): string | null {
  return key ? key.replace(/\|c:[0-9a-f]+$/, "") : null;
}
