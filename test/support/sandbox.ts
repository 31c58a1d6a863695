import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { KMSClient } from "@aws-sdk/client-kms";
import { CLI } from "./cli";

export interface SandboxStartOptions {
  stateFile?: string;
  quotas?: "aws" | "off";
  latencyMs?: number;
  faults?: string;
  clockOffset?: string;
  accountId?: string;
  region?: string;
  /** Further `keyplane sandbox` flags, e.g. ["--wrapping-key-pool", "2"]. */
  extraArgs?: string[];
}

export interface SandboxHandle {
  url: string;
  port: number;
  region: string;
  accountId: string;
  /** A KMS client pointed at the sandbox with dummy credentials. */
  /** `maxAttempts: 1` sees throttles and faults as they are sent instead of retried away. */
  kms(config?: { maxAttempts?: number }): KMSClient;
  /** AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_STS, AWS_REGION and dummy credentials. */
  env(): Record<string, string>;
  advanceClock(duration: string): Promise<void>;
  setClock(iso: string): Promise<void>;
  stop(): Promise<void>;
  /** The child process (tests of crash recovery kill it with SIGKILL). */
  readonly process: ChildProcessWithoutNullStreams;
}

export const DUMMY_CREDENTIALS = {
  accessKeyId: "AKIAKEYPLANETEST0000",
  secretAccessKey: "keyplane-test-secret",
};

const READY = /^keyplane sandbox listening on (http:\/\/\S+?):(\d+)$/m;

/** Starts `keyplane sandbox --port 0` in a child process and resolves once it listens. */
export function startSandbox(options: SandboxStartOptions = {}): Promise<SandboxHandle> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "111111111111";
  const args = [CLI, "sandbox", "--port", "0", "--account-id", accountId];
  if (options.stateFile) args.push("--state", options.stateFile);
  if (options.quotas) args.push("--quotas", options.quotas);
  if (options.latencyMs !== undefined) args.push("--latency", String(options.latencyMs));
  if (options.faults) args.push("--faults", options.faults);
  if (options.clockOffset) args.push("--clock-offset", options.clockOffset);
  if (options.extraArgs) args.push(...options.extraArgs);
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env } });
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const onExit = (code: number | null) =>
      reject(new Error(`keyplane sandbox exited (${code}) before listening: ${stderr.trim()}`));
    child.once("exit", onExit);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = READY.exec(stdout);
      if (!match?.[1] || !match[2]) return;
      child.off("exit", onExit);
      resolve(handle(child, `${match[1]}:${match[2]}`, Number(match[2]), region, accountId));
    });
  });
}

function handle(
  child: ChildProcessWithoutNullStreams,
  url: string,
  port: number,
  region: string,
  accountId: string,
): SandboxHandle {
  const clients: KMSClient[] = [];
  const clock = async (body: Record<string, string>) => {
    const response = await fetch(`${url}/_sandbox/clock`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`sandbox clock: ${response.status} ${await response.text()}`);
  };
  return {
    url,
    port,
    region,
    accountId,
    process: child,
    kms(config = {}) {
      const client = new KMSClient({ endpoint: url, region, credentials: DUMMY_CREDENTIALS, ...config });
      clients.push(client);
      return client;
    },
    env() {
      return {
        AWS_ENDPOINT_URL_KMS: url,
        AWS_ENDPOINT_URL_STS: url,
        AWS_REGION: region,
        // boto3 reads only AWS_DEFAULT_REGION.
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
      };
    },
    advanceClock: (duration) => clock({ advance: duration }),
    setClock: (iso) => clock({ set: iso }),
    stop() {
      for (const client of clients) client.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    },
  };
}
