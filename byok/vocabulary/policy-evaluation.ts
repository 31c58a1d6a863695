/**
 * How KMS authorises a request, as one shared piece of vocabulary: the sandbox's `--enforce-policies` and the
 * stacks' access matrix (`plan access`, its guardrail) decide with the same code.
 *
 * The one door to the IAM policy evaluator (@cloud-copilot/iam-simulate, pinned exactly; README's dependency
 * table says why). It decides one request the way AWS does for KMS: the key policy first (a statement naming
 * the account root delegates to the caller's identity policies), identity policies, explicit deny over allow,
 * cross-account requests needing both sides.
 *
 * The evaluator is AGPL-3.0-or-later and keyplane Apache-2.0, so it is an optional peer dependency, never in
 * a default install: it is loaded on first use, and when it is missing `evaluatorMissing()` says how to opt
 * in. The imports below are types only (erased from the compiled JavaScript).
 *
 * It calls the library's core `authorize` rather than its `runSimulation`, for two measured reasons:
 * `runSimulation` drops every `kms:EncryptionContext:<key>` context key (its check of allowed keys only knows
 * `/`-separated variable keys such as `aws:PrincipalTag/x`), so an encryption-context condition could never
 * match; and it costs about 3 ms a request (validation and action-data look-ups), where `authorize` on
 * policies parsed once costs about 1 ms. Decisions are also remembered per request shape (below).
 */
import { dirname, join } from "node:path";
import type { loadPolicy as LoadPolicy, Policy } from "@cloud-copilot/iam-policy";
import type { getDenialReasons as GetDenialReasons, RequestAnalysis } from "@cloud-copilot/iam-simulate";
import { KeyplaneError } from "../errors";

/**
 * The evaluator's packages at the exact versions keyplane is tested with (package.json's
 * `peerDependencies` and `devDependencies` say the same; a test holds them equal).
 */
export const EVALUATOR_PACKAGES: Readonly<Record<string, string>> = {
  "@cloud-copilot/iam-simulate": "0.1.173",
  "@cloud-copilot/iam-policy": "0.1.109",
};

export const EVALUATOR_INSTALL = `npm install ${Object.entries(EVALUATOR_PACKAGES)
  .map(([name, version]) => `${name}@${version}`)
  .join(" ")}`;

type NamedPolicy = Policy<{ name: string }>;

interface CoreEngine {
  authorize(request: {
    request: unknown;
    sessionPolicy: undefined;
    identityPolicies: NamedPolicy[];
    serviceControlPolicies: [];
    resourceControlPolicies: [];
    resourcePolicy: NamedPolicy | undefined;
    permissionBoundaries: undefined;
    vpcEndpointPolicies: undefined;
    simulationParameters: { simulationMode: "Strict"; discoveryContextKeyConstraints: unknown };
    serviceSettings: { s3: Record<string, never> };
  }): RequestAnalysis;
}

/**
 * The library: its public `loadPolicy` and `getDenialReasons`, and its core modules by path (its package
 * `exports` publish only `runSimulation`, see above).
 */
function load() {
  const policy = require("@cloud-copilot/iam-policy") as { loadPolicy: typeof LoadPolicy };
  const simulate = require("@cloud-copilot/iam-simulate") as { getDenialReasons: typeof GetDenialReasons };
  const base = dirname(require.resolve("@cloud-copilot/iam-simulate"));
  const engine = require(join(base, "core_engine", "CoreSimulatorEngine.js")) as CoreEngine;
  const { AwsRequestImpl } = require(join(base, "request", "request.js")) as {
    AwsRequestImpl: new (
      principal: string,
      resource: { resource: string; accountId: string },
      action: string,
      context: unknown,
      wildcardOnlyAction: boolean,
    ) => unknown;
  };
  const { RequestContextImpl } = require(join(base, "requestContext.js")) as {
    RequestContextImpl: new (values: Record<string, string | string[]>) => unknown;
  };
  const { DiscoveryContextKeyConstraints } = require(
    join(base, "context_keys", "discoveryContextKeyConstraints.js"),
  ) as { DiscoveryContextKeyConstraints: new (constraints: []) => unknown };
  return {
    loadPolicy: policy.loadPolicy,
    getDenialReasons: simulate.getDenialReasons,
    engine,
    AwsRequestImpl,
    RequestContextImpl,
    strictMode: new DiscoveryContextKeyConstraints([]),
  };
}

let loaded: ReturnType<typeof load> | undefined;

/** Why the evaluator cannot run: not installed (the default). */
export function evaluatorMissing(): KeyplaneError {
  return new KeyplaneError(
    "NOT_AVAILABLE",
    "the IAM policy evaluator is not installed: @cloud-copilot/iam-simulate is AGPL-3.0-or-later, so keyplane (Apache-2.0) leaves it out by default and you opt in",
    { hint: `install it with: ${EVALUATOR_INSTALL}` },
  );
}

/** The evaluator, loaded once; a KeyplaneError (evaluatorMissing) when it is not installed. */
function evaluator(): ReturnType<typeof load> {
  if (loaded) return loaded;
  try {
    loaded = load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The packages, or one of their own dependencies (@cloud-copilot/iam-utils, ...), are absent.
    if (code === "MODULE_NOT_FOUND" && String(error).includes("@cloud-copilot/")) {
      throw evaluatorMissing();
    }
    throw error;
  }
  return loaded;
}

/** Whether the evaluator can be loaded (the access-matrix guardrail reports "not evaluated" without it). */
export function evaluatorInstalled(): boolean {
  try {
    evaluator();
    return true;
  } catch (error) {
    if (error instanceof KeyplaneError) return false;
    throw error;
  }
}

/** Throws evaluatorMissing() unless the evaluator loads: commands that need it check before doing anything. */
export function requireEvaluator(): void {
  evaluator();
}

