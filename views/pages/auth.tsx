// Login and first-run setup forms (no session yet: cross-site posts are refused by Origin).
import { BareLayout } from "../layouts/layout.tsx";

function Err(p: { error?: string | undefined }) {
  return p.error ? (
    <p class="err" role="alert" safe>
      {p.error}
    </p>
  ) : (
    ""
  );
}

export function LoginPage(p: { next: string; error?: string | undefined; email?: string | undefined; notice?: string | undefined }): string {
  return BareLayout({
    title: "Log in",
    children: (
      <>
        {p.notice ? (
          <p class="card ok" role="status" safe>
            {p.notice}
          </p>
        ) : (
          ""
        )}
        <Err error={p.error} />
        <form id="login-form" method="post" action="/login" class="stack">
          <input type="hidden" name="next" value={p.next} />
          <label>
            Email <input name="email" type="email" autocomplete="username" required value={p.email ?? ""} />
          </label>
          <label>
            Password <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit">Log in</button>
        </form>
      </>
    ),
  });
}

export function SetupPage(p: { error?: string | undefined; email?: string | undefined; done?: boolean }): string {
  return BareLayout({
    title: "Set up rmirror",
    children: p.done ? (
      <p>
        Setup is complete. <a href="/login">Log in</a>.
      </p>
    ) : (
      <>
        <p>Create the administrator account.</p>
        <Err error={p.error} />
        <form id="setup-form" method="post" action="/setup" class="stack">
          <label>
            Email <input name="email" type="email" autocomplete="username" required value={p.email ?? ""} />
          </label>
          <label>
            Password (8+ characters) <input name="password" type="password" autocomplete="new-password" minlength="8" required />
          </label>
          <button type="submit">Create admin</button>
        </form>
      </>
    ),
  });
}
