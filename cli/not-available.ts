import { KeyplaneError } from "../byok/errors";

/** For command groups whose issue has not landed yet. */
export function notAvailable(what: string): never {
  throw new KeyplaneError("NOT_AVAILABLE", `${what} is not yet available in this version of keyplane`);
}
