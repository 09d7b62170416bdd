// Fuzzing the dashboard's OCR-Markdown → HTML rendering (views/partials/markdown.ts) and the search
// snippet highlighting (services/library/search.ts markSnippet): seeded mixes of hostile HTML and Markdown
// (script/iframe/object/embed/svg/style tags, event-handler and style attributes, javascript:,
// data: and vbscript: URLs in links, images, reference definitions and autolinks — mixed case,
// entity-encoded, split by whitespace or control characters — unclosed tags, comments, CDATA)
// inside lists, quotes, tables and emphasis, plus seeded character mutations. The output is
// checked strictly: only the tags marked itself emits, no on* or style attribute, no src, every
// href http(s)/mailto/relative after entity decoding, and no other `<` anywhere.
import { expect, test } from "bun:test";
import { markSnippet, plainSnippet } from "../../src/services/library/search.ts";
import { markdownToSafeHtml } from "../../views/partials/markdown.ts";
import { rng } from "../support/fuzz.ts";

// A fixed number of cases, never a time budget (a budget ran fewer cases on a busy machine).
const CASES = Number(process.env.FUZZ_CASES ?? 2000);

const VECTORS = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
  "<scr<script>ipt>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '<img src="x" ONERROR="alert(1)"',
  "<svg onload=alert(1)>",
  "<svg><script>alert(1)</script></svg>",
  '<iframe src="javascript:alert(1)"></iframe>',
  "<iframe srcdoc='<script>alert(1)</script>'>",
  '<object data="data:text/html,<script>alert(1)</script>">',
  '<embed src="javascript:alert(1)">',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  "<style>*{background:url(javascript:alert(1))}</style>",
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  "<details open ontoggle=alert(1)>",
  '<body onload="alert(1)">',
  '<input autofocus onfocus=alert(1)>',
  "<!-- --><script>alert(1)</script>",
  "<![CDATA[<script>alert(1)</script>]]>",
  "<?xml version='1.0'?><script>alert(1)</script>",
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '<base href="javascript:alert(1)//">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel=stylesheet href="javascript:alert(1)">',
  "<a/href=javascript:alert(1)>x",
  "<img\nsrc=x\nonerror=alert(1)>",
  "<p onclick=alert(1)>",
  '"><img src=x onerror=alert(1)>',
  "'-alert(1)-'",
  "<textarea><script>alert(1)</script></textarea>",
  "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
  // text after a raw <pre>/<code>/<kbd>/<script> tag used to be emitted unescaped
  'hello <pre> <img src=x onerror=alert(1) a="b"c> world',
  "<code> <svg/onload=alert(1)//",
  "a <kbd> <img/src/onerror=alert(1)>",
  '<script>x</scrip t><img src=x onerror=alert(1) a="b"c>',
];

const BAD_URLS = [
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  " javascript:alert(1)",
  "\tjavascript:alert(1)",
  "&#106;avascript:alert(1)",
  "&#x6A;&#x61;vascript:alert(1)",
  "&#0000106avascript:alert(1)",
  "java&#115;cript:alert(1)",
  "javascript&colon;alert(1)",
  "java&Tab;script:alert(1)",
  "java%0ascript:alert(1)",
  "<javascript:alert(1)>",
  "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
  "DATA:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "VBScript:msgbox(1)",
  "file:///etc/passwd",
  "//evil.example/x",
  "\\\\evil.example\\x",
  'https://ok.example/" onmouseover="alert(1)',
  "https://ok.example/'onmouseover='alert(1)",
  "#\"><script>alert(1)</script>",
  "/rel?x=\"><svg onload=alert(1)>",
  "mailto:a@b.example?body=<script>",
  "https://ok.example/a b",
];

const WRAP = [
  (s: string) => s,
  (s: string) => `- ${s}`,
  (s: string) => `1. ${s}`,
  (s: string) => `- [ ] ${s}`,
  (s: string) => `> ${s}`,
  (s: string) => `# ${s}`,
  (s: string) => `**${s}**`,
  (s: string) => `*${s}`,
  (s: string) => `_${s}_`,
  (s: string) => `\`${s}\``,
  (s: string) => `| a | ${s} |\n|---|---|\n| ${s} | b |`,
  (s: string) => `\`\`\`\n${s}\n\`\`\``,
  (s: string) => `    ${s}`,
  (s: string) => `~~${s}~~`,
  (s: string) => `Title ${s}\n===`,
];

const NOISE = "<>\"'=&;:/ \n\t`*_[]()!#\\-|~\u0000\u000b\u00a0\u2028".split("");

