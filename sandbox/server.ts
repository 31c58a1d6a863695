import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { KeyplaneError } from "../byok/errors";
import { type Caller, Principals } from "./auth/principals";
import { signingAccessKey, viaService } from "./auth/request";
import { Clock } from "./clock";
import { type Context, findKey } from "./context";
import { answerEstate } from "./estate-route";
import { drawFault, type FaultRates } from "./faults";
import { recordLastUsage } from "./last-usage";
import { applyTime } from "./lifecycle";
import type { KeyRecord } from "./model";
import {
  answerClientError,
  errors,
  type Input,
  KmsError,
  MAX_HEADER_BYTES,
  parseJsonInput,
  readBody,
  sendError,
  sendJson,
  signedRegion,
} from "./protocol";
import { Quotas } from "./quotas";
import { OPERATIONS } from "./router";
import { Store } from "./store";
import { answerJson, answerQuery } from "./sts";
import { WrappingKeys } from "./wrapping-keys";

export interface SandboxOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  stateFile?: string;
  latencyMs: number;
  quotas: boolean;
  faults: FaultRates;
  /** Start the clock this far from real time; by default the offset saved in the state file (or none). */
  clockOffsetMs?: number;
  accountId: string;
  /** From `--principals FILE`: who signs with which access key (DESIGN.md, Sandbox). */
  principals?: Principals;
  /** Authorise every KMS request by key policy, grants and identity policies (`--enforce-policies`). */
  enforcePolicies?: boolean;
  /**
   * Wrapping key pairs GetParametersForImport may reuse per size (0: a fresh pair every call, as AWS does).
   * RSA-4096 generation takes over a second here, so batch rehearsals would measure the sandbox, not the run.
   */
  wrappingKeyPool?: number;
}

export interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

const KMS_PREFIX = "TrentService.";
const STS_JSON_PREFIX = "AWSSecurityTokenServiceV20110615.";

export class Sandbox {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly quotas: Quotas | undefined;
  private readonly wrappingKeys: WrappingKeys;
  private readonly principals: Principals;
  /** Loaded only with --enforce-policies: the policy evaluator is a large dependency a plain sandbox skips. */
  private readonly authorize: typeof import("./auth/authorize").authorizeRequest | undefined;
  /** Requests and quota throttles per operation since start: GET /_sandbox/stats. */
  private readonly stats = {
    requests: {} as Record<string, number>,
    throttled: {} as Record<string, number>,
  };