/** As the library names the outcome of one decision. */
export type EvaluationResult = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export type PolicyJson = Record<string, unknown>;

export interface EvaluationRequest {
  /** The caller as IAM names it (an assumed-role session ARN, or a user ARN). */
  principal: string;
  /** `kms:Decrypt`, ... */
  action: string;
  /** A key or alias ARN, or `*` for actions without a resource (CreateKey, ListKeys). */
  resource: string;
  /** The account owning the resource (for `*`, the caller's). */
  resourceAccount: string;
  /** The key policy, as stored (JSON text). */
  keyPolicy?: string;
  identityPolicies: readonly PolicyJson[];
  context: Readonly<Record<string, string | string[]>>;
}

export interface Evaluation {
  result: EvaluationResult;
  /** Which side refused, for AWS's wording of the denial. */
  deniedBy?: { policy: "resource" | "identity"; explicit: boolean };
}

interface Parsed {
  policies: NamedPolicy[];
  /** Context keys the documents read (condition keys and `${...}` variables), lower-cased. */
  reads: Set<string>;
}

/** Parsed policies are kept per document (a key policy's text, an identity policy list's identity). */
const parsedKeyPolicies = new Map<string, Parsed>();
const parsedIdentityPolicies = new WeakMap<readonly PolicyJson[], Parsed & { id: number }>();
let identityListCount = 0;
/**
 * Decisions are pure functions of (principal, action, resource, policies, and the context keys those policies
 * read); a sandbox sees the same request shapes over and over (a fleet scan, Terraform's polling, an
 * application's Encrypt with a fresh encryption context its key policy does not look at), so it remembers
 * them. Bounded: cleared when full rather than evicted one by one (both are cheap next to one evaluation).
 */
const decisions = new Map<string, Evaluation>();
const MAX_REMEMBERED = 20_000;

function keyPolicy(text: string): Parsed {
  let parsed = parsedKeyPolicies.get(text);
  if (!parsed) {
    if (parsedKeyPolicies.size >= MAX_REMEMBERED) parsedKeyPolicies.clear();
    const document = JSON.parse(text) as PolicyJson;
    parsed = {
      policies: [evaluator().loadPolicy(document, { name: "key-policy" })],
      reads: contextKeysRead([document]),
    };
    parsedKeyPolicies.set(text, parsed);
  }
  return parsed;
}

function identityPolicies(list: readonly PolicyJson[]): Parsed & { id: number } {
  let entry = parsedIdentityPolicies.get(list);
  if (!entry) {
    identityListCount += 1;
    entry = {
      id: identityListCount,
      policies: list.map((policy, index) =>
        evaluator().loadPolicy(policy, { name: `identity-policy-${index + 1}` }),
      ),
      reads: contextKeysRead(list),
    };
    parsedIdentityPolicies.set(list, entry);
  }
  return entry;
}

/** Every context key a decision on these documents can depend on: condition keys and policy variables. */
function contextKeysRead(documents: readonly PolicyJson[]): Set<string> {
  const reads = new Set<string>();
  for (const document of documents) {
    const statements = ([] as unknown[]).concat(document.Statement ?? []);
    for (const statement of statements) {
      const condition = (statement as { Condition?: unknown }).Condition;
      if (condition === null || typeof condition !== "object") continue;
      for (const block of Object.values(condition)) {
        if (block !== null && typeof block === "object") {
          for (const name of Object.keys(block)) reads.add(name.toLowerCase());
        }
      }
    }
    for (const match of JSON.stringify(document).matchAll(/\$\{([^}]+)\}/g))
      reads.add((match[1] ?? "").toLowerCase());
  }
  return reads;
}

/** The part of a request context these policies can see: what a remembered decision depends on. */
function relevantContext(
  context: Readonly<Record<string, string | string[]>>,
  ...reads: Set<string>[]
): [string, string | string[]][] {
  return Object.entries(context).filter(([name]) => reads.some((set) => set.has(name.toLowerCase())));
}

export function evaluate(request: EvaluationRequest): Evaluation {
  const identity = identityPolicies(request.identityPolicies);
  const resource = request.keyPolicy === undefined ? undefined : keyPolicy(request.keyPolicy);
  const memoKey = JSON.stringify([
    request.principal,
    request.action,
    request.resource,
    request.resourceAccount,
    identity.id,
    relevantContext(request.context, identity.reads, resource?.reads ?? new Set()),
    request.keyPolicy ?? "",
  ]);
  const remembered = decisions.get(memoKey);
  if (remembered) return remembered;
  const { engine, AwsRequestImpl, RequestContextImpl, strictMode, getDenialReasons } = evaluator();
  const analysis = engine.authorize({
    request: new AwsRequestImpl(
      request.principal,
      { resource: request.resource, accountId: request.resourceAccount },
      request.action,
      new RequestContextImpl({ ...request.context }),
      request.resource === "*",
    ),
    sessionPolicy: undefined,
    identityPolicies: identity.policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resource?.policies[0],
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: strictMode },
    serviceSettings: { s3: {} },
  });
  const evaluation: Evaluation = { result: analysis.result };
  if (analysis.result !== "Allowed") {
    const reasons = getDenialReasons(analysis);
    const explicit = reasons.find((reason) => reason.denialType === "Explicit");
    const reason = explicit ?? reasons.find((reason) => reason.policyType === "resource") ?? reasons[0];
    evaluation.deniedBy = {
      policy: reason?.policyType === "identity" ? "identity" : "resource",
      explicit: reason?.denialType === "Explicit",
    };
  }
  if (decisions.size >= MAX_REMEMBERED) decisions.clear();
  decisions.set(memoKey, evaluation);
  return evaluation;
}
