// Memory of an import is bounded by the configured limits, not by the archive's contents: a
// ~5.5 MB .rmdoc holding a 480 MB entry (it used to raise RSS by 1.1 GB: the entry was inflated
// whole, twice) is imported in a child process whose peak RSS must stay under a bound computed
// from the limits (the archive itself, the largest file ever held whole — one .rm page — and a
// fixed allowance for the runtime), whatever the entry's size. One file inside an archive is
// capped at RMIRROR_MAX_BLOB_BYTES (413 archive_entry_too_large naming the entry).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDeflateRaw } from "node:zlib";
import { LIMITS } from "../../src/rm/limits.ts";
import { buildZip, type RawEntry } from "../rm/build-zip.ts";
import { addUser, call, harness, json, uuid } from "../support/server-harness.ts";

const MB = 1024 * 1024;
const BIG = 480 * MB;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rmirror-import-memory-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `n` zero bytes deflated (raw deflate, as in zip), produced a megabyte at a time. */
async function deflatedZeros(n: number): Promise<Uint8Array> {
  const z = createDeflateRaw({ level: 6 });
  const out: Buffer[] = [];
  z.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((resolve, reject) => (z.on("end", resolve), z.on("error", reject)));
  const chunk = Buffer.alloc(MB);
  for (let left = n; left > 0; left -= MB) {
    if (!z.write(left >= MB ? chunk : chunk.subarray(0, left))) await new Promise((r) => z.once("drain", r));
  }
  z.end();
  await done;
  return new Uint8Array(Buffer.concat(out));
}

function notebookEntries(id: string): RawEntry[] {
  return [
    { name: `${id}.metadata`, data: JSON.stringify({ visibleName: "Huge attachment", type: "DocumentType", parent: "", lastModified: "1700000000000" }) },
    { name: `${id}.content`, data: JSON.stringify({ fileType: "notebook", formatVersion: 2, cPages: { pages: [] } }) },
  ];
}

test("a 480 MB entry in a ~5.5 MB archive is imported with peak RSS bounded by the limits, not by the entry", async () => {
  if (process.platform !== "linux") {
    console.log("skipped: peak RSS is read from /proc/self/status (Linux only)");
    return;
  }
  const id = uuid();
  // 5 MB of stored random bytes keep the archive above BIG / LIMITS.maxArchiveRatio (a real export
  // with a large attachment, not a zip bomb), as in the reported case.
  const noise = new Uint8Array(5 * MB);
  for (let i = 0; i < noise.length; i += 65536) crypto.getRandomValues(noise.subarray(i, i + 65536));
  const zip = buildZip([...notebookEntries(id), { name: `${id}.extra`, data: noise }, { name: `${id}.pdf`, data: "", compressed: await deflatedZeros(BIG), declaredSize: BIG }]);
  const file = join(dir, "huge.rmdoc");
  writeFileSync(file, zip);
  const archive = statSync(file).size;
  expect(archive).toBeLessThan(7 * MB);
  expect(archive * LIMITS.maxArchiveRatio).toBeGreaterThan(BIG);

  const child = Bun.spawn([process.execPath, join(import.meta.dir, "import-memory-child.ts"), file, "huge.rmdoc"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, RMIRROR_LOG_LEVEL: "silent" } });
  const [code, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  expect({ code, err: err.trim() }).toEqual({ code: 0, err: "" });
  const r = JSON.parse(out.trim().split("\n").at(-1)!) as { status: number; body: any; before: number; peak: number };
  expect(r.status).toBe(201);
  expect(r.body.documents).toEqual([{ uuid: id, name: "Huge attachment", pages: 0, missingUploaded: 4 }]);

  // The bound: the archive (spooled, then mapped), the largest file the import ever holds whole
  // (one .rm page, LIMITS.maxRmBytes), and 128 MB for the runtime, I/O buffers and garbage not yet collected. Not the entry.
  const bound = archive + LIMITS.maxRmBytes + 128 * MB;
  const grew = r.peak - r.before;
  console.log(`import of a ${(archive / MB).toFixed(1)} MB archive holding a ${BIG / MB} MB entry: peak RSS ${(r.peak / MB).toFixed(0)} MB (+${(grew / MB).toFixed(0)} MB over ${(r.before / MB).toFixed(0)} MB), bound +${(bound / MB).toFixed(0)} MB`);
  expect(grew).toBeLessThan(bound);
  expect(bound).toBeLessThan(BIG); // the bound really is below what holding the entry would cost
  // A hang guard, not a speed check: ~20 s on a quiet 2-core machine (two passes over 480 MB:
  // hash, then store), over 5 minutes with the suite and two CPU hogs beside it.
}, 900_000);

test("an entry larger than RMIRROR_MAX_BLOB_BYTES is refused with 413 archive_entry_too_large naming it; nothing stored", async () => {
  const h = await harness({ overrides: { maxBlobBytes: MB } });
  try {
    const u = await addUser(h, "cap@example.com");
    const id = uuid();
    const zip = buildZip([...notebookEntries(id), { name: `${id}.pdf`, data: "", compressed: await deflatedZeros(2 * MB), declaredSize: 2 * MB }]);
    const res = await call(h, "POST", "/api/v1/import?filename=capped.rmdoc", { token: u.token, body: zip as Uint8Array<ArrayBuffer>, headers: { "content-type": "application/zip" } });
    expect(res.status).toBe(413);
    const body = await json(res);
    expect(body.error.code).toBe("archive_entry_too_large");
    expect(body.error.message).toContain(`${id}.pdf`);
    expect(body.error.details).toEqual({ entry: `${id}.pdf`, size: 2 * MB, limit: MB });
    expect(h.ctx.store.db.query("SELECT (SELECT count(*) FROM documents) AS d, (SELECT count(*) FROM blobs) AS b").get()).toEqual({ d: 0, b: 0 });
  } finally {
    await h.close();
  }
});
