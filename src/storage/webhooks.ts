// Webhook endpoints, the fan-out cursor per user (how far the change feed was turned into
// events) and deliveries. Every read from the API is scoped by user.
import type { Database } from "bun:sqlite";

export interface WebhookEndpointRow {
  id: number;
  user_id: number;
  url: string;
  secret: string;
  /** Comma-separated event types. */
  events: string;
  description: string;
  enabled: number;
  created_at: number;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface WebhookDeliveryRow {
  id: number;
  endpoint_id: number;
  user_id: number;
  event_id: string;
  event_type: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

export function webhooksRepo(db: Database) {
  const insertEp = db.prepare<WebhookEndpointRow, Record<string, string | number>>(
    `INSERT INTO webhook_endpoints (user_id, url, secret, events, description, enabled, created_at)
     VALUES ($user_id, $url, $secret, $events, $description, 1, $now) RETURNING *`,
  );
  const epById = db.prepare<WebhookEndpointRow, [number, number]>("SELECT * FROM webhook_endpoints WHERE id = ? AND user_id = ?");
  const epByIdAny = db.prepare<WebhookEndpointRow, [number]>("SELECT * FROM webhook_endpoints WHERE id = ?");
  const epsByUser = db.prepare<WebhookEndpointRow, [number]>("SELECT * FROM webhook_endpoints WHERE user_id = ? ORDER BY id");
  const delEp = db.prepare<unknown, [number, number]>("DELETE FROM webhook_endpoints WHERE id = ? AND user_id = ?");
  const cursor = db.prepare<{ seq: number }, [number]>("SELECT seq FROM webhook_cursors WHERE user_id = ?");
  const setCursor = db.prepare<unknown, [number, number]>(
    "INSERT INTO webhook_cursors (user_id, seq) VALUES (?1, ?2) ON CONFLICT (user_id) DO UPDATE SET seq = excluded.seq",
  );
  const delCursor = db.prepare<unknown, [number]>("DELETE FROM webhook_cursors WHERE user_id = ?");
  const insertDelivery = db.prepare<WebhookDeliveryRow, Record<string, string | number>>(
    `INSERT INTO webhook_deliveries (endpoint_id, user_id, event_id, event_type, payload, status, created_at, updated_at)
     VALUES ($endpoint_id, $user_id, $event_id, $event_type, $payload, 'pending', $now, $now)
     ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING *`,
  );
  const deliveryById = db.prepare<WebhookDeliveryRow, [number]>("SELECT * FROM webhook_deliveries WHERE id = ?");
  const deliveryOfUser = db.prepare<WebhookDeliveryRow, [number, number]>("SELECT * FROM webhook_deliveries WHERE id = ? AND user_id = ?");
  const deliveries = db.prepare<WebhookDeliveryRow, [number, number, number]>(
    "SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
  );
  const attempt = db.prepare<unknown, Record<string, string | number | null>>(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $last_status, last_error = $last_error, updated_at = $now,
       status = $status, delivered_at = CASE WHEN $status = 'delivered' THEN $now ELSE delivered_at END
     WHERE id = $id`,
  );
  const setStatus = db.prepare<unknown, [string, string | null, number, number]>(
    "UPDATE webhook_deliveries SET status = ?, last_error = coalesce(?, last_error), updated_at = ? WHERE id = ?",
  );
  const resetForRedeliver = db.prepare<unknown, [number, number]>("UPDATE webhook_deliveries SET status = 'pending', attempts = 0, updated_at = ? WHERE id = ?");
  const pruneDeliveries = db.prepare<unknown, [number, number]>(
    `DELETE FROM webhook_deliveries WHERE endpoint_id = ?1 AND status <> 'pending' AND id < coalesce(
       (SELECT id FROM webhook_deliveries WHERE endpoint_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2), 0)`,
  );
  return {
    insertWebhookEndpoint: (p: { userId: number; url: string; secret: string; events: string[]; description: string }) =>
      insertEp.get({ user_id: p.userId, url: p.url, secret: p.secret, events: p.events.join(","), description: p.description, now: Date.now() })!,
    webhookEndpoint: (userId: number, id: number) => epById.get(id, userId) ?? null,
    webhookEndpointById: (id: number) => epByIdAny.get(id) ?? null,
    webhookEndpoints: (userId: number) => epsByUser.all(userId),
    deleteWebhookEndpoint: (userId: number, id: number) => delEp.run(id, userId).changes === 1,
    webhookCursor: (userId: number): number | null => cursor.get(userId)?.seq ?? null,
    setWebhookCursor: (userId: number, seq: number) => setCursor.run(userId, seq),
    deleteWebhookCursor: (userId: number) => delCursor.run(userId),
    /** A delivery of one event to one endpoint; null when it exists already (the fan-out ran twice). */
    insertWebhookDelivery: (p: { endpointId: number; userId: number; eventId: string; eventType: string; payload: string }) =>
      insertDelivery.get({ endpoint_id: p.endpointId, user_id: p.userId, event_id: p.eventId, event_type: p.eventType, payload: p.payload, now: Date.now() }) ?? null,
    webhookDelivery: (id: number) => deliveryById.get(id) ?? null,
    webhookDeliveryOfUser: (userId: number, id: number) => deliveryOfUser.get(id, userId) ?? null,
    webhookDeliveries: (userId: number, endpointId: number, limit: number) => deliveries.all(endpointId, userId, limit),
    recordWebhookAttempt: (id: number, r: { status: DeliveryStatus; httpStatus: number | null; error: string | null }) =>
      attempt.run({ id, status: r.status, last_status: r.httpStatus, last_error: r.error, now: Date.now() }),
    setWebhookDeliveryStatus: (id: number, status: DeliveryStatus, error: string | null = null) => setStatus.run(status, error, Date.now(), id),
    resetWebhookDelivery: (id: number) => resetForRedeliver.run(Date.now(), id),
    /** Keep the newest `keep` deliveries of an endpoint (and every pending one). */
    pruneWebhookDeliveries: (endpointId: number, keep: number) => pruneDeliveries.run(endpointId, keep).changes,
  };
}
