import type { Database } from "bun:sqlite";

export function settingsRepo(db: Database) {
  const get = db.prepare<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?");
  const insertIgnore = db.prepare<unknown, [string, string]>("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)");
  return {
    settingByKey: (key: string): string | null => get.get(key)?.value ?? null,
    /** Insert unless present; returns the stored value (first writer wins). */
    ensureSetting(key: string, value: string): string {
      insertIgnore.run(key, value);
      return get.get(key)!.value;
    },
  };
}
