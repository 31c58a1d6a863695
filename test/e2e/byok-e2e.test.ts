import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeKeyCommand, ListKeysCommand, ListResourceTagsCommand } from "@aws-sdk/client-kms";
import { derivePlan } from "../../stacks/plan/derive";
import { loadPlanFile } from "../../stacks/plan/load";
import {
  accessKeyOf,
  CI_ACCESS_KEY,
  type PrincipalSandbox,
  planPrincipals,
  startWithPrincipals,
} from "../policies/principals";
import { type CliResult, runCli, withoutJournalAnchor } from "../support/cli";
import { runTerraform } from "../support/terraform";
import { describeWithTool, TERRAFORM } from "../support/tools";

const ROOT = join(__dirname, "..", "..");
/** One BYOK classification and one managed key: the smallest plan that walks the whole path. */
const PLAN = join(ROOT, "demo", "keyplan.demo.yaml");

/** Everything the run printed, for the material scan at the end. */
const outputs: string[] = [];

function record<T extends { stdout: string; stderr: string }>(result: T): T {
  outputs.push(result.stdout, result.stderr);
  return result;
}

function synth(outdir: string, sandboxUrl: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "dist", "stacks", "main.js")],
      {
        env: { ...process.env, KEYPLANE_PLAN: PLAN, KEYPLANE_SANDBOX_URL: sandboxUrl, CDKTF_OUTDIR: outdir },
      },
      (error, stdout, stderr) => {
        outputs.push(stdout, stderr);
        resolve({ code: error ? Number(error.code ?? 1) : 0, stderr });
      },
    );
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    // Terraform's provider binaries are not ours to scan (and are large).
    if (entry.isDirectory()) return entry.name === ".terraform" ? [] : filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

