// Unit tests of the agent's parts: outbox durability and coalescing, backoff, path → uuid,
// trailing-edge debounce, config, folder diagnostics, token file, autostart files.
import { afterAll, describe, expect, jest, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Outbox } from "../../agent/outbox.ts";
import { backoffMs } from "../../agent/uploader.ts";
import { Debouncer, uuidOfPath } from "../../agent/watcher.ts";
import { defaultFolderCandidates, readConfig, writeConfig } from "../../agent/config.ts";
import { folderProblem } from "../../agent/agent.ts";
import { tokenStore } from "../../agent/token-store.ts";
import { autostartTarget, launchdPlist, systemdUnit, windowsTaskXml } from "../../agent/autostart/index.ts";

const tmp = mkdtempSync(join(tmpdir(), "rmirror-agent-unit-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const U1 = "11111111-1111-4111-8111-111111111111";
const U2 = "22222222-2222-4222-8222-222222222222";

describe("outbox", () => {
  test("survives a reopen; changes coalesce; a row re-queued while sending stays", () => {
    const path = join(tmp, "a.db");
    const ob = new Outbox(path);
    ob.enqueue([U1, U2], 1000);
    ob.enqueue([U1], 1000);
    expect(ob.pendingCount()).toBe(2);
    const [row] = ob.due(1, 1000);
    expect(row!.uuid).toBe(U1);
    ob.enqueue([U1], 1001); // changed again while being sent
    ob.done(U1, row!.gen);
    expect(ob.row(U1)).toBeDefined();
    ob.close();
    const again = new Outbox(path);
    expect(again.pendingCount()).toBe(2);
    const r = again.row(U1)!;
    again.done(U1, r.gen);
    expect(again.row(U1)).toBeUndefined();
    again.close();
  });

  test("fail backs off, park keeps a row out of the queue until retry or a new change", () => {
    const ob = new Outbox(":memory:");
    ob.enqueue([U1], 0);
    let r = ob.due(10, 0)[0]!;
    ob.fail(U1, r.gen, "half written", 500);
    expect(ob.due(10, 100)).toEqual([]);
    expect(ob.due(10, 500).length).toBe(1);
    r = ob.row(U1)!;
    expect(r.attempts).toBe(1);
    ob.park(U1, r.gen, "corrupt");
    expect(ob.due(10, 10_000)).toEqual([]);
    expect(ob.parked().map((p) => p.last_error)).toEqual(["corrupt"]);
    ob.enqueueIfAbsent([U1], 20_000); // a rescan does not un-park
    expect(ob.parked().length).toBe(1);
    ob.enqueue([U1], 20_000); // a change does
    expect(ob.parked().length).toBe(0);
    expect(ob.row(U1)!.attempts).toBe(0);
    ob.park(U1, ob.row(U1)!.gen, "again");
    ob.retry(U1, 30_000);
    expect(ob.due(10, 30_000).length).toBe(1);
  });

  test("synced state, waiting list and counters", () => {
    const ob = new Outbox(":memory:");
    ob.setSynced({ uuid: U1, hash: "h", name: "n", is_folder: 0, pages: 2 });
    expect(ob.synced(U1)!.hash).toBe("h");
    expect(ob.syncedUuids()).toEqual([U1]);
    ob.deleteSynced(U1);
    expect(ob.synced(U1)).toBeUndefined();
    ob.setWaiting(U2, "Cloud", "no pages");
    expect(ob.waitingUuids()).toEqual([U2]);
    ob.bump("blobs", 3);
    ob.bump("blobs");
    expect(ob.counter("blobs")).toBe(4);
  });

  test("refuses a database written by a newer agent", () => {
    const path = join(tmp, "newer.db");
    new Outbox(path).close();
    const { Database } = require("bun:sqlite");
    const db = new Database(path);
    db.run("PRAGMA user_version = 99");
    db.close();
    expect(() => new Outbox(path)).toThrow(/newer rmirror/);
  });
});

test("backoff: exponential, jittered between half and full, capped", () => {
  expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
  expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
  expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
  expect(backoffMs(30, 1000, 60_000, () => 1)).toBe(60_000);
  for (let i = 0; i < 100; i++) {
    const v = backoffMs(3, 1000, 60_000);
    expect(v).toBeGreaterThanOrEqual(2000);
    expect(v).toBeLessThanOrEqual(4000);
  }
});

test("uuidOfPath: every file of a document maps to its uuid; other files are ignored", () => {
  const root = "/data/desktop";
  expect(uuidOfPath(root, `${root}/${U1}.metadata`)).toBe(U1);
  expect(uuidOfPath(root, `${root}/${U1}/${U2}.rm`)).toBe(U1);
  expect(uuidOfPath(root, `${root}/${U1}.highlights/${U2}.json`)).toBe(U1);
  expect(uuidOfPath(root, `${root}/${U1}`)).toBe(U1);
  expect(uuidOfPath(root, `${root}/settings.json`)).toBeUndefined();
  expect(uuidOfPath(root, `${root}/${U1}x.metadata`)).toBeUndefined();
  expect(uuidOfPath(root, root)).toBeUndefined();
});

test("debounce fires once, on the trailing edge, after the writes stop", () => {
  // Fake timers: the behaviour is about the order of writes and the delay, not about how fast a
  // (possibly busy) machine wakes from a real sleep.
  jest.useFakeTimers();
  try {
    const fired: string[][] = [];
    const d = new Debouncer(60, (k) => fired.push(k));
    d.touch(U1);
    jest.advanceTimersByTime(30);
    d.touch(U1);
    jest.advanceTimersByTime(30);
    d.touch(U1);
    jest.advanceTimersByTime(59);
    expect(fired).toEqual([]);
    expect(d.pending).toBe(1);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual([[U1]]);
    jest.advanceTimersByTime(1000);
    expect(fired.length).toBe(1);
    expect(d.pending).toBe(0);
  } finally {
    jest.useRealTimers();
  }
});

describe("config", () => {
  test("round trip, 0600, every error at once", () => {
    const home = join(tmp, "cfg");
    writeConfig(home, { server: "http://h:8080", folder: "/x", exclude: ["Private"] });
    expect(readConfig(home)).toEqual({ server: "http://h:8080", folder: "/x", exclude: ["Private"] });
    expect(statSync(join(home, "config")).mode & 0o777).toBe(0o600);
    writeFileSync(join(home, "config"), JSON.stringify({ server: 1, debounceMs: -1, exclude: "x" }));
    expect(() => readConfig(home)).toThrow(/server must be a string.*exclude.*debounceMs/);
    writeFileSync(join(home, "config"), "{nope");
    expect(() => readConfig(home)).toThrow(/not valid JSON/);
  });

  test("default folders: macOS container then the older path; Windows %APPDATA%", () => {
    expect(defaultFolderCandidates("darwin", {}, "/Users/a")).toEqual([
      "/Users/a/Library/Containers/com.remarkable.desktop/Data/Library/Application Support/remarkable/desktop",
      "/Users/a/Library/Application Support/remarkable/desktop",
    ]);
    expect(defaultFolderCandidates("win32", { APPDATA: "C:/Users/a/AppData/Roaming" }, "C:/Users/a")[0]).toContain(join("remarkable", "desktop"));
    expect(defaultFolderCandidates("linux", {}, "/home/a")).toEqual([]);
  });

  test("folder problems are explained (missing; unreadable with the macOS Full Disk Access hint)", () => {
    expect(folderProblem(join(tmp, "nope"))).toMatch(/source folder not found.*\n.*--folder/);
    const locked = join(tmp, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o000);
    try {
      if (process.getuid?.() !== 0) expect(folderProblem(locked, "darwin")).toMatch(/Full Disk Access/);
    } finally {
      chmodSync(locked, 0o700);
    }
    expect(folderProblem(tmp)).toBeUndefined();
  });
});

test("token file is readable only by the user", () => {
  const home = join(tmp, "tok");
  const s = tokenStore(home, { RMIRROR_AGENT_KEYCHAIN: "0" });
  expect(s.kind).toBe("file");
  expect(s.get()).toBeUndefined();
  s.set("rmt_secret");
  expect(s.get()).toBe("rmt_secret");
  expect(statSync(join(home, "token")).mode & 0o777).toBe(0o600);
  s.clear();
  expect(s.get()).toBeUndefined();
});

describe("autostart files", () => {
  const spec = { command: ["/opt/rmirror", "agent"], env: { RMIRROR_AGENT_HOME: "/home/a/.rmirror & co" }, logDir: "/home/a/.rmirror" };
  test("launchd plist", () => {
    const p = launchdPlist(spec);
    expect(p).toContain("<string>com.rmirror.agent</string>");
    expect(p).toContain("<string>/opt/rmirror</string>\n    <string>agent</string>");
    expect(p).toContain("<string>/home/a/.rmirror &amp; co</string>");
    expect(p).toContain("<key>RunAtLoad</key>\n  <true/>");
    const t = autostartTarget(spec, "darwin", "/Users/a");
    expect(t.file).toBe("/Users/a/Library/LaunchAgents/com.rmirror.agent.plist");
    expect(t.load.at(-1)!.slice(0, 2)).toEqual(["launchctl", "bootstrap"]);
  });
  test("systemd user unit", () => {
    const u = systemdUnit({ ...spec, env: { RMIRROR_AGENT_HOME: '/h/100%"x' } });
    expect(u).toContain('ExecStart="/opt/rmirror" "agent"');
    expect(u).toContain('Environment="RMIRROR_AGENT_HOME=/h/100%%\\"x"');
    expect(u).toContain("Restart=on-failure");
    expect(u).toContain("WantedBy=default.target");
    const t = autostartTarget(spec, "linux", "/home/a");
    expect(t.file.endsWith("systemd/user/rmirror-agent.service")).toBe(true);
    expect(t.load).toContainEqual(["systemctl", "--user", "enable", "--now", "rmirror-agent.service"]);
  });
  test("Windows scheduled task", () => {
    const x = windowsTaskXml({ command: ["C:\\rmirror.exe", "agent"], env: { RMIRROR_AGENT_HOME: "C:\\Users\\a\\.rmirror" }, logDir: "C:\\Users\\a\\.rmirror" }, "PC\\a");
    expect(x).toContain("<LogonTrigger><Enabled>true</Enabled><UserId>PC\\a</UserId></LogonTrigger>");
    expect(x).toContain("<Command>C:\\rmirror.exe</Command>");
    expect(x).toContain('<Arguments>agent --home &quot;C:\\Users\\a\\.rmirror&quot;</Arguments>');
    const t = autostartTarget(spec, "win32", "C:/Users/a");
    expect(t.load[0]!.slice(0, 2)).toEqual(["schtasks", "/Create"]);
  });
});

// keep the import used when samples are absent
void readFileSync;

import { ManifestReader } from "../../agent/manifest.ts";
import { HAVE_SAMPLES } from "../support/samples.ts";
import { writeFolder, writeNotebook, writeMetadata, PAGE_SAMPLES } from "./harness.ts";

test.skipIf(!HAVE_SAMPLES)("manifest: put / absent / not downloaded / excluded; rename changes the hash, not the page hashes", async () => {
  const root = join(tmp, "lib");
  mkdirSync(root, { recursive: true });
  const priv = writeFolder(root, "Private");
  const inner = writeFolder(root, "Inner", priv);
  const a = writeNotebook(root, { name: "A", pages: [{ sample: PAGE_SAMPLES[0]! }] });
  const hidden = writeNotebook(root, { name: "Secret", parent: inner, pages: [{ sample: PAGE_SAMPLES[1]! }] });
  const cloud = writeNotebook(root, { name: "Cloud", pages: [{ sample: null }] });
  const r = new ManifestReader(root, { exclude: ["private"] });
  const m1 = await r.read(a.uuid);
  expect(m1.kind).toBe("put");
  expect((await r.read(hidden.uuid)).kind).toBe("excluded");
  expect((await r.read(cloud.uuid)).kind).toBe("not_downloaded");
  expect((await r.read("33333333-3333-4333-8333-333333333333")).kind).toBe("absent");
  writeMetadata(root, a.uuid, { name: "A renamed" });
  const m2 = await r.read(a.uuid);
  if (m1.kind !== "put" || m2.kind !== "put") throw new Error("expected put");
  expect(m2.hash).not.toBe(m1.hash);
  expect(m2.item.input.pages).toEqual(m1.item.input.pages);
  expect(m2.item.input.files).toEqual(m1.item.input.files);
  expect(m2.item.input.files!.some((f) => f.path.endsWith(".metadata"))).toBe(false);
  writeMetadata(root, a.uuid, { name: "A renamed", deleted: true });
  expect((await r.read(a.uuid)).kind).toBe("absent");
});

test.skipIf(!HAVE_SAMPLES)("manifest: a batch's single listing of the folder gives the same manifests; an entry gone since is skipped", async () => {
  const root = join(tmp, "lib-batch");
  mkdirSync(root, { recursive: true });
  const folder = writeFolder(root, "F");
  const a = writeNotebook(root, { name: "A", parent: folder, pages: [{ sample: PAGE_SAMPLES[0]! }, { sample: PAGE_SAMPLES[1]! }] });
  const cloud = writeNotebook(root, { name: "Cloud", pages: [{ sample: null }] });
  writeFileSync(join(root, `${a.uuid}.pagedata`), "Blank\nBlank\n");
  const gone = writeNotebook(root, { name: "Gone", pages: [{ sample: PAGE_SAMPLES[2]! }] });
  const perDoc = new ManifestReader(root);
  const batch = new ManifestReader(root);
  const top = await batch.listTop();
  // The manifest without its blob readers (closures): kind, hash, payload, and which blobs it has.
  const plain = (m: Awaited<ReturnType<ManifestReader["read"]>>) => (m.kind === "put" ? { ...m, item: { ...m.item, blobs: [...m.item.blobs.keys()].sort() } } : m);
  for (const uuid of [folder, a.uuid, cloud.uuid]) expect(plain(await batch.read(uuid, top))).toEqual(plain(await perDoc.read(uuid)));
  const withPagedata = await batch.read(a.uuid, top);
  if (withPagedata.kind !== "put") throw new Error("expected put");
  expect(withPagedata.item.input.files!.map((f) => f.path)).toContain(`${a.uuid}.pagedata`);
  rmSync(join(root, gone.uuid), { recursive: true, force: true });
  rmSync(join(root, `${gone.uuid}.content`));
  rmSync(join(root, `${gone.uuid}.metadata`));
  expect((await batch.read(gone.uuid, top)).kind).toBe("absent");
});
