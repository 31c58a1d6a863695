import type { Command } from "commander";
import { structuredOutput } from "./output";

/** The global flags of DESIGN.md, as every command sees them. */
export interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** "json" also for --output text and --query: commands print the JSON shape, output.ts reshapes it. */
  output: "table" | "json";
  yes: boolean;
  color: boolean;
  journal?: string;
  debug: boolean;
}

/** Reads the merged global options from any (sub)command. */
export function globalOptions(command: Command): GlobalOptions {
  const raw = command.optsWithGlobals<
    Partial<Omit<GlobalOptions, "output">> & { output?: string; query?: string }
  >();
  const options: GlobalOptions = {
    output: structuredOutput(raw.output, raw.query) ? "json" : "table",
    yes: raw.yes === true,
    color: raw.color !== false && !process.env.NO_COLOR,
    debug: raw.debug === true,
  };
  if (raw.region) options.region = raw.region;
  if (raw.profile) options.profile = raw.profile;
  const endpoint = raw.endpointUrl ?? process.env.AWS_ENDPOINT_URL_KMS;
  if (endpoint) options.endpointUrl = endpoint;
  if (raw.journal) options.journal = raw.journal;
  return options;
}
