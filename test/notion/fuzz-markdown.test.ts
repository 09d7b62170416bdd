// Fuzzing Markdown → Notion blocks: seeded random OCR-style Markdown (headings, nested lists,
// numbered lists, to-dos, quotes, emphasis, links, images, code fences, tables, HTML, unicode,
// control characters, unbalanced markers, very long lines and words, deep nesting, 500-line pages)
// and seeded byte mutations of it. Every case must return blocks (never throw), quickly, and the
// output must respect the limits the converter promises (walked block by block, and again through
// planAppend). Generated cases also check that no text is lost: every content word we put in
// (never a link target, fence language or other pure markup) appears in the output's plain text.
import { expect, test } from "bun:test";
import { Marked } from "marked";
import {
  boundNesting,
  lexMarkdown,
  bodyOf,
  childrenOf,
  countBlocks,
  depthOf,
  markdownToBlocks,
  planAppend,
  MAX_BLOCKS_PER_REQUEST,
  MAX_CHILDREN_PER_REQUEST,
  MAX_DEPTH_PER_REQUEST,
  MAX_RICH_TEXT_ITEMS,
  MAX_TEXT,
  type Block,
} from "../../src/notion/markdown-to-blocks.ts";
import { mutate, rng } from "../support/fuzz.ts";

const CASES = Number(process.env.FUZZ_CASES ?? 2500);
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 3_500);

const TYPES = new Set(["paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item", "to_do", "quote", "code", "divider"]);
const BASES = ["note", "Über", "naïve", "café", "日本語", "ελληνικά", "день", "שלום", "مرحبا", "emoji😀x", "x𝔘y", "Zeta"];
const CONTROL = ["\u0000", "\u0001", "\u0007", "\u000b", "\u000c", "\u001b", "\u007f", "\u200b", "\u202e", "\ufeff", "\u2028"];

/** A generated document and the words that must survive. */
interface Doc {
  md: string;
  words: string[];
}

/** Matches the content words generate() makes (base, seed, "q", counter), for a linear lookup. */
const WORD = new RegExp(`(?:${BASES.map((b) => b.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")}|(?:long)+)\\d+q\\d+`, "gu");

