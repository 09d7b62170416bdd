// Fuzzing the other parsers: .content/.metadata JSON (structure-aware mutations of real files) and
// zip containers (byte mutations of the real archives, opened all the way to parsed pages).
// Every case must end in a result or a typed RmFormatError, quickly.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { openLibrary } from "../../src/rm/container/library.ts";
import { parseDocumentPages } from "../../src/rm/container/parse-pages.ts";
import { openZipSource } from "../../src/rm/container/zip-source.ts";
import { parseContent } from "../../src/rm/content.ts";
import { RmFormatError } from "../../src/rm/errors.ts";
import { parseMetadata } from "../../src/rm/metadata.ts";
import { mutate, rng } from "../support/fuzz.ts";
import { HAVE_SAMPLES, SAMPLES_DIR, describeSamples } from "../support/samples.ts";

function walk(dir: string, pick: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...walk(p, pick));
    else if (pick(n)) out.push(p);
  }
  return out;
}

const WEIRD: unknown[] = [null, true, -1, 0, 1e308, "", "x".repeat(1000), [], {}, [null], { value: null }, "ba", -0.5, "1743202784037"];

/** Replace a random node of a JSON value by something of the wrong type or shape. */
function mutateJson(v: unknown, r: () => number, depth = 0): unknown {
  if (depth > 6 || r() < 0.15) return WEIRD[Math.floor(r() * WEIRD.length)];
  if (Array.isArray(v)) {
    const c = v.slice();
    if (c.length && r() < 0.3) c.splice(Math.floor(r() * c.length), 1);
    if (c.length) { const i = Math.floor(r() * c.length); c[i] = mutateJson(c[i], r, depth + 1); }
    return c;
  }
  if (v && typeof v === "object") {
    const c: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(c);
    if (keys.length) { const k = keys[Math.floor(r() * keys.length)]!; c[k] = r() < 0.2 ? undefined : mutateJson(c[k], r, depth + 1); }
    return c;
  }
  return r() < 0.5 ? WEIRD[Math.floor(r() * WEIRD.length)] : v;
}

function expectTypedOrOk(fn: () => unknown, label: string): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    if (!(e instanceof RmFormatError)) throw new Error(`${label}: ${(e as Error)?.stack ?? e}`);
    return true;
  }
}

describeSamples("fuzzing sidecar JSON", () => {
  test("4,000 mutated .content and .metadata files end in a value or a typed error", () => {
    const contents = HAVE_SAMPLES ? walk(SAMPLES_DIR, (n) => n.endsWith(".content")) : [];
    const isJson = (p: string) => { try { JSON.parse(readFileSync(p, "utf8")); return true; } catch { return false; } };
    // (rm2pdf's landscape/inserted-pages.metadata are not JSON at all: they are tested as raw damage below)
    const metas = HAVE_SAMPLES ? walk(SAMPLES_DIR, (n) => n.endsWith(".metadata")).filter(isJson) : [];
    expect(contents.length).toBeGreaterThan(3);
    let typed = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed);
      const c = contents[seed % contents.length]!;
      const cj = JSON.stringify(mutateJson(JSON.parse(readFileSync(c, "utf8")), r)) ?? "null";
      if (expectTypedOrOk(() => {
        const content = parseContent(cj, c, "Blank\nBlank\n");
        expect(Array.isArray(content.pages)).toBe(true);
        for (const p of content.pages) expect(typeof p.id).toBe("string");
      }, `content seed ${seed}`)) typed++;
      const m = metas[seed % metas.length]!;
      const mj = JSON.stringify(mutateJson(JSON.parse(readFileSync(m, "utf8")), r)) ?? "null";
      if (expectTypedOrOk(() => {
        const meta = parseMetadata(mj, m);
        expect(typeof meta.visibleName).toBe("string");
        expect(Number.isFinite(meta.lastModified)).toBe(true);
      }, `metadata seed ${seed}`)) typed++;
      // and raw byte damage
      if (expectTypedOrOk(() => parseContent(mutate(new TextEncoder().encode(cj), seed, 0), c), `raw content seed ${seed}`)) typed++;
    }
    expect(typed).toBeGreaterThan(0);
  });
});

/** A fixed number of cases (never "as many as fit in a time budget"); FUZZ_ZIP_CASES for more. */
const ZIP_CASES = Number(process.env.FUZZ_ZIP_CASES ?? 400);

describeSamples("fuzzing zip containers", () => {
  test(`${ZIP_CASES} mutated archives open to a library (or a typed error) and every page parses or fails typed`, async () => {
    const zips = HAVE_SAMPLES ? walk(SAMPLES_DIR, (n) => n.endsWith(".zip")).filter((p) => statSync(p).size < 200_000) : [];
    expect(zips.length).toBeGreaterThan(5);
    const originals = zips.map((p) => new Uint8Array(readFileSync(p)));
    let cases = 0;
    for (let seed = 1; seed <= ZIP_CASES; seed++) {
      const i = seed % zips.length;
      const bytes = mutate(originals[i]!, seed, 0);
      try {
        const lib = await openLibrary(openZipSource(bytes, zips[i]!));
        for (const doc of lib.documents) await parseDocumentPages(lib, doc);
        for (const e of lib.errors) expect(e.error).toBeInstanceOf(RmFormatError);
      } catch (e) {
        if (!(e instanceof RmFormatError)) throw new Error(`zip seed ${seed} (${zips[i]}): ${(e as Error)?.stack ?? e}`);
      }
      cases++;
    }
    expect(cases).toBe(ZIP_CASES);
  }, 120_000);
});
