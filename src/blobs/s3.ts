// Blobs as objects <prefix><ab>/<sha256> in an S3-compatible bucket via Bun.S3Client.
// Notes (Bun 1.4): S3File.size is NaN (use stat()); with virtualHostedStyle and an endpoint the
// client ignores `bucket`, so the bucket goes into the endpoint's host here; listings page with
// continuation tokens. Network failures and 5xx answers become StorageUnavailable (./faults.ts).
import { isIP } from "node:net";
import { rm, stat } from "node:fs/promises";
import { guarded } from "./faults.ts";
import { assertSha256, type BlobStore, type ScrubResult, type StoredBlob } from "./store.ts";

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

/**
 * The endpoint for virtual-hosted-style requests: the bucket as the first label of the service
 * host (`https://s3.eu-west-1.amazonaws.com` + `notes` → `https://notes.s3.eu-west-1.amazonaws.com`),
 * unless the endpoint names it already. Refuses what cannot work that way.
 */
export function virtualHostedEndpoint(endpoint: string, bucket: string): string {
  const url = new URL(endpoint);
  if (!/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/.test(bucket))
    throw new Error(`blobs: the bucket name "${bucket}" is not a DNS label, so it cannot be addressed virtual-hosted style; use path style (RMIRROR_S3_PATH_STYLE=true)`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) throw new Error(`blobs: virtual-hosted style needs a host name in RMIRROR_S3_ENDPOINT, not the address ${host}; use path style (RMIRROR_S3_PATH_STYLE=true)`);
  if (!url.hostname.startsWith(`${bucket}.`)) url.hostname = `${bucket}.${url.hostname}`;
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export class S3BlobStore implements BlobStore {
  readonly kind = "s3" as const;
  readonly client: Bun.S3Client;
  readonly prefix: string;

  constructor(opts: S3Options) {
    this.client = new Bun.S3Client({
      endpoint: opts.pathStyle ? opts.endpoint : virtualHostedEndpoint(opts.endpoint, opts.bucket),
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
    const key = this.keyOf(sha256);
    return guarded("exists", () => this.client.exists(key));
  }

  async size(sha256: string): Promise<number | null> {
    const key = this.keyOf(sha256);
    return guarded("stat", async () => {
      try {
        return (await this.client.file(key).stat()).size;
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    });
  }

  /** Size only: hashing a stored object would mean downloading it (scrub() does). */
  async isSound(sha256: string, size: number): Promise<boolean> {
    return (await this.size(sha256)) === size;
  }

  async scrub(sha256: string, expectedSize?: number): Promise<ScrubResult> {
    const key = this.keyOf(sha256);
    return guarded("read", async () => {
      if (!(await this.client.exists(key))) return "missing";
      const hasher = new Bun.CryptoHasher("sha256");
      let size = 0;
      for await (const chunk of this.client.file(key).stream() as unknown as AsyncIterable<Uint8Array>) {
        hasher.update(chunk);
        size += chunk.byteLength;
      }
      if (expectedSize !== undefined && size !== expectedSize) return "size";
      return hasher.digest("hex") === sha256 ? "ok" : "hash";
    });
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const key = this.keyOf(sha256);
    if (await this.isSound(sha256, bytes.byteLength)) return;
    await guarded("write", () => this.client.write(key, bytes, { type: "application/octet-stream" }));
  }

  async putFile(sha256: string, path: string): Promise<void> {
    try {
      const key = this.keyOf(sha256);
      const size = (await stat(path)).size;
      if (await this.isSound(sha256, size)) return;
      await guarded("write", () => this.client.write(key, Bun.file(path), { type: "application/octet-stream" }));
    } finally {
      await rm(path, { force: true });
    }
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    const f = this.client.file(this.keyOf(sha256));
    return guarded("read", async () => {
      try {
        return new Uint8Array(await f.arrayBuffer());
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    });
  }

  /** S3File cannot be a Response body with headers in Bun: hand out its byte stream. */
  async stream(sha256: string): Promise<ReadableStream<Uint8Array> | null> {
    const key = this.keyOf(sha256);
    if (!(await guarded("exists", () => this.client.exists(key)))) return null;
    return this.client.file(key).stream();
  }

  async delete(sha256: string): Promise<void> {
    const key = this.keyOf(sha256);
    await guarded("delete", () => this.client.delete(key));
  }

  /** Every object under the prefix, page by page (ListObjectsV2 continuation tokens). */
  async *listObjects(pageSize = 1000): AsyncGenerator<{ key: string; size: number; modifiedAt: number }> {
    let continuationToken: string | undefined;
    for (;;) {
      const token = continuationToken;
      const page = await guarded("list", () => this.client.list({ prefix: this.prefix, maxKeys: pageSize, ...(token ? { continuationToken: token } : {}) }));
      for (const o of page.contents ?? []) {
        const t = o.lastModified ? Date.parse(o.lastModified) : NaN;
        yield { key: o.key, size: o.size ?? 0, modifiedAt: Number.isFinite(t) ? t : 0 };
      }
      if (!page.isTruncated) return;
      if (!page.nextContinuationToken) throw new Error("blobs: the S3 listing is truncated but carries no continuation token");
      continuationToken = page.nextContinuationToken;
    }
  }

  /** Every object under the prefix named like a blob (<ab>/<sha256>); anything else is skipped. */
  async *list(): AsyncIterable<StoredBlob> {
    for await (const o of this.listObjects()) {
      if (!o.key.startsWith(this.prefix)) continue;
      const rest = o.key.slice(this.prefix.length);
      const m = KEY.exec(rest);
      if (!m || m[1]!.slice(0, 2) !== rest.slice(0, 2)) continue;
      yield { sha256: m[1]!, size: o.size, modifiedAt: o.modifiedAt };
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
