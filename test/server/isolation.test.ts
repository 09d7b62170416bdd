// Multi-user isolation: user B cannot read, list, render, download or modify anything of user A
// by any route, id guessing included. Every probe must look exactly like "does not exist".
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { sha256Hex } from "../../src/blobs/store.ts";
import { HAVE_SAMPLES, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, json, syncDoc, uuid, type BuiltDoc, type Harness, type TestUser } from "../support/server-harness.ts";

let h: Harness;
let a: TestUser;
let b: TestUser;
let doc: BuiltDoc;
let folder: string;
let page: string;
let secretBytes: Uint8Array;

beforeAll(async () => {
  h = await harness();
  a = await addUser(h, "a@example.com");
  b = await addUser(h, "b@example.com");
  if (!HAVE_SAMPLES) return;
  secretBytes = new Uint8Array(readFileSync(sample("rmscene__Normal_AB.rm")));
  folder = uuid();
  await call(h, "PUT", `/api/v1/documents/${folder}`, { token: a.token, json: { metadata: { visibleName: "A's folder", type: "CollectionType", parent: "" } } });
  doc = buildDoc([secretBytes, new Uint8Array(readFileSync(sample("rmc__abcd.strokes.rm")))], { name: "A's secret", parent: folder, files: { ".pdf": new TextEncoder().encode("%PDF-1.4 secret") } });
  await syncDoc(h, a.token, doc);
  await h.runner.idle();
  page = doc.input.pages![0]!.id;
  await call(h, "GET", `/api/v1/documents/${doc.uuid}/pdf`, { token: a.token });
});
afterAll(() => h.close());