describeWithTool(
  TERRAFORM,
  "end to end on an enforcing sandbox, as the plan's roles: plan -> apply (deploy role) -> ceremony -> expiry -> escrow -> rotation -> journal (custodian)",
  () => {
    let world: PrincipalSandbox;
    let work: string;
    /** The custodian's environment: every keyplane command of the run acts as the custodian. */
    let env: Record<string, string>;
    /** Terraform's: a CI user whose provider assumes the plan's deploy role. */
    let pipelineEnv: Record<string, string>;
    let custodianKey: string;
    const materials: Buffer[] = [];
    let planAfterCeremony: { code: number; stdout: string } | undefined;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), "keyplane-e2e-"));
      mkdirSync(join(work, "sandbox"));
      const derived = derivePlan(loadPlanFile(PLAN), { sandbox: true });
      const principals = planPrincipals(derived);
      world = await startWithPrincipals(principals, {
        enforce: true,
        stateFile: join(work, "sandbox", "state.json"),
        wrappingKeyPool: 2,
      });
      custodianKey = accessKeyOf(principals, derived.plan.custodians[0] ?? "");
      env = world.env(custodianKey);
      pipelineEnv = world.env(CI_ACCESS_KEY);
    });
    afterAll(async () => {
      await world.stop();
      rmSync(work, { recursive: true, force: true });
    });

    const cli = async (args: string[]): Promise<CliResult> => record(await runCli(args, { env, cwd: work }));

    test("the whole path of a BYOK key", async () => {
      const outdir = join(work, "synth");
      const synthesized = await synth(outdir, world.sandbox.url);
      expect(synthesized.code).toBe(0);
      const stack = join(outdir, "stacks", "demo-security-us-east-1");
      expect(record(await runTerraform(stack, ["init", "-no-color"], pipelineEnv)).code).toBe(0);
      const apply = record(await runTerraform(stack, ["apply", "-auto-approve", "-no-color"], pipelineEnv));
      expect(withoutJournalAnchor(apply.stderr)).toBe("");
      expect(apply.code).toBe(0);

      // The BYOK keys of the plan, as the custodian sees them: EXTERNAL, waiting in PendingImport.
      const kms = world.kms(custodianKey);
      const keys = await Promise.all(
        ((await kms.send(new ListKeysCommand({}))).Keys ?? []).map(
          async (key) => (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!,
        ),
      );
      const byok = keys.filter((key) => key.Origin === "EXTERNAL");
      expect(byok.length).toBeGreaterThan(0);
      for (const key of byok) {
        expect(key.KeyState).toBe("PendingImport");
        const tags = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
        expect(tags.Tags).toContainEqual({ TagKey: "keyplane:classification", TagValue: "restricted" });
      }
      const journal = join(work, "ceremony.jsonl");
      expect((await cli(["expiry"])).code).toBe(3);

      for (const key of byok) {
        const ceremony = await cli([
          "--journal",
          journal,
          "--yes",
          "byok",
          "ceremony",
          "--key",
          key.Arn!,
          "--material",
          "generate",
          "--wrapping-algorithm",
          "RSAES_OAEP_SHA_256",
          "--wrapping-key-spec",
          "RSA_4096",
          "--expires-in",
          "20d",
          "--escrow-dir",
          join(work, "escrow", key.KeyId!),
          "--escrow-shares",
          "3",
          "--escrow-threshold",
          "2",
        ]);
        expect(withoutJournalAnchor(ceremony.stderr)).toBe("");
        expect(ceremony.code).toBe(0);
      }

      planAfterCeremony = record(
        await runTerraform(stack, ["plan", "-detailed-exitcode", "-no-color"], pipelineEnv),
      );

      expect((await cli(["expiry", "--within", "30d"])).code).toBe(3);
      expect((await cli(["expiry", "--within", "10d"])).code).toBe(0);

      // Escrow: any two shares give back material that KMS accepts as the key's existing material.
      for (const key of byok) {
        const shares = readdirSync(join(work, "escrow", key.KeyId!)).map((name) =>
          join(work, "escrow", key.KeyId!, name),
        );
        const recovered = join(work, `recovered-${key.KeyId}.bin`);
        expect(
          (
            await cli([
              "byok",
              "escrow",
              "combine",
              "--share",
              shares[0]!,
              shares[2]!,
              "--key",
              key.Arn!,
              "--out",
              recovered,
            ])
          ).code,
        ).toBe(0);
        materials.push(readFileSync(recovered));
        const params = join(work, "params", key.KeyId!);
        expect(
          (
            await cli([
              "byok",
              "params",
              "--key",
              key.Arn!,
              "--wrapping-algorithm",
              "RSA_AES_KEY_WRAP_SHA_256",
              "--wrapping-key-spec",
              "RSA_3072",
              "--out-dir",
              params,
            ])
          ).code,
        ).toBe(0);
        const wrapped = join(params, "EncryptedKeyMaterial.bin");
        expect(
          (
            await cli([
              "byok",
              "wrap",
              "--public-key",
              join(params, "WrappingPublicKey.der"),
              "--wrapping-algorithm",
              "RSA_AES_KEY_WRAP_SHA_256",
              "--key-spec",
              key.KeySpec!,
              "--material",
              recovered,
              "--out",
              wrapped,
            ])
          ).code,
        ).toBe(0);
        const reimport = await cli([
          "--output",
          "json",
          "byok",
          "import",
          "--key",
          key.Arn!,
          "--import-token",
          join(params, "ImportToken.bin"),
          "--wrapped",
          wrapped,
          "--import-type",
          "existing",
          "--expires-in",
          "365d",
        ]);
        expect(withoutJournalAnchor(reimport.stderr)).toBe("");
        expect(JSON.parse(reimport.stdout)).toMatchObject({ keyArn: key.Arn, keyState: "Enabled" });
        // The custodian shreds the recovered copy once it is back in KMS.
        rmSync(recovered);
      }

      // 80 days on, the imported keys (rotation-days 90) are due: new material, escrowed, imported, rotated.
      await world.sandbox.advanceClock("80d");
      expect((await cli(["rotation", "status", "--plan", "demo"])).code).toBe(3);
      const rotationEscrow = join(work, "rotation-escrow");
      const applied = await cli([
        "--output",
        "json",
        "--journal",
        journal,
        "rotation",
        "apply",
        "--plan",
        "demo",
        "--escrow-dir",
        rotationEscrow,
      ]);
      expect(applied.code).toBe(0);
      expect(JSON.parse(applied.stdout).actions).toContainEqual(
        expect.objectContaining({ action: "import-and-rotate-on-demand", outcome: "done" }),
      );
      expect((await cli(["rotation", "status", "--plan", "demo"])).code).toBe(0);
      for (const key of byok) {
        const shares = readdirSync(rotationEscrow)
          .map((name) => join(rotationEscrow, name))
          .filter((path) => readFileSync(path, "utf8").includes(key.Arn!));
        const recovered = join(work, `rotated-${key.KeyId}.bin`);
        expect(
          (await cli(["byok", "escrow", "combine", "--share", ...shares.slice(0, 2), "--out", recovered]))
            .code,
        ).toBe(0);
        materials.push(readFileSync(recovered));
        rmSync(recovered);
      }

      const verified = await cli(["byok", "journal", "verify", journal]);
      expect(verified.stdout).toContain("intact");
      expect(verified.code).toBe(0);
    }, 900_000);

    // The provider reads the imported material's ValidTo back; ExternalKey ignores valid_to so that an
    // import done outside Terraform is not planned away (expiration_model is computed-only).
    test("terraform plan after the ceremony exits 0 (no changes)", () => {
      expect(planAfterCeremony?.stdout).toContain("No changes.");
      expect(planAfterCeremony?.code).toBe(0);
    });

    test("no file or output of the run holds the material (raw, hex or base64) outside escrow shares and the sandbox's state", () => {
      expect(materials.length).toBeGreaterThanOrEqual(2);
      const needles = materials.flatMap((material) => [
        material,
        Buffer.from(material.toString("hex")),
        Buffer.from(material.toString("hex").toUpperCase()),
        Buffer.from(material.toString("base64")),
        Buffer.from(material.toString("base64url")),
      ]);
      const escrowDirs = [join(work, "escrow"), join(work, "rotation-escrow")];
      const scanned = filesUnder(work).filter(
        (path) =>
          !escrowDirs.some((dir) => path.startsWith(dir)) && path !== join(work, "sandbox", "state.json"),
      );
      const names = scanned.map((path) => path.split("/").at(-1));
      for (const name of [
        "ceremony.jsonl",
        "cdk.tf.json",
        "ImportToken.bin",
        "EncryptedKeyMaterial.bin",
        "params.json",
      ]) {
        expect(names).toContain(name);
      }
      expect(names.some((name) => name?.endsWith(".tfstate"))).toBe(true);
      const haystacks = [...scanned.map((path) => ({ where: path, bytes: readFileSync(path) }))].concat(
        outputs.map((text, index) => ({ where: `output #${index}`, bytes: Buffer.from(text) })),
      );
      const leaks = haystacks.flatMap(({ where, bytes }) =>
        needles.some((needle) => bytes.includes(needle)) ? [where] : [],
      );
      expect(leaks).toEqual([]);
      // The scan can find material: the escrow-free sandbox state does hold it (the scan is not blind).
      const state = readFileSync(join(work, "sandbox", "state.json"));
      expect(needles.some((needle) => state.includes(needle))).toBe(true);
      for (const dir of escrowDirs)
        for (const file of filesUnder(dir)) expect(statSync(file).mode & 0o777).toBe(0o600);
    });
  },
);
