import type { JournalReport, ReportCycle, ReportRecord } from "../../byok/report/journal-report";
import { html, htmlDocument, type Markup } from "./html";

/** The journal report as one printable HTML document. */
export function renderReportHtml(report: JournalReport, generatedAt: Date): string {
  return htmlDocument(
    `Ceremony journal report: ${report.file}`,
    html`<h1>Ceremony journal report</h1>
<p class="small">Journal <code>${report.file}</code> · ${report.entries} entries · report written ${generatedAt.toISOString()} by keyplane byok journal report</p>
${verdict(report)}
${fingerprint(report)}
<h2>Cycles</h2>
${report.verified ? "" : html`<p class="verdict fail">Built from the records as found: a value below may come from an edited line.</p>`}
${report.cycles.length === 0 ? html`<p>No material cycle in this journal.</p>` : report.cycles.map(cycle)}
<h2>Every record, with the control it evidences</h2>
${recordsTable(report.records)}
<h2>Controls</h2>
<p class="small">PCI DSS v4.0 requirement 3.6.1 (key-management procedures) and 3.7.1–3.7.8 (generation, distribution,
storage, cryptoperiod changes, retirement, split knowledge and dual control, substitution, custodian acknowledgment);
NIST SP 800-57 Part 1 Rev. 5 §5.3 (cryptoperiods). A record evidences a control by the facts it carries: who
(caller ARN, roles), what (check values, key material id) and when (time, material expiry).</p>`,
  );
}

function verdict(report: JournalReport): Markup {
  return report.verified
    ? html`<div class="verdict ok" id="verdict">Journal verifies — ${report.verdict}</div>`
    : html`<div class="verdict fail" id="verdict">JOURNAL DOES NOT VERIFY — ${report.verdict}. The records below are shown as found; lines marked red are the ones that break the chain.</div>`;
}

function fingerprint(report: JournalReport): Markup {
  if (!report.lastHash) {
    return html`<h2>Last hash</h2><p class="fail verdict">No last hash: a journal that does not verify has none to anchor.</p>`;
  }
  const rows = [0, 4, 8, 12].map((start) => report.lastHashGroups.slice(start, start + 4).join(" "));
  return html`<h2>Last hash (read aloud, write on paper, compare later)</h2>
<p>SHA-256 of the last line: anchor it outside the journal (the change ticket, a signed note) so that a removed
last line is detected too: <code>keyplane byok journal verify JOURNAL --last-hash HASH</code>.</p>
<table><tbody>${rows.map((row, i) => html`<tr><th>${`${i * 4 + 1}–${i * 4 + 4}`}</th><td class="hash">${row}</td></tr>`)}</tbody></table>
<p class="small mono">${report.lastHash}</p>`;
}

function cycle(entry: ReportCycle): Markup {
  return html`<table>
<tbody>
<tr><th style="width:22%">Cycle</th><td><code>${entry.cycleId}</code> (${entry.flow}, ${entry.state})</td></tr>
<tr><th>Key</th><td><code>${entry.keyArn}</code></td></tr>
<tr><th>Material check value</th><td><code>${entry.checkValue || "—"}</code></td></tr>
<tr><th>Key material id</th><td><code>${entry.keyMaterialId || "—"}</code></td></tr>
<tr><th>Material expires</th><td>${entry.validTo || "—"}</td></tr>
<tr><th>Operator</th><td>${entry.operator || "— (not recorded)"}</td></tr>
<tr><th>Change ticket</th><td>${entry.ticket || "— (not recorded)"}</td></tr>
<tr><th>Witnesses</th><td>${entry.witnesses.length > 0 ? entry.witnesses.join(", ") : "— (not recorded)"}</td></tr>
</tbody>
</table>
${
  entry.components.length > 0
    ? html`<table><thead><tr><th>Component</th><th>Custodian</th><th>Check value</th></tr></thead><tbody>
${entry.components.map((component) => html`<tr><td>${component.index}</td><td>${component.custodian || "—"}</td><td><code>${component.checkValue}</code></td></tr>`)}
</tbody></table>`
    : ""
}
${
  entry.attestations.length > 0
    ? html`<table><thead><tr><th>Witness attestation</th><th>Steps witnessed</th><th>How</th><th>Time</th></tr></thead><tbody>
${entry.attestations.map((attestation) => html`<tr><td>${attestation.witness}</td><td>${attestation.steps}</td><td>${attestation.method}</td><td>${attestation.time}</td></tr>`)}
</tbody></table>`
    : ""
}`;
}

function recordsTable(records: readonly ReportRecord[]): Markup {
  return html`<table>
<thead><tr><th>#</th><th>Time (UTC)</th><th>Record</th><th>Evidences</th></tr></thead>
${records.map(
  (record) => html`<tbody class="${record.status === "intact" ? "" : "bad"}" style="break-inside: avoid">
<tr class="${record.status === "intact" ? "" : "bad"}">
<td>${record.line}</td>
<td>${record.time}</td>
<td><b>${record.event}</b> ${record.outcome}${record.status === "intact" ? "" : html` <b>${record.status.toUpperCase()}</b>`}</td>
<td class="small">${record.controls.map((control) => html`${control.id} (${control.title})<br>`)}</td>
</tr>
<tr class="${record.status === "intact" ? "" : "bad"}"><td></td><td colspan="3" class="small">
<span class="fact">caller: <span class="mono">${record.caller || "—"}</span></span>
${record.facts.map(([name, value]) => html`<span class="fact">${name}: <span class="mono">${value}</span></span> `)}
</td></tr>
</tbody>`,
)}
</table>`;
}
