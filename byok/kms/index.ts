export * from "./aws-error";
export * from "./caller";
export * from "./client";
export * from "./limiter";
export * from "./list-keys";
export * from "./pacer";
export * from "./resolve-key";
export * from "./server-time";
