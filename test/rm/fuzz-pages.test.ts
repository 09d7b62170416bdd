// Fuzzing the .rm parsers (v3, v5, v6): thousands of seeded mutations of the real samples. Every case
// must end either in a Page or in a typed RmFormatError naming the file — never another exception,
// never unbounded memory (RSS checked at the end). A fixed number of cases (FUZZ_CASES for more);
// how fast they run is measured in bench/hostile-input.ts, never asserted here.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { RmFormatError } from "../../src/rm/errors.ts";
import type { Page } from "../../src/rm/model.ts";
import { parsePage } from "../../src/rm/page.ts";
import { renderPng } from "../../src/render/png.ts";
import { mutate } from "../support/fuzz.ts";
import { HAVE_SAMPLES, describeSamples, sample, SAMPLES_DIR } from "../support/samples.ts";

const CASES = Number(process.env.FUZZ_CASES ?? 1500);
/** Parsed mutations also drawn as PNG (small, so the fixed count stays cheap). */
const PNG_CASES = Number(process.env.FUZZ_PNG_CASES ?? 250);

function corpus(): { name: string; bytes: Uint8Array }[] {
  if (!HAVE_SAMPLES) return [];
  const files = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith(".rm"));
  files.push(...readdirSync(sample("rm2pdf__testfiles")).filter((f) => f.endsWith(".rm")).map((f) => `rm2pdf__testfiles/${f}`));
  // keep the corpus small-file heavy so each case is fast; large files are still mutated
  return files.map((name) => ({ name, bytes: new Uint8Array(readFileSync(sample(name))) }));
}

describeSamples("fuzzing .rm pages", () => {
  test(`${CASES} seeded mutations end in a Page or a typed error`, () => {
    const files = corpus();
    expect(files.length).toBeGreaterThan(30);
    let ran = 0;
    let typed = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const f = files[seed % files.length]!;
      const input = mutate(f.bytes, seed);
      for (const lenient of [false, true]) {
        try {
          const page = parsePage(input, f.name, { lenient });
          expect(Array.isArray(page.layers)).toBe(true);
        } catch (e) {
          if (!(e instanceof RmFormatError)) {
            throw new Error(`seed ${seed} (${f.name}, lenient=${lenient}): ${(e as Error)?.stack ?? e}`);
          }
          expect(e.file).toBe(f.name);
          expect(e.message.length).toBeGreaterThan(10);
          typed++;
        }
      }
      ran++;
    }
    console.log(`fuzz: ${ran} cases x2 modes, ${typed} typed errors`);
    expect(ran).toBe(CASES);
    expect(typed).toBeGreaterThan(0); // the mutations do hit error paths
    expect(process.memoryUsage().rss).toBeLessThan(1.5 * 1024 ** 3);
  });

  // PNG output too (issue 12 item 8): before ink and paper sizes were bounded, 0.7 % of parsed
  // mutations made resvg throw "Target size is zero". Every parsed page must now draw.
  test(`${PNG_CASES} parsed mutations draw as PNG`, async () => {
    const files = corpus();
    let drawn = 0;
    for (let seed = 1; drawn < PNG_CASES && seed <= PNG_CASES * 20; seed++) {
      const f = files[seed % files.length]!;
      let page: Page;
      try {
        page = parsePage(mutate(f.bytes, seed), f.name, { lenient: true });
      } catch {
        continue; // typed parse errors are the other test's business
      }
      let png: Uint8Array;
      try {
        png = await renderPng(page, { longEdge: 48 });
      } catch (e) {
        throw new Error(`seed ${seed} (${f.name}): PNG failed: ${(e as Error)?.message ?? e}`);
      }
      expect(Buffer.from(png.subarray(1, 4)).toString()).toBe("PNG");
      drawn++;
    }
    expect(drawn).toBe(PNG_CASES);
  });
});
