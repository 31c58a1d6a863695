export { Principals } from "./auth/principals";
export { parseClockOffset } from "./clock";
export { parseFaults } from "./faults";
export { type RunningSandbox, type SandboxOptions, startSandboxServer } from "./server";