function generate(seed: number): string {
  const r = rng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  const one = <T,>(xs: readonly T[]) => xs[pick(xs.length)]!;
  const parts: string[] = [];
  for (let i = 0, n = 1 + pick(8); i < n; i++) {
    let s: string;
    switch (pick(9)) {
      case 0: case 1: case 2: s = one(VECTORS); break;
      case 3: s = `[click ${seed}](${one(BAD_URLS)})`; break;
      case 4: s = `![alt ${seed}](${one(BAD_URLS)})`; break;
      case 5: { const ref = `r${pick(3)}`; s = `[x][${ref}]\n\n[${ref}]: ${one(BAD_URLS)}${pick(2) ? ' "t\\" onclick=alert(1)"' : ""}`; break; }
      case 6: s = `<${one(BAD_URLS)}>`; break;
      case 7: s = `[x](${one(BAD_URLS)} "${one(VECTORS)}")`; break;
      default: s = `ordinary text ${seed} with *emphasis* and a [good link](https://example.com/ok) <b>bold</b>`;
    }
    parts.push(one(WRAP)(s));
  }
  let md = parts.join(one(["\n", "\n\n", " ", "\n\n\n"]));
  // character-level mutations: break tags and URLs apart in ways a tokenizer may not expect
  for (let k = 0, rounds = pick(4); k < rounds; k++) {
    const p = pick(md.length + 1);
    switch (pick(3)) {
      case 0: md = md.slice(0, p) + one(NOISE) + md.slice(p); break;
      case 1: md = md.slice(0, p) + md.slice(p + 1 + pick(4)); break;
      default: md = md.slice(0, p) + one(VECTORS) + md.slice(p);
    }
  }
  return md;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", colon: ":", tab: "\t", newline: "\n", sol: "/", lpar: "(", rpar: ")", nbsp: "\u00a0" };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (m, e: string) => {
    if (e[0] === "#") {
      const n = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

// The tags marked's renderer emits for Markdown (raw HTML is escaped by our renderer).
const ALLOWED_TAGS = new Set(["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "input"]);
const ALLOWED_ATTRS: Record<string, Set<string>> = {
  a: new Set(["href", "rel", "title"]),
  ol: new Set(["start"]),
  th: new Set(["align"]),
  td: new Set(["align"]),
  input: new Set(["checked", "disabled", "type"]),
  code: new Set(["class"]),
};

/** Throws when `html` holds anything executable or any markup marked did not make itself. */
export function assertSafeHtml(html: string, where: string): void {
  const lower = html.toLowerCase();
  for (const bad of ["<script", "<iframe", "<object", "<embed", "<svg", "<style", "<math", "<img", "<base", "<meta", "<link", "<form"]) {
    if (lower.includes(bad)) throw new Error(`${where}: output contains ${bad}: ${html.slice(0, 400)}`);
  }
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*\/?>/g;
  let rest = "";
  let last = 0;
  for (const m of html.matchAll(tag)) {
    rest += html.slice(last, m.index);
    last = m.index + m[0].length;
    const name = m[2]!.toLowerCase();
    if (!ALLOWED_TAGS.has(name)) throw new Error(`${where}: tag <${name}> in the output: ${m[0]}`);
    for (const a of m[3]!.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)) {
      const attr = a[1]!.toLowerCase();
      if (attr.startsWith("on") || attr === "style" || attr === "src" || attr === "srcdoc" || !ALLOWED_ATTRS[name]?.has(attr)) throw new Error(`${where}: attribute ${attr} on <${name}>: ${m[0]}`);
      if (attr === "href") {
        // what a browser would resolve: entities decoded, control characters and whitespace gone
        const url = decodeEntities(a[2] ?? "").replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
        if (scheme !== undefined && !["http", "https", "mailto"].includes(scheme)) throw new Error(`${where}: href with scheme ${scheme}: ${m[0]}`);
        if (/^[\\/]{2}/.test(url)) throw new Error(`${where}: protocol-relative href: ${m[0]}`);
      }
    }
  }
  rest += html.slice(last);
  // A `<` a browser would read as the start of a tag, comment or processing instruction. (A bare
  // `<` before a space, digit or `&` is text to an HTML parser.)
  const open = /<[a-zA-Z/!?]/.exec(rest);
  if (open) throw new Error(`${where}: unescaped markup outside the allowed tags: ${rest.slice(Math.max(0, open.index - 80), open.index + 120)}`);
}

test(`${CASES} seeded hostile Markdown/HTML mixes render without an executable vector`, () => {
  let ran = 0;
  let links = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    const md = generate(seed);
    let html: string;
    try {
      html = markdownToSafeHtml(md);
    } catch (e) {
      throw new Error(`seed ${seed}: threw ${(e as Error)?.stack ?? e}\n${md}`);
    }
    assertSafeHtml(html, `seed ${seed} (${JSON.stringify(md).slice(0, 300)})`);
    links += (html.match(/<a /g) ?? []).length;
    ran++;
  }
  console.log(`fuzz dashboard markdown: ${ran} hostile documents, ${links} safe links kept`);
  expect(ran).toBe(CASES);
  expect(links).toBeGreaterThan(0); // the good links do survive
}, 120_000);

test("every known vector alone, in every wrapper, renders inert", () => {
  let n = 0;
  for (const v of [...VECTORS, ...BAD_URLS.flatMap((u) => [`[x](${u})`, `![x](${u})`, `<${u}>`, `[x][r]\n\n[r]: ${u}`, u])]) {
    for (const wrap of WRAP) {
      assertSafeHtml(markdownToSafeHtml(wrap(v)), JSON.stringify(wrap(v)));
      n++;
    }
  }
  expect(n).toBeGreaterThan(500);
  // and ordinary Markdown still renders
  expect(markdownToSafeHtml("**b** [ok](https://example.com/x)")).toContain('<a href="https://example.com/x"');
});

test(`${CASES} hostile search snippets yield no tag but balanced <mark>`, () => {
  const r = rng(7);
  const pick = (n: number) => Math.floor(r() * n);
  const alphabet = [...VECTORS, ...WRAP.map((w) => w("\uE000hit\uE001")), "[\uE000x](javascript:alert(1))", "\uE000", "\uE001", "\uE000\uE000", "\uE001\uE001", "&", "&amp;", "&lt;script&gt;", "<mark>", "</mark>", "<mark onclick=alert(1)>", " ", "word"];
  let ran = 0;
  for (let i = 0; i < CASES; i++) {
    const s = Array.from({ length: 1 + pick(12) }, () => alphabet[pick(alphabet.length)]!).join(pick(2) ? " " : "");
    // as the search service does for page text (Markdown stripped first), and for titles (as is)
    const html = i % 2 ? markSnippet(plainSnippet(s)) : markSnippet(s);
    const tags = html.match(/<[^>]*>/g) ?? [];
    for (const t of tags) if (t !== "<mark>" && t !== "</mark>") throw new Error(`case ${i}: tag ${t} from ${JSON.stringify(s)}`);
    if (html.replace(/<\/?mark>/g, "").includes("<")) throw new Error(`case ${i}: stray < from ${JSON.stringify(s)}`);
    let depth = 0;
    for (const t of tags) {
      depth += t === "<mark>" ? 1 : -1;
      if (depth < 0 || depth > 1) throw new Error(`case ${i}: unbalanced marks from ${JSON.stringify(s)}: ${html}`);
    }
    if (depth !== 0) throw new Error(`case ${i}: unclosed mark from ${JSON.stringify(s)}: ${html}`);
    ran++;
  }
  console.log(`fuzz search snippets: ${ran} hostile snippets, only balanced <mark> tags`);
});

test("the renderer survives hostile shapes (no stack overflow; bounded by the test timeout, not a timer): 600 nested list markers, a 2,000-line list item, deep indentation", () => {
  const cases: [string, string][] = [
    ["600 nested markers", `${"- ".repeat(600)}deepword`],
    ["a 2,000-line list item", `- start\n${Array.from({ length: 2000 }, (_, i) => `  continuation line ${i} with some words in it`).join("\n")}\n\nendword`],
    ["deep indentation", `${Array.from({ length: 300 }, (_, i) => `${" ".repeat(i * 2)}- level ${i}`).join("\n")}\nlastword`],
    ["setext scan", `${Array.from({ length: 3000 }, (_, i) => `line ${i}`).join("\n")}\n---\ntailword`],
  ];
  for (const [name, md] of cases) {
    const html = markdownToSafeHtml(md); // stock marked 18 spent 414 s on the 2,000-line list item (measured)
    const last = /(\w+word)$/.exec(md)![1]!;
    expect(html, `${name}: no text dropped`).toContain(last);
    expect(html).not.toContain("<script");
  }
});

test("bare <strong>/<em> tags (typed-text emphasis inside a word) are kept; with anything more they are text", () => {
  expect(markdownToSafeHtml("bol<strong>d</strong> and <em>it</em>alic")).toBe("<p>bol<strong>d</strong> and <em>it</em>alic</p>\n");
  for (const v of ['<strong onclick="alert(1)">x</strong>', "<em style=x>y</em>", "<strong/onmouseover=alert(1)>z", "<STRONG >w</STRONG>", "<strongx>v"]) {
    const html = markdownToSafeHtml(v);
    assertSafeHtml(html, v);
    expect(html).not.toMatch(/<strong[^>]|<em[^>]/i);
  }
  assertSafeHtml(markdownToSafeHtml("<strong>\n\n<script>alert(1)</script>"), "block");
});
