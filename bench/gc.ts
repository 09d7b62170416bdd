// bench/gc.ts — blob garbage collection on a generated library: --docs documents × --pages pages
// (every page a unique small blob, referenced), then the same number of uploads no document names
// (garbage). Times a dry run, the real run (everything past the grace period) and a run that finds
// nothing; meanwhile a 1 ms ticker measures the longest event-loop stall (what requests would feel).
//   bun bench/gc.ts [--docs 1000] [--pages 10]
import { parseArgs } from "node:util";
import { collectGarbage } from "../src/services/operations/blob-gc.ts";
import { addUser, buildDoc, call, harness, syncDoc } from "../test/support/server-harness.ts";
import { sha256Hex } from "../src/blobs/store.ts";

const { values } = parseArgs({ options: { docs: { type: "string" }, pages: { type: "string" } } });
const DOCS = Number(values.docs ?? 1000);
const PAGES = Number(values.pages ?? 10);

const h = await harness();
const u = await addUser(h, "bench@example.com");
const blob = () => crypto.getRandomValues(new Uint8Array(256));
for (let d = 0; d < DOCS; d++) await syncDoc(h, u.token, buildDoc(Array.from({ length: PAGES }, blob), { name: `Bench ${d}` }));
for (let i = 0; i < DOCS * PAGES; i++) {
  const b = blob();
  await call(h, "PUT", `/api/v1/blobs/${sha256Hex(b)}`, { token: u.token, body: b });
}

async function measured<T>(f: () => Promise<T>) {
  let last = performance.now();
  let worst = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  const r = await f();
  const ms = performance.now() - t0;
  clearInterval(tick);
  return { r, ms, worst };
}
const later = Date.now() + 25 * 3_600_000;
const dry = await measured(() => collectGarbage(h.ctx, { now: later, dryRun: true }));
const real = await measured(() => collectGarbage(h.ctx, { now: later }));
const none = await measured(() => collectGarbage(h.ctx, { now: later }));
const line = (name: string, m: typeof dry) =>
  console.log(`${name}: ${m.ms.toFixed(0)} ms, examined ${m.r.examined}, deleted ${m.r.deleted} (+${m.r.unindexed} unindexed), longest event-loop stall ${m.worst.toFixed(1)} ms`);
console.log(`library: ${DOCS} documents, ${DOCS * PAGES} referenced page blobs, ${DOCS * PAGES} unreferenced uploads (disk store)`);
line("dry run", dry);
line("collect", real);
line("nothing to collect", none);
await h.close();
