// Blobs as files under <root>/ab/cd/<sha256>. Writes go to a temp file in <root>/.tmp and are
// renamed into place, so a reader never sees a partial blob.
import { existsSync, mkdirSync } from "node:fs";
import { readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { assertSha256, SHA256_RE, type BlobStore, type StoredBlob } from "./store.ts";

const FANOUT = /^[0-9a-f]{2}$/;
/** A cross-device copy in progress: <sha256>.<uuid>.part beside its destination. */
const PART = /^[0-9a-f]{64}\.[0-9a-f-]{36}\.part$/;

/** Where the disk store keeps a blob under `root`: <root>/ab/cd/<sha256> (backups use the same layout). */
export function diskBlobPath(root: string, sha256: string): string {
  assertSha256(sha256);
  return join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
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

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const dest = this.pathOf(sha256);
    if (existsSync(dest)) return;
    const tmp = join(this.tmpDir, `${sha256}.${crypto.randomUUID()}`);
    await writeFile(tmp, bytes);
    await this.install(tmp, dest);
  }

  async putFile(sha256: string, path: string): Promise<void> {
    const dest = this.pathOf(sha256);
    if (existsSync(dest)) {
      await rm(path, { force: true });
      return;
    }
    await this.install(path, dest);
  }

  private async install(tmp: string, dest: string): Promise<void> {
    mkdirSync(dirname(dest), { recursive: true });
    try {
      await rename(tmp, dest);
    } catch (e) {
      // Cross-device temp file (caller's temp dir on another filesystem): copy instead.
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      const part = `${dest}.${crypto.randomUUID()}.part`;
      await Bun.write(part, Bun.file(tmp));
      await rename(part, dest);
      await rm(tmp, { force: true });
    }
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
