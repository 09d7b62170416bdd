// Quota notices tell the truth with small limits (issue 13 item 11): only the highest threshold
// reached is sent, its numbers are the real ones, and a lower threshold never follows a higher one
// in the same month (a refund can bring the count back under it). Real SQLite, the real service.
import { afterEach, expect, test } from "bun:test";
import { checkQuotaThresholds } from "../../src/services/ocr/notifications.ts";
import { addUser, call, harness, json, type Harness } from "../support/server-harness.ts";

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const state = (used: number, limit: number) => ({ used, limit, month: "2026-12", resets_at: "2027-01-01T00:00:00.000Z" });

async function notices(token: string): Promise<{ threshold: number; message: string; data: { used: number; limit: number } }[]> {
  return (await json(await call(h!, "GET", "/api/v1/notifications", { token }))).items;
}

test("a limit of 2 reached at once: one notice, 100 %, never '2 of 2 (90 %)'", async () => {
  h = await harness();
  const u = await addUser(h, "small@example.com");
  checkQuotaThresholds(h.ctx, u.id, state(1, 2)); // 50 %: nothing
  expect(await notices(u.token)).toEqual([]);
  checkQuotaThresholds(h.ctx, u.id, state(2, 2));
  const items = await notices(u.token);
  expect(items.map((i) => i.threshold)).toEqual([100]);
  expect(items[0]!.message).toContain("all 2 OCR pages");
  expect(items[0]!.message).not.toContain("90 %");
  expect(items[0]!.data).toMatchObject({ used: 2, limit: 2 });
});

test("the 90 % notice states the real share; after 100 % no 90 % notice follows in the same month", async () => {
  h = await harness();
  const u = await addUser(h, "ten@example.com");
  checkQuotaThresholds(h.ctx, u.id, state(9, 10));
  let items = await notices(u.token);
  expect(items.map((i) => i.threshold)).toEqual([90]);
  expect(items[0]!.message).toContain("9 of 10 OCR pages (90 %)");
  checkQuotaThresholds(h.ctx, u.id, state(10, 10));
  checkQuotaThresholds(h.ctx, u.id, state(9, 10)); // a refund, then more pages
  checkQuotaThresholds(h.ctx, u.id, state(10, 10));
  items = await notices(u.token);
  expect(items.map((i) => i.threshold)).toEqual([100, 90]);

  const v = await addUser(h, "jump@example.com");
  checkQuotaThresholds(h.ctx, v.id, state(7, 7)); // straight to 100 %
  checkQuotaThresholds(h.ctx, v.id, state(6, 7)); // 85 %: below 90 anyway
  expect((await notices(v.token)).map((i) => i.threshold)).toEqual([100]);

  const w = await addUser(h, "odd@example.com");
  checkQuotaThresholds(h.ctx, w.id, state(19, 20)); // 95 %: the 90 % notice says 95 %
  expect((await notices(w.token))[0]!.message).toContain("19 of 20 OCR pages (95 %)");
});
