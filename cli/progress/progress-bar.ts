/** What the bar draws on: stderr in the CLI, a fake TTY stream in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface ProgressBar {
  update(done: number, total: number): void;
  /** Clears the bar's line so the result prints on a clean screen. */
  finish(): void;
}

const SILENT: ProgressBar = { update() {}, finish() {} };

/** Work smaller than this finishes before a bar would help. */
const LONG_WORK = 20;

/**
 * A one-line progress bar on stderr, redrawn in place, only when stderr is a terminal and the work is long:
 * piped output and CI logs stay clean.
 */
export function createProgressBar(label: string, stream: ProgressStream = process.stderr): ProgressBar {
  if (stream.isTTY !== true) return SILENT;
  let drawn = false;
  let lastPercent = -1;
  return {
    update(done, total) {
      if (total < LONG_WORK) return;
      const percent = Math.floor((done / total) * 100);
      if (percent === lastPercent) return;
      lastPercent = percent;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 20));
      const filled = Math.round((done / total) * width);
      stream.write(`\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write("\r\u001b[2K");
      drawn = false;
    },
  };
}
