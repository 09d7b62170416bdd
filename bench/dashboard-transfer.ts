// Dashboard over a slow link (issue 13 item 5; DESIGN.md §9: a library of 100 notebooks transfers
// < 300 KB on first load and < 20 KB on reload):
//
//   bun bench/dashboard-transfer.ts [--notebooks 100]
//
// A real `rmirror serve` child and a real Chromium (test/browser/harness.ts): 100 one-page
// notebooks made of the shared samples are uploaded with the real `rmirror import`, rendered,
// then the library is opened in a fresh browser and reloaded. Bytes are what Chromium counts on
// the wire (CDP Network.loadingFinished encodedDataLength: headers and compressed bodies; cache
// hits count 0). The same budgets are asserted by test/browser/thumbnails.test.ts.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Dashboard, HAVE_CHROMIUM, SampleLibrary } from "../test/browser/harness.ts";
import { HAVE_SAMPLES } from "../test/support/samples.ts";

const { values: opt } = parseArgs({ options: { notebooks: { type: "string" } } });
const N = Number(opt.notebooks ?? 100);
if (!HAVE_CHROMIUM || !HAVE_SAMPLES) {
  console.error("dashboard-transfer: needs Debian's chromium and the shared samples");
  process.exit(2);
}
const PAGES = ["rmc__writing_tools.rm", "rmc__pen_size_test.strokes.rm", "scrybble-rmc__colours.rm", "rmscene__Bold_Heading_Bullet_Normal.rm", "rmc__fullpage.rm", "rmc__abcd.strokes.rm"];
const d = new Dashboard();
try {
  await d.start();
  const lib = new SampleLibrary(join(d.tmp, "library"));
  const folder = lib.folder("Papers");
  for (let i = 0; i < N; i++) lib.notebook(`Notebook ${String(i + 1).padStart(3, "0")}`, [PAGES[i % PAGES.length]!], i < 20 ? folder : "");
  await d.importWithCli(lib.root);
  for (const nb of lib.notebooks) await d.rendered(nb.uuid);
  const page = await d.loggedInPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const urls = new Map<string, string>();
  let rows: { url: string; bytes: number }[] = [];
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => rows.push({ url: urls.get(e.requestId) ?? "?", bytes: e.encodedDataLength }));
  const measure = async (name: string, go: () => Promise<unknown>) => {
    rows = [];
    await go();
    const sum = (f: (u: string) => boolean) => rows.filter((r) => f(r.url)).reduce((s, r) => s + r.bytes, 0);
    const thumbs = rows.filter((r) => r.url.includes("/thumb/"));
    console.log(
      `| ${name} | ${rows.length} | ${sum(() => true).toLocaleString()} | ${sum((u) => !u.includes("/static/") && !u.includes("/thumb/")).toLocaleString()} | ${sum((u) => u.includes("/static/")).toLocaleString()} | ${thumbs.length} | ${sum((u) => u.includes("/thumb/")).toLocaleString()} |`,
    );
  };
  console.log(`dashboard transfer — library of ${N} notebooks (20 in a folder), Chromium ${page.context().browser()?.version()}, 1280×800`);
  console.log("| load | responses | bytes total | HTML bytes | static bytes | thumbnails | thumbnail bytes |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  // Cold cache: the login page already fetched the static files into this context's cache.
  await cdp.send("Network.clearBrowserCache");
  await measure("first load (empty cache)", () => page.goto("/", { waitUntil: "networkidle" }));
  await measure("reload", () => page.reload({ waitUntil: "networkidle" }));
  await measure("page 2 of the library", () => page.goto("/?page=2", { waitUntil: "networkidle" }));
} finally {
  await d.teardown();
}
