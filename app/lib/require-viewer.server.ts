import { redirect, type AppLoadContext } from "@remix-run/node";

/** The logged-in person with their teams, or a redirect to /login. */
export async function requireViewer(context: AppLoadContext) {
  const me = await context.trpc.auth.me();
  if (!me) throw redirect("/login");
  const teams = await context.trpc.team.list();
  return { me, teams };
}
