/**
 * Output for people and scripts. Results go to stdout (a table, stable JSON with --output json, or the AWS
 * CLI's tab-separated text with --output text, each after --query); progress and messages go to stderr.
 * Nothing here may ever receive key material.
 */
import { usageError } from "../byok/errors";
import type { GlobalOptions } from "./global-options";

/** How structured results are printed: set once per run from --query and --output (see configureResults). */
interface ResultShape {
  /** A compiled JMESPath search, applied to the documented JSON shape. */
  query?: (value: unknown) => unknown;
  text: boolean;
}

let resultShape: ResultShape = { text: false };

/**
 * Applies `--query` and `--output text` to every structured result of this run, whichever command prints
 * it (they all print through renderJson). Throws a usage KeyplaneError for a query that does not parse.
 */
export async function configureResults(options: { query?: string; output?: string }): Promise<void> {
  resultShape = { text: options.output === "text" };
  if (options.query === undefined) return;
  // Loaded only when asked for: start-up stays lean for everyone else.
  const { compile, TreeInterpreter } = await import("@jmespath-community/jmespath");
  let ast: ReturnType<typeof compile>;
  try {
    ast = compile(options.query);
  } catch (error) {
    throw usageError(`--query: ${(error as Error).message.split("\n", 1)[0]}, in '${options.query}'`);
  }
  resultShape.query = (value) =>
    TreeInterpreter.search(ast, value as Parameters<typeof TreeInterpreter.search>[1]);
}

/** Whether results are structured (JSON or text) rather than a table. */
export function structuredOutput(output: string | undefined, query: string | undefined): boolean {
  return output === "json" || output === "text" || query !== undefined;
}

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

/**
 * A structured result for scripts: stable JSON (two-space indent, trailing newline), or text; after the
 * run's --query, if any.
 */
export function renderJson(value: unknown): string {
  const shaped = resultShape.query ? resultShape.query(toJsonValue(value)) : value;
  return resultShape.text ? renderText(shaped) : JSON.stringify(shaped, null, 2) + "\n";
}

/** The value as JSON.parse would give it back (Dates as strings, no undefined): what queries see. */
function toJsonValue(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * The AWS CLI's text output: one line per object (its scalar values in field order, tab-separated) or per
 * list of scalars; nested lists and objects follow on their own lines; null prints as None.
 */
export function renderText(value: unknown): string {
  const lines: string[] = [];
  textLines(toJsonValue(value), lines);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function textLines(value: unknown, lines: string[]): void {
  if (Array.isArray(value)) {
    if (value.every(isScalar)) {
      if (value.length > 0) lines.push(value.map(scalarText).join("\t"));
      return;
    }
    for (const item of value) textLines(item, lines);
    return;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.values(value as Record<string, unknown>);
    const scalars = entries.filter(isScalar);
    if (scalars.length > 0) lines.push(scalars.map(scalarText).join("\t"));
    for (const nested of entries.filter((entry) => !isScalar(entry))) textLines(nested, lines);
    return;
  }
  lines.push(scalarText(value));
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== "object";
}

function scalarText(value: unknown): string {
  return value === null ? "None" : String(value);
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

/** How an import was verified, for people: a check that could not run yet is said, never claimed. */
export function describeVerification(check: string): string {
  return check === "pending-rotation"
    ? "not yet: KMS uses the new material after its rotation (keyplane rotation apply)"
    : check;
}
