// Monthly OCR page quota: usage per user per month, per-job reservations, per-user limits and the
// global default (settings key quota.default_pages).
import type { Database } from "bun:sqlite";

export interface ReservationRow {
  job_id: number;
  user_id: number;
  month: string;
  page_id: number;
  created_at: number;
}

export function quotaRepo(db: Database) {
  const used = db.prepare<{ used: number }, [number, string]>("SELECT used FROM quota_usage WHERE user_id = ? AND month = ?");
  const add = db.prepare<{ used: number }, [number, string, number]>(
    `INSERT INTO quota_usage (user_id, month, used) VALUES (?1, ?2, ?3)
     ON CONFLICT (user_id, month) DO UPDATE SET used = max(0, used + ?3) RETURNING used`,
  );
  const reservation = db.prepare<ReservationRow, [number]>("SELECT * FROM quota_reservations WHERE job_id = ?");
  const insertReservation = db.prepare<unknown, [number, number, string, number, number]>(
    "INSERT INTO quota_reservations (job_id, user_id, month, page_id, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const deleteReservation = db.prepare<unknown, [number]>("DELETE FROM quota_reservations WHERE job_id = ?");
  const limit = db.prepare<{ page_limit: number | null }, [number]>("SELECT page_limit FROM quota_limits WHERE user_id = ?");
  const setLimit = db.prepare<unknown, [number, number | null]>(
    "INSERT INTO quota_limits (user_id, page_limit) VALUES (?1, ?2) ON CONFLICT (user_id) DO UPDATE SET page_limit = ?2",
  );
  const clearLimit = db.prepare<unknown, [number]>("DELETE FROM quota_limits WHERE user_id = ?");
  const getSetting = db.prepare<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?");
  const putSetting = db.prepare<unknown, [string, string]>("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2");
  const delSetting = db.prepare<unknown, [string]>("DELETE FROM settings WHERE key = ?");
  return {
    quotaUsed: (userId: number, month: string) => used.get(userId, month)?.used ?? 0,
    /** Add `delta` pages (negative to refund, never below 0); returns the new count. */
    addQuotaUsage: (userId: number, month: string, delta: number) => add.get(userId, month, delta)!.used,
    reservationByJob: (jobId: number) => reservation.get(jobId),
    insertReservation: (jobId: number, userId: number, month: string, pageId: number) => insertReservation.run(jobId, userId, month, pageId, Date.now()),
    deleteReservation: (jobId: number) => deleteReservation.run(jobId).changes === 1,
    /** undefined = no per-user override; null = unlimited. */
    userQuotaLimit: (userId: number): number | null | undefined => {
      const r = limit.get(userId);
      return r ? r.page_limit : undefined;
    },
    setUserQuotaLimit: (userId: number, pages: number | null) => setLimit.run(userId, pages),
    clearUserQuotaLimit: (userId: number) => clearLimit.run(userId),
    settingValue: (key: string) => getSetting.get(key)?.value ?? null,
    putSetting: (key: string, value: string) => putSetting.run(key, value),
    deleteSetting: (key: string) => delSetting.run(key),
  };
}
