// Issue 15, memory: the agent's per-file state lives in its database (agent.db), not in a map that
// grows with the library: after reading a generated folder the reader holds no per-file entry in
// memory; the hashes survive a restart (nothing unchanged is read again) and are still trusted only
// while size, mtime and ctime all match. And the default watcher per platform is the documented one.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Outbox } from "../../agent/outbox.ts";
import { ManifestReader, MemoryHashCache, type Manifest } from "../../agent/manifest.ts";
import { defaultWatch } from "../../agent/config.ts";
import { describeSamples } from "../support/samples.ts";
import { PAGE_SAMPLES, removeItem, sampleBytes, writeNotebook } from "./harness.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-agent-hashes-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file below `dir` (relative paths). */
function files(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n), `${prefix}${n}/`) : [`${prefix}${n}`]));
}

async function readAll(r: ManifestReader, uuids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const top = await r.listTop();
  for (const u of uuids) {
    const m: Manifest = await r.read(u, top);
    if (m.kind !== "put") throw new Error(`${u}: ${m.kind}`);
    out.set(u, m.hash);
  }
  return out;
}

describeSamples("agent file hashes (issue 15: memory bounded by design, not by library size)", () => {
  const root = join(tmp, "desktop");
  const db = join(tmp, "agent.db");
  const DOCS = 40;
  const PAGES = 5;
  const uuids: string[] = [];
  const first = new Map<string, string>();

  test("a scan keeps one row per file in agent.db and no per-file entry in memory", async () => {
    mkdirSync(root, { recursive: true });
    for (let d = 0; d < DOCS; d++) uuids.push(writeNotebook(root, { name: `N${d}`, pages: Array.from({ length: PAGES }, (_, i) => ({ sample: PAGE_SAMPLES[(d + i) % PAGE_SAMPLES.length]! })) }).uuid);
    writeFileSync(join(root, `${uuids[0]}.pagedata`), "Blank\nBlank\nBlank\nBlank\nBlank\n");
    utimesSync(join(root, `${uuids[0]}.pagedata`), 1_700_000_000, 1_700_000_000); // whole seconds: restorable exactly
    const hashedFiles = files(root).filter((p) => !p.endsWith(".metadata")).length; // .metadata travels as JSON

    const ob = new Outbox(db);
    const r = new ManifestReader(root, { hashes: ob.fileHashes(root) });
    for (const [u, h] of await readAll(r, uuids)) first.set(u, h);
    expect(r.filesHashed).toBe(hashedFiles);
    expect(ob.fileHashCount()).toBe(hashedFiles);
    // In memory: only the set of page contents known to parse, one per distinct page (not per file).
    expect(r.memoryEntries).toBe(PAGE_SAMPLES.length);
    // The same scan with hashes in memory held an entry per file: the growth the database removes.
    const inMemory = new ManifestReader(root, { hashes: new MemoryHashCache() });
    await readAll(inMemory, uuids);
    expect(inMemory.memoryEntries).toBe(hashedFiles + PAGE_SAMPLES.length);
    ob.close();
  });

  test("after a restart nothing unchanged is read again, and the manifests are the same", async () => {
    const ob = new Outbox(db);
    const r = new ManifestReader(root, { hashes: ob.fileHashes(root) });
    expect(await readAll(r, uuids)).toEqual(first);
    expect(r.filesHashed).toBe(0);
    ob.close();
  });

  test("a changed file is read again, also when its size and mtime were kept (ctime moved)", async () => {
    const ob = new Outbox(db);
    const r = new ManifestReader(root, { hashes: ob.fileHashes(root) });
    // A page with other content.
    const nb1 = uuids[1]!;
    const page = readdirSync(join(root, nb1))[0]!;
    const current = new Uint8Array(readFileSync(join(root, nb1, page)));
    const other = PAGE_SAMPLES.map(sampleBytes).find((b) => Buffer.compare(b, current) !== 0)!;
    writeFileSync(join(root, nb1, page), other);
    const m1 = await r.read(nb1);
    expect(r.filesHashed).toBe(1);
    expect(m1.kind === "put" && m1.hash).not.toBe(first.get(nb1));
    // Same length, same mtime afterwards (a copy tool restoring times): only ctime tells.
    const pd = join(root, `${uuids[0]}.pagedata`);
    const before = statSync(pd);
    writeFileSync(pd, "Lined\nLined\nLined\nLined\nLined\n");
    utimesSync(pd, 1_700_000_000, 1_700_000_000);
    const after = statSync(pd);
    expect(after.size).toBe(before.size);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    const m0 = await r.read(uuids[0]!);
    expect(r.filesHashed).toBe(2);
    expect(m0.kind === "put" && m0.hash).not.toBe(first.get(uuids[0]!));
    ob.close();
  });

  test("a document gone from the folder leaves no rows; another folder starts empty", async () => {
    const ob = new Outbox(db);
    const r = new ManifestReader(root, { hashes: ob.fileHashes(root) });
    const n = ob.fileHashCount();
    const gone = uuids[3]!;
    removeItem(root, gone);
    expect((await r.read(gone)).kind).toBe("absent");
    expect(ob.fileHashCount()).toBe(n - (PAGES + 1)); // its pages and its .content
    // Paths are relative to the folder: another folder must not reuse them.
    ob.fileHashes(join(tmp, "elsewhere"));
    expect(ob.fileHashCount()).toBe(0);
    ob.close();
  });
});

describe("default watcher per platform (issue 15)", () => {
  test("native recursive fs.watch on Linux, macOS and Windows; chokidar elsewhere", () => {
    expect(defaultWatch("linux")).toBe("native");
    expect(defaultWatch("darwin")).toBe("native");
    expect(defaultWatch("win32")).toBe("native");
    expect(defaultWatch("freebsd")).toBe("chokidar");
  });

  test("docs/agent.md's settings table says the same", () => {
    const row = readFileSync(join(import.meta.dir, "../../docs/agent.md"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("| `--watch`"));
    expect(row).toBeDefined();
    const cells = row!.split("|").map((c) => c.trim());
    expect(cells[2]).toBe("`RMIRROR_AGENT_WATCH`");
    expect(cells[4]).toContain("`native` on Linux, macOS and Windows");
    expect(cells[4]).toContain("`chokidar` elsewhere");
  });
});
