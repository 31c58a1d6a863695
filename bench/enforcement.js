#!/usr/bin/env node
// The cost of `--enforce-policies` on the sandbox's request rate (issue: at most 2x). Same requests over real
// HTTP with the AWS SDK (20 in flight) against a sandbox without principals and one enforcing a principals
// file: DescribeKey as the administrator, Encrypt as an application through its service. "repeated" sends one
// request shape (a scan, Terraform's polling: decisions are remembered); "distinct" gives every Encrypt its
// own encryption context, so every request is evaluated afresh (the evaluator's full cost).
// Usage: node bench/enforcement.js [requests]   (needs `npm run build`)
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { CreateKeyCommand, DescribeKeyCommand, EncryptCommand, KMSClient } = require("@aws-sdk/client-kms");
const { record, startSandbox: start, stopSandbox: stop } = require("./lib");

const requests = Number(process.argv[2] ?? 1500);
const IN_FLIGHT = 20;
const ADMIN = "arn:aws:iam::111111111111:role/KeyAdmin";
const APP = "arn:aws:iam::111111111111:role/payments-api";
const allow = (actions) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
});
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Admins",
      Effect: "Allow",
      Principal: { AWS: ADMIN },
      Action: ["kms:DescribeKey", "kms:PutKeyPolicy"],
      Resource: "*",
    },
    {
      Sid: "Users",
      Effect: "Allow",
      Principal: { AWS: APP },
      Action: ["kms:Encrypt", "kms:Decrypt"],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": "111111111111" },
      },
    },
  ],
});

/** CPU seconds the sandbox process has used (Linux /proc; a loaded machine slows wall time, not CPU time). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Requests per second of wall time, and sandbox CPU microseconds per request. */
async function rate(count, send, pid) {
  let next = 0;
  const cpu = pid ? cpuSeconds(pid) : 0;
  const begin = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      next += 1;
      await send(next);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const perSecond = count / (Number(process.hrtime.bigint() - begin) / 1e9);
  return { perSecond, cpuMicros: pid ? ((cpuSeconds(pid) - cpu) / count) * 1e6 : 0 };
}

function client(url, accessKeyId, viaService) {
  const kms = new KMSClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey: "x" },
  });
  if (viaService) {
    kms.middlewareStack.add(
      (next) => (args) => {
        args.request.headers["x-keyplane-via-service"] = viaService;
        return next(args);
      },
      { step: "build", name: "viaService" },
    );
  }
  return kms;
}

async function measure(extra) {
  const { child, url } = await start(extra);
  const admin = client(url, "AKIAKEYADMIN0000001");
  const app = client(url, "AKIAPAYMENTS0000001", "s3.us-east-1.amazonaws.com");
  try {
    const keyId = (await admin.send(new CreateKeyCommand({ Policy: POLICY }))).KeyMetadata.KeyId;
    const plaintext = Buffer.alloc(64, 1);
    // Warm-up: JIT and the sandbox's first evaluations are not what a rehearsal sees.
    await rate(200, () => app.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })));
    return {
      "DescribeKey repeated": await rate(
        requests,
        () => admin.send(new DescribeKeyCommand({ KeyId: keyId })),
        child.pid,
      ),
      "Encrypt repeated": await rate(
        requests,
        () => app.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })),
        child.pid,
      ),
      "Encrypt distinct": await rate(
        requests,
        (n) =>
          app.send(
            new EncryptCommand({
              KeyId: keyId,
              Plaintext: plaintext,
              EncryptionContext: { request: String(n) },
            }),
          ),
        child.pid,
      ),
    };
  } finally {
    admin.destroy();
    app.destroy();
    await stop(child);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "keyplane-bench-enforcement-"));
  try {
    const file = join(dir, "principals.yaml");
    writeFileSync(
      file,
      JSON.stringify({
        principals: [
          {
            arn: ADMIN,
            accessKeyId: "AKIAKEYADMIN0000001",
            secretAccessKey: "x",
            identityPolicies: [allow(["kms:CreateKey"])],
          },
          { arn: APP, accessKeyId: "AKIAPAYMENTS0000001", secretAccessKey: "x" },
        ],
      }),
    );
    const open = await measure([]);
    const enforced = await measure(["--principals", file, "--enforce-policies"]);
    const figures = [];
    for (const name of Object.keys(open)) {
      const slowdown = open[name].perSecond / enforced[name].perSecond;
      const cpu = enforced[name].cpuMicros / open[name].cpuMicros;
      console.log(
        `${name.padEnd(22)} ${open[name].perSecond.toFixed(0).padStart(6)} requests/s open, ` +
          `${enforced[name].perSecond.toFixed(0).padStart(6)} enforcing: ${slowdown.toFixed(2)}x wall; ` +
          `sandbox CPU ${open[name].cpuMicros.toFixed(0)} -> ${enforced[name].cpuMicros.toFixed(0)} us/request: ${cpu.toFixed(2)}x`,
      );
      figures.push(
        {
          figure: `enforcement cost, ${name} (request rate)`,
          value: slowdown,
          unit: "x",
          limit: 2,
          limitLabel: "issue 11",
          target: "<= 2x the request rate without enforcement",
        },
        {
          figure: `enforcement cost, ${name} (sandbox CPU per request)`,
          value: cpu,
          unit: "x",
          limit: 2,
          limitLabel: "issue 11",
          target: "<= 2x",
        },
      );
    }
    record("enforcement", figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
