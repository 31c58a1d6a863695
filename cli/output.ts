/**
 * Output for people and scripts. Results go to stdout (a table, or stable JSON with --output json);
 * progress and messages go to stderr. Nothing here may ever receive key material.
 */
import type { GlobalOptions } from "./global-options";

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Right-align numbers. */
  align?: "left" | "right";
  /** Colour a cell (only when colour is on), e.g. red for expired. */
  tone?: (row: Row) => Tone | undefined;
}

export type Tone = "red" | "yellow" | "green" | "dim";

const TONE_CODES: Record<Tone, [number, number]> = {
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  dim: [2, 22],
};

export function useColor(
  options: Pick<GlobalOptions, "color">,
  stream: NodeJS.WriteStream = process.stdout,
): boolean {
  return options.color && stream.isTTY === true && !process.env.NO_COLOR;
}

export function paint(text: string, tone: Tone | undefined, color: boolean): string {
  if (!color || !tone) return text;
  const [open, close] = TONE_CODES[tone];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** An aligned text table; an empty list prints `emptyMessage`. */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  color = false,
): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((r) => (r[i] ?? "").length)),
  );
  const pad = (text: string, i: number, align: "left" | "right" | undefined) =>
    align === "right" ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0);
  const header = columns.map((column, i) => pad(column.header, i, column.align)).join("  ");
  const lines = rows.map((row, r) =>
    columns
      .map((column, i) => paint(pad(cells[r]?.[i] ?? "", i, column.align), column.tone?.(row), color))
      .join("  ")
      .trimEnd(),
  );
  return [paint(header.trimEnd(), "dim", color), ...lines].join("\n") + "\n";
}

/** Stable JSON for scripts: two-space indent, trailing newline. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Prints rows as a table or JSON according to --output. `json` maps rows to their documented JSON shape. */
export function printResult<Row>(
  options: Pick<GlobalOptions, "output" | "color">,
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  json: (rows: readonly Row[]) => unknown,
  emptyMessage = "nothing to show",
): void {
  if (options.output === "json") {
    process.stdout.write(renderJson(json(rows)));
  } else if (rows.length === 0) {
    process.stderr.write(`${emptyMessage}\n`);
  } else {
    process.stdout.write(renderTable(rows, columns, useColor(options)));
  }
}

/** A message for people, on stderr. */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}
