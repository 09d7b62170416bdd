// Upload a .rmdoc/.zip export: drag and drop or choose a file; app.js posts it to
// /api/v1/import with X-CSRF-Token and shows progress and the result.
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";
import { Layout, render } from "../layouts/layout.tsx";

export function UploadPage(p: { header: HeaderInfo; maxBytes: number }): string {
  return render(
    <Layout title="Upload" header={p.header} active="upload">
      <h1>Upload an export</h1>
      <form id="upload-form" method="post" action="/api/v1/import" enctype="multipart/form-data" data-max-bytes={String(p.maxBytes)}>
        <div id="dropzone" class="dropzone" tabindex="0">
          <p>Drop .rmdoc or .zip files here, or</p>
          <label for="upload-file">Choose files</label>
          <input id="upload-file" type="file" name="file" accept=".rmdoc,.zip,application/zip" multiple />
        </div>
        <progress id="upload-progress" max="100" value="0" hidden></progress>
        <output id="upload-result" for="upload-file" aria-live="polite"></output>
      </form>
      <p class="muted" safe>{`Up to ${Math.round(p.maxBytes / 1e6)} MB per file. Pages are rendered and read in the background; watch Activity.`}</p>
    </Layout>
  );
}
