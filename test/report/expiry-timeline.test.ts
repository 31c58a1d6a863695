import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  type KMSClient,
  TagResourceCommand,
} from "@aws-sdk/client-kms";
import { findChromium, runChromium } from "../../cli/render/chromium";
import { runCli } from "../support/cli";
import { type SandboxHandle, startSandbox } from "../support/sandbox";

const browserTest = findChromium() || process.env.KEYPLANE_REQUIRE_TOOLS === "1" ? test : test.skip;

let sandbox: SandboxHandle;
let kms: KMSClient;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), "keyplane-timeline-"));
let validTo = "";

beforeAll(async () => {
  sandbox = await startSandbox();
  kms = sandbox.kms();
  env = sandbox.env();
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" }),
  );
  await kms.send(
    new CreateAliasCommand({ AliasName: "alias/acme/timeline", TargetKeyId: KeyMetadata!.KeyId! }),
  );
  await kms.send(
    new TagResourceCommand({
      KeyId: KeyMetadata!.KeyId!,
      Tags: [{ TagKey: "keyplane:classification", TagValue: "restricted" }],
    }),
  );
  const ceremony = await runCli(
    [
      "--journal",
      join(dir, "journal.jsonl"),
      "--yes",
      "--output",
      "json",
      "byok",
      "ceremony",
      "--key",
      "alias/acme/timeline",
      "--material",
      "generate",
      "--expires-in",
      "120d",
      "--escrow-dir",
      join(dir, "escrow"),
      "--escrow-shares",
      "2",
      "--escrow-threshold",
      "2",
    ],
    { env, timeoutMs: 120_000 },
  );
  expect(ceremony.code).toBe(0);
  validTo = (JSON.parse(ceremony.stdout) as { validTo: string }).validTo;
}, 180_000);
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("expiry --report", () => {
  test("an SVG timeline: one row per EXTERNAL key, its current material's expiry date, now and the warning window", async () => {
    const out = join(dir, "timeline.svg");
    const result = await runCli(["expiry", "--within", "30d", "--report", out], { env });
    expect(result.code).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(
      svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'),
    ).toBe(true);
    expect(svg).toContain(">alias/acme/timeline</text>");
    expect(svg).toContain(`>${validTo.slice(0, 10)}</text>`);
    expect(svg).toContain(">now</text>");
    expect(svg).toContain(">warning: 30 d</text>");
    // Well-formed XML, as an image viewer needs it: xmllint where present, else the browser below.
    const lint = spawnSync("xmllint", ["--noout", out]);
    if (lint.error === undefined) expect(lint.status).toBe(0);
  });

  browserTest(
    "the HTML page draws the timeline in a browser",
    async () => {
      const out = join(dir, "timeline.html");
      const result = await runCli(["expiry", "--report", out], { env });
      expect(result.code).toBe(0);
      const { stdout } = await runChromium(pathToFileURL(out).href, ["--dump-dom"]);
      expect(stdout).toContain("<svg");
      expect(stdout).toContain("alias/acme/timeline");
      expect(stdout).toContain(validTo.slice(0, 10));
    },
    120_000,
  );

  test("--report must end in .svg, .html or .pdf: usage error before any scan, nothing written", async () => {
    const out = join(dir, "timeline.png");
    const result = await runCli(["expiry", "--report", out], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--report: ");
    expect(result.stderr).toContain("must end in .svg, .html or .pdf");
    expect(existsSync(out)).toBe(false);
  });
});
