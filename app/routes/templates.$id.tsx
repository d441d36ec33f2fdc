import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import flowStyles from "@xyflow/react/dist/style.css?url";
import { ArrowLeft } from "lucide-react";
import canvasStyles from "#app/components/canvas/canvas.css?url";
import { AppHeader } from "#app/components/app-header";
import { ManageTemplate } from "#app/components/templates/manage-template";
import { Markdown } from "#app/components/templates/markdown";
import { distinctChips } from "#app/components/templates/needs";
import { TemplateCanvas } from "#app/components/templates/template-canvas";
import { NeedChips, shareLabel } from "#app/components/templates/template-card";
import { UseTemplatePanel } from "#app/components/templates/use-template-panel";
import { fromWire } from "#app/lib/graph-store/edits";
import { requireViewer } from "#app/lib/require-viewer.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: flowStyles },
  { rel: "stylesheet", href: canvasStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.template.name ?? "Template"} · Templates · Skyloom` }];

export async function loader({ context, params }: LoaderFunctionArgs) {
  const { me, teams } = await requireViewer(context);
  try {
    const template = await context.trpc.template.get({ id: params.id ?? "" });
    const canUse = me.team !== null && me.team.role !== "viewer";
    // Only what the page offers: the team's credentials and knowledge bases to bind, its flows for a new version.
    const [credentials, knowledgeBases, flows] = await Promise.all([
      canUse ? context.trpc.credential.list() : [],
      canUse ? context.trpc.knowledge.list() : [],
      template.canManage ? context.trpc.flow.list() : [],
    ]);
    return {
      me,
      teams,
      template,
      canUse,
      credentials: credentials.map((c) => ({ id: c.id, name: c.name, kind: c.kind, baseUrl: c.baseUrl })),
      knowledgeBases: knowledgeBases.map((b) => ({ id: b.id, name: b.name })),
      flows: flows.map((f) => ({ id: f.id, name: f.name })),
    };
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) {
      throw new Response("This template does not exist, or it is not shared with your team.", { status: 404, statusText: "Not Found" });
    }
    throw error;
  }
}

/** One template: readme, a read-only preview on the canvas, "Use template" and, for its team, managing it. */
export default function TemplatePage() {
  const { me, teams, template, canUse, credentials, knowledgeBases, flows } = useLoaderData<typeof loader>();
  const share = shareLabel(template);
  const isAdmin = me.team?.role === "admin" || me.team?.role === "owner";
  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto max-w-6xl px-4 py-6">
        <Link to="/templates" className="inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900">
          <ArrowLeft size={14} aria-hidden /> All templates
        </Link>
        <div className="mt-2 flex flex-wrap items-baseline gap-x-3">
          <h1 className="text-2xl font-semibold" data-testid="template-name">
            {template.name}
          </h1>
          <span className="inline-flex items-center gap-1 text-sm text-slate-500" data-testid="template-share">
            {share.icon} {share.text} · {template.category} · v{template.version} · {template.uses === 1 ? "used once" : `used ${template.uses.toLocaleString("en-US")} times`}
          </span>
        </div>
        {template.description && <p className="mt-1 max-w-3xl text-slate-700">{template.description}</p>}
        <NeedChips chips={distinctChips(template.needs)} />

        <div className="mt-6 grid gap-6 lg:grid-cols-[1fr,22rem]">
          <div className="min-w-0 space-y-6">
            <section aria-label="Preview of the graph" className="h-[420px] overflow-hidden rounded-lg border border-slate-200 bg-white">
              <TemplateCanvas graph={fromWire(template.fullGraph)} />
            </section>
            <section aria-labelledby="readme-title" className="rounded-lg border border-slate-200 bg-white p-5">
              <h2 id="readme-title" className="sr-only">
                Readme
              </h2>
              {template.readme.trim() ? <Markdown source={template.readme} /> : <p className="text-sm text-slate-500">This template has no readme.</p>}
            </section>
          </div>
          <div className="space-y-6">
            {canUse ? (
              <UseTemplatePanel template={template} credentials={credentials} knowledgeBases={knowledgeBases} />
            ) : (
              <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600" data-testid="use-template-viewer">
                Using a template needs the editor role in {me.team?.name ?? "a team"}.
              </p>
            )}
            {template.canManage && <ManageTemplate template={template} flows={flows} isAdmin={isAdmin} />}
          </div>
        </div>
      </main>
    </div>
  );
}
