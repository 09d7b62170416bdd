import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { importArchive } from "../../../services/library/import-upload.ts";
import { AppError } from "../../errors.ts";

/**
 * POST /api/v1/import — a .rmdoc/.zip export, either as multipart/form-data (field "file") or as
 * the raw body (application/zip or application/octet-stream, ?filename=name.rmdoc).
 */
export async function importUpload(ctx: AppContext, auth: Auth, request: Request, query: Record<string, string | undefined>): Promise<Response> {
  const max = ctx.config.maxImportBytes;
  const len = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(len) && len > max + 64 * 1024) throw new AppError("too_large", `Imports are limited to ${max} bytes.`, { limit: max });
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  let summary;
  if (type.startsWith("multipart/form-data")) {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      throw new AppError("bad_request", "The multipart body could not be parsed.");
    }
    const file = form.get("file");
    if (!(file instanceof Blob)) throw new AppError("bad_request", 'The multipart body needs a "file" field holding the export.');
    summary = await importArchive(ctx, auth.user.id, file, (file as File).name || "upload.zip");
  } else if (type.startsWith("application/zip") || type.startsWith("application/octet-stream") || type.startsWith("application/x-zip")) {
    if (!request.body) throw new AppError("bad_request", "Empty body.");
    summary = await importArchive(ctx, auth.user.id, request.body, query.filename ?? "upload.zip");
  } else {
    throw new AppError("unsupported_media_type", "Send multipart/form-data (field \"file\") or application/zip.");
  }
  return Response.json(summary, { status: 201 });
}
