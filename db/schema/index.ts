export * from "./auth";
export * from "./teams";
export * from "./invitations";
export * from "./flows";
export * from "./secrets";
export * from "./audit";
export * from "./runs";
export * from "./publishing";
