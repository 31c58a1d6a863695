import { DAY_MS as DAY } from "../../byok/vocabulary/kms-limits";
import { html, type Markup, markupText } from "./html";

export interface TimelineMaterial {
  keyMaterialId: string;
  /** CURRENT, NON_CURRENT (an earlier rotation's material) or PENDING_ROTATION; empty when KMS gives none. */
  state: string;
  validTo: Date | null;
}

export interface TimelineKey {
  label: string;
  status: string;
  materials: readonly TimelineMaterial[];
}

const WIDTH = 900;
const LEFT = 260;
const ROW = 28;
const TOP = 70;

const STATUS_COLOR: Record<string, string> = {
  ok: "#1b7f3b",
  warning: "#b36b00",
  critical: "#b00020",
  expired: "#b00020",
  "pending-import": "#b00020",
};

/**
 * The keys' imported material on one time axis: a bar from now to each current material's expiry, a mark
 * for every earlier rotation's material still held, the warning window shaded, materials that never
 * expire drawn to the edge. Plain SVG with text labels, so it prints and reads without a browser script.
 */
export function expiryTimelineSvg(keys: readonly TimelineKey[], now: Date, warningDays: number): Markup {
  const expiries = keys.flatMap((key) => key.materials.map((material) => material.validTo?.getTime() ?? 0));
  const end = Math.max(now.getTime() + 30 * DAY, ...expiries) + 7 * DAY;
  const start = Math.min(now.getTime() - 7 * DAY, ...expiries.filter((time) => time > 0));
  const x = (time: number) => LEFT + ((time - start) / (end - start)) * (WIDTH - LEFT - 90);
  const height = TOP + Math.max(keys.length, 1) * ROW + 30;
  const months = monthTicks(start, end);
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">
<title>Imported key material expiries, as of ${now.toISOString().slice(0, 10)}</title>
<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fff"/>
<text x="10" y="18" font-size="14" font-weight="bold">Imported key material expiries (as of ${now.toISOString().slice(0, 16)}Z)</text>
<rect x="${x(now.getTime()).toFixed(1)}" y="${TOP - 14}" width="${(x(now.getTime() + warningDays * DAY) - x(now.getTime())).toFixed(1)}" height="${keys.length * ROW + 14}" fill="#fff3d6"/>
${months.map(
  (
    time,
  ) => html`<line x1="${x(time).toFixed(1)}" y1="${TOP - 14}" x2="${x(time).toFixed(1)}" y2="${height - 24}" stroke="#ddd"/>
<text x="${x(time).toFixed(1)}" y="${height - 10}" text-anchor="middle" fill="#555">${new Date(time).toISOString().slice(0, 7)}</text>`,
)}
<line x1="${x(now.getTime()).toFixed(1)}" y1="${TOP - 20}" x2="${x(now.getTime()).toFixed(1)}" y2="${height - 24}" stroke="#111" stroke-width="1.5"/>
<text x="${x(now.getTime()).toFixed(1)}" y="${TOP - 22}" text-anchor="middle">now</text>
<text x="${(x(now.getTime() + warningDays * DAY) + 4).toFixed(1)}" y="${TOP - 22}" fill="#b36b00">warning: ${warningDays} d</text>
${keys.map((key, i) => keyRow(key, i, now, end, x))}
</svg>`;
}

function keyRow(
  key: TimelineKey,
  index: number,
  now: Date,
  end: number,
  x: (time: number) => number,
): Markup {
  const y = TOP + index * ROW;
  const color = STATUS_COLOR[key.status] ?? "#444";
  return html`<g>
<text x="10" y="${y + 4}">${key.label.length > 38 ? `${key.label.slice(0, 37)}…` : key.label}</text>
<text x="${LEFT - 8}" y="${y + 4}" text-anchor="end" fill="${color}">${key.status}</text>
${key.materials.map((material) => {
  const current = material.state === "" || material.state === "CURRENT";
  const time = material.validTo?.getTime() ?? end;
  const label = material.validTo ? material.validTo.toISOString().slice(0, 10) : "never expires";
  return current
    ? html`<line x1="${x(now.getTime()).toFixed(1)}" y1="${y}" x2="${x(time).toFixed(1)}" y2="${y}" stroke="${color}" stroke-width="8"/>
<circle cx="${x(time).toFixed(1)}" cy="${y}" r="5" fill="${color}"/>
<text x="${(x(time) + 8).toFixed(1)}" y="${y + 4}">${label}</text>`
    : html`<circle cx="${x(time).toFixed(1)}" cy="${y}" r="5" fill="#fff" stroke="${color}" stroke-width="2"><title>earlier rotation's material ${material.keyMaterialId}: ${label}</title></circle>`;
})}
</g>`;
}

function monthTicks(start: number, end: number): number[] {
  const ticks: number[] = [];
  const date = new Date(start);
  let tick = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  while (tick < end && ticks.length < 40) {
    ticks.push(tick);
    const next = new Date(tick);
    tick = Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 1);
  }
  return ticks.length > 14 ? ticks.filter((_, i) => i % Math.ceil(ticks.length / 12) === 0) : ticks;
}

export function svgDocument(svg: Markup): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${markupText(svg)}\n`;
}
