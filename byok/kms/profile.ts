/**
 * Named profiles. `--profile X` must behave exactly as `AWS_PROFILE=X`: the SDK reads a profile's
 * `endpoint_url` and `services` sections only through AWS_PROFILE (its endpoint loader ignores a client's
 * `profile` setting), so the CLI sets AWS_PROFILE from the flag, and the same check covers both. A profile
 * that exists in neither shared file fails here, naming it, instead of as the SDK's multi-line notice and
 * "Could not load credentials from any providers".
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KeyplaneError } from "../errors";

/** Profile names declared in the shared config (`[profile x]`, `[default]`) and credentials (`[x]`) files. */
export function declaredProfiles(env: NodeJS.ProcessEnv = process.env): {
  names: Set<string>;
  files: string[];
} {
  const home = env.HOME || homedir();
  const config = env.AWS_CONFIG_FILE || join(home, ".aws", "config");
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE || join(home, ".aws", "credentials");
  const names = new Set<string>();
  for (const [file, prefixed] of [
    [config, true],
    [credentials, false],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const match of text.matchAll(/^\s*\[([^\]]+)\]/gm)) {
      const section = (match[1] ?? "").trim();
      if (!prefixed) names.add(section);
      else if (section === "default") names.add(section);
      else if (/^profile\s/.test(section)) names.add(section.replace(/^profile\s+/, ""));
    }
  }
  return { names, files: [config, credentials] };
}

/** Throws a USAGE error naming `profile` (and where it came from) when no shared file declares it. */
export function assertProfileDeclared(
  profile: string,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const { names, files } = declaredProfiles(env);
  if (!names.has(profile)) {
    throw new KeyplaneError("USAGE", `${source}: no profile '${profile}' in ${files.join(" or ")}`, {
      hint: "check the name, or set AWS_CONFIG_FILE",
    });
  }
}
