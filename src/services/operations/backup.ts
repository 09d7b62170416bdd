// Online backup and restore of a data directory.
//
// Backup (safe while `rmirror serve` runs and writes):
//   1. the database through VACUUM INTO: one transactionally consistent snapshot;
//   2. the blobs that snapshot refers to. Blobs are stored before their index row is written, and
//      garbage collection deletes only blobs nothing refers to (after a grace period), so every
//      blob the snapshot's pages and files name is present in the store; an unreferenced one the
//      collector deletes while the backup runs is listed as missing in the manifest. Disk store:
//      copied to <dest>/files/ab/cd/<sha256>, hashed while copying, files already in <dest> are
//      kept (incremental). S3 store: the bucket is its own durability; a listing of keys and sizes
//      is written instead (s3-objects.json) so a restore can tell what must be there;
//   3. manifest.json (written last) with versions, counts and the sha256 of the database copy.
// Restore verifies everything (manifest, database hash and integrity, every blob's hash, that
// every indexed blob is present) before the database is put in place, and refuses a backup whose
// schema is newer than this binary.
import { existsSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { diskBlobPath } from "../../blobs/disk.ts";
import { createBlobStore } from "../../blobs/index.ts";
import { S3BlobStore } from "../../blobs/s3.ts";
import { SpoolFile } from "../../blobs/spool.ts";
import { isSha256 } from "../../blobs/store.ts";
import type { Config } from "../../config/schema.ts";
import { backupCounts, databaseSchemaVersion, indexedBlobs, integrityCheck, openExistingDatabase, vacuumInto, type BackupCounts } from "../../storage/backup.ts";
import { MIGRATIONS } from "../../storage/migrations.ts";
import { VERSION, commit } from "../../version.ts";

export const MANIFEST = "manifest.json";
export const DB_FILE = "rmirror.db";
export const FILES_DIR = "files";
export const S3_LISTING = "s3-objects.json";
const FORMAT = "rmirror-backup";
const FORMAT_VERSION = 1;

export interface BackupManifest {
  format: typeof FORMAT;
  formatVersion: number;
  rmirror: { version: string; commit: string };
  schemaVersion: number;
  createdAt: string;
  storage: "disk" | "s3";
  database: { file: string; sha256: string; bytes: number; integrity: "ok" };
  counts: BackupCounts;
  blobs:
    | { kind: "disk"; dir: string; files: number; bytes: number; copied: number; copiedBytes: number; kept: number; missing: string[] }
    | { kind: "s3"; listing: string; endpoint: string; bucket: string; prefix: string; objects: number; bytes: number; missing: string[] };
  ms: number;
}

/** A problem the user must act on (bad backup, wrong target); the CLI prints the message alone. */
export class BackupError extends Error {
  override readonly name = "BackupError";
}

type Progress = (msg: string) => void;

function chunks(path: string): AsyncIterable<Uint8Array> {
  return Bun.file(path).stream() as unknown as AsyncIterable<Uint8Array>;
}

async function fileSha256(path: string): Promise<{ sha256: string; bytes: number }> {
  const hasher = new Bun.CryptoHasher("sha256");
  let bytes = 0;
  for await (const chunk of chunks(path)) {
    hasher.update(chunk);
    bytes += chunk.byteLength;
  }
  return { sha256: hasher.digest("hex"), bytes };
}

/** Copy `src` to `dest` through a temp file, hashing on the way; throws on a hash mismatch. */
async function copyVerified(src: string, dest: string, sha256: string): Promise<number> {
  mkdirSync(dirname(dest), { recursive: true });
  const hasher = new Bun.CryptoHasher("sha256");
  const out = await SpoolFile.create(`${dest}.${crypto.randomUUID()}.part`);
  try {
    for await (const chunk of chunks(src)) {
      hasher.update(chunk);
      await out.write(chunk);
    }
    await out.finish();
    const actual = hasher.digest("hex");
    if (actual !== sha256) throw new BackupError(`blob ${sha256}: content hash is ${actual} (${src} is corrupt)`);
    await rename(out.path, dest);
    return out.bytes;
  } catch (e) {
    await out.discard();
    throw e;
  }
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID()}.part`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + "\n");
  await rename(tmp, path);
}

/** Make a consistent online backup of the data directory described by `config` into `dest`. */
export async function createBackup(config: Config, dest: string, progress: Progress = () => {}, opts: { s3ListPageSize?: number } = {}): Promise<BackupManifest> {
  const t0 = performance.now();
  if (config.dbPath === ":memory:") throw new BackupError("backup: an in-memory database cannot be backed up");
  mkdirSync(dest, { recursive: true });
  // left over by an interrupted earlier run into the same directory
  for (const f of readdirSync(dest)) if (f.startsWith(`${DB_FILE}.`) && f.endsWith(".partial")) await rm(join(dest, f), { force: true });
  const partial = join(dest, `${DB_FILE}.${crypto.randomUUID()}.partial`);
  const live = openExistingDatabase(config.dbPath);
  try {
    vacuumInto(live, partial);
  } finally {
    live.close();
  }
  try {
    const snap = openExistingDatabase(partial, true);
    let schema: number;
    let counts: BackupCounts;
    let blobs: BackupManifest["blobs"];
    try {
      const problems = integrityCheck(snap);
      if (problems.length !== 1 || problems[0] !== "ok") throw new BackupError(`backup: the database copy fails its integrity check: ${problems.slice(0, 5).join("; ")}`);
      schema = databaseSchemaVersion(snap);
      counts = backupCounts(snap);
      progress(`database snapshot: schema ${schema}, ${counts.documents} documents, ${counts.pages} pages, ${counts.blobs} blobs`);
      blobs = config.storage === "s3" ? await listS3(config, snap, dest, opts.s3ListPageSize ?? 1000) : await copyDiskBlobs(config.filesDir, snap, join(dest, FILES_DIR), progress);
    } finally {
      snap.close();
    }
    const { sha256, bytes } = await fileSha256(partial);
    await chmod(partial, 0o600); // it holds password hashes and secrets
    await rename(partial, join(dest, DB_FILE));
    const manifest: BackupManifest = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      rmirror: { version: VERSION, commit: commit() },
      schemaVersion: schema,
      createdAt: new Date().toISOString(),
      storage: config.storage,
      database: { file: DB_FILE, sha256, bytes, integrity: "ok" },
      counts,
      blobs,
      ms: Math.round(performance.now() - t0),
    };
    await writeJsonAtomic(join(dest, MANIFEST), manifest);
    return manifest;
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
}

async function copyDiskBlobs(srcRoot: string, snap: ReturnType<typeof openExistingDatabase>, destRoot: string, progress: Progress) {
  const out = { kind: "disk" as const, dir: FILES_DIR, files: 0, bytes: 0, copied: 0, copiedBytes: 0, kept: 0, missing: [] as string[] };
  for (const { sha256, size } of indexedBlobs(snap)) {
    out.files++;
    out.bytes += size;
    const target = diskBlobPath(destRoot, sha256);
    if (existsSync(target) && statSync(target).size === size) {
      out.kept++;
      continue;
    }
    const src = diskBlobPath(srcRoot, sha256);
    if (!existsSync(src)) {
      out.missing.push(sha256);
      continue;
    }
    out.copiedBytes += await copyVerified(src, target, sha256);
    out.copied++;
    if (out.copied % 1000 === 0) progress(`blobs: ${out.copied} copied, ${out.kept} already in the backup`);
  }
  return out;
}

async function listS3(config: Config, snap: ReturnType<typeof openExistingDatabase>, dest: string, pageSize: number) {
  const store = createBlobStore(config);
  if (!(store instanceof S3BlobStore)) throw new BackupError("backup: storage is s3 but the store is not");
  const objects: { key: string; size: number }[] = [];
  for await (const o of store.listObjects(pageSize)) objects.push(o);
  const keys = new Set(objects.map((o) => o.key));
  const missing: string[] = [];
  for (const { sha256 } of indexedBlobs(snap)) if (!keys.has(store.keyOf(sha256))) missing.push(sha256);
  await writeJsonAtomic(join(dest, S3_LISTING), { endpoint: config.s3.endpoint, bucket: config.s3.bucket, prefix: store.prefix, objects });
  return {
    kind: "s3" as const,
    listing: S3_LISTING,
    endpoint: config.s3.endpoint ?? "",
    bucket: config.s3.bucket ?? "",
    prefix: store.prefix,
    objects: objects.length,
    bytes: objects.reduce((n, o) => n + o.size, 0),
    missing,
  };
}

// ---------------------------------------------------------------------------------------------

export interface RestoreTarget {
  dataDir: string;
  dbPath: string;
  filesDir: string;
}

export interface RestoreResult {
  manifest: BackupManifest;
  blobs: number;
  blobBytes: number;
  ms: number;
}

/** Largest manifest.json read (a real one is ~1 KB plus 65 bytes per blob missing at backup time). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/**
 * A file inside the backup must be a regular file or directory, not a symlink (which could point
 * anywhere outside the backup) nor a FIFO or device (reading one would hang or never end).
 */
function assertPlain(path: string, kind: "file" | "directory"): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isSymbolicLink()) throw new BackupError(`restore: ${path} is a symbolic link; a backup holds only regular files and directories, nothing was restored`);
  if (kind === "file" ? !st.isFile() : !st.isDirectory()) throw new BackupError(`restore: ${path} is not a regular ${kind}; nothing was restored`);
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isSha256List = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string" && isSha256(x));

/** Why a parsed manifest does not have the shape createBackup writes, or null when it does. */
function manifestProblem(m: BackupManifest): string | null {
  if (typeof m.rmirror !== "object" || m.rmirror === null || typeof m.rmirror.version !== "string" || m.rmirror.version.length > 100) return "rmirror.version is not a version string";
  if (!isCount(m.schemaVersion)) return "schemaVersion is not a non-negative integer";
  if (typeof m.createdAt !== "string" || m.createdAt.length > 100) return "createdAt is not a date string";
  if (typeof m.database !== "object" || m.database === null || typeof m.database.sha256 !== "string" || !isSha256(m.database.sha256)) return "database.sha256 is not a sha256";
  if (typeof m.counts !== "object" || m.counts === null || !Object.values(m.counts).every(isCount) || !isCount(m.counts.documents) || !isCount(m.counts.pages)) return "counts are not non-negative integers";
  const b = m.blobs as unknown as Record<string, unknown>;
  if (b.kind === "disk") {
    // blobs are read from <backup>/<dir>: one plain name, never a path that leaves the backup
    if (b.dir !== FILES_DIR) return `blobs.dir must be "${FILES_DIR}"`;
    if (!isSha256List(b.missing)) return "blobs.missing is not a list of sha256";
  } else if (b.kind === "s3") {
    if (typeof b.bucket !== "string" || typeof b.prefix !== "string" || !isCount(b.objects)) return "blobs (s3) lacks bucket, prefix or objects";
    if (!isSha256List(b.missing)) return "blobs.missing is not a list of sha256";
  } else return `blobs.kind is neither "disk" nor "s3"`;
  return null;
}

export async function readManifest(backupDir: string): Promise<BackupManifest> {
  const path = join(backupDir, MANIFEST);
  if (!lstatSync(path, { throwIfNoEntry: false })) throw new BackupError(`restore: ${backupDir} is not an rmirror backup (no ${MANIFEST})`);
  assertPlain(path, "file");
  if (statSync(path).size > MAX_MANIFEST_BYTES) throw new BackupError(`restore: ${path} is larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MB; not an rmirror backup manifest`);
  let m: BackupManifest;
  try {
    m = JSON.parse(await readFile(path, "utf8")) as BackupManifest;
  } catch (e) {
    throw new BackupError(`restore: ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof m !== "object" || m === null || m.format !== FORMAT || typeof m.formatVersion !== "number" || typeof m.schemaVersion !== "number" || !m.database || typeof m.blobs !== "object" || m.blobs === null)
    throw new BackupError(`restore: ${path} is not an rmirror backup manifest`);
  if (m.formatVersion > FORMAT_VERSION)
    throw new BackupError(`restore: this backup was written by rmirror ${m.rmirror?.version} in backup format ${m.formatVersion}; this rmirror ${VERSION} reads format ${FORMAT_VERSION}. Use rmirror ${m.rmirror?.version} or newer.`);
  const problem = manifestProblem(m);
  if (problem) throw new BackupError(`restore: ${path} is damaged or not written by rmirror backup: ${problem}; nothing was restored`);
  return m;
}

