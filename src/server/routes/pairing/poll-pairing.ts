import type { AppContext } from "../../../services/context.ts";
import { pollPairing as poll } from "../../../services/accounts/pairing.ts";

/** POST /api/v1/pairing/poll — the agent polls; once approved it receives its token (once). */
export function pollPairing(ctx: AppContext, body: { code: string; secret: string }) {
  return poll(ctx, body.code, body.secret);
}
