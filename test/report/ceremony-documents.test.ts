import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  type KMSClient,
  TagResourceCommand,
} from "@aws-sdk/client-kms";
import { appendJournal } from "../../byok/journal/journal";
import { findChromium, runChromium } from "../../cli/render/chromium";
import { runCli } from "../support/cli";
import { type SandboxHandle, startSandbox } from "../support/sandbox";

/*
 * The three documents of a ceremony as people read them: the script printed before, the journal's report
 * after, rendered by a real headless Chromium (HTML through its DOM, PDF through pdftotext). Outside CI a
 * machine without Chromium skips the browser cases (reported as skipped); with KEYPLANE_REQUIRE_TOOLS=1
 * (CI) they run and fail.
 */
const chromium = findChromium();
const required = process.env.KEYPLANE_REQUIRE_TOOLS === "1";
const pdftotext = spawnSync("pdftotext", ["-v"]).error === undefined;
const browserTest = (chromium && pdftotext) || required ? test : test.skip;

let sandbox: SandboxHandle;
let kms: KMSClient;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), "keyplane-documents-"));
const components = [randomBytes(32), randomBytes(32)];
const material = Buffer.from(components[0]!.map((byte, i) => byte ^ (components[1]![i] ?? 0)));
const componentFiles = components.map((part, i) => {
  const file = join(dir, `component-${i + 1}.hex`);
  writeFileSync(file, `${part.toString("hex")}\n`, { mode: 0o600 });
  return file;
});
const journal = join(dir, "journal.jsonl");
const roleFlags = [
  "--operator",
  "Dana Operator",
  "--custodian",
  "Alice",
  "--custodian",
  "Bob",
  "--witness",
  "Carol Witness",
  "--ticket",
  "CHG-4711",
];
let keyArn = "";

