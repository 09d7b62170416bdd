// Restore from a hostile backup directory: manifests with path traversal in the blob directory or
// the missing-blob list (`../../etc/x`, absolute paths, backslashes, NUL), wrong types, huge and
// negative counts, truncated and seeded-mutated JSON; symlinks inside the backup pointing outside
// (manifest, database copy, blob directory, blob files) and a FIFO where the database should be.
// Every case ends in a BackupError with a clear message (or, for a harmless mutation, a correct
// restore), and nothing is ever written outside the target data directory.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../src/config/schema.ts";
import { BackupError, createBackup, readManifest, restoreBackup, type RestoreTarget } from "../../src/services/operations/backup.ts";
import { mutate } from "../support/fuzz.ts";
import { addUser, buildDoc, harness, syncDoc, type Harness } from "../support/server-harness.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const root = mkdtempSync(join(tmpdir(), "rmirror-restore-hostile-"));
const backup = join(root, "backup");
const outside = join(root, "outside"); // stands for /etc: must never change
const targets = join(root, "targets");
const copies = join(root, "copies");
let h: Harness;
let good: string;
let n = 0;

function target(): RestoreTarget {
  const c = loadConfig({ env: {}, overrides: { dataDir: join(targets, `t${n++}`) } });
  return { dataDir: c.dataDir, dbPath: c.dbPath, filesDir: c.filesDir };
}

function copyOfBackup(): string {
  const dir = join(copies, `c${n++}`);
  cpSync(backup, dir, { recursive: true });
  return dir;
}

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

/** Everything under root except the targets and the backup copies (which restore may read). */
function outsideState(): string {
  return JSON.stringify([listing(outside), readdirSync(root).sort(), listing(backup)]);
}

/** Restore must refuse with a BackupError matching `why`, leaving the target without a database. */
async function refuses(dir: string, why: RegExp): Promise<string> {
  const before = outsideState();
  const t = target();
  let err: unknown;
  try {
    await restoreBackup(dir, t);
  } catch (e) {
    err = e;
  }
  if (!(err instanceof BackupError)) throw new Error(`expected a BackupError matching ${why}, got ${err instanceof Error ? err.stack : String(err)}`);
  expect(err.message).toMatch(why);
  expect(err.message.startsWith("restore: ")).toBe(true);
  expect(existsSync(t.dbPath)).toBe(false);
  expect(listing(t.filesDir).filter((f) => /[0-9a-f]{64}/.test(f))).toEqual([]);
  expect(outsideState()).toBe(before);
  return err.message;
}

function withManifest(text: string): string {
  const dir = copyOfBackup();
  writeFileSync(join(dir, "manifest.json"), text);
  return dir;
}

function withChange(change: (m: any) => void): string {
  const m = JSON.parse(good);
  change(m);
  return withManifest(JSON.stringify(m));
}

beforeAll(async () => {
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, "passwd"), "root:x:0:0\n");
  mkdirSync(targets);
  mkdirSync(copies);
  h = await harness();
  const u = await addUser(h, "hostile@example.com");
  for (let i = 0; i < 2; i++) await syncDoc(h, u.token, buildDoc([crypto.getRandomValues(new Uint8Array(3000))], { name: `Doc ${i}` }));
  await createBackup(h.ctx.config, backup);
  good = readFileSync(join(backup, "manifest.json"), "utf8");
});
afterAll(async () => {
  await h.close();
  rmSync(root, { recursive: true, force: true });
});

test("the untouched backup restores (the baseline the hostile cases start from)", async () => {
  const t = target();
  const r = await restoreBackup(backup, t);
  expect(r.blobs).toBeGreaterThan(0);
  expect(existsSync(t.dbPath)).toBe(true);
});

test("path traversal in the blob directory is refused before anything is read or written", async () => {
  for (const dir of ["../../outside", "../outside", "/etc", join(outside), "..\\..\\outside", "files/../../outside", "files\u0000x", "", ".", "files/", 42, null, ["files"], { x: 1 }])
    await refuses(withChange((m) => (m.blobs.dir = dir)), /blobs\.dir must be "files"/);
});

