import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { createKmsClient } from "../../byok/kms/client";
import { createLimiter, mapLimited } from "../../byok/kms/limiter";
import { runCli } from "../support/cli";
import { DUMMY_CREDENTIALS, startSandbox } from "../support/sandbox";

interface ExpiryMaterial {
  keyArn: string;
  status: string;
}

function byKey(stdout: string): ExpiryMaterial[] {
  const report = JSON.parse(stdout) as { materials: ExpiryMaterial[] };
  return report.materials.sort((a, b) => a.keyArn.localeCompare(b.keyArn));
}

describe("fleet scale under AWS's request quotas", () => {
  test("expiry reads 300 keys concurrently, paced to the quotas: no request is throttled", async () => {
    const sandbox = await startSandbox({ quotas: "aws" });
    // keyplane's own client (paced, retried) creates the fleet too; credentials come from the environment.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    });
    const client = createKmsClient({ endpointUrl: sandbox.url, region: sandbox.region, maxAttempts: 20 });
    try {
      await mapLimited(createLimiter(10), [...Array(300).keys()], () =>
        client.send(
          new CreateKeyCommand({
            Origin: "EXTERNAL",
            Tags: [{ TagKey: "keyplane:plan", TagValue: "fleet" }],
          }),
        ),
      );
      const result = await runCli(["--output", "json", "expiry", "--plan", "fleet"], {
        env: sandbox.env(),
        timeoutMs: 120_000,
      });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(3);
      const report = JSON.parse(result.stdout);
      expect(report.materials).toHaveLength(300);
      expect(report.materials.every((m: { status: string }) => m.status === "pending-import")).toBe(true);
      // keyplane's clients (the seeding above and the CLI) pace to the quotas, so KMS never throttles them.
      const stats = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as {
        requests: Record<string, number>;
        throttled: Record<string, number>;
      };
      expect(stats.requests.ListResourceTags).toBe(300);
      expect(stats.throttled).toEqual({});
    } finally {
      client.destroy();
      await sandbox.stop();
    }
  }, 150_000);

  test("under injected throttles, 5xx answers and dropped connections, expiry reports exactly what it reports without", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keyplane-faults-"));
    const stateFile = join(dir, "state.json");
    const calm = await startSandbox({ stateFile });
    let baseline: ExpiryMaterial[];
    try {
      const kms = calm.kms();
      for (let i = 0; i < 40; i += 1) {
        await kms.send(
          new CreateKeyCommand({
            Origin: i % 2 === 0 ? "EXTERNAL" : "AWS_KMS",
            Tags: [{ TagKey: "keyplane:plan", TagValue: "fleet" }],
          }),
        );
      }
      kms.destroy();
      const calmRun = await runCli(["--output", "json", "expiry", "--plan", "fleet"], { env: calm.env() });
      expect(calmRun.code).toBe(3);
      baseline = byKey(calmRun.stdout);
      expect(baseline).toHaveLength(20);
    } finally {
      await calm.stop();
    }
    // The rates of the reliability report's harshest run (D16): every request has a 28 % chance to fail.
    const faulty = await startSandbox({
      stateFile,
      quotas: "aws",
      faults: "throttle:0.2,5xx:0.05,reset:0.03",
    });
    try {
      const faultyRun = await runCli(["--output", "json", "expiry", "--plan", "fleet"], {
        env: faulty.env(),
        timeoutMs: 120_000,
      });
      expect(faultyRun.stderr).toBe("");
      expect(faultyRun.code).toBe(3);
      expect(byKey(faultyRun.stdout)).toEqual(baseline);
    } finally {
      await faulty.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
