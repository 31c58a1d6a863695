export * from "./expiry-option";
export * from "./import-material";
export * from "./parameters";
export * from "./params-files";
export * from "./verify";
