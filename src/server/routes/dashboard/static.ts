import { AppError } from "../../errors.ts";
import { ASSETS } from "./assets.ts";

const etags = new Map<string, string>();
function etagOf(name: string, body: string): string {
  let e = etags.get(name);
  if (!e) etags.set(name, (e = `"${new Bun.CryptoHasher("sha256").update(body).digest("hex").slice(0, 20)}"`));
  return e;
}

/**
 * GET /static/:name — the embedded htmx, app.js, app.css and favicon.svg (also at /favicon.ico).
 * Fresh for an hour; after that the browser revalidates with the ETag (a hash of the embedded
 * file) and gets a 304 while the binary is unchanged, not the file again. A gzip answer carries the
 * weak form of the same ETag (server/compression.ts), which matches too.
 */
export function staticAsset(name: string, request?: Request): Response {
  const a = ASSETS.get(name);
  if (!a) throw new AppError("route_not_found");
  const etag = etagOf(name, a.body);
  const headers = { "content-type": a.type, "cache-control": "public, max-age=3600", etag, "x-content-type-options": "nosniff" };
  const match = request?.headers.get("if-none-match");
  if (match && (match.trim() === "*" || match.split(",").some((t) => t.trim().replace(/^W\//, "") === etag))) return new Response(null, { status: 304, headers });
  return new Response(a.body, { headers });
}