test("traversal and junk in the missing-blob list are refused", async () => {
  for (const missing of [["../../etc/passwd"], ["/etc/passwd"], ["a".repeat(64) + "/../x"], ["A".repeat(64)], [5], "abc", 7, null, { length: 3 }])
    await refuses(withChange((m) => (m.blobs.missing = missing)), /blobs\.missing is not a list of sha256/);
});

test("wrong types, huge and negative numbers are refused with a clear message", async () => {
  const cases: [(m: any) => void, RegExp][] = [
    [(m) => (m.rmirror = "x"), /rmirror\.version/],
    [(m) => (m.rmirror = null), /rmirror\.version/],
    [(m) => (m.rmirror.version = { toString: 1 }), /rmirror\.version/],
    [(m) => (m.schemaVersion = -1), /schemaVersion/],
    [(m) => (m.schemaVersion = 1.5), /schemaVersion/],
    [(m) => (m.schemaVersion = 1e300), /schemaVersion/],
    [(m) => (m.schemaVersion = "3"), /not an rmirror backup manifest/],
    [(m) => (m.createdAt = {}), /createdAt/],
    [(m) => (m.database = "rmirror.db"), /database\.sha256/],
    [(m) => (m.database.sha256 = 5), /database\.sha256/],
    [(m) => (m.database.sha256 = "../../outside/passwd"), /database\.sha256/],
    [(m) => (m.counts = null), /counts/],
    [(m) => (m.counts.documents = 1e308), /counts/],
    [(m) => (m.counts.pages = -5), /counts/],
    [(m) => (m.counts.users = "1"), /counts/],
    [(m) => (m.counts = {}), /counts/],
    [(m) => (m.blobs.kind = "ftp"), /blobs\.kind/],
    [(m) => (m.blobs = null), /not an rmirror backup manifest/],
    [(m) => (m.blobs = "files"), /not an rmirror backup manifest/],
    [(m) => (m.format = "tar"), /not an rmirror backup manifest/],
    [(m) => (m.formatVersion = 99), /backup format 99/],
  ];
  for (const [change, why] of cases) await refuses(withChange(change), why);
  for (const text of ["null", "[]", "42", '"manifest"', "{}", "", "\u0000\u0000", "{".repeat(100_000)]) await refuses(withManifest(text), /not valid JSON|not an rmirror backup manifest/);
});

test("a huge manifest is refused by size before it is parsed", async () => {
  const dir = copyOfBackup();
  writeFileSync(join(dir, "manifest.json"), Buffer.alloc(65 * 1024 * 1024, 0x20));
  await refuses(dir, /larger than 64 MB/);
  rmSync(dir, { recursive: true });
});

/** A fixed number of mutated manifests restored (never "as many as fit in a time budget"). */
const RESTORE_FUZZ_CASES = Number(process.env.FUZZ_RESTORE_CASES ?? 120);

test("truncated and seeded-mutated manifests end in a BackupError or a correct restore, never anything else", async () => {
  let refused = 0;
  let restored = 0;
  // every truncation point through readManifest (cheap), then full restores of seeded mutations
  for (let cut = 0; cut < good.length; cut += 7) {
    const dir = withManifest(good.slice(0, cut));
    await expect(readManifest(dir)).rejects.toBeInstanceOf(BackupError);
    rmSync(dir, { recursive: true });
    refused++;
  }
  const bytes = new TextEncoder().encode(good);
  let seed = 1;
  for (; seed <= RESTORE_FUZZ_CASES; seed++) {
    const dir = withManifest(new TextDecoder().decode(mutate(bytes, seed, 0)));
    const before = outsideState();
    const t = target();
    try {
      await restoreBackup(dir, t);
      restored++;
      expect(existsSync(t.dbPath)).toBe(true);
    } catch (e) {
      if (!(e instanceof BackupError)) throw new Error(`seed ${seed}: ${(e as Error)?.stack ?? e}`);
      expect(existsSync(t.dbPath)).toBe(false);
      refused++;
    }
    expect(outsideState()).toBe(before);
    rmSync(dir, { recursive: true });
    rmSync(t.dataDir, { recursive: true, force: true });
  }
  console.log(`fuzz restore manifests: ${Math.ceil(good.length / 7)} truncations + ${seed - 1} mutations, ${refused} refused with a BackupError, ${restored} harmless mutations restored`);
  expect(seed - 1).toBe(RESTORE_FUZZ_CASES);
  expect(refused).toBeGreaterThan(Math.ceil(good.length / 7));
}, 60_000);

