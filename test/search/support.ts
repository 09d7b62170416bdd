// Shared set-up of the search tests: a server whose OCR (a fake Messages API) answers with known
// texts, and a search call.
import { startFakeAnthropic } from "../support/fake-anthropic.ts";
import { call, harness, json, type Harness, type TestUser } from "../support/server-harness.ts";

/**
 * A server whose OCR answers `texts[1]`, `texts[2]`, … in the order it reads pages (one page at a
 * time: sync one document and wait for the runner before the next). close() stops both.
 */
export async function harnessWithOcrTexts(texts: Record<number, string>): Promise<Harness> {
  const fake = startFakeAnthropic();
  let n = 0;
  fake.reply = () => texts[++n] ?? "";
  const h = await harness({ overrides: { "ocr.apiKey": fake.apiKey, "ocr.baseUrl": fake.url, "ocr.concurrency": 1, "jobs.renderConcurrency": 1 } });
  const close = h.close;
  h.close = async () => {
    await close();
    await fake.close();
  };
  return h;
}

/** GET /api/v1/search?<qs> as `user`: the answer's body (throws unless 200). */
export async function searchAs(h: Harness, user: TestUser, qs: string): Promise<any> {
  const res = await call(h, "GET", `/api/v1/search?${qs}`, { token: user.token });
  const body = await json(res);
  if (res.status !== 200) throw new Error(`search ${qs}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
