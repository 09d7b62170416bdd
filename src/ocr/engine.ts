// The OCR engine interface: one page image in, Markdown out. The pipeline (src/jobs/workers/ocr.ts)
// only sees this, so a second engine can be added without touching it.

export interface OcrInput {
  png: Uint8Array;
  /** The page has a PDF page underneath: transcribe only the handwriting. */
  annotatedPdf: boolean;
  signal?: AbortSignal;
  /**
   * Context that helps read the page (optional; engines pass it to ocrPrompt): the notebook's
   * name, the end of the previous page's text, the user's vocabulary. Part of the engine key the
   * pipeline records (src/ocr/key.ts).
   */
  context?: OcrContext;
}

/** Continuity and vocabulary for one page; every field is bounded by the pipeline (src/ocr/key.ts). */
export interface OcrContext {
  /** The notebook's name. */
  notebook?: string;
  /** The last characters of the previous page's text. */
  previousText?: string;
  /** The user's vocabulary hint: names, jargon, abbreviations. */
  vocabulary?: string;
}

export interface OcrResult {
  markdown: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  ms: number;
}

export interface OcrEngine {
  /** Identifies engine settings that change the output (model, prompt version, hints). */
  readonly key: string;
  recognize(input: OcrInput): Promise<OcrResult>;
}

/** The API is overloaded or rate-limited: try again after `ms` (does not spend an attempt). */
export class OcrRateLimited extends Error {
  override readonly name = "OcrRateLimited";
  constructor(readonly ms: number, message: string) {
    super(message);
  }
}

/** The API refused this input for good (invalid image, bad request, too large): retrying cannot help. */
export class OcrRejected extends Error {
  override readonly name: string = "OcrRejected";
}

/**
 * The engine answered, but the answer is not a transcription: cut off at max_tokens (after the
 * one retry with a larger budget), refused, or empty. The page fails with this reason.
 */
export class OcrUnusableAnswer extends OcrRejected {
  override readonly name = "OcrUnusableAnswer";
}

/** The provider rejected the API key (401/403): no page can be read until the key is changed. */
export class OcrKeyRejected extends Error {
  override readonly name = "OcrKeyRejected";
}

/**
 * The provider is down (5xx, connection refused): not the page's fault. Transient (see
 * src/jobs/errors.ts): the runner backs off and retries without spending an attempt.
 */
export class OcrUnavailable extends Error {
  override readonly name = "OcrUnavailable";
  readonly transient = true;
}
