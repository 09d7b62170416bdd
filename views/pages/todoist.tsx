// Settings → Integrations → Todoist: paste an API token, choose the project, see what was pushed
// and the last problem, push now, disconnect. A pure function of its props; plain forms with the
// `csrf` field (post-redirect-get).
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import type { TodoistStatusView } from "../../src/services/todoist/todoist.ts";
import { Layout, render } from "../layouts/layout.tsx";

export interface TodoistPageProps {
  header: HeaderInfo;
  status: TodoistStatusView;
  message?: string | undefined;
  error?: string | undefined;
}

function Csrf(p: { token: string }) {
  return <input type="hidden" name="csrf" value={p.token} />;
}

const STATUS: Record<string, string> = { ready: "Connected", needs_project: "Choose a project", error: "Needs attention", revoked: "Token refused" };

export function TodoistPage(p: TodoistPageProps): string {
  const csrf = p.header.csrf;
  const s = p.status;
  return render(
    <Layout title="Todoist" header={p.header} active="settings">
      <h1>Todoist</h1>
      {p.message ? (
        <p id="todoist-message" class="card ok" role="status" safe>
          {p.message}
        </p>
      ) : (
        ""
      )}
      {p.error ? (
        <p id="todoist-error" class="card over err" role="alert" safe>
          {p.error}
        </p>
      ) : (
        ""
      )}
      {!s.connected || s.status === "revoked" ? (
        <section aria-labelledby="todoist-connect-h">
          <h2 id="todoist-connect-h">Connect</h2>
          <p>Checkboxes you write or type on the tablet become tasks in a Todoist project: ticked on the tablet, completed in Todoist; erased on the tablet, removed from Todoist. Never duplicated.</p>
          <form id="todoist-token-form" method="post" action="/settings/todoist/token" class="stack">
            <Csrf token={csrf} />
            <label>
              API token (Todoist → Settings → Integrations → Developer)
              <input type="password" name="token" required minlength="8" maxlength="200" autocomplete="off" />
            </label>
            <button type="submit">Connect Todoist</button>
          </form>
        </section>
      ) : (
        ""
      )}
      {s.connected ? (
        <section aria-labelledby="todoist-state-h">
          <h2 id="todoist-state-h">Status</h2>
          <dl class="kv">
            <dt>State</dt>
            <dd id="todoist-status" safe>
              {STATUS[s.status ?? ""] ?? s.status ?? ""}
            </dd>
            <dt>Project</dt>
            <dd id="todoist-project" safe>
              {s.project?.name ?? "not chosen yet"}
            </dd>
            <dt>To-dos in Todoist</dt>
            <dd id="todoist-tasks">{s.tasks}</dd>
            <dt>Last push</dt>
            <dd safe>{s.syncedAt ?? "not yet"}</dd>
          </dl>
          {s.lastError ? (
            <p id="todoist-last-error" class="card over err" safe>
              {s.lastError}
            </p>
          ) : (
            ""
          )}
          {s.projects && s.projects.length ? (
            <form id="todoist-project-form" method="post" action="/settings/todoist/project" class="stack">
              <Csrf token={csrf} />
              <label>
                Project for to-dos
                <select name="project">
                  {s.projects.map((pr) => (
                    <option value={pr.id} selected={pr.id === s.project?.id} safe>
                      {pr.name}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit">{s.project ? "Move new to-dos here" : "Start"}</button>
            </form>
          ) : (
            ""
          )}
          {s.status === "ready" || s.status === "error" ? (
            <form id="todoist-sync-form" method="post" action="/settings/todoist/sync">
              <Csrf token={csrf} />
              <button type="submit">Push to-dos now</button>
            </form>
          ) : (
            ""
          )}
          <form id="todoist-disconnect-form" method="post" action="/settings/todoist/disconnect">
            <Csrf token={csrf} />
            <button type="submit" class="secondary">
              Disconnect (tasks stay in Todoist)
            </button>
          </form>
        </section>
      ) : (
        ""
      )}
    </Layout>,
  );
}