  constructor(private readonly options: SandboxOptions) {
    this.store = new Store(options.stateFile);
    this.clock = new Clock(options.clockOffsetMs ?? this.store.clockOffsetMs ?? 0);
    this.store.clockOffsetMs = this.clock.offset;
    this.quotas = options.quotas ? new Quotas() : undefined;
    this.wrappingKeys = new WrappingKeys(options.wrappingKeyPool ?? 0);
    this.principals = options.principals ?? Principals.none(options.accountId);
    this.authorize = options.enforcePolicies
      ? (require("./auth/authorize") as typeof import("./auth/authorize")).authorizeRequest
      : undefined;
    applyTime(this.store, this.clock.now());
    // Written once at start, so an unwritable --state fails now rather than on the first change.
    try {
      this.store.save();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new KeyplaneError("FILE", `${options.stateFile}: cannot write the sandbox state (${code})`, {
        cause: error,
      });
    }
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const path = (request.url ?? "/").split("?", 1)[0];
      if (path === "/_sandbox/clock") return await this.clockControl(request, response, requestId);
      if (path === "/_sandbox/stats") return sendJson(response, 200, this.stats, requestId);
      if (request.method !== "POST")
        throw new KmsError("UnknownOperationException", "Only POST / is supported", 404);
      const body = await readBody(request);
      if (answerEstate(request, response, path, body, this.principals)) return;
      const target = request.headers["x-amz-target"];
      if (typeof target === "string" && target.startsWith(STS_JSON_PREFIX)) {
        signedRegion(request);
        const operation = target.slice(STS_JSON_PREFIX.length);
        return answerJson(response, operation, body, this.principals, signingAccessKey(request));
      }
      if (typeof target !== "string") {
        const contentType = request.headers["content-type"] ?? "";
        if (contentType.startsWith("application/x-www-form-urlencoded")) {
          signedRegion(request);
          return answerQuery(response, body.toString("utf8"), this.principals, signingAccessKey(request));
        }
        throw new KmsError("UnknownOperationException", "Missing X-Amz-Target header");
      }
      await this.kms(request, response, target, body, requestId);
    } catch (error) {
      if (!(error instanceof KmsError)) {
        // Internal faults are the sandbox's own bugs: say so on stderr (one line), answer as KMS would.
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(
          `keyplane sandbox: internal error (request ${requestId}): ${message.split("\n", 1)[0]}\n`,
        );
      }
      if (response.headersSent) return;
      sendError(response, error instanceof KmsError ? error : errors.internal(), requestId);
    }
  }

  private async kms(
    request: IncomingMessage,
    response: ServerResponse,
    target: string,
    body: Buffer,
    requestId: string,
  ): Promise<void> {
    const path = (request.url ?? "/").split("?", 1)[0];
    // The AWS JSON protocol posts every operation to "/"; anything else is no KMS operation.
    if (path !== "/") {
      throw new KmsError("UnknownOperationException", `No operation at ${path}: KMS answers POST /`, 404);
    }
    const name = target.startsWith(KMS_PREFIX) ? target.slice(KMS_PREFIX.length) : "";
    const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
    if (!operation) throw new KmsError("UnknownOperationException", `Unknown operation ${target}`);
    const region = signedRegion(request);
    const caller = this.principals.caller(signingAccessKey(request));
    if (!caller) {
      throw new KmsError(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
    }
    const fault = drawFault(this.options.faults);
    if (fault === "reset") {
      request.socket.destroy();
      return;
    }
    if (fault === "5xx") throw errors.internal("Injected fault: internal error");
    if (fault === "throttle") throw errors.throttling();
    if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);
    const input = parseJsonInput(body);
    const context = this.context(region, caller);
    count(this.stats.requests, name);
    const pairSpec = typeof input.KeyPairSpec === "string" ? input.KeyPairSpec : undefined;
    if (
      this.quotas &&
      !this.quotas.take(name, region, namedKey(context, input), Date.now(), pairSpec, context.accountId)
    ) {
      count(this.stats.throttled, name);
      throw errors.throttling();
    }
    this.authorize?.(name, input, context, viaService(request));
    const output = await operation.run(context, input);
    recordLastUsage(context, name, output, requestId);
    if (operation.mutates) await this.store.saveSoon();
    if (fault === "lost") {
      request.socket.destroy();
      return;
    }
    sendJson(response, 200, output, requestId);
  }

  /** A fresh context per request: time is applied first, so expired material or due rotations show at once. */
  private context(region: string, caller: Caller): Context {
    const now = this.clock.now();
    if (applyTime(this.store, now)) this.store.save();
    return {
      store: this.store,
      wrappingKeys: this.wrappingKeys,
      region,
      accountId: caller.accountId,
      caller,
      now,
    };
  }

  /** POST /_sandbox/clock {"advance":"3d"} | {"set":"<ISO>"}; GET answers the current time. */
  private async clockControl(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<void> {
    if (request.method === "POST") {
      const input = parseJsonInput(await readBody(request));
      try {
        if (typeof input.advance === "string") this.clock.advance(input.advance);
        else if (typeof input.set === "string") this.clock.set(input.set);
        else throw new Error('expected {"advance": "3d"} or {"set": "<ISO time>"}');
      } catch (error) {
        throw errors.validation(error instanceof Error ? error.message : String(error));
      }
      this.store.clockOffsetMs = this.clock.offset;
      applyTime(this.store, this.clock.now());
      this.store.save();
    }
    sendJson(response, 200, { now: new Date(this.clock.now()).toISOString() }, requestId);
  }
}

function count(counts: Record<string, number>, name: string): void {
  counts[name] = (counts[name] ?? 0) + 1;
}

/** The key a request names, if any and if it exists (quotas of cryptographic operations depend on its type). */
function namedKey(context: Context, input: Input): KeyRecord | undefined {
  const identifier = input.KeyId ?? input.DestinationKeyId;
  if (typeof identifier !== "string") return undefined;
  try {
    return findKey(context, identifier, { alias: true });
  } catch {
    return undefined;
  }
}

/** Starts the sandbox; resolves once it listens. */
export function startSandboxServer(options: SandboxOptions): Promise<RunningSandbox> {
  const sandbox = new Sandbox(options);
  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    void sandbox.handle(request, response);
  });
  server.on("clientError", answerClientError);
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) =>
      reject(
        new KeyplaneError(
          "INVALID_INPUT",
          `cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`,
          {
            hint: "choose another --host or --port; --port 0 picks a free one",
            cause: error,
          },
        ),
      );
    server.once("error", refuse);
    server.listen(options.port, options.host, () => {
      server.off("error", refuse);
      const port = (server.address() as AddressInfo).port;
      const host = options.host.includes(":") ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
