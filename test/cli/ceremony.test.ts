import { createHmac, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  type KMSClient,
  TagResourceCommand,
} from "@aws-sdk/client-kms";
import forge from "node-forge";
import { runCli, withoutJournalAnchor } from "../support/cli";
import { type SandboxHandle, startSandbox } from "../support/sandbox";
import { KEYS, runInTerminal } from "./pty";

// Each test runs whole ceremonies as child processes (and one a pseudo-terminal session): a budget that
// holds on a loaded machine.
jest.setTimeout(180_000);

let sandbox: SandboxHandle;
let kms: KMSClient;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), "keyplane-ceremony-"));

beforeAll(async () => {
  sandbox = await startSandbox({ wrappingKeyPool: 2 });
  kms = sandbox.kms();
  env = sandbox.env();
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function externalKey(
  alias: string,
  spec: "SYMMETRIC_DEFAULT" | "HMAC_256" = "SYMMETRIC_DEFAULT",
  validityDays = "30",
): Promise<string> {
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      Origin: "EXTERNAL",
      KeySpec: spec,
      KeyUsage: spec === "HMAC_256" ? "GENERATE_VERIFY_MAC" : "ENCRYPT_DECRYPT",
    }),
  );
  const keyId = KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  await kms.send(
    new TagResourceCommand({
      KeyId: keyId,
      Tags: [
        { TagKey: "keyplane:classification", TagValue: "restricted" },
        { TagKey: "keyplane:material-validity-days", TagValue: validityDays },
      ],
    }),
  );
  return KeyMetadata!.Arn!;
}

/** The HMAC check value, computed here apart from keyplane: HMAC-SHA-256 of a zero block, 3 bytes. */
const hmacCheckValue = (key: Buffer) =>
  createHmac("sha256", key).update(Buffer.alloc(16)).digest().subarray(0, 3).toString("hex").toUpperCase();

const journalLines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** At a terminal the roles are asked when no role flag is given; empty answers leave them unrecorded. */
async function skipRoles(terminal: ReturnType<typeof runInTerminal>): Promise<void> {
  for (const prompt of ["Operator", "Custodians", "Witnesses", "Change ticket"]) {
    await terminal.waitFor(prompt);
    terminal.type(KEYS.enter);
  }
}

function flagArgs(key: string, name: string, extra: string[] = []): string[] {
  return [
    "--journal",
    join(dir, `${name}.jsonl`),
    "--yes",
    "byok",
    "ceremony",
    "--key",
    key,
    "--material",
    "generate",
    "--wrapping-algorithm",
    "RSA_AES_KEY_WRAP_SHA_256",
    "--wrapping-key-spec",
    "RSA_3072",
    "--expires-in",
    "30d",
    "--escrow-dir",
    join(dir, name),
    "--escrow-shares",
    "3",
    "--escrow-threshold",
    "2",
    ...extra,
  ];
}

