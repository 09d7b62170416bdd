// The library listing: folders and documents as a thumbnail grid or a list.
import type { LibraryItem } from "../../src/services/library/dashboard.ts";
import { FolderIcon } from "./icons.tsx";
import { formatDate } from "./modal.tsx";

function Thumb(p: { item: LibraryItem }) {
  const fp = p.item.firstPage;
  if (fp?.thumb) return <img src={fp.thumb} alt="" loading="lazy" decoding="async" width="156" height="208" />;
  return (
    <span class="thumb-placeholder" aria-hidden="true">
      {fp ? "…" : "∅"}
    </span>
  );
}

function Tags(p: { tags: string[] }) {
  if (!p.tags.length) return "";
  return (
    <ul class="tags" aria-label="Tags">
      {p.tags.map((t) => (
        <li class="tag" safe>
          {t}
        </li>
      ))}
    </ul>
  );
}

export function LibraryGrid(p: { items: LibraryItem[] }) {
  return (
    <ul class="grid">
      {p.items.map((it) =>
        it.kind === "folder" ? (
          <li class="folder-card" data-doc-uuid={it.uuid}>
            <a href={`/folders/${it.uuid}`}>
              <span class="folder-icon" aria-hidden="true">
                <FolderIcon />
              </span>
              <span class="name" safe>
                {it.name}
              </span>
            </a>
          </li>
        ) : (
          <li class={`doc-card${it.pinned ? " pinned" : ""}`} data-doc-uuid={it.uuid}>
            <a href={`/documents/${it.uuid}`}>
              <Thumb item={it} />
              <span class="name" safe>
                {it.name}
              </span>
            </a>
            <span class="meta" safe>
              {`${it.pinned ? "★ " : ""}${it.pageCount} page${it.pageCount === 1 ? "" : "s"} · ${formatDate(it.lastModified)}`}
            </span>
            <Tags tags={it.tags} />
          </li>
        ),
      )}
    </ul>
  );
}

export function LibraryList(p: { items: LibraryItem[] }) {
  return (
    <table class="list">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Pages</th>
          <th scope="col">Modified</th>
          <th scope="col">Opened</th>
          <th scope="col">Tags</th>
        </tr>
      </thead>
      <tbody>
        {p.items.map((it) => (
          <tr class={it.kind === "folder" ? "folder-card" : `doc-card${it.pinned ? " pinned" : ""}`} data-doc-uuid={it.uuid}>
            <td>
              <a href={it.kind === "folder" ? `/folders/${it.uuid}` : `/documents/${it.uuid}`}>
                {it.kind === "folder" ? (
                  <>
                    <FolderIcon />{" "}
                  </>
                ) : it.pinned ? (
                  "★ "
                ) : (
                  ""
                )}
                <span safe>{it.name}</span>
              </a>
            </td>
            <td>{it.kind === "folder" ? "" : it.pageCount}</td>
            <td safe>{formatDate(it.lastModified)}</td>
            <td safe>{formatDate(it.lastOpened)}</td>
            <td>
              <Tags tags={it.tags} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
