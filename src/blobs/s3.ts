// Blobs as objects <prefix><ab>/<sha256> in an S3-compatible bucket via Bun.S3Client.
// Note: S3File.size is NaN in Bun; use stat()/exists().
import { rm } from "node:fs/promises";
import { assertSha256, type BlobStore, type StoredBlob } from "./store.ts";

const KEY = /^[0-9a-f]{2}\/([0-9a-f]{64})$/;

export interface S3Options {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  pathStyle: boolean;
  prefix?: string;
}

export class S3BlobStore implements BlobStore {
  readonly kind = "s3" as const;
  readonly client: Bun.S3Client;
  readonly prefix: string;

  constructor(opts: S3Options) {
    this.client = new Bun.S3Client({
      endpoint: opts.endpoint,
      bucket: opts.bucket,
      region: opts.region,
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      virtualHostedStyle: !opts.pathStyle,
    });
    this.prefix = opts.prefix ?? "";
  }

  keyOf(sha256: string): string {
    assertSha256(sha256);
    return `${this.prefix}${sha256.slice(0, 2)}/${sha256}`;
  }

  async has(sha256: string): Promise<boolean> {
    return this.client.exists(this.keyOf(sha256));
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const key = this.keyOf(sha256);
    if (await this.client.exists(key)) return;
    await this.client.write(key, bytes, { type: "application/octet-stream" });
  }

  async putFile(sha256: string, path: string): Promise<void> {
    try {
      const key = this.keyOf(sha256);
      if (!(await this.client.exists(key))) await this.client.write(key, Bun.file(path), { type: "application/octet-stream" });
    } finally {
      await rm(path, { force: true });
    }
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    const f = this.client.file(this.keyOf(sha256));
    try {
      return new Uint8Array(await f.arrayBuffer());
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** S3File cannot be a Response body with headers in Bun: hand out its byte stream. */
  async stream(sha256: string): Promise<ReadableStream<Uint8Array> | null> {
    const key = this.keyOf(sha256);
    if (!(await this.client.exists(key))) return null;
    return this.client.file(key).stream();
  }

  async delete(sha256: string): Promise<void> {
    await this.client.delete(this.keyOf(sha256));
  }

  /** Every object under the prefix named like a blob, paged with continuation tokens. */
  async *list(): AsyncIterable<StoredBlob> {
    let token: string | undefined;
    for (;;) {
      const page = await this.client.list({ prefix: this.prefix, maxKeys: 1000, ...(token ? { continuationToken: token } : {}) });
      for (const o of page.contents ?? []) {
        const m = KEY.exec(o.key.slice(this.prefix.length));
        if (!o.key.startsWith(this.prefix) || !m || m[1]!.slice(0, 2) !== o.key.slice(this.prefix.length, this.prefix.length + 2)) continue;
        const t = o.lastModified ? Date.parse(o.lastModified) : NaN;
        yield { sha256: m[1]!, size: o.size ?? 0, modifiedAt: Number.isFinite(t) ? t : 0 };
      }
      token = page.nextContinuationToken;
      if (!page.isTruncated || !token) break;
    }
  }

  /** Writes go straight to their key: no temp objects to clean. */
  async removeStaleTemp(): Promise<number> {
    return 0;
  }

  /** A one-key listing: fails on a wrong endpoint, bucket or credentials (exists() would say "no"). */
  async check(): Promise<void> {
    await this.client.list({ prefix: this.prefix, maxKeys: 1 });
  }
}

function isNotFound(e: unknown): boolean {
  const err = e as { code?: string; name?: string; message?: string };
  return err?.code === "NoSuchKey" || err?.name === "NoSuchKey" || /NoSuchKey|not found|404/i.test(err?.message ?? "");
}
