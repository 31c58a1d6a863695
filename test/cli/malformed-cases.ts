/**
 * The kept replay corpus of malformed inputs: flags, files and key plans a user (or a careless script) can
 * give. Every case must end the way DESIGN.md says: exit 2 for a usage error (a wrong or missing flag, a
 * wrong combination), exit 1 for anything else, with exactly one `keyplane:` line on stderr and nothing
 * written. `writeFixtures` creates the files the cases name (in the replay's working folder); `offlineCases`
 * need no KMS, `onlineCases` run against a sandbox.
 */

import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { splitToShareFiles } from "../../byok/escrow/split";
import { appendJournal, lineHash } from "../../byok/journal/journal";
import { generateMaterial } from "../../byok/material/generate";
import { basePlan, planYaml, variant } from "../stacks/plans";

export interface MalformedCase {
  name: string;
  args: string[];
  /** 1: error, 2: usage (DESIGN.md). */
  exit: 1 | 2;
  /** What the one stderr line must say, when the case checks more than the contract. */
  stderr?: RegExp;
  env?: Record<string, string>;
}

const KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** Writes every fixture into `dir` (the replay's working folder); cases name them relative to it. */
export async function writeFixtures(dir: string): Promise<void> {
  const at = (name: string) => join(dir, name);
  mkdirSync(at("folder"));
  writeFileSync(at("aes.bin"), randomBytes(32));
  writeFileSync(at("empty.bin"), Buffer.alloc(0));
  writeFileSync(at("aes16.bin"), randomBytes(16));
  writeFileSync(at("aes31.bin"), randomBytes(31));
  writeFileSync(at("aes33.bin"), randomBytes(33));
  writeFileSync(at("hmac27.bin"), randomBytes(27));
  writeFileSync(at("odd.hex"), "abc\n");
  writeFileSync(at("short.hex"), `${randomBytes(16).toString("hex")}\n`);
  writeFileSync(at("text.txt"), "this is not key material at all, just words\n");
  writeFileSync(at("base64-33.txt"), `${randomBytes(33).toString("base64")}\n`);
  writeFileSync(at("big.bin"), Buffer.alloc(2 * 1024 * 1024 + 1));
  writeFileSync(at("nul.bin"), Buffer.alloc(64));
  execFileSync("mkfifo", [at("fifo")]);

  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const rsaPem = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  writeFileSync(at("rsa.pem"), rsaPem);
  writeFileSync(at("rsa-truncated.pem"), rsaPem.slice(0, rsaPem.length / 2));
  writeFileSync(at("rsa1024.pem"), rsa1024.privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(at("ec.pem"), ec.privateKey.export({ type: "pkcs8", format: "pem" }));
  const der = rsa.privateKey.export({ type: "pkcs8", format: "der" });
  const flipped = Buffer.from(der);
  flipped[40] = (flipped[40] ?? 0) ^ 0xff;
  writeFileSync(at("rsa-flipped.der"), flipped);
  writeFileSync(at("rsa-truncated.der"), der.subarray(0, 300));
  writeFileSync(
    at("rsa-encrypted.pem"),
    rsa.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "right one" }),
  );
  writeFileSync(at("wrong-password.txt"), "not the right one\n");
  writeFileSync(at("garbage.p12"), randomBytes(600));
  writeFileSync(at("pub.pem"), rsa.publicKey.export({ type: "spki", format: "pem" }));
  writeFileSync(at("pub.der"), rsa.publicKey.export({ type: "spki", format: "der" }));
  writeFileSync(
    at("pub-truncated.der"),
    rsa.publicKey.export({ type: "spki", format: "der" }).subarray(0, 100),
  );
  writeFileSync(at("pub1024.der"), rsa1024.publicKey.export({ type: "spki", format: "der" }));
  writeFileSync(at("pub-ec.der"), ec.publicKey.export({ type: "spki", format: "der" }));
  writeFileSync(at("priv-as-pub.der"), der);
  writeFileSync(at("bad.pem"), "-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n");
  writeFileSync(at("base64-garbage.txt"), "QUJD\n");

  // Escrow shares of one material, and damaged copies of them.
  const material = generateMaterial("SYMMETRIC_DEFAULT");
  const split = await splitToShareFiles({
    material,
    shares: 3,
    threshold: 2,
    outDir: at("shares"),
    keyArn: KEY_ARN,
  });
  material.dispose();
  // Known names for the cases; the split's own names depend on the key.
  for (const [i, file] of split.files.entries()) {
    writeFileSync(at(`shares/share-${i + 1}-of-3.json`), readFileSync(file));
  }
  const share = JSON.parse(readFileSync(at("shares/share-1-of-3.json"), "utf8")) as Record<string, unknown>;
  const damaged = (name: string, content: string) => writeFileSync(at(`share-${name}.json`), content);
  damaged("not-json", "{ this is not json");
  damaged("array", "[1, 2, 3]");
  damaged("null", "null");
  damaged("truncated", JSON.stringify(share).slice(0, 80));
  damaged("index", JSON.stringify({ ...share, index: 7 }));
  damaged("threshold", JSON.stringify({ ...share, threshold: 9 }));
  damaged("format", JSON.stringify({ ...share, format: "something-else" }));
  damaged("no-checksum", JSON.stringify({ ...share, checksum: undefined }));
  damaged("kcv", JSON.stringify({ ...share, checkValue: "000000" }));
  damaged("spec", JSON.stringify({ ...share, keySpec: "HMAC_999" }));

  // Journals: a good one, and each way one can be broken.
  const good = at("good.jsonl");
  for (const event of ["generate", "wrap", "import"]) appendJournal(good, event, { outcome: "ok" });
  const lines = readFileSync(good, "utf8").trimEnd().split("\n");
  const journal = (name: string, content: string) => writeFileSync(at(`journal-${name}.jsonl`), content);
  journal("empty", "");
  journal("garbage", "not json at all\n");
  journal("object", "{}\n");
  journal("edited", `${[lines[0], lines[1]?.replace('"ok"', '"failed"'), lines[2]].join("\n")}\n`);
  journal("middle-removed", `${[lines[0], lines[2]].join("\n")}\n`);
  journal("first-removed", `${[lines[1], lines[2]].join("\n")}\n`);
  journal("reordered", `${[lines[1], lines[0], lines[2]].join("\n")}\n`);
  journal("replayed", `${[...lines, lines[2]].join("\n")}\n`);
  journal("crlf", `${lines.join("\r\n")}\r\n`);
  journal("no-newline", lines.join("\n"));
  journal("blank-line", `${[lines[0], "", lines[1], lines[2]].join("\n")}\n`);
  journal("nul", `${lines.join("\n")}\n\u0000\n`);
  journal("tail-removed", `${[lines[0], lines[1]].join("\n")}\n`);
  writeFileSync(at("journal-anchor.txt"), lineHash(lines[2] ?? ""));

  // Key plans, one defect each.
  mkdirSync(at("plans"));
  for (const [name, text] of Object.entries(malformedPlans())) writeFileSync(at(`plans/${name}.yaml`), text);
}

