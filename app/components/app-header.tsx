import * as Menu from "@radix-ui/react-dropdown-menu";
import { Link, useRevalidator } from "@remix-run/react";
import { Check, ChevronsUpDown, LogOut, Plus, Settings, Users } from "lucide-react";
import { useState } from "react";
import { useAction } from "#app/lib/use-action";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { Button } from "./ui/button";
import { Dialog } from "./ui/dialog";
import { FormError, TextField } from "./ui/field";

type Me = NonNullable<RouterOutputs["auth"]["me"]>;
type Teams = RouterOutputs["team"]["list"];

export function AppHeader({ me, teams }: { me: Me; teams: Teams }) {
  const client = useTRPCClient();
  const revalidator = useRevalidator();
  const [creating, setCreating] = useState(false);
  const [teamName, setTeamName] = useState("");

  const switchTeam = useAction(async (teamId: string) => {
    await client.team.switch.mutate({ teamId });
    revalidator.revalidate();
  });
  const createTeam = useAction(async () => {
    await client.team.create.mutate({ name: teamName });
    setCreating(false);
    setTeamName("");
    revalidator.revalidate();
  });
  const logout = useAction(async () => {
    await client.auth.logout.mutate();
    window.location.assign("/login");
  });

  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-4 px-4">
        <Link to="/" className="flex items-center gap-2 font-semibold">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          Skyloom
        </Link>

        <Menu.Root>
          <Menu.Trigger
            className="flex items-center gap-2 rounded-md px-2 py-1 text-sm text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50"
            aria-label="Switch team"
            data-testid="team-switcher"
          >
            <Users size={16} />
            <span className="max-w-40 truncate whitespace-nowrap">{me.team?.name ?? "No team"}</span>
            <ChevronsUpDown size={14} />
          </Menu.Trigger>
          <Menu.Portal>
            <Menu.Content align="start" sideOffset={6} className="z-50 min-w-56 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
              <Menu.Label className="px-2 py-1 text-xs text-slate-500">Teams</Menu.Label>
              {teams.map((t) => (
                <Menu.Item
                  key={t.id}
                  onSelect={() => void switchTeam.run(t.id)}
                  className="flex cursor-pointer items-center justify-between gap-3 rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100"
                >
                  <span>
                    {t.name} <span className="text-xs text-slate-500">({t.role})</span>
                  </span>
                  {t.active && <Check size={14} aria-label="active team" />}
                </Menu.Item>
              ))}
              <Menu.Separator className="my-1 h-px bg-slate-200" />
              <Menu.Item
                onSelect={() => setCreating(true)}
                className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100"
              >
                <Plus size={14} /> New team…
              </Menu.Item>
            </Menu.Content>
          </Menu.Portal>
        </Menu.Root>

        {/* Narrow windows: nothing wraps; the email (also in Settings) gives way first, then the gaps,
            the API keys link (also in Settings' menu) and the words of Settings and "Log out" (icons stay, named). */}
        <div className="ml-auto flex items-center gap-1 whitespace-nowrap text-sm text-slate-600 lg:gap-3">
          <Link to="/templates" className="rounded px-2 py-1 hover:bg-slate-100" data-testid="templates-link">Templates</Link>
          <Link to="/agents" className="rounded px-2 py-1 hover:bg-slate-100" data-testid="agents-link">Agents</Link>
          <Link to="/endpoints" className="rounded px-2 py-1 hover:bg-slate-100" data-testid="endpoints-link">Endpoints</Link>
          <Link to="/knowledge" className="rounded px-2 py-1 hover:bg-slate-100" data-testid="knowledge-link">Knowledge</Link>
          <Link to="/settings/api-keys" className="hidden rounded px-2 py-1 hover:bg-slate-100 lg:inline" data-testid="api-keys-link">API keys</Link>
          <Link to="/billing" className="rounded px-2 py-1 hover:bg-slate-100" data-testid="billing-link">Billing</Link>
          <Link to="/settings" className="inline-flex items-center gap-1 rounded px-2 py-1 hover:bg-slate-100" data-testid="settings-link" aria-label="Settings" title="Settings">
            <Settings size={16} aria-hidden /> <span className="hidden lg:inline">Settings</span>
          </Link>
          <span data-testid="current-user" className="hidden max-w-56 truncate lg:inline" title={me.user.email}>
            {me.user.email}
          </span>
          <Button variant="ghost" onClick={() => void logout.run()} busy={logout.busy} aria-label="Log out" title="Log out">
            <LogOut size={16} aria-hidden /> <span className="hidden lg:inline">Log out</span>
          </Button>
        </div>
      </div>
      <FormError message={switchTeam.error?.message} />

      <Dialog open={creating} onOpenChange={setCreating} title="New team" description="Flows, keys and credentials belong to a team.">
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            void createTeam.run();
          }}
        >
          <TextField
            label="Team name"
            value={teamName}
            onChange={(e) => setTeamName(e.target.value)}
            error={createTeam.error?.fields.name?.[0]}
            autoFocus
          />
          <FormError message={createTeam.error && !createTeam.error.fields.name ? createTeam.error.message : null} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setCreating(false)}>
              Cancel
            </Button>
            <Button type="submit" busy={createTeam.busy}>
              Create team
            </Button>
          </div>
        </form>
      </Dialog>
    </header>
  );
}
