import type { Crumb } from "../../src/services/library/dashboard.ts";

/** Library › (Trash ›) folders › current. `trash`: the item is in the tablet's trash or deleted. */
export function Breadcrumbs(p: { crumbs: Crumb[]; current?: string; trash?: boolean }) {
  return (
    <nav aria-label="Breadcrumb" class="crumbs">
      <ol>
        <li>
          <a href="/">Library</a>
        </li>
        {p.trash ? (
          <li>
            <a href="/trash">Trash</a>
          </li>
        ) : (
          ""
        )}
        {p.crumbs.map((c) => (
          <li>
            <a href={`/folders/${c.uuid}`} safe>
              {c.name}
            </a>
          </li>
        ))}
        {p.current !== undefined ? (
          <li aria-current="page" safe>
            {p.current}
          </li>
        ) : (
          ""
        )}
      </ol>
    </nav>
  );
}
