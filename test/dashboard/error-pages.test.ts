// Error pages keep the dashboard around them (issue 13 item 10): a signed-in user who follows a
// dead link gets the 404 inside the usual header (navigation, search, account), not a dead end;
// a visitor who is not signed in gets the bare page, which names nobody.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { addUser, harness, uuid, type Harness, type TestUser } from "../support/server-harness.ts";
import { req, session } from "./support.ts";

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await harness();
  u = await addUser(h, "lost@example.com");
});
afterAll(() => h.close());

test("a signed-in 404 (unknown document, unknown path) keeps navigation, search and the account", async () => {
  const b = session(h, u);
  for (const path of [`/documents/${uuid()}`, "/no/such/page"]) {
    const res = await req(h, b, "GET", path);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('data-error-code="');
    expect(html).toContain('nav aria-label="Main"');
    expect(html).toContain('data-nav="library"');
    expect(html).toContain('id="search"');
    expect(html).toContain("lost@example.com");
  }
});

test("not signed in: the bare error page, no navigation, nobody named", async () => {
  const res = await req(h, null, "GET", "/no/such/page");
  expect(res.status).toBe(404);
  const html = await res.text();
  expect(html).not.toContain('nav aria-label="Main"');
  expect(html).not.toContain("lost@example.com");
});

test("API clients still get the JSON envelope", async () => {
  const res = await h.app.handle(new Request(`http://localhost/api/v1/documents/${uuid()}`, { headers: { authorization: `Bearer ${u.token}` } }));
  expect(res.status).toBe(404);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("document_not_found");
});
