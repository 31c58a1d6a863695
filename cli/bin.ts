#!/usr/bin/env node
import { main } from "./main";

// The AWS SDK prints a multi-line notice on every run under Node 20 about its future Node support. keyplane
// states its own Node range in the README; the notice would break the one-line stderr contract.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (text.startsWith("NodeVersionSupportWarning")) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
