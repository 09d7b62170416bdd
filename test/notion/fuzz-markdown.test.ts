// Fuzzing Markdown → Notion blocks: seeded random OCR-style Markdown (headings, nested lists,
// numbered lists, to-dos, quotes, emphasis, links, images, code fences, tables, HTML, unicode,
// control characters, unbalanced markers, very long lines and words, deep nesting, 500-line pages)
// and seeded byte mutations of it. Every case must return blocks (never throw), and the output must
// respect the limits the converter promises (walked block by block, and again through planAppend,
// request bodies included). A fixed number of cases (FUZZ_CASES for more): how fast they run is
// measured in bench/hostile-input.ts, never asserted here (a busy machine is not a bug). Generated cases also check that no text is lost: every content word we put in
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
  MAX_REQUEST_BYTES,
  MAX_RICH_TEXT_ITEMS,
  MAX_TEXT,
  type Block,
} from "../../src/notion/markdown-to-blocks.ts";
import { mutate, rng } from "../support/fuzz.ts";
import { BASES, generate, PATHOLOGICAL } from "../support/markdown-shapes.ts";

const CASES = Number(process.env.FUZZ_CASES ?? 400);
/** Documents compared with stock marked (seeds 1…N; some are skipped as not comparable). */
const DIFF_CASES = Number(process.env.FUZZ_DIFF_CASES ?? 600);

const TYPES = new Set(["paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item", "to_do", "quote", "code", "divider"]);
/** Matches the content words generate() makes (base, seed, "q", counter), for a linear lookup. */
const WORD = new RegExp(`(?:${BASES.map((b) => b.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")}|(?:long)+)\\d+q\\d+`, "gu");

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
    const body = Buffer.byteLength(JSON.stringify({ children: step.blocks, position: { type: "after_block", after_block: { id: "00000000-0000-0000-0000-000000000000" } } }));
    if (body > MAX_REQUEST_BYTES) throw new Error(`${where}: a ${body}-byte request body`);
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
  let ran = 0;
  let words = 0;
  let blocksOut = 0;
  let bytes = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    const doc = generate(seed);
    bytes += doc.md.length;
    const blocks = run(doc.md, `seed ${seed} (generated)`);
    blocksOut += countBlocks(blocks);
    const found = new Set([...plainText(blocks, "\n").matchAll(WORD)].map((m) => m[0]));
    for (const m of plainText(blocks, "").matchAll(WORD)) found.add(m[0]);
    for (const w of doc.words) {
      if (!found.has(w)) throw new Error(`seed ${seed}: the word ${JSON.stringify(w.slice(0, 80))} is missing from the output`);
    }
    words += doc.words.length;

    const mutated = new TextDecoder().decode(mutate(new TextEncoder().encode(doc.md), seed, 0));
    blocksOut += countBlocks(run(mutated, `seed ${seed} (mutated)`));
    ran++;
  }
  console.log(`fuzz markdown→notion: ${ran} cases x2 (generated, mutated), ${(bytes / 1e6).toFixed(1)} MB in, ${blocksOut} blocks out, ${words} words checked`);
  expect(ran).toBe(CASES);
}, 120_000);

test("pathological shapes convert within the limits and keep their words", () => {
  for (const [name, md] of Object.entries(PATHOLOGICAL)) {
    const blocks = run(md, name);
    const text = plainText(blocks, "\n");
    const found = new Set(text.match(/\b[wv]\d+\b/g));
    for (const w of md.match(/\b[wv]\d+\b/g) ?? []) if (!found.has(w)) throw new Error(`${name}: ${w} is missing`);
  }
}, 120_000);

test("the bounded tokenizer yields exactly marked's tokens wherever marked itself is fast", () => {
  const stock = new Marked({ gfm: true });
  let compared = 0;
  for (let seed = 1; seed <= DIFF_CASES; seed++) {
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
  // The same seeds every run: how many are comparable is fixed by the generator, not the clock.
  expect(compared).toBeGreaterThan(DIFF_CASES / 3);
}, 120_000);
