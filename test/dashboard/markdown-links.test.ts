// OCR Markdown links on the dashboard (issue 11, item 7f): a link that a browser would follow to
// another site while it looks like a local path ("/\evil.example", "//evil.example", tabs inside)
// is shown as text; local and explicit external links stay, normalised.
import { expect, test } from "bun:test";
import { markdownToSafeHtml, safeHref } from "../../views/partials/markdown.ts";

const OFF_SITE_AS_LOCAL = ["/\\evil.example", "//evil.example", "/\\/evil.example", "\\/evil.example", "/\t/evil.example", "/\n/evil.example", "https:\\\\evil.example", "https:evil.example", "//evil.example/a?b#c"];

test("hrefs that browsers resolve to another host while written as paths are dropped", () => {
  for (const href of OFF_SITE_AS_LOCAL) expect({ href, out: safeHref(href) }).toEqual({ href, out: null });
  for (const href of ["javascript:alert(1)", "data:text/html,x", "vbscript:x", "  javascript:x", "file:///etc/passwd"]) expect(safeHref(href)).toBeNull();
});

test("local and explicit external links survive, normalised", () => {
  expect(safeHref("/documents/x?y=1#z")).toBe("/documents/x?y=1#z");
  expect(safeHref("/a/../b")).toBe("/b");
  expect(safeHref("#top")).toBe("#top");
  expect(safeHref("https://example.com/x")).toBe("https://example.com/x");
  expect(safeHref("HTTP://Example.com")).toBe("http://example.com/");
  expect(safeHref("mailto:me@example.com")).toBe("mailto:me@example.com");
});

test("rendered OCR Markdown keeps no off-site link disguised as a local one", () => {
  for (const md of ["[a](/\\evil.example)", "[a](<\\/\\evil.example>)", "[a](//evil.example)", "[a](HTTPS:\\\\evil.example)", "[a]: /\\evil.example\n\n[x][a]"]) {
    const html = markdownToSafeHtml(md);
    expect({ md, html: html.includes("<a ") }).toEqual({ md, html: false });
  }
  expect(markdownToSafeHtml("[ok](/documents/1)")).toContain('<a href="/documents/1"');
});
