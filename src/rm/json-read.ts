// Reading the JSON sidecars (.metadata, .content, -metadata.json, .highlights/*.json) tolerantly:
// size-limited, BOM-tolerant, and with small typed getters that fall back instead of throwing,
// because every firmware generation writes a slightly different set of keys and types.

import { RmFormatError } from "./errors.ts";
import { LIMITS } from "./limits.ts";

export type JsonObject = Record<string, unknown>;

const UTF8 = new TextDecoder("utf-8", { fatal: false });

/** Decode bytes (or take a string) and parse it as a JSON object; `{}` for blank input when allowed. */
export function readJsonObject(input: Uint8Array | string, file: string, opts: { blankIsEmpty?: boolean } = {}): JsonObject {
  const text = decodeJsonText(input, file);
  if (opts.blankIsEmpty && text.trim() === "") return {};
  const value = parseJson(text, file);
  if (!isObject(value)) throw new RmFormatError("bad_json", file, -1, "a JSON object", `got ${describe(value)}`);
  return value;
}

export function decodeJsonText(input: Uint8Array | string, file: string): string {
  const size = typeof input === "string" ? input.length : input.byteLength;
  if (size > LIMITS.maxJsonBytes) {
    throw new RmFormatError("too_large", file, -1, `JSON of at most ${LIMITS.maxJsonBytes} bytes`, `${size} bytes`);
  }
  const text = typeof input === "string" ? input : UTF8.decode(input);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RmFormatError("bad_json", file, -1, "valid JSON", e instanceof Error ? e.message : String(e));
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : typeof value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function objectAt(obj: JsonObject, key: string): JsonObject | undefined {
  const v = obj[key];
  return isObject(v) ? v : undefined;
}

export function arrayAt(obj: JsonObject, key: string): unknown[] | undefined {
  const v = obj[key];
  return Array.isArray(v) ? v : undefined;
}

export function stringAt(obj: JsonObject, key: string, fallback: string): string {
  const v = obj[key];
  return typeof v === "string" ? v : fallback;
}

export function boolAt(obj: JsonObject, key: string, fallback: boolean): boolean {
  const v = obj[key];
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return fallback;
}

/** A number, also accepting numeric strings (old firmware wrote some counters as strings). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function numberAt(obj: JsonObject, key: string, fallback: number): number {
  return toNumber(obj[key]) ?? fallback;
}

export function intAt(obj: JsonObject, key: string, fallback: number): number {
  const n = toNumber(obj[key]);
  return n === undefined ? fallback : Math.trunc(n);
}

/**
 * Timestamps are strings of epoch milliseconds; tolerate numbers, null and "" (→ 0), and
 * values written in micro- or nanoseconds (a 2022 sample has a 19-digit lastModified).
 */
export function toEpochMs(v: unknown): number {
  const n = toNumber(v);
  if (n === undefined || n <= 0) return 0;
  if (n >= 1e17) return Math.trunc(n / 1e6);
  if (n >= 1e14) return Math.trunc(n / 1e3);
  return Math.trunc(n);
}
