import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { Users } from "lucide-react";
import { useState, type ReactNode } from "react";
import { Button } from "#app/components/ui/button";
import { FormError } from "#app/components/ui/field";
import { authPath } from "#app/lib/next-path";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";

export const meta: MetaFunction = () => [
  { title: "Invitation · Skyloom" },
  // The token is in this page's address: never hand it to another site as a referrer.
  { name: "referrer", content: "no-referrer" },
];

export async function loader({ context, params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const path = `/invite/${encodeURIComponent(token)}`;
  const me = await context.trpc.auth.me();
  if (!me) return { state: "logged-out" as const, path };
  try {
    const invitation = await context.trpc.team.invitations.preview({ token });
    return { state: "open" as const, path, token, email: me.user.email, invitation };
  } catch (error) {
    // Unknown, used, expired, withdrawn or someone else's: the service's message says which.
    if (error instanceof TRPCError && ["NOT_FOUND", "CONFLICT", "FORBIDDEN", "BAD_REQUEST"].includes(error.code)) {
      return { state: "problem" as const, path, email: me.user.email, message: error.message, otherAccount: error.code === "FORBIDDEN" };
    }
    throw error;
  }
}

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const article = (role: string) => (role === "admin" || role === "editor" ? "an" : "a");

function Card({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-16">
      <div className="w-full max-w-md" data-testid="invitation">
        <div className="mb-8 flex items-center gap-2 text-xl font-semibold">
          <img src="/favicon.svg" alt="" width={28} height={28} /> Skyloom
        </div>
        {children}
      </div>
    </main>
  );
}

/**
 * An invitation link. Logged out: log in or sign up and come back here. Logged in as the
 * invited address: the team, the role and who invited, to accept or decline. Joining a team
 * does not open it unless the person ticks "Switch to … now".
 */
export default function InvitationPage() {
  const data = useLoaderData<typeof loader>();
  if (data.state === "logged-out") {
    return (
      <Card>
        <h1 className="text-2xl font-semibold">You have an invitation</h1>
        <p className="mt-2 text-sm text-slate-600">
          Log in or sign up with the email address the invitation was sent to. You will come back here to see the team and accept or decline.
        </p>
        <div className="mt-6 flex gap-2">
          <Link to={authPath("/login", data.path)} className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
            Log in
          </Link>
          <Link to={authPath("/signup", data.path)} className="rounded-md px-3 py-2 text-sm font-medium text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
            Sign up
          </Link>
        </div>
      </Card>
    );
  }
  if (data.state === "problem") return <Problem message={data.message} otherAccount={data.otherAccount} path={data.path} />;
  return <OpenInvitation token={data.token} email={data.email} invitation={data.invitation} />;
}

function Problem({ message, otherAccount, path }: { message: string; otherAccount: boolean; path: string }) {
  const client = useTRPCClient();
  const switchAccount = useAction(async () => {
    await client.auth.logout.mutate();
    window.location.assign(authPath("/login", path));
  });
  return (
    <Card>
      <h1 className="text-2xl font-semibold">This invitation cannot be used</h1>
      <div className="mt-4">
        <FormError message={message} />
      </div>
      <div className="mt-6 flex gap-2">
        {otherAccount && (
          <Button onClick={() => void switchAccount.run()} busy={switchAccount.busy}>
            Log out and use another account
          </Button>
        )}
        <Link to="/" className="rounded-md px-3 py-2 text-sm font-medium text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Go to your dashboard
        </Link>
      </div>
    </Card>
  );
}

type Invitation = { teamName: string; role: string; email: string; invitedBy: { name: string; email: string } | null; expiresAt: Date | string };

function OpenInvitation({ token, email, invitation }: { token: string; email: string; invitation: Invitation }) {
  const client = useTRPCClient();
  const [openNow, setOpenNow] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: "accepted"; teamId: string; opened: boolean } | { kind: "declined" } | null>(null);
  const accept = useAction(async () => {
    const joined = await client.team.invitations.accept.mutate({ token, open: openNow });
    setOutcome({ kind: "accepted", teamId: joined.teamId, opened: joined.opened });
  });
  const decline = useAction(async () => {
    await client.team.invitations.decline.mutate({ token });
    setOutcome({ kind: "declined" });
  });
  const openTeam = useAction(async (teamId: string) => {
    await client.team.switch.mutate({ teamId });
    window.location.assign("/");
  });
  const team = <strong>{invitation.teamName}</strong>;

  if (outcome?.kind === "declined") {
    return (
      <Card>
        <h1 className="text-2xl font-semibold">Invitation declined</h1>
        <p className="mt-2 text-sm text-slate-600" role="status">You did not join {team}. The link no longer works.</p>
        <Link to="/" className="mt-6 inline-block text-sm text-brand-600 underline">Go to your dashboard</Link>
      </Card>
    );
  }
  if (outcome?.kind === "accepted") {
    return (
      <Card>
        <h1 className="text-2xl font-semibold">You joined {invitation.teamName}</h1>
        <p className="mt-2 text-sm text-slate-600" role="status">
          You are now {article(invitation.role)} {invitation.role} in {team}.{" "}
          {outcome.opened ? "It is your current team." : "Your current team has not changed; switch to it whenever you like from the team menu."}
        </p>
        <div className="mt-6 flex gap-2">
          {outcome.opened ? (
            <Link to="/" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">Go to {invitation.teamName}</Link>
          ) : (
            <>
              <Button onClick={() => void openTeam.run(outcome.teamId)} busy={openTeam.busy}>Switch to {invitation.teamName}</Button>
              <Link to="/" className="rounded-md px-3 py-2 text-sm font-medium text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
                Stay in your current team
              </Link>
            </>
          )}
        </div>
        <FormError message={openTeam.error?.message} />
      </Card>
    );
  }

  return (
    <Card>
      <h1 className="flex items-center gap-2 text-2xl font-semibold">
        <Users size={22} aria-hidden /> Join {invitation.teamName}?
      </h1>
      <p className="mt-3 text-sm text-slate-700">
        {invitation.invitedBy ? `${invitation.invitedBy.name} (${invitation.invitedBy.email})` : "A team admin"} invited you to join {team} as{" "}
        {article(invitation.role)} <strong data-testid="invitation-role">{invitation.role}</strong>.
      </p>
      <p className="mt-2 text-xs text-slate-500">
        For {email}. Expires {when.format(new Date(invitation.expiresAt))} UTC. Nothing changes until you accept. What you save in a team, credentials included, its members can use.
      </p>
      <label className="mt-5 flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" checked={openNow} onChange={(e) => setOpenNow(e.target.checked)} />
        Switch to {invitation.teamName} now
      </label>
      <FormError message={accept.error?.message ?? decline.error?.message} />
      <div className="mt-5 flex gap-2">
        <Button onClick={() => void accept.run()} busy={accept.busy} disabled={decline.busy}>Accept</Button>
        <Button variant="secondary" onClick={() => void decline.run()} busy={decline.busy} disabled={accept.busy}>Decline</Button>
      </div>
    </Card>
  );
}
