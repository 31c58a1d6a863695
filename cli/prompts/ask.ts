import { KeyplaneError, usageError } from "../../byok/errors";

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  disabled?: boolean | string;
}

/**
 * Asks a person, or refuses: without a terminal a missing answer is a usage error naming the flag that
 * gives it, so a pipeline fails at once instead of hanging at a prompt. Prompts draw on stderr; stdout
 * stays for the result.
 */
export interface Ask {
  readonly interactive: boolean;
  select<T>(flag: string, message: string, choices: readonly Choice<T>[], initial?: T): Promise<T>;
  input(
    flag: string,
    message: string,
    options?: { initial?: string; validate?: (value: string) => true | string },
  ): Promise<string>;
  /** Hidden input (components, passphrases): never echoed. */
  secret(flag: string, message: string, validate?: (value: string) => true | string): Promise<string>;
  confirm(message: string, initial?: boolean): Promise<boolean>;
  /** A line for the person at the terminal (stderr). */
  tell(message: string): void;
}

/** Interactive when stdin and stderr are terminals (the prompts read one and draw on the other). */
export function terminalIsInteractive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

export async function createAsk(interactive = terminalIsInteractive()): Promise<Ask> {
  if (!interactive) return nonInteractive;
  const prompts = await import("@inquirer/prompts");
  const context = { input: process.stdin, output: process.stderr, clearPromptOnDone: false };
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof Error && error.name === "ExitPromptError") {
        throw new KeyplaneError(
          "INTERRUPTED",
          "interrupted at a prompt; nothing after the last finished step was done",
        );
      }
      throw error;
    }
  };
  return {
    interactive: true,
    select: (_flag, message, choices, initial) =>
      guard(() =>
        prompts.select(
          {
            message,
            choices: choices.map((choice) => ({ ...choice })),
            ...(initial === undefined ? {} : { default: initial }),
            pageSize: 12,
          },
          context,
        ),
      ),
    input: (_flag, message, options = {}) =>
      guard(() =>
        prompts.input(
          {
            message,
            ...(options.initial === undefined ? {} : { default: options.initial }),
            ...(options.validate ? { validate: options.validate } : {}),
          },
          context,
        ),
      ),
    secret: (_flag, message, validate) =>
      guard(() => prompts.password({ message, mask: "*", ...(validate ? { validate } : {}) }, context)),
    confirm: (message, initial = false) =>
      guard(() => prompts.confirm({ message, default: initial }, context)),
    tell: (message) => {
      process.stderr.write(`${message}\n`);
    },
  };
}

const refuse = (flag: string): never => {
  throw usageError(`missing ${flag}`, "without a terminal every choice must be given as a flag");
};

const nonInteractive: Ask = {
  interactive: false,
  select: async (flag) => refuse(flag),
  input: async (flag) => refuse(flag),
  secret: async (flag) => refuse(flag),
  confirm: async () => refuse("--yes"),
  tell: () => {},
};
