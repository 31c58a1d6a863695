import type { Command } from "commander";
import { notAvailable } from "../not-available";

export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description("run a local AWS KMS endpoint for rehearsals and tests")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--port <port>", "port", "4566")
    .action(() => notAvailable("sandbox"));
}
