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
  /**
   * Wrapping key pairs GetParametersForImport reuses per size (`--wrapping-key-pool`). 0 (the default, as
   * AWS) makes a fresh RSA pair per call, the sandbox's main CPU cost; 2 still gives two calls in a row
   * different keys. Use it wherever fresh wrapping keys are not what the test is about.
   */
  wrappingKeyPool?: number;
  /** Further `keyplane sandbox` flags. */
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
  if (options.wrappingKeyPool !== undefined)
    args.push("--wrapping-key-pool", String(options.wrappingKeyPool));
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

/**
 * One sandbox for the whole test file: started in `beforeAll`, stopped in `afterAll`. The returned
 * `sandbox` forwards to the running one and `kms` is a client that finds the sandbox's address at its first
 * request, so both can be module-level constants: `const { sandbox, kms } = useSandbox();`.
 */
export function useSandbox(options: SandboxStartOptions = {}): { sandbox: SandboxHandle; kms: KMSClient } {
  let running: SandboxHandle | undefined;
  const started = (): SandboxHandle => {
    if (!running) throw new Error("useSandbox: the sandbox is used outside a test (it starts in beforeAll)");
    return running;
  };
  const kms = new KMSClient({
    region: options.region ?? "us-east-1",
    credentials: DUMMY_CREDENTIALS,
    endpoint: async () => ({ url: new URL(started().url) }),
  });
  beforeAll(async () => {
    running = await startSandbox(options);
  }, 60_000);
  afterAll(async () => {
    kms.destroy();
    await running?.stop();
  });
  const sandbox: SandboxHandle = {
    get url() {
      return started().url;
    },
    get port() {
      return started().port;
    },
    get region() {
      return started().region;
    },
    get accountId() {
      return started().accountId;
    },
    get process() {
      return started().process;
    },
    kms: (config) => started().kms(config),
    env: () => started().env(),
    advanceClock: (duration) => started().advanceClock(duration),
    setClock: (iso) => started().setClock(iso),
    stop: () => started().stop(),
  };
  return { sandbox, kms };
}
