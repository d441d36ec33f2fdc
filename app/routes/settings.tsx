import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { AppHeader } from "#app/components/app-header";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Settings · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  return requireViewer(context);
}

/** Settings sections; each is a nested route (settings.<section>.tsx) with one link here. */
const SECTIONS = [
  { to: "/settings/credentials", label: "Credentials" },
  { to: "/settings/members", label: "Members" },
  { to: "/settings/api-keys", label: "API keys" },
  { to: "/settings/nodes", label: "Nodes" },
] as const;

export default function SettingsLayout() {
  const { me, teams } = useLoaderData<typeof loader>();
  return (
    <div className="min-h-full">
      <AppHeader me={me} teams={teams} />
      <main className="mx-auto flex max-w-6xl gap-8 px-4 py-8">
        <nav aria-label="Settings" className="w-44 shrink-0">
          <h1 className="mb-3 text-xl font-semibold">Settings</h1>
          <ul className="space-y-1 text-sm">
            {SECTIONS.map((s) => (
              <li key={s.to}>
                <NavLink
                  to={s.to}
                  className={({ isActive }) => `block rounded px-2 py-1 ${isActive ? "bg-brand-50 font-medium text-brand-700" : "text-slate-700 hover:bg-slate-100"}`}
                >
                  {s.label}
                </NavLink>
              </li>
            ))}
          </ul>
          <p className="mt-4 text-xs text-slate-500">Team: {me.team?.name ?? "none"}</p>
        </nav>
        <section className="min-w-0 flex-1">
          <Outlet />
        </section>
      </main>
    </div>
  );
}
