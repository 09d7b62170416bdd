// Turning a view into HTML, shared by layouts, pages and partials (a leaf: imports nothing).

/** Renders a JSX element as a string (views are synchronous: no async components). */
export function render(el: JSX.Element): string {
  if (typeof el !== "string") throw new Error("views: async component rendered synchronously");
  return el;
}
