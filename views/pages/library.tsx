// The library: breadcrumbs, sort and view toggles, the paginated listing, or the empty state.
import type { FolderNode, HeaderInfo, LibraryData } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { Breadcrumbs } from "../partials/breadcrumbs.tsx";
import { LibraryGrid, LibraryList } from "../partials/library-items.tsx";
import { formatTime } from "../partials/modal.tsx";
import { LIVE_EVENT, LivePoller } from "../partials/live.tsx";
import { BulkForm, type BulkNotice } from "../partials/bulk-bar.tsx";

function EmptyState(p: { serverUrl: string }) {
  return (
    <section id="empty-library" class="empty">
      <h2>Your library is empty</h2>
      <p>Connect the reMarkable desktop app on your computer, or upload an export:</p>
      <ol>
        <li>
          On the computer that runs the reMarkable app, run
          <pre>
            <code safe>{`rmirror agent login --server ${p.serverUrl}`}</code>
          </pre>
          and approve the device when this site asks (or enter its code on <a href="/devices">Devices</a>).
        </li>
        <li>
          Then start syncing with <code>rmirror agent</code> (or <code>rmirror agent install</code> to run it at login).
        </li>
        <li>
          Or <a href="/upload">upload</a> a <code>.rmdoc</code> / <code>.zip</code> export.
        </li>
      </ol>
    </section>
  );
}

function Tree(p: { nodes: FolderNode[]; current: string | null; depth: number }): JSX.Element {
  if (!p.nodes.length || p.depth > 12) return "";
  return (
    <ul>
      {p.nodes.map((n) => (
        <li>
          <a href={`/folders/${n.uuid}`} aria-current={p.current === n.uuid ? "page" : undefined} safe>
            {n.name}
          </a>
          <Tree nodes={n.children} current={p.current} depth={p.depth + 1} />
        </li>
      ))}
    </ul>
  );
}

export function LibraryPage(p: { header: HeaderInfo; data: LibraryData; serverUrl: string; staleSync?: { lastInSyncAt: string | null } | null; live: string; ocrActive: boolean; bulk: BulkNotice | null }): string {
  const d = p.data;
  const base = d.folder ? `/folders/${d.folder.uuid}` : "/";
  const link = (o: { sort?: string; view?: string; page?: number }) =>
    `${base}?${new URLSearchParams({ sort: o.sort ?? d.sort, view: o.view ?? d.view, ...(o.page && o.page > 1 ? { page: String(o.page) } : {}) })}`;
  return render(
    <Layout title={d.folder?.name ?? "Library"} header={p.header} active="library">
      {p.staleSync ? (
        <p id="sync-stale" class="card over err" role="alert">
          <span safe>{`No computer has synced with rmirror for over a day${p.staleSync.lastInSyncAt ? ` (last caught up ${formatTime(p.staleSync.lastInSyncAt)})` : ""}: new notes are not arriving. `}</span>
          <a href="/devices">Check your computers on Devices</a>
        </p>
      ) : (
        ""
      )}
      <Breadcrumbs crumbs={d.crumbs} trash={d.inTrash} />
      {d.tree.length ? (
        <nav id="folder-tree" aria-label="Folders" class="tree">
          <details open={d.folder !== null ? true : undefined}>
            <summary>Folders</summary>
            <Tree nodes={d.tree} current={d.folder?.uuid ?? null} depth={0} />
          </details>
        </nav>
      ) : (
        ""
      )}
      <p class="trash-link">
        <a href="/trash" id="trash-link" data-trash-count={String(d.trashCount)}>
          <span>{d.trashCount ? `Trash (${d.trashCount})` : "Trash"}</span>
        </a>
      </p>
      <h1 safe>{d.folder?.name ?? "Library"}</h1>
      {d.inTrash ? (
        <p id="removed-notice" class="notice" role="status" data-trash-state="trash">
          In your tablet's trash. To keep it, restore it on your tablet; it comes back here at the next sync. <a href="/trash">Trash</a>
        </p>
      ) : (
        ""
      )}
      <LivePoller version={p.live} />
      {/* Reloaded in place when a document syncs or its pages render (GET /live); public/app.js keeps the selection. */}
      <div id="library-live" hx-get={link({ page: d.page })} hx-trigger={`${LIVE_EVENT} from:body`} hx-select="#library-live" hx-swap="outerHTML" hx-disinherit="*">
      {d.empty ? (
        <EmptyState serverUrl={p.serverUrl} />
      ) : (
        <>
          <div class="toolbar">
            <span>Sort:</span>
            {(["modified", "opened", "name"] as const).map((s) => (
              <a href={link({ sort: s })} aria-current={d.sort === s ? "true" : undefined} data-sort={s}>
                {s}
              </a>
            ))}
            <span class="sep">View:</span>
            <a href={link({ view: "grid" })} aria-current={d.view === "grid" ? "true" : undefined} data-view="grid">
              grid
            </a>
            <a href={link({ view: "list" })} aria-current={d.view === "list" ? "true" : undefined} data-view="list">
              list
            </a>
            <span class="count" safe>{`${d.total} item${d.total === 1 ? "" : "s"}`}</span>
          </div>
          <BulkForm csrf={p.header.csrf} back={link({ page: d.page })} ocrActive={p.ocrActive} notice={p.bulk}>
            <section id="library" data-view={d.view} aria-label="Documents">
              {d.items.length === 0 ? <p>This folder is empty.</p> : d.view === "grid" ? <LibraryGrid items={d.items} /> : <LibraryList items={d.items} />}
            </section>
          </BulkForm>
          {d.pages > 1 ? (
            <nav aria-label="Pagination" class="pager">
              {d.page > 1 ? (
                <a rel="prev" href={link({ page: d.page - 1 })}>
                  ← Previous
                </a>
              ) : (
                ""
              )}
              <span safe>{`Page ${d.page} of ${d.pages}`}</span>
              {d.page < d.pages ? (
                <a rel="next" href={link({ page: d.page + 1 })}>
                  Next →
                </a>
              ) : (
                ""
              )}
            </nav>
          ) : (
            ""
          )}
        </>
      )}
      </div>
    </Layout>
  );
}
