export * from "./data-types";
export * from "./doc";
export * from "./ids";
export * from "./ports";
export * from "./can-connect";
export * from "./integrity";
export * from "./names";
