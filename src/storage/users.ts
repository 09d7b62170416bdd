import type { Database } from "bun:sqlite";

export interface UserRow {
  id: number;
  email: string;
  password_hash: string | null;
  is_admin: number;
  provisioned_by: string;
  created_at: number;
}

export function usersRepo(db: Database) {
  const byId = db.prepare<UserRow, [number]>("SELECT * FROM users WHERE id = ?");
  const byEmail = db.prepare<UserRow, [string]>("SELECT * FROM users WHERE email = ?");
  const all = db.prepare<UserRow, []>("SELECT * FROM users ORDER BY id");
  const count = db.prepare<{ n: number }, []>("SELECT count(*) AS n FROM users");
  const insert = db.prepare<UserRow, { email: string; password_hash: string | null; is_admin: number; provisioned_by: string; created_at: number }>(
    "INSERT INTO users (email, password_hash, is_admin, provisioned_by, created_at) VALUES ($email, $password_hash, $is_admin, $provisioned_by, $created_at) RETURNING *",
  );
  const setPassword = db.prepare<unknown, [string, number]>("UPDATE users SET password_hash = ? WHERE id = ?");
  return {
    userById: (id: number) => byId.get(id),
    userByEmail: (email: string) => byEmail.get(email),
    listUsers: () => all.all(),
    countUsers: () => count.get()!.n,
    insertUser: (u: { email: string; passwordHash: string | null; isAdmin: boolean; provisionedBy?: string }) =>
      insert.get({ email: u.email, password_hash: u.passwordHash, is_admin: u.isAdmin ? 1 : 0, provisioned_by: u.provisionedBy ?? "local", created_at: Date.now() })!,
    setUserPassword: (id: number, hash: string) => setPassword.run(hash, id).changes === 1,
  };
}
