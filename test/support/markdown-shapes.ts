// Generated OCR-style Markdown (seeded) and shapes that made marked super-linear (DESIGN.md §10):
// test/notion/fuzz-markdown.test.ts checks the output, bench/hostile-input.ts times it.
import { rng } from "./fuzz.ts";

/** Shapes that made marked super-linear (DESIGN.md §10); their timing is in bench/hostile-input.ts. */
export const PATHOLOGICAL: Record<string, string> = (() => {
  const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join("\n");
  return {
    "list item with 1,000 continuation lines": "- first\n" + lines(1000, (i) => `  lazy word ${i} and more words here ok`),
    "1,500 levels of nested bullets": lines(1500, (i) => `${" ".repeat(i * 2)}- w${i}`),
    "1,500 levels of tab-nested numbers": lines(1500, (i) => `${"\t".repeat(i)}1. w${i}`),
    "20,000 list markers on one line": `${"- ".repeat(20000)}w0`,
    "20,000 quote markers on one line": `${"> ".repeat(20000)}w0`,
    "20,000 unbalanced stars": `${"*a ".repeat(20000)}w0`,
    "20,000 underscores": `${"_a".repeat(20000)} w0`,
    "20,000 open brackets": `${"[".repeat(20000)}w0`,
    "deep list then 2,000 indented lines": lines(8, (i) => `${" ".repeat(i * 2)}- w${i}`) + "\n" + lines(2000, (i) => `${" ".repeat(16)}lazy v${i}`),
  };
})();


export const BASES = ["note", "Über", "naïve", "café", "日本語", "ελληνικά", "день", "שלום", "مرحبا", "emoji😀x", "x𝔘y", "Zeta"];
const CONTROL = ["\u0000", "\u0001", "\u0007", "\u000b", "\u000c", "\u001b", "\u007f", "\u200b", "\u202e", "\ufeff", "\u2028"];

/** A generated document and the words that must survive. */
export interface Doc {
  md: string;
  words: string[];
}

export function generate(seed: number): Doc {
  const r = rng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  const one = <T,>(xs: readonly T[]) => xs[pick(xs.length)]!;
  const words: string[] = [];
  let counter = 0;
  const word = () => {
    const w = `${one(BASES)}${seed}q${counter++}`;
    words.push(w);
    return w;
  };
  const inline = (n = 1 + pick(12)): string => {
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      switch (pick(16)) {
        case 0: parts.push(`**${word()}**`); break;
        case 1: parts.push(`*${word()}*`); break;
        case 2: parts.push(`_${word()}_`); break;
        case 3: parts.push(`~~${word()}~~`); break;
        case 4: parts.push(`\`${word()}\``); break;
        case 5: parts.push(`[${word()}](${one(["https://example.com/zz", "javascript:alert(1)", "/rel/zz", "http://x.y/" + "a".repeat(2100), "mailto:a@b.c"])})`); break;
        case 6: parts.push(`![${word()}](https://example.com/img.png)`); break;
        case 7: parts.push(`<${one(["b", "span", "script", "u"])}>${word()}</${one(["b", "span", "script", "u"])}>`); break;
        case 8: parts.push(`${one(["*", "_", "**", "__", "~", "`", "[", "]", "(", "<", "&", "\\"])} ${word()}`); break; // unbalanced
        case 9: parts.push(`${one(CONTROL)} ${word()}`); break;
        case 10: parts.push(`***${word()} ${word()}***`); break;
        default: parts.push(word());
      }
    }
    return parts.join(" ");
  };
  const lines: string[] = [];
  const n = pick(40) === 0 ? 300 + pick(300) : 1 + pick(30);
  const rare = () => pick(12) === 0;
  for (let i = 0; i < n; i++) {
    switch (pick(18)) {
      case 0: lines.push(`${"#".repeat(1 + pick(7))} ${inline(1 + pick(4))}`); break;
      case 1: case 2: lines.push(`${"  ".repeat(pick(6))}${one(["-", "*", "+"])} ${inline()}`); break;
      case 3: lines.push(`${"   ".repeat(pick(4))}${1 + pick(20)}${one([".", ")"])} ${inline()}`); break;
      case 4: lines.push(`${"  ".repeat(pick(3))}- [${one([" ", "x", "X"])}] ${inline()}`); break;
      case 5: lines.push(`${"> ".repeat(1 + pick(4))}${inline()}`); break;
      case 6: lines.push("", `\`\`\`${one(["", "js", "python zzinfo"])}`, ...Array.from({ length: 1 + pick(5) }, () => `${"  ".repeat(pick(3))}${word()} ${word()}`), "```", ""); break;
      case 7: lines.push("", `| ${word()} | ${word()} |`, "|---|:-:|", ...Array.from({ length: 1 + pick(4) }, () => `| ${inline(2)} | ${word()} |`), ""); break;
      case 8: lines.push(one(["---", "***", "___", "", "", "  "])); break;
      case 9: lines.push(rare() ? Array.from({ length: 300 + pick(900) }, () => word()).join(" ") : inline()); break; // very long line
      case 10: if (rare()) { const w = `${"long".repeat(600 + pick(900))}${seed}q${counter++}`; words.push(w); lines.push(w); } break; // one 2,400+ char word
      case 11: { const depth = rare() ? 30 + pick(40) : 2 + pick(8); for (let d = 0; d < depth; d++) lines.push(`${"  ".repeat(d)}- ${word()}`); break; } // deep nesting
      case 12: lines.push(`${"- ".repeat(2 + pick(80))}${word()}`); break; // marker chains
      case 13: lines.push(`<div class="zzattr">`, inline(), `</div>`); break;
      case 14: lines.push(`    ${inline(2)}`); break; // indented code
      case 15: lines.push(rare() ? Array.from({ length: 60 + pick(200) }, () => `**${word()}** ${word()}`).join(" ") : inline()); break; // > 100 rich-text items
      default: lines.push(inline());
    }
  }
  const md = lines.join(pick(5) === 0 ? "\r\n" : "\n");
  return { md, words };
}

