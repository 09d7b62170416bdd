// The dashboard's static files, embedded in the binary at build time (never read from disk at run time).
import htmx from "../../../../public/htmx.min.js" with { type: "text" };
import css from "../../../../public/app.css" with { type: "text" };
import js from "../../../../public/app.js" with { type: "text" };
import favicon from "../../../../public/favicon.svg" with { type: "text" };

// A Map, not an object literal: a name from the URL must never reach Object.prototype ("__proto__").
export const ASSETS: ReadonlyMap<string, { body: string; type: string }> = new Map([
  ["htmx.min.js", { body: htmx, type: "text/javascript; charset=utf-8" }],
  ["app.js", { body: js, type: "text/javascript; charset=utf-8" }],
  ["app.css", { body: css, type: "text/css; charset=utf-8" }],
  ["favicon.svg", { body: favicon, type: "image/svg+xml" }],
]);
