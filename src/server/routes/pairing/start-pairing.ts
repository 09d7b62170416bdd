import type { AppContext } from "../../../services/context.ts";
import { startPairing as start } from "../../../services/accounts/pairing.ts";

/** POST /api/v1/pairing — an agent asks to pair; gets a code, a poll secret and the approval URL. */
export function startPairing(ctx: AppContext, body: { deviceName: string }, ip: string): Response {
  return Response.json(start(ctx, body.deviceName, ip), { status: 201 });
}
