import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { listTodos } from "./list-todos.ts";

export const todoRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:todos", prefix: "/api/v1/todos" })
    .use(authPlugin(ctx))
    .get("/", ({ auth, query }) => listTodos(ctx, auth, query), { auth: true, detail: { tags: ["library"], summary: "Checkbox items from OCR and typed text" } });
