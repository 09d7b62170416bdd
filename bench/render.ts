// Parse + render throughput over the sample corpus, in-process, one core.
//   bun bench/render.ts [--seconds 5] [--samples DIR]
// Reports pages/s and MB/s for parse only, parse+SVG, and (fewer rounds) PNG and PDF.
// Record results in docs/benchmarks.md with the machine and date.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parsePage } from "../src/rm/page.ts";
import { renderPdf } from "../src/render/pdf.ts";
import { renderPng } from "../src/render/png.ts";
import { renderSvg } from "../src/render/svg.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "5" }, samples: { type: "string", default: resolve(import.meta.dir, "../../shared/samples") } },
});
const seconds = Number(values.seconds);
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

const corpus = rmFiles(dir).map((p) => ({ p, bytes: new Uint8Array(readFileSync(p)) }));
const totalBytes = corpus.reduce((s, f) => s + f.bytes.length, 0);
console.log(`corpus: ${corpus.length} pages, ${(totalBytes / 1e6).toFixed(2)} MB from ${dir}`);
console.log(`machine: ${cpus()[0]?.model ?? "?"} x${cpus().length}, bun ${Bun.version}, ${new Date().toISOString().slice(0, 10)}`);

async function measure(label: string, budget: number, fn: (f: (typeof corpus)[number]) => unknown): Promise<void> {
  for (const f of corpus) await fn(f); // warm-up
  let pages = 0;
  let bytes = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < budget * 1000) {
    for (const f of corpus) {
      await fn(f);
      pages++;
      bytes += f.bytes.length;
    }
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(16)} ${(pages / s).toFixed(0).padStart(7)} pages/s  ${(bytes / s / 1e6).toFixed(1).padStart(7)} MB/s  (${pages} pages in ${s.toFixed(1)} s)`);
}

await measure("parse", seconds, (f) => parsePage(f.bytes, f.p, { lenient: true }));
await measure("parse+svg", seconds, (f) => renderSvg(parsePage(f.bytes, f.p, { lenient: true })));
await measure("parse+png", Math.max(1, seconds / 2), (f) => renderPng(parsePage(f.bytes, f.p, { lenient: true }), { longEdge: 1568 }));
await measure("parse+pdf(1p)", Math.max(1, seconds / 2), (f) => renderPdf({ title: "bench", pages: [{ page: parsePage(f.bytes, f.p, { lenient: true }), sourcePage: null }] }));
console.log(`rss: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
