import type { Command } from "commander";
import { DEFAULT_ESCROW, outputDirOption, planNameOption, regionsOption, sharesOption } from "../flags";

export interface RotationFlags {
  plan?: string;
  all?: boolean;
  regions?: string;
  dryRun?: boolean;
  escrowDir?: string;
  escrowShares?: number;
  escrowThreshold?: number;
}

export function registerRotation(program: Command): void {
  const rotation = program
    .command("rotation")
    .description("rotation status, plan and apply for a plan's keys (exit 3 when any is due)");
  const common = (command: Command) =>
    command
      .addOption(
        planNameOption(
          "keys of a plan: its name (the keyplane:plan tag) or its key plan file (default: any key with a keyplane:plan tag)",
        ).conflicts("all"),
      )
      .option("--all", "every customer managed key, tagged or not", false)
      .addOption(regionsOption());
  common(
    rotation.command("status").description("mode, period wanted vs set, last and next rotation, status"),
  ).action(async (flags: RotationFlags, command: Command) => {
    const { rotationStatus } = await import("./rotation-action");
    await rotationStatus(flags, command);
  });
  common(rotation.command("plan").description("the actions a rotation runbook would take")).action(
    async (flags: RotationFlags, command: Command) => {
      const { rotationApply } = await import("./rotation-action");
      await rotationApply({ ...flags, dryRun: true }, command);
    },
  );
  common(rotation.command("apply").description("perform the actions, journaled; idempotent and resumable"))
    .option("--dry-run", "show what would be done", false)
    .addOption(
      outputDirOption(
        "--escrow-dir <dir>",
        "escrow folder for new material of imported keys (needed to re-import it)",
      ),
    )
    .addOption(
      sharesOption("--escrow-shares <n>", "escrow shares per new material (2-255)", DEFAULT_ESCROW.shares),
    )
    .addOption(
      sharesOption("--escrow-threshold <m>", "shares needed to recover it (2-N)", DEFAULT_ESCROW.threshold),
    )
    .action(async (flags: RotationFlags, command: Command) => {
      const { rotationApply } = await import("./rotation-action");
      await rotationApply(flags, command);
    });
}
