import {
  CreateKeyCommand,
  KMSClient,
  ListKeysCommand,
  UpdateKeyDescriptionCommand,
} from "@aws-sdk/client-kms";
import { runCli } from "../support/cli";
import { DUMMY_CREDENTIALS, type SandboxHandle, startSandbox } from "../support/sandbox";

const SIGNED =
  "AWS4-HMAC-SHA256 Credential=AKIAKEYPLANETEST0000/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00";

describe("wire protocol", () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ accountId: "222222222222", region: "eu-central-1" });
  });
  afterAll(() => sandbox.stop());

  const post = (headers: Record<string, string>, body: string) =>
    fetch(sandbox.url, { method: "POST", headers, body });

  test("a request without a SigV4 Authorization header is refused as AWS does", async () => {
    const response = await post(
      { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.ListKeys" },
      "{}",
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: "MissingAuthenticationTokenException",
      message: "Missing Authentication Token",
    });
  });

  test("answers in AWS JSON 1.1 with epoch-second timestamps", async () => {
    const response = await post(
      {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "TrentService.CreateKey",
        Authorization: SIGNED,
      },
      "{}",
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    const body = (await response.json()) as { KeyMetadata: { CreationDate: unknown; Arn: string } };
    expect(typeof body.KeyMetadata.CreationDate).toBe("number");
    expect(Math.abs((body.KeyMetadata.CreationDate as number) * 1000 - Date.now())).toBeLessThan(60_000);
    expect(body.KeyMetadata.Arn).toMatch(/^arn:aws:kms:us-east-1:222222222222:key\//);
  });

  test("unknown operations and malformed bodies are errors with AWS's names", async () => {
    for (const name of ["Fly", "toString", "constructor"]) {
      const unknown = await post(
        {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `TrentService.${name}`,
          Authorization: SIGNED,
        },
        "{}",
      );
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { __type: string }).__type).toBe("UnknownOperationException");
    }
    const malformed = await post(
      {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "TrentService.ListKeys",
        Authorization: SIGNED,
      },
      "{not json",
    );
    expect(((await malformed.json()) as { __type: string }).__type).toBe("SerializationException");
  });

  test("STS GetCallerIdentity answers in the query protocol with the configured account", async () => {
    const response = await post(
      {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        Authorization: SIGNED.replace("/kms/", "/sts/"),
      },
      "Action=GetCallerIdentity&Version=2011-06-15",
    );
    expect(response.status).toBe(200);
    const xml = await response.text();
    expect(xml).toContain("<GetCallerIdentityResponse");
    expect(xml).toContain("<Account>222222222222</Account>");
  });

  test("STS GetCallerIdentity also answers in JSON 1.0 for SDKs that use it", async () => {
    const response = await post(
      {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AWSSecurityTokenServiceV20110615.GetCallerIdentity",
        Authorization: SIGNED.replace("/kms/", "/sts/"),
      },
      "{}",
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ Account: "222222222222" });
  });

  test("keys live in the region each request is signed for; the handle's region is the configured one", async () => {
    expect(sandbox.region).toBe("eu-central-1");
    const kms = sandbox.kms();
    const created = await kms.send(new CreateKeyCommand({}));
    expect(created.KeyMetadata?.Arn).toMatch(/^arn:aws:kms:eu-central-1:222222222222:key\//);
    const elsewhere = new KMSClient({
      endpoint: sandbox.url,
      region: "ap-south-1",
      credentials: DUMMY_CREDENTIALS,
    });
    try {
      expect((await elsewhere.send(new ListKeysCommand({}))).Keys).toEqual([]);
    } finally {
      elsewhere.destroy();
    }
  });

  test("the clock endpoint refuses what it does not understand", async () => {
    const response = await fetch(`${sandbox.url}/_sandbox/clock`, {
      method: "POST",
      body: '{"advance":"soon"}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe("ValidationException");
  });
});

describe("quotas, latency and faults", () => {
  test("--quotas aws throttles past AWS's rate (UpdateKeyDescription: 5 per second)", async () => {
    const sandbox = await startSandbox({ quotas: "aws" });
    const kms = sandbox.kms({ maxAttempts: 1 });
    try {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          kms.send(new UpdateKeyDescriptionCommand({ KeyId: KeyMetadata!.KeyId, Description: `d${i}` })),
        ),
      );
      const throttled = results.filter(
        (result) => result.status === "rejected" && (result.reason as Error).name === "ThrottlingException",
      );
      const passed = results.filter((result) => result.status === "fulfilled");
      expect(throttled.length).toBeGreaterThan(0);
      expect(passed.length).toBeGreaterThanOrEqual(5);
      expect(throttled.length + passed.length).toBe(20);
    } finally {
      kms.destroy();
      await sandbox.stop();
    }
  });

  test("without --quotas nothing is throttled", async () => {
    const sandbox = await startSandbox();
    const kms = sandbox.kms({ maxAttempts: 1 });
    try {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          kms.send(new UpdateKeyDescriptionCommand({ KeyId: KeyMetadata!.KeyId, Description: `d${i}` })),
        ),
      );
    } finally {
      kms.destroy();
      await sandbox.stop();
    }
  });

  test.each([
    ["throttle:1", "ThrottlingException"],
    ["5xx:1", "KMSInternalException"],
  ])("--faults %s fails every request with %s", async (faults, name) => {
    const sandbox = await startSandbox({ faults });
    const kms = sandbox.kms({ maxAttempts: 1 });
    try {
      await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({ name });
    } finally {
      kms.destroy();
      await sandbox.stop();
    }
  });

  test("--faults reset:1 drops the connection", async () => {
    const sandbox = await startSandbox({ faults: "reset:1" });
    try {
      await expect(
        fetch(sandbox.url, {
          method: "POST",
          headers: { "X-Amz-Target": "TrentService.ListKeys", Authorization: SIGNED },
          body: "{}",
        }),
      ).rejects.toThrow();
    } finally {
      await sandbox.stop();
    }
  });

  test("--faults lost:1 carries the request out, then drops the connection", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const stateFile = join(mkdtempSync(join(tmpdir(), "keyplane-lost-")), "state.json");
    const lossy = await startSandbox({ faults: "lost:1", stateFile });
    try {
      await expect(
        fetch(lossy.url, {
          method: "POST",
          headers: { "X-Amz-Target": "TrentService.CreateKey", Authorization: SIGNED },
          body: "{}",
        }),
      ).rejects.toThrow();
    } finally {
      await lossy.stop();
    }
    const calm = await startSandbox({ stateFile });
    try {
      expect((await calm.kms().send(new ListKeysCommand({}))).Keys).toHaveLength(1);
    } finally {
      await calm.stop();
    }
  });

  test("--latency still answers correctly", async () => {
    const sandbox = await startSandbox({ latencyMs: 20 });
    const kms = sandbox.kms();
    try {
      expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  });
});

