import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { CreateAliasCommand, CreateKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { CLI } from "../support/cli";

export async function taggedKey(
  kms: KMSClient,
  alias: string,
  options: {
    origin?: "EXTERNAL" | "AWS_KMS";
    rotationDays?: string;
    validityDays?: string;
    plan?: string;
  } = {},
): Promise<string> {
  const tags = [
    { TagKey: "keyplane:plan", TagValue: options.plan ?? "fleet" },
    { TagKey: "keyplane:classification", TagValue: "restricted" },
    { TagKey: "keyplane:rotation-days", TagValue: options.rotationDays ?? "90" },
  ];
  if (options.validityDays)
    tags.push({ TagKey: "keyplane:material-validity-days", TagValue: options.validityDays });
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ Origin: options.origin ?? "EXTERNAL", Tags: tags }),
  );
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata!.KeyId! }));
  return KeyMetadata!.Arn!;
}

export function journalEvents(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { event: string }).event);
}

/**
 * Runs the CLI and signals it (SIGKILL unless told) as soon as the journal gains a line with `event`: a crash
 * or an interrupt at a known step.
 * Resolves with how the process ended.
 */
export function killWhenJournaled(
  args: string[],
  env: Record<string, string>,
  journal: string,
  event: string,
  signal: NodeJS.Signals = "SIGKILL",
): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let killed = false;
    const poll = setInterval(() => {
      if (!killed && journalEvents(journal).includes(event)) {
        killed = true;
        child.kill(signal);
      }
    }, 5);
    child.on("close", (code) => {
      clearInterval(poll);
      resolve({ killed, code, stderr });
    });
  });
}
