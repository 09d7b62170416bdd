import { AppError } from "../../errors.ts";
import { ASSETS } from "./assets.ts";

/** GET /static/:name — the embedded htmx, app.js, app.css and favicon.svg (also at /favicon.ico). */
export function staticAsset(name: string): Response {
  const a = ASSETS.get(name);
  if (!a) throw new AppError("route_not_found");
  return new Response(a.body, { headers: { "content-type": a.type, "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" } });
}
