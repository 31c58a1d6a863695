import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  type KMSClient,
  ListAliasesCommand,
  type Tag,
} from "@aws-sdk/client-kms";
import { KeyplaneError } from "../../byok/errors";
import { ROTATION_DAYS } from "../../byok/vocabulary/kms-limits";
import { EVALUATOR_INSTALL, evaluatorInstalled } from "../../byok/vocabulary/policy-evaluation";
import { Principals, startSandboxServer } from "../../sandbox/index";
import { credentialsOf, type DemoRoles, kmsAs, separationOfDuties, writeDemoPrincipals } from "./demo-roles";

const ROOT = join(__dirname, "..", "..", "..");
const PLAN = join(ROOT, "demo", "keyplan.demo.yaml");
const CLI = join(ROOT, "dist", "cli", "bin.js");
const STACKS = join(ROOT, "dist", "stacks", "main.js");
/** The offline provider mirror of machines without registry access, used when present. */
const PROVIDER_MIRROR = "/opt/tf-plugins";

let step = 0;
function section(title: string, words: string): void {
  step += 1;
  process.stderr.write(`\n== ${step}. ${title}\n${words}\n`);
}

interface Ran {
  code: number;
  output: string;
}

/** Runs a command for the audience (its output shown) or quietly (captured). */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; quiet?: boolean } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? process.cwd(),
      env,
      stdio: options.quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function terraformBinary(): string | undefined {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .map((dir) => join(dir, "terraform"))
    .find((candidate) => existsSync(candidate));
}

