// Each append stays within Notion's 500 KB request body as well as its block counts: a page with
// ~1.2 MB of text used to go out as one request Notion refuses. The fake refuses bodies over
// 500 KB with the documented 400 validation_error.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { NOTION_VERSION } from "../../src/notion/client.ts";
import { markdownToBlocks, MAX_REQUEST_BYTES, paragraphBlock, planAppend } from "../../src/notion/markdown-to-blocks.ts";
import { FAKE_NOTION_MAX_BODY_BYTES, startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { call, json } from "../support/server-harness.ts";
import { connectedUser, notebook, notionHarness, notionPageOf, setPageText, TOKEN } from "./support.ts";

let fake: FakeNotion;
beforeAll(() => {
  fake = startFakeNotion();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

test("the fake refuses a body over 500 KB with 400 validation_error, as documented", async () => {
  expect(FAKE_NOTION_MAX_BODY_BYTES).toBe(MAX_REQUEST_BYTES);
  const page = fake.addSharedPage("Home");
  const r = await fetch(`${fake.url}/v1/blocks/${page}/children`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${TOKEN}`, "notion-version": NOTION_VERSION, "content-type": "application/json" },
    body: JSON.stringify({ children: Array.from({ length: 30 }, () => paragraphBlock("x".repeat(20_000))) }),
  });
  expect(r.status).toBe(400);
  expect((await r.json()).code).toBe("validation_error");
});

/** ~1.2 MB: 12 paragraphs of 100 KB (50 rich-text items each), well under the block counts. */
const bigAscii = Array.from({ length: 12 }, (_, i) => `p${i} ` + "lorem ipsum ".repeat(8_500)).join("\n\n");
/** One paragraph of 200,000 three-byte characters: 100 items, ~600 KB in a single block. */
const bigCjk = "日本語のテキスト".repeat(25_000);
/** Control characters travel as \u00XX: 6 bytes each in JSON. */
const bigEscaped = "\u0001\u0002ab".repeat(40_000);

test("planAppend keeps every request body under 500 KB, splitting a block that is too large by itself, losing no text", () => {
  for (const md of [bigAscii, bigCjk, bigEscaped]) {
    const blocks = markdownToBlocks(md);
    const text = (bs: typeof blocks) => bs.map((b) => ((b[b.type] as any).rich_text ?? []).map((r: any) => r.text.content).join("")).join("");
    let sent = "";
    for (const step of planAppend(blocks)) {
      const body = JSON.stringify({ children: step.blocks, position: { type: "after_block", after_block: { id: crypto.randomUUID() } } });
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
      sent += text(step.blocks);
    }
    expect(sent).toBe(text(blocks));
  }
});

test("a page with ~1.2 MB of text syncs in requests Notion accepts, with all its text", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await connectedUser(h, fake);
    const d = await notebook(h, u, "Long", 3);
    setPageText(h, u.id, d, 0, bigAscii);
    setPageText(h, u.id, d, 1, bigCjk);
    setPageText(h, u.id, d, 2, bigEscaped);
    fake.requests.length = 0;
    await h.runner.idle();
    const st = await json(await call(h, "GET", `/api/v1/notion/documents/${d.uuid}`, { token: u.token }));
    expect(st).toMatchObject({ status: "synced", error: null });
    const appends = fake.requests.filter((r) => r.method === "PATCH" && r.path.endsWith("/children"));
    expect(appends.length).toBeGreaterThan(3);
    expect(appends.every((r) => r.status === 200)).toBe(true);
    expect(appends.every((r) => Buffer.byteLength(JSON.stringify(r.body)) <= MAX_REQUEST_BYTES)).toBe(true);
    const tree = fake.tree(notionPageOf(h, u.id, d.uuid));
    const all = tree.map((b) => b.text).join("");
    expect(all.replace(/\s+/g, "")).toBe(`Page 1${bigAscii}Page 2${bigCjk}Page 3${bigEscaped}`.replace(/\s+/g, ""));
  } finally {
    await h.close();
  }
});
