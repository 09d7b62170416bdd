// Helpers for the dashboard tests: cookie sessions without argon2 cost, requests as a browser or
// as htmx, and hostile strings.
import { createSession } from "../../src/services/accounts/accounts.ts";
import type { Harness, TestUser } from "../support/server-harness.ts";

export const XSS_SCRIPT = "<script>alert(1)</script>";
export const XSS_IMG = '"><img src=x onerror=alert(1)>';

export interface Browser {
  cookie: string;
  csrf: string;
  user: TestUser;
}

export function session(h: Harness, user: TestUser): Browser {
  const s = createSession(h.ctx, user.id);
  return { cookie: `rmirror_session=${s.sessionToken}`, csrf: s.csrfToken, user };
}

export interface GetOptions {
  htmx?: boolean;
  target?: string;
  csrf?: string | false;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

/** A request as the browser (HTML accept) or htmx (HX-Request) would send it. */
export function req(h: Harness, b: Browser | null, method: string, path: string, o: GetOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: "text/html,application/xhtml+xml", ...o.headers };
  if (b) headers.cookie = b.cookie;
  if (o.htmx) headers["hx-request"] = "true";
  if (o.target) headers["hx-target"] = o.target;
  if (b && o.csrf !== false && method !== "GET" && o.htmx) headers["x-csrf-token"] = o.csrf ?? b.csrf;
  let body: string | undefined;
  if (o.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(o.form).toString();
  } else if (method === "POST") {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = "";
  }
  return h.app.handle(new Request(`http://localhost${path}`, { method, headers, ...(body !== undefined ? { body } : {}) }));
}

/** The hostile string must never appear raw; its escaped form must. */
export function expectEscaped(html: string, raw: string, expect: (v: unknown) => any): void {
  expect(html.includes(raw)).toBe(false);
  const esc = raw.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const alt = raw.replace(/&/g, "&#38;").replace(/</g, "&#60;").replace(/>/g, "&#62;").replace(/"/g, "&#34;");
  expect(html.includes(esc) || html.includes(alt) || html.includes(raw.replace(/</g, "&lt;").replace(/>/g, "&gt;"))).toBe(true);
}
