// `rmirror ocr reread …` (src/cli/ocr-reread.ts): read pages again with the current settings, within the quota.
// `rmirror ocr eval <dir> [--engine E[,E…]] [--model M] [--json out.json] [--price IN,OUT]`:
// reads a labelled set (pages as .rm or .rmdoc, each beside a <name>.txt ground truth) with one
// or more OCR engines, configured as the server is (RMIRROR_* settings and keys), and reports per
// engine the character and word error rates, how much Markdown structure was kept (headings,
// lists, checkboxes), seconds and cost per page. Pages are drawn exactly as the OCR job draws
// them (ink only, grayscale, 1568 px long edge) and read one at a time.
import { readdir, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { loadConfig, type Config } from "../config/schema.ts";
import { OCR_LONG_EDGE } from "../jobs/workers/ocr.ts";
import { OcrRateLimited, type OcrEngine } from "../ocr/engine.ts";
import { costUsd, errorRates, LIST_PRICES, structureKept, type Price } from "../ocr/eval.ts";
import { createOcrEngine, ocrKeySetting, ocrModel, type EngineName } from "../ocr/index.ts";
import { isOpenAiApi } from "../ocr/openai.ts";
import { openInput } from "../rm/container/library.ts";
import { parseDocumentPages } from "../rm/container/parse-pages.ts";
import type { Page } from "../rm/model.ts";
import { parsePage } from "../rm/page.ts";
import { parse, UsageError } from "./args.ts";
import { REREAD_HELP, runReread } from "./ocr-reread.ts";

const HELP = `Usage: rmirror ocr eval <dir> [--engine E[,E…]] [--model M] [--json FILE] [--price IN,OUT]

Measures OCR engines on a labelled set: <dir> holds pages as <name>.rm or <name>.rmdoc, each with
<name>.txt, the text the page's handwriting says (Markdown: # headings, - lists, - [ ] / - [x]
checkboxes). Engines are configured as for the server (RMIRROR_OCR_ENGINE, keys, models, base
URLs: see docs/ocr.md); every page is sent to every engine, so it costs what OCR costs.
  --engine LIST  anthropic, openai, gemini, comma separated (default RMIRROR_OCR_ENGINE)
  --model M      the model to use (with one engine)
  --json FILE    also write every page's result and each engine's summary as JSON
  --price IN,OUT US dollars per million input and output tokens (default: the list price of
                 the default models; 0 for a local OpenAI-compatible server; else unknown)
  --quiet        no progress lines

${REREAD_HELP}`;

export interface EvalPageResult {
  page: string;
  engine: EngineName;
  model: string;
  cer: number;
  wer: number;
  structure: { kept: number; total: number };
  seconds: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  error: string | null;
  text: string;
}

export interface EvalSummary {
  engine: EngineName;
  model: string;
  pages: number;
  failed: number;
  /** Over all characters (words) of the set, not a mean of the pages' rates. */
  cer: number;
  wer: number;
  structure: { kept: number; total: number };
  secondsPerPage: number;
  costPerPageUsd: number | null;
}

export interface EvalReport {
  dir: string;
  summaries: EvalSummary[];
  pages: EvalPageResult[];
}

export async function run(argv: string[]): Promise<number> {
  return runOcr(argv, { env: process.env, print: (s) => console.log(s), warn: (s) => console.error(s) });
}

export interface OcrCliIo {
  env: Record<string, string | undefined>;
  print: (line: string) => void;
  warn: (line: string) => void;
}

export async function runOcr(argv: string[], io: OcrCliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
    io.print(HELP);
    return sub ? 0 : 2;
  }
  if (sub === "reread") return runReread(rest);
  if (sub !== "eval") {
    io.warn(`rmirror ocr: unknown subcommand '${sub}'\n\n${HELP}`);
    return 2;
  }
  let opts: ReturnType<typeof parseEval>;
  try {
    opts = parseEval(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      io.warn(`rmirror ocr eval: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (opts.help) {
    io.print(HELP);
    return 0;
  }
  const base = loadConfig({ env: io.env });
  const engines: { name: EngineName; engine: OcrEngine; model: string; price: Price | null }[] = [];
  for (const name of opts.engines ?? [base.ocr.engine]) {
    const config = withEngine(base, name, opts.model);
    const engine = createOcrEngine(config);
    if (!engine) {
      io.warn(`rmirror ocr eval: engine ${name} is not configured: set ${ocrKeySetting(config)}`);
      return 2;
    }
    const model = ocrModel(config);
    const local = name === "openai" && !isOpenAiApi(config.ocr.openai.baseUrl);
    engines.push({ name, engine, model, price: opts.price ?? LIST_PRICES[model] ?? (local ? [0, 0] : null) });
  }
  const set = await loadSet(opts.dir);
  if (set.length === 0) {
    io.warn(`rmirror ocr eval: no labelled pages in ${opts.dir} (<name>.rm or <name>.rmdoc beside <name>.txt)`);
    return 2;
  }
  const { renderPng } = await import("../render/png.ts");
  const pngs = new Map<string, Uint8Array[]>();
  for (const item of set) {
    const pages = await readPages(item.file);
    pngs.set(item.name, await Promise.all(pages.map((p) => renderPng(p, { longEdge: OCR_LONG_EDGE, grayscale: true, text: false, highlights: false }))));
  }
  const results: EvalPageResult[] = [];
  for (const e of engines) {
    for (const item of set) {
      if (!opts.quiet) io.warn(`${e.name} ${e.model}: ${item.name}`);
      const r = await readItem(e.engine, pngs.get(item.name)!);
      const rates = errorRates(item.truth, r.text);
      results.push({
        page: item.name,
        engine: e.name,
        model: r.model ?? e.model,
        cer: rates.cer,
        wer: rates.wer,
        structure: structureKept(item.truth, r.text),
        seconds: r.seconds,
        inputTokens: r.inputTokens,
        outputTokens: r.outputTokens,
        costUsd: costUsd(e.price, r.inputTokens, r.outputTokens),
        error: r.error,
        text: r.text,
      });
    }
  }
  const report: EvalReport = { dir: opts.dir, pages: results, summaries: engines.map((e) => summarise(e.name, e.model, results.filter((r) => r.engine === e.name), set)) };
  for (const line of formatReport(report)) io.print(line);
  if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  return report.summaries.some((s) => s.failed === s.pages) ? 1 : 0;
}

function parseEval(argv: string[]) {
  const { values, positionals } = parse(argv, {
    engine: { type: "string" },
    model: { type: "string" },
    json: { type: "string" },
    price: { type: "string" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return { help: true as const, dir: "", quiet: true };
  if (positionals.length !== 1) throw new UsageError("expected one folder with the labelled pages");
  const engines = values.engine?.split(",").map((s) => s.trim()).filter(Boolean);
  for (const e of engines ?? []) if (!["anthropic", "openai", "gemini"].includes(e)) throw new UsageError(`unknown engine '${e}' (anthropic, openai, gemini)`);
  if (values.model && engines && engines.length > 1) throw new UsageError("--model needs exactly one --engine");
  let price: Price | undefined;
  if (values.price !== undefined) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(values.price);
    if (!m) throw new UsageError("--price expects IN,OUT in US dollars per million tokens, e.g. 0.75,4.5");
    price = [Number(m[1]), Number(m[2])];
  }
  return { help: false as const, dir: positionals[0]!, engines: engines as EngineName[] | undefined, model: values.model, json: values.json, price, quiet: values.quiet === true };
}

function withEngine(base: Config, name: EngineName, model: string | undefined): Config {
  const ocr = { ...base.ocr, engine: name, openai: { ...base.ocr.openai }, gemini: { ...base.ocr.gemini } };
  if (model) {
    if (name === "openai") ocr.openai.model = model;
    else if (name === "gemini") ocr.gemini.model = model;
    else ocr.model = model;
  }
  return { ...base, ocr };
}

interface SetItem {
  name: string;
  file: string;
  truth: string;
}

async function loadSet(dir: string): Promise<SetItem[]> {
  const files = (await readdir(dir)).sort();
  const out: SetItem[] = [];
  for (const f of files) {
    const ext = extname(f).toLowerCase();
    if (ext !== ".rm" && ext !== ".rmdoc") continue;
    const name = basename(f, extname(f));
    const truthFile = Bun.file(join(dir, `${name}.txt`));
    if (!(await truthFile.exists())) continue;
    out.push({ name, file: join(dir, f), truth: await truthFile.text() });
  }
  return out;
}

/** A .rm page, or every page with ink of a .rmdoc's first document, in order. */
async function readPages(file: string): Promise<Page[]> {
  if (extname(file).toLowerCase() === ".rm") return [parsePage(new Uint8Array(await Bun.file(file).arrayBuffer()), basename(file), { lenient: true })];
  const lib = await openInput(file);
  const doc = lib.documents[0];
  if (!doc) throw new Error(`${file}: no document inside`);
  const parsed = await parseDocumentPages(lib, doc);
  const bad = parsed.find((p) => p.error);
  if (bad) throw new Error(`${file}: page ${bad.ref.index + 1}: ${bad.error!.message}`);
  return parsed.flatMap((p) => (p.page ? [p.page] : []));
}

/** Reads a page's images; a rate limit is waited out (up to a minute, three times), any other failure is the page's result. */
async function readItem(engine: OcrEngine, pngs: Uint8Array[]) {
  const texts: string[] = [];
  let inputTokens = 0;
  let outputTokens = 0;
  let model: string | undefined;
  const t0 = performance.now();
  try {
    for (const png of pngs) {
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await engine.recognize({ png, annotatedPdf: false });
          texts.push(r.markdown);
          inputTokens += r.inputTokens;
          outputTokens += r.outputTokens;
          model ??= r.model;
          break;
        } catch (e) {
          if (!(e instanceof OcrRateLimited) || attempt >= 3) throw e;
          await Bun.sleep(Math.min(e.ms, 60_000));
        }
      }
    }
    return { text: texts.join("\n\n"), inputTokens, outputTokens, model, seconds: (performance.now() - t0) / 1000, error: null };
  } catch (e) {
    return { text: texts.join("\n\n"), inputTokens, outputTokens, model, seconds: (performance.now() - t0) / 1000, error: e instanceof Error ? e.message : String(e) };
  }
}

function summarise(engine: EngineName, model: string, rows: EvalPageResult[], set: SetItem[]): EvalSummary {
  let charErrors = 0;
  let chars = 0;
  let wordErrors = 0;
  let words = 0;
  for (const r of rows) {
    const rates = errorRates(set.find((s) => s.name === r.page)!.truth, r.text);
    charErrors += rates.charErrors;
    chars += rates.chars;
    wordErrors += rates.wordErrors;
    words += rates.words;
  }
  const costs = rows.map((r) => r.costUsd);
  return {
    engine,
    model: rows.find((r) => !r.error)?.model ?? model,
    pages: rows.length,
    failed: rows.filter((r) => r.error).length,
    cer: chars ? charErrors / chars : 0,
    wer: words ? wordErrors / words : 0,
    structure: rows.reduce((s, r) => ({ kept: s.kept + r.structure.kept, total: s.total + r.structure.total }), { kept: 0, total: 0 }),
    secondsPerPage: rows.length ? rows.reduce((t, r) => t + r.seconds, 0) / rows.length : 0,
    costPerPageUsd: costs.some((c) => c === null) || !rows.length ? null : costs.reduce((t: number, c) => t + c!, 0) / rows.length,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const usd = (x: number | null) => (x === null ? "?" : `$${x.toFixed(5)}`);
const kept = (s: { kept: number; total: number }) => (s.total ? `${s.kept}/${s.total}` : "—");

/** The printed table: one row per page and engine, then one summary row per engine. */
export function formatReport(report: EvalReport): string[] {
  const table = (head: string[], rows: string[][]) => {
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i]!)).join(" | ")} |`;
    return [line(head), `|${w.map((n) => "-".repeat(n + 2)).join("|")}|`, ...rows.map(line)];
  };
  const pages = table(
    ["page", "engine", "CER", "WER", "structure", "s", "cost", "error"],
    report.pages.map((r) => [r.page, r.engine, pct(r.cer), pct(r.wer), kept(r.structure), r.seconds.toFixed(1), usd(r.costUsd), r.error ?? ""]),
  );
  const sums = table(
    ["engine", "model", "pages", "failed", "CER", "WER", "structure", "s/page", "cost/page"],
    report.summaries.map((s) => [s.engine, s.model, String(s.pages), String(s.failed), pct(s.cer), pct(s.wer), kept(s.structure), s.secondsPerPage.toFixed(1), usd(s.costPerPageUsd)]),
  );
  return [...pages, "", ...sums];
}
