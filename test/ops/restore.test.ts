// Backup and restore edge cases: incremental backups, and every way restore must refuse —
// a target that already holds data, a damaged blob, a damaged database copy, a schema newer than
// this binary — each with a clear message and nothing left behind. Also the server's own refusal
// of a newer database.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { diskBlobPath } from "../../src/blobs/disk.ts";
import { sha256Hex } from "../../src/blobs/store.ts";
import { loadConfig } from "../../src/config/schema.ts";
import { BackupError, createBackup, restoreBackup, type BackupManifest, type RestoreTarget } from "../../src/services/operations/backup.ts";
import { openDatabase } from "../../src/storage/db.ts";
import { MIGRATIONS } from "../../src/storage/migrations.ts";
import { addUser, buildDoc, harness, syncDoc, type Harness } from "../support/server-harness.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const root = mkdtempSync(join(tmpdir(), "rmirror-ops-restore-"));
let h: Harness;
let manifest: BackupManifest;
const backup = join(root, "backup");

function target(name: string): RestoreTarget {
  const c = loadConfig({ env: {}, overrides: { dataDir: join(root, name) } });
  return { dataDir: c.dataDir, dbPath: c.dbPath, filesDir: c.filesDir };
}

function cli(args: string[]) {
  const r = Bun.spawnSync([process.execPath, MAIN, ...args], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

/** A copy of the good backup to damage. */
function copyOfBackup(name: string): string {
  const dir = join(root, name);
  cpSync(backup, dir, { recursive: true });
  return dir;
}

function rewriteManifest(dir: string, change: (m: BackupManifest) => void): void {
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BackupManifest;
  change(m);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(m));
}

beforeAll(async () => {
  h = await harness();
  const u = await addUser(h, "restore@example.com", true);
  for (let i = 0; i < 5; i++) {
    const d = buildDoc([crypto.getRandomValues(new Uint8Array(4000)), crypto.getRandomValues(new Uint8Array(3000))], { name: `Doc ${i}`, files: { ".content": new TextEncoder().encode(`{"n":${i}}`) } });
    await syncDoc(h, u.token, d);
  }
  manifest = await createBackup(h.ctx.config, backup);
});
afterAll(async () => {
  await h.close();
  rmSync(root, { recursive: true, force: true });
});

describe("backup", () => {
  test("the manifest describes the copy", () => {
    expect(manifest.format).toBe("rmirror-backup");
    expect(manifest.schemaVersion).toBe(MIGRATIONS.length);
    expect(manifest.counts).toMatchObject({ users: 1, documents: 5, pages: 10, blobs: 15 });
    expect(manifest.blobs).toMatchObject({ kind: "disk", files: 15, copied: 15, kept: 0, missing: [] });
    expect(manifest.database.sha256).toBe(sha256Hex(new Uint8Array(readFileSync(join(backup, "rmirror.db")))));
    expect(readdirSync(backup).sort()).toEqual(["files", "manifest.json", "rmirror.db"]);
  });

  test("backing up into the same directory again copies only what is new", async () => {
    const dest = join(root, "incremental");
    const first = await createBackup(h.ctx.config, dest);
    expect(first.blobs).toMatchObject({ copied: 15, kept: 0 });
    const token = (await addUser(h, "second@example.com")).token;
    await syncDoc(h, token, buildDoc([crypto.getRandomValues(new Uint8Array(5000))], { name: "Later" }));
    const second = await createBackup(h.ctx.config, dest);
    expect(second.blobs).toMatchObject({ files: 16, copied: 1, kept: 15 });
    expect(second.counts.documents).toBe(6);
    expect(readdirSync(dest).filter((f) => f.includes(".partial") || f.endsWith(".part"))).toEqual([]);
  });

  test("the CLI lists backup and restore in --help and explains its options", () => {
    const help = cli(["--help"]);
    expect(help.out).toMatch(/^\s+backup\s/m);
    expect(help.out).toMatch(/^\s+restore\s/m);
    expect(cli(["backup", "--help"]).out).toContain("Usage: rmirror backup <dest-dir>");
    expect(cli(["restore", "--help"]).out).toContain("--force");
    expect(cli(["backup"]).code).toBe(2);
  });
});

describe("restore", () => {
  test("into an empty directory: the database and every blob, then a server opens it", async () => {
    const t = target("fresh");
    const r = await restoreBackup(backup, t);
    expect(r.blobs).toBe(15);
    const db = openDatabase(t.dbPath);
    expect((db.query("SELECT count(*) AS n FROM documents").get() as { n: number }).n).toBe(5);
    for (const { sha256 } of db.query("SELECT sha256 FROM blobs").all() as { sha256: string }[])
      expect(sha256Hex(new Uint8Array(readFileSync(diskBlobPath(t.filesDir, sha256))))).toBe(sha256);
    db.close();
  });

  test("refuses a data directory that already holds data, unless --force", async () => {
    const t = target("occupied");
    mkdirSync(t.dataDir, { recursive: true });
    writeFileSync(t.dbPath, "not empty");
    await expect(restoreBackup(backup, t)).rejects.toThrow(/already holds rmirror data.*--force/);
    expect(readFileSync(t.dbPath, "utf8")).toBe("not empty");
    const viaCli = cli(["restore", backup, "--data-dir", t.dataDir]);
    expect(viaCli.code).toBe(1);
    expect(viaCli.err).toContain("already holds rmirror data");
    const forced = cli(["restore", backup, "--data-dir", t.dataDir, "--force"]);
    expect(forced.err).toBe("");
    expect(forced.code).toBe(0);
    expect(forced.out).toContain("5 documents");
    const db = new Database(t.dbPath, { readonly: true });
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    db.close();
  });

  test("refuses a backup with a corrupted blob and leaves nothing behind", async () => {
    const dir = copyOfBackup("bad-blob");
    const sha = (new Database(join(dir, "rmirror.db"), { readonly: true }).query("SELECT sha256 FROM blobs ORDER BY sha256 DESC LIMIT 1").get() as { sha256: string }).sha256;
    const file = diskBlobPath(join(dir, "files"), sha);
    const bytes = new Uint8Array(readFileSync(file));
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(file, bytes);
    const t = target("after-bad-blob");
    const err = await restoreBackup(dir, t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupError);
    expect((err as Error).message).toContain(`blob ${sha}: content hash is`);
    expect((err as Error).message).toContain("the backup is damaged");
    expect(existsSync(t.dbPath)).toBe(false);
    const left = existsSync(t.filesDir) ? readdirSync(t.filesDir, { recursive: true }).filter((f) => /[0-9a-f]{64}/.test(String(f))) : [];
    expect(left).toEqual([]);
    const viaCli = cli(["restore", dir, "--data-dir", join(root, "after-bad-blob-cli")]);
    expect(viaCli.code).toBe(1);
    expect(viaCli.err).toContain("content hash is");
  });

  test("refuses a backup with a missing blob", async () => {
    const dir = copyOfBackup("missing-blob");
    const sha = (new Database(join(dir, "rmirror.db"), { readonly: true }).query("SELECT sha256 FROM blobs LIMIT 1").get() as { sha256: string }).sha256;
    rmSync(diskBlobPath(join(dir, "files"), sha));
    await expect(restoreBackup(dir, target("after-missing"))).rejects.toThrow(/incomplete: 1 blob\(s\) the database refers to are missing/);
  });

  test("refuses a database copy that does not match the manifest", async () => {
    const dir = copyOfBackup("bad-db");
    const bytes = new Uint8Array(readFileSync(join(dir, "rmirror.db")));
    bytes[200]! ^= 0x01;
    writeFileSync(join(dir, "rmirror.db"), bytes);
    await expect(restoreBackup(dir, target("after-bad-db"))).rejects.toThrow(/does not match the manifest.*damaged/);
    expect(existsSync(target("after-bad-db").dbPath)).toBe(false);
  });

  test("refuses a backup whose schema is newer than this rmirror, with a clear message", async () => {
    // The database really is newer (user_version), and the manifest says so.
    const dir = copyOfBackup("newer");
    const db = new Database(join(dir, "rmirror.db"));
    db.run(`PRAGMA user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    rewriteManifest(dir, (m) => {
      m.schemaVersion = MIGRATIONS.length + 5;
      m.rmirror.version = "9.9.9";
      m.database.sha256 = sha256Hex(new Uint8Array(readFileSync(join(dir, "rmirror.db"))));
    });
    const t = target("after-newer");
    const viaCli = cli(["restore", dir, "--data-dir", t.dataDir]);
    expect(viaCli.code).toBe(1);
    expect(viaCli.err).toContain(`schema version ${MIGRATIONS.length + 5} (made by rmirror 9.9.9), newer than this rmirror`);
    expect(viaCli.err).toContain("Restore it with rmirror 9.9.9 or newer; nothing was changed.");
    expect(existsSync(t.dbPath)).toBe(false);

    // A manifest that understates the schema does not get past the database's own version.
    rewriteManifest(dir, (m) => (m.schemaVersion = MIGRATIONS.length));
    await expect(restoreBackup(dir, t)).rejects.toThrow(/newer than this rmirror/);
  });

  test("refuses something that is not a backup", async () => {
    const dir = join(root, "not-a-backup");
    mkdirSync(dir);
    await expect(restoreBackup(dir, target("x"))).rejects.toThrow(/is not an rmirror backup \(no manifest.json\)/);
  });
});

test("the server refuses a database newer than itself, saying what to do", () => {
  const dataDir = join(root, "future");
  const db = openDatabase(join(dataDir, "rmirror.db"));
  db.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
  db.close();
  const r = Bun.spawnSync([process.execPath, MAIN, "serve", "--port", "0"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", RMIRROR_DATA_DIR: dataDir } });
  expect(r.exitCode).toBe(1);
  const err = r.stderr.toString();
  expect(err).toContain(`serve: cannot start: storage: database schema version ${MIGRATIONS.length + 1} is newer than this rmirror understands (${MIGRATIONS.length})`);
  expect(err).toContain("Upgrade rmirror");
  expect(err).toContain("nothing was changed");
  const after = new Database(join(dataDir, "rmirror.db"), { readonly: true });
  expect((after.query("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(MIGRATIONS.length + 1);
  after.close();
});
