// Public downloads (issue 15): the agent executables with their SHA-256, and the install scripts.
import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { peerIp } from "../../http.ts";
import { agentDownload } from "./agent-download.ts";
import { installScript } from "./install-scripts.ts";

export const downloadRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:downloads" }).get("/download/agent/:name", ({ request, server, params }) => agentDownload(ctx, request, peerIp(request, server) ?? "in-process", params.name), {
    detail: {
      tags: ["devices"],
      summary: "Agent executable for a platform (darwin-arm64, darwin-x64, windows-x64, linux-x64, linux-arm64), `<platform>.sha256`, or manifest.json (no login; rate limited; byte ranges)",
    },
  })
  .get("/install.sh", ({ request, server, query }) => installScript(ctx, request, peerIp(request, server) ?? "in-process", "sh", query.code), {
    detail: { tags: ["devices"], summary: "One-line installer for macOS and Linux (curl -fsSL '<server>/install.sh?code=…' | sh)" },
  })
  .get("/install.ps1", ({ request, server, query }) => installScript(ctx, request, peerIp(request, server) ?? "in-process", "ps1", query.code), {
    detail: { tags: ["devices"], summary: "One-line installer for Windows PowerShell (irm '<server>/install.ps1?code=…' | iex)" },
  });
