/**
 * `keyplane synth` (and the cdktf.json app): plan file -> guardrails, once -> Terraform JSON in
 * `<out>/stacks/<stack>/cdk.tf.json`, the layout `cdktf synth` writes. Everything that can refuse the plan
 * runs before anything is written; the output is built in a scratch folder beside `out` and moved in file by
 * file, so a failure leaves `out` as it was (and Terraform's own files under it, `.terraform/`, untouched).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { KeyplaneError } from "../byok/errors";
import { buildApp } from "./app";
import type { StateBackend } from "./constructs/keyplane-stack";
import { errorsOf, formatFinding } from "./guardrails/evaluate";
import { lintPlan, SANDBOX_SUPPRESSIONS } from "./guardrails/lint-plan";
import type { Finding } from "./guardrails/rule";
import { type DerivedPlan, derivePlan } from "./plan/derive";
import { loadPlanFile } from "./plan/load";

/** Where state goes, as the user gave it: flags first, then the plan. */
export type BackendChoice =
  /** A folder for `terraform.<stack>.tfstate` files (relative: to the current folder). */
  { local: string } | { s3: { bucket: string; key: string; region?: string; useLockfile: boolean } };

export interface SynthOptions {
  planFile: string;
  /** @default cdktf.out */
  out?: string;
  /** Sandbox mode: KMS and STS (AssumeRole of the deploy role) at this URL, local state, no monitoring. */
  sandboxUrl?: string;
  /** @default the plan's `backend`, else local state files in `terraform-state/` beside the output folder */
  backend?: BackendChoice;
  /** `keyplane adopt`'s folder: existing keys (DIR/adopt.json) are imported instead of created. */
  adoptDir?: string;
}

export interface SynthResult {
  /** Every finding, suppressed ones included (with their reason). */
  findings: Finding[];
  /** Unsuppressed error findings: when any, nothing was written. */
  errors: Finding[];
  /** Folders of the stacks written, `<out>/stacks/<stack>`. */
  stackDirs: string[];
  /** The local state folder, when state is local. */
  stateDir?: string;
}

