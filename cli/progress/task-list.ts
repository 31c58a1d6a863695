import type { ProgressStream } from "./progress-bar";

export type TaskState = "pending" | "running" | "done" | "failed" | "skipped";

const MARK: Readonly<Record<TaskState, string>> = {
  pending: "[ ]",
  running: "[>]",
  done: "[x]",
  failed: "[!]",
  skipped: "[-]",
};

/**
 * The ceremony's steps as a visible list on stderr (a terminal only): each line ticks off as its step
 * finishes, a failed step is marked and keeps its message.
 */
export class TaskList {
  private readonly states = new Map<string, { state: TaskState; note: string }>();
  private linesDrawn = 0;

  constructor(
    private readonly titles: Readonly<Record<string, string>>,
    private readonly stream: ProgressStream = process.stderr,
  ) {
    for (const id of Object.keys(titles)) this.states.set(id, { state: "pending", note: "" });
  }

  set(id: string, state: TaskState, note = ""): void {
    this.states.set(id, { state, note });
    this.draw();
  }

  private draw(): void {
    if (this.stream.isTTY !== true) return;
    // Move up over the previous drawing and redraw every line: simple and robust for a handful of steps.
    if (this.linesDrawn > 0) this.stream.write(`\u001b[${this.linesDrawn}A`);
    const lines = Object.entries(this.titles).map(([id, title]) => {
      const entry = this.states.get(id) ?? { state: "pending", note: "" };
      return `\u001b[2K${MARK[entry.state]} ${title}${entry.note ? `  ${entry.note}` : ""}`;
    });
    this.stream.write(`${lines.join("\n")}\n`);
    this.linesDrawn = lines.length;
  }
}