describe("byok ceremony by flags", () => {
  test("imports, verifies, escrows and journals; the key is Enabled with the expiry asked for", async () => {
    const arn = await externalKey("alias/ceremony/flags");
    const result = await runCli(["--output", "json", ...flagArgs("alias/ceremony/flags", "flags")], { env });
    // The only message: the journal anchor every journaled run ends with.
    expect(result.stderr).toMatch(
      /^journal \S+: 5 entries, last hash [0-9a-f]{64} \(keep it for verify --last-hash\)\n$/,
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output).toMatchObject({ keyArn: arn, verified: "encrypt-decrypt", resumed: [] });
    expect(output.escrowFiles).toHaveLength(3);
    for (const file of output.escrowFiles) expect(statSync(file).mode & 0o777).toBe(0o600);
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(KeyMetadata?.KeyState).toBe("Enabled");
    expect(KeyMetadata?.ValidTo?.toISOString()).toBe(output.validTo);
    const lines = journalLines(join(dir, "flags.jsonl"));
    // Escrowed (and journaled) before KMS sees the material: a failure after that cannot lose it.
    expect(lines.map((line) => line.event)).toEqual([
      "ceremony.begin",
      "ceremony.escrow",
      "ceremony.import",
      "ceremony.verify",
      "ceremony.complete",
    ]);
    expect(new Set(lines.map((line) => line.cycleId)).size).toBe(1);
    // Who ran it, as STS GetCallerIdentity answers for the same credentials (the sandbox's user).
    for (const line of lines) expect(line.caller).toBe("arn:aws:iam::111111111111:user/keyplane-sandbox");
  });

  test("HMAC material from a hex file: KMS's MAC equals one computed here from the file", async () => {
    const arn = await externalKey("alias/ceremony/hmac-file", "HMAC_256");
    const material = randomBytes(32);
    const file = join(dir, "hmac.hex");
    writeFileSync(file, material.toString("hex"), { mode: 0o600 });
    const args = flagArgs("alias/ceremony/hmac-file", "hmac").map((arg) =>
      arg === "generate" ? `file:${file}` : arg,
    );
    const result = await runCli(["--output", "json", ...args], { env });
    // The only message: the journal anchor every journaled run ends with.
    expect(result.stderr).toMatch(
      /^journal \S+: 5 entries, last hash [0-9a-f]{64} \(keep it for verify --last-hash\)\n$/,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ keyArn: arn, verified: "generate-mac" });
    const message = randomBytes(20);
    const mac = await kms.send(
      new GenerateMacCommand({ KeyId: arn, Message: message, MacAlgorithm: "HMAC_SHA_256" }),
    );
    expect(Buffer.from(mac.Mac!)).toEqual(createHmac("sha256", material).update(message).digest());
  });

  test("a rerun of a finished ceremony has nothing to do; an explicit re-import of the same material adds no escrow", async () => {
    await externalKey("alias/ceremony/rerun");
    const material = join(dir, "rerun.bin");
    writeFileSync(material, randomBytes(32), { mode: 0o600 });
    const args = flagArgs("alias/ceremony/rerun", "rerun").map((arg) =>
      arg === "generate" ? `file:${material}` : arg,
    );
    expect((await runCli(args, { env })).code).toBe(0);
    const again = await runCli(args, { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^nothing to do: the ceremony of .* finished/);
    // Asked for explicitly, the same material is imported again (a renewal) and escrowed as its own split.
    const existing = await runCli(["--output", "json", ...args, "--import-type", "existing"], { env });
    expect(withoutJournalAnchor(existing.stderr)).toBe("");
    expect(JSON.parse(existing.stdout).resumed).toEqual([]);
    const events = journalLines(join(dir, "rerun.jsonl")).map((line) => line.event);
    expect(events.filter((event) => event === "ceremony.complete")).toHaveLength(2);
    // Two splits of one material, each three shares and a manifest: one folder serves every cycle.
    expect(readdirSync(join(dir, "rerun"))).toHaveLength(8);
  });

  test("RSA material from a PKCS#12 bundle (password from KEYPLANE_P12_PASSWORD): KMS's public key is ours", async () => {
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }),
    );
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forgeKey = forge.pki.privateKeyFromPem(
      privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    );
    const rsaKey = forgeKey as forge.pki.rsa.PrivateKey;
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(rsaKey.n, rsaKey.e);
    cert.serialNumber = "01";
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: "commonName", value: "custodian" }]);
    cert.setIssuer([{ name: "commonName", value: "custodian" }]);
    cert.sign(rsaKey, forge.md.sha256.create());
    const p12 = forge.pkcs12.toPkcs12Asn1(rsaKey, [cert], "correct horse", { algorithm: "aes256" });
    const file = join(dir, "rsa.p12");
    writeFileSync(file, Buffer.from(forge.asn1.toDer(p12).getBytes(), "binary"), { mode: 0o600 });
    const args = flagArgs(KeyMetadata!.Arn!, "p12").map((arg) => (arg === "generate" ? `p12:${file}` : arg));
    const result = await runCli(["--output", "json", ...args], {
      env: { ...env, KEYPLANE_P12_PASSWORD: "correct horse" },
    });
    // The only message: the journal anchor every journaled run ends with.
    expect(result.stderr).toMatch(
      /^journal \S+: 5 entries, last hash [0-9a-f]{64} \(keep it for verify --last-hash\)\n$/,
    );
    // KMS signs, and the signature verifies under the material's own public key.
    expect(JSON.parse(result.stdout)).toMatchObject({ verified: "sign-verify" });
    const remote = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.Arn! }));
    expect(Buffer.from(remote.PublicKey!)).toEqual(publicKey.export({ type: "spki", format: "der" }));
  });

  test("material of the wrong size, or a key with KMS-made material: exit 1 naming the cause, nothing imported", async () => {
    const arn = await externalKey("alias/ceremony/short");
    const short = join(dir, "short.bin");
    writeFileSync(short, randomBytes(16), { mode: 0o600 });
    const wrong = await runCli(
      flagArgs(arn, "short").map((arg) => (arg === "generate" ? `file:${short}` : arg)),
      { env },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(short);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata?.KeyState).toBe(
      "PendingImport",
    );

    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const managed = await runCli(flagArgs(KeyMetadata!.Arn!, "managed"), { env });
    expect(managed.code).toBe(1);
    expect(managed.stderr).toContain("key origin is AWS_KMS, not EXTERNAL");
  });

  test("preflight refusals come before anything irreversible: no escrow, no import, no journal record", async () => {
    const arn = await externalKey("alias/ceremony/fails");
    // A key that never had material cannot take EXISTING_KEY_MATERIAL.
    const existing = await runCli([...flagArgs(arn, "fails"), "--import-type", "existing"], { env });
    expect(existing.code).toBe(1);
    expect(existing.stdout).toBe("");
    expect(existing.stderr).toMatch(/never had material; EXISTING_KEY_MATERIAL/);
    expect(journalLines(join(dir, "fails.jsonl"))).toEqual([]);
    expect(readdirSync(join(dir, "fails")).filter((name) => !name.startsWith("."))).toEqual([]);
    // An escrow folder that cannot be made (a path under a regular file): refused before the import
    // (code-review C1: the key was left Enabled with material that existed nowhere).
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const args = flagArgs(arn, "fails").map((arg) =>
      arg === join(dir, "fails") ? join(file, "escrow") : arg,
    );
    const unwritable = await runCli(args, { env });
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/a-file\/escrow: a parent of it is not a folder/);
    expect(unwritable.stderr.trim().split("\n")).toHaveLength(1);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata?.KeyState).toBe(
      "PendingImport",
    );
  });

  test.each([
    ["--key", ["--key"]],
    ["--material", ["--material"]],
    ["--escrow-dir", ["--escrow-dir"]],
    ["--journal", ["--journal"]],
    ["--yes", ["--yes"]],
  ])("without a TTY and without %s: exit 2 naming it, no prompt, nothing imported", async (named, drop) => {
    const arn = await externalKey(`alias/ceremony/missing-${drop[0]?.slice(2)}`);
    const full = flagArgs(arn, `missing-${drop[0]?.slice(2)}`);
    const args: string[] = [];
    for (let i = 0; i < full.length; i += 1) {
      const arg = full[i] ?? "";
      if (drop.includes(arg)) {
        if (arg !== "--yes") i += 1;
        continue;
      }
      args.push(arg);
    }
    const result = await runCli(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`missing ${named}`);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(KeyMetadata?.KeyState).toBe("PendingImport");
  });
});

