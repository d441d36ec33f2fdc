import { agentRouter } from "../routers/agent";
import { apiKeyRouter } from "../routers/apiKey";
import { authRouter } from "../routers/auth";
import { billingRouter } from "../routers/billing";
import { catalogRouter } from "../routers/catalog";
import { compileRouter } from "../routers/compile";
import { credentialRouter } from "../routers/credential";
import { flowRouter } from "../routers/flow";
import { knowledgeRouter } from "../routers/knowledge";
import { runRouter } from "../routers/run";
import { teamRouter } from "../routers/team";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  team: teamRouter,
  flow: flowRouter,
  catalog: catalogRouter,
  compile: compileRouter,
  apiKey: apiKeyRouter,
  agent: agentRouter,
  run: runRouter,
  credential: credentialRouter,
  knowledge: knowledgeRouter,
  billing: billingRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type ServerCaller = ReturnType<typeof createCaller>;
