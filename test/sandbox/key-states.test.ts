import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  GetParametersForImportCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UpdateKeyDescriptionCommand,
} from "@aws-sdk/client-kms";
import { useSandbox } from "../support/sandbox";

const { kms } = useSandbox();

type State = "Disabled" | "PendingImport" | "PendingDeletion";

/** A key in the given state: AWS_KMS keys for Disabled and PendingDeletion, an EXTERNAL key for PendingImport. */
async function keyIn(state: State, origin: "AWS_KMS" | "EXTERNAL" = "AWS_KMS"): Promise<string> {
  const KeyId = (
    await kms.send(new CreateKeyCommand({ Origin: state === "PendingImport" ? "EXTERNAL" : origin }))
  ).KeyMetadata!.KeyId!;
  if (state === "Disabled") await kms.send(new DisableKeyCommand({ KeyId }));
  if (state === "PendingDeletion")
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
  expect((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState).toBe(state);
  return KeyId;
}

const policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });
let aliasCount = 0;

const OPERATIONS: Record<string, (KeyId: string) => Promise<unknown>> = {
  Encrypt: (KeyId) => kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("x") })),
  GenerateDataKey: (KeyId) => kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: "AES_256" })),
  EnableKey: (KeyId) => kms.send(new EnableKeyCommand({ KeyId })),
  DisableKey: (KeyId) => kms.send(new DisableKeyCommand({ KeyId })),
  EnableKeyRotation: (KeyId) => kms.send(new EnableKeyRotationCommand({ KeyId })),
  DisableKeyRotation: (KeyId) => kms.send(new DisableKeyRotationCommand({ KeyId })),
  TagResource: (KeyId) => kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: "k", TagValue: "v" }] })),
  UpdateKeyDescription: (KeyId) => kms.send(new UpdateKeyDescriptionCommand({ KeyId, Description: "d" })),
  PutKeyPolicy: (KeyId) => kms.send(new PutKeyPolicyCommand({ KeyId, Policy: policy })),
  CreateAlias: (KeyId) => {
    aliasCount += 1;
    return kms.send(new CreateAliasCommand({ AliasName: `alias/state/${aliasCount}`, TargetKeyId: KeyId }));
  },
  CreateGrant: (KeyId) =>
    kms.send(
      new CreateGrantCommand({
        KeyId,
        GranteePrincipal: "arn:aws:iam::111111111111:root",
        Operations: ["Encrypt"],
      }),
    ),
  ScheduleKeyDeletion: (KeyId) => kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 })),
  DescribeKey: (KeyId) => kms.send(new DescribeKeyCommand({ KeyId })),
  GetKeyPolicy: (KeyId) => kms.send(new GetKeyPolicyCommand({ KeyId })),
  ListResourceTags: (KeyId) => kms.send(new ListResourceTagsCommand({ KeyId })),
};

const OK = "ok";
/** What KMS answers for each operation in each state (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html). */
const EXPECTED: Record<string, Record<State, string>> = {
  Encrypt: {
    Disabled: "DisabledException",
    PendingImport: "KMSInvalidStateException",
    PendingDeletion: "KMSInvalidStateException",
  },
  GenerateDataKey: {
    Disabled: "DisabledException",
    PendingImport: "KMSInvalidStateException",
    PendingDeletion: "KMSInvalidStateException",
  },
  EnableKey: {
    Disabled: OK,
    PendingImport: "KMSInvalidStateException",
    PendingDeletion: "KMSInvalidStateException",
  },
  DisableKey: {
    Disabled: OK,
    PendingImport: "KMSInvalidStateException",
    PendingDeletion: "KMSInvalidStateException",
  },
  EnableKeyRotation: {
    Disabled: "DisabledException",
    PendingImport: "UnsupportedOperationException",
    PendingDeletion: "KMSInvalidStateException",
  },
  DisableKeyRotation: {
    Disabled: "DisabledException",
    PendingImport: "UnsupportedOperationException",
    PendingDeletion: "KMSInvalidStateException",
  },
  TagResource: { Disabled: OK, PendingImport: OK, PendingDeletion: "KMSInvalidStateException" },
  UpdateKeyDescription: { Disabled: OK, PendingImport: OK, PendingDeletion: "KMSInvalidStateException" },
  PutKeyPolicy: { Disabled: OK, PendingImport: OK, PendingDeletion: "KMSInvalidStateException" },
  CreateAlias: { Disabled: OK, PendingImport: OK, PendingDeletion: "KMSInvalidStateException" },
  CreateGrant: { Disabled: OK, PendingImport: OK, PendingDeletion: "KMSInvalidStateException" },
  ScheduleKeyDeletion: { Disabled: OK, PendingImport: OK, PendingDeletion: "KMSInvalidStateException" },
  DescribeKey: { Disabled: OK, PendingImport: OK, PendingDeletion: OK },
  GetKeyPolicy: { Disabled: OK, PendingImport: OK, PendingDeletion: OK },
  ListResourceTags: { Disabled: OK, PendingImport: OK, PendingDeletion: OK },
};

const cases = Object.entries(EXPECTED).flatMap(([operation, byState]) =>
  (Object.entries(byState) as [State, string][]).map(
    ([state, outcome]) => [operation, state, outcome] as const,
  ),
);

test.each(cases)("%s on a %s key: %s", async (operation, state, outcome) => {
  const KeyId = await keyIn(state);
  const call = OPERATIONS[operation]!(KeyId);
  if (outcome === OK) await expect(call).resolves.toBeDefined();
  else await expect(call).rejects.toMatchObject({ name: outcome });
});

test("GetParametersForImport on an EXTERNAL key pending deletion is KMSInvalidStateException", async () => {
  const KeyId = await keyIn("PendingDeletion", "EXTERNAL");
  await expect(
    kms.send(
      new GetParametersForImportCommand({
        KeyId,
        WrappingAlgorithm: "RSAES_OAEP_SHA_256",
        WrappingKeySpec: "RSA_2048",
      }),
    ),
  ).rejects.toMatchObject({ name: "KMSInvalidStateException" });
});
