// Picks the configured OCR engine (null when none is configured: pages wait in pending_ocr).
import type { Config } from "../config/schema.ts";
import { AnthropicOcr } from "./anthropic.ts";
import type { OcrEngine } from "./engine.ts";

export function createOcrEngine(config: Config): OcrEngine | null {
  if (!config.ocr.apiKey) return null;
  return new AnthropicOcr({
    apiKey: config.ocr.apiKey,
    ...(config.ocr.baseUrl ? { baseUrl: config.ocr.baseUrl } : {}),
    model: config.ocr.model,
    maxTokens: config.ocr.maxTokens,
    thinking: config.ocr.thinking,
    timeoutMs: config.ocr.timeoutSeconds * 1000,
    languages: config.ocr.languages,
  });
}
