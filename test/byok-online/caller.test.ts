import { createServer } from "node:net";
import { callerIdentity } from "../../byok/kms/caller";
import { DUMMY_CREDENTIALS, type SandboxHandle, startSandbox } from "../support/sandbox";

describe("callerIdentity (the journal's caller)", () => {
  let sandbox: SandboxHandle;
  const saved = { ...process.env };
  beforeAll(async () => {
    sandbox = await startSandbox({ accountId: "222222222222" });
    delete process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ACCESS_KEY_ID = DUMMY_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = DUMMY_CREDENTIALS.secretAccessKey;
  });
  afterAll(async () => {
    process.env = saved;
    await sandbox.stop();
  });

  test("asks STS at the KMS endpoint override when AWS_ENDPOINT_URL_STS is not set", async () => {
    expect(await callerIdentity({ endpointUrl: sandbox.url, region: "eu-west-1" })).toBe(
      "arn:aws:iam::222222222222:user/keyplane-sandbox",
    );
  });

  test("AWS_ENDPOINT_URL_STS wins over the KMS endpoint", async () => {
    process.env.AWS_ENDPOINT_URL_STS = sandbox.url;
    try {
      expect(await callerIdentity({ endpointUrl: "http://127.0.0.1:9", region: "us-east-1" })).toBe(
        "arn:aws:iam::222222222222:user/keyplane-sandbox",
      );
    } finally {
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
  });

  test("an unreachable STS is recorded as unknown with the reason, never thrown", async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const caller = await callerIdentity({ endpointUrl: `http://127.0.0.1:${port}`, region: "us-east-1" });
    expect(caller).toMatch(/^unknown \(GetCallerIdentity failed: \w+\)$/);
  });
});
