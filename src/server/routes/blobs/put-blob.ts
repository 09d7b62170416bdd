import type { Auth } from "../../../services/accounts/accounts.ts";
import { uploadBlob } from "../../../services/library/blobs.ts";
import type { AppContext } from "../../../services/context.ts";
import { AppError } from "../../errors.ts";

/** PUT /api/v1/blobs/:sha256 — raw bytes, verified against the hash while streaming; idempotent. */
export async function putBlob(ctx: AppContext, auth: Auth, sha256: string, request: Request) {
  const len = request.headers.get("content-length");
  let declared: number | null = null;
  if (len !== null) {
    if (!/^\d{1,16}$/.test(len)) throw new AppError("bad_request", "Invalid Content-Length.");
    declared = Number(len);
  }
  return uploadBlob(ctx, auth.user.id, sha256, request.body, declared);
}
