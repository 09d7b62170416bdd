import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { listTodos as list, type TodoQuery } from "../../../services/library/todos.ts";

/** GET /api/v1/todos?checked=&document=&after=&limit= */
export function listTodos(ctx: AppContext, auth: Auth, q: TodoQuery) {
  return list(ctx, auth.user.id, q);
}
