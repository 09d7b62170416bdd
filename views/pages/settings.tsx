// Settings: change password; for admins the user list, adding users and quota limits; and a
// reserved "Integrations" section (Notion) that links to its own page.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";

export interface AdminUser {
  id: number;
  email: string;
  isAdmin: boolean;
  used: number;
  limit: number | null;
  ownLimit: boolean;
}

export interface SettingsProps {
  header: HeaderInfo;
  message?: string | undefined;
  error?: string | undefined;
  hasPassword: boolean;
  /** The user's OCR vocabulary hint and its bound. */
  ocr: { vocabulary: string; maxChars: number };
  /** tailscale: one line about Tailscale sign-in and tailscaled's whois (null outside Tailscale mode). */
  admin: { users: AdminUser[]; globalLimit: string; tailscale?: string | null; prices?: { text: string; custom: boolean; takenOn: string } } | null;
}

function Csrf(p: { token: string }) {
  return <input type="hidden" name="csrf" value={p.token} />;
}

export function SettingsPage(p: SettingsProps): string {
  const csrf = p.header.csrf;
  return render(
    <Layout title="Settings" header={p.header} active="settings">
      <h1>Settings</h1>
      {p.message ? (
        <p id="settings-message" class="card ok" role="status" safe>
          {p.message}
        </p>
      ) : (
        ""
      )}
      {p.error ? (
        <p id="settings-error" class="card over err" role="alert" safe>
          {p.error}
        </p>
      ) : (
        ""
      )}
      <section aria-labelledby="account-h">
        <h2 id="account-h">Account</h2>
        <p safe>{`Signed in as ${p.header.email}${p.header.isAdmin ? " (administrator)" : ""}.`}</p>
        <form id="password-form" method="post" action="/settings/password" class="stack">
          <Csrf token={csrf} />
          {p.hasPassword ? (
            <label>
              Current password <input type="password" name="current" autocomplete="current-password" required />
            </label>
          ) : (
            ""
          )}
          <label>
            New password (8+ characters) <input type="password" name="password" autocomplete="new-password" minlength="8" required />
          </label>
          <label>
            <input type="checkbox" name="revoke_devices" value="1" /> Also revoke every device token (agents must pair again)
          </label>
          <button type="submit">Change password</button>
          <p class="muted">Changing the password signs out every other session.</p>
        </form>
      </section>
      <section id="ocr" aria-labelledby="ocr-h">
        <h2 id="ocr-h">Handwriting recognition</h2>
        <form id="ocr-vocabulary-form" method="post" action="/settings/ocr" class="stack">
          <Csrf token={csrf} />
          <label>
            <span safe>{`Vocabulary hint: names, jargon and abbreviations you write (one per line or comma-separated, at most ${p.ocr.maxChars} characters)`}</span>
            <textarea name="vocabulary" rows="4" maxlength={String(p.ocr.maxChars)} safe>
              {p.ocr.vocabulary}
            </textarea>
          </label>
          <button type="submit">Save hint</button>
          <p class="muted">
            Sent with each page to the OCR engine, with the notebook's name and the end of the previous page. A new hint applies to pages read from now on; pages read already keep their text
            until they change or you re-read them (document page, “Re-read”).
          </p>
        </form>
      </section>
      <section id="integrations" aria-labelledby="integrations-h">
        <h2 id="integrations-h">Integrations</h2>
        <p>
          <a href="/settings/notion">Notion</a> — mirror notebooks into a Notion database.
        </p>
        <p>
          <a href="/settings/todoist">Todoist</a> — checkboxes from your pages as Todoist tasks.
        </p>
        <p>
          <a href="/settings/webhooks">Webhooks</a> — signed HTTP requests to your automations (n8n, Home Assistant, …) when notebooks, page text or to-dos change.
        </p>
      </section>
      {p.admin ? (
        <section id="admin" aria-labelledby="admin-h">
          <h2 id="admin-h">Administration</h2>
          {p.admin.tailscale ? (
            <p id="tailscale-status" class="muted" safe>
              {p.admin.tailscale}
            </p>
          ) : (
            ""
          )}
          <form id="global-quota-form" method="post" action="/settings/quota" class="inline">
            <Csrf token={csrf} />
            <label>
              Default monthly OCR pages (number, “unlimited” or “default”) <input name="limit" value={p.admin.globalLimit} required />
            </label>
            <button type="submit">Save</button>
          </form>
          <table id="users" class="list">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">OCR this month</th>
                <th scope="col">Monthly limit</th>
              </tr>
            </thead>
            <tbody>
              {p.admin.users.map((u) => (
                <tr data-user-id={String(u.id)}>
                  <td safe>{u.email}</td>
                  <td>{u.isAdmin ? "admin" : "user"}</td>
                  <td>{u.used}</td>
                  <td>
                    <form method="post" action={`/settings/users/${u.id}/quota`} class="inline">
                      <Csrf token={csrf} />
                      <label>
                        <span class="visually-hidden" safe>{`Limit for ${u.email}`}</span>
                        <input name="limit" size="9" value={u.ownLimit ? (u.limit === null ? "unlimited" : String(u.limit)) : "default"} />
                      </label>
                      <button type="submit">Set</button>
                      <span class="muted" safe>{u.limit === null ? "(unlimited)" : `(${u.limit})`}</span>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {p.admin.prices ? (
            <form id="ocr-prices" method="post" action="/settings/ocr-prices" class="stack">
              <Csrf token={csrf} />
              <h3>OCR prices (for the cost estimate)</h3>
              <label>
                <span safe>{`One line per model: engine model input-USD output-USD, per million tokens. ${p.admin.prices.custom ? "Your own table." : `The defaults: list prices as of ${p.admin.prices.takenOn}.`} Empty restores the defaults.`}</span>
                <textarea name="prices" rows="7" maxlength="20000" spellcheck="false" safe>
                  {p.admin.prices.text}
                </textarea>
              </label>
              <button type="submit">Save prices</button>
            </form>
          ) : (
            ""
          )}
          <h3>Add a user</h3>
          <form id="add-user-form" method="post" action="/settings/users" class="stack">
            <Csrf token={csrf} />
            <label>
              Email <input type="email" name="email" required />
            </label>
            <label>
              Password (8+ characters) <input type="password" name="password" minlength="8" autocomplete="new-password" required />
            </label>
            <label class="check">
              <input type="checkbox" name="admin" value="1" /> Administrator
            </label>
            <button type="submit">Add user</button>
          </form>
        </section>
      ) : (
        ""
      )}
    </Layout>
  );
}
