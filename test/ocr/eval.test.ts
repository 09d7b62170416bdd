// `rmirror ocr eval`: the measures (hand-computed), and the tool run on the shipped labelled set
// (test/fixtures/ocr-eval) against the engines' fakes, whose answers are the ground truth with a
// known number of mistakes, so the rates it prints are checked against values worked out here.
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runOcr, type EvalReport } from "../../src/cli/ocr.ts";
import { costUsd, editDistance, errorRates, plainText, structureKept, structureOf } from "../../src/ocr/eval.ts";
import { startFakeGemini } from "../support/fake-gemini.ts";
import { startFakeOpenAi } from "../support/fake-openai.ts";

const SET = resolve(import.meta.dir, "../fixtures/ocr-eval");
const truth = (name: string) => readFileSync(join(SET, `${name}.txt`), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "ocr-eval-"));
const oa = startFakeOpenAi();
const gm = startFakeGemini();
afterAll(async () => {
  await oa.close();
  await gm.close();
  rmSync(tmp, { recursive: true, force: true });
});

test("edit distance, plain text, error rates and structure, by hand", () => {
  expect(editDistance([..."kitten"], [..."sitting"])).toBe(3);
  expect(editDistance([], [..."abc"])).toBe(3);
  expect(plainText("# Title\n\n- [ ] call **Bob**\n1. one\n  - _two_")).toBe("Title call Bob one two");
  const r = errorRates("# Shopping\n\n- [ ] milk\n- [x] eggs", "Shopping\nmilk\negs");
  // "Shopping milk eggs" (18 chars, 3 words) vs "Shopping milk egs": one deletion, one wrong word.
  expect([r.charErrors, r.chars, r.wordErrors, r.words]).toEqual([1, 18, 1, 3]);
  expect(r.cer).toBeCloseTo(1 / 18, 10);
  expect(r.wer).toBeCloseTo(1 / 3, 10);
  expect(errorRates("", "").cer).toBe(0);
  expect(errorRates("", "ghost").cer).toBe(1);
  expect(structureOf("# A\n## B\n- x\n- [ ] y\n- [X] z\n3. w\ntext")).toEqual({ h1: 1, h2: 1, bullet: 1, todo: 1, done: 1, numbered: 1 });
  // The open checkbox came back as a plain bullet; the heading and the ticked box were kept.
  expect(structureKept("# Shopping\n\n- [ ] milk\n- [x] eggs", "# Shopping\n\n- milk\n- [x] eggs")).toEqual({ kept: 2, total: 3 });
  expect(structureKept("plain", "# Plain")).toEqual({ kept: 0, total: 0 });
  expect(costUsd([0.75, 4.5], 1000, 100)).toBeCloseTo(0.00075 + 0.00045, 12);
  expect(costUsd(null, 1, 1)).toBeNull();
});

test("the labelled set: every page has its ground truth", () => {
  const names = ["abcd", "and-strokes", "layers", "on-layer-2", "pens", "test-text"];
  for (const n of names) expect(truth(n).trim().length).toBeGreaterThan(0);
  expect(plainText(truth("pens"))).toBe("ballpoint fineliner marker pencil mech pencil paint brush high caligraphy mech thin mech thick");
});

