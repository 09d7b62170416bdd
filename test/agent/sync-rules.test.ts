// Issue 15, choose what syncs: the manifest's include/exclude rules (a notebook itself, not only
// its folders, can be left out; "only these"), the rules made from the agent's own exclude list
// and the server's settings, and rules replaced on a running reader.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManifestReader, syncsUnder } from "../../agent/manifest.ts";
import { parseServerSettings, rulesFrom } from "../../agent/agent.ts";
import { HAVE_SAMPLES } from "../support/samples.ts";
import { PAGE_SAMPLES, writeFolder, writeNotebook } from "./harness.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-sync-rules-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const F = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const N = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const notebookInWork = [
  { uuid: N, name: "Meeting notes" },
  { uuid: F, name: "Work" },
];

describe("syncsUnder", () => {
  test("exclude matches the item itself or any folder it is in, by name (any case) or uuid", () => {
    expect(syncsUnder({ exclude: ["meeting NOTES"] }, notebookInWork, false)).toBe(false);
    expect(syncsUnder({ exclude: [N.toUpperCase()] }, notebookInWork, false)).toBe(false);
    expect(syncsUnder({ exclude: ["work"] }, notebookInWork, false)).toBe(false);
    expect(syncsUnder({ exclude: [F] }, notebookInWork, false)).toBe(false);
    expect(syncsUnder({ exclude: ["Private", "Diary"] }, notebookInWork, false)).toBe(true);
    expect(syncsUnder({}, notebookInWork, false)).toBe(true);
    // An excluded folder is left out itself too.
    expect(syncsUnder({ exclude: ["Work"] }, [{ uuid: F, name: "Work" }], true)).toBe(false);
  });

  test("include: only the listed notebooks and what is inside the listed folders; folders always sync; exclude wins", () => {
    expect(syncsUnder({ include: ["Work"] }, notebookInWork, false)).toBe(true);
    expect(syncsUnder({ include: [N] }, notebookInWork, false)).toBe(true);
    expect(syncsUnder({ include: ["Home"] }, notebookInWork, false)).toBe(false);
    expect(syncsUnder({ include: [] }, notebookInWork, false)).toBe(false);
    expect(syncsUnder({ include: ["Home"] }, [{ uuid: F, name: "Work" }], true)).toBe(true);
    expect(syncsUnder({ include: ["Work"], exclude: ["Meeting notes"] }, notebookInWork, false)).toBe(false);
  });
});

describe("rules from the agent's exclude list and the server's settings", () => {
  test("exclude mode adds the server's items to the local list; include mode keeps the local list and sets the only-these list", () => {
    expect(rulesFrom(["Private"], undefined)).toEqual({ exclude: ["Private"], include: null });
    expect(rulesFrom(["Private"], { mode: "exclude", items: ["Diary"], initialPages: null, updatedAt: null })).toEqual({ exclude: ["Private", "Diary"], include: null });
    expect(rulesFrom(["Private"], { mode: "include", items: ["Work"], initialPages: 5, updatedAt: null })).toEqual({ exclude: ["Private"], include: ["Work"] });
  });

  test("server settings are read only when well-formed", () => {
    expect(parseServerSettings({ mode: "include", items: ["a"], initialPages: 3, updatedAt: "2026-01-01T00:00:00.000Z" })).toEqual({ mode: "include", items: ["a"], initialPages: 3, updatedAt: "2026-01-01T00:00:00.000Z" });
    expect(parseServerSettings({ mode: "exclude", items: [], initialPages: null, updatedAt: null })).toEqual({ mode: "exclude", items: [], initialPages: null, updatedAt: null });
    expect(parseServerSettings({ mode: "all", items: [] })).toBeUndefined();
    expect(parseServerSettings({ mode: "exclude", items: [1] })).toBeUndefined();
    expect(parseServerSettings(undefined)).toBeUndefined();
  });
});

test.skipIf(!HAVE_SAMPLES)("manifest reader: a notebook excluded by name or uuid; include only; rules replaced on the running reader", async () => {
  const root = join(tmp, "lib");
  mkdirSync(root, { recursive: true });
  const work = writeFolder(root, "Work");
  const home = writeFolder(root, "Home");
  const plan = writeNotebook(root, { name: "Plan", parent: work, pages: [{ sample: PAGE_SAMPLES[0]! }] });
  const diary = writeNotebook(root, { name: "Diary", parent: home, pages: [{ sample: PAGE_SAMPLES[1]! }] });
  const loose = writeNotebook(root, { name: "Loose", pages: [{ sample: PAGE_SAMPLES[2]! }] });

  const r = new ManifestReader(root, { exclude: ["diary"] });
  expect((await r.read(diary.uuid)).kind).toBe("excluded");
  expect((await r.read(plan.uuid)).kind).toBe("put");
  expect((await r.read(home)).kind).toBe("put");

  expect(r.setRules({ exclude: [loose.uuid] })).toBe(true);
  expect((await r.read(loose.uuid)).kind).toBe("excluded");
  expect((await r.read(diary.uuid)).kind).toBe("put");
  expect(r.setRules({ exclude: [loose.uuid] })).toBe(false); // unchanged

  r.setRules({ include: ["Work"] });
  expect((await r.read(plan.uuid)).kind).toBe("put");
  expect((await r.read(diary.uuid)).kind).toBe("excluded");
  expect((await r.read(loose.uuid)).kind).toBe("excluded");
  expect((await r.read(home)).kind).toBe("put"); // folders keep the library's shape
  expect(r.syncRules).toEqual({ exclude: [], include: ["Work"] });

  r.setRules({ include: ["Work", "loose"], exclude: ["plan"] });
  expect((await r.read(plan.uuid)).kind).toBe("excluded");
  expect((await r.read(loose.uuid)).kind).toBe("put");
});
