import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { createKmsClient } from "../../byok/kms/client";
import { createLimiter, mapLimited } from "../../byok/kms/limiter";
import { runCli } from "../support/cli";
import { DUMMY_CREDENTIALS, startSandbox } from "../support/sandbox";

describe("fleet scale under AWS's request quotas", () => {
  test("expiry reads 300 keys concurrently, paced to the quotas: no request is throttled", async () => {
    const sandbox = await startSandbox({ quotas: "aws" });
    // keyplane's own client (adaptive retry) creates the fleet too; credentials come from the environment.
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
});
