import { z } from "zod";
import { INVITABLE_ROLES, TEAM_ROLES } from "#db/schema";
import { EmailSchema } from "../services/accounts";
import {
  acceptInvitation,
  declineInvitation,
  issueInvitation,
  listPendingInvitations,
  previewInvitation,
  revokeInvitation,
} from "../services/invitations";
import {
  createTeam,
  leaveTeam,
  listMembers,
  listMyTeams,
  removeMember,
  renameTeam,
  switchTeam,
  transferOwnership,
  updateMemberRole,
} from "../services/teams";
import { authedProcedure, router, teamProcedure } from "../trpc/trpc";

const TeamName = z.string().trim().min(1, "Give the team a name").max(80, "A team name is at most 80 characters");
const Id = z.string().min(1).max(64);
// Anything else is simply not a link Skyloom made; the service answers NOT_FOUND for it.
const InvitationToken = z.object({ token: z.string().max(200) });
const scopeOf = (ctx: { team: { id: string }; viewer: { user: { id: string } } }) => ({
  teamId: ctx.team.id,
  userId: ctx.viewer.user.id,
});

const membersRouter = router({
  list: teamProcedure("viewer").query(({ ctx }) => listMembers(ctx.db, scopeOf(ctx))),
  updateRole: teamProcedure("admin")
    .input(z.object({ userId: Id, role: z.enum(TEAM_ROLES) }))
    .mutation(({ ctx, input }) => updateMemberRole(ctx.db, scopeOf(ctx), input)),
  remove: teamProcedure("admin")
    .input(z.object({ userId: Id }))
    .mutation(({ ctx, input }) => removeMember(ctx.db, scopeOf(ctx), input.userId)),
  leave: teamProcedure("viewer").mutation(({ ctx }) => leaveTeam(ctx.db, scopeOf(ctx))),
  transferOwnership: teamProcedure("owner")
    .input(z.object({ userId: Id }))
    .mutation(({ ctx, input }) => transferOwnership(ctx.db, scopeOf(ctx), input.userId)),
});

/**
 * Invitations: admins of the active team issue and revoke them; the invited person, logged in
 * with the invited address, previews, accepts or declines by the link's token (not scoped to
 * a team: the token names it).
 */
const invitationsRouter = router({
  list: teamProcedure("admin").query(({ ctx }) => ({
    pending: listPendingInvitations(ctx.db, scopeOf(ctx)),
    sendsEmail: ctx.services.config.smtpUrl !== undefined,
  })),
  create: teamProcedure("admin")
    .input(z.object({ email: EmailSchema, role: z.enum(INVITABLE_ROLES) }))
    .mutation(async ({ ctx, input }) => {
      const issued = issueInvitation(ctx.db, scopeOf(ctx), input);
      const link = `${ctx.services.config.publicUrl}/invite/${issued.token}`;
      const email = await ctx.services.mailer.sendInvitation({
        to: input.email,
        teamName: issued.teamName,
        inviter: issued.inviter,
        role: input.role,
        link,
        expiresAt: issued.invitation.expiresAt,
      });
      return { invitation: issued.invitation, reissued: issued.reissued, link, email };
    }),
  revoke: teamProcedure("admin")
    .input(z.object({ id: Id }))
    .mutation(({ ctx, input }) => revokeInvitation(ctx.db, scopeOf(ctx), input.id)),
  preview: authedProcedure.input(InvitationToken).query(({ ctx, input }) => previewInvitation(ctx.db, ctx.viewer.user, input.token)),
  accept: authedProcedure
    .input(InvitationToken.extend({ open: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => acceptInvitation(ctx.db, ctx.viewer, input)),
  decline: authedProcedure.input(InvitationToken).mutation(({ ctx, input }) => declineInvitation(ctx.db, ctx.viewer.user, input.token)),
});

export const teamRouter = router({
  list: authedProcedure.query(({ ctx }) =>
    listMyTeams(ctx.db, ctx.viewer.user.id).map((t) => ({ ...t, active: t.id === ctx.viewer.membership?.teamId })),
  ),
  create: authedProcedure
    .input(z.object({ name: TeamName }))
    .mutation(({ ctx, input }) => createTeam(ctx.db, ctx.viewer.user.id, ctx.viewer.sessionId, input.name)),
  switch: authedProcedure
    .input(z.object({ teamId: Id }))
    .mutation(({ ctx, input }) => switchTeam(ctx.db, ctx.viewer.user.id, ctx.viewer.sessionId, input.teamId)),
  rename: teamProcedure("admin")
    .input(z.object({ name: TeamName }))
    .mutation(({ ctx, input }) => renameTeam(ctx.db, scopeOf(ctx), input.name)),
  members: membersRouter,
  invitations: invitationsRouter,
});

export { scopeOf };