function schemaTooNew(found: number, from: string): BackupError {
  return new BackupError(
    `restore: this backup's database has schema version ${found} (made by rmirror ${from}), newer than this rmirror ${VERSION} understands (${MIGRATIONS.length}). ` +
      `Restore it with rmirror ${from} or newer; nothing was changed.`,
  );
}

/** True when the target already holds rmirror data (a database or any blob file). */
export function holdsData(t: RestoreTarget): boolean {
  for (const suffix of ["", "-wal", "-shm"]) if (existsSync(t.dbPath + suffix)) return true;
  if (!existsSync(t.filesDir)) return false;
  for (const a of readdirSync(t.filesDir)) if (/^[0-9a-f]{2}$/.test(a) && readdirSync(join(t.filesDir, a)).length) return true;
  return false;
}

/** Blob files of a disk backup: <root>/ab/cd/<sha256>; anything else there is an error. */
function backupBlobFiles(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  assertPlain(root, "directory");
  for (const a of readdirSync(root)) {
    if (a === ".tmp") continue;
    const da = join(root, a);
    if (lstatSync(da).isSymbolicLink()) assertPlain(da, "directory");
    if (!statSync(da).isDirectory()) continue;
    for (const b of readdirSync(da)) {
      const db = join(da, b);
      if (lstatSync(db).isSymbolicLink()) assertPlain(db, "directory");
      if (!statSync(db).isDirectory()) continue;
      for (const f of readdirSync(db)) {
        if (f.endsWith(".part")) continue;
        if (!isSha256(f) || f.slice(0, 2) !== a || f.slice(2, 4) !== b) throw new BackupError(`restore: unexpected file in the backup: ${join(db, f)}`);
        assertPlain(join(db, f), "file");
        out.set(f, join(db, f));
      }
    }
  }
  return out;
}

