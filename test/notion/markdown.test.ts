// The Markdown → Notion blocks converter and the append planner (pure).
import { expect, test } from "bun:test";
import { bodyOf, childrenOf, countBlocks, depthOf, markdownToBlocks, planAppend, richText, splitText, type Block } from "../../src/notion/markdown-to-blocks.ts";

const text = (b: Block) => (bodyOf(b).rich_text ?? []).map((r) => r.text.content).join("");

test("headings, paragraphs, lists with nesting, to-dos, quotes and annotations", () => {
  const md = "# Title\n\n## Sub\n\n### Deep\n\nSome **bold** and *italic* and `code` and [a link](https://example.com).\n\n- one\n- two\n  - two.a\n    1. first\n\n1. n1\n2. n2\n\n- [ ] call the plumber\n- [x] buy milk\n\n> quoted\n> text\n\n---\n\n```\ncode block\n```";
  const b = markdownToBlocks(md);
  expect(b.map((x) => x.type)).toEqual(["heading_1", "heading_2", "heading_3", "paragraph", "bulleted_list_item", "bulleted_list_item", "numbered_list_item", "numbered_list_item", "to_do", "to_do", "quote", "divider", "code"]);
  const para = bodyOf(b[3]!).rich_text!;
  expect(para.find((r) => r.text.content === "bold")!.annotations).toEqual({ bold: true });
  expect(para.find((r) => r.text.content === "italic")!.annotations).toEqual({ italic: true });
  expect(para.find((r) => r.text.content === "code")!.annotations).toEqual({ code: true });
  expect(para.find((r) => r.text.content === "a link")!.text.link).toEqual({ url: "https://example.com" });
  const two = b[5]!;
  expect(text(two)).toBe("two");
  expect(childrenOf(two).map((c) => [c.type, text(c)])).toEqual([["bulleted_list_item", "two.a"]]);
  expect(childrenOf(childrenOf(two)[0]!).map((c) => [c.type, text(c)])).toEqual([["numbered_list_item", "first"]]);
  expect([bodyOf(b[8]!).checked, text(b[8]!)]).toEqual([false, "call the plumber"]);
  expect([bodyOf(b[9]!).checked, text(b[9]!)]).toEqual([true, "buy milk"]);
  expect(text(b[10]!)).toBe("quoted\ntext");
  expect(text(b[12]!)).toBe("code block");
  expect(markdownToBlocks("  \n\n")).toEqual([]);
});

test("text is split at 2,000 characters (never inside a surrogate pair) and at 100 rich-text items", () => {
  const long = "x".repeat(4500);
  const b = markdownToBlocks(long);
  expect(b.length).toBe(1);
  expect(bodyOf(b[0]!).rich_text!.map((r) => r.text.content.length)).toEqual([2000, 2000, 500]);
  const emoji = "a" + "😀".repeat(1500);
  for (const part of splitText(emoji)) {
    expect(part.length).toBeLessThanOrEqual(2000);
    expect(/^[\udc00-\udfff]/.test(part)).toBe(false);
  }
  expect(splitText(emoji).join("")).toBe(emoji);
  // 150 alternating bold/plain pieces → 300 items → 3 blocks of ≤ 100 items.
  const many = Array.from({ length: 150 }, (_, i) => `**b${i}** p${i}`).join(" ");
  const blocks = markdownToBlocks(many);
  expect(blocks.length).toBeGreaterThan(1);
  for (const x of blocks) expect(bodyOf(x).rich_text!.length).toBeLessThanOrEqual(100);
  expect(blocks.map(text).join("")).toBe(richText([{ text: many.replace(/\*\*/g, "") }]).map((r) => r.text.content).join(""));
});

test("planAppend keeps requests within 100 children and two nesting levels", () => {
  const deep = "- a\n  - b\n    - c\n      - d\n        - e";
  const blocks = [...markdownToBlocks(deep), ...markdownToBlocks(Array.from({ length: 250 }, (_, i) => `- item ${i}`).join("\n"))];
  expect(depthOf(blocks[0]!)).toBe(5);
  const steps = planAppend(blocks);
  expect(steps.length).toBe(3);
  for (const s of steps) {
    expect(s.blocks.length).toBeLessThanOrEqual(100);
    for (const b of s.blocks) expect(depthOf(b)).toBeLessThanOrEqual(3);
  }
  // The deep list is sent without children; they follow to the new block's id.
  expect(childrenOf(steps[0]!.blocks[0]!)).toEqual([]);
  expect(steps[0]!.deferred[0]!.length).toBe(1);
  expect(countBlocks(steps.flatMap((s) => s.blocks))).toBe(251);
});
