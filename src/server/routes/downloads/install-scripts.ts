import type { AppContext } from "../../../services/context.ts";
import { limitDownloads } from "../../../services/agent/downloads.ts";
import { installPs1, installSh, validInstallCode } from "../../../services/agent/install-script.ts";
import { agentServerUrl } from "../../../services/library/dashboard.ts";
import { AppError } from "../../errors.ts";

/** GET /install.sh|/install.ps1[?code=rmi_…] — the one-line installer for this server (no login; rate limited). */
export function installScript(ctx: AppContext, request: Request, ip: string, kind: "sh" | "ps1", code: string | undefined): Response {
  limitDownloads(ctx, ip);
  const valid = validInstallCode(code);
  if (code && !valid) throw new AppError("install_code_invalid", "That is not an install code: copy the whole command from the Devices page (Connect a computer).");
  const server = agentServerUrl(ctx, request);
  const body = kind === "sh" ? installSh(server, valid) : installPs1(server, valid);
  return new Response(body, {
    headers: {
      "content-type": kind === "sh" ? "text/x-shellscript; charset=utf-8" : "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
