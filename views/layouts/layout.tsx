// The dashboard shell: header with navigation, instant search and the quota bar, a skip link,
// landmarks, the modal target (#modal) and the htmx configuration. A pure function of its props.
// Exported for other dashboard pages (e.g. views/pages/notion.tsx):
//   render(<Layout title="Notion" header={header} active="settings">…</Layout>)
import type { PropsWithChildren } from "@kitajs/html";
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import { QuotaBar } from "../partials/quota-bar.tsx";
import { render } from "../render.ts";

export type NavKey = "library" | "search" | "quota" | "devices" | "upload" | "activity" | "settings" | "admin" | "none";

/** htmx 2: swap 402 (quota) and other error fragments into #modal instead of dropping them. */
export const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  historyCacheSize: 0,
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "402", swap: true, error: false, target: "#modal", swapOverride: "innerHTML" },
    { code: "[45]..", swap: true, error: true, target: "#modal", swapOverride: "innerHTML" },
    { code: "...", swap: false },
  ],
});

// render lives in views/render.ts (partials use it too); pages keep importing it from here.
export { render };

export function document(el: JSX.Element): string {
  return "<!doctype html>" + render(el);
}

function Head(p: { title: string }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width,initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <title safe>{`${p.title} · rmirror`}</title>
      <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/static/app.css" />
      <script src="/static/htmx.min.js" defer></script>
      <script src="/static/app.js" defer></script>
    </head>
  );
}

const NAV: [Exclude<NavKey, "none" | "admin">, string, string][] = [
  ["library", "/", "Library"],
  ["search", "/search", "Search"],
  ["quota", "/quota", "Quota"],
  ["devices", "/devices", "Devices"],
  ["upload", "/upload", "Upload"],
  ["activity", "/activity", "Activity"],
  ["settings", "/settings", "Settings"],
];

const SkipLink = () => (
  <a class="skip-link" href="#main">
    Skip to content
  </a>
);
const Brand = () => (
  <a class="brand" href="/">
    rmirror
  </a>
);

export function Layout(p: PropsWithChildren<{ title: string; header: HeaderInfo; active?: NavKey; q?: string }>) {
  const h = p.header;
  return document(
    <html lang="en">
      <Head title={p.title} />
      <body hx-headers={JSON.stringify({ "X-CSRF-Token": h.csrf })}>
        <SkipLink />
        <header class="top">
          <Brand />
          {/* Phones: one compact row (brand, search, this button); the button opens #site-menu (public/app.js). */}
          <button type="button" id="menu-button" class="menu-button" aria-controls="site-menu" aria-expanded="false">
            <span aria-hidden="true">☰</span>
            <span class="visually-hidden">Menu</span>
          </button>
          <div id="site-menu" class="site-menu">
          <nav aria-label="Main">
            <ul>
              {NAV.map(([key, href, label]) => (
                <li>
                  <a href={href} data-nav={key} aria-current={p.active === key ? "page" : undefined} safe>
                    {label}
                  </a>
                </li>
              ))}
              {h.isAdmin ? (
                <li>
                  <a href="/settings#admin" data-nav="admin" aria-current={p.active === "admin" ? "page" : undefined}>
                    Admin
                  </a>
                </li>
              ) : (
                ""
              )}
            </ul>
          </nav>
          <QuotaBar quota={h.quota} />
          <form class="logout" method="post" action="/logout">
            <input type="hidden" name="csrf" value={h.csrf} />
            <span class="who" safe>
              {h.email}
            </span>
            <button type="submit">Log out</button>
          </form>
          </div>
          <form class="search-box" role="search" action="/search" method="get">
            <label for="search" class="visually-hidden">
              Search your notebooks
            </label>
            <input
              id="search"
              type="search"
              name="q"
              value={p.q ?? ""}
              placeholder="Search…"
              autocomplete="off"
              hx-get="/search"
              hx-trigger="input changed delay:250ms, search"
              hx-target="#search-results"
              hx-swap="innerHTML"
              hx-indicator="#search-spinner"
              aria-controls="search-results"
            />
            <span id="search-spinner" class="htmx-indicator" aria-hidden="true">
              …
            </span>
            <div id="search-results" class="search-panel" aria-live="polite"></div>
          </form>
        </header>
        <div id="flash" aria-live="polite">
          {h.quota.level !== "ok" ? (
            <p id="quota-banner" class={`banner ${h.quota.level}`} role="status" data-level={h.quota.level}>
              <span safe>
                {h.quota.level === "over"
                  ? `Monthly OCR quota reached (${h.quota.used} of ${h.quota.limit}): new pages wait as “OCR pending” until ${h.quota.resetsOn}.`
                  : `OCR quota at ${h.quota.used} of ${h.quota.limit} pages this month.`}
              </span>{" "}
              <a href="/quota">Details</a>
            </p>
          ) : (
            ""
          )}
        </div>
        <main id="main" tabindex="-1">
          {p.children}
        </main>
        <div id="modal"></div>
      </body>
    </html>,
  );
}

/** A page without a signed-in user (login, setup, error pages). */
export function BareLayout(p: PropsWithChildren<{ title: string }>) {
  return document(
    <html lang="en">
      <Head title={p.title} />
      <body>
        <SkipLink />
        <header class="top">
          <Brand />
        </header>
        <main id="main" class="narrow" tabindex="-1">
          <h1 safe>{p.title}</h1>
          {p.children}
        </main>
        <div id="modal"></div>
      </body>
    </html>,
  );
}
