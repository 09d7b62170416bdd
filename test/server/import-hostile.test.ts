// Hostile archives through POST /api/v1/import (the parser-level cases live in
// test/rm/zip-source.test.ts): path traversal, absolute and backslash names, NUL in a name,
// duplicated names, a huge declared size, a high-ratio zip bomb, a lying size. Each ends in a clear
// 4xx with a stable code (or, where harmless, a normal import), never a 500; nothing lands
// anywhere but the blob store, and a refused archive stores nothing at all.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { buildZip, type RawEntry } from "../rm/build-zip.ts";
import { addUser, call, harness, json, uuid, type Harness, type TestUser } from "../support/server-harness.ts";

let h: Harness;
let u: TestUser;

beforeAll(async () => {
  h = await harness();
  u = await addUser(h, "import@example.com");
});
afterAll(() => h.close());

const counts = () => h.ctx.store.db.query("SELECT (SELECT count(*) FROM documents) AS d, (SELECT count(*) FROM pages) AS p, (SELECT count(*) FROM blobs) AS b").get();

/** A minimal valid export: one notebook with one (empty) page. */
function notebook(id = uuid(), name = "Imported"): RawEntry[] {
  const page = uuid();
  return [
    { name: `${id}.metadata`, data: JSON.stringify({ visibleName: name, type: "DocumentType", parent: "", lastModified: "1700000000000" }) },
    { name: `${id}.content`, data: JSON.stringify({ fileType: "notebook", formatVersion: 2, cPages: { pages: [{ id: page, idx: { timestamp: "1:1", value: "ba" } }] } }) },
  ];
}

async function upload(zip: Uint8Array, name = "x.rmdoc"): Promise<Response> {
  const form = new FormData();
  form.set("file", new File([zip as Uint8Array<ArrayBuffer>], name));
  return call(h, "POST", "/api/v1/import", { token: u.token, body: form });
}

async function refused(zip: Uint8Array, status: number, code: string, why?: RegExp) {
  const before = counts();
  const res = await upload(zip);
  const text = await res.text();
  const body = JSON.parse(text);
  expect({ status: res.status, code: body?.error?.code }).toEqual({ status, code });
  if (why) expect(body.error.message).toMatch(why);
  expect(text).not.toMatch(/at .*\.ts:\d+|\/tmp\/|spool/i); // no internals, no server paths
  expect(counts()).toEqual(before);
}

test("the baseline archive imports", async () => {
  const res = await upload(buildZip(notebook()));
  expect(res.status).toBe(201);
  expect((await json(res)).documents.length).toBe(1);
});

test("entries with ../, backslash traversal or NUL in the name refuse the whole archive", async () => {
  for (const name of ["../../etc/evil.rm", "a/../../b.rm", "..\\..\\evil.rm", "x\\..\\..\\y", "C:/Windows/evil", "c:\\evil", "a\u0000b.rm", ".."]) {
    await refused(buildZip([...notebook(), { name, data: "x" }]), 400, "bad_archive", /unsafe name/);
  }
});

test("absolute names are read as relative: imported inside the archive, nothing written at that path", async () => {
  const id = uuid();
  const target = `/tmp/rmirror-import-abs-${id}`;
  const res = await upload(buildZip([...notebook(id).map((e) => ({ ...e, name: `/${e.name}` })), { name: `${target}/x.rm`, data: "x" }]));
  expect(res.status).toBe(201);
  expect((await json(res)).documents.map((d: { uuid: string }) => d.uuid)).toEqual([id]);
  expect(existsSync(target)).toBe(false);
});

test("duplicated names: the first entry wins, deterministically, and the import is normal", async () => {
  const id = uuid();
  const [meta, content] = notebook(id, "First");
  const res = await upload(buildZip([meta!, content!, { ...meta!, data: JSON.stringify({ visibleName: "Second", type: "DocumentType", parent: "" }) }, { name: `${id}.metadata`, data: "{broken" }]));
  expect(res.status).toBe(201);
  expect((await json(res)).documents).toMatchObject([{ uuid: id, name: "First" }]);
});