test("--passphrase-file seals each escrow share without a terminal; one per share or exit 2 before KMS", async () => {
  const arn = await externalKey("alias/ceremony/sealed-by-flag");
  const files = ["alice", "bob", "carol"].map((name) => {
    const file = join(dir, `flag-${name}.txt`);
    writeFileSync(file, `${name} sealing passphrase\n`, { mode: 0o600 });
    return file;
  });
  const tooFew = await runCli(flagArgs(arn, "sealed-few", ["--passphrase-file", ...files.slice(0, 2)]), {
    env,
  });
  expect([tooFew.code, tooFew.stderr]).toEqual([
    2,
    "keyplane: --passphrase-file: give one per escrow share (3), got 2\n",
  ]);
  const result = await runCli(
    ["--output", "json", ...flagArgs(arn, "sealed-flag", ["--passphrase-file", ...files])],
    { env },
  );
  expect(result.code).toBe(0);
  const shareFiles = JSON.parse(result.stdout).escrowFiles as string[];
  expect(shareFiles).toHaveLength(3);
  for (const file of shareFiles) {
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ share: null, sealed: { kdf: "scrypt" } });
  }
  const combined = await runCli([
    "byok",
    "escrow",
    "combine",
    "--share",
    shareFiles[0]!,
    shareFiles[2]!,
    "--passphrase-file",
    files[0]!,
    files[2]!,
    "--out",
    join(dir, "sealed-flag-recovered.bin"),
  ]);
  expect(combined.code).toBe(0);
});

