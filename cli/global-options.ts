import type { Command } from "commander";

/** The global flags of DESIGN.md, as every command sees them. */
export interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  output: "table" | "json";
  yes: boolean;
  color: boolean;
  journal?: string;
  debug: boolean;
}

/** Reads the merged global options from any (sub)command. */
export function globalOptions(command: Command): GlobalOptions {
  const raw = command.optsWithGlobals<Partial<GlobalOptions>>();
  const options: GlobalOptions = {
    output: raw.output === "json" ? "json" : "table",
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
