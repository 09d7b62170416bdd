// Webhook jobs: the fan-out (change feed → deliveries, one user at a time; queued by a trigger on
// the change feed) and one delivery (an HTTP POST signed per Standard Webhooks).
import type { AppContext } from "../../services/context.ts";
import { deliver, deliveryFailed, fanOut, WEBHOOK_DELIVERY, WEBHOOK_FANOUT } from "../../services/integrations/webhooks.ts";
import type { Worker } from "../runner.ts";

function positive(p: unknown, key: string): number {
  const v = (p as Record<string, unknown> | null)?.[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) throw new Error(`payload needs a positive integer ${key}`);
  return v;
}

export function webhookFanoutWorker(ctx: AppContext): Worker<{ userId: number }> {
  return {
    kind: WEBHOOK_FANOUT,
    concurrency: 1,
    parse: (p) => ({ userId: positive(p, "userId") }),
    run: async ({ payload }) => fanOut(ctx, payload.userId),
  };
}

export function webhookDeliveryWorker(ctx: AppContext): Worker<{ deliveryId: number }> {
  return {
    kind: WEBHOOK_DELIVERY,
    concurrency: 4,
    parse: (p) => ({ deliveryId: positive(p, "deliveryId") }),
    run: ({ payload, signal }) => deliver(ctx, payload.deliveryId, signal),
    onFinalFailure: (payload, reason) => deliveryFailed(ctx, payload.deliveryId, reason),
  };
}
