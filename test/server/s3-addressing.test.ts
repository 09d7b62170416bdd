// Both S3 addressing styles against the loopback S3, proving the objects land in the configured
// bucket: path style (http://host/<bucket>/<key>) and virtual-hosted style
// (http://<bucket>.host/<key>). Bun's S3Client ignores `bucket` in virtual-hosted mode with an
// endpoint, so the store must put the bucket into the endpoint's host itself.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createBlobStore } from "../../src/blobs/index.ts";
import { S3BlobStore, virtualHostedEndpoint } from "../../src/blobs/s3.ts";
import { sha256Hex } from "../../src/blobs/store.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { startS3, type LoopbackS3 } from "../support/s3.ts";
import { addUser, buildDoc, harness, syncDoc } from "../support/server-harness.ts";

let s3: LoopbackS3;
let inBucket: Bun.S3Client;

beforeAll(async () => {
  s3 = await startS3("rm-addressing");
  // An independent path-style client: what it lists is what is in the bucket.
  inBucket = new Bun.S3Client({ endpoint: s3.endpoint, bucket: s3.bucket, region: "us-east-1", accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
});
afterAll(async () => {
  await s3.close();
});

const serviceEndpoint = () => `http://s3.localhost:${s3.port}`;

async function keysInBucket(prefix: string): Promise<string[]> {
  const page = await inBucket.list({ prefix, maxKeys: 1000 });
  return (page.contents ?? []).map((o) => o.key).sort();
}

test("the virtual-hosted endpoint carries the bucket in its host", () => {
  expect(virtualHostedEndpoint("https://s3.eu-west-1.amazonaws.com", "notes")).toBe("https://notes.s3.eu-west-1.amazonaws.com");
  expect(virtualHostedEndpoint("http://s3.localhost:9000/", "notes")).toBe("http://notes.s3.localhost:9000");
  // already there: not doubled
  expect(virtualHostedEndpoint("https://notes.s3.eu-west-1.amazonaws.com", "notes")).toBe("https://notes.s3.eu-west-1.amazonaws.com");
  // a bucket name that cannot be a DNS label cannot be virtual-hosted
  expect(() => virtualHostedEndpoint("https://s3.example.com", "Bad_Bucket")).toThrow(/path style/);
});

for (const pathStyle of [true, false]) {
  const style = pathStyle ? "path style" : "virtual-hosted style";
  test(`${style}: blobs are written into, read from and listed in the configured bucket`, async () => {
    const prefix = pathStyle ? "path/" : "vhost/";
    const config = loadConfig({
      env: {
        RMIRROR_STORAGE: "s3",
        RMIRROR_S3_ENDPOINT: pathStyle ? s3.endpoint : serviceEndpoint(),
        RMIRROR_S3_BUCKET: s3.bucket,
        RMIRROR_S3_PATH_STYLE: String(pathStyle),
        RMIRROR_S3_PREFIX: prefix,
        RMIRROR_S3_ACCESS_KEY_ID: s3.accessKeyId,
        RMIRROR_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      overrides: { dataDir: "/nonexistent-not-used" },
    });
    const store = createBlobStore(config) as S3BlobStore;
    const bytes = new TextEncoder().encode(`${style} ${crypto.randomUUID()}`);
    const sha = sha256Hex(bytes);
    await store.check();
    await store.put(sha, bytes);
    expect(await keysInBucket(prefix)).toEqual([`${prefix}${sha.slice(0, 2)}/${sha}`]);
    expect(new TextDecoder().decode((await store.get(sha))!)).toBe(new TextDecoder().decode(bytes));
    const listed: string[] = [];
    for await (const o of store.listObjects()) listed.push(o.key);
    expect(listed).toEqual([`${prefix}${sha.slice(0, 2)}/${sha}`]);
  });
}

test("virtual-hosted style end to end: an agent's upload lands in the bucket", async () => {
  const h = await harness({
    overrides: { storage: "s3", "s3.endpoint": serviceEndpoint(), "s3.bucket": s3.bucket, "s3.pathStyle": false, "s3.prefix": "e2e/", "s3.accessKeyId": s3.accessKeyId, "s3.secretAccessKey": s3.secretAccessKey },
  });
  try {
    const u = await addUser(h, "vhost@example.com");
    const d = buildDoc([crypto.getRandomValues(new Uint8Array(3000))], { name: "Virtual host" });
    await syncDoc(h, u.token, d);
    expect(await keysInBucket("e2e/")).toEqual([...d.blobs.keys()].map((sha) => `e2e/${sha.slice(0, 2)}/${sha}`).sort());
  } finally {
    await h.close();
  }
});
