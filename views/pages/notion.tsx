// Settings → Integrations → Notion: connect (OAuth or an internal integration token), choose the
// parent page (or adopt a database), see the state and last error, sync now, disconnect.
// A pure function of its props; plain forms with the `csrf` field (post-redirect-get).
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import type { notionStatus } from "../../src/services/notion/notion.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { NotionErrorText } from "../partials/notion-error.tsx";

export interface NotionPageProps {
  header: HeaderInfo;
  status: ReturnType<typeof notionStatus>;
  /** Pages shared with the integration, when a parent is still to be chosen. */
  pages: { id: string; title: string }[] | null;
  message?: string | undefined;
  error?: string | undefined;
}

function Csrf(p: { token: string }) {
  return <input type="hidden" name="csrf" value={p.token} />;
}

function TokenForm(p: { csrf: string }) {
  return (
    <form id="notion-token-form" method="post" action="/settings/notion/token" class="stack">
      <Csrf token={p.csrf} />
      <label>
        Internal integration token (from notion.so/profile/integrations; share a page with the integration first)
        <input type="password" name="token" required minlength="20" maxlength="500" autocomplete="off" />
      </label>
      <button type="submit">Connect with token</button>
    </form>
  );
}

const LABELS: Record<string, string> = { synced: "synced", pending: "waiting", deferred: "deferred (page limit)", failed: "failed", archived: "archived" };

export function NotionPage(p: NotionPageProps): string {
  const csrf = p.header.csrf;
  const c = p.status.connection;
  return render(
    <Layout title="Notion" header={p.header} active="settings">
      <h1>Notion</h1>
      {p.message ? (
        <p id="notion-message" class="card ok" role="status" safe>
          {p.message}
        </p>
      ) : (
        ""
      )}
      {p.error ? (
        <p id="notion-error" class="card over err" role="alert">
          <NotionErrorText raw={p.error} />
        </p>
      ) : (
        ""
      )}
      {!c ? (
        <section aria-labelledby="connect-h">
          <h2 id="connect-h">Connect</h2>
          <p>Every notebook becomes a page in a Notion database, with each reMarkable page's text as a section. Nothing is ever duplicated.</p>
          {p.status.oauthAvailable ? (
            <p>
              <a class="button" id="notion-oauth" href="/notion/oauth/start">
                Connect with Notion
              </a>
            </p>
          ) : (
            ""
          )}
          <TokenForm csrf={csrf} />
        </section>
      ) : (
        <section aria-labelledby="conn-h">
          <h2 id="conn-h">Connection</h2>
          <dl id="notion-connection">
            <dt>Mode</dt>
            <dd>{c.mode === "oauth" ? "Notion OAuth" : "internal integration token"}</dd>
            {c.workspaceName ? (
              <>
                <dt>Workspace</dt>
                <dd safe>{c.workspaceName}</dd>
              </>
            ) : (
              ""
            )}
            <dt>State</dt>
            <dd id="notion-state">{c.status}</dd>
            {c.databaseUrl ? (
              <>
                <dt>Database</dt>
                <dd>
                  <a href={c.databaseUrl} rel="noopener noreferrer" target="_blank">
                    reMarkable
                  </a>
                </dd>
              </>
            ) : (
              ""
            )}
            <dt>Last sync</dt>
            <dd safe>{c.lastSyncAt ?? "never"}</dd>
            <dt>Notebooks</dt>
            <dd safe>
              {Object.entries(p.status.notebooks)
                .map(([k, n]) => `${n} ${LABELS[k] ?? k}`)
                .join(", ") || "none yet"}
            </dd>
          </dl>
          {c.lastError ? (
            <p id="notion-last-error" class="card over err" role="alert">
              <NotionErrorText raw={c.lastError} />
            </p>
          ) : (
            ""
          )}
          {c.status === "needs_parent" ? (
            <form id="notion-parent-form" method="post" action="/settings/notion/parent" class="stack">
              <Csrf token={csrf} />
              <fieldset>
                <legend>Where should the “reMarkable” database live?</legend>
                {(p.pages ?? []).map((pg, i) => (
                  <label>
                    <input type="radio" name="pageId" value={pg.id} checked={i === 0} /> <span safe>{pg.title}</span>
                  </label>
                ))}
                {p.pages && !p.pages.length ? <p>No pages are shared with the integration yet: share a page with it in Notion, then reload.</p> : ""}
              </fieldset>
              <label>
                …or adopt an existing database (id or link) <input name="databaseId" maxlength="300" />
              </label>
              <button type="submit">Use this</button>
            </form>
          ) : (
            ""
          )}
          {c.status === "revoked" ? c.mode === "oauth" && p.status.oauthAvailable ? <a class="button" href="/notion/oauth/start">Reconnect</a> : <TokenForm csrf={csrf} /> : ""}
          <div class="inline">
            {c.status !== "needs_parent" ? (
              <form id="notion-sync-form" method="post" action="/settings/notion/sync">
                <Csrf token={csrf} />
                <button type="submit">Sync now</button>
              </form>
            ) : (
              ""
            )}
            <form id="notion-disconnect-form" method="post" action="/settings/notion/disconnect">
              <Csrf token={csrf} />
              <button type="submit" class="danger">
                Disconnect
              </button>
            </form>
          </div>
        </section>
      )}
    </Layout>,
  );
}
