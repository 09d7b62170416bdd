// Blobs as files under <root>/ab/cd/<sha256>. Writes go to a temp file in <root>/.tmp, are
// fsync'd, renamed into place and the folder fsync'd, so a reader never sees a partial blob and an
// acknowledged blob survives a power cut. A copy that is already there is trusted only when it is
// sound (right size; right hash when it is small enough to hash cheaply): a crash can leave a
// 0-byte or short file behind, and the next write of those bytes replaces it.
import { existsSync, mkdirSync } from "node:fs";
import { open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { guarded } from "./faults.ts";
import { assertSha256, SHA256_RE, type BlobStore, type ScrubResult, type StoredBlob } from "./store.ts";

/** Stored copies up to this size are hashed before a re-upload is answered "already stored". */
export const CHEAP_HASH_BYTES = 1024 * 1024;
const FANOUT = /^[0-9a-f]{2}$/;
/** A cross-device copy in progress: <sha256>.<uuid>.part beside its destination. */
const PART = /^[0-9a-f]{64}\.[0-9a-f-]{36}\.part$/;

/** Where the disk store keeps a blob under `root`: <root>/ab/cd/<sha256> (backups use the same layout). */
export function diskBlobPath(root: string, sha256: string): string {
  assertSha256(sha256);
  return join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** fsync a file or a folder (a folder: so a rename into it survives a power cut; not on Windows). */
export async function fsyncPath(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    if (process.platform === "win32") return;
    throw e;
  }
  try {
    await fh.sync();
  } catch (e) {
    // Some file systems refuse fsync on a folder (EINVAL); the file itself was synced already.
    if (!["EINVAL", "EISDIR", "EPERM", "EBADF"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
  } finally {
    await fh.close();
  }
}

/** sha256 and size of a file, read in chunks. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hasher = new Bun.CryptoHasher("sha256");
  let size = 0;
  for await (const chunk of Bun.file(path).stream() as unknown as AsyncIterable<Uint8Array>) {
    hasher.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hasher.digest("hex"), size };
}

export class DiskBlobStore implements BlobStore {
  readonly kind = "disk" as const;
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = join(root, ".tmp");
    mkdirSync(this.tmpDir, { recursive: true });
  }

  pathOf(sha256: string): string {
    return diskBlobPath(this.root, sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return existsSync(this.pathOf(sha256));
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  async isSound(sha256: string, size: number): Promise<boolean> {
    const have = await this.size(sha256);
    if (have !== size) return false;
    if (size > CHEAP_HASH_BYTES) return true;
    return (await hashFile(this.pathOf(sha256))).sha256 === sha256;
  }

  async scrub(sha256: string, expectedSize?: number): Promise<ScrubResult> {
    const path = this.pathOf(sha256);
    if (!existsSync(path)) return "missing";
    const got = await hashFile(path);
    if (expectedSize !== undefined && got.size !== expectedSize) return "size";
    return got.sha256 === sha256 ? "ok" : "hash";
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const dest = this.pathOf(sha256);
    if (await this.isSound(sha256, bytes.byteLength)) return;
    const tmp = join(this.tmpDir, `${sha256}.${crypto.randomUUID()}`);
    await guarded("write", async () => {
      try {
        await writeFile(tmp, bytes);
        await fsyncPath(tmp);
        await this.install(tmp, dest);
      } finally {
        await rm(tmp, { force: true });
      }
    });
  }

  async putFile(sha256: string, path: string): Promise<void> {
    try {
      const size = (await stat(path)).size;
      if (await this.isSound(sha256, size)) return;
      await guarded("write", async () => {
        await fsyncPath(path);
        await this.install(path, this.pathOf(sha256));
      });
    } finally {
      await rm(path, { force: true });
    }
  }

  private async install(tmp: string, dest: string): Promise<void> {
    mkdirSync(dirname(dest), { recursive: true });
    try {
      await rename(tmp, dest);
    } catch (e) {
      // Cross-device temp file (caller's temp dir on another filesystem): copy instead.
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      const part = `${dest}.${crypto.randomUUID()}.part`;
      try {
        await Bun.write(part, Bun.file(tmp));
        await fsyncPath(part);
        await rename(part, dest);
      } finally {
        await rm(part, { force: true });
      }
      await rm(tmp, { force: true });
    }
    await fsyncPath(dirname(dest));
  }

  async get(sha256: string): Promise<Uint8Array | null> {
    const f = Bun.file(this.pathOf(sha256));
    if (!(await f.exists())) return null;
    return new Uint8Array(await f.arrayBuffer());
  }

  async stream(sha256: string): Promise<Blob | null> {
    const f = Bun.file(this.pathOf(sha256));
    return (await f.exists()) ? f : null;
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  async *list(): AsyncIterable<StoredBlob> {
    for (const a of await readdirOrNone(this.root)) {
      if (!FANOUT.test(a)) continue;
      for (const b of await readdirOrNone(join(this.root, a))) {
        if (!FANOUT.test(b)) continue;
        const dir = join(this.root, a, b);
        for (const name of await readdirOrNone(dir)) {
          if (!SHA256_RE.test(name) || name.slice(0, 4) !== a + b) continue;
          const s = await stat(join(dir, name)).catch(() => null);
          if (s?.isFile()) yield { sha256: name, size: s.size, modifiedAt: s.mtimeMs };
        }
      }
    }
  }

  async removeStaleTemp(before: number): Promise<number> {
    let removed = 0;
    const sweep = async (dir: string, match: (name: string) => boolean) => {
      for (const name of await readdirOrNone(dir)) {
        if (!match(name)) continue;
        const p = join(dir, name);
        const s = await stat(p).catch(() => null);
        if (s?.isFile() && s.mtimeMs < before) {
          await rm(p, { force: true });
          removed++;
        }
      }
    };
    await sweep(this.tmpDir, () => true);
    for (const a of await readdirOrNone(this.root)) {
      if (!FANOUT.test(a)) continue;
      for (const b of await readdirOrNone(join(this.root, a))) if (FANOUT.test(b)) await sweep(join(this.root, a, b), (n) => PART.test(n));
    }
    return removed;
  }

  async check(): Promise<void> {
    const s = await stat(this.root);
    if (!s.isDirectory()) throw new Error(`blobs: ${this.root} is not a directory`);
    const probe = join(this.tmpDir, `healthz.${process.pid}`);
    await writeFile(probe, "ok");
    await rm(probe, { force: true });
  }
}

async function readdirOrNone(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}
