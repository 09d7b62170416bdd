// Sync input that used to spoil more than itself (issue 11, item 7b and 7d): a timestamp beyond
// any date fails only its own document (per-item error in a batch, 400 alone, reported by an
// import); names lose NUL, control and bidi-override characters the same way through sync, batch
// and import, and the 1,024-character name limit holds on all three.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildZip, type RawEntry } from "../rm/build-zip.ts";
import { addUser, buildDoc, call, harness, json, uuid, type Harness, type TestUser } from "../support/server-harness.ts";

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await harness();
  u = await addUser(h, "input@example.com");
});
afterAll(() => h.close());

const nameOf = async (id: string) => (await json(await call(h, "GET", `/api/v1/documents/${id}`, { token: u.token }))).name;
const batch = (docs: ReturnType<typeof buildDoc>[]) => call(h, "PUT", "/api/v1/documents", { token: u.token, json: { documents: docs.map((d) => ({ uuid: d.uuid, ...d.input })) } });

function archive(id: string, name: string, lastModified = "1700000000000"): RawEntry[] {
  return [
    { name: `${id}.metadata`, data: JSON.stringify({ visibleName: name, type: "DocumentType", parent: "", lastModified }) },
    { name: `${id}.content`, data: JSON.stringify({ fileType: "notebook", formatVersion: 2, cPages: { pages: [{ id: uuid(), idx: { timestamp: "1:1", value: "ba" } }] } }) },
  ];
}
async function importZip(entries: RawEntry[]) {
  const form = new FormData();
  form.set("file", new File([buildZip(entries) as Uint8Array<ArrayBuffer>], "x.zip"));
  return call(h, "POST", "/api/v1/import", { token: u.token, body: form });
}

describe("timestamps", () => {
  test("a huge lastModified fails only its own item of a batch", async () => {
    for (const lm of [1e300, "1e300", "99999999999999999999", -1, 8.64e15 + 1]) {
      const good = buildDoc([], { name: "Good" });
      const bad = buildDoc([], { name: "Bad" });
      (bad.input.metadata as { lastModified: unknown }).lastModified = lm;
      const res = await batch([good, bad]);
      expect({ lm, status: res.status }).toEqual({ lm, status: 200 });
      const body = await json(res);
      expect(body.results[0]).toMatchObject({ ok: true, uuid: good.uuid });
      expect(body.results[1]).toMatchObject({ ok: false, uuid: bad.uuid, error: { code: "bad_timestamp", details: { field: "metadata.lastModified" } } });
      expect(await nameOf(good.uuid)).toBe("Good");
      expect((await call(h, "GET", `/api/v1/documents/${bad.uuid}`, { token: u.token })).status).toBe(404);
    }
    const alone = buildDoc([]);
    (alone.input.metadata as { lastOpened: unknown }).lastOpened = 1e300;
    const res = await call(h, "PUT", `/api/v1/documents/${alone.uuid}`, { token: u.token, json: alone.input });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("bad_timestamp");
  });

  test("an import reports the bad document and keeps the good one", async () => {
    const good = uuid();
    const bad = uuid();
    const res = await importZip([...archive(good, "Kept"), ...archive(bad, "Refused", "1e300")]);
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.documents.map((d: { uuid: string }) => d.uuid)).toEqual([good]);
    expect(body.errors).toContainEqual({ uuid: bad, message: expect.stringContaining("timestamp") });
  });
});

describe("names", () => {
  const hostile = "Diary\u0000 of\u0007 a\u0085 \u202Egpj.exe\u202C\tpart\n2\u2066x\u2069";
  const clean = "Diary of a gpj.exe part 2x";

  test("sync, batch and import strip NUL, controls and bidi overrides alike", async () => {
    const one = buildDoc([], { name: hostile });
    expect((await call(h, "PUT", `/api/v1/documents/${one.uuid}`, { token: u.token, json: one.input })).status).toBe(200);
    expect(await nameOf(one.uuid)).toBe(clean);
    const inBatch = buildDoc([], { name: hostile });
    expect((await batch([inBatch])).status).toBe(200);
    expect(await nameOf(inBatch.uuid)).toBe(clean);
    const imported = uuid();
    expect((await importZip(archive(imported, hostile))).status).toBe(201);
    expect(await nameOf(imported)).toBe(clean);
    // Nothing but controls: the default name.
    const blank = buildDoc([], { name: "\u0000\u202E " });
    await call(h, "PUT", `/api/v1/documents/${blank.uuid}`, { token: u.token, json: blank.input });
    expect(await nameOf(blank.uuid)).toBe("Untitled");
    // Tags too.
    const tagged = buildDoc([], { name: "Tagged" });
    tagged.input.tags = ["wo\u202Erk", "\u0000"];
    await call(h, "PUT", `/api/v1/documents/${tagged.uuid}`, { token: u.token, json: tagged.input });
    const row = h.ctx.store.documentByUuid(u.id, tagged.uuid)!;
    expect(JSON.parse(row.metadata_json).tags).toEqual(["work"]);
  });

  test("more than 1,024 characters is refused on every path, per document", async () => {
    const long = "n".repeat(1025);
    const one = buildDoc([], { name: long });
    const res = await call(h, "PUT", `/api/v1/documents/${one.uuid}`, { token: u.token, json: one.input });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("bad_name");
    const ok = buildDoc([], { name: "n".repeat(1024) });
    const b = await json(await batch([ok, buildDoc([], { name: long })]));
    expect(b.results.map((r: { ok: boolean; error?: { code: string } }) => r.ok || r.error!.code)).toEqual([true, "bad_name"]);
    expect((await nameOf(ok.uuid)).length).toBe(1024);
    const imported = uuid();
    const body = await json(await importZip([...archive(imported, long), ...archive(uuid(), "Short")]));
    expect(body.documents.map((d: { name: string }) => d.name)).toEqual(["Short"]);
    expect(body.errors).toContainEqual({ uuid: imported, message: expect.stringContaining("1024") });
    // Stripped characters do not count.
    const padded = buildDoc([], { name: "n".repeat(1024) + "\u202E".repeat(50) });
    expect((await call(h, "PUT", `/api/v1/documents/${padded.uuid}`, { token: u.token, json: padded.input })).status).toBe(200);
  });
});
