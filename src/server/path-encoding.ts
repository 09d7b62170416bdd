// A path whose percent-encoding is not UTF-8 ("%C0%AF") is refused before routing: Elysia would
// hand the handler a null parameter instead (a 500 on every route with a `:uuid`).
import { Elysia } from "elysia";
import { AppError } from "./errors.ts";

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export const pathEncodingGuard = new Elysia({ name: "rmirror:path-encoding" }).onRequest(({ request }) => {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.indexOf("?", start);
  const path = start < 0 ? "/" : url.slice(start, end < 0 ? undefined : end);
  if (path.includes("%") && !decodable(path)) throw new AppError("bad_path_encoding");
});
