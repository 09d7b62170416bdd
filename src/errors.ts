// The catalogue of user-facing errors. Every error a client can see has a stable `code` (the
// contract: clients match on it), an HTTP status and a default message. Services throw AppError;
// the edge (src/server/errors.ts) turns it into a JSON envelope, an htmx fragment or an HTML page.
// A leaf module: it imports nothing, so the domain can throw without loading the web layer.

export const ERRORS = {
  // 400 — bad input
  bad_request: [400, "The request is invalid."],
  invalid_request: [400, "The request body or parameters do not match the schema."],
  malformed_json: [400, "The request body is not valid JSON."],
  json_too_deep: [400, "The JSON body is nested too deeply."],
  bad_uuid: [400, "An id is not a valid UUID."],
  bad_path_encoding: [400, "The URL has invalid percent-encoding."],
  bad_timestamp: [400, "A timestamp is not epoch milliseconds between 1970 and the year 275760."],
  bad_sha256: [400, "A hash is not 64 lowercase hexadecimal characters."],
  bad_page_list: [400, "The page list is inconsistent (duplicate ids or positions)."],
  bad_file_path: [400, "A file path is not a safe relative path."],
  bad_parent: [400, "The parent must be \"\", \"trash\" or a folder UUID."],
  hash_mismatch: [400, "The uploaded bytes do not match the sha256 in the URL."],
  size_mismatch: [400, "The uploaded size does not match the declared size."],
  bad_archive: [400, "The uploaded file is not a readable .rmdoc/.zip export."],
  archive_entry_too_large: [413, "A file inside the archive is larger than one file may be (RMIRROR_MAX_BLOB_BYTES)."],
  bad_email: [400, "The email address is not valid."],
  weak_password: [400, "The password must be at least 8 characters."],
  bad_name: [400, "The name is empty or too long."],
  bad_notion_id: [400, "Not a Notion page or database id."],
  notion_bad_state: [400, "The Notion authorization link is invalid, expired or was started in another session."],
  notion_token_rejected: [400, "Notion rejected the integration token."],
  // 401/403 — who you are
  unauthorized: [401, "Authentication required."],
  invalid_credentials: [401, "Wrong email or password."],
  invalid_token: [401, "The device token is unknown or revoked."],
  forbidden: [403, "You are not allowed to do this."],
  csrf_failed: [403, "Missing or wrong CSRF token."],
  cross_site: [403, "Cross-site request refused."],
  bad_pairing_secret: [403, "Wrong pairing secret."],
  // 404 — not found (never distinguishes "someone else's" from "does not exist")
  route_not_found: [404, "No such route."],
  document_not_found: [404, "No such document."],
  page_not_found: [404, "No such page."],
  unknown_blob: [404, "No such blob."],
  token_not_found: [404, "No such device token."],
  job_not_found: [404, "No such job."],
  pairing_not_found: [404, "No such pairing request."],
  agent_not_available: [404, "This server has no agent executable for that platform."],
  install_code_invalid: [404, "This install code is unknown, already used or expired: make a new one on the Devices page (Connect a computer)."],
  user_not_found: [404, "No such user."],
  webhook_not_found: [404, "No such webhook endpoint."],
  delivery_not_found: [404, "No such webhook delivery."],
  // 402 — the monthly OCR quota is used up
  quota_exceeded: [402, "The monthly OCR quota is used up; OCR resumes when it resets."],
  // 409/410/413/415/422/429
  ocr_not_configured: [409, "OCR is not configured on this server (no API key)."],
  ocr_paused: [409, "OCR is paused on this server: the OCR provider rejected the API key."],
  already_set_up: [409, "Setup is already complete."],
  email_taken: [409, "A user with this email already exists."],
  not_ready: [409, "The page is not rendered yet."],
  pairing_decided: [409, "This pairing request was already decided."],
  job_not_retryable: [409, "Only failed or cancelled jobs can be retried."],
  notion_not_connected: [409, "Notion is not connected (or has no parent page yet)."],
  notion_oauth_not_configured: [409, "Notion OAuth is not configured on this server (RMIRROR_NOTION_CLIENT_ID/_SECRET)."],
  pairing_expired: [410, "The pairing request expired."],
  cursor_expired: [410, "The change-feed cursor is older than the feed keeps: resync (read the feed again without a cursor)."],
  bad_cursor: [400, "The change-feed cursor is not one this server issued."],
  webhook_target_refused: [400, "The webhook URL is not allowed (not http(s), does not resolve, or a private address)."],
  bad_webhook_events: [400, "Choose at least one known webhook event."],
  too_many_webhooks: [409, "A user can have at most 20 webhook endpoints."],
  pairing_denied: [403, "The pairing request was denied."],
  too_large: [413, "The body is larger than allowed."],
  batch_too_large: [413, "Too many documents in one batch."],
  too_many_pages: [413, "The document has more pages than allowed."],
  too_many_files: [413, "The document has more files than allowed."],
  unsupported_media_type: [415, "Unsupported content type."],
  range_not_satisfiable: [416, "The requested byte range is outside the file."],
  render_failed: [422, "The page could not be rendered."],
  rate_limited: [429, "Too many attempts; try again later."],
  // 5xx
  internal: [500, "Internal server error."],
  notion_error: [502, "Notion did not accept the request."],
  unavailable: [503, "The server is shutting down or a dependency is unavailable."],
  login_busy: [503, "Too many logins are being checked right now; try again in a moment."],
  storage_unavailable: [503, "File storage does not answer right now; try again later."],
  storage_full: [507, "The server's disk is full; try again once space has been freed."],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  override readonly name = "AppError";
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
    /** A body that replaces the standard envelope (only where a contract demands its own shape). */
    readonly body?: unknown,
  ) {
    super(message ?? ERRORS[code][1]);
    this.status = ERRORS[code][0];
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}
