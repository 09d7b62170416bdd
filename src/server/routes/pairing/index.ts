import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authPlugin, resolveAuth, signedIn } from "../../auth/plugin.ts";
import { AppError } from "../../errors.ts";
import { formBody, jsonBody } from "../../body.ts";
import { peerIp } from "../../http.ts";
import { decidePairing, showPairing } from "./decide-pairing.ts";
import { pairPage, pairSubmit } from "./pair-page.ts";
import { pollPairing } from "./poll-pairing.ts";
import { startPairing } from "./start-pairing.ts";
import { mintInstallCode, redeemInstallCode } from "../../../services/accounts/install-codes.ts";

export const pairingRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:pairing" })
    .use(authPlugin(ctx))
    .post("/api/v1/pairing", ({ body, request, server }) => startPairing(ctx, body, peerIp(request, server) ?? "in-process"), {
      parse: jsonBody(ctx),
      body: t.Object({ deviceName: t.String({ maxLength: 200 }) }),
      detail: { tags: ["devices"], summary: "Start pairing an agent (unauthenticated; rate limited)" },
    })
    .post("/api/v1/pairing/poll", ({ body }) => pollPairing(ctx, body), {
      parse: jsonBody(ctx),
      body: t.Object({ code: t.String({ maxLength: 20 }), secret: t.String({ maxLength: 200 }) }),
      detail: { tags: ["devices"], summary: "Agent polls; receives its device token once approved" },
    })
    .post("/api/v1/install-codes", ({ auth }) => Response.json(mintInstallCode(ctx, auth.user.id), { status: 201 }), {
      auth: true,
      detail: { tags: ["devices"], summary: "Mint a one-time install code (15 minutes, single use) for the one-line installer" },
    })
    .post("/api/v1/install-codes/redeem", ({ body, request, server }) => redeemInstallCode(ctx, body.code, body.deviceName, peerIp(request, server) ?? "in-process"), {
      parse: jsonBody(ctx),
      body: t.Object({ code: t.String({ maxLength: 100 }), deviceName: t.String({ maxLength: 200 }) }),
      detail: { tags: ["devices"], summary: "The installer's agent exchanges an install code for its device token (unauthenticated; rate limited)" },
    })
    .get("/api/v1/pairing/:code", ({ auth, params }) => showPairing(ctx, auth, params.code), { auth: true, detail: { tags: ["devices"], summary: "Show a pairing request" } })
    .post("/api/v1/pairing/:code/approve", ({ auth, params }) => decidePairing(ctx, auth, params.code, true), {
      auth: true,
      detail: { tags: ["devices"], summary: "Approve a pairing request" },
    })
    .post("/api/v1/pairing/:code/deny", ({ auth, params }) => decidePairing(ctx, auth, params.code, false), {
      auth: true,
      detail: { tags: ["devices"], summary: "Deny a pairing request" },
    })
    .get("/pair", async ({ request, server, query }) => pairPage(ctx, await resolveAuth(ctx, request, server), query.code), { detail: { hide: true } })
    .post(
      "/pair",
      async ({ request, server, body }) => {
        const form = (body ?? {}) as Record<string, unknown>;
        const auth = await resolveAuth(ctx, request, server, typeof form.csrf === "string" ? form.csrf : null);
        if (!auth) throw new AppError("unauthorized");
        return pairSubmit(ctx, auth, form);
      },
      { parse: formBody(signedIn(ctx)), detail: { hide: true } },
    );