test("a step KMS refuses is journaled with its message, not only its code", async () => {
  const arn = await externalKey("alias/ceremony/refused-step");
  expect((await runCli(flagArgs(arn, "refused-first"), { env })).code).toBe(0);
  // Other material as EXISTING_KEY_MATERIAL: KMS refuses the import, after the journal has begun.
  const result = await runCli(flagArgs(arn, "refused-step", ["--import-type", "existing"]), { env });
  expect(result.code).toBe(1);
  const failed = journalLines(join(dir, "refused-step.jsonl")).find((line) => line.outcome === "failed");
  expect(failed).toMatchObject({
    error: expect.any(String),
    message: expect.stringContaining(String(failed?.error)),
  });
  expect(String(failed?.message).length).toBeGreaterThan(String(failed?.error).length);
});

test("without a TTY, --expires-in defaults to the key's material-validity tag, as --help says; escrow to 2 of 3", async () => {
  const tagged = await externalKey("alias/ceremony/tag-expiry", "SYMMETRIC_DEFAULT", "45");
  const without = (args: string[], flag: string) => {
    const at = args.indexOf(flag);
    return [...args.slice(0, at), ...args.slice(at + 2)];
  };
  const withoutExpiry = (key: string, name: string) => without(flagArgs(key, name), "--expires-in");
  // The escrow flags default as rotation apply's do: 3 shares, any 2 recover.
  const defaults = without(
    without(withoutExpiry(tagged, "tag-expiry"), "--escrow-shares"),
    "--escrow-threshold",
  );
  const result = await runCli(["--output", "json", ...defaults], { env });
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).escrowFiles).toEqual([
    expect.stringMatching(/-share-1-of-3\.json$/),
    expect.stringMatching(/-share-2-of-3\.json$/),
    expect.stringMatching(/-share-3-of-3\.json$/),
  ]);
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: tagged }));
  expect(Math.round((KeyMetadata!.ValidTo!.getTime() - Date.now()) / 86_400_000)).toBe(45);

  const { KeyMetadata: untagged } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
  const refused = await runCli(withoutExpiry(untagged!.Arn!, "no-tag-expiry"), { env });
  expect([refused.code, refused.stderr]).toEqual([
    2,
    `keyplane: missing --expires-in, --valid-to or --no-expiry (${untagged!.Arn!} has no keyplane:material-validity-days tag to default to)\n`,
  ]);
  expect((await kms.send(new DescribeKeyCommand({ KeyId: untagged!.KeyId! }))).KeyMetadata?.KeyState).toBe(
    "PendingImport",
  );
});

