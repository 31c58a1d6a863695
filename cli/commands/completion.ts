import { Argument, type Command } from "commander";

/** `keyplane completion bash|zsh`: a completion script generated from this very program's commands. */
export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script (bash or zsh)")
    .addArgument(new Argument("<shell>", "bash or zsh").choices(["bash", "zsh"]))
    .addHelpText(
      "after",
      "\nbash: source <(keyplane completion bash)   (or save it under /etc/bash_completion.d/keyplane)\n" +
        "zsh:  source <(keyplane completion zsh)    (in ~/.zshrc, after compinit)",
    )
    .action(async (shell: "bash" | "zsh") => {
      const { completionScript } = await import("./completion-script");
      process.stdout.write(completionScript(program, shell));
    });
}
