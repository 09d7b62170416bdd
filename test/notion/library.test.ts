// The first sync of a real library (shared samples: typed text, highlights, handwriting read by
// OCR through the fake Anthropic API) and the two-phase first sync with a page limit; a 429 the
// SDK cannot absorb defers the job without spending an attempt.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startFakeAnthropic, type FakeAnthropic } from "../support/fake-anthropic.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { describeSamples, sample } from "../support/samples.ts";
import { addUser, buildDoc, call, json, syncDoc, uuid, type Harness, type TestUser } from "../support/server-harness.ts";
import { dataSourceOf, notebook, notionHarness, notionPageOf, setPageText, TOKEN } from "./support.ts";

let fake: FakeNotion;
let claude: FakeAnthropic;
beforeAll(() => {
  fake = startFakeNotion();
  claude = startFakeAnthropic();
});
afterAll(async () => {
  await fake.close();
  await claude.close();
});
beforeEach(() => fake.reset());

async function connect(h: Harness, u: TestUser): Promise<string> {
  const parent = fake.addSharedPage("Library home");
  expect((await call(h, "POST", "/api/v1/notion/token", { token: u.token, json: { token: TOKEN } })).status).toBe(200);
  expect((await call(h, "PUT", "/api/v1/notion/parent", { token: u.token, json: { pageId: parent } })).status).toBe(200);
  return parent;
}

const rm = (name: string) => new Uint8Array(readFileSync(sample(name)));

describeSamples("first sync of a real library", () => {
  test("one Notion page per notebook, a section per page, typed text, highlights and OCR'd handwriting as blocks", async () => {
    const h = await notionHarness(fake, { "ocr.apiKey": claude.apiKey, "ocr.baseUrl": claude.url });
    try {
      const u = await addUser(h, "library@example.com");
      const folder = uuid();
      expect((await call(h, "PUT", `/api/v1/documents/${folder}`, { token: u.token, json: { metadata: { visibleName: "Work", type: "CollectionType", parent: "" } } })).status).toBe(200);
      const typed = buildDoc([rm("rmscene__Bold_Heading_Bullet_Normal.rm"), rm("rmc__keyboard-checkboxes-and-bullets.rm"), null], { name: "Typed notes" });
      typed.input.tags = ["typed"];
      const highlights = buildDoc([rm("rmscene__Wikipedia_highlighted_p1.rm")], { name: "Wikipedia", parent: folder });
      const hand = buildDoc([rm("rmc__abcd.strokes.rm")], { name: "Handwriting" });
      for (const d of [typed, highlights]) await syncDoc(h, u.token, d);
      await h.runner.idle();
      await connect(h, u);
      await h.runner.idle();
      // Handwriting arriving after the connection: render → OCR → the OCR commit queues the sync.
      await syncDoc(h, u.token, hand);
      await h.runner.idle();
      expect(claude.requests.length).toBe(1);
      const ds = dataSourceOf(h, u.id);
      const rows = () => fake.rows(ds);
      expect(rows().map((r) => fake.prop(r, "Name")).sort()).toEqual(["Handwriting", "Typed notes", "Wikipedia"]);
      expect(fake.requests.filter((r) => r.status !== 200)).toEqual([]);

      const typedTree = fake.tree(notionPageOf(h, u.id, typed.uuid));
      expect(typedTree.filter((b) => b.type === "heading_2").map((b) => b.text)).toEqual(["Page 1", "Page 2", "Page 3"]);
      expect(typedTree.some((b) => b.type === "bulleted_list_item" && b.text === "B is a letter of the alphabet")).toBe(true);
      expect(typedTree.some((b) => b.text.includes("new line"))).toBe(true);
      const typedRow = rows().find((r) => fake.prop(r, "Name") === "Typed notes")!;
      expect(fake.prop(typedRow, "Pages")).toBe(3);
      expect(fake.prop(typedRow, "Tags")).toEqual(["typed"]);
      expect(fake.prop(typedRow, "Status")).toBe("Up to date");
      expect(fake.prop(typedRow, "Last modified")).toBe(new Date(1700000000000).toISOString());

      const wiki = fake.tree(notionPageOf(h, u.id, highlights.uuid));
      expect(wiki.filter((b) => b.type === "quote").length).toBeGreaterThan(0);
      expect(fake.prop(rows().find((r) => fake.prop(r, "Name") === "Wikipedia")!, "Path")).toBe("Work");

      const handTree = fake.tree(notionPageOf(h, u.id, hand.uuid));
      expect(handTree.map((b) => [b.type, b.text])).toEqual([
        ["heading_2", "Page 1"],
        ["heading_1", "Page 1"],
        ["to_do", "call the plumber"],
        ["to_do", "buy milk"],
        ["paragraph", "Meeting with Müller → Friday 12.03."],
      ]);
      expect(fake.rows(ds).length).toBe(3);
    } finally {
      await h.close();
    }
  });
});

