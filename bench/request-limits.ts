// Hostile and large request bodies against the real app (in process, real SQLite):
//   bun bench/request-limits.ts
// - a document PUT at 1,000 / 5,000 / 10,000 pages (MAX_DOCUMENT_PAGES): first upload and an
//   unchanged re-send (the time the event loop is held by one request);
// - JSON nested 200,000 deep (refused by the depth scan: json_too_deep);
// - the largest sync body (8 MiB of page entries) read, scanned and parsed.
import { MAX_DOCUMENT_PAGES } from "../src/services/library/sync.ts";
import { BODY_LIMITS } from "../src/server/body.ts";
import { addUser, call, harness, uuid } from "../test/support/server-harness.ts";

const h = await harness();
const u = await addUser(h, "bench@example.com");
const put = async (path: string, body: string) => {
  const t0 = performance.now();
  const r = await call(h, "PUT", path, { token: u.token, body, headers: { "content-type": "application/json" } });
  const code = r.status === 200 ? "" : ` ${(JSON.parse(await r.text()) as { error: { code: string } }).error.code}`;
  return `${r.status}${code} in ${(performance.now() - t0).toFixed(0)} ms`;
};
for (const n of [1_000, 5_000, MAX_DOCUMENT_PAGES]) {
  const id = uuid();
  const pages = Array.from({ length: n }, (_, i) => ({ id: crypto.randomUUID(), idx: i, sha256: null, size: 0, template: "Blank" }));
  const body = JSON.stringify({ metadata: { visibleName: "big", type: "DocumentType", parent: "" }, pages });
  console.log(`${n} pages (${(body.length / 1e6).toFixed(2)} MB): create ${await put(`/api/v1/documents/${id}`, body)}, unchanged ${await put(`/api/v1/documents/${id}`, body)}`);
}
console.log(`nested 200,000 deep: ${await put(`/api/v1/documents/${uuid()}`, `{"metadata":${"[".repeat(200_000)}${"]".repeat(200_000)}}`)}`);
const entry = JSON.stringify({ id: crypto.randomUUID(), idx: 0, sha256: null, size: 0, template: "Blank" });
const many = Math.floor((BODY_LIMITS.syncJsonBytes - 200) / (entry.length + 1));
const big = JSON.stringify({ metadata: { visibleName: "x", type: "DocumentType", parent: "" }, pages: Array.from({ length: many }, () => JSON.parse(entry)) });
console.log(`${(big.length / 1e6).toFixed(2)} MB body with ${many} pages (over the page cap): ${await put(`/api/v1/documents/${uuid()}`, big)}`);
await h.close();