describe.skipIf(!HAVE_SAMPLES)("user B versus user A", () => {
  test("reads of A's document, pages, renders and exports all answer 404 as if absent", async () => {
    const probes = [
      [`/api/v1/documents/${doc.uuid}`, "document_not_found"],
      [`/api/v1/documents/${doc.uuid}/pages`, "document_not_found"],
      [`/api/v1/documents/${doc.uuid}/pages/${page}/svg`, "document_not_found"],
      [`/api/v1/documents/${doc.uuid}/pages/${page}/png`, "document_not_found"],
      [`/api/v1/documents/${doc.uuid}/pdf`, "document_not_found"],
      [`/api/v1/documents/${doc.uuid}/markdown`, "document_not_found"],
      [`/api/v1/documents/${folder}`, "document_not_found"],
    ] as const;
    for (const [path, code] of probes) {
      const asB = await call(h, "GET", path, { token: b.token });
      const absent = await call(h, "GET", path.replace(doc.uuid, uuid()).replace(folder, uuid()), { token: b.token });
      expect([path, asB.status]).toEqual([path, 404]);
      expect((await json(asB)).error.code).toBe(code);
      expect(absent.status).toBe(404);
      // And A can read every one of them.
      expect([path, (await call(h, "GET", path, { token: a.token })).status]).toEqual([path, 200]);
    }
  });

  test("listings never include A's items", async () => {
    for (const path of ["/api/v1/documents", "/api/v1/documents?trash=include", "/api/v1/documents?deleted=1", `/api/v1/documents?parent=${folder}`, "/api/v1/folders", "/api/v1/jobs", "/api/v1/tokens"]) {
      const res = await call(h, "GET", path, { token: b.token });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(doc.uuid);
      expect(text).not.toContain(folder);
      expect(text).not.toContain("A's");
    }
  });

  test("blobs: B cannot download A's blobs (originals or renders), and the missing list does not reveal A's content", async () => {
    const sha = sha256Hex(secretBytes);
    const row = h.ctx.store.pageByUuid(a.id, h.ctx.store.documentByUuid(a.id, doc.uuid)!.id, page)!;
    const pdfSha = h.ctx.store.documentByUuid(a.id, doc.uuid)!.pdf_sha256!;
    for (const s of [sha, row.svg_sha256!, pdfSha, doc.input.files![0]!.sha256]) {
      const r = await call(h, "GET", `/api/v1/blobs/${s}`, { token: b.token });
      expect(r.status).toBe(404);
      expect((await json(r)).error.code).toBe("unknown_blob");
      expect((await call(h, "GET", `/api/v1/blobs/${s}`, { token: a.token })).status).toBe(200);
    }
    // B claims a document made of A's hashes: the server still asks B for the bytes.
    const copy = { ...doc.input, metadata: { ...doc.input.metadata, parent: "" } };
    const r = await json(await call(h, "PUT", `/api/v1/documents/${uuid()}`, { token: b.token, json: copy }));
    expect(r.missing.sort()).toEqual([...doc.blobs.keys()].sort());
    // …and B cannot get the pages rendered without uploading them.
    await h.runner.idle();
    const mine = await json(await call(h, "GET", `/api/v1/documents`, { token: b.token }));
    const bDoc = await json(await call(h, "GET", `/api/v1/documents/${mine.documents[0].uuid}`, { token: b.token }));
    expect(bDoc.pages.map((p: any) => p.renderStatus)).toEqual(["awaiting_blob", "awaiting_blob"]);
    const svg = await call(h, "GET", `/api/v1/documents/${bDoc.uuid}/pages/${page}/svg`, { token: b.token });
    expect(svg.status).toBe(409);
  });

  test("writes: B's PUT/DELETE with A's uuid never touch A's document", async () => {
    const before = await json(await call(h, "GET", `/api/v1/documents/${doc.uuid}`, { token: a.token }));
    expect((await call(h, "DELETE", `/api/v1/documents/${doc.uuid}`, { token: b.token })).status).toBe(404);
    // PUT with the same uuid creates B's own document; A's is untouched.
    const hijack = { ...doc.input, metadata: { ...doc.input.metadata, visibleName: "pwned", parent: "" }, pages: [] };
    const res = await json(await call(h, "PUT", `/api/v1/documents/${doc.uuid}`, { token: b.token, json: hijack }));
    expect(res.created).toBe(true);
    expect(await json(await call(h, "GET", `/api/v1/documents/${doc.uuid}`, { token: a.token }))).toEqual(before);
    expect((await json(await call(h, "GET", `/api/v1/documents/${doc.uuid}`, { token: b.token }))).name).toBe("pwned");
    // Batch form too.
    await call(h, "PUT", "/api/v1/documents", { token: b.token, json: { documents: [{ uuid: folder, metadata: { visibleName: "pwned", type: "CollectionType", parent: "" } }] } });
    expect((await json(await call(h, "GET", `/api/v1/documents/${folder}`, { token: a.token }))).name).toBe("A's folder");
  });

  test("jobs and tokens: ids of A's are not found for B (sequential id guessing)", async () => {
    const aJobs = (await json(await call(h, "GET", "/api/v1/jobs", { token: a.token }))).jobs;
    expect(aJobs.length).toBeGreaterThan(0);
    for (const j of aJobs) {
      expect((await call(h, "GET", `/api/v1/jobs/${j.id}`, { token: b.token })).status).toBe(404);
      expect((await call(h, "POST", `/api/v1/jobs/${j.id}/retry`, { token: b.token })).status).toBe(404);
    }
    const aTokens = (await json(await call(h, "GET", "/api/v1/tokens", { token: a.token }))).tokens;
    for (const t of aTokens) {
      const r = await call(h, "DELETE", `/api/v1/tokens/${t.id}`, { token: b.token });
      expect(r.status).toBe(404);
    }
    expect((await call(h, "GET", "/api/v1/auth/me", { token: a.token })).status).toBe(200);
    for (let id = 1; id <= 20; id++) {
      const r = await call(h, "GET", `/api/v1/jobs/${id}`, { token: b.token });
      if (r.status === 200) expect((await json(r)).payload).toBeDefined();
      const j = h.ctx.store.jobById(id);
      if (j && j.user_id !== b.id) expect(r.status).toBe(404);
    }
  });

  test("import lands in the importer's account only", async () => {
    const zip = new Uint8Array(readFileSync(sample("rmapi__archive_test.zip")));
    const form = new FormData();
    form.set("file", new File([zip as Uint8Array<ArrayBuffer>], "test.zip"));
    const r = await call(h, "POST", "/api/v1/import", { token: b.token, body: form });
    expect(r.status).toBe(201);
    const imported = (await json(r)).documents[0].uuid;
    expect((await call(h, "GET", `/api/v1/documents/${imported}`, { token: a.token })).status).toBe(404);
    expect((await call(h, "GET", `/api/v1/documents/${imported}`, { token: b.token })).status).toBe(200);
  });
});
