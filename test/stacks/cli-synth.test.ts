import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/cli";
import { runTerraform } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";
import { planYaml, variant } from "./plans";
import { ROOT, type TerraformJson } from "./synth";

const EXAMPLE = join(ROOT, "keyplan.example.yaml");
const STACK = "acme-security-us-east-1";
const dirs: string[] = [];
function workdir(plan: Record<string, unknown> = variant({})): string {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-cli-synth-"));
  dirs.push(dir);
  writeFileSync(join(dir, "keyplan.yaml"), planYaml(plan));
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const stackJson = (out: string, stack = STACK) =>
  JSON.parse(readFileSync(join(out, "stacks", stack, "cdk.tf.json"), "utf8")) as TerraformJson;

describe("keyplane synth", () => {
  test("writes DIR/stacks/<stack>/cdk.tf.json and prints it; state beside the output folder", async () => {
    const dir = workdir();
    const result = await runCli(["synth", "--plan", "keyplan.yaml", "--out", "generated"], { cwd: dir });
    expect(result.stderr).toBe(
      `state: ${join(dir, "terraform-state")} (local; keep it, it is not in the output folder)\n`,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(dir, "generated", "stacks", STACK, "cdk.tf.json")}\n`);
    expect(stackJson(join(dir, "generated")).terraform.backend).toEqual({
      local: { path: `../../../terraform-state/terraform.${STACK}.tfstate` },
    });
  });

  test("keeps Terraform's own files in the stack folder when it rewrites the stack", async () => {
    const dir = workdir();
    await runCli(["synth", "--plan", "keyplan.yaml", "--out", "out"], { cwd: dir });
    mkdirSync(join(dir, "out", "stacks", STACK, ".terraform"));
    writeFileSync(join(dir, "out", "stacks", STACK, ".terraform.lock.hcl"), "# lock\n");
    const again = await runCli(["synth", "--plan", "keyplan.yaml", "--out", "out"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(readdirSync(join(dir, "out", "stacks", STACK)).sort()).toEqual([
      ".terraform",
      ".terraform.lock.hcl",
      "cdk.tf.json",
    ]);
    expect(readdirSync(dir).filter((name) => name.startsWith(".keyplane-synth-"))).toEqual([]);
  });

  test("guardrail errors: exit 3, the findings on stderr, nothing written", async () => {
    const dir = workdir(variant({ budget: { maxKeys: 2 } }));
    const result = await runCli(["synth", "--plan", "keyplan.yaml", "--out", "out"], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr.split("\n")).toEqual([
      expect.stringMatching(
        /^keyplane: error KP-BUDGET acme \(budget\.maxKeys\): the plan creates 5 keys \(4 data, 1 monitoring\); budget.maxKeys is 2/,
      ),
      "keyplane: keyplan.yaml: 1 guardrail error(s); nothing written",
      "",
    ]);
    expect(readdirSync(dir)).toEqual(["keyplan.yaml"]);
  });

  test("--backend local:PATH and s3://BUCKET/PREFIX; --backend-region", async () => {
    const dir = workdir();
    const local = await runCli(
      ["synth", "--out", "a", "--plan", "keyplan.yaml", "--backend", "local:/srv/state"],
      {
        cwd: dir,
      },
    );
    expect(local.code).toBe(0);
    expect(stackJson(join(dir, "a")).terraform.backend).toEqual({
      local: {
        path: expect.stringMatching(/^(\.\.\/)+srv\/state\/terraform\.acme-security-us-east-1\.tfstate$/),
      },
    });
    const s3 = await runCli(
      [
        "synth",
        "--out",
        "b",
        "--plan",
        "keyplan.yaml",
        "--backend",
        "s3://acme-state/keyplane",
        "--backend-region",
        "eu-west-1",
      ],
      { cwd: dir },
    );
    expect(s3.code).toBe(0);
    expect(stackJson(join(dir, "b")).terraform.backend).toEqual({
      s3: {
        bucket: "acme-state",
        key: `keyplane/${STACK}.tfstate`,
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  test.each([
    [
      ["--backend", "gcs://x"],
      "keyplane: --backend: expected local:PATH or s3://BUCKET/PREFIX, got 'gcs://x'\n",
    ],
    [
      ["--backend-region", "eu-west-1"],
      "keyplane: --backend-region: only with --backend s3://BUCKET/PREFIX\n",
    ],
    [
      ["--backend", "local:out/state"],
      expect.stringMatching(
        /^keyplane: --backend: state folder .*\/out\/state is inside the output folder .*\/out, which synth rewrites \(keep state outside it/,
      ),
    ],
    [
      ["--sandbox", "localhost:4566"],
      "keyplane: --sandbox: expected the sandbox's URL such as http://127.0.0.1:4566, got 'localhost:4566'\n",
    ],
    [
      ["--sandbox", "http://127.0.0.1:4566", "--backend", "s3://acme-state/k"],
      "keyplane: --backend: the sandbox has no S3; use local:PATH with --sandbox\n",
    ],
  ])("usage error %j: exit 2, nothing written", async (flags, message) => {
    const dir = workdir();
    const result = await runCli(["synth", "--plan", "keyplan.yaml", "--out", "out", ...flags], { cwd: dir });
    expect(result.stderr).toEqual(message);
    expect(result.code).toBe(2);
    expect(readdirSync(dir)).toEqual(["keyplan.yaml"]);
  });

  test("--sandbox: the provider carries the endpoints, skip flags and the deploy role, no credentials", async () => {
    const dir = workdir();
    const result = await runCli(["synth", "--plan", "keyplan.yaml", "--sandbox", "http://127.0.0.1:4566"], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "keyplane: sandbox mode: monitoring is off (the sandbox speaks only KMS and STS); 2 KP-EXPIRY-ALARM finding(s) suppressed",
    );
    const provider = stackJson(join(dir, "cdktf.out")).provider.aws[0];
    expect(provider).not.toHaveProperty("access_key");
    expect(provider).not.toHaveProperty("secret_key");
    expect(provider).toMatchObject({
      assume_role: [{ role_arn: "arn:aws:iam::111111111111:role/KeyplaneDeploy", session_name: "keyplane" }],
      endpoints: [{ kms: "http://127.0.0.1:4566", sts: "http://127.0.0.1:4566" }],
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
    });
  });
});

describeWithTool(TERRAFORM, "keyplane synth, then terraform", () => {
  test("the example plan validates", async () => {
    const dir = workdir();
    writeFileSync(join(dir, "keyplan.yaml"), readFileSync(EXAMPLE));
    expect((await runCli(["synth", "--out", "out"], { cwd: dir })).code).toBe(0);
    const stackDir = join(dir, "out", "stacks", STACK);
    expect((await runTerraform(stackDir, ["init", "-no-color"])).code).toBe(0);
    expect((await runTerraform(stackDir, ["validate", "-no-color"])).stdout).toContain("Success!");
  }, 180_000);
});

describe("AWS CLI habits", () => {
  test("--query runs JMESPath on the JSON shape; --output text prints it tab-separated", async () => {
    const query = await runCli([
      "--query",
      "keys[?origin=='EXTERNAL'].alias",
      "plan",
      "explain",
      "--plan",
      EXAMPLE,
    ]);
    expect(query.code).toBe(0);
    expect(JSON.parse(query.stdout)).toEqual([
      "alias/acme/payments/restricted/s3",
      "alias/acme/payments/restricted/rds",
    ]);
    const text = await runCli([
      "--output",
      "text",
      "--query",
      "keys[?origin=='EXTERNAL'].[alias, rotationDays]",
      "plan",
      "explain",
      "--plan",
      EXAMPLE,
    ]);
    expect(text.stdout).toBe(
      "alias/acme/payments/restricted/s3\t90\nalias/acme/payments/restricted/rds\t90\n",
    );
  });

  test("a query that does not parse is a usage error", async () => {
    const result = await runCli(["--query", "[?origin==", "plan", "explain", "--plan", EXAMPLE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^keyplane: --query: .+, in '\[\?origin=='\n$/);
  });

  test("completion bash|zsh: scripts that parse, complete commands, flags and choices", async () => {
    const bash = await runCli(["completion", "bash"]);
    expect(bash.code).toBe(0);
    const script = join(workdir(), "keyplane.bash");
    writeFileSync(script, bash.stdout);
    const complete = (words: string[]) =>
      execFileSync(
        "bash",
        [
          "-c",
          `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _keyplane; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: "utf8" },
      ).trim();
    expect(complete(["keyplane", "sy"])).toBe("synth");
    expect(complete(["keyplane", "--output", "json", "plan", "l"])).toBe("lint");
    expect(complete(["keyplane", "--output", ""])).toBe("table json text");
    expect(complete(["keyplane", "synth", "--back"])).toBe("--backend --backend-region");
    const zsh = await runCli(["completion", "zsh"]);
    expect(zsh.stdout).toContain("autoload -U +X bashcompinit && bashcompinit");
    expect(zsh.stdout).toContain("complete -o default -F _keyplane keyplane");
    const wrong = await runCli(["completion", "fish"]);
    expect(wrong.code).toBe(2);
    expect(existsSync(script)).toBe(true);
  });
});
