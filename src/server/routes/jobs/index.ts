import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin } from "../../auth/plugin.ts";
import { getJob, retryJob } from "./get-job.ts";
import { listJobs } from "./list-jobs.ts";

export const jobRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:jobs", prefix: "/api/v1/jobs" })
    .use(authPlugin(ctx))
    .get("/", ({ auth, query }) => listJobs(ctx, auth, query), { auth: true, detail: { tags: ["jobs"], summary: "Job status: counts and recent jobs" } })
    .get("/:id", ({ auth, params }) => getJob(ctx, auth, params.id), { auth: true, detail: { tags: ["jobs"], summary: "One job" } })
    .post("/:id/retry", ({ auth, params }) => retryJob(ctx, auth, params.id), { auth: true, detail: { tags: ["jobs"], summary: "Retry a failed job" } });
