// The HTTP side of the error catalogue (src/errors.ts: codes, statuses, AppError). The one onError
// renderer below turns an AppError (and Elysia's own parse/validation errors) into
//   { "error": { "code": "...", "message": "...", "details"?: {...} } }
// Anything else is logged and answered as a bare 500 "internal" with no internals leaked.
import { Elysia } from "elysia";
import { isDiskFull, StorageUnavailable } from "../blobs/faults.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { HeaderInfo } from "../services/library/dashboard.ts";
import { humanDay } from "../quota/index.ts";
import { DASHBOARD_CSP } from "./http.ts";
import { ErrorPage } from "../../views/pages/error.tsx";
import { errorFragment, quotaExceededFragment, type QuotaInfo } from "../../views/partials/modal.tsx";

// The web layer sees the catalogue through this module too.
export { AppError, ERRORS, type ErrorCode } from "../errors.ts";

export function errorResponse(err: AppError): Response {
  return new Response(JSON.stringify(err.body ?? err.toJSON()), {
    status: err.status,
    headers: { "content-type": "application/json; charset=utf-8", ...err.headers },
  });
}

/** Retry-After (seconds) sent with storage_full and storage_unavailable. */
export const STORAGE_RETRY_SECONDS = 30;

/** Translate anything thrown in a request into an AppError (unknown errors become "internal"). */
export function toAppError(code: string | number, error: unknown): AppError {
  if (error instanceof AppError) return error;
  // Faults of the disk or the blob store pass by themselves: say so, so clients retry later.
  if (isDiskFull(error)) return new AppError("storage_full", undefined, undefined, { "retry-after": String(STORAGE_RETRY_SECONDS) });
  if (error instanceof StorageUnavailable) return new AppError("storage_unavailable", undefined, undefined, { "retry-after": String(STORAGE_RETRY_SECONDS) });
  const e = error as { message?: string; type?: string; all?: unknown; valueError?: { path?: string; message?: string } };
  switch (code) {
    case "PARSE":
      // Our own body parsers (server/body.ts) throw catalogue errors; Elysia wraps them.
      if ((error as { cause?: unknown })?.cause instanceof AppError) return (error as { cause: AppError }).cause;
      return new AppError("malformed_json");
    case "VALIDATION": {
      let details: Record<string, unknown> | undefined;
      try {
        const v = error as { type?: string; valueError?: { path?: string; message?: string } };
        details = { on: v.type, path: v.valueError?.path || "/", problem: v.valueError?.message };
      } catch {
        details = undefined;
      }
      return new AppError("invalid_request", undefined, details);
    }
    case "NOT_FOUND":
      return new AppError("route_not_found");
    case "INVALID_COOKIE_SIGNATURE":
      return new AppError("unauthorized");
  }
  return new AppError("internal");
}

/** The one error renderer. Registered globally by app.ts. */
/** The signed-in user's header for a full error page, or null (not signed in, or not a page). */
export type ErrorPageHeader = (request: Request, server: { requestIP(r: Request): { address: string } | null } | null) => Promise<HeaderInfo | null>;

export const errorHandler = (log: Logger, quotaTimeZone = "UTC", pageHeader?: ErrorPageHeader) =>
  new Elysia({ name: "rmirror:errors" }).onError({ as: "global" }, async ({ code, error, request, server }) => {
    const err = toAppError(code, error);
    if (err.code === "storage_full" || err.code === "storage_unavailable") log.warn("storage fault", { method: request.method, url: new URL(request.url).pathname, error: (error as Error)?.message ?? String(error) });
    if (err.code === "internal") log.error("unhandled error", { method: request.method, url: new URL(request.url).pathname, error: (error as Error)?.stack ?? String(error) });
    const header = pageHeader && wantsPage(request) && err.status !== 401 ? await pageHeader(request, server).catch(() => null) : null;
    return renderError(err, request, quotaTimeZone, header);
  });

function wantsPage(request: Request): boolean {
  return request.headers.get("hx-request") !== "true" && !new URL(request.url).pathname.startsWith("/api/") && (request.headers.get("accept") ?? "").includes("text/html");
}

/**
 * One error, three audiences: htmx requests (HX-Request) get an HTML fragment for #modal,
 * browsers navigating to a non-API page get an HTML page, everyone else the JSON envelope.
 */
export function renderError(err: AppError, request: Request, quotaTimeZone = "UTC", header: HeaderInfo | null = null): Response {
  const htmx = request.headers.get("hx-request") === "true";
  const browser = wantsPage(request);
  if (!htmx && !browser) return errorResponse(err);
  const raw = err.code === "quota_exceeded" ? ((err.details?.quota as QuotaInfo | undefined) ?? undefined) : undefined;
  const quota = raw ? { ...raw, resets_on: humanDay(raw.resets_at, quotaTimeZone) } : undefined;
  const body = htmx
    ? quota
      ? quotaExceededFragment(quota)
      : errorFragment(err.status, err.code, err.message)
    : ErrorPage({ status: err.status, code: err.code, message: err.message, quota, header: header ?? undefined });
  const headers: Record<string, string> = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": DASHBOARD_CSP,
    "x-content-type-options": "nosniff",
    ...err.headers,
  };
  if (htmx) Object.assign(headers, { "hx-retarget": "#modal", "hx-reswap": "innerHTML" });
  return new Response(body, { status: err.status, headers });
}
