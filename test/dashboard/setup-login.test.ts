// First-run setup and login pages (dashboard-styled): flow, escaping of echoed input, errors.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { harness, type Harness } from "../support/server-harness.ts";
import { req, XSS_IMG } from "./support.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

test("setup → login → library, with hostile input echoed escaped", async () => {
  expect((await req(h, null, "GET", "/login")).headers.get("location")).toBe("/setup");
  const page = await req(h, null, "GET", "/setup");
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  const html = await page.text();
  expect(html).toContain('id="setup-form"');
  expect(html).toContain('href="/static/app.css"');
  const bad = await req(h, null, "POST", "/setup", { form: { email: XSS_IMG, password: "long enough" } });
  expect(bad.status).toBe(400);
  const badHtml = await bad.text();
  // Inside a quoted attribute only the quote can break out: it is escaped, so the tag stays text.
  expect(badHtml).not.toContain(XSS_IMG);
  expect(badHtml).toContain('value="&#34;><img src=x onerror=alert(1)>"');
  expect(badHtml).toContain('role="alert"');
  const ok = await req(h, null, "POST", "/setup", { form: { email: "admin@example.com", password: "long enough" } });
  expect(ok.status).toBe(303);
  expect(ok.headers.get("location")).toBe("/login?done=setup");
  expect(await (await req(h, null, "GET", "/login?done=setup")).text()).toContain("Administrator created");
  expect((await req(h, null, "GET", "/setup")).status).toBe(409);
  const wrong = await req(h, null, "POST", "/login", { form: { email: `x${XSS_IMG}`, password: "nope", next: `/"><script>` } });
  expect(wrong.status).toBe(401);
  const wrongHtml = await wrong.text();
  expect(wrongHtml).not.toContain(XSS_IMG);
  expect(wrongHtml).not.toContain('"><script>');
  expect(wrongHtml).toContain('value="/&#34;><script>"');
  expect(wrongHtml).toContain("Wrong email or password.");
  const login = await req(h, null, "POST", "/login", { form: { email: "admin@example.com", password: "long enough", next: "/quota" } });
  expect(login.status).toBe(303);
  expect(login.headers.get("location")).toBe("/quota");
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  const quota = await h.app.handle(new Request("http://localhost/quota", { headers: { cookie } }));
  expect(quota.status).toBe(200);
  expect(await quota.text()).toContain('id="quota-page"');
});

test("unknown pages and bad ids: browsers get an HTML error page, API clients JSON", async () => {
  const page = await req(h, null, "GET", "/no-such-page");
  expect(page.status).toBe(404);
  expect(page.headers.get("content-type")).toStartWith("text/html");
  expect(await page.text()).toContain('data-error-code="route_not_found"');
  const api = await h.app.handle(new Request("http://localhost/api/v1/nope", { headers: { accept: "text/html" } }));
  expect(api.headers.get("content-type")).toStartWith("application/json");
  const hx = await req(h, null, "GET", "/no-such-page", { htmx: true });
  expect(hx.status).toBe(404);
  expect(hx.headers.get("hx-retarget")).toBe("#modal");
  expect(await hx.text()).toStartWith('<div class="modal-backdrop"');
});