beforeAll(async () => {
  sandbox = await startSandbox();
  kms = sandbox.kms();
  env = sandbox.env();
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }),
  );
  keyArn = KeyMetadata!.Arn!;
  await kms.send(
    new CreateAliasCommand({ AliasName: "alias/acme/payments/restricted", TargetKeyId: keyArn }),
  );
  await kms.send(
    new TagResourceCommand({
      KeyId: keyArn,
      Tags: [
        { TagKey: "keyplane:classification", TagValue: "restricted" },
        { TagKey: "keyplane:material-validity-days", TagValue: "90" },
      ],
    }),
  );
}, 120_000);
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What a person sees of an HTML document: Chromium's DOM after rendering, tags stripped. */
async function visibleText(file: string): Promise<string> {
  const { stdout } = await runChromium(pathToFileURL(file).href, ["--dump-dom"]);
  return stdout
    .replace(/<style>[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

function pdfText(file: string): string {
  expect(readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
}

/** The escrow shares' secret halves, as the share files hold them (base64). */
function shareSecrets(): Buffer[] {
  const escrow = join(dir, "escrow");
  if (!existsSync(escrow)) return [];
  return readdirSync(escrow)
    .filter((name) => name.includes("-share-"))
    .map((name) =>
      Buffer.from(
        (JSON.parse(readFileSync(join(escrow, name), "utf8")) as { share: string }).share,
        "base64",
      ),
    );
}

/** No secret in any form a document could carry it: hex (either case), base64. */
function expectNoSecrets(text: string): void {
  for (const secret of [...components, material, ...shareSecrets()]) {
    for (const form of [
      secret.toString("hex"),
      secret.toString("hex").toUpperCase(),
      secret.toString("base64"),
    ]) {
      expect(text).not.toContain(form);
      expect(text).not.toContain(form.slice(0, 16));
    }
  }
}

const documents: string[] = [];

describe("byok script (before)", () => {
  browserTest(
    "HTML and PDF: key facts from KMS, each custodian's component step with its value to record, sign-off lines",
    async () => {
      for (const ext of ["html", "pdf"]) {
        const out = join(dir, `script.${ext}`);
        const result = await runCli(
          [
            "--journal",
            journal,
            "byok",
            "script",
            "--key",
            "alias/acme/payments/restricted",
            "--material",
            "components",
            ...roleFlags,
            "--out",
            out,
          ],
          { env, timeoutMs: 180_000 },
        );
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        documents.push(out);
      }
      for (const text of [await visibleText(join(dir, "script.html")), pdfText(join(dir, "script.pdf"))]) {
        for (const fact of [
          "alias/acme/payments/restricted",
          keyArn,
          "restricted",
          "HMAC_256",
          "RSAES_OAEP_SHA_256 with an RSA_4096 wrapping key",
          "90 days after import",
          "Shamir 2 of 3 shares",
          "CHG-4711",
          "Alice enters component 1",
          "Bob enters component 2",
          "Component 1 check value",
          "Key material id",
          "Last hash",
          "Carol Witness",
          "Signature",
        ]) {
          expect(text).toContain(fact);
        }
      }
    },
    300_000,
  );
});

describe("byok ceremony with roles (during) and byok journal report (after)", () => {
  browserTest(
    "the journal records roles and attestations; the report shows every step, verifies, and its last hash in 16 groups",
    async () => {
      const ceremony = await runCli(
        [
          "--journal",
          journal,
          "--yes",
          "--output",
          "json",
          "byok",
          "ceremony",
          "--key",
          "alias/acme/payments/restricted",
          "--material",
          "components",
          "--component",
          componentFiles[0]!,
          "--component",
          componentFiles[1]!,
          "--expires-in",
          "90d",
          "--escrow-dir",
          join(dir, "escrow"),
          "--escrow-shares",
          "3",
          "--escrow-threshold",
          "2",
          ...roleFlags,
        ],
        { env, timeoutMs: 180_000 },
      );
      expect(ceremony.code).toBe(0);
      const result = JSON.parse(ceremony.stdout) as {
        checkValue: string;
        keyMaterialId: string;
        componentCheckValues: string[];
      };
      const records = readFileSync(journal, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const begin = records.find((record) => record.event === "ceremony.begin");
      expect(begin).toMatchObject({
        operator: "Dana Operator",
        custodians: "Alice,Bob",
        componentCustodians: "Alice,Bob",
        componentCheckValues: result.componentCheckValues.join(","),
        witnesses: "Carol Witness",
        ticket: "CHG-4711",
      });
      expect(records.at(-1)).toMatchObject({
        event: "ceremony.attest",
        witness: "Carol Witness",
        steps: "begin,escrow,import,verify,complete",
        method: "named by --witness (not confirmed at a terminal)",
      });

      for (const ext of ["html", "pdf"]) {
        const out = join(dir, `report.${ext}`);
        const report = await runCli(["byok", "journal", "report", journal, "--out", out], {
          env,
          timeoutMs: 180_000,
        });
        expect(report.stderr).toBe("");
        expect(report.code).toBe(0);
        documents.push(out);
      }
      const verify = await runCli(["--output", "json", "byok", "journal", "verify", journal], { env });
      const lastHash = (JSON.parse(verify.stdout) as { lastHash: string }).lastHash;
      const html = readFileSync(join(dir, "report.html"), "utf8");
      expect(html).toContain('class="verdict ok"');
      for (const text of [await visibleText(join(dir, "report.html")), pdfText(join(dir, "report.pdf"))]) {
        expect(text).toContain("Journal verifies");
        for (const step of ["begin", "escrow", "import", "verify", "complete", "attest"])
          expect(text).toContain(`ceremony.${step}`);
        expect(text).toContain("arn:aws:iam::111111111111:user/keyplane-sandbox");
        expect(text).toContain(result.checkValue);
        expect(text).toContain(result.keyMaterialId);
        for (const value of result.componentCheckValues) expect(text).toContain(value);
        for (const name of ["Dana Operator", "Alice", "Bob", "Carol Witness", "CHG-4711"])
          expect(text).toContain(name);
        for (const control of [
          "PCI DSS 3.6.1",
          "PCI DSS 3.7.3",
          "PCI DSS 3.7.4",
          "PCI DSS 3.7.6",
          "NIST SP 800-57",
        ]) {
          expect(text).toContain(control);
        }
        // The last hash as a person reads it aloud: 16 groups of 4 hex digits, four to a row.
        const groups = lastHash.match(/.{4}/g)!;
        for (let row = 0; row < 4; row += 1)
          expect(text).toContain(groups.slice(row * 4, row * 4 + 4).join(" "));
      }
    },
    420_000,
  );

  browserTest(
    "editing one journal line: the report says so in red, names the line, and the command exits 1",
    async () => {
      const tampered = join(dir, "tampered.jsonl");
      const lines = readFileSync(journal, "utf8").split("\n");
      const importLine = lines.findIndex((line) => line.includes('"event":"ceremony.import"'));
      lines[importLine] = lines[importLine]!.replace(
        /"validTo":"(\d{4})/,
        (_match, year: string) => `"validTo":"${Number(year) + 1}`,
      );
      writeFileSync(tampered, lines.join("\n"));
      for (const ext of ["html", "pdf"]) {
        const out = join(dir, `tampered.${ext}`);
        const report = await runCli(["byok", "journal", "report", tampered, "--out", out], {
          env,
          timeoutMs: 180_000,
        });
        expect(report.code).toBe(1);
        expect(report.stderr).toContain(`line ${importLine + 1} was edited`);
        expect(report.stderr).toContain(`the report ${out} says so`);
        expect(existsSync(out)).toBe(true);
        documents.push(out);
      }
      const html = readFileSync(join(dir, "tampered.html"), "utf8");
      expect(html).toContain('class="verdict fail"');
      expect(html).toMatch(/<tr class="bad">\s*<td>\d+<\/td>[\s\S]*?EDITED/);
      // Only the edited line is marked: the next line's broken link is the edit's doing.
      expect(html.match(/EDITED|OUT OF CHAIN/g)).toEqual(["EDITED"]);
      for (const text of [
        await visibleText(join(dir, "tampered.html")),
        pdfText(join(dir, "tampered.pdf")),
      ]) {
        expect(text).toContain("JOURNAL DOES NOT VERIFY");
        expect(text).toContain(`line ${importLine + 1} was edited`);
        expect(text).not.toContain("Journal verifies");
      }
    },
    300_000,
  );

  browserTest("no document holds material, a component or an escrow share, in hex or base64", () => {
    expect(documents.length).toBe(6);
    expect(shareSecrets()).toHaveLength(3);
    for (const file of documents) {
      expectNoSecrets(readFileSync(file, "latin1"));
      if (file.endsWith(".pdf")) expectNoSecrets(pdfText(file));
    }
  });
});

describe("errors a user can reach", () => {
  // A journal of its own, so these cases run without Chromium too.
  const journal = join(dir, "plain.jsonl");
  beforeAll(() => {
    appendJournal(journal, "ceremony.begin", {
      keyArn: "arn:aws:kms:us-east-1:111111111111:key/x",
      outcome: "ok",
    });
  });

  test("--out must end in .html or .pdf (usage, exit 2)", async () => {
    const result = await runCli(["byok", "journal", "report", journal, "--out", join(dir, "report.txt")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--out: ");
    expect(result.stderr).toContain("must end in .html or .pdf");
  });

  test("a missing journal is named (exit 1), and nothing is written", async () => {
    const out = join(dir, "missing.html");
    const result = await runCli(["byok", "journal", "report", join(dir, "nope.jsonl"), "--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nope.jsonl: no such journal");
    expect(existsSync(out)).toBe(false);
  });

  test("an existing output is never overwritten", async () => {
    const out = join(dir, "exists.html");
    writeFileSync(out, "keep me");
    const result = await runCli(["byok", "journal", "report", journal, "--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("exists.html: already exists; refusing to overwrite it");
    expect(readFileSync(out, "utf8")).toBe("keep me");
  });

  test("a PDF without Chromium: a clear error and no file; HTML still works", async () => {
    const out = join(dir, "nochrome.pdf");
    const result = await runCli(["byok", "journal", "report", journal, "--out", out], {
      env: { KEYPLANE_CHROMIUM: "", PATH: "/nonexistent" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("a PDF needs Chromium, and none was found");
    expect(existsSync(out)).toBe(false);
    const page = join(dir, "nochrome.html");
    const html = await runCli(["byok", "journal", "report", journal, "--out", page], {
      env: { KEYPLANE_CHROMIUM: "", PATH: "/nonexistent" },
    });
    expect(html.code).toBe(0);
    expect(readFileSync(page, "utf8")).toContain("Journal verifies");
  });

  test("a witness who also holds a component is refused before KMS is asked", async () => {
    const result = await runCli(
      [
        "byok",
        "script",
        "--key",
        "alias/acme/payments/restricted",
        "--custodian",
        "Alice",
        "--witness",
        "Alice",
        "--out",
        join(dir, "x.html"),
      ],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--witness: 'Alice' also operates or holds a component");
  });

  test("custodians must match the component files one to one (usage, exit 2, before KMS is asked)", async () => {
    const result = await runCli(
      [
        "--journal",
        join(dir, "mismatch.jsonl"),
        "--yes",
        "byok",
        "ceremony",
        "--key",
        "alias/acme/payments/restricted",
        "--material",
        "components",
        "--component",
        componentFiles[0]!,
        "--component",
        componentFiles[1]!,
        "--custodian",
        "Alice",
        "--expires-in",
        "30d",
        "--escrow-dir",
        join(dir, "mismatch"),
        "--escrow-shares",
        "2",
        "--escrow-threshold",
        "2",
      ],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--custodian: 1 custodians named for 2 --component files");
    expect(existsSync(join(dir, "mismatch.jsonl"))).toBe(false);
  });

  test("a roles file and role flags together are a usage error", async () => {
    const roles = join(dir, "both.yaml");
    writeFileSync(roles, "operator: Dana\n");
    const result = await runCli(
      [
        "byok",
        "script",
        "--key",
        "alias/acme/payments/restricted",
        "--roles",
        roles,
        "--operator",
        "Eve",
        "--out",
        join(dir, "z.html"),
      ],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--roles: give a roles file or --operator/--custodian/--witness/--ticket, not both",
    );
  });

  test("a roles file with an unknown field is named", async () => {
    const roles = join(dir, "roles.yaml");
    writeFileSync(roles, "operator: Dana\nauditor: Eve\n");
    const result = await runCli(
      [
        "byok",
        "script",
        "--key",
        "alias/acme/payments/restricted",
        "--roles",
        roles,
        "--out",
        join(dir, "y.html"),
      ],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("roles.yaml: unknown field 'auditor'");
  });
});
