/**
 * keyplane as a user gets it: `npm pack` of this checkout, installed as a dependency of a scratch project
 * outside the repository (in the OS temp folder), next to that project's own cdktf and AWS provider. Then:
 * the `keyplane` bin, `keyplane synth` and a user's own CDKTF app composing keyplane constructs with its
 * own S3 bucket, each output accepted by `terraform validate`.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { runTerraform } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";

const ROOT = join(__dirname, "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const VERSIONS = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let scratch: string;
let project: string;
let tarball: string;
/** The installed project's bin folder first on PATH, as `npm install -g` or an npm script would have it. */
let userEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "keyplane-package-"));
  // dist/ is built by `npm ci` (prepare) and jest's globalSetup; prepack's clean rebuild is CI's to pay.
  const packed = await run("npm", ["pack", "--ignore-scripts", "--pack-destination", scratch], ROOT);
  expect(packed.code).toBe(0);
  tarball = join(scratch, `keyplane-${VERSIONS.version}.tgz`);
  project = join(scratch, "shop");
  mkdirSync(project);
  cpSync(join(ROOT, "keyplan.example.yaml"), join(project, "keyplan.yaml"));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({
      name: "shop-infrastructure",
      version: "1.0.0",
      private: true,
      dependencies: {
        keyplane: `file:${tarball}`,
        cdktf: VERSIONS.dependencies.cdktf,
        constructs: VERSIONS.dependencies.constructs,
        "@cdktf/provider-aws": VERSIONS.dependencies["@cdktf/provider-aws"],
      },
    }),
  );
  // The npm cache (filled by `npm ci`) serves the tarballs; the registry answers only what it lacks.
  const installed = await run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
    project,
  );
  expect(installed.stderr).not.toMatch(/npm error/);
  expect(installed.code).toBe(0);
  userEnv = {
    ...process.env,
    PATH: `${join(project, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
    NO_COLOR: "1",
  };
}, 600_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  test("holds the build, README, LICENSE and the sample plans; no sources, tests or dev configuration", async () => {
    const listing = await run("tar", ["tzf", tarball], scratch);
    const files = listing.stdout.trim().split("\n");
    expect(files).toEqual(
      expect.arrayContaining([
        "package/README.md",
        "package/LICENSE",
        "package/package.json",
        "package/dist/cli/bin.js",
        "package/dist/stacks/index.js",
        "package/dist/stacks/index.d.ts",
        "package/keyplan.example.yaml",
        "package/demo/keyplan.demo.yaml",
      ]),
    );
    const outside = files.filter(
      (file) =>
        !/^package\/(dist\/.+\.(js|d\.ts)|README\.md|LICENSE|package\.json|keyplan\.example\.yaml|demo\/keyplan\.demo\.yaml)$/.test(
          file,
        ),
    );
    expect(outside).toEqual([]);
  });

  test("installs no AGPL package: the IAM policy evaluator is an optional peer, left out", () => {
    const installed = installedPackages(join(project, "node_modules"));
    expect(installed.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(["keyplane", "cdktf", "zod"]),
    );
    expect(installed.filter((entry) => /AGPL/i.test(entry.license))).toEqual([]);
    expect(installed.map((entry) => entry.name)).not.toContain("@cloud-copilot/iam-simulate");
  });

  test("keyplane plan access says in one line that the evaluator is opt-in and how to install it", async () => {
    const access = await run("keyplane", ["plan", "access", "--plan", "keyplan.yaml"], project, userEnv);
    expect(access.stderr).toBe(
      "keyplane: the IAM policy evaluator is not installed: @cloud-copilot/iam-simulate is AGPL-3.0-or-later, so keyplane (Apache-2.0) leaves it out by default and you opt in (install it with: npm install @cloud-copilot/iam-simulate@0.1.173 @cloud-copilot/iam-policy@0.1.109)\n",
    );
    expect(access.stdout).toBe("");
    expect(access.code).toBe(1);
  });

  test("installs with keyplane on PATH and nothing of the dev toolchain", async () => {
    const modules = readdirSync(join(project, "node_modules"));
    for (const dev of ["typescript", "jest", "cdktf-cli", "@biomejs", "@swc"])
      expect(modules).not.toContain(dev);
    const help = await run("keyplane", ["--help"], project, userEnv);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: keyplane");
    const version = await run("keyplane", ["--version"], project, userEnv);
    expect(version.stdout.trim()).toBe(VERSIONS.version);
  });
});

describeWithTool(TERRAFORM, "from the user's own repository", () => {
  test("keyplane synth writes a stack that terraform validates; state outside the output folder", async () => {
    const synth = await run(
      "keyplane",
      ["synth", "--plan", "keyplan.yaml", "--out", "generated"],
      project,
      userEnv,
    );
    expect(synth.code).toBe(0);
    const stackDir = join(project, "generated", "stacks", "acme-security-us-east-1");
    expect(synth.stdout.trim()).toBe(join(stackDir, "cdk.tf.json"));
    expect(existsSync(join(project, "terraform-state"))).toBe(true);
    expect((await runTerraform(stackDir, ["init", "-no-color", "-backend=false"])).code).toBe(0);
    expect((await runTerraform(stackDir, ["validate", "-no-color"])).stdout).toContain("Success!");
  }, 300_000);

  test("a CDKTF app in TypeScript encrypts its own S3 bucket with a key of a keyplane hierarchy, guardrails on", async () => {
    writeFileSync(join(project, "main.ts"), USER_APP);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "commonjs",
          moduleResolution: "node10",
          strict: true,
          skipLibCheck: true,
          outDir: "build",
        },
        files: ["main.ts"],
      }),
    );
    // keyplane's emitted declarations type the user's code (this checkout's compiler, none in the project).
    const compiled = await run(process.execPath, [TSC, "-p", "tsconfig.json"], project);
    expect(compiled.stdout + compiled.stderr).toBe("");
    const synth = await run(process.execPath, [join("build", "main.js")], project, userEnv);
    expect(synth.stderr).toBe("");
    expect(synth.code).toBe(0);
    const stackDir = join(project, "cdktf.out", "stacks", "shop");
    const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const sse = Object.values(json.resource.aws_s3_bucket_server_side_encryption_configuration!)[0]!;
    expect(JSON.stringify(sse)).toMatch(
      /\$\{aws_kms_external_key\.keys_payments-restricted-s3_key_[0-9A-F]+\.arn\}/,
    );
    expect(Object.keys(json.resource.aws_kms_key_policy!)).not.toHaveLength(0);
    expect((await runTerraform(stackDir, ["init", "-no-color", "-backend=false"])).code).toBe(0);
    expect((await runTerraform(stackDir, ["validate", "-no-color"])).stdout).toContain("Success!");
  }, 300_000);

  test("KeyplaneGuardrails in the user's app: an error finding fails app.synth(), nothing written", async () => {
    writeFileSync(join(project, "bad.js"), BAD_APP);
    const synth = await run(process.execPath, ["bad.js"], project, userEnv);
    expect(synth.code).not.toBe(0);
    expect(synth.stderr).toContain("[KP-ROTATION] bad/hand-made: rotates every 2000 days");
    expect(existsSync(join(project, "bad.out", "stacks", "bad", "cdk.tf.json"))).toBe(false);
  }, 120_000);
});

/** Every package under a node_modules folder (scoped and nested ones too), with its declared licence. */
function installedPackages(nodeModules: string): { name: string; license: string }[] {
  const found: { name: string; license: string }[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith(".")) continue;
      const path = join(dir, entry);
      if (entry.startsWith("@")) {
        visit(path);
        continue;
      }
      const manifest = join(path, "package.json");
      if (!existsSync(manifest)) continue;
      const { name, license, licenses } = JSON.parse(readFileSync(manifest, "utf8")) as {
        name: string;
        license?: unknown;
        licenses?: unknown;
      };
      found.push({ name, license: JSON.stringify(license ?? licenses ?? "") });
      if (existsSync(join(path, "node_modules"))) visit(join(path, "node_modules"));
    }
  };
  visit(nodeModules);
  return found;
}

/** What a user writes: their provider, backend and bucket; keyplane's hierarchy and guardrails. */
const USER_APP = `
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { App, Aspects, LocalBackend, TerraformStack } from "cdktf";
import { KeyHierarchy, KeyplaneGuardrails, loadPlan } from "keyplane";

const app = new App({ outdir: "cdktf.out" });
const stack = new TerraformStack(app, "shop");
new AwsProvider(stack, "aws", { region: "us-east-1" });
new LocalBackend(stack, { path: "../../../shop.tfstate" });
const plan = { ...loadPlan("keyplan.yaml"), policyAsResource: true };
const keys = new KeyHierarchy(stack, "keys", { plan });
const bucket = new S3Bucket(stack, "invoices", { bucket: "shop-invoices-example" });
new S3BucketServerSideEncryptionConfigurationA(stack, "invoices-sse", {
  bucket: bucket.id,
  rule: [
    {
      applyServerSideEncryptionByDefault: {
        sseAlgorithm: "aws:kms",
        kmsMasterKeyId: keys.key("alias/acme/payments/restricted/s3").arn,
      },
      bucketKeyEnabled: true,
    },
  ],
});
Aspects.of(stack).add(new KeyplaneGuardrails());
app.synth();
`;

/** A hand-composed key that breaks the baseline rotation limit, in plain JavaScript. */
const BAD_APP = `
const { App, Aspects, TerraformStack } = require("cdktf");
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { KeyPolicy, KeyplaneGuardrails, ManagedKey } = require("keyplane");
const app = new App({ outdir: "bad.out" });
const stack = new TerraformStack(app, "bad");
new AwsProvider(stack, "aws", { region: "us-east-1" });
const policy = new KeyPolicy({ account: "111111111111", region: "us-east-1" })
  .allowAdministrators(["arn:aws:iam::111111111111:role/KeyAdmin"], { rotateOnDemand: true })
  .allowUsers(["arn:aws:iam::111111111111:role/app"], { services: ["s3"], callerAccounts: ["111111111111"], usage: "ENCRYPT_DECRYPT", symmetric: true });
new ManagedKey(stack, "hand-made", { description: "d", policy, rotationDays: 2000, tags: { "keyplane:classification": "internal" } });
Aspects.of(stack).add(new KeyplaneGuardrails({ classifications: ["internal"] }));
app.synth();
`;
