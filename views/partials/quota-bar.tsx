// The header's quota usage bar, coloured by level (ok, warn at ≥ 90 %, over).
import type { HeaderInfo } from "../../src/services/library/dashboard.ts";

export function QuotaBar(p: { quota: HeaderInfo["quota"] }) {
  const q = p.quota;
  const pct = q.limit === null ? 0 : q.limit === 0 ? 100 : Math.min(100, Math.round((q.used / q.limit) * 100));
  const label = q.limit === null ? `${q.used} OCR pages this month (unlimited)` : `${q.used} of ${q.limit} OCR pages this month`;
  return (
    <a id="quota-bar" href="/quota" class={`quota-bar ${q.level}`} data-level={q.level} title={label}>
      <span class="visually-hidden" safe>
        {label}
      </span>
      <span class="meter" aria-hidden="true">
        <span class="fill" style={`width:${pct}%`}></span>
      </span>
      <span class="quota-num" aria-hidden="true" safe>
        {q.limit === null ? `${q.used}/∞` : `${q.used}/${q.limit}`}
      </span>
    </a>
  );
}
