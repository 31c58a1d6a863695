/**
 * The CI recipes in examples/github-actions: each workflow parses, and every keyplane command line in its
 * `run:` steps names commands and flags the built CLI's own commander program has (global flags before or
 * after the command, as commander accepts them).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..");
const RECIPES = join(ROOT, "examples", "github-actions");
const { buildProgram } = require(join(ROOT, "dist", "cli", "main.js")) as { buildProgram: () => Command };

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, { steps: { run?: string; uses?: string }[] }>;
}

/** Every `keyplane ...` invocation in a shell script, continuation lines joined, split into words. */
function keyplaneCommands(script: string): string[][] {
  const joined = script.replace(/\\\n\s*/g, " ");
  return joined
    .split(/\n|;|&&|\|\||\|/)
    .map((line) => line.trim())
    .filter((line) => /^keyplane(\s|$)/.test(line))
    .map((line) => (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((word) => word.replace(/^["']|["']$/g, "")))
    .map((words) => {
      const redirect = words.findIndex((word) => /^\d?>/.test(word));
      return redirect === -1 ? words : words.slice(0, redirect);
    });
}

/** Unknown commands and flags of one command line, checked against the program. */
function problems(program: Command, words: string[]): string[] {
  const found: string[] = [];
  const chain: Command[] = [program];
  let expectValue = false;
  for (const word of words.slice(1)) {
    if (expectValue && !word.startsWith("-")) {
      expectValue = false;
      continue;
    }
    if (word.startsWith("-")) {
      const flag = word.split("=", 1)[0]!;
      const option = chain
        .flatMap((command) => command.options)
        .find((o) => o.long === flag || o.short === flag);
      // An unknown flag's value (if any) is not a command either.
      if (!option) found.push(`unknown flag ${flag} for '${chain.map((c) => c.name()).join(" ")}'`);
      expectValue = (!option || option.required || option.optional) && !word.includes("=");
      continue;
    }
    const current = chain[chain.length - 1]!;
    const sub = current.commands.find((command) => command.name() === word);
    if (sub) chain.push(sub);
    else if (current.commands.length > 0)
      return [...found, `unknown command '${word}' under '${current.name()}'`];
  }
  if (chain.length === 1) found.push("no command");
  return found;
}

const files = readdirSync(RECIPES).filter((file) => file.endsWith(".yml"));

test("there are recipes: pull-request plan and scheduled runbooks", () => {
  expect(files.sort()).toEqual(["keyplane-plan.yml", "keyplane-runbooks.yml"]);
});

describe.each(files)("%s", (file) => {
  const workflow = parse(readFileSync(join(RECIPES, file), "utf8")) as Workflow;
  const commands = Object.values(workflow.jobs).flatMap((job) =>
    job.steps.flatMap((step) => (step.run ? keyplaneCommands(step.run) : [])),
  );

  test("parses as a workflow with jobs and steps, and runs keyplane", () => {
    expect(typeof workflow.name).toBe("string");
    expect(Object.keys(workflow.on).length).toBeGreaterThan(0);
    expect(commands.length).toBeGreaterThan(0);
  });

  test("every keyplane command and flag exists in the CLI", () => {
    const program = buildProgram();
    expect(
      commands.flatMap((words) => problems(program, words).map((p) => `${words.join(" ")}: ${p}`)),
    ).toEqual([]);
  });

  test("short-lived credentials only: OIDC, never stored keys", () => {
    const text = readFileSync(join(RECIPES, file), "utf8");
    expect(text).toContain("id-token: write");
    expect(text).toContain("role-to-assume:");
    expect(text).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
  });
});

test("the checker catches what it should: an unknown flag and an unknown command", () => {
  const program = buildProgram();
  expect(problems(program, ["keyplane", "expiry", "--whithin", "30d"])).toEqual([
    "unknown flag --whithin for 'keyplane expiry'",
  ]);
  expect(problems(program, ["keyplane", "rotaton", "status"])).toEqual([
    "unknown command 'rotaton' under 'keyplane'",
  ]);
  expect(
    keyplaneCommands('set +e\nkeyplane --output json expiry \\\n  --within 30d > e.json\necho "code=$?"'),
  ).toEqual([["keyplane", "--output", "json", "expiry", "--within", "30d"]]);
});

test("the runbooks page on exit 3 of both runbook commands", () => {
  const workflow = parse(readFileSync(join(RECIPES, "keyplane-runbooks.yml"), "utf8")) as Workflow;
  const steps = workflow.jobs.check!.steps as { if?: string; name?: string; run?: string }[];
  const page = steps.find((step) => step.name?.startsWith("Page on-call"))!;
  expect(page.if).toBe("steps.expiry.outputs.code == '3' || steps.rotation.outputs.code == '3'");
  expect(page.run).toContain("events.pagerduty.com");
});