export async function runDemo(flags: { keep: boolean }): Promise<void> {
  const started = Date.now();
  // The pinned SDK supports Node 20; its notice about future releases is noise in a demo.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const work = mkdtempSync(join(tmpdir(), "keyplane-demo-"));
  process.stderr.write(
    "keyplane demo: one bring-your-own-key from plan to rotation, on a KMS sandbox on this machine.\n" +
      "Nothing here talks to AWS; every step is the real command a custodian or a pipeline runs.\n",
  );
  // Enforcement needs the IAM policy evaluator, an opt-in install (AGPL-3.0-or-later).
  const enforcing = evaluatorInstalled();
  const roles = writeDemoPrincipals(PLAN, work);
  if (!enforcing) {
    process.stderr.write(
      `The IAM policy evaluator is not installed (AGPL-3.0-or-later, opt-in: ${EVALUATOR_INSTALL}), so the sandbox does not enforce key policies in this run.\n`,
    );
  }
  const sandbox = await startSandboxServer({
    host: "127.0.0.1",
    port: 0,
    stateFile: join(work, "sandbox-state.json"),
    latencyMs: 0,
    quotas: false,
    faults: {},
    accountId: "111111111111",
    principals: Principals.fromFile(roles.file, "111111111111"),
    enforcePolicies: enforcing,
  });
  // Every keyplane command of the demo runs as the custodian; Terraform as the pipeline (below).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...credentialsOf(roles.custodian),
    AWS_ENDPOINT_URL_KMS: sandbox.url,
    AWS_ENDPOINT_URL_STS: sandbox.url,
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    CHECKPOINT_DISABLE: "1",
  };
  const keyplane = (args: string[], quiet = false) =>
    run(process.execPath, [CLI, ...args], env, { cwd: work, quiet });
  const clock = async (advance: string) => {
    const response = await fetch(`${sandbox.url}/_sandbox/clock`, {
      method: "POST",
      body: JSON.stringify({ advance }),
    });
    return ((await response.json()) as { now: string }).now.slice(0, 10);
  };
  try {
    section(
      "Sandbox",
      `A local KMS listens at ${sandbox.url} (state in ${join(work, "sandbox-state.json")}), ${
        enforcing ? "enforcing key policies, grants and IAM policies as AWS does" : "not enforcing policies"
      }. Its principals file (${roles.file}) gives each role of the plan the IAM policy \`keyplane plan access\` synthesizes: ${[
        roles.administrator,
        roles.custodian,
        roles.deployer,
        roles.application,
      ]
        .map((principal) => principal.arn)
        .join(", ")}; and a CI user, ${roles.pipeline.arn}.`,
    );

    section(
      "Key plan",
      `Synthesizing ${PLAN} in sandbox mode: one restricted (BYOK) key and one internal key for payments.`,
    );
    const synth = await run(
      process.execPath,
      [STACKS],
      { ...env, KEYPLANE_PLAN: PLAN, KEYPLANE_SANDBOX_URL: sandbox.url, CDKTF_OUTDIR: join(work, "synth") },
      { quiet: true },
    );
    if (synth.code !== 0)
      throw new KeyplaneError("INTERNAL", `synth failed: ${synth.output.trim().split("\n").at(-1) ?? ""}`);
    const stacksDir = join(work, "synth", "stacks");
    const stack = join(stacksDir, readdirSync(stacksDir)[0] ?? "");

    section(
      "terraform apply",
      `Creating the keys as a pipeline would: Terraform signs as the CI user and its provider assumes the plan's deploy role (${roles.deployer.arn}), which every key policy names, so AWS's policy lockout safety check passes without a bypass. BYOK keys are created empty and wait for their material.`,
    );
    await applyStack(stack, { ...env, ...credentialsOf(roles.pipeline) }, work, roles);

    const client = kmsAs(sandbox.url, roles.custodian);
    const byok = await byokAliases(client);
    client.destroy();
    section(
      "Before the ceremony",
      `From here on every keyplane command runs as the custodian (${roles.custodian.arn}). \`keyplane expiry\` pages someone (exit code 3) while a key waits in PendingImport:`,
    );
    await showExit(await keyplane(["expiry"]));

    const journal = join(work, "journal.jsonl");
    const people = [
      "--operator",
      "Dana",
      "--custodian",
      "Alice",
      "--custodian",
      "Bob",
      "--witness",
      "Carol",
      "--ticket",
      "CHG-1",
    ];
    for (const alias of byok) {
      section(
        `Script for ${alias}`,
        "The printable script of the ceremony: key facts from KMS, who must be present, each step with a checkbox and the value to record, sign-off lines.",
      );
      await keyplane([
        "--journal",
        journal,
        "byok",
        "script",
        "--key",
        alias,
        ...people,
        "--out",
        join(work, `script-${alias.replace(/\W+/g, "-")}.html`),
      ]);
      section(
        `Ceremony for ${alias}`,
        "Non-interactive (every prompt is a flag): generate material, split it 2-of-3 into escrow shares before KMS sees it, wrap it for KMS, import it for 30 days, verify, journal every step.",
      );
      const escrowDir = join(work, "escrow", alias.replace(/\W+/g, "-"));
      await keyplane([
        "--journal",
        journal,
        "--yes",
        "byok",
        "ceremony",
        "--key",
        alias,
        "--material",
        "generate",
        "--expires-in",
        "30d",
        "--escrow-dir",
        escrowDir,
        "--escrow-shares",
        "3",
        "--escrow-threshold",
        "2",
        ...people,
      ]);
    }

    if (enforcing && byok[0]) {
      section(
        "Separation of duties",
        `Now that ${byok[0]} holds material, who may read data under it? The application may, only through its own service; the administrator manages and the custodian imports, neither reads:`,
      );
      for (const line of await separationOfDuties(sandbox.url, roles, byok[0])) {
        process.stderr.write(`${line}\n`);
      }
    }

    section(
      "Status",
      "Expiry against a 14-day threshold (imported for 30 days, so 29 whole days left: fine) and rotation, as on-call sees them:",
    );
    await showExit(await keyplane(["expiry", "--within", "14d"]));
    await keyplane(["rotation", "status", "--plan", "demo"]);

    section(
      "Three weeks later",
      `Moving the sandbox clock 21 days ahead (to ${await clock("21d")}): the material now expires within 14 days.`,
    );
    await showExit(await keyplane(["expiry", "--within", "14d"]));

    section(
      "Expired",
      `Ten more days (to ${await clock("10d")}): KMS has deleted the expired material; the key is unusable until it is re-imported.`,
    );
    await showExit(await keyplane(["expiry", "--within", "14d"]));

    for (const alias of byok) {
      section(
        `Renewal of ${alias}`,
        "Two escrow shares recover the same material; its check value is verified and KMS takes it back (EXISTING_KEY_MATERIAL) for another 90 days.",
      );
      await keyplane([
        "--journal",
        journal,
        "expiry",
        "renew",
        "--key",
        alias,
        "--escrow-dir",
        join(work, "escrow", alias.replace(/\W+/g, "-")),
        "--expires-in",
        "90d",
      ]);
    }
    await showExit(await keyplane(["expiry", "--within", "14d"]));

    section(
      "Two months later",
      `Moving the clock 60 days ahead (to ${await clock("60d")}): the BYOK key's 90-day rotation period has passed.`,
    );
    await showExit(await keyplane(["rotation", "status", "--plan", "demo"]));
    section(
      "Rotation",
      "Still as the custodian: fresh material, escrowed 2-of-3 before KMS sees it, imported as NEW_KEY_MATERIAL and made current with RotateKeyOnDemand; the key's ARN and its old ciphertexts stay valid.",
    );
    await keyplane([
      "--journal",
      journal,
      "rotation",
      "apply",
      "--plan",
      "demo",
      "--escrow-dir",
      join(work, "rotation-escrow"),
    ]);
    await showExit(await keyplane(["rotation", "status", "--plan", "demo"]));

    section(
      "Journal",
      "Every step is a line chained to the one before; an edited, removed or reordered line is caught:",
    );
    await keyplane(["byok", "journal", "verify", journal]);
    section(
      "Report",
      "The journal as an auditor reads it: each step with its caller, check values, roles, attestations and the PCI DSS / NIST controls it evidences, and the last hash to write on paper (.pdf with Chromium):",
    );
    await keyplane(["byok", "journal", "report", journal, "--out", join(work, "report.html")]);
  } finally {
    await sandbox.close();
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stderr.write(
    `\nDone in ${seconds} s; the sandbox is stopped.\n` +
      (flags.keep
        ? `Journal: ${join(work, "journal.jsonl")}\nScript and report: ${join(work, "script-*.html")}, ${join(work, "report.html")}\nEscrow shares: ${join(work, "escrow")}, ${join(work, "rotation-escrow")}\nTerraform: ${join(work, "synth")}\n` +
          `Sandbox state: ${join(work, "sandbox-state.json")} (it holds the demo keys' material, as a KMS would: rehearsal only; delete the folder when done)\n`
        : `The journal (${join(work, "journal.jsonl")}) and escrow shares (${join(work, "escrow")}, ${join(work, "rotation-escrow")}) were in a temporary folder, now removed; run \`keyplane demo --keep\` to keep them.\n`),
  );
  if (!flags.keep) rmSync(work, { recursive: true, force: true });
}

