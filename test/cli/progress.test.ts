import { createProgressBar, type ProgressStream } from "../../cli/progress/progress-bar";
import { TaskList } from "../../cli/progress/task-list";

function stream(isTTY: boolean): ProgressStream & { text: string } {
  return {
    isTTY,
    columns: 80,
    text: "",
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

describe("progress on stderr", () => {
  test("a bar is drawn in place on a terminal and cleared when done", () => {
    const tty = stream(true);
    const bar = createProgressBar("scanning keys", tty);
    for (let done = 1; done <= 40; done += 1) bar.update(done, 40);
    bar.finish();
    expect(tty.text).toContain("\rscanning keys [");
    expect(tty.text).toContain("] 40/40");
    expect(tty.text.endsWith("\r\u001b[2K")).toBe(true);
  });

  test("nothing is drawn when stderr is not a terminal, or the work is short", () => {
    const piped = stream(false);
    const bar = createProgressBar("scanning keys", piped);
    for (let done = 1; done <= 40; done += 1) bar.update(done, 40);
    bar.finish();
    expect(piped.text).toBe("");
    const tty = stream(true);
    const short = createProgressBar("scanning keys", tty);
    short.update(1, 3);
    short.finish();
    expect(tty.text).toBe("");
  });

  test("the task list ticks steps off and marks a failure, on a terminal only", () => {
    const tty = stream(true);
    const tasks = new TaskList({ params: "fetch import parameters", import: "import into KMS" }, tty);
    tasks.set("params", "done");
    tasks.set("import", "failed", "ExpiredImportTokenException");
    const last = tty.text.slice(tty.text.lastIndexOf("\u001b[2A"));
    expect(last).toContain("[x] fetch import parameters");
    expect(last).toContain("[!] import into KMS  ExpiredImportTokenException");
    const piped = stream(false);
    new TaskList({ params: "fetch import parameters" }, piped).set("params", "done");
    expect(piped.text).toBe("");
  });
});
