// Todoist push job: one user's to-dos, one at a time per user (coalesced by its idempotency key).
import type { AppContext } from "../../services/context.ts";
import { parseTodoistSyncPayload, runTodoistSync, TODOIST_SYNC, todoistSyncFailed, type TodoistSyncPayload } from "../../services/todoist/todoist-sync.ts";
import type { Worker } from "../runner.ts";

export function todoistSyncWorker(ctx: AppContext): Worker<TodoistSyncPayload> {
  return {
    kind: TODOIST_SYNC,
    concurrency: 1,
    parse: parseTodoistSyncPayload,
    run: async ({ payload }) => {
      await runTodoistSync(ctx, payload);
    },
    onFinalFailure(payload, reason) {
      todoistSyncFailed(ctx, payload, reason);
    },
  };
}
