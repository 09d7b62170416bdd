// The OCR engine interface: one page image in, Markdown out. The pipeline (src/jobs/workers/ocr.ts)
// only sees this, so a second engine can be added without touching it.

export interface OcrInput {
  png: Uint8Array;
  /** The page has a PDF page underneath: transcribe only the handwriting. */
  annotatedPdf: boolean;
  signal?: AbortSignal;
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

/** The API refused this input for good (invalid image, bad request, auth): retrying cannot help. */
export class OcrRejected extends Error {
  override readonly name = "OcrRejected";
}