/**
 * Restore `backupDir` into the data directory `target`. Refuses a target that already holds
 * data unless `force`; verifies before the database is installed, and on failure removes what it
 * wrote.
 */
export async function restoreBackup(backupDir: string, target: RestoreTarget, opts: { force?: boolean; progress?: Progress } = {}): Promise<RestoreResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? (() => {});
  const m = await readManifest(backupDir);
  if (m.schemaVersion > MIGRATIONS.length) throw schemaTooNew(m.schemaVersion, m.rmirror?.version ?? "?");

  const dbCopy = join(backupDir, DB_FILE);
  if (!lstatSync(dbCopy, { throwIfNoEntry: false })) throw new BackupError(`restore: the backup has no ${DB_FILE}`);
  assertPlain(dbCopy, "file");
  const { sha256 } = await fileSha256(dbCopy);
  if (sha256 !== m.database.sha256) throw new BackupError(`restore: ${dbCopy} does not match the manifest (sha256 ${sha256}, expected ${m.database.sha256}): the backup is damaged`);
  const snap = openExistingDatabase(dbCopy, true);
  let indexed: { sha256: string; size: number }[];
  try {
    const found = databaseSchemaVersion(snap);
    if (found > MIGRATIONS.length) throw schemaTooNew(found, m.rmirror?.version ?? "?");
    const problems = integrityCheck(snap);
    if (problems.length !== 1 || problems[0] !== "ok") throw new BackupError(`restore: the backup database fails its integrity check: ${problems.slice(0, 5).join("; ")}`);
    indexed = [...indexedBlobs(snap)];
  } finally {
    snap.close();
  }

  if (holdsData(target) && !opts.force)
    throw new BackupError(`restore: ${target.dataDir} already holds rmirror data; restore into an empty data directory, or pass --force to replace its database (stop the server first)`);

  const written: string[] = [];
  let blobs = 0;
  let blobBytes = 0;
  try {
    if (m.blobs.kind === "disk") {
      const files = backupBlobFiles(join(backupDir, m.blobs.dir));
      const known = new Set(m.blobs.missing);
      const absent = indexed.filter((b) => !files.has(b.sha256) && !known.has(b.sha256));
      if (absent.length) throw new BackupError(`restore: the backup is incomplete: ${absent.length} blob(s) the database refers to are missing, e.g. ${absent[0]!.sha256}`);
      if (known.size) progress(`warning: ${known.size} blob(s) were already missing from the server when the backup was made`);
      for (const [sha, path] of files) {
        const dest = diskBlobPath(target.filesDir, sha);
        const fresh = !existsSync(dest);
        blobBytes += await copyVerified(path, dest, sha).catch((e: unknown) => {
          if (e instanceof BackupError) throw new BackupError(`restore: ${e.message}: the backup is damaged; nothing was restored`);
          throw e;
        });
        if (fresh) written.push(dest);
        blobs++;
        if (blobs % 1000 === 0) progress(`blobs: ${blobs} of ${files.size} verified and restored`);
      }
    } else {
      progress(`blobs stay in s3://${m.blobs.bucket}/${m.blobs.prefix} (${m.blobs.objects} objects at backup time): run the server with the same RMIRROR_STORAGE=s3 settings`);
    }
    mkdirSync(dirname(target.dbPath), { recursive: true });
    const partial = `${target.dbPath}.${crypto.randomUUID()}.part`;
    written.push(partial);
    await copyVerified(dbCopy, partial, m.database.sha256);
    for (const suffix of ["-wal", "-shm", "-journal"]) await rm(target.dbPath + suffix, { force: true });
    await rename(partial, target.dbPath);
  } catch (e) {
    for (const f of written) await rm(f, { force: true });
    throw e;
  }
  return { manifest: m, blobs, blobBytes, ms: Math.round(performance.now() - t0) };
}