function generate(seed: number): Doc {
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

/** Walk the tree: Notion's shape and limits on every block and rich-text item. */
function checkBlocks(blocks: Block[], where: string, level = 1): void {
  for (const b of blocks) {
    if (b.object !== "block" || !TYPES.has(b.type)) throw new Error(`${where}: bad block ${JSON.stringify(b).slice(0, 200)}`);
    const body = bodyOf(b);
    if (typeof body !== "object" || body === null) throw new Error(`${where}: ${b.type} has no body`);
    const rich = body.rich_text ?? [];
    if (b.type !== "divider" && !Array.isArray(body.rich_text)) throw new Error(`${where}: ${b.type} without rich_text`);
    if (rich.length > MAX_RICH_TEXT_ITEMS) throw new Error(`${where}: ${rich.length} rich-text items`);
    for (const it of rich) {
      if (it.type !== "text" || typeof it.text.content !== "string" || !it.text.content) throw new Error(`${where}: bad rich text ${JSON.stringify(it).slice(0, 200)}`);
      if (it.text.content.length > MAX_TEXT) throw new Error(`${where}: ${it.text.content.length} characters in one item`);
      if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(it.text.content)) throw new Error(`${where}: a surrogate pair was split`);
      if (it.text.link && !(/^https?:\/\//i.test(it.text.link.url) && it.text.link.url.length <= 2000)) throw new Error(`${where}: bad link ${it.text.link.url.slice(0, 100)}`);
    }
    if (b.type === "to_do" && typeof body.checked !== "boolean") throw new Error(`${where}: to_do without checked`);
    if (b.type === "code" && typeof body.language !== "string") throw new Error(`${where}: code without language`);
    if (body.children !== undefined && (!Array.isArray(body.children) || !body.children.length)) throw new Error(`${where}: empty or bad children`);
    checkBlocks(childrenOf(b), where, level + 1);
  }
}

/** Every request planAppend makes fits Notion's request limits, and every block is sent once. */
function checkPlan(blocks: Block[], where: string): number {
  let sent = 0;
  for (const step of planAppend(blocks)) {
    if (step.blocks.length > MAX_CHILDREN_PER_REQUEST || step.blocks.length !== step.deferred.length) throw new Error(`${where}: ${step.blocks.length} blocks in one request`);
    if (countBlocks(step.blocks) > MAX_BLOCKS_PER_REQUEST) throw new Error(`${where}: ${countBlocks(step.blocks)} blocks in one request`);
    const wide = (b: Block): boolean => childrenOf(b).length > MAX_CHILDREN_PER_REQUEST || childrenOf(b).some(wide);
    for (const b of step.blocks) {
      if (depthOf(b) > MAX_DEPTH_PER_REQUEST) throw new Error(`${where}: depth ${depthOf(b)} in one request`);
      if (wide(b)) throw new Error(`${where}: more than ${MAX_CHILDREN_PER_REQUEST} children in one request`);
    }
    sent += countBlocks(step.blocks);
    for (const later of step.deferred) if (later) sent += checkPlan(later, where);
  }
  return sent;
}

function plainText(blocks: Block[], sep: string): string {
  return blocks.map((b) => (bodyOf(b).rich_text ?? []).map((r) => r.text.content).join("") + sep + plainText(childrenOf(b), sep)).join(sep);
}

function run(md: string, where: string): Block[] {
  let blocks: Block[];
  try {
    blocks = markdownToBlocks(md);
  } catch (e) {
    throw new Error(`${where}: threw ${(e as Error)?.stack ?? e}`);
  }
  checkBlocks(blocks, where);
  const sent = checkPlan(blocks, where);
  if (sent !== countBlocks(blocks)) throw new Error(`${where}: planAppend sends ${sent} of ${countBlocks(blocks)} blocks`);
  return blocks;
}

test(`${CASES} generated and ${CASES} mutated Markdown documents convert within Notion's limits, losing no words`, () => {
  const started = performance.now();
  let ran = 0;
  let words = 0;
  let blocksOut = 0;
  let slowest = 0;
  let slowestSeed = 0;
  let bytes = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    if (performance.now() - started > BUDGET_MS) break;
    const doc = generate(seed);
    bytes += doc.md.length;
    let t0 = performance.now();
    const blocks = run(doc.md, `seed ${seed} (generated)`);
    let ms = performance.now() - t0;
    if (ms > slowest) [slowest, slowestSeed] = [ms, seed];
    blocksOut += countBlocks(blocks);
    const found = new Set([...plainText(blocks, "\n").matchAll(WORD)].map((m) => m[0]));
    for (const m of plainText(blocks, "").matchAll(WORD)) found.add(m[0]);
    for (const w of doc.words) {
      if (!found.has(w)) throw new Error(`seed ${seed}: the word ${JSON.stringify(w.slice(0, 80))} is missing from the output`);
    }
    words += doc.words.length;

    const mutated = new TextDecoder().decode(mutate(new TextEncoder().encode(doc.md), seed, 0));
    t0 = performance.now();
    blocksOut += countBlocks(run(mutated, `seed ${seed} (mutated)`));
    ms = performance.now() - t0;
    if (ms > slowest) [slowest, slowestSeed] = [ms, -seed];
    ran++;
  }
  console.log(`fuzz markdown→notion: ${ran} cases x2 (generated, mutated), ${(bytes / 1e6).toFixed(1)} MB in, ${blocksOut} blocks out, ${words} words checked, slowest ${slowest.toFixed(1)} ms (seed ${slowestSeed})`);
  expect(ran).toBeGreaterThanOrEqual(Math.min(CASES, 300));
  expect(slowest).toBeLessThan(1_500);
}, 60_000);

test("pathological shapes stay fast and keep their words", () => {
  const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join("\n");
  const cases: Record<string, string> = {
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
  for (const [name, md] of Object.entries(cases)) {
    const t0 = performance.now();
    const blocks = run(md, name);
    const ms = performance.now() - t0;
    expect({ name, fast: ms < 3_000 }).toEqual({ name, fast: true });
    const text = plainText(blocks, "\n");
    const found = new Set(text.match(/\b[wv]\d+\b/g));
    for (const w of md.match(/\b[wv]\d+\b/g) ?? []) if (!found.has(w)) throw new Error(`${name}: ${w} is missing`);
  }
}, 60_000);

test("the bounded tokenizer yields exactly marked's tokens wherever marked itself is fast", () => {
  const stock = new Marked({ gfm: true });
  const started = performance.now();
  let compared = 0;
  for (let seed = 1; seed <= 3000 && performance.now() - started < 1_500; seed++) {
    const r = rng(seed);
    // small documents (stock marked is fast on them) rich in setext underlines and blank lines
    const lines = generate(seed).md.split("\n").slice(0, 25);
    const md = lines.flatMap((l) => (r() < 0.25 ? [l, ["---", "===", "", "-", "  ---", "\n\n"][Math.floor(r() * 6)]!] : [l])).join("\n").slice(0, 4000);
    if (boundNesting(md) !== md) continue;
    const ours = JSON.stringify(lexMarkdown(md));
    const theirs = JSON.stringify(stock.lexer(md));
    if (ours !== theirs) throw new Error(`seed ${seed}: tokens differ for ${JSON.stringify(md).slice(0, 400)}`);
    compared++;
  }
  console.log(`differential: ${compared} documents tokenized identically to stock marked`);
  expect(compared).toBeGreaterThan(200);
}, 60_000);
