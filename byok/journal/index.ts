export * from "./journal";
