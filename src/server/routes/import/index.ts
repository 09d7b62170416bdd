import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { importUpload } from "./import-upload.ts";

export const importRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:import", prefix: "/api/v1/import" })
    .use(authPlugin(ctx))
    .post("/", ({ auth, request, query }) => importUpload(ctx, auth, request, query), {
      auth: true,
      parse: "none",
      detail: { tags: ["sync"], summary: "Import a .rmdoc/.zip export (multipart field \"file\" or raw application/zip)" },
    });
