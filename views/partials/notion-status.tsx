// The document page's Notion panel (in #integrations-slot): this notebook's sync state, when it
// was last synced, the last error, a link to its Notion page, and "Sync now" / "Resync" buttons.
// The buttons post (htmx, X-CSRF-Token from <body hx-headers>) to the Notion API routes and swap
// nothing; the panel reloads itself after either request (and polls while a sync is queued).
import { NotionErrorText } from "./notion-error.tsx";
import type { NotebookSyncState, NotionPanelData } from "../../src/services/notion/notion.ts";
import { formatTime } from "./modal.tsx";

export const NOTION_STATE_LABEL: Record<NotebookSyncState, string> = {
  synced: "synced",
  queued: "sync queued…",
  pending: "partly synced (content pending)",
  failed: "sync failed",
  deferred: "deferred",
  never: "not synced yet",
};

/** Nothing connected: one line pointing to the settings. */
export function NotionConnectHint() {
  return (
    <p id="notion-sync" class="muted" data-notion-state="none">
      Mirror this notebook into Notion: <a href="/settings/notion">Connect Notion</a>
    </p>
  );
}

export function NotionPanel(p: { data: NotionPanelData | null }) {
  const d = p.data;
  if (!d) return <NotionConnectHint />;
  // Reload after a button's request (and every 2 s while a sync is queued); no buttons, no reload.
  const reload = d.ready ? { "hx-get": `/documents/${d.uuid}/notion`, "hx-trigger": `htmx:afterRequest from:#notion-actions${d.busy ? ", every 2s" : ""}`, "hx-swap": "outerHTML" } : {};
  return (
    <section
      id="notion-sync"
      class="card notion-panel"
      aria-labelledby="notion-sync-h"
      data-notion-state={d.state}
      data-polling={d.busy ? "1" : "0"}
      {...reload}
    >
      <h2 id="notion-sync-h">Notion</h2>
      {d.connectionProblem ? (
        <p class="err" data-notion-connection="problem">
          <NotionErrorText raw={d.connectionProblem} /> <a href="/settings/notion">Notion settings</a>
        </p>
      ) : (
        ""
      )}
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <span class={`badge notion-${d.state}`} data-status={d.state} safe>
            {NOTION_STATE_LABEL[d.state]}
          </span>
        </dd>
        <dt>Last synced</dt>
        <dd data-notion-synced-at={d.syncedAt === null ? "" : String(d.syncedAt)} safe>
          {d.syncedAt === null ? "never" : formatTime(d.syncedAt)}
        </dd>
        {d.error ? (
          <>
            <dt>{d.state === "deferred" ? "Why" : "Last error"}</dt>
            <dd class={d.state === "deferred" ? "" : "err"} data-notion-error>
              <NotionErrorText raw={d.error} />
            </dd>
          </>
        ) : (
          ""
        )}
        {d.notionUrl ? (
          <>
            <dt>In Notion</dt>
            <dd>
              <a href={d.notionUrl} rel="noopener noreferrer" target="_blank" data-notion-link>
                Open the Notion page
              </a>
            </dd>
          </>
        ) : (
          ""
        )}
      </dl>
      {d.ready ? (
        <p id="notion-actions" class="actions">
          <button type="button" data-action="notion-sync-now" hx-post="/api/v1/notion/sync" hx-swap="none" title="Sync every changed notebook now">
            Sync now
          </button>{" "}
          <button
            type="button"
            data-action="notion-resync"
            hx-post={`/api/v1/notion/documents/${d.uuid}/sync`}
            hx-swap="none"
            title="Rebuild this notebook's Notion page from scratch"
          >
            Resync
          </button>
        </p>
      ) : (
        ""
      )}
    </section>
  );
}
