// Hostile paths (issue 11, item 7a and 7c): invalid percent-encoding in a route parameter is a 400
// with a stable code on every route that takes a :uuid (not a 500), and /static/ names never reach
// Object.prototype.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { addUser, call, harness, json, type Harness, type TestUser } from "../support/server-harness.ts";

let h: Harness;
let user: TestUser;
beforeAll(async () => {
  h = await harness();
  user = await addUser(h, "paths@example.com", true);
});
afterAll(() => h.close());

test("every route with a :uuid answers 400 bad_path_encoding for %C0%AF", async () => {
  const routes = h.app.routes.filter((r) => r.path.includes(":uuid"));
  expect(routes.length).toBeGreaterThanOrEqual(16);
  for (const r of routes) {
    const path = r.path.replace(":uuid", "%C0%AF").replace(/:[A-Za-z]+/g, "1");
    const res = await call(h, r.method, path, { token: user.token, headers: { accept: "application/json" } });
    const body = res.headers.get("content-type")?.includes("json") ? await json(res) : { error: { code: await res.text() } };
    expect({ route: `${r.method} ${r.path}`, status: res.status, code: body.error?.code }).toEqual({ route: `${r.method} ${r.path}`, status: 400, code: "bad_path_encoding" });
  }
});

test("a well-encoded but wrong id is still the route's own 400/404", async () => {
  expect((await json(await call(h, "GET", "/api/v1/documents/not-a-uuid", { token: user.token }))).error.code).toBe("bad_uuid");
  expect((await call(h, "GET", `/api/v1/documents/${crypto.randomUUID()}`, { token: user.token })).status).toBe(404);
});

test("/static/ serves only its own files", async () => {
  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
    const res = await call(h, "GET", `/static/${name}`);
    expect({ name, status: res.status }).toEqual({ name, status: 404 });
    expect(res.headers.get("content-type")).not.toBe("undefined");
  }
  const css = await call(h, "GET", "/static/app.css");
  expect(css.status).toBe(200);
  expect(css.headers.get("content-type")).toContain("text/css");
});
