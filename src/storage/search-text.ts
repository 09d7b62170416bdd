// How text becomes search terms, the same on the index and the query side.
//
// The FTS5 tokenizer (unicode61, remove_diacritics 2) lowercases and strips accents (Müller =
// muller) but keeps letters that are not "letter + accent": ß, æ, œ, ø, ł, þ, the ligatures ﬁ, ﬂ …
// FOLDS spells those the way people type them when they lack the key (Straße = strasse,
// Encyclopædia = encyclopaedia, ﬁnancial = financial). Every fold maps a letter to letters, so a
// word stays one token and token positions in the folded text equal those in the original: the
// index holds the folded text while snippets and highlights are cut from the original (migration
// "search folds" keeps the original in search_content and indexes FOLD_SQL(text)).
export const FOLDS: readonly (readonly [string, string])[] = [
  ["ß", "ss"], ["ẞ", "ss"],
  ["æ", "ae"], ["Æ", "ae"], ["ǽ", "ae"], ["Ǽ", "ae"],
  ["œ", "oe"], ["Œ", "oe"],
  ["ø", "o"], ["Ø", "o"], ["ǿ", "o"], ["Ǿ", "o"],
  ["ł", "l"], ["Ł", "l"], ["ŀ", "l"], ["Ŀ", "l"],
  ["đ", "d"], ["Đ", "d"], ["ð", "d"], ["Ð", "d"],
  ["þ", "th"], ["Þ", "th"],
  ["ı", "i"], ["ĳ", "ij"], ["Ĳ", "ij"], ["ſ", "s"],
  ["ﬀ", "ff"], ["ﬁ", "fi"], ["ﬂ", "fl"], ["ﬃ", "ffi"], ["ﬄ", "ffl"], ["ﬅ", "st"], ["ﬆ", "st"],
];

const FOLD_RE = new RegExp(`[${FOLDS.map(([c]) => c).join("")}]`, "gu");
const FOLD_MAP = new Map(FOLDS);

/** The folds above (query side; the index side is the same table as SQL, see foldSql). */
export function fold(text: string): string {
  return text.replace(FOLD_RE, (c) => FOLD_MAP.get(c)!);
}

/** The same fold as one SQL expression over `expr` (nested replace()), for triggers. */
export function foldSql(expr: string): string {
  return FOLDS.reduce((e, [from, to]) => `replace(${e}, '${from}', '${to}')`, expr);
}

/**
 * The terms the index holds for `text`, as the tokenizer makes them: folded, lowercased, accents
 * removed, split at anything that is not a letter or digit. Used to keep the vocabulary of
 * search_terms: the vocabulary typo tolerance looks words up in, and the terms a query word of 4+
 * letters is spelled out as instead of a prefix search (services/library/search.ts toMatch), so
 * every length is kept (up to 40 letters until migration "search terms of every length").
 */
export function indexTerms(text: string): string[] {
  const words = fold(text).normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].filter((w) => w.length >= MIN_TYPO_LEN - 1);
}

/** Words shorter than this get no typo tolerance (a 3-letter word has too many neighbours). */
export const MIN_TYPO_LEN = 4;

const LATIN = "abcdefghijklmnopqrstuvwxyz0123456789";
const CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюяё";
const GREEK = "αβγδεζηθικλμνξοπρστυφχψω";

/**
 * Every word one typo away from `term` (one letter wrong, missing, extra, or two neighbours
 * swapped), the term itself excluded. Substituted and inserted letters come from the term's
 * alphabet (Latin, Cyrillic or Greek, plus the letters of the term itself).
 */
export function oneTypoAway(term: string): string[] {
  const t = [...term];
  let alphabet = LATIN;
  if (/[\u0400-\u04ff]/u.test(term)) alphabet += CYRILLIC;
  if (/[\u0370-\u03ff]/u.test(term)) alphabet += GREEK;
  const letters = [...new Set([...alphabet, ...t])];
  const out = new Set<string>();
  for (let i = 0; i <= t.length; i++) {
    const head = t.slice(0, i).join("");
    if (i < t.length) {
      const tail = t.slice(i + 1).join("");
      out.add(head + tail); // missing letter
      for (const c of letters) out.add(head + c + tail); // wrong letter
      if (i < t.length - 1) out.add(head + t[i + 1] + t[i] + t.slice(i + 2).join("")); // swapped
    }
    const rest = t.slice(i).join("");
    for (const c of letters) out.add(head + c + rest); // extra letter
  }
  out.delete(term);
  return [...out];
}
