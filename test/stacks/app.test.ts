import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lazy, LocalBackend, TerraformStack } from "cdktf";
import { buildApp } from "../../stacks/app";
import { loadStackTraceModule, withoutCreationStacks } from "../../stacks/creation-stacks";
import { derived } from "./plans";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function synthesized(withOtherStack: boolean): string {
  const outdir = mkdtempSync(join(tmpdir(), "keyplane-app-"));
  dirs.push(outdir);
  const app = buildApp(derived(), { outdir });
  if (withOtherStack) new LocalBackend(new TerraformStack(app, "other"), { path: "other.tfstate" });
  app.synth();
  return readFileSync(join(outdir, "stacks", "acme-security-us-east-1", "cdk.tf.json"), "utf8");
}

describe("buildApp", () => {
  test("a stack alone in its app, prepared without cdktf's cross-stack pass, synthesizes the same", () => {
    expect(synthesized(false)).toEqual(synthesized(true));
  });
});

describe("withoutCreationStacks", () => {
  const token = () => Lazy.anyValue({ produce: () => 1 });

  test("tokens made inside carry no creation stack; afterwards, even after a throw, cdktf records it again", () => {
    expect(withoutCreationStacks(token).creationStack).toEqual([]);
    expect(() =>
      withoutCreationStacks(() => {
        throw new Error("refused");
      }),
    ).toThrow("refused");
    expect(token().creationStack.length).toBeGreaterThan(0);
  });
});

describe("withoutCreationStacks when cdktf's internals move", () => {
  test("a private module that is gone or frozen: the build runs unpatched, the synth never fails", () => {
    expect(loadStackTraceModule("cdktf/lib/tokens/private/no-such-module")).toBeUndefined();
    expect(withoutCreationStacks(() => "built", undefined)).toBe("built");
    const frozen = Object.freeze({ captureStackTrace: () => ["frame"] });
    expect(withoutCreationStacks(() => "built", frozen)).toBe("built");
    expect(frozen.captureStackTrace()).toEqual(["frame"]);
  });
});
