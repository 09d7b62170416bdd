import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { requireSha256 } from "../../../services/ids.ts";
import { downloadBlob } from "../../../services/library/library.ts";
import { AppError } from "../../errors.ts";

/** GET /api/v1/blobs/:sha256 — a blob this user supplied (or that was rendered for them). */
export async function getBlob(ctx: AppContext, auth: Auth, sha256: string): Promise<Response> {
  const blob = await downloadBlob(ctx, auth.user.id, requireSha256(sha256, "url"));
  if (!blob) throw new AppError("unknown_blob");
  return new Response(blob, { headers: { "content-type": "application/octet-stream", "x-content-type-options": "nosniff", "cache-control": "private, max-age=31536000, immutable" } });
}
