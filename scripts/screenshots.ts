// Screenshots of the dashboard's main screens: `bun scripts/screenshots.ts [outDir]`.
// Starts a real `rmirror serve` on a temp data dir (test/browser/harness.ts), uploads a small
// library made of the shared samples (../shared/samples) with the real `rmirror import`, answers
// OCR with the loopback fake Anthropic API (plus the annotated Turing paper), and saves PNGs at desktop (1280×800) and phone
// (390×844) sizes, plus a dark-mode desktop set, into docs/screenshots/.
// Needs Debian's chromium (/usr/bin/chromium, or RMIRROR_CHROMIUM) and the shared samples.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { startFakeAnthropic } from "../test/support/fake-anthropic.ts";
import { HAVE_SAMPLES, SAMPLES_DIR } from "../test/support/samples.ts";
import { CHROMIUM, Dashboard, HAVE_CHROMIUM, SampleLibrary } from "../test/browser/harness.ts";

const OUT = resolve(process.argv[2] ?? join(import.meta.dir, "../docs/screenshots"));
if (!HAVE_CHROMIUM) {
  console.error(`screenshots: ${CHROMIUM} not found (apt-get install chromium, or set RMIRROR_CHROMIUM)`);
  process.exit(2);
}
if (!HAVE_SAMPLES) {
  console.error(`screenshots: ${SAMPLES_DIR} not found (clone the shared samples beside this repo)`);
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

const SIZES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

const ocr = startFakeAnthropic();
ocr.reply = (_r, n) =>
  [
    `# Weekly planning ${n}`,
    "",
    "- [ ] call the plumber about the boiler",
    "- [x] buy milk and coffee",
    "- [ ] book train to Leipzig",
    "",
    "Meeting with Müller moved to **Friday 12.03.**",
  ].join("\n");
const d = new Dashboard({
  env: { RMIRROR_ANTHROPIC_API_KEY: ocr.apiKey, RMIRROR_ANTHROPIC_BASE_URL: ocr.url, RMIRROR_QUOTA_DEFAULT_PAGES: "30" },
  tokenName: "Backup import",
});

let failed = 0;
try {
  await d.start();
  // ---- data: a few folders and notebooks, uploaded through the sync API ----------------------
  const lib = new SampleLibrary(join(d.tmp, "desktop"));
  const projects = lib.folder("Projects");
  const reading = lib.folder("Reading");
  lib.folder("Archive");
  const meeting = lib.notebook(
    "Meeting notes",
    ["rmc__abcd.strokes.rm", "rmscene__Bold_Heading_Bullet_Normal.rm", "rmc__writing_tools.rm", "rmscene__Lines_v2.rm", "rmc__text_and_strokes.rm"],
    projects,
  );
  lib.notebook("Roadmap 2027", ["rmc__keyboard-checkboxes-and-bullets.rm", "rmc__layers.stroke.rm"], projects);
  lib.notebook("On computable numbers — notes", ["rmc__pen_size_test.strokes.rm", "rmscene__With_SceneInfo_Block.rm"], reading);
  lib.notebook("Shopping list", ["rmc__text_multiple_lines.rm"]);
  lib.notebook("Sketches", ["rmc__fullpage.rm", "rmc__dot.stroke.rm"]);
  lib.notebook("Colour test", ["scrybble-rmc__colours.rm"]);
  await d.importWithCli(lib.root);
  for (const nb of lib.notebooks) await d.rendered(nb.uuid);
  // An annotated paper (the Turing paper, 36 pages, ink on 3): its printed pages under the ink.
  const PAPER = "d3954b55-8429-4220-a2d5-64f1daab9727";
  await d.importWithCli(join(SAMPLES_DIR, "lucasrla-remarks__demo_xochitl"));
  await d.rendered(PAPER);
  await d.until("OCR finished", async () => {
    const q = await d.api("GET", "/api/v1/quota");
    return q.body?.ocr?.pages?.queued === 0 && q.body.ocr.pages.done > 0;
  });
  await d.createDeviceToken("MacBook (agent)");
  await d.createDeviceToken("Office PC");

  type Shot = { name: string; go: (p: Page) => Promise<void> };
  const sets: { prefix: string; viewport: { width: number; height: number }; dark: boolean; only?: string[] }[] = [
    { prefix: "desktop", viewport: SIZES.desktop, dark: false },
    { prefix: "phone", viewport: SIZES.phone, dark: false },
    { prefix: "desktop-dark", viewport: SIZES.desktop, dark: true, only: ["library", "page", "quota-modal"] },
  ];
  const take = async (shots: Shot[]) => {
    for (const set of sets) {
      const page = await d.loggedInPage(set.viewport);
      await page.emulateMedia({ colorScheme: set.dark ? "dark" : "light" });
      for (const s of shots.filter((x) => !set.only || set.only.includes(x.name))) {
        const file = join(OUT, `${set.prefix}-${s.name}.png`);
        try {
          await s.go(page);
          await page.waitForLoadState("networkidle").catch(() => {});
          // Images (page renders, thumbnails) finished loading.
          await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete), undefined, { timeout: 5_000 }).catch(() => {});
          await page.screenshot({ path: file, animations: "disabled" });
          console.log(`saved ${file}`);
        } catch (e) {
          failed++;
          console.error(`screenshots: ${set.prefix}-${s.name} failed: ${(e as Error).message.split("\n")[0]}`);
        }
      }
      await d.endTest().catch((e) => console.error(`screenshots: ${(e as Error).message}`));
    }
  };

  // ---- the everyday screens (quota not used up) ----------------------------------------------
  await take([
    { name: "library", go: async (p) => void (await p.goto("/"), await p.locator("#library").waitFor()) },
    { name: "document", go: async (p) => void (await p.goto(`/documents/${meeting.uuid}`), await p.locator("#pages").waitFor()) },
    {
      name: "page",
      go: async (p) => {
        await p.goto(`/documents/${meeting.uuid}/pages/1`);
        await p.locator("#page-image").waitFor();
        await p.locator("#page-text").waitFor();
      },
    },
    { name: "paper", go: async (p) => void (await p.goto(`/documents/${PAPER}`), await p.locator("#pages").waitFor()) },
    { name: "paper-page", go: async (p) => void (await p.goto(`/documents/${PAPER}/pages/1`), await p.locator("#page-image").waitFor()) },
    {
      name: "search",
      go: async (p) => {
        await p.goto(`/search?q=${encodeURIComponent("plumber")}`);
        await p.locator("#search-page-results").waitFor();
      },
    },
    { name: "devices", go: async (p) => void (await p.goto("/devices"), await p.locator("#tokens").waitFor()) },
    { name: "upload", go: async (p) => void (await p.goto("/upload"), await p.locator("#upload-form").waitFor()) },
  ]);

  // ---- the month used up: the limit becomes what is used, one more handwritten page waits ----
  const me = await d.api("GET", "/api/v1/auth/me");
  const used = (await d.api("GET", "/api/v1/quota")).body.quota?.used ?? 0;
  await d.api("PUT", `/api/v1/quota/users/${me.body.user.id}`, { limit: Math.max(used, 1) });
  const later = new SampleLibrary(join(d.tmp, "later"));
  const waiting = later.notebook("Late-night ideas", ["rmc__erasers.rm"]);
  await d.importWithCli(later.root);
  await d.rendered(waiting.uuid);
  await take([
    { name: "quota", go: async (p) => void (await p.goto("/quota"), await p.locator("#quota-page").waitFor()) },
    {
      name: "quota-modal",
      go: async (p) => {
        await p.goto(`/documents/${waiting.uuid}/pages/1`);
        await p.locator('button[data-action="retry-ocr"]').first().click();
        await p.locator('#modal .modal[role="dialog"]').waitFor({ state: "visible" });
      },
    },
  ]);
} finally {
  await d.teardown();
  await ocr.close();
}
process.exit(failed ? 1 : 0);