/** Each plan breaks one rule of the key plan; every one must be refused with the file and the YAML path. */
function malformedPlans(): Record<string, string> {
  const yaml = (changes: Record<string, unknown>) => planYaml(variant(changes));
  const valid = planYaml(basePlan());
  const bomb = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
  ].join("\n");
  return {
    "syntax-bracket": "version: 1\nname: [acme\n",
    "syntax-tab": "version: 1\n\tname: acme\n",
    "syntax-indent": "version: 1\nname: acme\n  region: us-east-1\n",
    "syntax-quote": 'version: 1\nname: "acme\n',
    "syntax-colon": "version: 1\nname: a: b: c\n",
    "duplicate-key": `${valid}name: other\n`,
    "duplicate-nested": valid.replace(
      'security: "111111111111"',
      'security: "111111111111"\n  security: "222222222222"',
    ),
    "top-list": "- version: 1\n- name: acme\n",
    "top-scalar": "just a string\n",
    "top-number": "42\n",
    empty: "",
    comment: "# nothing but a comment\n",
    binary: randomBytes(512).toString("latin1"),
    nul: `version: 1\nname: ac\u0000me\n`,
    utf16: `\ufeff${valid}`.split("").join("\u0000"),
    "anchor-bomb": `${bomb}\n${valid}`,
    "anchor-bomb-admins": valid.replace(
      /administrators:\n(\s+- .*\n)+/,
      `administrators: &x ["arn:aws:iam::111111111111:role/A"]\nbombs: [${Array(2000).fill("*x").join(",")}]\n`,
    ),
    "alias-undefined": `${valid}extra: *nope\n`,
    "alias-cycle-list": "version: 1\nname: &n [*n]\n",
    "merge-key": `base: &b { version: 1 }\n<<: *b\n${valid.replace("version: 1\n", "")}`,
    "multi-document": `${valid}---\n${valid}`,
    "nesting-flow": `version: 1\nname: ${"[".repeat(10000)}${"]".repeat(10000)}\n`,
    "binary-tag": `${valid.replace("name: acme", "name: !!binary aGVsbG8=")}`,
    "version-2": yaml({ version: 2 }),
    "version-string": yaml({ version: "1" }),
    "version-missing": yaml({ version: undefined }),
    "name-upper": yaml({ name: "Acme" }),
    "name-space": yaml({ name: "ac me" }),
    "name-unicode": yaml({ name: "acmé" }),
    "name-slash": yaml({ name: "ac/me" }),
    "name-long": yaml({ name: `a${"b".repeat(63)}` }),
    "name-empty": yaml({ name: "" }),
    "name-number": yaml({ name: 42 }),
    "name-null": yaml({ name: null }),
    "name-rtl": yaml({ name: "acme\u202e" }),
    "region-bogus": yaml({ region: "bogus" }),
    "region-upper": yaml({ region: "US-EAST-1" }),
    "region-number": yaml({ region: 1 }),
    "replica-own": yaml({ replicaRegions: ["us-east-1"] }),
    "replica-twice": yaml({ replicaRegions: ["eu-west-1", "eu-west-1"] }),
    "replica-string": yaml({ replicaRegions: "eu-west-1" }),
    "account-short": yaml({ "accounts.security": "11111111111" }),
    "account-number": `${valid.replace('security: "111111111111"', "security: 111111111111x")}`,
    "app-account-letters": yaml({ "applications.payments.account": "abcdefghijkl" }),
    "management-typo": yaml({ management: "central" }),
    "principal-not-arn": yaml({ administrators: ["KeyAdmin"] }),
    "principal-user-typo": yaml({ "applications.payments.users": ["arn:aws:iam::222:role/x"] }),
    "principals-string": yaml({ administrators: "arn:aws:iam::111111111111:role/KeyAdmin" }),
    "custodians-number": yaml({ custodians: [1] }),
    "compliance-unknown": yaml({ compliance: ["pci"] }),
    "compliance-string": yaml({ compliance: "pci-dss" }),
    "budget-huge": valid.replace("version: 1", "version: 1\nbudget: { maxKeys: 1e400 }"),
    "budget-negative": yaml({ budget: { maxKeys: -1 } }),
    "budget-fraction": yaml({ budget: { maxKeys: 1.5 } }),
    "budget-typo": yaml({ budget: { max: 3 } }),
    "rotation-low": yaml({ "classifications.internal.rotationDays": 30 }),
    "rotation-high": yaml({ "classifications.internal.rotationDays": 3000 }),
    "rotation-nan": valid.replace("rotationDays: 365", "rotationDays: .nan"),
    "rotation-inf": valid.replace("rotationDays: 365", "rotationDays: .inf"),
    "rotation-null": yaml({ "classifications.internal.rotationDays": null }),
    "rotation-string": yaml({ "classifications.internal.rotationDays": "365" }),
    "rotation-fraction": yaml({ "classifications.internal.rotationDays": 100.5 }),
    "validity-zero": yaml({ "classifications.restricted.materialValidityDays": 0 }),
    "validity-on-aws": yaml({ "classifications.internal.materialValidityDays": 30 }),
    "deletion-low": yaml({ "classifications.restricted.deletionWindowDays": 3 }),
    "deletion-high": yaml({ "classifications.restricted.deletionWindowDays": 31 }),
    "keyspec-unknown": yaml({ "classifications.internal.keySpec": "AES_256" }),
    "keyusage-conflict": yaml({
      "classifications.internal": { keySpec: "HMAC_256", keyUsage: "ENCRYPT_DECRYPT" },
    }),
    "external-rsa": yaml({ "classifications.restricted.keySpec": "RSA_2048" }),
    "rotation-on-hmac": yaml({ "classifications.internal": { keySpec: "HMAC_256", rotationDays: 365 } }),
    "classification-typo-field": yaml({ "classifications.internal.rotationDay": 365 }),
    "classification-name-upper": yaml({ "classifications.Internal": { rotationDays: 365 } }),
    "classifications-empty": yaml({ classifications: {} }),
    "classification-null": yaml({ "classifications.internal": null }),
    "aws-managed-extra": yaml({ "classifications.public": { keys: "aws-managed", rotationDays: 365 } }),
    "multiregion-no-replicas": yaml({ "classifications.internal.multiRegion": true }),
    "origin-typo": yaml({ "classifications.restricted.origin": "imported" }),
    "app-unknown-classification": yaml({ "applications.payments.data": { secret: ["s3"] } }),
    "app-unknown-service": yaml({ "applications.payments.data": { internal: ["s4"] } }),
    "app-no-services": yaml({ "applications.payments.data": { internal: [] } }),
    "app-duplicate-service": yaml({ "applications.payments.data": { restricted: ["s3", "s3"] } }),
    "app-services-string": yaml({ "applications.payments.data": { internal: "sqs" } }),
    "app-name-space": yaml({ "applications.pay ments": basePlan().applications }),
    "app-name-unicode": yaml({ "applications.paymënts": { account: "222222222222", users: [], data: {} } }),
    "app-name-long": yaml({
      [`applications.a${"b".repeat(63)}`]: { account: "222222222222", users: [], data: {} },
    }),
    "app-typo-field": yaml({ "applications.payments.user": [] }),
    "apps-empty": yaml({ applications: {} }),
    "app-reserved": yaml({ "applications.keyplane": { account: "222222222222", users: [], data: {} } }),
    "alerts-email": yaml({ alerts: { email: ["not-an-email"] } }),
    "alerts-days": yaml({ alerts: { expiryWarningDays: 400 } }),
    "suppress-unknown-rule": yaml({
      suppress: [{ rule: "KP-NOPE", path: "*", reason: "because we said so" }],
    }),
    "suppress-short-reason": yaml({ suppress: [{ rule: "KP-ROTATION", path: "*", reason: "why" }] }),
    "backend-bucket": yaml({ backend: { s3: { bucket: "Bad_Bucket", key: "k", region: "us-east-1" } } }),
    "deploy-role": yaml({ deployRole: "has space" }),
    "monitoring-string": yaml({ monitoring: "yes" }),
    huge: `# ${"x".repeat(17 * 1024 * 1024)}\n${valid}`,
  };
}