describe("byok ceremony at a terminal", () => {
  test("a custodian picks the key from the list and answers every prompt; the steps tick off", async () => {
    const arn = await externalKey("alias/ceremony/interactive", "SYMMETRIC_DEFAULT", "45");
    await externalKey("alias/ceremony/picker-row-with-a-longer-alias", "HMAC_256");
    const journal = join(dir, "interactive.jsonl");
    const terminal = runInTerminal(["byok", "ceremony"], env);
    try {
      await terminal.waitFor("Which key receives material?");
      const list = terminal.screen;
      expect(list).toContain("alias/ceremony/interactive");
      expect(list).toMatch(/alias\/ceremony\/interactive\s+SYMMETRIC_DEFAULT\s+restricted\s+PendingImport/);
      // The picker's columns line up whatever the alias lengths (newcomer m9).
      const rows = list.split("\n").filter((line) => /^[❯ ] alias\//.test(line));
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(new Set(rows.map((line) => line.search(/ (SYMMETRIC_DEFAULT|HMAC_256) /))).size).toBe(1);
      // Move the cursor down, as a person would, until it rests on our key; then choose it.
      let screen = list;
      for (
        let moves = 0;
        !/❯ alias\/ceremony\/interactive\s/.test(screen.slice(screen.lastIndexOf("Which key")));
        moves += 1
      ) {
        if (moves > 40) throw new Error(`the key never came under the cursor:\n${screen}`);
        terminal.type(KEYS.down);
        await terminal.waitFor("❯");
        screen = terminal.screen;
      }
      terminal.type(KEYS.enter);
      // Every answer that can be wrong is asked, and refused at its prompt, before material is chosen.
      await terminal.waitFor("Wrapping algorithm");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Wrapping key spec");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Material expires in");
      expect(terminal.screen).toContain("(45d)");
      terminal.type(`400d${KEYS.enter}`);
      await terminal.waitFor("KMS allows at most 365 days");
      terminal.type(`${KEYS.backspace.repeat(4)}45d${KEYS.enter}`);
      await terminal.waitFor("Escrow folder");
      terminal.type(`${join(dir, "interactive")}${KEYS.enter}`);
      await terminal.waitFor("Escrow shares");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Shares needed to recover");
      terminal.type(`5${KEYS.enter}`);
      await terminal.waitFor("a whole number from 2 to 3");
      terminal.type(`${KEYS.backspace}2${KEYS.enter}`);
      await terminal.waitFor("Seal each share");
      terminal.type(`y${KEYS.enter}`);
      // Each sealing passphrase twice: a mismatch is asked again, never used.
      await terminal.waitFor("Passphrase of custodian 1 (seals share 1)");
      terminal.type(`first passphrase${KEYS.enter}`);
      await terminal.waitFor("Passphrase of custodian 1, again");
      terminal.type(`first passphrasf${KEYS.enter}`);
      // The refusal and the prompt asked again can arrive in one write: wait for both at once.
      await terminal.waitFor(
        /The two passphrases of custodian 1 differ[\s\S]*Passphrase of custodian 1 \(seals share 1\)/,
      );
      for (const index of [1, 2, 3]) {
        if (index > 1) await terminal.waitFor(`Passphrase of custodian ${index} (seals share ${index})`);
        terminal.type(`custodian ${index} passphrase${KEYS.enter}`);
        await terminal.waitFor(`Passphrase of custodian ${index}, again`);
        terminal.type(`custodian ${index} passphrase${KEYS.enter}`);
      }
      await terminal.waitFor("Journal file");
      terminal.type(`${journal}${KEYS.enter}`);
      await skipRoles(terminal);
      await terminal.waitFor("Where does the material come from?");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Import this material now?");
      expect(terminal.screen).toContain("2 of 3 shares");
      terminal.type(`y${KEYS.enter}`);
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.kill();
    }
    expect(terminal.screen).toContain("[x] import into KMS");
    expect(terminal.screen).toContain("[x] verify KMS uses the material");
    expect(terminal.screen).toContain("[x] write escrow shares (before import)");
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(KeyMetadata?.KeyState).toBe("Enabled");
    const days = (KeyMetadata!.ValidTo!.getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(45);
    expect(journalLines(journal).at(-1)?.event).toBe("ceremony.complete");
  });

  test("custodian components: typed hidden, each check value typed from the record, the XOR is what KMS holds", async () => {
    const arn = await externalKey("alias/ceremony/components", "HMAC_256");
    const parts = [randomBytes(32), randomBytes(32)];
    const combined = Buffer.from(parts[0]!.map((byte, i) => byte ^ (parts[1]![i] ?? 0)));
    const terminal = runInTerminal(
      [
        "--journal",
        join(dir, "components.jsonl"),
        "byok",
        "ceremony",
        "--key",
        arn,
        "--expires-in",
        "10d",
        "--escrow-dir",
        join(dir, "components"),
        "--escrow-shares",
        "2",
        "--escrow-threshold",
        "2",
      ],
      env,
    );
    try {
      await terminal.waitFor("Wrapping algorithm");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Wrapping key spec");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Seal each share");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Operator");
      terminal.type(`Dana${KEYS.enter}`);
      await terminal.waitFor("Custodians, in component order");
      terminal.type(`Alice, Bob${KEYS.enter}`);
      await terminal.waitFor("Witnesses");
      terminal.type(`Carol${KEYS.enter}`);
      await terminal.waitFor("Change ticket");
      terminal.type(`CHG-7${KEYS.enter}`);
      await terminal.waitFor("Where does the material come from?");
      terminal.type(KEYS.down + KEYS.enter);
      await terminal.waitFor("How many custodians");
      terminal.type(KEYS.enter);
      // A component of half the length is refused at its prompt (reliability D4); each prompt names its custodian.
      await terminal.waitFor("Custodian 1 (Alice): component");
      terminal.type(`${parts[0]!.toString("hex").slice(0, 32)}${KEYS.enter}`);
      await terminal.waitFor("must be 64 to 128 hex digits");
      terminal.type(`${parts[0]!.toString("hex").slice(32)}${KEYS.enter}`);
      // The custodian types the check value from the paper record: a wrong one is refused and asked again.
      await terminal.waitFor("Custodian 1 (Alice): component 1 check value (HMAC)");
      terminal.type(`000000${KEYS.enter}`);
      await terminal.waitFor("does not match component 1");
      terminal.type(`${KEYS.backspace.repeat(6)}${hmacCheckValue(parts[0]!).toLowerCase()}${KEYS.enter}`);
      // The confirmation and the next prompt can arrive in one write: wait for both together. The later
      // components must be exactly as long as the first: the prompt says so.
      await terminal.waitFor(
        new RegExp(
          `Component 1 matches its HMAC check value \\(HMAC ${hmacCheckValue(parts[0]!)}\\)[\\s\\S]*Custodian 2 \\(Bob\\): component \\(64 hex digits\\)`,
        ),
      );
      terminal.type(`${parts[1]!.toString("hex")}00${KEYS.enter}`);
      await terminal.waitFor("got 66");
      terminal.type(`${KEYS.backspace.repeat(2)}${KEYS.enter}`);
      await terminal.waitFor("Custodian 2 (Bob): component 2 check value (HMAC)");
      terminal.type(`${hmacCheckValue(parts[1]!)}${KEYS.enter}`);
      await terminal.waitFor("Combined key check value (HMAC; empty: no record yet)");
      terminal.type(`${hmacCheckValue(combined)}${KEYS.enter}`);
      await terminal.waitFor(
        new RegExp(
          `The combined key matches its HMAC check value \\(HMAC ${hmacCheckValue(combined)}\\)[\\s\\S]*Import this material now\\?`,
        ),
      );
      terminal.type(`y${KEYS.enter}`);
      await terminal.waitFor("Witness Carol: did you watch begin,escrow,import,verify,complete");
      terminal.type(`y${KEYS.enter}`);
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.kill();
    }
    for (const part of parts) expect(terminal.screen).not.toContain(part.toString("hex"));
    expect(terminal.screen).toMatch(/Material check value: [0-9A-F]{6}/);
    // Each custodian's check value is journaled with the cycle, never the component.
    const records = journalLines(join(dir, "components.jsonl"));
    const begin = records.find((line) => line.event === "ceremony.begin");
    expect(String(begin?.componentCheckValues).split(",")).toHaveLength(2);
    // Who held which component, who operated and witnessed, under which ticket; the witness's own yes.
    expect(begin).toMatchObject({
      operator: "Dana",
      componentCustodians: "Alice,Bob",
      witnesses: "Carol",
      ticket: "CHG-7",
    });
    expect(records.at(-1)).toMatchObject({
      event: "ceremony.attest",
      outcome: "ok",
      witness: "Carol",
      method: "confirmed at the terminal",
    });
    const message = randomBytes(16);
    const mac = await kms.send(
      new GenerateMacCommand({ KeyId: arn, Message: message, MacAlgorithm: "HMAC_SHA_256" }),
    );
    expect(Buffer.from(mac.Mac!)).toEqual(createHmac("sha256", combined).update(message).digest());
  });

  test("expiry renew at a terminal opens sealed shares by asking their custodians (empty skips one)", async () => {
    const arn = await externalKey("alias/ceremony/unseal");
    const material = join(dir, "unseal.bin");
    writeFileSync(material, randomBytes(32), { mode: 0o600 });
    const args = flagArgs(arn, "unseal").map((arg) => (arg === "generate" ? `file:${material}` : arg));
    expect((await runCli(args, { env })).code).toBe(0);
    const passphraseFiles = ["alice", "bob", "carol"].map((name) => {
      const file = join(dir, `unseal-${name}.txt`);
      writeFileSync(file, `${name} passphrase\n`, { mode: 0o600 });
      return file;
    });
    const sealed = join(dir, "unseal-sealed");
    const split = await runCli(
      [
        "byok",
        "escrow",
        "split",
        "--material",
        material,
        "--key-spec",
        "SYMMETRIC_DEFAULT",
        "--shares",
        "3",
        "--threshold",
        "2",
        "--out-dir",
        sealed,
        "--key",
        arn,
        "--passphrase-file",
        ...passphraseFiles,
      ],
      { env },
    );
    expect(split.code).toBe(0);
    rmSync(material);
    const terminal = runInTerminal(
      ["expiry", "renew", "--key", arn, "--escrow-dir", sealed, "--expires-in", "60d"],
      env,
    );
    try {
      await terminal.waitFor("Passphrase of escrow share 1 (empty: skip this share)");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Passphrase of escrow share 2");
      terminal.type(`bob passphrase${KEYS.enter}`);
      await terminal.waitFor("Passphrase of escrow share 3");
      terminal.type(`carol passphrase${KEYS.enter}`);
      expect(await terminal.exit).toBe(0);
    } finally {
      terminal.kill();
    }
    expect(terminal.screen).toMatch(/renewed .*: check value [0-9A-F]{6}, expires /);
    expect(terminal.screen).not.toContain("passphrase\n");
  });

  test("declining the summary imports nothing and exits 1", async () => {
    const arn = await externalKey("alias/ceremony/declined");
    const args = flagArgs(arn, "declined").filter(
      (arg) => arg !== "--yes" && arg !== "--material" && arg !== "generate",
    );
    const terminal = runInTerminal(args, env);
    try {
      await terminal.waitFor("Seal each share");
      terminal.type(KEYS.enter);
      await skipRoles(terminal);
      await terminal.waitFor("Where does the material come from?");
      terminal.type(KEYS.enter);
      await terminal.waitFor("Import this material now?");
      terminal.type(`n${KEYS.enter}`);
      expect(await terminal.exit).toBe(1);
    } finally {
      terminal.kill();
    }
    expect(terminal.screen).toContain("ceremony not confirmed; nothing was imported");
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(KeyMetadata?.KeyState).toBe("PendingImport");
  });
});