test("two-phase first sync: every notebook first, then content newest first within the page limit", async () => {
  const h = await notionHarness(fake, { "notion.initialPageLimit": 3 });
  try {
    const u = await addUser(h, "phases@example.com");
    const mk = async (name: string, pages: number, modified: number) => {
      const d = buildDoc(Array.from({ length: pages }, () => null), { name });
      d.input.metadata.lastModified = String(modified);
      await syncDoc(h, u.token, d);
      for (let i = 0; i < pages; i++) setPageText(h, u.id, d, i, `${name} page ${i + 1}`);
      return d;
    };
    const a = await mk("A newest", 2, 1_700_000_300_000);
    const b = await mk("B middle", 2, 1_700_000_200_000);
    const c = await mk("C oldest", 1, 1_700_000_100_000);
    await h.runner.idle();
    await connect(h, u);
    await h.runner.idle();
    const creates = fake.requests.flatMap((r, i) => (r.method === "POST" && r.path === "/v1/pages" ? [i] : []));
    const appends = fake.requests.flatMap((r, i) => (r.method === "PATCH" && r.path.endsWith("/children") ? [i] : []));
    expect(creates.length).toBe(3);
    expect(Math.max(...creates)).toBeLessThan(Math.min(...appends));
    expect(fake.tree(notionPageOf(h, u.id, a.uuid)).map((x) => x.text)).toEqual(["Page 1", "A newest page 1", "Page 2", "A newest page 2"]);
    expect(fake.tree(notionPageOf(h, u.id, c.uuid)).map((x) => x.text)).toEqual(["Page 1", "C oldest page 1"]);
    expect(fake.tree(notionPageOf(h, u.id, b.uuid))).toEqual([]);
    const st = await json(await call(h, "GET", `/api/v1/notion/documents/${b.uuid}`, { token: u.token }));
    expect(st.status).toBe("deferred");
    expect(st.error).toContain("page limit");
    // A deferred notebook gets its content when it changes (or on resync).
    expect((await json(await call(h, "POST", `/api/v1/notion/documents/${b.uuid}/sync`, { token: u.token }))).queued).toBe(true);
    await h.runner.idle();
    expect(fake.tree(notionPageOf(h, u.id, b.uuid)).map((x) => x.text)).toEqual(["Page 1", "B middle page 1", "Page 2", "B middle page 2"]);
    expect(fake.count().pages).toBe(3);
  } finally {
    await h.close();
  }
});

test("a 429 the SDK cannot absorb defers the job without spending an attempt, then it completes", async () => {
  const h = await notionHarness(fake, { "notion.maxRetries": 1 });
  try {
    const u = await addUser(h, "defer@example.com");
    await connect(h, u);
    await h.runner.idle();
    const d = await notebook(h, u, "Deferred", 1);
    await h.runner.idle();
    fake.script.push({ status: 429, retryAfter: "1" }, { status: 429, retryAfter: "1" });
    setPageText(h, u.id, d, 0, "after the storm");
    await h.runner.idle();
    const job = () => h.ctx.store.db.query("SELECT status, attempts, last_error FROM jobs WHERE kind = 'notion_sync' ORDER BY id DESC LIMIT 1").get() as { status: string; attempts: number; last_error: string };
    expect(job().status).toBe("queued");
    expect(job().attempts).toBe(0);
    expect(job().last_error).toContain("rate_limited");
    for (let i = 0; i < 100 && job().status !== "done"; i++) {
      await Bun.sleep(50);
      await h.runner.idle();
    }
    expect(job().status).toBe("done");
    expect(fake.tree(notionPageOf(h, u.id, d.uuid)).map((x) => x.text)).toEqual(["Page 1", "after the storm"]);
  } finally {
    await h.close();
  }
}, 30_000);
