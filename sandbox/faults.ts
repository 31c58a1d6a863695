import { KeyplaneError } from "../byok/errors";

/**
 * Failures a client must survive, injected at random: `throttle:0.1,5xx:0.02,reset:0.01,lost:0.01`.
 * `reset` drops the connection before the request is carried out; `lost` carries it out and then drops the
 * connection, so the caller cannot tell whether it happened (a timeout after KMS acted) and retries it.
 */
export type Fault = "throttle" | "5xx" | "reset" | "lost";

const FAULTS: readonly Fault[] = ["throttle", "5xx", "reset", "lost"];

export type FaultRates = Partial<Record<Fault, number>>;

/** Parses `--faults`; an empty spec or a fault named twice is a usage error, not a silent "no faults". */
export function parseFaults(spec: string): FaultRates {
  const rates: FaultRates = {};
  if (spec.trim() === "") {
    throw new KeyplaneError(
      "USAGE",
      "--faults: expected name:probability pairs such as throttle:0.1, got ''",
    );
  }
  for (const part of spec.split(",")) {
    const [name, value] = part.split(":").map((text) => text.trim());
    const rate = Number(value);
    if (!FAULTS.includes(name as Fault) || value === undefined || value === "" || !(rate >= 0 && rate <= 1)) {
      throw new KeyplaneError(
        "USAGE",
        `--faults: expected name:probability pairs such as throttle:0.1,5xx:0.02,reset:0.01 (names: ${FAULTS.join(", ")}; probabilities 0..1), got '${part}'`,
      );
    }
    if (rates[name as Fault] !== undefined) {
      throw new KeyplaneError("USAGE", `--faults: ${name} is given twice`);
    }
    rates[name as Fault] = rate;
  }
  const total = Object.values(rates).reduce((sum, rate) => sum + rate, 0);
  if (total > 1) throw new KeyplaneError("USAGE", `--faults: probabilities add up to ${total}, more than 1`);
  return rates;
}

/** Picks at most one fault for a request. */
export function drawFault(rates: FaultRates, random: () => number = Math.random): Fault | undefined {
  let roll = random();
  for (const fault of FAULTS) {
    const rate = rates[fault] ?? 0;
    if (roll < rate) return fault;
    roll -= rate;
  }
  return undefined;
}
