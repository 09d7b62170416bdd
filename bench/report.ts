// Shared by the benches that must "tell the truth on a busy machine": who ran where, how loaded
// the machine was, and min / median / p95 of repeated measurements.
import { cpus, freemem, loadavg, totalmem } from "node:os";

/** One line: CPU model × cores, memory, bun version, UTC time. */
export function machine(): string {
  const c = cpus();
  return `${c[0]?.model?.trim() ?? "cpu"} × ${c.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GB (${(freemem() / 2 ** 30).toFixed(1)} GB free), bun ${Bun.version}, ${process.platform}-${process.arch}, ${new Date().toISOString().slice(0, 16)}Z`;
}

/** The 1, 5 and 15 minute load averages. */
export function load(): string {
  return loadavg().map((l) => l.toFixed(2)).join(" ");
}

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

export function summarize(xs: number[]): Summary {
  if (!xs.length) throw new Error("nothing measured");
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { n: s.length, min: s[0]!, median: mid, p95: at(0.95), max: s.at(-1)! };
}

/** "min 12 / median 14 / p95 19 ms (n 10)"; p95 only when there are enough samples to mean something. */
export function fmt(s: Summary, unit = "ms", digits = 0): string {
  const f = (x: number) => x.toFixed(digits);
  return `min ${f(s.min)} / median ${f(s.median)}${s.n >= 10 ? ` / p95 ${f(s.p95)}` : ""} ${unit} (n ${s.n})`;
}
