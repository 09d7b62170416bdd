// Without an OCR engine (issue 13 item 8) a handwritten page offers no "Run OCR now" button that
// can only fail: it says once how to set OCR up, and the Quota page names the missing engine as
// something to do, not as a fact in the "ok" colour. With an engine the button is there.
import { afterEach, expect, test } from "bun:test";
import { inkPage, ocrOverrides } from "../ocr/support.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { addUser, buildDoc, harness, syncDoc, type Harness } from "../support/server-harness.ts";
import { req, session } from "./support.ts";

let h: Harness | null = null;
let fake: FakeAnthropic | null = null;
afterEach(async () => {
  await h?.close();
  await fake?.close();
  h = null;
  fake = null;
});

async function handwrittenPage(hh: Harness) {
  const u = await addUser(hh, "ink@example.com");
  const d = buildDoc([inkPage(3)], { name: "Ink" });
  await syncDoc(hh, u.token, d);
  await hh.runner.idle();
  return { b: session(hh, u), uuid: d.uuid };
}

test("no engine: no Run OCR now, one setup hint on the page and on the Quota page", async () => {
  h = await harness();
  const { b, uuid } = await handwrittenPage(h);
  const html = await (await req(h, b, "GET", `/documents/${uuid}/pages/1`)).text();
  expect(html).toContain('data-page-status="pending_ocr"');
  expect(html).not.toContain('data-action="retry-ocr"');
  expect(html).toContain('data-ocr-setup="1"');
  expect(html.match(/data-ocr-setup="1"/g)!.length).toBe(1);
  const quota = await (await req(h, b, "GET", "/quota")).text();
  expect(quota).toContain('data-ocr-engine="missing"');
  expect(quota).toContain("RMIRROR_ANTHROPIC_API_KEY");
});

test("with an engine: no setup hint, the Quota page shows the engine as ready", async () => {
  fake = startFakeAnthropic();
  h = await harness({ overrides: ocrOverrides(fake, { "ocr.settleSeconds": 3600 }) }); // the page settles while we look
  const { b, uuid } = await handwrittenPage(h);
  const html = await (await req(h, b, "GET", `/documents/${uuid}/pages/1`)).text();
  expect(html).not.toContain('data-ocr-setup="1"');
  const quota = await (await req(h, b, "GET", "/quota")).text();
  expect(quota).toContain('data-ocr-engine="ready"');
});
