// The Markdown vault mirror (src/vault): a folder of notes kept in step with the server, which
// never destroys what the user wrote there. Driven against the real app (real SQLite, real
// renders of shared sample pages) in-process, and end to end through `rmirror export markdown`
// against a real `rmirror serve` process.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { demoteHeadings, frontmatterValue, mergeNote } from "../../src/vault/note.ts";
import { syncVault, type VaultOptions } from "../../src/vault/vault.ts";
import { SampleLibrary } from "../browser/harness.ts";
import { spawnServer } from "../support/child-server.ts";
import { describeSamples, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, harness, syncDoc, uuid, type Harness, type TestUser } from "../support/server-harness.ts";

const read = (p: string) => readFileSync(p, "utf8");
const page = (name: string) => new Uint8Array(readFileSync(sample(name)));

describe("vault notes: rmirror owns only its keys and its region", () => {
  test("a new note: frontmatter, then the marked region", () => {
    const t = mergeNote(null, { uuid: "u-1", tags: ["work", 'a "quoted" tag'], pages: 2 }, "## Page 1\n\nhello");
    expect(t).toStartWith("---\nuuid: \"u-1\"\ntags:\n  - \"work\"\n  - \"a \\\"quoted\\\" tag\"\npages: 2\n---\n\n<!-- rmirror:begin");
    expect(t).toContain("## Page 1\n\nhello\n<!-- rmirror:end -->\n");
    expect(frontmatterValue(t, "uuid")).toBe("u-1");
  });

  test("the user's text around the region and their own frontmatter keys survive an update", () => {
    const first = mergeNote(null, { uuid: "u-1", tags: ["a"], pages: 1 }, "old text");
    const edited = first
      .replace("pages: 1", "pages: 1\naliases:\n  - Standup\nrating: 5")
      .replace("<!-- rmirror:begin", "My own thoughts first.\n\n<!-- rmirror:begin")
      .concat("\n## My follow-ups\n- [ ] email Bob\n");
    const next = mergeNote(edited, { uuid: "u-1", tags: ["a", "b"], pages: 3 }, "new text");
    expect(next).toContain("My own thoughts first.");
    expect(next).toContain("## My follow-ups\n- [ ] email Bob");
    expect(next).toContain("aliases:\n  - Standup\nrating: 5");
    expect(next).toContain("pages: 3");
    expect(next).toContain('tags:\n  - "a"\n  - "b"');
    expect(next).toContain("new text");
    expect(next).not.toContain("old text");
    // Updating again with the same content changes nothing.
    expect(mergeNote(next, { uuid: "u-1", tags: ["a", "b"], pages: 3 }, "new text")).toBe(next);
  });

  test("markers removed by the user: the region is added again at the end, their text kept", () => {
    const next = mergeNote("---\nuuid: \"u-1\"\n---\nI deleted the block on purpose.\n", { uuid: "u-1" }, "fresh");
    expect(next).toContain("I deleted the block on purpose.\n\n<!-- rmirror:begin");
    expect(next.trimEnd()).toEndWith("<!-- rmirror:end -->");
  });

  test("a file without frontmatter gets one; an unclosed fence is text, not frontmatter", () => {
    expect(mergeNote("just my notes\n", { uuid: "x" }, "b")).toStartWith('---\nuuid: "x"\n---\n\njust my notes\n\n<!-- rmirror:begin');
    const odd = mergeNote("---\nnot closed\n", { uuid: "x" }, "b");
    expect(odd).toContain("---\nnot closed");
  });

  test("headings nest under the page heading; fenced code is left alone", () => {
    expect(demoteHeadings("# Title\ntext\n```\n# not a heading\n```\n###### six", 2)).toBe("### Title\ntext\n```\n# not a heading\n```\n###### six");
  });
});

