// Uploaded archives are named and dated the way a user expects (issue 13 item 3): the name from the
// archive's metadata, else the uploaded file's name (never the server's spool name "import-<uuid>");
// the date from the metadata, else the time the server first received the document (never
// 1970-01-01), kept on later uploads of the same archive.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { buildZip } from "../rm/build-zip.ts";
import { describeSamples, sample } from "../support/samples.ts";
import { addUser, call, harness, json, uuid, type Harness, type TestUser } from "../support/server-harness.ts";

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await harness();
  u = await addUser(h, "names@example.com");
});
afterAll(() => h.close());

async function upload(bytes: Uint8Array, fileName: string) {
  const form = new FormData();
  form.set("file", new File([bytes as Uint8Array<ArrayBuffer>], fileName));
  const res = await call(h, "POST", "/api/v1/import", { token: u.token, body: form });
  expect(res.status).toBe(201);
  return json(res);
}

const row = (docUuid: string) => h.ctx.store.documentByUuid(u.id, docUuid)!;

describeSamples("archives without .metadata (old rmapi zips)", () => {
  test("take the uploaded file's name and the upload time, kept on a second upload", async () => {
    const zip = new Uint8Array(readFileSync(sample("lines-are-rusty__test_rm_notebook.zip")));
    const before = Date.now();
    const r = await upload(zip, "Lecture notes – week 3.zip");
    const docUuid = r.documents[0].uuid as string;
    expect(r.documents[0].name).toBe("Lecture notes – week 3");
    expect(row(docUuid).name).toBe("Lecture notes – week 3");
    const dated = row(docUuid).last_modified!;
    expect(dated).toBeGreaterThanOrEqual(before);
    expect(dated).toBeLessThanOrEqual(Date.now());

    await upload(zip, "Lecture notes – week 3.zip");
    expect(row(docUuid).last_modified).toBe(dated);
  });
});

test("an archive with .metadata keeps the metadata's name and date", async () => {
  const id = uuid();
  const page = uuid();
  const zip = buildZip([
    { name: `${id}.metadata`, data: JSON.stringify({ visibleName: "From the tablet", type: "DocumentType", parent: "", lastModified: "1700000000000" }) },
    { name: `${id}.content`, data: JSON.stringify({ fileType: "notebook", formatVersion: 2, cPages: { pages: [{ id: page, idx: { timestamp: "1:1", value: "ba" } }] } }) },
  ]);
  const r = await upload(zip, "Some other name.rmdoc");
  expect(r.documents[0].name).toBe("From the tablet");
  expect(row(id).last_modified).toBe(1_700_000_000_000);
});
