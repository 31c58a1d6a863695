import { Writable } from "node:stream";
import { KeyplaneError } from "../../byok/errors";
import { reportError } from "../../cli/report-error";

function capture(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe("reportError", () => {
  test("a KeyplaneError is one line with its hint, exit 1", () => {
    const out = capture();
    const code = reportError(
      new KeyplaneError("INVALID_INPUT", "--key-spec: expected one of SYMMETRIC_DEFAULT, ...", {
        hint: "see --help",
      }),
      false,
      out.stream,
    );
    expect(code).toBe(1);
    expect(out.text()).toBe("keyplane: --key-spec: expected one of SYMMETRIC_DEFAULT, ... (see --help)\n");
  });

  test("a usage KeyplaneError exits 2", () => {
    const out = capture();
    expect(reportError(new KeyplaneError("USAGE", "--key is required"), false, out.stream)).toBe(2);
  });

  test("AWS's exception name is kept in the line", () => {
    const out = capture();
    reportError(
      new KeyplaneError("AWS", "the import token has expired", { awsName: "ExpiredImportTokenException" }),
      false,
      out.stream,
    );
    expect(out.text()).toContain("ExpiredImportTokenException: the import token has expired");
  });

  test("an unexpected error is one line suggesting --debug, without a stack", () => {
    const out = capture();
    const code = reportError(new Error("boom\nsecond line"), false, out.stream);
    expect(code).toBe(1);
    expect(out.text()).toBe("keyplane: unexpected error: boom (run with --debug for details)\n");
  });

  test("--debug prints the stack", () => {
    const out = capture();
    reportError(new Error("boom"), true, out.stream);
    expect(out.text()).toContain("at ");
  });
});