/** Cases that never reach KMS: they fail while flags, files or plans are read. */
export function offlineCases(): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const add = (name: string, args: string[], exit: 1 | 2, stderr?: RegExp) =>
    cases.push({ name, args, exit, ...(stderr ? { stderr } : {}) });

  const wrap = (over: Record<string, string | undefined>) => {
    const flags: Record<string, string | undefined> = {
      "--public-key": "pub.der",
      "--wrapping-algorithm": "RSAES_OAEP_SHA_256",
      "--key-spec": "SYMMETRIC_DEFAULT",
      "--material": "aes.bin",
      "--out": "wrapped.bin",
      ...over,
    };
    return [
      "byok",
      "wrap",
      ...Object.entries(flags).flatMap(([flag, value]) => (value === undefined ? [] : [flag, value])),
    ];
  };
  const split = (over: Record<string, string | undefined>) => {
    const flags: Record<string, string | undefined> = {
      "--material": "aes.bin",
      "--shares": "3",
      "--threshold": "2",
      "--out-dir": "new-shares",
      ...over,
    };
    return [
      "byok",
      "escrow",
      "split",
      ...Object.entries(flags).flatMap(([flag, value]) => (value === undefined ? [] : [flag, value])),
    ];
  };
  const importCmd = (extra: string[]) => [
    "byok",
    "import",
    "--key",
    "alias/x",
    "--import-token",
    "aes.bin",
    "--wrapped",
    "aes.bin",
    ...extra,
  ];
  const ceremony = (extra: string[]) => ["byok", "ceremony", "--key", "alias/x", "--yes", ...extra];
  const renew = (extra: string[]) => [
    "expiry",
    "renew",
    "--key",
    "alias/x",
    "--escrow-dir",
    "shares",
    ...extra,
  ];

  // Enumerated flags: bad values are usage errors in every command that takes them.
  for (const value of [
    "",
    "aes",
    "AES_256",
    "symmetric_default",
    "RSA_1024",
    "HMAC_128",
    "ECC_NIST_P999",
    " SYMMETRIC_DEFAULT",
  ]) {
    add(`generate --key-spec '${value}'`, ["byok", "generate", "--key-spec", value, "--out", "g.bin"], 2);
    add(`kcv --key-spec '${value}'`, ["byok", "kcv", "--material", "aes.bin", "--key-spec", value], 2);
    add(`wrap --key-spec '${value}'`, wrap({ "--key-spec": value }), 2);
    add(`split --key-spec '${value}'`, split({ "--key-spec": value }), 2);
  }
  for (const value of [
    "",
    "RSAES_PKCS1_V1_5",
    "rsaes_oaep_sha_256",
    "OAEP",
    "RSA_AES_KEY_WRAP_SHA_512",
    "SM2PKE",
  ]) {
    add(`wrap --wrapping-algorithm '${value}'`, wrap({ "--wrapping-algorithm": value }), 2);
    add(
      `params --wrapping-algorithm '${value}'`,
      [
        "byok",
        "params",
        "--key",
        "alias/x",
        "--wrapping-algorithm",
        value,
        "--wrapping-key-spec",
        "RSA_2048",
        "--out-dir",
        "p",
      ],
      2,
    );
    add(`ceremony --wrapping-algorithm '${value}'`, ceremony(["--wrapping-algorithm", value]), 2);
  }
  for (const value of ["", "RSA_1024", "rsa_2048", "RSA_8192", "2048"]) {
    add(`wrap --wrapping-key-spec '${value}'`, wrap({ "--wrapping-key-spec": value }), 2);
    add(
      `params --wrapping-key-spec '${value}'`,
      [
        "byok",
        "params",
        "--key",
        "alias/x",
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        value,
        "--out-dir",
        "p",
      ],
      2,
    );
    add(`ceremony --wrapping-key-spec '${value}'`, ceremony(["--wrapping-key-spec", value]), 2);
  }
  for (const value of ["", "NEW", "both", "rotate"]) {
    add(`import --import-type '${value}'`, importCmd(["--import-type", value, "--no-expiry"]), 2);
    add(`ceremony --import-type '${value}'`, ceremony(["--import-type", value]), 2);
  }
  // The wrapping combination: every value a valid flag, the combination impossible.
  add(
    "wrap: ECC_NIST_P521 under RSA_2048 OAEP",
    wrap({
      "--key-spec": "ECC_NIST_P521",
      "--wrapping-algorithm": "RSAES_OAEP_SHA_1",
      "--wrapping-key-spec": "RSA_2048",
    }),
    2,
  );

  // Durations and times.
  for (const value of [
    "",
    "abc",
    "-5d",
    "0d",
    "1.5d",
    "180",
    "366d",
    "99999d",
    "9007199254740993d",
    "1y",
    "180D",
    "1e3d",
    "30d30d",
    "0",
  ]) {
    add(`import --expires-in '${value}'`, importCmd(["--expires-in", value]), 2);
    add(`ceremony --expires-in '${value}'`, ceremony(["--expires-in", value]), 2);
    add(`renew --expires-in '${value}'`, renew(["--expires-in", value]), 2);
  }
  for (const value of [
    "garbage",
    "2020-01-01T00:00:00Z",
    "9999-12-31T00:00:00Z",
    "2027-13-01T00:00:00Z",
    "2027-01-01",
    "0",
    "",
    "yesterday",
    "1700000000",
  ]) {
    add(`import --valid-to '${value}'`, importCmd(["--valid-to", value]), 2);
    add(`ceremony --valid-to '${value}'`, ceremony(["--valid-to", value]), 2);
    add(`renew --valid-to '${value}'`, renew(["--valid-to", value]), 2);
  }
  add("import: --expires-in with --no-expiry", importCmd(["--expires-in", "30d", "--no-expiry"]), 2);
  add("import: no expiry flag", importCmd([]), 2, /missing --expires-in, --valid-to or --no-expiry/);
  for (const value of ["", "abc", "-1d", "1.5d", "30", "9007199254740993d", "3651d", "1y"]) {
    add(`expiry --within '${value}'`, ["expiry", "--within", value], 2);
  }

  // Share counts: 2 to 255, the threshold at most the shares, in every command that takes them.
  const counts = ["0", "1", "256", "-3", "abc", "3.5", "0x3", "1e1", "", "100000000000000000000"];
  for (const value of counts) {
    add(`split --shares '${value}'`, split({ "--shares": value }), 2);
    add(`split --threshold '${value}'`, split({ "--threshold": value }), 2);
    add(`ceremony --escrow-shares '${value}'`, ceremony(["--escrow-shares", value]), 2);
    add(`ceremony --escrow-threshold '${value}'`, ceremony(["--escrow-threshold", value]), 2);
    add(`rotation apply --escrow-shares '${value}'`, ["rotation", "apply", "--escrow-shares", value], 2);
    add(
      `rotation apply --escrow-threshold '${value}'`,
      ["rotation", "apply", "--escrow-threshold", value],
      2,
    );
  }
  add("split: threshold above shares", split({ "--shares": "3", "--threshold": "4" }), 2);
  add("ceremony: threshold above shares", ceremony(["--escrow-shares", "2", "--escrow-threshold", "3"]), 2);
  add(
    "rotation apply: threshold above shares",
    ["rotation", "apply", "--escrow-shares", "3", "--escrow-threshold", "5"],
    2,
  );
  add("split: a passphrase file per share", split({ "--passphrase-file": "wrong-password.txt" }), 2);

  // Regions, endpoints, profiles, plans, keys.
  for (const value of ["bogus", "", "US-EAST-1", ";rm -rf /", "us-east-1 ", "us_east_1", "us-east"]) {
    add(`--region '${value}' expiry`, ["--region", value, "expiry"], 2);
    add(`--region '${value}' rotation status`, ["--region", value, "rotation", "status"], 2);
  }
  for (const value of [
    "us-east-1,,",
    ",",
    "",
    "us-east-1,us-east-1",
    "bogus",
    "us-east-1,bogus",
    "US-EAST-1",
  ]) {
    add(`expiry --regions '${value}'`, ["expiry", "--regions", value], 2);
    add(`rotation status --regions '${value}'`, ["rotation", "status", "--regions", value], 2);
    add(`rotation plan --regions '${value}'`, ["rotation", "plan", "--regions", value], 2);
  }
  for (const value of ["not a url", "ftp://x", "", "http://", "127.0.0.1:4566", "://x"]) {
    add(`--endpoint-url '${value}' expiry`, ["--endpoint-url", value, "expiry"], 2);
    add(
      `--endpoint-url '${value}' params`,
      [
        "--endpoint-url",
        value,
        "byok",
        "params",
        "--key",
        "alias/x",
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        "RSA_2048",
        "--out-dir",
        "p",
      ],
      2,
    );
  }
  add("--profile ''", ["--profile", "", "expiry"], 2);
  add("--profile that does not exist", ["--profile", "no-such-profile", "expiry"], 2, /no-such-profile/);
  add("AWS_PROFILE that does not exist", ["expiry"], 2, /AWS_PROFILE: no profile 'nope-env'/);
  cases[cases.length - 1]!.env = { AWS_PROFILE: "nope-env" };
  // Anything with a '.' or '/' is a key plan file (exit 1 when it is missing), the rest must be a plan name.
  for (const value of ["", "UPPER", "has space", "-lead", `a${"b".repeat(63)}`]) {
    add(`rotation status --plan '${value}'`, ["rotation", "status", "--plan", value], 2);
    add(`rotation plan --plan '${value}'`, ["rotation", "plan", "--plan", value], 2);
    add(`rotation apply --plan '${value}'`, ["rotation", "apply", "--plan", value], 2);
    add(`expiry --plan '${value}'`, ["expiry", "--plan", value], 2);
  }
  add(
    "rotation status --plan of a missing plan file",
    ["rotation", "status", "--plan", "x/y"],
    1,
    /no such file/,
  );
  add("expiry --plan of a malformed plan file", ["expiry", "--plan", "plans/version-2.yaml"], 1, /version/);
  for (const command of ["status", "plan", "apply"]) {
    add(`rotation ${command} --plan with --all`, ["rotation", command, "--plan", "acme", "--all"], 2);
  }
  for (const value of ["not a key", "", "alias/", "arn:aws:kms:us-east-1:12:key/x", "1234"]) {
    add(
      `params --key '${value}'`,
      [
        "byok",
        "params",
        "--key",
        value,
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        "RSA_2048",
        "--out-dir",
        "p",
      ],
      2,
    );
    add(
      `import --key '${value}'`,
      ["byok", "import", "--key", value, "--import-token", "aes.bin", "--wrapped", "aes.bin", "--no-expiry"],
      2,
    );
    add(`ceremony --key '${value}'`, ["byok", "ceremony", "--key", value], 2);
    add(`renew --key '${value}'`, ["expiry", "renew", "--key", value, "--escrow-dir", "shares"], 2);
  }
  add("split --key not an ARN", split({ "--key": "alias/x" }), 2);
  add("renew: --share with --escrow-dir", renew(["--share", "shares/share-1-of-3.json"]), 2);
  add("renew: neither --share nor --escrow-dir", ["expiry", "renew", "--key", "alias/x"], 2);

  // Missing flags and unknown ones.
  add("generate without --key-spec", ["byok", "generate", "--out", "g.bin"], 2, /missing --key-spec/);
  add("generate without --out", ["byok", "generate", "--key-spec", "HMAC_256"], 2, /missing --out/);
  for (const flag of ["--public-key", "--wrapping-algorithm", "--key-spec", "--material", "--out"]) {
    add(`wrap without ${flag}`, wrap({ [flag]: undefined }), 2, new RegExp(`missing ${flag}`));
  }
  for (const flag of ["--material", "--shares", "--threshold", "--out-dir"]) {
    add(`split without ${flag}`, split({ [flag]: undefined }), 2, new RegExp(`missing ${flag}`));
  }
  add("combine without --share", ["byok", "escrow", "combine", "--out", "c.bin"], 2, /missing --share/);
  add(
    "combine without --out",
    ["byok", "escrow", "combine", "--share", "shares/share-1-of-3.json"],
    2,
    /missing --out/,
  );
  add("kcv without --material", ["byok", "kcv"], 2, /missing --material/);
  add("params without flags", ["byok", "params"], 2, /missing --key/);
  add("import without flags", ["byok", "import"], 2, /missing --key/);
  add("renew without --key", ["expiry", "renew", "--escrow-dir", "shares"], 2, /missing --key/);
  add("ceremony without a terminal or flags", ["byok", "ceremony"], 2, /missing --key/);
  add(
    "ceremony p12 without a password",
    [
      "--journal",
      "j.jsonl",
      "byok",
      "ceremony",
      "--key",
      "alias/x",
      "--material",
      "p12:garbage.p12",
      "--no-expiry",
      "--escrow-dir",
      "e",
      "--escrow-shares",
      "3",
      "--escrow-threshold",
      "2",
      "--yes",
    ],
    2,
    /PKCS#12 password is needed.*KEYPLANE_P12_PASSWORD/,
  );
  add("ceremony --material unknown source", ceremony(["--material", "somewhere"]), 2);
  add("rotation apply without --journal", ["rotation", "apply"], 2, /missing --journal/);
  add("unknown command", ["frobnicate"], 2);
  add("unknown subcommand", ["byok", "frobnicate"], 2);
  add("unknown flag", ["--frobnicate", "expiry"], 2);
  add(
    "unknown flag of a command",
    ["byok", "generate", "--key-spec", "HMAC_256", "--out", "g.bin", "--bogus"],
    2,
  );
  add("group without subcommand", ["rotation"], 2);
  add("nested group without subcommand", ["byok", "escrow"], 2);
  add("--output yaml", ["--output", "yaml", "expiry"], 2);
  add("journal verify without a file", ["byok", "journal", "verify"], 2);
  for (const value of ["", "abc", "g".repeat(64), "a".repeat(63)]) {
    add(
      `journal verify --last-hash '${value}'`,
      ["byok", "journal", "verify", "good.jsonl", "--last-hash", value],
      2,
    );
  }

  // Sandbox flags (each refused before the sandbox listens).
  for (const [flag, value] of [
    ["--port", "abc"],
    ["--port", "-1"],
    ["--port", "70000"],
    ["--port", "1.5"],
    ["--latency", "-1"],
    ["--latency", "abc"],
    ["--latency", "60001"],
    ["--faults", ""],
    ["--faults", "explode:0.5"],
    ["--faults", "throttle:2"],
    ["--faults", "throttle:0.5,throttle:0.6"],
    ["--faults", "throttle"],
    ["--faults", "throttle:0.6,5xx:0.6"],
    ["--clock-offset", "soon"],
    ["--clock-offset", "99999999d"],
    ["--clock-offset", "3651d"],
    ["--account-id", "12"],
    ["--account-id", "abcdefghijkl"],
    ["--quotas", "maybe"],
    ["--wrapping-key-pool", "-1"],
    ["--wrapping-key-pool", "x"],
  ] as const) {
    add(`sandbox ${flag} '${value}'`, ["sandbox", "--port", "0", flag, value], 2);
  }

  // Files: a folder, a device, a FIFO, a missing or oversized file, wherever a file is read.
  const unreadable = ["folder", "/dev/zero", "fifo", "missing.bin", "big.bin"];
  for (const path of unreadable) {
    add(`kcv --material ${path}`, ["byok", "kcv", "--material", path], 1);
    add(`wrap --material ${path}`, wrap({ "--material": path }), 1);
    add(`wrap --public-key ${path}`, wrap({ "--public-key": path }), 1);
    add(`split --material ${path}`, split({ "--material": path }), 1);
    add(`combine --share ${path}`, ["byok", "escrow", "combine", "--share", path, "--out", "c.bin"], 1);
    add(
      `import --import-token ${path}`,
      ["byok", "import", "--key", "alias/x", "--import-token", path, "--wrapped", "aes.bin", "--no-expiry"],
      1,
    );
    add(
      `import --wrapped ${path}`,
      ["byok", "import", "--key", "alias/x", "--import-token", "aes.bin", "--wrapped", path, "--no-expiry"],
      1,
    );
    add(
      `kcv --password-file ${path}`,
      ["byok", "kcv", "--material", "rsa-encrypted.pem", "--password-file", path],
      1,
    );
    add(`plan lint --plan ${path}`, ["plan", "lint", "--plan", path], 1);
    add(`journal verify ${path}`, ["byok", "journal", "verify", path], 1);
    add(`ceremony --material file:${path}`, ceremony(["--material", `file:${path}`]), 1);
    add(`ceremony --component ${path}`, ceremony(["--material", "components", "--component", path]), 1);
    add(`renew --share ${path}`, ["expiry", "renew", "--key", "alias/x", "--share", path], 1);
  }
  for (const path of ["folder", "/dev/zero", "fifo", "big.bin"]) {
    add(
      `--journal ${path} generate`,
      ["--journal", path, "byok", "generate", "--key-spec", "HMAC_256", "--out", "g.bin"],
      1,
    );
  }
  add("plan explain of a missing KEYPLANE_PLAN", ["plan", "explain"], 1, /nowhere\.yaml: no such file/);
  cases[cases.length - 1]!.env = { KEYPLANE_PLAN: "nowhere.yaml" };
  add(
    "split --out-dir a file",
    split({ "--out-dir": "aes.bin" }),
    1,
    /--out-dir aes\.bin: exists and is not a folder/,
  );
  add(
    "split --out-dir under a file",
    split({ "--out-dir": "aes.bin/sub" }),
    1,
    /a parent of it is not a folder/,
  );
  add(
    "params --out-dir a file",
    [
      "byok",
      "params",
      "--key",
      "alias/x",
      "--wrapping-algorithm",
      "RSAES_OAEP_SHA_256",
      "--wrapping-key-spec",
      "RSA_2048",
      "--out-dir",
      "aes.bin",
    ],
    1,
  );
  add(
    "generate over an existing file",
    ["byok", "generate", "--key-spec", "HMAC_256", "--out", "aes.bin"],
    1,
  );
  add("wrap over an existing file", wrap({ "--out": "aes.bin" }), 1);
  add(
    "combine over an existing file",
    [
      "byok",
      "escrow",
      "combine",
      "--share",
      "shares/share-1-of-3.json",
      "shares/share-2-of-3.json",
      "--out",
      "aes.bin",
    ],
    1,
  );

  // Material contents.
  for (const [file, spec] of [
    ["empty.bin", "SYMMETRIC_DEFAULT"],
    ["aes16.bin", "SYMMETRIC_DEFAULT"],
    ["aes31.bin", "SYMMETRIC_DEFAULT"],
    ["aes33.bin", "SYMMETRIC_DEFAULT"],
    ["hmac27.bin", "HMAC_224"],
    ["odd.hex", "SYMMETRIC_DEFAULT"],
    ["short.hex", "SYMMETRIC_DEFAULT"],
    ["text.txt", "SYMMETRIC_DEFAULT"],
    ["base64-33.txt", "SYMMETRIC_DEFAULT"],
    ["aes.bin", "RSA_2048"],
    ["rsa.pem", "RSA_3072"],
    ["rsa.pem", "ECC_NIST_P256"],
    ["ec.pem", "ECC_NIST_P384"],
    ["ec.pem", "RSA_2048"],
    ["rsa1024.pem", "RSA_2048"],
    ["rsa-truncated.pem", "RSA_2048"],
    ["rsa-truncated.der", "RSA_2048"],
    ["rsa-encrypted.pem", "RSA_2048"],
    ["garbage.p12", "RSA_2048"],
    ["pub.pem", "RSA_2048"],
    ["nul.bin", "RSA_2048"],
  ] as const) {
    add(`kcv ${file} as ${spec}`, ["byok", "kcv", "--material", file, "--key-spec", spec], 1);
    add(
      `wrap ${file} as ${spec}`,
      wrap({ "--material": file, "--key-spec": spec, "--wrapping-algorithm": "RSA_AES_KEY_WRAP_SHA_256" }),
      1,
    );
  }
  for (const file of [
    "empty.bin",
    "text.txt",
    "rsa1024.pem",
    "garbage.p12",
    "pub.pem",
    "rsa-truncated.der",
  ]) {
    add(`kcv ${file}, spec guessed`, ["byok", "kcv", "--material", file], 1);
  }
  add(
    "wrong password of an encrypted PKCS#8",
    ["byok", "kcv", "--material", "rsa-encrypted.pem", "--password-file", "wrong-password.txt"],
    1,
    /password/,
  );
  add(
    "encrypted PKCS#8 without a password",
    ["byok", "kcv", "--material", "rsa-encrypted.pem"],
    1,
    /password/,
  );

  // Wrapping public keys.
  for (const file of [
    "empty.bin",
    "pub-truncated.der",
    "text.txt",
    "bad.pem",
    "base64-garbage.txt",
    "pub1024.der",
    "pub-ec.der",
    "nul.bin",
  ]) {
    add(`wrap --public-key ${file}`, wrap({ "--public-key": file }), 1);
  }
  add("wrap --public-key a private key PEM", wrap({ "--public-key": "rsa.pem" }), 1, /holds a private key/);
  add(
    "wrap --public-key a private key DER",
    wrap({ "--public-key": "priv-as-pub.der" }),
    1,
    /holds a private key/,
  );
  add("wrap --public-key of another size than asked", wrap({ "--wrapping-key-spec": "RSA_4096" }), 1);

  // Escrow shares.
  for (const name of [
    "not-json",
    "array",
    "null",
    "truncated",
    "index",
    "threshold",
    "format",
    "no-checksum",
    "kcv",
    "spec",
  ]) {
    add(
      `combine with share-${name}`,
      [
        "byok",
        "escrow",
        "combine",
        "--share",
        `share-${name}.json`,
        "shares/share-2-of-3.json",
        "--out",
        "c.bin",
      ],
      1,
    );
  }
  add(
    "combine with one share of 2-of-3",
    ["byok", "escrow", "combine", "--share", "shares/share-1-of-3.json", "--out", "c.bin"],
    1,
  );
  add(
    "combine with the same share twice",
    [
      "byok",
      "escrow",
      "combine",
      "--share",
      "shares/share-1-of-3.json",
      "shares/share-1-of-3.json",
      "--out",
      "c.bin",
    ],
    1,
  );
  add(
    "combine for another key",
    [
      "byok",
      "escrow",
      "combine",
      "--share",
      "shares/share-1-of-3.json",
      "shares/share-2-of-3.json",
      "--key",
      "arn:aws:kms:us-east-1:111111111111:key/ffffffff-12ab-34cd-56ef-1234567890ab",
      "--out",
      "c.bin",
    ],
    1,
  );

  // Journals.
  for (const name of [
    "empty",
    "garbage",
    "object",
    "edited",
    "middle-removed",
    "first-removed",
    "reordered",
    "replayed",
    "crlf",
    "no-newline",
    "blank-line",
    "nul",
  ]) {
    add(`journal verify journal-${name}`, ["byok", "journal", "verify", `journal-${name}.jsonl`], 1);
  }
  add(
    "journal verify: last line removed, against its anchor",
    ["byok", "journal", "verify", "journal-tail-removed.jsonl", "--last-hash", "ANCHOR"],
    1,
    /no line has the anchored hash/,
  );
  add(
    "journal verify: another journal's anchor",
    ["byok", "journal", "verify", "good.jsonl", "--last-hash", "0".repeat(64)],
    1,
  );
  add(
    "generate with a broken --journal",
    ["--journal", "journal-edited.jsonl", "byok", "generate", "--key-spec", "HMAC_256", "--out", "g.bin"],
    1,
  );

  // Key plans, each through lint and explain.
  for (const name of Object.keys(malformedPlans())) {
    add(`plan lint ${name}`, ["plan", "lint", "--plan", `plans/${name}.yaml`], 1);
    // Guardrails (and so suppressions of them) are lint's; explain only derives the keys.
    if (!name.startsWith("suppress-")) {
      add(`plan explain ${name}`, ["plan", "explain", "--plan", `plans/${name}.yaml`], 1);
    }
  }
  return cases;
}