test("a huge declared size is refused before anything is inflated", async () => {
  await refused(buildZip([...notebook(), { name: `${uuid()}/p.rm`, data: "x", declaredSize: 0xfffffff0 }, { name: "b", data: "y", declaredSize: 0xfffffff0 }]), 400, "bad_archive", /too_large|at most/);
});

test("a high-ratio zip bomb is refused from its declared sizes, before inflating anything, storing nothing", async () => {
  // Referenced pages of 40 MB of zeros each: before the ratio cap, a 120 KB upload made the server
  // inflate, hash and store 120 MB (and up to 2 GB for a 2 MB upload).
  const id = uuid();
  const [meta] = notebook(id);
  const zeros = new Uint8Array(40 * 1024 * 1024);
  const pages = ["a", "b", "c"].map(() => uuid());
  const content = { name: `${id}.content`, data: JSON.stringify({ fileType: "notebook", formatVersion: 2, cPages: { pages: pages.map((p, i) => ({ id: p, idx: { timestamp: "1:1", value: `b${i}` } })) } }) };
  const zip = buildZip([meta!, content, ...pages.map((p, i) => ({ name: `${id}/${p}.rm`, data: (zeros[0] = i, zeros), deflate: true }))]);
  expect(zip.byteLength).toBeLessThan(1024 * 1024); // 120 MB declared in well under 1 MB
  // "uncompressed bytes" is the declared-size check at open (an inflated page would fail later,
  // naming the entry); timing in bench/hostile-input.ts.
  await refused(zip, 400, "bad_archive", /uncompressed bytes/);
}, 60_000);

test("a lying size (declares 10 bytes, inflates to 8 MB) is a 400 naming the entry (it was a 500), nothing stored", async () => {
  const id = uuid();
  const [meta, content] = notebook(id);
  const page = JSON.parse(content!.data as string).cPages.pages[0].id;
  for (const data of [new Uint8Array(8 * 1024 * 1024), crypto.getRandomValues(new Uint8Array(4096))]) {
    await refused(buildZip([meta!, content!, { name: `${id}/${page}.rm`, data, deflate: true, declaredSize: 10 }]), 400, "bad_archive", new RegExp(`${page}\\.rm: expected at most the declared 10 bytes`));
  }
  const sizes = h.ctx.store.db.query("SELECT max(size) AS m FROM blobs").get() as { m: number };
  expect(sizes.m).toBeLessThan(1024 * 1024); // the 8 MB never reached the blob store
}, 60_000);

test("corrupt deflate data in a page is a 400, not a 500", async () => {
  const id = uuid();
  const [meta, content] = notebook(id);
  const page = JSON.parse(content!.data as string).cPages.pages[0].id;
  const entries: RawEntry[] = [meta!, content!, { name: `${id}/${page}.rm`, data: new Uint8Array(100_000), deflate: true }];
  const zip = buildZip(entries);
  // the page's compressed bytes start after both stored entries and its own local header
  const len = (x: string | Uint8Array) => (typeof x === "string" ? new TextEncoder().encode(x).length : x.length);
  const start = entries.slice(0, 2).reduce((n, e) => n + 30 + len(e.name) + len(e.data), 0) + 30 + len(entries[2]!.name);
  zip.fill(0xff, start, start + 16); // block type 11: invalid deflate
  await refused(zip, 400, "bad_archive");
});

test("nothing was ever spooled outside the data directory's temp area or left behind", () => {
  const tmp = join(h.ctx.config.dataDir, "tmp");
  const left = existsSync(tmp) ? readdirSync(tmp, { recursive: true }).map(String) : [];
  expect(left.filter((f) => /\.(zip|rmdoc|rmn)$/.test(f))).toEqual([]);
});
