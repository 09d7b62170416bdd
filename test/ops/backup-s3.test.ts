// Backup with S3 storage: the bucket keeps the blobs (its own durability), so the backup holds the
// database snapshot and a listing of the bucket's keys and sizes, and names any indexed blob the
// bucket lacks. Restore puts the database back and leaves the blobs where they are.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createBackup, restoreBackup } from "../../src/services/operations/backup.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { openDatabase } from "../../src/storage/db.ts";
import { continuationTokensUsed, startS3, type LoopbackS3 } from "../support/s3.ts";
import { addUser, buildDoc, harness, syncDoc, type Harness } from "../support/server-harness.ts";

let s3: LoopbackS3;
let h: Harness;

beforeAll(async () => {
  s3 = await startS3();
  h = await harness({
    overrides: { storage: "s3", "s3.endpoint": s3.endpoint, "s3.bucket": s3.bucket, "s3.prefix": "rm/", "s3.accessKeyId": s3.accessKeyId, "s3.secretAccessKey": s3.secretAccessKey },
  });
});
afterAll(async () => {
  await h.close();
  await s3.close();
});

test("an S3 backup lists the bucket, flags missing blobs, and restores the database", async () => {
  const u = await addUser(h, "s3@example.com");
  const d = buildDoc([crypto.getRandomValues(new Uint8Array(2000)), crypto.getRandomValues(new Uint8Array(2500))], { name: "In the bucket" });
  await syncDoc(h, u.token, d);
  const dest = join(h.dir, "backup");
  const m = await createBackup(h.ctx.config, dest);
  expect(m.storage).toBe("s3");
  expect(m.blobs).toMatchObject({ kind: "s3", bucket: s3.bucket, prefix: "rm/", objects: 2, missing: [] });
  expect(readdirSync(dest).sort()).toEqual(["manifest.json", "rmirror.db", "s3-objects.json"]);
  const listing = JSON.parse(readFileSync(join(dest, "s3-objects.json"), "utf8"));
  expect(listing.objects.map((o: { key: string }) => o.key).sort()).toEqual([...d.blobs.keys()].map((sha) => `rm/${sha.slice(0, 2)}/${sha}`).sort());
  expect(listing.objects.map((o: { size: number }) => o.size).sort()).toEqual([2000, 2500]);

  // A blob gone from the bucket is named in the manifest.
  const gone = [...d.blobs.keys()][0]!;
  await h.ctx.blobs.delete(gone);
  const again = await createBackup(h.ctx.config, join(h.dir, "backup2"));
  expect(again.blobs.missing).toEqual([gone]);

  const c = loadConfig({ env: {}, overrides: { dataDir: join(h.dir, "restored") } });
  const progress: string[] = [];
  await restoreBackup(dest, { dataDir: c.dataDir, dbPath: c.dbPath, filesDir: c.filesDir }, { progress: (s) => progress.push(s) });
  expect(progress.join("\n")).toContain(`blobs stay in s3://${s3.bucket}/rm/`);
  expect(existsSync(c.filesDir)).toBe(false);
  const db = openDatabase(c.dbPath);
  expect((db.query("SELECT count(*) AS n FROM blobs").get() as { n: number }).n).toBe(2);
  db.close();
});

test("the bucket listing follows continuation tokens across pages and misses no key", async () => {
  const u = await addUser(h, "s3-pages@example.com");
  const d = buildDoc(Array.from({ length: 7 }, () => crypto.getRandomValues(new Uint8Array(300))), { name: "Many pages" });
  await syncDoc(h, u.token, d);
  const before = continuationTokensUsed();
  // 3 keys a page: the 9+ objects of this bucket need several ListObjectsV2 requests.
  const m = await createBackup(h.ctx.config, join(h.dir, "backup-paged"), () => {}, { s3ListPageSize: 3 });
  const listing = JSON.parse(readFileSync(join(h.dir, "backup-paged", "s3-objects.json"), "utf8"));
  const keys = listing.objects.map((o: { key: string }) => o.key);
  expect(new Set(keys).size).toBe(keys.length);
  for (const sha of d.blobs.keys()) expect(keys).toContain(`rm/${sha.slice(0, 2)}/${sha}`);
  expect(m.blobs.kind === "s3" && m.blobs.objects).toBe(keys.length);
  expect(keys.length).toBeGreaterThan(6);
  // Every page after the first was asked for with the token the previous page returned.
  expect(continuationTokensUsed() - before).toBe(Math.ceil(keys.length / 3) - 1);
});
