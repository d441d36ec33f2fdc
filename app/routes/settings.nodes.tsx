import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { JoinTokens } from "#app/components/nodes/join-tokens";
import { NodeList } from "#app/components/nodes/node-list";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Nodes · Settings · Skyloom" }];

/** The node protocol's path on this host (server/marketplace/protocol.ts MARKET_BASE_PATH). */
const MARKET_PATH = "/market/v1";

export async function loader({ context, request }: LoaderFunctionArgs) {
  const { me } = await requireViewer(context);
  if (!me.team) return { team: null, tokens: [], nodes: [], joinUrl: "", isAdmin: false };
  const isAdmin = me.team.role === "admin" || me.team.role === "owner";
  const [tokens, nodes] = await Promise.all([isAdmin ? context.trpc.node.joinTokens.list() : Promise.resolve([]), context.trpc.node.list()]);
  return { team: me.team, tokens, nodes, joinUrl: `${new URL(request.url).origin}${MARKET_PATH}`, isAdmin };
}

/** Settings → Nodes: join tokens for machines that join the marketplace, and the nodes in it. */
export default function NodesSettings() {
  const { team, tokens, nodes, joinUrl, isAdmin } = useLoaderData<typeof loader>();
  if (!team) return <p className="text-sm text-slate-600">You are not in a team.</p>;
  return (
    <div className="space-y-8">
      <div>
        <h2 className="text-lg font-semibold">Nodes</h2>
        <p className="text-sm text-slate-600">
          Provider and fizz nodes bid on your deployments and run them. This Skyloom starts its own; any machine can join with a token.
        </p>
      </div>
      {isAdmin ? <JoinTokens tokens={tokens} joinUrl={joinUrl} isAdmin={isAdmin} /> : <p className="text-sm text-slate-600">Admins of {team.name} make join tokens.</p>}
      <section className="space-y-2" aria-labelledby="market-nodes-title">
        <h2 id="market-nodes-title" className="text-lg font-semibold">
          Nodes in the marketplace
        </h2>
        <NodeList nodes={nodes} />
      </section>
    </div>
  );
}
