export * from "./combine";
export * from "./manifest";
export * from "./share-file";
export * from "./split";
