// The trash: what the tablet moved to its trash and what it deleted (kept read-only until the
// purge day). No restore here — the tablet is the source of truth.
import type { HeaderInfo, TrashData, TrashItem } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";
import { Breadcrumbs } from "../partials/breadcrumbs.tsx";
import { FolderIcon } from "../partials/icons.tsx";
import { formatDate } from "../partials/modal.tsx";

function Row(p: { it: TrashItem }) {
  const it = p.it;
  return (
    <tr class={it.kind === "folder" ? "folder-card" : "doc-card"} data-doc-uuid={it.uuid} data-trash-state={it.state}>
      <td>
        {it.href ? (
          <a href={it.href}>
            {it.kind === "folder" ? (
              <>
                <FolderIcon />{" "}
              </>
            ) : (
              ""
            )}
            <span safe>{it.name}</span>
          </a>
        ) : (
          <>
            {it.kind === "folder" ? (
              <>
                <FolderIcon />{" "}
              </>
            ) : (
              ""
            )}
            <span safe>{it.name}</span>
          </>
        )}
      </td>
      <td>{it.state === "deleted" ? "Deleted on the tablet" : "In the tablet's trash"}</td>
      <td>{it.kind === "folder" ? "" : it.pageCount}</td>
      <td safe>{formatDate(it.lastModified)}</td>
      <td>
        {it.purgeAt ? (
          <time datetime={it.purgeAt} data-purge-at={it.purgeAt} safe>
            {it.purgeOn ?? formatDate(it.purgeAt)}
          </time>
        ) : (
          <span class="muted">while it stays in the trash</span>
        )}
      </td>
    </tr>
  );
}

export function TrashPage(p: { header: HeaderInfo; data: TrashData }): string {
  const d = p.data;
  const link = (page: number) => (page > 1 ? `/trash?page=${page}` : "/trash");
  return render(
    <Layout title="Trash" header={p.header} active="library">
      <Breadcrumbs crumbs={[]} current="Trash" />
      <h1>Trash</h1>
      <p id="trash-note" class="muted">
        Notebooks and folders in your tablet's trash, and documents deleted on the tablet, stay viewable here (read-only).{" "}
        <span safe>{`Deleted documents are removed from this server ${d.graceDays} day${d.graceDays === 1 ? "" : "s"} after they were deleted.`}</span> There
        is no restore button: the tablet is the source of truth — restore it on your tablet; it comes back here at the next sync.
      </p>
      {d.total === 0 ? (
        <section id="empty-trash" class="empty">
          <p>The trash is empty.</p>
        </section>
      ) : (
        <>
          <div class="toolbar">
            <span class="count" safe>{`${d.total} item${d.total === 1 ? "" : "s"}`}</span>
          </div>
          <section id="trash" aria-label="Trash">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Where</th>
                  <th scope="col">Pages</th>
                  <th scope="col">Modified</th>
                  <th scope="col">Purged after</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((it) => (
                  <Row it={it} />
                ))}
              </tbody>
            </table>
          </section>
          {d.pages > 1 ? (
            <nav aria-label="Pagination" class="pager">
              {d.page > 1 ? (
                <a rel="prev" href={link(d.page - 1)}>
                  ← Previous
                </a>
              ) : (
                ""
              )}
              <span safe>{`Page ${d.page} of ${d.pages}`}</span>
              {d.page < d.pages ? (
                <a rel="next" href={link(d.page + 1)}>
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
    </Layout>
  );
}
