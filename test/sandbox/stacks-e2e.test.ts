import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DescribeKeyCommand, ListAliasesCommand } from "@aws-sdk/client-kms";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { describeWithTerraform, runTerraform } from "../support/terraform";

const ROOT = join(__dirname, "..", "..");
const EXAMPLE_PLAN = join(ROOT, "keyplan.example.yaml");
const STACKS_APP = join(ROOT, "dist", "stacks", "main.js");

/** Synthesizes a plan in sandbox mode, as `npx cdktf synth` would run the app (monitoring off). */
function synthesize(sandbox: SandboxHandle, outdir: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [STACKS_APP],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          KEYPLANE_PLAN: EXAMPLE_PLAN,
          KEYPLANE_SANDBOX_URL: sandbox.url,
          CDKTF_OUTDIR: outdir,
        },
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describeWithTerraform("the synthesized example plan against the sandbox", () => {
  let sandbox: SandboxHandle;
  let outdir: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    // The state folder goes beside the output folder: both inside this test's own temp folder.
    outdir = join(mkdtempSync(join(tmpdir(), "keyplane-stacks-e2e-")), "out");
  });
  afterAll(async () => {
    await sandbox.stop();
    rmSync(dirname(outdir), { recursive: true, force: true });
  });

  test("synth, init, apply, plan without drift, destroy", async () => {
    const synth = await synthesize(sandbox, outdir);
    expect(synth.code).toBe(0);
    const stacks = readdirSync(join(outdir, "stacks"));
    expect(stacks).toEqual(["acme-security-us-east-1"]);
    const directory = join(outdir, "stacks", stacks[0]!);

    const init = await runTerraform(directory, ["init", "-no-color"]);
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);

    const apply = await runTerraform(directory, ["apply", "-auto-approve", "-no-color"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);

    const kms = sandbox.kms();
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases ?? [];
    expect(aliases.length).toBeGreaterThan(0);
    for (const alias of aliases) expect(alias.AliasName).toMatch(/^alias\/acme\//);
    const described = await Promise.all(
      aliases.map(
        async (alias) => (await kms.send(new DescribeKeyCommand({ KeyId: alias.AliasName }))).KeyMetadata!,
      ),
    );
    // BYOK keys wait for their ceremony with no material; the others are usable.
    const external = described.filter((key) => key.Origin === "EXTERNAL");
    expect(external.length).toBeGreaterThan(0);
    for (const key of external) expect(key.KeyState).toBe("PendingImport");
    for (const key of described.filter((key) => key.Origin === "AWS_KMS"))
      expect(key.KeyState).toBe("Enabled");

    const plan = await runTerraform(directory, ["plan", "-detailed-exitcode", "-no-color"]);
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);

    const destroy = await runTerraform(directory, ["destroy", "-auto-approve", "-no-color"]);
    expect(destroy.stderr).toBe("");
    expect(destroy.code).toBe(0);
    expect((await kms.send(new ListAliasesCommand({}))).Aliases).toEqual([]);
  }, 900_000);
});
