// A trashed page or block is recognised by the object's `in_trash` state, not by the wording of
// Notion's refusal (API 2026-03-11 renamed `archived` to `in_trash`, and the fake now words its
// refusal "in the trash" and sends no `archived` field, as that version does).
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { NOTION_VERSION, NotionClient, NotionGoneError, NotionValidationError } from "../../src/notion/client.ts";
import { paragraphBlock } from "../../src/notion/markdown-to-blocks.ts";
import { NotionRateLimiter } from "../../src/notion/rate-limit.ts";
import { startFakeNotion, type FakeNotion } from "../support/fake-notion.ts";
import { call, json } from "../support/server-harness.ts";
import { connectedUser, dataSourceOf, notebook, notionHarness, notionPageOf, setPageText, TOKEN } from "./support.ts";

let fake: FakeNotion;
beforeAll(() => {
  fake = startFakeNotion();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const client = () => new NotionClient({ token: TOKEN, baseUrl: fake.url, limiter: new NotionRateLimiter(1000), maxRetries: 0 });

async function notebookPage(c: NotionClient): Promise<{ dsId: string; pageId: string }> {
  const parent = fake.addSharedPage("Home");
  const db = await c.createDatabase(parent, "T", { Name: { title: {} } });
  const pageId = await c.createPage(db.dataSourceId, { Name: { title: [{ type: "text", text: { content: "n" } }] } });
  return { dsId: db.dataSourceId, pageId };
}

test("the fake speaks 2026-03-11: objects carry in_trash only, refusals do not say 'archived'", async () => {
  const c = client();
  const { pageId } = await notebookPage(c);
  fake.trash(pageId);
  const get = await fetch(`${fake.url}/v1/pages/${pageId}`, { headers: { authorization: `Bearer ${TOKEN}`, "notion-version": NOTION_VERSION } });
  const page = await get.json();
  expect(page.in_trash).toBe(true);
  expect("archived" in page).toBe(false);
  const edit = await fetch(`${fake.url}/v1/blocks/${pageId}/children`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${TOKEN}`, "notion-version": NOTION_VERSION, "content-type": "application/json" },
    body: JSON.stringify({ children: [paragraphBlock("x")] }),
  });
  expect(edit.status).toBe(400);
  const err = await edit.json();
  expect(err.code).toBe("validation_error");
  expect(err.message).not.toMatch(/archived/i);
});

test("edits of trashed content are NotionGoneError by in_trash (the page, a block after which we append, a block inside a trashed page); other refusals stay validation errors", async () => {
  const c = client();
  const { dsId, pageId } = await notebookPage(c);
  const [a, b] = await c.append(pageId, [paragraphBlock("a"), paragraphBlock("b")]);
  // A genuine validation error on a live page is not mistaken for the trash.
  const tooMany = Array.from({ length: 101 }, (_, i) => paragraphBlock(`p${i}`));
  await expect(c.append(pageId, tooMany)).rejects.toBeInstanceOf(NotionValidationError);
  // Appending after a trashed block.
  fake.trash(a!);
  await expect(c.append(pageId, [paragraphBlock("c")], a)).rejects.toBeInstanceOf(NotionGoneError);
  // Deleting a block that is already in the trash counts as done.
  await c.deleteBlock(a!);
  // The whole page in the trash: its blocks are not in_trash themselves, the page above them is.
  fake.trash(pageId);
  await expect(c.updateBlock(b!, { paragraph: { rich_text: [{ type: "text", text: { content: "b2" } }] } })).rejects.toBeInstanceOf(NotionGoneError);
  await expect(c.append(pageId, [paragraphBlock("d")])).rejects.toBeInstanceOf(NotionGoneError);
  await expect(c.updatePageProperties(pageId, {})).rejects.toBeInstanceOf(NotionGoneError);
  // A row created in a database that is in the trash.
  const db = fake.dataSources.get(dsId)!.database_id;
  fake.databases.get(db)!.in_trash = true;
  await expect(c.createPage(dsId, { Name: { title: [{ type: "text", text: { content: "late" } }] } })).rejects.toBeInstanceOf(NotionGoneError);
});

test("a notebook page the user trashed in Notion is recreated on the next change (refusal worded 'in the trash')", async () => {
  const h = await notionHarness(fake);
  try {
    const u = await connectedUser(h, fake);
    const d = await notebook(h, u, "Trashed", 1);
    setPageText(h, u.id, d, 0, "first");
    await h.runner.idle();
    const old = notionPageOf(h, u.id, d.uuid);
    fake.trash(old);
    setPageText(h, u.id, d, 0, "first, edited");
    await h.runner.idle();
    const now = notionPageOf(h, u.id, d.uuid);
    expect(now).not.toBe(old);
    expect(fake.rows(dataSourceOf(h, u.id)).length).toBe(1);
    expect(fake.tree(now).map((b) => b.text)).toEqual(["Page 1", "first, edited"]);
    expect((await json(await call(h, "GET", `/api/v1/notion/documents/${d.uuid}`, { token: u.token }))).status).toBe("synced");
  } finally {
    await h.close();
  }
});