/**
 * Cases that need KMS: run with the sandbox's environment; `key` is an EXTERNAL symmetric key and
 * `rsaKey` an EXTERNAL RSA_2048 signing key, both without material.
 */
export function onlineCases(key: string, rsaKey: string): MalformedCase[] {
  const ceremonyFlags = [
    "--no-expiry",
    "--escrow-dir",
    "esc",
    "--escrow-shares",
    "3",
    "--escrow-threshold",
    "2",
    "--yes",
  ];
  const cases: MalformedCase[] = [
    {
      name: "rotation status --plan that matches no key",
      args: ["rotation", "status", "--plan", "typo"],
      exit: 1,
      stderr: /--plan typo: no key/,
    },
    {
      name: "rotation plan --plan that matches no key",
      args: ["rotation", "plan", "--plan", "typo"],
      exit: 1,
      stderr: /--plan typo/,
    },
    {
      name: "rotation apply --plan that matches no key",
      args: ["--journal", "r.jsonl", "rotation", "apply", "--plan", "typo"],
      exit: 1,
      stderr: /--plan typo/,
    },
    {
      name: "expiry --plan that matches no key",
      args: ["expiry", "--plan", "typo"],
      exit: 1,
      stderr: /--plan typo: no key/,
    },
    {
      name: "import: a token that is not a token",
      args: [
        "byok",
        "import",
        "--key",
        key,
        "--import-token",
        "aes.bin",
        "--wrapped",
        "aes.bin",
        "--no-expiry",
      ],
      exit: 1,
    },
    {
      name: "import: an empty token",
      args: [
        "byok",
        "import",
        "--key",
        key,
        "--import-token",
        "empty.bin",
        "--wrapped",
        "aes.bin",
        "--no-expiry",
      ],
      exit: 1,
    },
    {
      name: "import: a key that does not exist",
      args: [
        "byok",
        "import",
        "--key",
        "alias/nope",
        "--import-token",
        "aes.bin",
        "--wrapped",
        "aes.bin",
        "--no-expiry",
      ],
      exit: 1,
    },
    {
      name: "params: a key that does not exist",
      args: [
        "byok",
        "params",
        "--key",
        "alias/nope",
        "--wrapping-algorithm",
        "RSAES_OAEP_SHA_256",
        "--wrapping-key-spec",
        "RSA_2048",
        "--out-dir",
        "p",
      ],
      exit: 1,
    },
    {
      name: "renew: a key that does not exist",
      args: ["expiry", "renew", "--key", "alias/nope", "--escrow-dir", "shares", "--expires-in", "30d"],
      exit: 1,
    },
    {
      name: "ceremony: a garbage PKCS#12",
      args: [
        "--journal",
        "c.jsonl",
        "byok",
        "ceremony",
        "--key",
        rsaKey,
        "--material",
        "p12:garbage.p12",
        ...ceremonyFlags,
      ],
      exit: 1,
      stderr: /garbage\.p12: (not a private key|the PKCS#12 password is wrong)/,
      env: { KEYPLANE_P12_PASSWORD: "whatever" },
    },
    {
      name: "ceremony: a PKCS#12 for a symmetric key",
      args: [
        "--journal",
        "c.jsonl",
        "byok",
        "ceremony",
        "--key",
        key,
        "--material",
        "p12:garbage.p12",
        ...ceremonyFlags,
      ],
      exit: 1,
      stderr: /garbage\.p12/,
      env: { KEYPLANE_P12_PASSWORD: "whatever" },
    },
    {
      name: "ceremony: an encrypted PKCS#8 file for an RSA key",
      args: [
        "--journal",
        "c.jsonl",
        "byok",
        "ceremony",
        "--key",
        rsaKey,
        "--material",
        "file:rsa-encrypted.pem",
        ...ceremonyFlags,
      ],
      exit: 1,
      stderr: /rsa-encrypted\.pem: the private key is encrypted/,
    },
    {
      name: "ceremony: an RSA-1024 key for RSA_2048",
      args: [
        "--journal",
        "c.jsonl",
        "byok",
        "ceremony",
        "--key",
        rsaKey,
        "--material",
        "file:rsa1024.pem",
        ...ceremonyFlags,
      ],
      exit: 1,
      stderr: /needs a 2048-bit RSA key/,
    },
    {
      name: "ceremony: material of the wrong length",
      args: [
        "--journal",
        "c.jsonl",
        "byok",
        "ceremony",
        "--key",
        key,
        "--material",
        "file:aes16.bin",
        ...ceremonyFlags,
      ],
      exit: 1,
    },
    {
      name: "ceremony: an RSA key for a symmetric key",
      args: [
        "--journal",
        "c.jsonl",
        "byok",
        "ceremony",
        "--key",
        key,
        "--material",
        "file:rsa.pem",
        ...ceremonyFlags,
      ],
      exit: 1,
    },
    {
      name: "ceremony: one component",
      args: [
        "--journal",
        "c.jsonl",
        "byok",
        "ceremony",
        "--key",
        key,
        "--material",
        "components",
        "--component",
        "aes.bin",
        ...ceremonyFlags,
      ],
      exit: 2,
    },
    {
      name: "ceremony: a key that does not exist",
      args: [
        "--journal",
        "c.jsonl",
        "byok",
        "ceremony",
        "--key",
        "alias/nope",
        "--material",
        "generate",
        ...ceremonyFlags,
      ],
      exit: 1,
    },
  ];
  return cases;
}