export function synthesize(options: SynthOptions): SynthResult {
  const out = resolve(options.out ?? "cdktf.out");
  const sandbox = options.sandboxUrl !== undefined;
  const derived = derivePlan(loadPlanFile(options.planFile), { sandbox });
  const findings = lintPlan(derived, { sandbox, source: options.planFile });
  const errors = errorsOf(findings);
  if (errors.length > 0) return { findings, errors, stackDirs: [] };
  const backend = chooseBackend(derived, options, out);
  const adoption = options.adoptDir ? readAdoption(options.adoptDir) : undefined;
  const scratch = mkdtempSync(join(dirname(out), ".keyplane-synth-"));
  try {
    buildApp(derived, {
      outdir: scratch,
      ...(options.sandboxUrl ? { sandboxUrl: options.sandboxUrl } : {}),
      backend: backend.stack,
    }).synth();
    if (adoption) addImportBlocks(scratch, adoption);
    if (backend.stateDir) mkdirSync(backend.stateDir, { recursive: true });
    moveInto(scratch, out);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return {
    findings,
    errors,
    stackDirs: derived.stacks.map((stack) => join(out, "stacks", stack.id)),
    ...(backend.stateDir ? { stateDir: backend.stateDir } : {}),
  };
}

/** The backend each stack gets, and the local state folder (absolute) when state is local. */
function chooseBackend(
  derived: DerivedPlan,
  options: SynthOptions,
  out: string,
): { stack: StateBackend; stateDir?: string } {
  const plan = derived.plan;
  const planDir = dirname(resolve(options.planFile));
  let choice = options.backend;
  if (!choice && plan.backend?.local) choice = { local: resolve(planDir, plan.backend.local.dir) };
  if (!choice && plan.backend?.s3 && !derived.sandbox) choice = { s3: plan.backend.s3 };
  if (choice && "s3" in choice) {
    if (derived.sandbox) {
      throw new KeyplaneError("USAGE", "--backend: the sandbox has no S3; use local:PATH with --sandbox");
    }
    return { stack: { s3: { ...choice.s3, region: choice.s3.region ?? plan.region } } };
  }
  const stateDir = resolve(choice?.local ?? join(dirname(out), "terraform-state"));
  if (stateDir === out || stateDir.startsWith(`${out}/`)) {
    throw new KeyplaneError(
      "USAGE",
      `--backend: state folder ${stateDir} is inside the output folder ${out}, which synth rewrites`,
      { hint: "keep state outside it, e.g. --backend local:terraform-state" },
    );
  }
  // Relative to the stack folder Terraform runs in (all stacks sit at the same depth): the output stays
  // portable together with its state folder.
  const fromStack = relative(join(out, "stacks", "stack"), stateDir) || ".";
  return { stack: { local: { dir: isAbsolute(fromStack) ? stateDir : fromStack } }, stateDir };
}

/**
 * The lines synth prints about findings: each finding of the plan's own, and one line for those sandbox
 * mode suppresses (it turns monitoring off itself; their fixes would name a `monitoring: false` the plan
 * never wrote).
 */
export function findingLines(findings: readonly Finding[]): string[] {
  const sandboxReasons = new Set(SANDBOX_SUPPRESSIONS.map((suppression) => suppression.reason));
  const bySandbox = findings.filter((finding) => sandboxReasons.has(finding.suppressed ?? ""));
  const lines = findings.filter((finding) => !bySandbox.includes(finding)).map(formatFinding);
  if (bySandbox.length > 0) {
    const rules = [...new Set(bySandbox.map((finding) => finding.rule))].join(", ");
    lines.push(
      `sandbox mode: monitoring is off (the sandbox speaks only KMS and STS); ${bySandbox.length} ${rules} finding(s) suppressed`,
    );
  }
  return lines;
}

/** What `keyplane adopt` wrote to DIR/adopt.json: the existing key behind each alias the plan derives. */
interface Adoption {
  keys: { alias: string; keyId: string; existingAliases: string[] }[];
}

function readAdoption(dir: string): Adoption {
  const file = join(dir, "adopt.json");
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const why =
      error instanceof SyntaxError ? "not JSON" : `cannot read (${(error as NodeJS.ErrnoException).code})`;
    throw new KeyplaneError("FILE", `--adopt ${file}: ${why}`, {
      hint: "run keyplane adopt --out DIR first",
    });
  }
  const keys = (parsed as Partial<Adoption>).keys;
  const valid =
    Array.isArray(keys) &&
    keys.every(
      (key) =>
        typeof key?.alias === "string" && typeof key.keyId === "string" && Array.isArray(key.existingAliases),
    );
  if (!valid)
    throw new KeyplaneError("INVALID_INPUT", `${file}: keys: expected [{alias, keyId, existingAliases}]`);
  return { keys };
}

type TerraformJson = {
  resource?: Record<string, Record<string, { name?: string; target_key_id?: string }>>;
  import?: { to: string; id: string }[];
};

/**
 * Terraform 1.5+ `import {}` blocks: each key the plan derives that already exists (matched by the alias the
 * plan gives it) is imported, not created, and so is the alias when the key already has it; `terraform plan`
 * then lists only in-place changes (tags, policy, rotation) for them.
 * https://developer.hashicorp.com/terraform/language/import
 */
function addImportBlocks(scratch: string, adoption: Adoption): void {
  const byAlias = new Map(adoption.keys.map((key) => [key.alias, key]));
  const stacksDir = join(scratch, "stacks");
  for (const stack of readdirSync(stacksDir)) {
    const file = join(stacksDir, stack, "cdk.tf.json");
    const document = JSON.parse(readFileSync(file, "utf8")) as TerraformJson;
    const imports: { to: string; id: string }[] = [];
    for (const [name, alias] of Object.entries(document.resource?.aws_kms_alias ?? {})) {
      const existing = byAlias.get(alias.name ?? "");
      const target = /^\$\{(aws_kms_(?:external_)?key\.[^.}]+)\.(?:key_)?id\}$/.exec(
        alias.target_key_id ?? "",
      );
      if (!existing || !target?.[1]) continue;
      imports.push({ to: target[1], id: existing.keyId });
      if (existing.existingAliases.includes(existing.alias)) {
        imports.push({ to: `aws_kms_alias.${name}`, id: existing.alias });
      }
    }
    if (imports.length === 0) continue;
    document.import = [...(document.import ?? []), ...imports];
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  }
}

/** Moves every file of `from` to the same place under `to`, replacing files, keeping others. */
function moveInto(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    const target = join(to, name);
    if (statSync(source).isDirectory()) moveInto(source, target);
    else renameSync(source, target);
  }
}
