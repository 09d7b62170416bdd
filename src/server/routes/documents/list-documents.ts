import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listDocuments as list } from "../../../services/library/library.ts";
import { AppError } from "../../errors.ts";

/** GET /api/v1/documents?parent=root|trash|<uuid>&trash=exclude|only|include&deleted=1 */
export function listDocuments(ctx: AppContext, auth: Auth, q: Record<string, string | undefined>) {
  const trash = q.trash;
  if (trash !== undefined && trash !== "exclude" && trash !== "only" && trash !== "include") throw new AppError("bad_request", "trash must be exclude, only or include.");
  return {
    documents: list(ctx, auth.user.id, {
      ...(q.parent !== undefined ? { parent: q.parent } : {}),
      ...(trash ? { trash } : {}),
      deleted: q.deleted === "1" || q.deleted === "true",
    }),
  };
}