async function showExit(result: Ran): Promise<void> {
  process.stderr.write(
    result.code === 3
      ? "-> exit code 3: attention needed\n"
      : `-> exit code ${result.code}${result.code === 0 ? ": all good" : ""}\n`,
  );
}

async function applyStack(
  stack: string,
  env: NodeJS.ProcessEnv,
  work: string,
  roles: DemoRoles,
): Promise<void> {
  const terraform = terraformBinary();
  const tfEnv: NodeJS.ProcessEnv = { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
  const configured = tfEnv.TF_CLI_CONFIG_FILE;
  if ((!configured || !existsSync(configured)) && existsSync(PROVIDER_MIRROR)) {
    const rc = join(work, "terraformrc");
    writeFileSync(
      rc,
      `provider_installation {\n  filesystem_mirror {\n    path = "${PROVIDER_MIRROR}"\n  }\n}\n`,
    );
    tfEnv.TF_CLI_CONFIG_FILE = rc;
  }
  if (terraform) {
    const init = await run(terraform, ["init", "-no-color"], tfEnv, { cwd: stack, quiet: true });
    if (init.code === 0) {
      process.stderr.write(
        "terraform init: done; terraform apply (Terraform's AWS provider waits for each key to settle, ~30 s)...\n",
      );
      const apply = await run(terraform, ["apply", "-auto-approve", "-no-color"], tfEnv, {
        cwd: stack,
        quiet: true,
      });
      const summary = apply.output.split("\n").find((line) => line.startsWith("Apply complete!"));
      if (apply.code === 0) {
        process.stderr.write(`${summary ?? "terraform apply: done"}\n`);
        return;
      }
      process.stderr.write(`terraform apply failed: ${apply.output.trim().split("\n").at(-1) ?? ""}\n`);
    } else {
      process.stderr.write(`terraform init failed:\n${init.output.trim()}\n`);
    }
  } else {
    process.stderr.write("terraform is not on PATH.\n");
  }
  process.stderr.write(
    "So the demo creates the synthesized keys with the AWS SDK instead (same specs, tags and aliases).\n",
  );
  await createWithSdk(stack, env.AWS_ENDPOINT_URL_KMS ?? "", roles);
}

interface StackJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/**
 * The keys and aliases of the synthesized stack, created directly as the deploy role with their synthesized
 * policies: the fallback without Terraform.
 */
async function createWithSdk(stack: string, url: string, roles: DemoRoles): Promise<void> {
  const json = JSON.parse(readFileSync(join(stack, "cdk.tf.json"), "utf8")) as StackJson;
  const client = kmsAs(url, roles.deployer);
  try {
    const ids = new Map<string, string>();
    for (const type of ["aws_kms_key", "aws_kms_external_key"]) {
      for (const [name, resource] of Object.entries(json.resource?.[type] ?? {})) {
        const tags = Object.entries((resource.tags as Record<string, string> | undefined) ?? {}).map(
          ([TagKey, TagValue]): Tag => ({ TagKey, TagValue }),
        );
        const created = await client.send(
          new CreateKeyCommand({
            Origin: type === "aws_kms_external_key" ? "EXTERNAL" : "AWS_KMS",
            Description: String(resource.description ?? name),
            Policy: String(resource.policy),
            Tags: tags,
          }),
        );
        const keyId = created.KeyMetadata?.KeyId ?? "";
        ids.set(`${type}.${name}`, keyId);
        if (resource.enable_key_rotation === true) {
          const period = Number(resource.rotation_period_in_days ?? ROTATION_DAYS.default);
          await client.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: period }));
        }
      }
    }
    for (const resource of Object.values(json.resource?.aws_kms_alias ?? {})) {
      const target = /\$\{([a-z_]+\.[^.]+)\./.exec(String(resource.target_key_id))?.[1] ?? "";
      const keyId = ids.get(target);
      if (keyId)
        await client.send(new CreateAliasCommand({ AliasName: String(resource.name), TargetKeyId: keyId }));
    }
    process.stderr.write(`created ${ids.size} keys with the SDK\n`);
  } finally {
    client.destroy();
  }
}

async function byokAliases(client: KMSClient): Promise<string[]> {
  const aliases = (await client.send(new ListAliasesCommand({}))).Aliases ?? [];
  const result: string[] = [];
  for (const alias of aliases) {
    if (!alias.TargetKeyId || !alias.AliasName) continue;
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: alias.TargetKeyId }));
    if (KeyMetadata?.Origin === "EXTERNAL") result.push(alias.AliasName);
  }
  return result.sort();
}
