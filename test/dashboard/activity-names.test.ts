// Activity speaks the user's language (issue 13 item 7, names part): job kinds have human names
// in the table and the counts; the raw kind stays in a data attribute for scripts and tests.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { addUser, harness, type Harness, type TestUser } from "../support/server-harness.ts";
import { req, session } from "./support.ts";

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await harness({ jobs: false });
  u = await addUser(h, "names@example.com");
});
afterAll(() => h.close());

test("render, OCR, Notion and email jobs are named for people", async () => {
  for (const kind of ["render_page", "ocr", "notion_sync", "notify_email", "some_future_kind"]) h.ctx.queue.enqueue(kind, { x: 1 }, { userId: u.id });
  const html = await (await req(h, session(h, u), "GET", "/activity")).text();
  for (const label of ["Render page", "Read handwriting (OCR)", "Sync to Notion", "Email notice"]) expect(html).toContain(label);
  expect(html).toContain('data-job-kind="ocr"');
  expect(html).toContain("some_future_kind"); // an unknown kind is shown as it is
  expect(html).not.toMatch(/<td>render_page<\/td>/);
  expect(html).toMatch(/<li>Read handwriting \(OCR\): 1 queued<\/li>/);
});

test("an OCR job says why its page is read (where the quota page goes)", async () => {
  for (const reason of ["new", "changed", "requested", "reread"]) h.ctx.queue.enqueue("ocr", { pageId: 1, reason }, { userId: u.id });
  const html = await (await req(h, session(h, u), "GET", "/activity")).text();
  for (const [reason, label] of [["new", "new page"], ["changed", "changed page"], ["requested", "asked for"], ["reread", "re-read"]]) {
    expect(html).toContain(`<td data-read-reason="${reason}">Read handwriting (OCR) · ${label}</td>`);
  }
});