test("symlinks inside the backup that point outside it are refused", async () => {
  // manifest.json → a (valid) manifest outside the backup
  let dir = copyOfBackup();
  writeFileSync(join(outside, "manifest.json"), good);
  rmSync(join(dir, "manifest.json"));
  symlinkSync(join(outside, "manifest.json"), join(dir, "manifest.json"));
  await refuses(dir, /manifest\.json is a symbolic link/);

  // rmirror.db → outside
  dir = copyOfBackup();
  renameSync(join(dir, "rmirror.db"), join(outside, "rmirror.db"));
  symlinkSync(join(outside, "rmirror.db"), join(dir, "rmirror.db"));
  await refuses(dir, /rmirror\.db is a symbolic link/);
  // a dangling one
  rmSync(join(outside, "rmirror.db"));
  await refuses(dir, /rmirror\.db is a symbolic link/);

  // files/ → a directory outside, files/ab → outside, and one blob file → /etc/passwd-like file
  dir = copyOfBackup();
  cpSync(join(dir, "files"), join(outside, "files"), { recursive: true });
  rmSync(join(dir, "files"), { recursive: true });
  symlinkSync(join(outside, "files"), join(dir, "files"));
  await refuses(dir, /files is a symbolic link/);

  dir = copyOfBackup();
  const a = readdirSync(join(dir, "files"))[0]!;
  cpSync(join(dir, "files", a), join(outside, `level-${a}`), { recursive: true });
  rmSync(join(dir, "files", a), { recursive: true });
  symlinkSync(join(outside, `level-${a}`), join(dir, "files", a));
  await refuses(dir, /is a symbolic link/);

  dir = copyOfBackup();
  const b = readdirSync(join(dir, "files", a))[0]!;
  const f = readdirSync(join(dir, "files", a, b))[0]!;
  rmSync(join(dir, "files", a, b, f));
  symlinkSync(join(outside, "passwd"), join(dir, "files", a, b, f));
  await refuses(dir, /is a symbolic link/);

  // and the files outside are exactly as they were
  expect(readFileSync(join(outside, "passwd"), "utf8")).toBe("root:x:0:0\n");
});

test("a FIFO or a directory where a file should be is refused instead of hanging", async () => {
  let dir = copyOfBackup();
  rmSync(join(dir, "rmirror.db"));
  const r = Bun.spawnSync(["mkfifo", join(dir, "rmirror.db")]);
  if (r.exitCode === 0) await refuses(dir, /rmirror\.db is not a regular file/);
  dir = copyOfBackup();
  rmSync(join(dir, "manifest.json"));
  mkdirSync(join(dir, "manifest.json"));
  await refuses(dir, /manifest\.json is not a regular file/);
});

test("the CLI prints the one-line reason and exits 1, no stack trace", () => {
  const dir = withChange((m) => (m.blobs.dir = "../../outside"));
  const t = target();
  const r = Bun.spawnSync([process.execPath, MAIN, "restore", dir, "--data-dir", t.dataDir], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root } });
  const err = r.stderr.toString();
  expect(r.exitCode).toBe(1);
  expect(err).toMatch(/^restore: .*blobs\.dir must be "files"; nothing was restored\n$/);
  expect(err).not.toContain("    at ");
  expect(existsSync(t.dbPath)).toBe(false);
});
