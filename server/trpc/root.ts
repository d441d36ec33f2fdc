import { agentRouter } from "../routers/agent";
import { apiKeyRouter } from "../routers/apiKey";
import { authRouter } from "../routers/auth";
import { catalogRouter } from "../routers/catalog";
import { compileRouter } from "../routers/compile";
import { credentialRouter } from "../routers/credential";
import { deploymentRouter } from "../routers/deployment";
import { endpointRouter } from "../routers/endpoint";
import { flowRouter } from "../routers/flow";
import { knowledgeRouter } from "../routers/knowledge";
import { nodeRouter } from "../routers/node";
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
  deployment: deploymentRouter,
  endpoint: endpointRouter,
  node: nodeRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
export type ServerCaller = ReturnType<typeof createCaller>;