test("ocr eval on the shipped set with two engines: the table and the JSON carry the rates computed by hand", async () => {
  // Pages are read in name order: abcd, and-strokes, layers, on-layer-2, pens, test-text.
  const answers: Record<string, string[]> = {
    // openai: three one-character mistakes (abcd→abed, caligraphy→calligraphy, text→test).
    openai: [
      "abed",
      truth("and-strokes"),
      truth("layers"),
      truth("on-layer-2"),
      truth("pens").replace("caligraphy", "calligraphy"),
      "Test test",
    ],
    // gemini: perfect except that the "layers" page lost its last line ("layer 1": 8 characters with the space, 2 words).
    gemini: [truth("abcd"), truth("and-strokes"), "2 layers\n\nlayer 3", truth("on-layer-2"), truth("pens"), truth("test-text")],
  };
  oa.reply = (_r, n) => answers.openai![n - 1]!;
  gm.reply = (_r, n) => answers.gemini![n - 1]!;
  const lines: string[] = [];
  const json = join(tmp, "out.json");
  const env = {
    RMIRROR_DATA_DIR: tmp,
    RMIRROR_OPENAI_API_KEY: oa.apiKey,
    RMIRROR_OPENAI_BASE_URL: oa.url,
    RMIRROR_OPENAI_REASONING_EFFORT: "none",
    RMIRROR_GEMINI_API_KEY: gm.apiKey,
    RMIRROR_GEMINI_BASE_URL: gm.url,
  };
  const code = await runOcr(["eval", SET, "--engine", "openai,gemini", "--json", json, "--quiet"], { env, print: (l) => lines.push(l), warn: (l) => lines.push(l) });
  expect(code).toBe(0);
  expect(oa.requests.length).toBe(6);
  expect(gm.requests.length).toBe(6);
  // The engines got the OCR image: ink only, grayscale, 1568 px long edge.
  expect(Math.max(...[oa.requests[0]!.png].map((p) => new DataView(p.buffer, p.byteOffset).getUint32(20)))).toBe(1568);

  // Characters of the set (plain text): abcd 4, "and strokes" 11, "2 layers layer 3 layer 1" 24,
  // "on layer 2" 10, pens 94, "Test text" 9 = 152; words 1 + 2 + 6 + 3 + 14 + 2 = 28.
  const report = JSON.parse(readFileSync(json, "utf8")) as EvalReport;
  const [o, g] = report.summaries;
  expect(o!.engine).toBe("openai");
  expect(o!.model).toBe("gpt-5.4-mini");
  expect(o!.pages).toBe(6);
  expect(o!.failed).toBe(0);
  expect(o!.cer).toBeCloseTo(3 / 152, 10);
  expect(o!.wer).toBeCloseTo(3 / 28, 10);
  // "layer 1" is 7 characters plus the space before it; 2 of 28 words.
  expect(g!.cer).toBeCloseTo(8 / 152, 10);
  expect(g!.wer).toBeCloseTo(2 / 28, 10);
  expect(report.pages.find((p) => p.engine === "gemini" && p.page === "layers")!.cer).toBeCloseTo(8 / 24, 10);
  expect(report.pages.find((p) => p.engine === "openai" && p.page === "abcd")!.cer).toBeCloseTo(1 / 4, 10);
  // Cost: the list price of gpt-5.4-mini / gemini-3.8-flash times the tokens the fakes reported.
  const op = report.pages.filter((p) => p.engine === "openai");
  expect(o!.costPerPageUsd).toBeCloseTo(op.reduce((t, p) => t + (p.inputTokens * 0.75 + p.outputTokens * 4.5) / 1e6, 0) / 6, 12);
  expect(g!.costPerPageUsd).toBeGreaterThan(0);
  expect(o!.secondsPerPage).toBeGreaterThan(0);
  // The printed summary table.
  const sumRow = (e: string) => lines.find((l) => l.startsWith(`| ${e} `) && l.includes("| 6 "))!;
  expect(sumRow("openai")).toContain("| 2.0% ");
  expect(sumRow("openai")).toContain("| 10.7% ");
  expect(sumRow("gemini")).toContain("| 5.3% ");
  expect(lines.some((l) => l.startsWith("| page ") && l.includes("CER"))).toBe(true);
});

