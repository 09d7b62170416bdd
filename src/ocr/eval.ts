// Measures for `rmirror ocr eval`: how far an engine's Markdown is from a page's ground truth.
// Pure functions, no I/O.
//
// - Character error rate (CER): edit distance (insertions, deletions, substitutions) between the
//   two texts' characters, divided by the reference's length. Word error rate (WER): the same over
//   words. Both compare the *words written*: Markdown markers (#, -, *, 1., [ ], [x], **, _) are
//   dropped and runs of white space (line breaks included) count as one space, so a transcription
//   is not penalised twice for a missed heading (that is what "structure" measures).
// - Structure: each heading (per level), bullet item, numbered item, open and ticked checkbox of
//   the reference must be there in the transcription; the share found (min of the two counts per
//   kind, summed, over the reference's total), or null when the reference has none.
// - Cost: tokens × a price per million tokens (input, output) in US dollars.

/** Edit distance between two sequences (O(n·m) time, O(m) memory). */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** The words of a Markdown text without its markers, one space between words. */
export function plainText(md: string): string {
  return md
    .normalize("NFC")
    .split(/\r?\n/)
    .map((line) =>
      line
        .replace(/^\s*#{1,6}\s+/, "")
        .replace(/^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?/, "")
        .replace(/(\*\*|__|~~)(.+?)\1/g, "$2")
        .replace(/(^|\W)[*_](\S(?:.*?\S)?)[*_](?=\W|$)/g, "$1$2"),
    )
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

export interface Rates {
  cer: number;
  wer: number;
  /** Edit distances and reference lengths, so a set's rates are computed over all its characters. */
  charErrors: number;
  chars: number;
  wordErrors: number;
  words: number;
}

export function errorRates(reference: string, hypothesis: string): Rates {
  const ref = plainText(reference);
  const hyp = plainText(hypothesis);
  const rc = [...ref];
  const hc = [...hyp];
  const rw = ref ? ref.split(" ") : [];
  const hw = hyp ? hyp.split(" ") : [];
  const charErrors = editDistance(rc, hc);
  const wordErrors = editDistance(rw, hw);
  return {
    charErrors,
    chars: rc.length,
    wordErrors,
    words: rw.length,
    cer: rc.length ? charErrors / rc.length : hc.length ? 1 : 0,
    wer: rw.length ? wordErrors / rw.length : hw.length ? 1 : 0,
  };
}

export type StructureKind = "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "bullet" | "numbered" | "todo" | "done";

/** How many of each structural element a Markdown text has. */
export function structureOf(md: string): Partial<Record<StructureKind, number>> {
  const out: Partial<Record<StructureKind, number>> = {};
  const add = (k: StructureKind) => (out[k] = (out[k] ?? 0) + 1);
  for (const line of md.split(/\r?\n/)) {
    const h = /^\s*(#{1,6})\s+\S/.exec(line);
    if (h) {
      add(`h${h[1]!.length}` as StructureKind);
      continue;
    }
    const box = /^\s*[-*+]\s+\[([ xX])\]\s/.exec(line);
    if (box) {
      add(box[1] === " " ? "todo" : "done");
      continue;
    }
    if (/^\s*[-*+]\s+\S/.test(line)) add("bullet");
    else if (/^\s*\d+[.)]\s+\S/.test(line)) add("numbered");
  }
  return out;
}

export interface StructureScore {
  /** Elements of the reference found in the transcription. */
  kept: number;
  /** Elements in the reference. */
  total: number;
}

export function structureKept(reference: string, hypothesis: string): StructureScore {
  const ref = structureOf(reference);
  const hyp = structureOf(hypothesis);
  let kept = 0;
  let total = 0;
  for (const [k, n] of Object.entries(ref) as [StructureKind, number][]) {
    total += n;
    kept += Math.min(n, hyp[k] ?? 0);
  }
  return { kept, total };
}

/** US dollars per million tokens: [input, output]. */
export type Price = readonly [input: number, output: number];

/**
 * List prices of the default models, from each provider's model page (December 2026). For other
 * models pass `--price IN,OUT`; a local server (an OpenAI base URL that is not OpenAI's) costs 0.
 */
export const LIST_PRICES: Record<string, Price> = {
  "claude-haiku-5-5": [0.1, 0.5], // prompts up to 100,000 tokens (platform.claude.com models/haiku-5-5)
  "gpt-5.4-mini": [0.75, 4.5],
  "gpt-5.4-nano": [0.2, 1.25],
  "gpt-5.4": [2.5, 15],
  "gemini-3.8-flash": [0.75, 3.75],
};

export function costUsd(price: Price | null, inputTokens: number, outputTokens: number): number | null {
  if (!price) return null;
  return (inputTokens * price[0] + outputTokens * price[1]) / 1_000_000;
}