describeSamples("vault mirror against the real app", () => {
  let h: Harness;
  let u: TestUser;
  let dir: string;
  let requests: string[] = [];
  let opts: VaultOptions;
  const projects = uuid();
  const meetingId = uuid();
  const shoppingId = uuid();
  let meeting: ReturnType<typeof buildDoc>;
  let shopping: ReturnType<typeof buildDoc>;

  const folder = async (id: string, name: string) => {
    const r = await call(h, "PUT", `/api/v1/documents/${id}`, { token: u.token, json: { metadata: { visibleName: name, type: "CollectionType", parent: "", lastModified: "1700000000000" }, pages: [], files: [] } });
    expect(r.status).toBe(200);
  };

  beforeAll(async () => {
    h = await harness({ jobs: true });
    u = await addUser(h, "vault@example.com");
    dir = mkdtempSync(join(tmpdir(), "rmirror-vault-"));
    opts = {
      dir,
      server: "http://rmirror.test",
      token: u.token,
      fetch: (url, init) => {
        requests.push(url.replace("http://rmirror.test", ""));
        return h.app.handle(new Request(url, init));
      },
    };
    await folder(projects, "Projects");
    meeting = buildDoc([page("rmscene__Bold_Heading_Bullet_Normal.rm"), page("rmc__abcd.strokes.rm")], { name: "Meeting notes", parent: projects, uuid: meetingId });
    shopping = buildDoc([page("rmc__text_multiple_lines.rm")], { name: "Shopping list", uuid: shoppingId });
    await syncDoc(h, u.token, meeting);
    await syncDoc(h, u.token, shopping);
    await h.runner.idle();
  });

  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("first run: one note per notebook in the tablet's folders, page images beside them", async () => {
    const r = await syncVault(opts);
    expect(r.failed).toEqual([]);
    expect(r.written.sort()).toEqual([join("Projects", "Meeting notes.md"), "Shopping list.md"]);
    const note = read(join(dir, "Projects", "Meeting notes.md"));
    expect(frontmatterValue(note, "uuid")).toBe(meetingId);
    expect(note).toContain("pages: 2");
    expect(note).toContain(`source: "http://rmirror.test/documents/${meetingId}"`);
    expect(note).toMatch(/## Page 1\n\n!\[Page 1\]\(\.\.\/_rmirror\/[0-9a-f-]+\/page-1-[0-9a-f]{12}\.png\)/);
    expect(note).toContain("## Page 2");
    // The typed heading of the sample page, nested under "## Page 1".
    expect(note).toMatch(/\n###+ \S/);
    const images = readdirSync(join(dir, "_rmirror", meetingId));
    expect(images.length).toBe(2);
    for (const f of images) expect([...readFileSync(join(dir, "_rmirror", meetingId, f)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(read(join(dir, "Shopping list.md"))).toContain("text 4");
  });

  test("nothing changed: nothing written, no image or page text fetched again", async () => {
    requests = [];
    const r = await syncVault(opts);
    expect(r.written).toEqual([]);
    expect(r.unchanged).toBe(2);
    expect(requests.filter((p) => /\/pages\/.+\/(png|svg|markdown)/.test(p))).toEqual([]);
  });

  test("the user's writing survives an edit on the tablet; the changed page's old image goes", async () => {
    const path = join(dir, "Projects", "Meeting notes.md");
    const mine = read(path).replace("pages: 2", "pages: 2\nrating: 5").replace("<!-- rmirror:begin", "My summary: ship it.\n\n<!-- rmirror:begin").concat("\n## Follow-ups\n- [ ] email Bob\n");
    writeFileSync(path, mine);
    const before = readdirSync(join(dir, "_rmirror", meetingId)).sort();
    const edited = buildDoc([page("rmc__text_multiple_lines.rm"), page("rmc__abcd.strokes.rm")], { name: "Meeting notes", parent: projects, uuid: meetingId, pageIds: meeting.input.pages!.map((p) => p.id) });
    await syncDoc(h, u.token, edited);
    await h.runner.idle();
    const r = await syncVault(opts);
    expect(r.written).toEqual([join("Projects", "Meeting notes.md")]);
    const note = read(path);
    expect(note).toContain("My summary: ship it.");
    expect(note).toContain("## Follow-ups\n- [ ] email Bob");
    expect(note).toContain("rating: 5");
    expect(note).toContain("text 4"); // the new first page's text
    const after = readdirSync(join(dir, "_rmirror", meetingId)).sort();
    expect(after.length).toBe(2);
    expect(after.filter((f) => f.startsWith("page-1-"))).not.toEqual(before.filter((f) => f.startsWith("page-1-")));
    expect(after.filter((f) => f.startsWith("page-2-"))).toEqual(before.filter((f) => f.startsWith("page-2-")));
  });

  test("a note the user moved and renamed is followed, not recreated", async () => {
    mkdirSync(join(dir, "Inbox"), { recursive: true });
    renameSync(join(dir, "Shopping list.md"), join(dir, "Inbox", "Groceries.md"));
    const renamed = buildDoc([page("rmc__text_multiple_lines.rm"), page("rmc__abcd.strokes.rm")], { name: "Shopping list", uuid: shoppingId, pageIds: [shopping.input.pages![0]!.id, uuid()] });
    await syncDoc(h, u.token, renamed);
    await h.runner.idle();
    const r = await syncVault(opts);
    expect(r.written).toEqual([join("Inbox", "Groceries.md")]);
    expect(existsSync(join(dir, "Shopping list.md"))).toBe(false);
    expect(read(join(dir, "Inbox", "Groceries.md"))).toContain("pages: 2");
  });

  test("renamed and moved on the tablet: the note follows the tablet when the user left it in place", async () => {
    const moved = buildDoc([page("rmc__text_multiple_lines.rm"), page("rmc__abcd.strokes.rm")], { name: "Standup 3 March", uuid: meetingId, pageIds: meeting.input.pages!.map((p) => p.id) });
    await syncDoc(h, u.token, moved);
    await h.runner.idle();
    const r = await syncVault(opts);
    expect(r.moved).toEqual([{ from: join("Projects", "Meeting notes.md"), to: "Standup 3 March.md" }]);
    const note = read(join(dir, "Standup 3 March.md"));
    expect(note).toContain("My summary: ship it."); // the user's text moved with it
    expect(existsSync(join(dir, "Projects", "Meeting notes.md"))).toBe(false);
  });

  test("deleted on the tablet: the note goes to .trash/, never vanishes", async () => {
    const r0 = await call(h, "DELETE", `/api/v1/documents/${meetingId}`, { token: u.token });
    expect(r0.status).toBeLessThan(300);
    const r = await syncVault(opts);
    expect(r.trashed).toEqual(["Standup 3 March.md"]);
    expect(existsSync(join(dir, "Standup 3 March.md"))).toBe(false);
    expect(read(join(dir, ".trash", "Standup 3 March.md"))).toContain("My summary: ship it.");
    expect(existsSync(join(dir, ".trash", "_rmirror", meetingId))).toBe(true);
    expect(existsSync(join(dir, "_rmirror", meetingId))).toBe(false);
  });

  test("another user's notebooks never reach this vault", async () => {
    const other = await addUser(h, "other@example.com");
    await syncDoc(h, other.token, buildDoc([page("rmc__text_multiple_lines.rm")], { name: "Private diary" }));
    await h.runner.idle();
    await syncVault(opts);
    const all = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(d, e.name)) : [e.name]));
    expect(all(dir).some((f) => f.includes("Private diary"))).toBe(false);
  });
});

describeSamples("rmirror export markdown against a real server", () => {
  const MAIN = resolve(import.meta.dir, "../../src/main.ts");
  const ADMIN = { email: "admin@example.com", password: "correct horse battery" };
  let tmp: string;
  let server: Awaited<ReturnType<typeof spawnServer>>;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "rmirror-export-"));
    server = await spawnServer({ RMIRROR_DATA_DIR: join(tmp, "data"), RMIRROR_JOBS_POLL_MS: "100" });
  }, 180_000);
  afterAll(async () => {
    server?.proc.kill("SIGTERM");
    await server?.proc.exited;
    rmSync(tmp, { recursive: true, force: true });
  });

  test("exports the library, then a wrong token fails clearly", async () => {
    await fetch(`${server.url}/api/v1/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const t = await fetch(`${server.url}/api/v1/tokens`, { method: "POST", headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken }, body: JSON.stringify({ name: "vault" }) });
    const token = ((await t.json()) as { token: string }).token;
    const lib = new SampleLibrary(join(tmp, "desktop"));
    const nb = lib.notebook("Lecture 1", ["rmc__text_multiple_lines.rm"]);
    const imp = Bun.spawn([process.execPath, MAIN, "import", lib.root, "--server", server.url, "--token", token], { stdout: "pipe", stderr: "pipe" });
    expect(await imp.exited).toBe(0);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const d = (await (await fetch(`${server.url}/api/v1/documents/${nb.uuid}`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
      if (d.pages?.every((p: any) => p.renderStatus === "done")) break;
      if (Date.now() > deadline) throw new Error(`not rendered:\n${server.logs.slice(-10).join("\n")}`);
      await Bun.sleep(100);
    }
    const vault = join(tmp, "vault");
    const run = (tok: string) => Bun.spawn([process.execPath, MAIN, "export", "markdown", "--out", vault, "--server", server.url, "--token", tok], { stdout: "pipe", stderr: "pipe" });
    const ok = run(token);
    const [out, code] = await Promise.all([new Response(ok.stdout).text(), ok.exited]);
    expect(code).toBe(0);
    expect(out).toContain("1 written");
    expect(read(join(vault, "Lecture 1.md"))).toContain("text 4");
    const bad = run("rmt_wrong");
    const [err, badCode] = await Promise.all([new Response(bad.stderr).text(), bad.exited]);
    expect(badCode).toBe(1);
    expect(err).toContain("refused the token");
    expect(read(join(vault, "Lecture 1.md"))).toContain("text 4"); // a failed run touches nothing
  }, 180_000);
});

describeSamples("the server's export folder (RMIRROR_EXPORT_DIR)", () => {
  test("each user's library in <dir>/<email>/, only their own; a second pass writes nothing; no session left behind", async () => {
    const { exportFolders } = await import("../../src/server/export-folder.ts");
    const h = await harness({ jobs: true });
    const dir = mkdtempSync(join(tmpdir(), "rmirror-export-dir-"));
    try {
      const ann = await addUser(h, "ann@example.com");
      const bob = await addUser(h, "bob@example.com");
      await syncDoc(h, ann.token, buildDoc([page("rmc__text_multiple_lines.rm")], { name: "Ann's plans" }));
      await syncDoc(h, bob.token, buildDoc([page("rmscene__Bold_Heading_Bullet_Normal.rm")], { name: "Bob's diary" }));
      await h.runner.idle();
      const sessions = () => (h.ctx.store.db.query("SELECT count(*) AS n FROM sessions").get() as { n: number }).n;
      const before = sessions();
      expect(await exportFolders(h.ctx, h.app, dir)).toEqual({ "ann@example.com": 1, "bob@example.com": 1 });
      expect(read(join(dir, "ann@example.com", "Ann's plans.md"))).toContain("text 4");
      expect(existsSync(join(dir, "bob@example.com", "Bob's diary.md"))).toBe(true);
      expect(readdirSync(join(dir, "ann@example.com")).some((f) => f.includes("Bob"))).toBe(false);
      expect(sessions()).toBe(before);
      // Nothing changed: the feed says so, nothing is written.
      expect(await exportFolders(h.ctx, h.app, dir)).toEqual({ "ann@example.com": 0, "bob@example.com": 0 });
      // A change reaches the next pass.
      await syncDoc(h, ann.token, buildDoc([page("rmc__text_multiple_lines.rm")], { name: "Ann's new plans" }));
      await h.runner.idle();
      expect((await exportFolders(h.ctx, h.app, dir))["ann@example.com"]).toBe(1);
      expect(existsSync(join(dir, "ann@example.com", "Ann's new plans.md"))).toBe(true);
    } finally {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
