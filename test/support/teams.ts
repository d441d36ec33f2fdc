import type { InvitableRole } from "#db/schema";
import type { ServerCaller } from "#server/trpc/root";

/** The token at the end of an invitation link (`…/invite/<token>`). */
export function tokenOf(link: string): string {
  const token = new URL(link).pathname.split("/invite/")[1];
  if (!token) throw new Error(`Not an invitation link: ${link}`);
  return token;
}

/**
 * Brings `member` into the admin's active team the only way there is: the admin invites the
 * member's email and the member accepts. `open` also switches the member's session to it.
 */
export async function joinTeam(admin: ServerCaller, member: ServerCaller, role: InvitableRole, options: { open?: boolean } = {}) {
  const me = await member.auth.me();
  if (!me) throw new Error("joinTeam: the member is not logged in");
  const { link } = await admin.team.invitations.create({ email: me.user.email, role });
  return member.team.invitations.accept({ token: tokenOf(link), open: options.open ?? false });
}
