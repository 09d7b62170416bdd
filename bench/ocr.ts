// OCR throughput through the real pipeline (issue 14): pages per minute at OCR concurrency 1, 2
// and 4 against a provider that answers like a real one: 2–6 s per page and a rate limit.
//
//   bun bench/ocr.ts [--pages 24] [--rpm 30] [--concurrency 1,2,4] [--repeats 1]
//
// Fixed work: --pages ink pages (one notebook) synced through the real app, rendered and read by
// the real job runner with engine openai (the real SDK) against test/support/fake-openai.ts. Each
// page's latency is 2–6 s, fixed by a seeded hash of its image (the same pages cost the same at
// every concurrency); the fake admits --rpm requests per sliding minute (as 1/3 of it per 20 s)
// and answers 429 rate_limit_exceeded with retry-after beyond that, which the queue waits out
// without spending attempts. Reported: wall time from sync to the last page done, pages/minute,
// 429s, and the load average before and after.
import { parseArgs } from "node:util";
import { addUser, buildDoc, harness, syncDoc } from "../test/support/server-harness.ts";
import { startFakeOpenAi } from "../test/support/fake-openai.ts";
import { inkPage } from "../test/ocr/support.ts";
import { load, machine } from "./report.ts";

const { values: opt } = parseArgs({ options: { pages: { type: "string" }, rpm: { type: "string" }, concurrency: { type: "string" }, repeats: { type: "string" } } });
const PAGES = Number(opt.pages ?? 24);
const RPM = Number(opt.rpm ?? 30);
const LEVELS = (opt.concurrency ?? "1,2,4").split(",").map(Number);
const REPEATS = Number(opt.repeats ?? 1);

/** 2000–6000 ms from the image bytes (seeded, so every run and concurrency sees the same latencies). */
function latencyMs(png: Uint8Array): number {
  const h = Number(BigInt.asUintN(32, BigInt(Bun.hash(png, 14))));
  return 2000 + (h % 4001);
}

const fake = startFakeOpenAi();
fake.latency = (r) => latencyMs(r.png);
fake.limit = { requests: Math.max(1, Math.round(RPM / 3)), windowMs: 20_000 };

console.log(`# OCR throughput — ${machine()}`);
console.log(`${PAGES} pages per run, latency 2–6 s per page (seeded), rate limit ${fake.limit.requests} requests / 20 s (${RPM}/min), engine openai (SDK) → loopback fake`);
try {
  for (const c of LEVELS) {
    for (let rep = 0; rep < REPEATS; rep++) {
      const before = load();
      const h = await harness({ overrides: { "ocr.engine": "openai", "ocr.openai.apiKey": fake.apiKey, "ocr.openai.baseUrl": fake.url, "ocr.openai.reasoningEffort": "none", "ocr.settleSeconds": 0, "ocr.concurrency": c, "jobs.pollMs": 50 }, jobs: true });
      try {
        fake.requests.length = 0;
        fake.limited = 0;
        const u = await addUser(h, `bench${c}-${rep}@example.com`);
        // Different ink per run would change the latencies: the same pages every run.
        const doc = buildDoc(Array.from({ length: PAGES }, (_, i) => inkPage(i + 1)));
        const t0 = performance.now();
        await syncDoc(h, u.token, doc);
        const d = h.ctx.store.documentByUuid(u.id, doc.uuid)!;
        const ids = h.ctx.store.pagesByDocument(d.id).map((p) => p.id);
        const deadline = t0 + 30 * 60_000;
        for (;;) {
          const done = ids.filter((id) => h.ctx.store.pageOcrByPage(id)?.status === "done").length;
          const failed = ids.filter((id) => h.ctx.store.pageOcrByPage(id)?.status === "failed").length;
          if (done + failed === ids.length) {
            if (failed) console.log(`  ${failed} page(s) failed`);
            break;
          }
          if (performance.now() > deadline) throw new Error("bench: OCR did not finish within 30 minutes");
          await Bun.sleep(100);
        }
        const s = (performance.now() - t0) / 1000;
        // Each page's provider time once (a request refused with 429 never reached the model).
        const perPage = new Map(fake.requests.map((r) => [Bun.hash(r.png).toString(), latencyMs(r.png)]));
        const sumLatency = [...perPage.values()].reduce((t, ms) => t + ms, 0) / 1000;
        console.log(
          `concurrency ${c}: ${s.toFixed(1)} s for ${PAGES} pages = ${((PAGES / s) * 60).toFixed(1)} pages/min; ${fake.limited} × 429; provider time ${sumLatency.toFixed(0)} s (ideal ${(sumLatency / c).toFixed(1)} s at this concurrency); load ${before} → ${load()}`,
        );
      } finally {
        await h.close();
      }
    }
  }
} finally {
  await fake.close();
}
