// Notifications shown by the dashboard and the agent (quota thresholds), emailed when SMTP is set.
import type { Database } from "bun:sqlite";

export interface NotificationRow {
  id: number;
  user_id: number;
  kind: string;
  month: string;
  threshold: number;
  message: string;
  data_json: string;
  created_at: number;
  read_at: number | null;
  emailed_at: number | null;
  email_error: string | null;
}

export function notificationsRepo(db: Database) {
  const insert = db.prepare<NotificationRow, Record<string, string | number>>(
    `INSERT INTO notifications (user_id, kind, month, threshold, message, data_json, created_at)
     VALUES ($user_id, $kind, $month, $threshold, $message, $data_json, $now)
     ON CONFLICT (user_id, kind, month, threshold) DO NOTHING RETURNING *`,
  );
  const highest = db.prepare<{ t: number | null }, [number, string, string]>("SELECT max(threshold) AS t FROM notifications WHERE user_id = ? AND kind = ? AND month = ?");
  const byId = db.prepare<NotificationRow, [number]>("SELECT * FROM notifications WHERE id = ?");
  const byUser = db.prepare<NotificationRow, [number, number]>("SELECT * FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?");
  const emailed = db.prepare<unknown, [number, number]>("UPDATE notifications SET emailed_at = ?, email_error = NULL WHERE id = ?");
  const emailError = db.prepare<unknown, [string, number]>("UPDATE notifications SET email_error = ? WHERE id = ?");
  return {
    /** Insert once per (user, kind, month, threshold); null when it already exists. */
    insertNotification: (n: { userId: number; kind: string; month: string; threshold: number; message: string; data: unknown }) =>
      insert.get({ user_id: n.userId, kind: n.kind, month: n.month, threshold: n.threshold, message: n.message, data_json: JSON.stringify(n.data), now: Date.now() }) ?? null,
    /** The highest threshold already notified for (user, kind, month), or null. */
    highestNotifiedThreshold: (userId: number, kind: string, month: string): number | null => highest.get(userId, kind, month)?.t ?? null,
    notificationById: (id: number) => byId.get(id),
    notificationsByUser: (userId: number, limit = 50) => byUser.all(userId, limit),
    markNotificationEmailed: (id: number) => emailed.run(Date.now(), id),
    setNotificationEmailError: (id: number, error: string) => emailError.run(error, id),
  };
}