test("structure kept, a failed page and a local server's zero cost", async () => {
  const dir = join(tmp, "structured");
  rmSync(dir, { recursive: true, force: true });
  require("node:fs").mkdirSync(dir);
  copyFileSync(join(SET, "abcd.rm"), join(dir, "list.rm"));
  writeFileSync(join(dir, "list.txt"), "# Shopping\n\n- [ ] milk\n- [x] eggs\n");
  copyFileSync(join(SET, "layers.rm"), join(dir, "refused.rm"));
  writeFileSync(join(dir, "refused.txt"), "2 layers\n");
  writeFileSync(join(dir, "no-truth-is-skipped.rm"), "");
  oa.requests.length = 0;
  oa.reply = () => "# Shopping\n\n- milk\n- [x] eggs";
  oa.script.push({ status: 200 }, { status: 200, refusal: "I can't help with that.", content: null });
  const lines: string[] = [];
  const json = join(tmp, "s.json");
  const env = { RMIRROR_DATA_DIR: tmp, RMIRROR_OCR_ENGINE: "openai", RMIRROR_OPENAI_BASE_URL: oa.url, RMIRROR_OPENAI_API_KEY: oa.apiKey };
  const code = await runOcr(["eval", dir, "--model", "qwen3-vl:8b", "--json", json, "--quiet"], { env, print: (l) => lines.push(l), warn: (l) => lines.push(l) });
  expect(code).toBe(0);
  expect(oa.requests.map((r) => r.model)).toEqual(["qwen3-vl:8b", "qwen3-vl:8b"]);
  const report = JSON.parse(readFileSync(json, "utf8")) as EvalReport;
  const list = report.pages.find((p) => p.page === "list")!;
  expect(list.structure).toEqual({ kept: 2, total: 3 });
  expect(list.cer).toBe(0);
  expect(list.costUsd).toBe(0); // a local server
  const refused = report.pages.find((p) => p.page === "refused")!;
  expect(refused.error).toBe("ocr: the model declined to transcribe this page (refusal: I can't help with that.)");
  expect(refused.cer).toBe(1);
  expect(report.summaries[0]!.failed).toBe(1);
  expect(report.summaries[0]!.structure).toEqual({ kept: 2, total: 3 });
  expect(lines.some((l) => l.includes("| 2/3 "))).toBe(true);

  // An engine without a key is a usage error that names the setting.
  const errs: string[] = [];
  expect(await runOcr(["eval", dir, "--engine", "gemini"], { env: { RMIRROR_DATA_DIR: tmp }, print: () => {}, warn: (l) => errs.push(l) })).toBe(2);
  expect(errs[0]).toBe("rmirror ocr eval: engine gemini is not configured: set RMIRROR_GEMINI_API_KEY");
});

test("a .rmdoc is one labelled item: every page read in order, its text joined by a blank line", async () => {
  const { zipSync } = await import("fflate");
  const dir = join(tmp, "rmdoc");
  require("node:fs").mkdirSync(dir, { recursive: true });
  const uuid = crypto.randomUUID();
  const pages = [crypto.randomUUID(), crypto.randomUUID()];
  const enc = (s: string) => new TextEncoder().encode(s);
  writeFileSync(
    join(dir, "two-pages.rmdoc"),
    zipSync({
      [`${uuid}.metadata`]: enc(JSON.stringify({ deleted: false, lastModified: "0", parent: "", pinned: false, type: "DocumentType", visibleName: "Two pages", version: 1 })),
      [`${uuid}.content`]: enc(JSON.stringify({ fileType: "notebook", orientation: "portrait", pageCount: 2, pages })),
      [`${uuid}/${pages[0]}.rm`]: new Uint8Array(readFileSync(join(SET, "abcd.rm"))),
      [`${uuid}/${pages[1]}.rm`]: new Uint8Array(readFileSync(join(SET, "and-strokes.rm"))),
    }),
  );
  writeFileSync(join(dir, "two-pages.txt"), "abcd\n\nand strokes\n");
  gm.requests.length = 0;
  // The fake numbers its answers across the file: this test answers by its own request count.
  gm.reply = () => ["abcd", "and strokes"][gm.requests.length - 1] ?? "";
  const json = join(tmp, "d.json");
  const env = { RMIRROR_DATA_DIR: tmp, RMIRROR_OCR_ENGINE: "gemini", RMIRROR_GEMINI_API_KEY: gm.apiKey, RMIRROR_GEMINI_BASE_URL: gm.url };
  expect(await runOcr(["eval", dir, "--json", json, "--quiet"], { env, print: () => {}, warn: () => {} })).toBe(0);
  expect(gm.requests.length).toBe(2);
  const report = JSON.parse(readFileSync(json, "utf8")) as EvalReport;
  expect(report.pages.map((p) => [p.page, p.text, p.cer])).toEqual([["two-pages", "abcd\n\nand strokes", 0]]);
  expect(report.summaries[0]!.pages).toBe(1);
});
