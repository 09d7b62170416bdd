// Every endpoint's bad inputs get a specific 4xx with a stable error code, and nothing is written.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { sha256Hex } from "../../src/blobs/store.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, uuid, type Harness, type TestUser } from "../support/server-harness.ts";

let h: Harness;
let a: TestUser;
const MAX = 64 * 1024;

beforeAll(async () => {
  h = await harness({ overrides: { maxBlobBytes: MAX, maxImportBytes: 256 * 1024, maxBatchDocuments: 3 } });
  a = await addUser(h, "a@example.com");
});
afterAll(() => h.close());

async function expectError(res: Response, status: number, code: string) {
  const body = await json(res);
  expect({ status: res.status, code: body?.error?.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe("string");
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|SQLITE|stack/i); // no internals
}

const doc = () => ({ metadata: { visibleName: "x", type: "DocumentType", parent: "" }, pages: [], files: [] });
const counts = () => h.ctx.store.db.query("SELECT (SELECT count(*) FROM documents) AS d, (SELECT count(*) FROM pages) AS p, (SELECT count(*) FROM blobs) AS b, (SELECT count(*) FROM jobs) AS j").get();

describe("PUT /api/v1/documents/:uuid", () => {
  const sha = "a".repeat(64);
  const cases: [string, string, unknown, number, string][] = [
    ["bad uuid", "not-a-uuid", doc(), 400, "bad_uuid"],
    ["uuid with path tricks", "..%2F..%2Fetc", doc(), 400, "bad_uuid"],
    ["missing metadata", uuid(), { pages: [] }, 400, "invalid_request"],
    ["wrong type", uuid(), { metadata: { visibleName: "x", type: "Nope", parent: "" } }, 400, "invalid_request"],
    ["page sha not hex", uuid(), { ...doc(), pages: [{ id: uuid(), idx: 0, sha256: "zz", size: 1 }] }, 400, "bad_sha256"],
    ["page sha uppercase", uuid(), { ...doc(), pages: [{ id: uuid(), idx: 0, sha256: "A".repeat(64), size: 1 }] }, 400, "bad_sha256"],
    ["file sha short", uuid(), { ...doc(), files: [{ path: "x.pdf", sha256: "ab", size: 1 }] }, 400, "bad_sha256"],
    ["negative size", uuid(), { ...doc(), pages: [{ id: uuid(), idx: 0, sha256: sha, size: -1 }] }, 400, "invalid_request"],
    ["duplicate page ids", uuid(), { ...doc(), pages: [{ id: "p1", idx: 0, sha256: sha, size: 1 }, { id: "p1", idx: 1, sha256: sha, size: 1 }] }, 400, "bad_page_list"],
    ["duplicate positions", uuid(), { ...doc(), pages: [{ id: "p1", idx: 0, sha256: sha, size: 1 }, { id: "p2", idx: 0, sha256: sha, size: 1 }] }, 400, "bad_page_list"],
    ["position past the end", uuid(), { ...doc(), pages: [{ id: "p1", idx: 5, sha256: sha, size: 1 }] }, 400, "bad_page_list"],
    ["page id with slashes", uuid(), { ...doc(), pages: [{ id: "../x", idx: 0, sha256: sha, size: 1 }] }, 400, "bad_uuid"],
    ["file path traversal", uuid(), { ...doc(), files: [{ path: "../../etc/passwd", sha256: sha, size: 1 }] }, 400, "bad_file_path"],
    ["absolute file path", uuid(), { ...doc(), files: [{ path: "/etc/passwd", sha256: sha, size: 1 }] }, 400, "bad_file_path"],
    ["backslash path", uuid(), { ...doc(), files: [{ path: "a\\b", sha256: sha, size: 1 }] }, 400, "bad_file_path"],
    ["duplicate file path", uuid(), { ...doc(), files: [{ path: "a", sha256: sha, size: 1 }, { path: "a", sha256: sha, size: 1 }] }, 400, "bad_file_path"],
    ["bad parent", uuid(), { metadata: { visibleName: "x", type: "DocumentType", parent: "somewhere" } }, 400, "bad_parent"],
    ["oversize page", uuid(), { ...doc(), pages: [{ id: "p", idx: 0, sha256: sha, size: MAX + 1 }] }, 413, "too_large"],
  ];
  for (const [name, id, body, status, code] of cases) {
    test(name, async () => {
      const before = counts();
      await expectError(await call(h, "PUT", `/api/v1/documents/${id}`, { token: a.token, json: body }), status, code);
      expect(counts()).toEqual(before);
    });
  }
  test("own parent", async () => {
    const id = uuid();
    await expectError(await call(h, "PUT", `/api/v1/documents/${id}`, { token: a.token, json: { metadata: { visibleName: "x", type: "CollectionType", parent: id } } }), 400, "bad_parent");
  });
  test("malformed JSON", async () => {
    await expectError(await call(h, "PUT", `/api/v1/documents/${uuid()}`, { token: a.token, body: "{not json", headers: { "content-type": "application/json" } }), 400, "malformed_json");
  });
  test("no auth, bad token, malformed Authorization", async () => {
    await expectError(await call(h, "PUT", `/api/v1/documents/${uuid()}`, { json: doc() }), 401, "unauthorized");
    await expectError(await call(h, "PUT", `/api/v1/documents/${uuid()}`, { token: "rmt_nope", json: doc() }), 401, "invalid_token");
    await expectError(await call(h, "PUT", `/api/v1/documents/${uuid()}`, { headers: { authorization: "Basic abc" }, json: doc() }), 401, "invalid_token");
  });
  test("batch: too many documents, malformed items", async () => {
    const docs = Array.from({ length: 4 }, () => ({ uuid: uuid(), ...doc() }));
    await expectError(await call(h, "PUT", "/api/v1/documents", { token: a.token, json: { documents: docs } }), 413, "batch_too_large");
    await expectError(await call(h, "PUT", "/api/v1/documents", { token: a.token, json: { documents: [{ nope: 1 }] } }), 400, "invalid_request");
    await expectError(await call(h, "PUT", "/api/v1/documents", { token: a.token, json: [] }), 400, "invalid_request");
  });
});

describe("PUT/GET /api/v1/blobs/:sha256", () => {
  const bytes = new TextEncoder().encode("hello blob");
  const sha = sha256Hex(bytes);
  test("bad hash in the URL", async () => {
    await expectError(await call(h, "PUT", `/api/v1/blobs/xyz`, { token: a.token, body: bytes }), 400, "bad_sha256");
    await expectError(await call(h, "PUT", `/api/v1/blobs/${sha.toUpperCase()}x`, { token: a.token, body: bytes }), 400, "bad_sha256");
    await expectError(await call(h, "GET", `/api/v1/blobs/..%2F..%2Fetc%2Fpasswd`, { token: a.token }), 400, "bad_sha256");
  });
  test("bytes that do not match the hash are refused and not stored", async () => {
    const before = counts();
    await expectError(await call(h, "PUT", `/api/v1/blobs/${"b".repeat(64)}`, { token: a.token, body: bytes }), 400, "hash_mismatch");
    expect(counts()).toEqual(before);
    expect(await h.ctx.blobs.has("b".repeat(64))).toBe(false);
  });
  test("oversize: refused by Content-Length, and while streaming without one", async () => {
    const big = new Uint8Array(MAX + 1);
    await expectError(await call(h, "PUT", `/api/v1/blobs/${sha256Hex(big)}`, { token: a.token, body: big }), 413, "too_large");
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent > MAX * 4) return c.close();
        sent += 16 * 1024;
        c.enqueue(new Uint8Array(16 * 1024));
      },
    });
    const req = new Request(`http://localhost/api/v1/blobs/${"c".repeat(64)}`, { method: "PUT", headers: { authorization: `Bearer ${a.token}` }, body: stream, duplex: "half" } as RequestInit);
    await expectError(await h.app.handle(req), 413, "too_large");
    expect(sent).toBeLessThan(MAX * 2); // stopped reading early
  });
  test("unknown blob", async () => {
    await expectError(await call(h, "GET", `/api/v1/blobs/${"d".repeat(64)}`, { token: a.token }), 404, "unknown_blob");
  });
});

