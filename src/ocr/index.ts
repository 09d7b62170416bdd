// Picks the configured OCR engine (null when none is configured: pages wait in pending_ocr).
// RMIRROR_OCR_ENGINE chooses anthropic (default), openai (OpenAI and OpenAI-compatible servers)
// or gemini; each engine loads its SDK on the first page it reads.
import type { Config } from "../config/schema.ts";
import { AnthropicOcr, engineKey } from "./anthropic.ts";
import type { OcrEngine } from "./engine.ts";
import { GeminiOcr, geminiEngineKey } from "./gemini.ts";
import { OpenAiOcr, openAiEngineKey } from "./openai.ts";

export type EngineName = Config["ocr"]["engine"];

export function createOcrEngine(config: Config): OcrEngine | null {
  const c = config.ocr;
  const common = { maxTokens: c.maxTokens, timeoutMs: c.timeoutSeconds * 1000, languages: c.languages };
  switch (c.engine ?? "anthropic") {
    case "openai":
      // A local server (Ollama, LM Studio) needs no key: a base URL alone configures the engine.
      if (!c.openai.apiKey && !c.openai.baseUrl) return null;
      return new OpenAiOcr({
        ...common,
        ...(c.openai.apiKey ? { apiKey: c.openai.apiKey } : {}),
        ...(c.openai.baseUrl ? { baseUrl: c.openai.baseUrl } : {}),
        model: c.openai.model,
        reasoningEffort: c.openai.reasoningEffort,
      });
    case "gemini":
      if (!c.gemini.apiKey) return null;
      return new GeminiOcr({ ...common, apiKey: c.gemini.apiKey, ...(c.gemini.baseUrl ? { baseUrl: c.gemini.baseUrl } : {}), model: c.gemini.model, thinking: c.gemini.thinking });
    default:
      if (!c.apiKey) return null;
      return new AnthropicOcr({ ...common, apiKey: c.apiKey, ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}), model: c.model, thinking: c.thinking });
  }
}

/** The model the configured engine uses. */
export function ocrModel(config: Config): string {
  const c = config.ocr;
  return c.engine === "openai" ? c.openai.model : c.engine === "gemini" ? c.gemini.model : c.model;
}

/** The engine key the configured engine has (also when it is not configured yet). */
export function configuredEngineKey(config: Config): string {
  const c = config.ocr;
  const o = { model: ocrModel(config), languages: c.languages };
  return c.engine === "openai" ? openAiEngineKey(o) : c.engine === "gemini" ? geminiEngineKey(o) : engineKey(o);
}

/** The setting an administrator sets to give the configured engine its key. */
export function ocrKeySetting(config: Config): string {
  const e = config.ocr.engine;
  return e === "openai" ? "RMIRROR_OPENAI_API_KEY (or RMIRROR_OPENAI_BASE_URL for a local server)" : e === "gemini" ? "RMIRROR_GEMINI_API_KEY" : "RMIRROR_ANTHROPIC_API_KEY";
}
