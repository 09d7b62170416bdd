// Small HTTP helpers shared by handlers: cookies, peer address, JSON/HTML responses.

export function cookieValue(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const v = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(v) || null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function setCookieHeader(name: string, value: string, opts: { maxAgeSeconds: number; secure: boolean }): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${opts.maxAgeSeconds}${opts.secure ? "; Secure" : ""}`;
}

export function peerIp(request: Request, server: { requestIP(r: Request): { address: string } | null } | null): string | null {
  try {
    return server?.requestIP(request)?.address ?? null;
  } catch {
    return null;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function html(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      "x-content-type-options": "nosniff",
      // Not "no-referrer": with it Chromium sends `Origin: null` on same-origin form posts, which
      // sameOrigin() must refuse (found by test/browser). "same-origin" still leaks nothing cross-site.
      "referrer-policy": "same-origin",
      ...headers,
    },
  });
}

/** Same-origin check for form posts without a session (setup, login): reject cross-site Origin. */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return origin === null;
  try {
    return new URL(origin).host === new URL(request.url).host || new URL(origin).host === request.headers.get("host");
  } catch {
    return false;
  }
}

/** The dashboard's CSP: its own scripts (htmx, app.js), images from the API, htmx's inline indicator styles. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; img-src 'self' data:; connect-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** An HTML response for dashboard pages and fragments. */
export function dashboardHtml(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return html(body, status, { "content-security-policy": DASHBOARD_CSP, "cache-control": "no-store", ...headers });
}