describe("keyplane sandbox command line", () => {
  test.each(["SIGINT", "SIGTERM"] as const)("%s stops it cleanly with exit code 0", async (signal) => {
    const sandbox = await startSandbox();
    const exit = new Promise<number | null>((resolve) =>
      sandbox.process.once("exit", (code) => resolve(code)),
    );
    sandbox.process.kill(signal);
    expect(await exit).toBe(0);
  });

  test("--clock-offset starts the clock ahead of real time", async () => {
    const sandbox = await startSandbox({ clockOffset: "30d" });
    try {
      const created = await sandbox.kms().send(new CreateKeyCommand({}));
      const days = (created.KeyMetadata!.CreationDate!.getTime() - Date.now()) / 86_400_000;
      expect(Math.round(days)).toBe(30);
    } finally {
      await sandbox.stop();
    }
  });

  test.each([
    [["--port", "abc"], "--port: expected a whole number from 0 to 65535, got 'abc'"],
    [["--port", "70000"], "--port: expected a whole number from 0 to 65535, got '70000'"],
    [["--faults", "explode:0.5"], "--faults: expected name:probability pairs"],
    [["--faults", "throttle:2"], "--faults: expected name:probability pairs"],
    [["--account-id", "12"], "--account-id: expected 12 digits, got '12'"],
    [["--clock-offset", "soon"], "--clock-offset: expected a duration like 30d, 12h or 2w, got 'soon'"],
    [["--latency", "-1"], "--latency: expected a whole number from 0 to 60000, got '-1'"],
  ])("refuses %j with one line and exit code 2", async (args, message) => {
    const result = await runCli(["sandbox", "--port", "0", ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe("");
  });

  test("--quotas accepts only aws or off", async () => {
    const result = await runCli(["sandbox", "--quotas", "maybe"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--quotas");
  });

  test("a port in use is a one-line error naming it", async () => {
    const first = await startSandbox();
    try {
      const result = await runCli(["sandbox", "--port", String(first.port)]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `keyplane: cannot listen on 127.0.0.1:${first.port}: EADDRINUSE (choose another --host or --port; --port 0 picks a free one)`,
      );
    } finally {
      await first.stop();
    }
  });

  test("a state file that cannot be written is a one-line error", async () => {
    const result = await runCli([
      "sandbox",
      "--port",
      "0",
      "--state",
      "/nonexistent-keyplane-dir/state.json",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      "keyplane: /nonexistent-keyplane-dir/state.json: cannot write the sandbox state (ENOENT)",
    );
  });

  test("an unreadable state file is a one-line error", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "keyplane-state-")), "state.json");
    writeFileSync(file, "{ broken");
    const result = await runCli(["sandbox", "--port", "0", "--state", file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`keyplane: ${file}: not a readable sandbox state file`);
  });
});
