// The BlobStore contract, run against both implementations: local disk and S3 (s3rver on loopback).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiskBlobStore } from "../../src/blobs/disk.ts";
import { S3BlobStore } from "../../src/blobs/s3.ts";
import { sha256Hex, type BlobStore } from "../../src/blobs/store.ts";
import { startS3, type LoopbackS3 } from "../support/s3.ts";

let s3: LoopbackS3;
let diskRoot: string;
const scratch = mkdtempSync(join(tmpdir(), "rmirror-blobtest-"));

beforeAll(async () => {
  s3 = await startS3();
  diskRoot = mkdtempSync(join(tmpdir(), "rmirror-disk-"));
});
afterAll(async () => {
  await s3.close();
  rmSync(diskRoot, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const stores: [string, () => BlobStore][] = [
  ["disk", () => new DiskBlobStore(diskRoot)],
  ["s3", () => new S3BlobStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, pathStyle: true, prefix: "blobs/" })],
];

for (const [name, make] of stores) {
  describe(`BlobStore: ${name}`, () => {
    test("put/has/get/stream/delete round trip, idempotent put", async () => {
      const store = make();
      const bytes = crypto.getRandomValues(new Uint8Array(70_000));
      const sha = sha256Hex(bytes);
      expect(await store.has(sha)).toBe(false);
      expect(await store.get(sha)).toBeNull();
      expect(await store.stream(sha)).toBeNull();
      await store.put(sha, bytes);
      await store.put(sha, bytes); // idempotent
      expect(await store.has(sha)).toBe(true);
      expect(sha256Hex((await store.get(sha))!)).toBe(sha);
      const streamed = await store.stream(sha);
      expect(sha256Hex(new Uint8Array(await new Response(streamed!).arrayBuffer()))).toBe(sha);
      await store.delete(sha);
      expect(await store.has(sha)).toBe(false);
    });

    test("putFile consumes the temp file", async () => {
      const store = make();
      const bytes = new TextEncoder().encode(`file ${name} ${Math.random()}`);
      const sha = sha256Hex(bytes);
      const tmp = join(scratch, `t-${name}`);
      writeFileSync(tmp, bytes);
      await store.putFile(sha, tmp);
      expect(existsSync(tmp)).toBe(false);
      expect(new TextDecoder().decode((await store.get(sha))!)).toBe(new TextDecoder().decode(bytes));
    });

    test("keys are validated before they touch a path or object key", async () => {
      const store = make();
      for (const bad of ["../../etc/passwd", "ABC", "0".repeat(63), "g".repeat(64), `${"a".repeat(64)}/x`]) {
        await expect(store.has(bad)).rejects.toThrow(/invalid sha256/);
        await expect(store.put(bad, new Uint8Array(1))).rejects.toThrow(/invalid sha256/);
      }
    });

    test("check() passes on a working store", async () => {
      await make().check();
    });
  });
}

test("S3 check() fails for a bucket that does not exist", async () => {
  const store = new S3BlobStore({ endpoint: s3.endpoint, bucket: "no-such-bucket", region: "us-east-1", accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, pathStyle: true });
  await expect(store.check()).rejects.toThrow();
});

test("S3 check() fails against a dead endpoint", async () => {
  const store = new S3BlobStore({ endpoint: "http://127.0.0.1:1", bucket: "x", region: "us-east-1", accessKeyId: "a", secretAccessKey: "b", pathStyle: true });
  await expect(store.check()).rejects.toThrow();
});
