// Timing of hostile-input handling that the tests check for behaviour only (a test asserts what
// happens, never how fast: tests must pass on a loaded machine). Run it on a quiet machine and
// record the figures in docs/benchmarks.md with the machine and date.
//   bun bench/hostile-input.ts [--cases 2500]
// Reports: Markdown → Notion blocks (generated + mutated cases/s, slowest case, each pathological
// shape); .rm parser fuzz (mutations/s, slowest case); a zip entry lying about its size (20 MB of
// zeros declared as 1,000 bytes) refused; huge v3/v5 counts refused.
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { markdownToBlocks, planAppend, type Block } from "../src/notion/markdown-to-blocks.ts";
import { openZipSource } from "../src/rm/container/zip-source.ts";
import { parsePage } from "../src/rm/page.ts";
import { buildZip } from "../test/rm/build-zip.ts";
import { mutate } from "../test/support/fuzz.ts";
import { generate, PATHOLOGICAL } from "../test/support/markdown-shapes.ts";
import { HAVE_SAMPLES, sample, SAMPLES_DIR } from "../test/support/samples.ts";

const { values } = parseArgs({ options: { cases: { type: "string", default: "2500" } } });
const CASES = Number(values.cases);

function plan(blocks: Block[]): number {
  let n = 0;
  for (const s of planAppend(blocks)) {
    n++;
    for (const later of s.deferred) if (later) n += plan(later);
  }
  return n;
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

console.log(`machine: ${cpus()[0]?.model ?? "?"} × ${cpus().length}, bun ${Bun.version}, ${new Date().toISOString()}`);

// Markdown → Notion blocks
{
  let slowest = 0;
  const t0 = performance.now();
  for (let seed = 1; seed <= CASES; seed++) {
    const md = generate(seed).md;
    for (const input of [md, new TextDecoder().decode(mutate(new TextEncoder().encode(md), seed, 0))]) {
      const [, ms] = timed(() => plan(markdownToBlocks(input)));
      slowest = Math.max(slowest, ms);
    }
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`markdown→notion fuzz: ${CASES} generated + ${CASES} mutated in ${s.toFixed(2)} s (${((2 * CASES) / s).toFixed(0)} cases/s), slowest case ${slowest.toFixed(1)} ms`);
  for (const [name, md] of Object.entries(PATHOLOGICAL)) console.log(`  pathological "${name}": ${timed(() => plan(markdownToBlocks(md)))[1].toFixed(0)} ms`);
}

// .rm parser fuzz
if (HAVE_SAMPLES) {
  const files = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith(".rm")).map((f) => new Uint8Array(readFileSync(sample(f))));
  let slowest = 0;
  const n = 3000;
  const t0 = performance.now();
  for (let seed = 1; seed <= n; seed++) {
    const input = mutate(files[seed % files.length]!, seed);
    for (const lenient of [false, true]) {
      const [, ms] = timed(() => {
        try {
          parsePage(input, "x.rm", { lenient });
        } catch {}
      });
      slowest = Math.max(slowest, ms);
    }
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`.rm fuzz: ${n} mutations × 2 modes in ${s.toFixed(2)} s (${((2 * n) / s).toFixed(0)} parses/s), slowest ${slowest.toFixed(1)} ms`);
}

// A zip entry that lies about its size
{
  const src = openZipSource(buildZip([{ name: "liar.rm", data: new Uint8Array(20 * 1024 * 1024), deflate: true, declaredSize: 1000 }]), "liar.zip");
  const t0 = performance.now();
  await src.read("liar.rm").catch(() => {});
  console.log(`zip entry declaring 1,000 bytes, inflating to 20 MB: refused in ${(performance.now() - t0).toFixed(1)} ms`);
}
