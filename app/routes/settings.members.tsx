import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { InviteForm, PendingInvitations } from "#app/components/members/invitations";
import { MemberTable } from "#app/components/members/member-table";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Members · Settings · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me } = await requireViewer(context);
  if (!me.team) return { me, team: null, members: [], invitations: null };
  const isAdmin = me.team.role === "admin" || me.team.role === "owner";
  const [members, invitations] = await Promise.all([
    context.trpc.team.members.list(),
    isAdmin ? context.trpc.team.invitations.list() : Promise.resolve(null),
  ]);
  return { me, team: me.team, members, invitations };
}

/** Who is in the current team, with what role; admins invite, change roles and remove. */
export default function MembersSettings() {
  const { me, team, members, invitations } = useLoaderData<typeof loader>();
  if (!team) return <p className="text-sm text-slate-600">You are not in a team.</p>;
  return (
    <div className="space-y-8">
      <div>
        <h2 className="text-lg font-semibold">Members of {team.name}</h2>
        <p className="text-sm text-slate-600">
          Viewers read, editors build flows and publish agents, admins also manage members, keys and invitations. The owner alone can hand the team to someone else.
        </p>
      </div>
      <MemberTable members={members} viewer={{ userId: me.user.id, role: team.role, teamName: team.name, personal: team.personal }} />
      {invitations && (
        <div className="space-y-6">
          <h2 className="text-lg font-semibold">Invite someone</h2>
          <InviteForm sendsEmail={invitations.sendsEmail} />
          <PendingInvitations invitations={invitations.pending} />
        </div>
      )}
    </div>
  );
}
