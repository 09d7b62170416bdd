import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { listFolders } from "./list-folders.ts";

export const folderRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:folders", prefix: "/api/v1/folders" })
    .use(authPlugin(ctx))
    .get("/", ({ auth }) => listFolders(ctx, auth), { auth: true, detail: { tags: ["library"], summary: "List folders" } });
