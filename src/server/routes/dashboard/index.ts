// The server-rendered dashboard (htmx 2). Every page: session cookie (or trusted header) via the
// guard, else 303 /login?next=…; every POST: CSRF token (X-CSRF-Token from htmx, or form field).
import { Elysia } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { activityPage, retryJobRow } from "./activity.ts";
import { bulkForm } from "./bulk.ts";
import { computersFragment, createTokenFragment, decidePairingFragment, devicesPage, installCommandFragment, pairingFragment, revokeTokenRow, syncSettingsForm } from "./devices.ts";
import { documentHeldOcr, documentNotion, documentOcr, documentPage, documentReread, documentStatus } from "./document.ts";
import { asUser, dashboardForm } from "./guard.ts";
import { libraryPage } from "./library.ts";
import { liveFragment } from "./live.ts";
import { logoutForm } from "./logout.ts";
import { pagePage, pageStatusFragment } from "./page.ts";
import { retryPageOcr } from "./page-ocr.ts";
import { discardCorrectionForm, keepCorrectionForm, saveCorrectionForm } from "./page-correction.ts";
import { quotaPage } from "./quota.ts";
import { searchPage } from "./search.ts";
import { settingsPage } from "./settings.ts";
import { addUserForm, changePasswordForm, globalQuotaForm, ocrPricesForm, ocrVocabularyForm, userQuotaForm } from "./settings-forms.ts";
import { staticAsset } from "./static.ts";
import { trashPage } from "./trash.ts";
import { uploadPage } from "./upload.ts";

type Server = { requestIP(r: Request): { address: string } | null } | null;
type Ctx = { request: Request; server: Server; body?: unknown; params: Record<string, string>; query: Record<string, string | undefined> };

export const dashboardRoutes = (ctx: AppContext) => {
  /** Run `fn` as the signed-in user, or answer the login redirect. */
  const as = asUser<Ctx>(ctx);
  const hide = { detail: { hide: true } };
  const form = dashboardForm(ctx);
  return new Elysia({ name: "routes:dashboard" })
    .get("/static/:name", ({ params, request }) => staticAsset(params.name, request), hide)
    .get("/favicon.ico", ({ request }) => staticAsset("favicon.svg", request), hide)
    .get("/", as((a, c) => libraryPage(ctx, a, null, c.query)), hide)
    .get("/folders/:uuid", as((a, c) => libraryPage(ctx, a, c.params.uuid!, c.query)), hide)
    .post("/library/bulk", as((a, c) => bulkForm(ctx, a, c.body)), form)
    .get("/trash", as((a, c) => trashPage(ctx, a, c.query)), hide)
    .get("/documents/:uuid", as((a, c) => documentPage(ctx, a, c.params.uuid!)), hide)
    .get("/documents/:uuid/status", as((a, c) => documentStatus(ctx, a, c.params.uuid!)), hide)
    .get("/documents/:uuid/notion", as((a, c) => documentNotion(ctx, a, c.params.uuid!)), hide)
    .post("/documents/:uuid/ocr", as((a, c) => documentOcr(ctx, a, c.params.uuid!)), form)
    .post("/documents/:uuid/ocr-held", as((a, c) => documentHeldOcr(ctx, a, c.params.uuid!)), form)
    .post("/documents/:uuid/reread", as((a, c) => documentReread(ctx, a, c.params.uuid!)), form)
    .get("/documents/:uuid/pages/:n", as((a, c) => pagePage(ctx, a, c.params.uuid!, c.params.n!)), hide)
    .get("/documents/:uuid/pages/:n/status", as((a, c) => pageStatusFragment(ctx, a, c.params.uuid!, c.params.n!)), hide)
    .post("/documents/:uuid/pages/:n/ocr", as((a, c) => retryPageOcr(ctx, a, c.params.uuid!, c.params.n!)), form)
    .post("/documents/:uuid/pages/:n/correction", as((a, c) => saveCorrectionForm(ctx, a, c.params.uuid!, c.params.n!, c.body)), form)
    .post("/documents/:uuid/pages/:n/correction/keep", as((a, c) => keepCorrectionForm(ctx, a, c.params.uuid!, c.params.n!)), form)
    .post("/documents/:uuid/pages/:n/correction/discard", as((a, c) => discardCorrectionForm(ctx, a, c.params.uuid!, c.params.n!)), form)
    .get("/search", as((a, c) => searchPage(ctx, a, c.request, c.query)), hide)
    .get("/quota", as((a) => quotaPage(ctx, a)), hide)
    .get("/activity", as((a, c) => activityPage(ctx, a, c.query)), hide)
    .get("/live", as((a, c) => liveFragment(ctx, a, c.query.v)), hide)
    .post("/activity/jobs/:id/retry", as((a, c) => retryJobRow(ctx, a, c.params.id!)), form)
    .get("/devices", as((a, c) => devicesPage(ctx, a, c.request, c.query.code)), hide)
    .get("/devices/computers", as((a) => computersFragment(ctx, a)), hide)
    .get("/devices/pairing", as((a, c) => pairingFragment(ctx, a, c.query.code)), hide)
    .post("/devices/pairing/:code/approve", as((a, c) => decidePairingFragment(ctx, a, c.params.code!, true)), form)
    .post("/devices/pairing/:code/deny", as((a, c) => decidePairingFragment(ctx, a, c.params.code!, false)), form)
    .post("/devices/install", as((a, c) => installCommandFragment(ctx, a, c.request)), form)
    .post("/devices/tokens", as((a, c) => createTokenFragment(ctx, a, c.request, c.body)), form)
    .post("/devices/tokens/:id/revoke", as((a, c) => revokeTokenRow(ctx, a, c.params.id!)), form)
    .post("/devices/tokens/:id/sync", as((a, c) => syncSettingsForm(ctx, a, c.request, c.params.id!, c.body)), form)
    .get("/upload", as((a) => uploadPage(ctx, a)), hide)
    .get("/settings", as((a, c) => settingsPage(ctx, a, c.query)), hide)
    .post("/settings/password", as((a, c) => changePasswordForm(ctx, a, c.body)), form)
    .post("/settings/ocr", as((a, c) => ocrVocabularyForm(ctx, a, c.body)), form)
    .post("/settings/users", as((a, c) => addUserForm(ctx, a, c.body)), form)
    .post("/settings/users/:id/quota", as((a, c) => userQuotaForm(ctx, a, c.params.id!, c.body)), form)
    .post("/settings/quota", as((a, c) => globalQuotaForm(ctx, a, c.body)), form)
    .post("/settings/ocr-prices", as((a, c) => ocrPricesForm(ctx, a, c.body)), form)
    .post("/logout", as((_a, c) => logoutForm(ctx, c.request)), form);
};