describe("reading API", () => {
  test("ids, filters and not-ready pages", async () => {
    await expectError(await call(h, "GET", `/api/v1/documents/abc`, { token: a.token }), 400, "bad_uuid");
    await expectError(await call(h, "GET", `/api/v1/documents/${uuid()}`, { token: a.token }), 404, "document_not_found");
    await expectError(await call(h, "DELETE", `/api/v1/documents/abc`, { token: a.token }), 400, "bad_uuid");
    await expectError(await call(h, "DELETE", `/api/v1/documents/${uuid()}`, { token: a.token }), 404, "document_not_found");
    await expectError(await call(h, "GET", `/api/v1/documents?parent=elsewhere`, { token: a.token }), 400, "bad_parent");
    await expectError(await call(h, "GET", `/api/v1/documents?trash=maybe`, { token: a.token }), 400, "bad_request");
    const d = buildDoc([new TextEncoder().encode("not an rm file at all, definitely not")]);
    await call(h, "PUT", `/api/v1/documents/${d.uuid}`, { token: a.token, json: d.input });
    const pageId = d.input.pages![0]!.id;
    await expectError(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${pageId}/svg`, { token: a.token }), 409, "not_ready");
    await expectError(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${uuid()}/svg`, { token: a.token }), 404, "page_not_found");
    await expectError(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/..%2Fx/svg`, { token: a.token }), 400, "bad_uuid");
    await expectError(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${pageId}/png?longEdge=99999`, { token: a.token }), 400, "bad_request");
    // A corrupt page fails its render job for good (no retries) and says why.
    await syncDoc(h, a.token, d);
    await h.runner.idle();
    const page = (await json(await call(h, "GET", `/api/v1/documents/${d.uuid}`, { token: a.token }))).pages[0];
    expect(page.renderStatus).toBe("failed");
    expect(page.renderError).toContain("unreadable page");
    await expectError(await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${pageId}/svg`, { token: a.token }), 422, "render_failed");
    const jobs = await json(await call(h, "GET", `/api/v1/jobs?status=failed`, { token: a.token }));
    expect(jobs.jobs[0]).toMatchObject({ status: "failed", attempts: 1 });
    await expectError(await call(h, "GET", `/api/v1/jobs?status=bogus`, { token: a.token }), 400, "bad_request");
    await expectError(await call(h, "GET", `/api/v1/jobs/abc`, { token: a.token }), 404, "job_not_found");
    await expectError(await call(h, "GET", `/api/v1/jobs/999999`, { token: a.token }), 404, "job_not_found");
    // A failed job can be retried once; retrying a queued job is refused.
    expect((await call(h, "POST", `/api/v1/jobs/${jobs.jobs[0].id}/retry`, { token: a.token })).status).toBe(200);
    await expectError(await call(h, "POST", `/api/v1/jobs/${jobs.jobs[0].id}/retry`, { token: a.token }), 409, "job_not_retryable");
  });
});

describe("accounts, tokens, pairing, import, routing", () => {
  test("accounts and tokens", async () => {
    await expectError(await call(h, "POST", "/api/v1/setup", { json: { email: "no-at-sign", password: "longenough" } }), 400, "bad_email");
    await expectError(await call(h, "POST", "/api/v1/setup", { json: { email: "x@y.z" } }), 400, "invalid_request");
    await expectError(await call(h, "POST", "/api/v1/tokens", { token: a.token, json: { name: "   " } }), 400, "bad_name");
    await expectError(await call(h, "POST", "/api/v1/tokens", { token: a.token, json: { name: "a\u0000b" } }), 400, "bad_name");
    await expectError(await call(h, "DELETE", "/api/v1/tokens/abc", { token: a.token }), 404, "token_not_found");
    await expectError(await call(h, "DELETE", "/api/v1/tokens/424242", { token: a.token }), 404, "token_not_found");
    await expectError(await call(h, "GET", "/api/v1/auth/me"), 401, "unauthorized");
  });
  test("pairing", async () => {
    await expectError(await call(h, "POST", "/api/v1/pairing", { json: {} }), 400, "invalid_request");
    await expectError(await call(h, "POST", "/api/v1/pairing/poll", { json: { code: "nope", secret: "x" } }), 404, "pairing_not_found");
    await expectError(await call(h, "POST", "/api/v1/pairing/poll", { json: { code: "ABCD-EFGH", secret: "x" } }), 404, "pairing_not_found");
    await expectError(await call(h, "POST", "/api/v1/pairing/ABCD-EFGH/approve", { token: a.token }), 404, "pairing_not_found");
  });
  test("import", async () => {
    await expectError(await call(h, "POST", "/api/v1/import", { token: a.token, body: "x", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type");
    const form = new FormData();
    form.set("other", "x");
    await expectError(await call(h, "POST", "/api/v1/import", { token: a.token, body: form }), 400, "bad_request");
    const junk = new FormData();
    junk.set("file", new File(["this is not a zip"], "x.rmdoc"));
    await expectError(await call(h, "POST", "/api/v1/import", { token: a.token, body: junk }), 400, "bad_archive");
    const big = new FormData();
    big.set("file", new File([new Uint8Array(300 * 1024)], "x.zip"));
    await expectError(await call(h, "POST", "/api/v1/import", { token: a.token, body: big }), 413, "too_large");
    await expectError(await call(h, "POST", "/api/v1/import", { body: junk }), 401, "unauthorized");
  });
  test("unknown route", async () => {
    await expectError(await call(h, "GET", "/api/v1/nothing-here", { token: a.token }), 404, "route_not_found");
  });
});

test.skipIf(!HAVE_SAMPLES)("a good sample still works after all the bad input", async () => {
  const d = buildDoc([new Uint8Array(readFileSync(sample("rmscene__Normal_AB.rm")))]);
  await syncDoc(h, a.token, d);
  await h.runner.idle();
  expect((await call(h, "GET", `/api/v1/documents/${d.uuid}/pages/${d.input.pages![0]!.id}/svg`, { token: a.token })).status).toBe(200);
});
