// What the quota went to this month and what it cost, estimated: the ledger of OCR reads (one row
// per read page: why, engine, model, tokens) against a price table the administrator can edit in
// Settings. The defaults are published list prices per million tokens, taken on PRICES_TAKEN_ON;
// they are estimates (no batch, cache or volume discounts, no taxes), not a bill.
import { AppError } from "../../errors.ts";
import type { AppContext } from "../context.ts";

export const PRICES_SETTING = "ocr.prices";
/** The day the default prices were read. */
export const PRICES_TAKEN_ON = "2026-12-03";

export interface Price {
  /** The engine as named in RMIRROR_OCR_ENGINE: anthropic, openai, gemini. */
  engine: string;
  /** A model id; also matches its dated snapshots ("gpt-4o-mini" matches "gpt-4o-mini-2024-07-18"). */
  model: string;
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
}

/**
 * List prices per million tokens on PRICES_TAKEN_ON (prompts as short as an OCR page; long-prompt
 * tiers do not apply). Claude: platform.claude.com model overviews (Haiku 5.5 from $0.10 / $0.50
 * for prompts up to 100K tokens; Sonnet 5.5 $2 / $10; Haiku 4.5 $1 / $5). OpenAI gpt-4o-mini:
 * $0.15 / $0.60. Gemini 3 Flash: $0.50 / $3.00 (paid tier).
 */
export const DEFAULT_PRICES: readonly Price[] = [
  { engine: "anthropic", model: "claude-haiku-5-5", input: 0.1, output: 0.5 },
  { engine: "anthropic", model: "claude-haiku-4-5", input: 1, output: 5 },
  { engine: "anthropic", model: "claude-sonnet-5-5", input: 2, output: 10 },
  { engine: "openai", model: "gpt-4o-mini", input: 0.15, output: 0.6 },
  { engine: "gemini", model: "gemini-3-flash", input: 0.5, output: 3 },
];

const MAX_ROWS = 100;
const NAME = /^[A-Za-z0-9._:/@+-]{1,100}$/;

/** The table as text: one "engine model input output" line per price (what Settings shows). */
export function formatPrices(prices: readonly Price[]): string {
  return prices.map((p) => `${p.engine} ${p.model} ${p.input} ${p.output}`).join("\n");
}

/** Parse the Settings text; blank lines and # comments are skipped. Throws a 400 naming the bad line. */
export function parsePrices(text: string): Price[] {
  if (text.length > 20_000) throw new AppError("bad_request", "The price table is too long.");
  const out: Price[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const f = line.split(/\s+/);
    const bad = (why: string) => new AppError("bad_request", `Price table line ${i + 1}: ${why} (expected: engine model input-USD-per-million output-USD-per-million).`);
    if (f.length !== 4) throw bad("four fields needed");
    const [engine, model, input, output] = f as [string, string, string, string];
    if (!NAME.test(engine) || !NAME.test(model)) throw bad("engine and model are names without spaces");
    const num = (s: string) => (/^\d{1,4}(\.\d{1,6})?$/.test(s) ? Number(s) : NaN);
    if (!Number.isFinite(num(input)) || !Number.isFinite(num(output))) throw bad("prices are numbers like 0.15");
    out.push({ engine: engine.toLowerCase(), model, input: num(input), output: num(output) });
  });
  if (out.length > MAX_ROWS) throw new AppError("bad_request", `The price table has more than ${MAX_ROWS} rows.`);
  return out;
}

/** The price table in force: the administrator's, else the defaults. */
export function priceTable(ctx: AppContext): { prices: Price[]; custom: boolean } {
  const raw = ctx.store.settingValue(PRICES_SETTING);
  if (raw !== null) {
    try {
      return { prices: JSON.parse(raw) as Price[], custom: true };
    } catch {
      // fall through to the defaults
    }
  }
  return { prices: [...DEFAULT_PRICES], custom: false };
}

/** Admin: save the table from Settings text; empty text restores the defaults. */
export function savePriceTable(ctx: AppContext, text: string): void {
  if (!text.trim()) {
    ctx.store.deleteSetting(PRICES_SETTING);
    return;
  }
  ctx.store.putSetting(PRICES_SETTING, JSON.stringify(parsePrices(text)));
}

/** The engine of a recorded key ("anthropic:claude-haiku-5-5:p2:…" → "anthropic"). */
export function engineOf(key: string): string {
  return key.split(":")[0] || "unknown";
}

/** The price of a model: the exact id, else the longest id it is a dated snapshot of; null when none. */
export function priceFor(prices: readonly Price[], engine: string, model: string): Price | null {
  let best: Price | null = null;
  for (const p of prices) {
    if (p.engine !== engine) continue;
    if (p.model === model) return p;
    if (model.startsWith(`${p.model}-`) && (!best || p.model.length > best.model.length)) best = p;
  }
  return best;
}

export const REASONS = ["new", "changed", "requested", "reread", "unknown"] as const;
export type ReasonCount = Record<(typeof REASONS)[number], number>;

export interface ModelUsage {
  engine: string;
  model: string;
  pages: number;
  inputTokens: number;
  outputTokens: number;
  /** Estimated USD; null when the table has no price for this model. */
  costUsd: number | null;
}

export interface MonthUsage {
  month: string;
  /** Read pages this month per reason ("where the quota went"); unknown: read before reasons were recorded. */
  reasons: ReasonCount;
  models: ModelUsage[];
  /** Sum of the priced models (USD). */
  costUsd: number;
  /** Some pages were read by a model without a price. */
  unpriced: boolean;
  pricesTakenOn: string;
  customPrices: boolean;
}

/** One user's reads in quota month `month`: counts per reason and the estimated cost per engine/model. */
export function monthUsage(ctx: AppContext, userId: number, month: string): MonthUsage {
  const { prices, custom } = priceTable(ctx);
  const reasons: ReasonCount = { new: 0, changed: 0, requested: 0, reread: 0, unknown: 0 };
  const byModel = new Map<string, ModelUsage>();
  for (const r of ctx.store.ocrReadSums(userId, month)) {
    const reason = r.reason && r.reason in reasons ? (r.reason as keyof ReasonCount) : "unknown";
    reasons[reason] += r.pages;
    const engine = engineOf(r.engine_key);
    const k = `${engine}\u0000${r.model}`;
    const m = byModel.get(k) ?? { engine, model: r.model || "unknown", pages: 0, inputTokens: 0, outputTokens: 0, costUsd: null };
    m.pages += r.pages;
    m.inputTokens += r.input_tokens;
    m.outputTokens += r.output_tokens;
    byModel.set(k, m);
  }
  let cost = 0;
  let unpriced = false;
  const models = [...byModel.values()].sort((a, b) => b.pages - a.pages);
  for (const m of models) {
    const p = priceFor(prices, m.engine, m.model);
    if (!p) {
      unpriced = true;
      continue;
    }
    m.costUsd = (m.inputTokens * p.input + m.outputTokens * p.output) / 1e6;
    cost += m.costUsd;
  }
  return { month, reasons, models, costUsd: cost, unpriced, pricesTakenOn: PRICES_TAKEN_ON, customPrices: custom };
}
