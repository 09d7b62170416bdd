import type { Config } from "../config/schema.ts";
import { DiskBlobStore } from "./disk.ts";
import { S3BlobStore } from "./s3.ts";
import type { BlobStore } from "./store.ts";

export type { BlobStore } from "./store.ts";
export { isSha256, sha256Hex, SHA256_RE } from "./store.ts";

export function createBlobStore(config: Config): BlobStore {
  if (config.storage === "s3") {
    return new S3BlobStore({
      endpoint: config.s3.endpoint!,
      bucket: config.s3.bucket!,
      region: config.s3.region,
      accessKeyId: config.s3.accessKeyId!,
      secretAccessKey: config.s3.secretAccessKey!,
      pathStyle: config.s3.pathStyle,
      prefix: config.s3.prefix,
    });
  }
  return new DiskBlobStore(config.filesDir);
}
