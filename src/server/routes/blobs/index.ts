import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { getBlob } from "./get-blob.ts";
import { putBlob } from "./put-blob.ts";

export const blobRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:blobs", prefix: "/api/v1/blobs" })
    .use(authPlugin(ctx))
    .put("/:sha256", ({ auth, params, request }) => putBlob(ctx, auth, params.sha256, request), {
      auth: true,
      parse: "none",
      detail: { tags: ["sync"], summary: "Upload raw bytes for a sha256 (verified, size-limited while streaming, idempotent)" },
    })
    .get("/:sha256", ({ auth, params }) => getBlob(ctx, auth, params.sha256), { auth: true, detail: { tags: ["sync"], summary: "Download a blob you own" } });
