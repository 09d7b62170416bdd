// Parse + render throughput over the sample corpus, in-process, one core.
//   bun bench/render.ts [--repeat 7] [--png-repeat 3] [--samples DIR]
// A fixed amount of work on the same page set every run: each measurement is `repeat` timed passes
// over every `.rm` page of the corpus (sorted by path; its size and a hash of its file list are
// printed), after one warm-up pass. A busy machine shows slower, never fewer pages. Prints
// min / median per pass (pages/s from each) and the load average before and after each row.
// Record results in docs/benchmarks.md with the machine, date and load.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parsePage } from "../src/rm/page.ts";
import { renderPdf } from "../src/render/pdf.ts";
import { renderPng } from "../src/render/png.ts";
import { renderSvg } from "../src/render/svg.ts";

const { values } = parseArgs({
  options: {
    repeat: { type: "string", default: "7" },
    "png-repeat": { type: "string", default: "3" },
    samples: { type: "string", default: resolve(import.meta.dir, "../../shared/samples") },
  },
});
const repeat = Math.max(1, Math.floor(Number(values.repeat)));
const pngRepeat = Math.max(1, Math.floor(Number(values["png-repeat"])));
const dir = values.samples!;

function rmFiles(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...rmFiles(p));
    else if (name.endsWith(".rm")) out.push(p);
  }
  return out;
}

const corpus = rmFiles(dir)
  .sort()
  .map((p) => ({ p, bytes: new Uint8Array(readFileSync(p)) }));
const totalBytes = corpus.reduce((s, f) => s + f.bytes.length, 0);
const fingerprint = createHash("sha256");
for (const f of corpus) fingerprint.update(`${relative(dir, f.p)}\0${f.bytes.length}\n`);
console.log(`corpus: ${corpus.length} pages, ${(totalBytes / 1e6).toFixed(2)} MB from ${dir} (file list ${fingerprint.digest("hex").slice(0, 12)})`);
console.log(`machine: ${cpus()[0]?.model ?? "?"} x${cpus().length}, bun ${Bun.version}, ${new Date().toISOString().slice(0, 16)}Z`);
console.log(`work: ${repeat} timed passes per row (PNG and PDF rows: ${pngRepeat}), one warm-up pass each`);

const load = () => loadavg().map((v) => v.toFixed(2)).join("/");

async function measure(label: string, passes: number, fn: (f: (typeof corpus)[number]) => unknown): Promise<void> {
  for (const f of corpus) await fn(f); // warm-up
  const before = load();
  const times: number[] = [];
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    for (const f of corpus) await fn(f);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const min = times[0]!;
  const median = times[times.length >> 1]!;
  const rate = (s: number) => (corpus.length / s).toFixed(0).padStart(6);
  const mbs = (s: number) => (totalBytes / s / 1e6).toFixed(1).padStart(6);
  console.log(
    `${label.padEnd(14)} pass min ${(min * 1000).toFixed(0).padStart(6)} ms (${rate(min)} pages/s, ${mbs(min)} MB/s)` +
      `  median ${(median * 1000).toFixed(0).padStart(6)} ms (${rate(median)} pages/s)  load ${before} → ${load()}`,
  );
}

await measure("parse", repeat, (f) => parsePage(f.bytes, f.p, { lenient: true }));
await measure("parse+svg", repeat, (f) => renderSvg(parsePage(f.bytes, f.p, { lenient: true })));
await measure("parse+png", pngRepeat, (f) => renderPng(parsePage(f.bytes, f.p, { lenient: true }), { longEdge: 1568 }));
await measure("parse+pdf(1p)", pngRepeat, (f) => renderPdf({ title: "bench", pages: [{ page: parsePage(f.bytes, f.p, { lenient: true }), sourcePage: null }] }));
console.log(`rss: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
