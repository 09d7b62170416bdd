// Shared helpers for the OCR/quota tests: ink pages, waiting for a condition, page lookups.
import { buildV3V5 } from "../rm/build-v3v5.ts";
import { afterAll, beforeEach, expect } from "bun:test";
import { quotaMonth } from "../../src/quota/index.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { resetFake } from "../support/fake-ocr-api.ts";
import type { Harness } from "../support/server-harness.ts";

/** One fake Messages API for the test file; its request log, script and hold are cleared before each test. */
export function fakeAnthropicForFile(): FakeAnthropic {
  const fake = startFakeAnthropic();
  afterAll(() => fake.close());
  beforeEach(() => {
    resetFake(fake);
    fake.thinkingTokens = 600;
  });
  return fake;
}

/** Server settings that point OCR at the fake (pages are read at once unless `extra` sets ocr.settleSeconds). */
export function ocrOverrides(fake: FakeAnthropic, extra: Record<string, string | number | boolean> = {}) {
  return { "ocr.apiKey": fake.apiKey, "ocr.baseUrl": fake.url, "ocr.settleSeconds": 0, ...extra };
}

/** A v5 page with one fineliner stroke; `seed` makes its bytes (and hash) unique. */
export function inkPage(seed: number): Uint8Array {
  const pts: number[][] = [];
  for (let i = 0; i < 12; i++) pts.push([100 + seed * 3 + i * 20, 200 + (i % 3) * 15 + seed, 0, 0, 2, 0.5]);
  return buildV3V5(5, [[{ tool: 17, points: pts }]]);
}

/** A page with a layer but no strokes (has a hash, nothing to read). */
export function emptyPage(): Uint8Array {
  return buildV3V5(5, [[]]);
}

/** Poll a condition (for work on the running runner; not a timing sleep). The timeout is a hang guard. */
export async function until(cond: () => boolean, what = "condition", timeoutMs = 100_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/**
 * With the runner started and a page waiting behind an outage or rate limit: moves the clock by
 * `stepMs` whenever nothing is in flight (so the waits pass without sleeping through them) until
 * the page is read, then checks it took one job attempt and one quota page.
 */
export async function readAfterWaits(h: Harness, userId: number, pageId: number, clock: { now: number }, stepMs: number): Promise<void> {
  await until(() => {
    if (h.runner.inFlight === 0) clock.now += stepMs;
    return ocrStatus(h, pageId) === "done";
  }, "OCR done after the outage");
  const job = h.ctx.store.jobsByUser(userId, { kind: "ocr", limit: 1 })[0]!;
  expect(job.status).toBe("done");
  expect(job.attempts).toBe(1);
  expect(h.ctx.store.quotaUsed(userId, quotaMonth(clock.now, "UTC"))).toBe(1);
}

export function pageIds(h: Harness, userId: number, docUuid: string): number[] {
  const doc = h.ctx.store.documentByUuid(userId, docUuid)!;
  return h.ctx.store.pagesByDocument(doc.id).map((p) => p.id);
}

export function ocrStatus(h: Harness, pageId: number): string | undefined {
  return h.ctx.store.pageOcrByPage(pageId)?.status;
}

export function statusCounts(h: Harness, userId: number): Record<string, number> {
  return Object.fromEntries(h.ctx.store.pageOcrCounts(userId).map((r) => [r.status, r.n]));
}
