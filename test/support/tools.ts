import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * An outside program a test block needs: `find()` says where it is, or throws saying why it is unusable.
 * Probes run once per test file (jest loads each file in its own module registry).
 */
export interface ToolProbe {
  readonly name: string;
  find(): string;
}

/** Set by `.ci/run`: a missing tool fails the suite instead of skipping the blocks that need it. */
export const REQUIRE_TOOLS_VARIABLE = "KEYPLANE_REQUIRE_TOOLS";

export function toolsRequired(): boolean {
  return process.env[REQUIRE_TOOLS_VARIABLE] === "1";
}

function probe(name: string, locate: () => string): ToolProbe {
  let found: { path: string } | { reason: string } | undefined;
  return {
    name,
    find() {
      if (!found) {
        try {
          found = { path: locate() };
        } catch (error) {
          found = { reason: error instanceof Error ? error.message : String(error) };
        }
      }
      if ("reason" in found) throw new Error(`${name}: ${found.reason}`);
      return found.path;
    },
  };
}

function executableOnPath(binary: string, extraDirs: readonly string[] = []): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`no executable '${binary}' on PATH`);
}

export const TERRAFORM = probe("terraform", () => executableOnPath("terraform", ["/usr/local/bin"]));

export const OPENSSL = probe("openssl", () => {
  const binary = executableOnPath("openssl");
  const version = spawnSync(binary, ["version"], { encoding: "utf8" });
  if (version.status !== 0) throw new Error(`'${binary} version' exited ${version.status}`);
  return binary;
});

/**
 * A Python interpreter that imports `modules`: KEYPLANE_PYTHON when set, else `python3` on PATH, else the
 * system's /usr/bin/python3 (where Debian's python3-cryptography and python3-boto3 install, which a pyenv
 * `python3` earlier on PATH does not see).
 */
function pythonWith(modules: readonly string[]): string {
  const candidates = process.env.KEYPLANE_PYTHON
    ? [process.env.KEYPLANE_PYTHON]
    : ["python3", "/usr/bin/python3"];
  const tried: string[] = [];
  for (const candidate of candidates) {
    const run = spawnSync(candidate, ["-c", `import ${modules.join(", ")}`], { encoding: "utf8" });
    if (run.status === 0) return candidate;
    tried.push(
      `${candidate}: ${run.error ? run.error.message : (run.stderr.trim().split("\n").at(-1) ?? "")}`,
    );
  }
  throw new Error(`no Python with ${modules.join(" and ")} (${tried.join("; ")})`);
}

/** Python with `cryptography`: an AES key wrap (RFC 5649) written in Python over AES-ECB, not OpenSSL's. */
export const PYTHON_CRYPTOGRAPHY = probe("python3 with cryptography", () => pythonWith(["cryptography"]));

/** Python with boto3 (and cryptography, which the boto3 script's import step uses). */
export const PYTHON_BOTO3 = probe("python3 with boto3 and cryptography", () =>
  pythonWith(["boto3", "cryptography"]),
);

/**
 * `describe` when every tool is usable. Otherwise, by default, a skipped block whose title says what is
 * missing (reported as skipped, never as passed); under KEYPLANE_REQUIRE_TOOLS=1 (CI) a block with one
 * failing test instead, so CI cannot pass by skipping.
 */
export function describeWithTool(
  tools: ToolProbe | readonly ToolProbe[],
  title: string,
  body: () => void,
): void {
  const missing: string[] = [];
  for (const tool of Array.isArray(tools) ? tools : [tools]) {
    try {
      tool.find();
    } catch (error) {
      missing.push((error as Error).message);
    }
  }
  if (missing.length === 0) {
    describe(title, body);
  } else if (toolsRequired()) {
    describe(title, () => {
      test(`needs ${missing.join("; ")}`, () => {
        throw new Error(`${REQUIRE_TOOLS_VARIABLE}=1 and a required tool is missing: ${missing.join("; ")}`);
      });
    });
  } else {
    describe.skip(`${title} [SKIPPED: ${missing.join("; ")}]`, body);
    console.warn(`skipping "${title}": ${missing.join("; ")}`);
  }
}
