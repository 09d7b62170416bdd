// Request bodies, read on our terms (DESIGN.md §7 "Bodies"). Elysia would buffer a whole body
// before any hook of ours could refuse it, so every route that takes a body declares a parser
// from here instead of Elysia's defaults:
//   - `jsonBody`: application/json only (415 otherwise), same-origin (cross-site browsers refused),
//     the caller authenticated first when the route needs it (an anonymous caller gets 401 before
//     one byte is read), a byte limit enforced while reading (413), a nesting-depth check over the
//     raw text before JSON.parse (400 json_too_deep), then the route's own item caps, all before
//     schema validation.
//   - `formBody`: application/x-www-form-urlencoded only, with a small byte limit.
// Blob and import routes stream their bodies (`parse: "none"`) with their own limits.
import type { AppContext } from "../services/context.ts";
import { AppError } from "./errors.ts";
import { sameOrigin } from "./http.ts";

/** The limits every body is held to (also listed in docs/security.md, "Requests and limits"). */
export const BODY_LIMITS = {
  /** Small JSON routes: login, setup, tokens, pairing, quota, Notion settings. */
  jsonBytes: 64 * 1024,
  /** The sync routes (`PUT /api/v1/documents[/:uuid]`): a document's metadata, pages and files. */
  syncJsonBytes: 8 * 1024 * 1024,
  /** Dashboard form posts. */
  formBytes: 64 * 1024,
  /** Objects and arrays nested deeper than this are refused before parsing (ours nest 4 deep). */
  jsonDepth: 32,
} as const;

type Server = { requestIP(r: Request): { address: string } | null } | null;
/** Authenticates the caller before the body is read (throws 401/403); see auth/plugin.ts. */
export type Gate = (request: Request, server: Server) => Promise<unknown>;

export interface JsonBodyOptions {
  maxBytes?: number;
  /** Run before reading: authentication for routes that need it. */
  gate?: Gate;
  /** Item caps on the parsed value, checked before schema validation (throw an AppError). */
  check?: (value: unknown) => void;
}

function mediaType(request: Request): string {
  const raw = request.headers.get("content-type") ?? "";
  const i = raw.indexOf(";");
  return (i < 0 ? raw : raw.slice(0, i)).trim().toLowerCase();
}

/** Refuse a body from another site (a browser's Origin naming someone else, or `Origin: null`). */
export function requireSameOrigin(ctx: AppContext, request: Request): void {
  if (sameOrigin(request)) return;
  const origin = request.headers.get("origin");
  try {
    if (origin && origin !== "null" && new URL(origin).origin === new URL(ctx.config.publicUrl).origin) return;
  } catch {
    /* not a URL: refused below */
  }
  throw new AppError("cross_site", "Cross-site request refused.");
}

/**
 * Read at most `maxBytes` of the body: a declared Content-Length over the limit is refused without
 * reading, a body that grows past it while streaming is cancelled at the limit.
 */
export async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  const len = request.headers.get("content-length");
  if (len !== null) {
    if (!/^\d{1,16}$/.test(len.trim())) throw new AppError("bad_request", "Invalid Content-Length.");
    if (Number(len) > maxBytes) {
      await request.body?.cancel().catch(() => {});
      throw new AppError("too_large", `The body is larger than ${maxBytes} bytes.`, { limit: maxBytes });
    }
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new AppError("too_large", `The body is larger than ${maxBytes} bytes.`, { limit: maxBytes });
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  return new Uint8Array(Bun.concatArrayBuffers(chunks));
}

/**
 * One pass over raw JSON text: the deepest nesting of objects and arrays (strings skipped), so a
 * hostile `[[[[…` is refused before JSON.parse or a validator ever recurses into it.
 */
export function checkJsonDepth(text: string, maxDepth: number): void {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: skip to its closing quote, stepping over escapes
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === 92) i++;
        else if (s === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > maxDepth) throw new AppError("json_too_deep", `JSON nested deeper than ${maxDepth} levels.`, { maxDepth });
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
}

/** Decode, depth-check and parse a JSON body already read. */
export function parseJsonText(bytes: Uint8Array, maxDepth: number = BODY_LIMITS.jsonDepth): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("malformed_json", "The request body is not valid UTF-8.");
  }
  checkJsonDepth(text, maxDepth);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("malformed_json");
  }
}

/**
 * A route's body parser for JSON (see the header comment for the order of the checks). Ours runs
 * first and always yields the body; the trailing "application/json" is never reached and only
 * tells the OpenAPI document what the route takes.
 */
export function jsonBody(ctx: AppContext, opts: JsonBodyOptions = {}) {
  return [readJson(ctx, opts), "application/json" as const];
}

function readJson(ctx: AppContext, opts: JsonBodyOptions) {
  const maxBytes = opts.maxBytes ?? BODY_LIMITS.jsonBytes;
  return async function readJsonBody({ request, server }: { request: Request; server: Server }): Promise<unknown> {
    if (opts.gate) await opts.gate(request, server);
    if (mediaType(request) !== "application/json")
      throw new AppError("unsupported_media_type", "Send the body as application/json.", { expected: "application/json" });
    requireSameOrigin(ctx, request);
    const value = parseJsonText(await readLimited(request, maxBytes));
    opts.check?.(value);
    return value;
  };
}

/**
 * A dashboard form's body parser: urlencoded only, at most BODY_LIMITS.formBytes. With `signedIn`
 * (forms behind the login), a caller who is nobody gets an empty form without a byte read, and the
 * route answers with its login redirect; the CSRF field is checked by the route once read.
 */
export function formBody(signedIn?: (request: Request, server: Server) => Promise<boolean>) {
  return async function readFormBody({ request, server }: { request: Request; server: Server }): Promise<Record<string, string>> {
    if (signedIn && !(await signedIn(request, server))) return {};
    if (mediaType(request) !== "application/x-www-form-urlencoded")
      throw new AppError("unsupported_media_type", "Send the form as application/x-www-form-urlencoded.", { expected: "application/x-www-form-urlencoded" });
    const text = new TextDecoder().decode(await readLimited(request, BODY_LIMITS.formBytes));
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) if (!(k in out)) out[k] = v;
    return out;
  };
}
