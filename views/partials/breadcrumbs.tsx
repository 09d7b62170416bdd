import type { Crumb } from "../../src/services/dashboard.ts";

export function Breadcrumbs(p: { crumbs: Crumb[]; current?: string }) {
  return (
    <nav aria-label="Breadcrumb" class="crumbs">
      <ol>
        <li>
          <a href="/">Library</a>
        </li>
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
