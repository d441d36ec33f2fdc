import { z } from "zod";
import { EmailSchema } from "../services/accounts";
import { addMember, createTeam, listMembers, listMyTeams, removeMember, renameTeam, switchTeam } from "../services/teams";
import { authedProcedure, router, teamProcedure } from "../trpc/trpc";

const TeamName = z.string().trim().min(1, "Give the team a name").max(80, "A team name is at most 80 characters");
const scopeOf = (ctx: { team: { id: string }; viewer: { user: { id: string } } }) => ({
  teamId: ctx.team.id,
  userId: ctx.viewer.user.id,
});

export const teamRouter = router({
  list: authedProcedure.query(({ ctx }) =>
    listMyTeams(ctx.db, ctx.viewer.user.id).map((t) => ({ ...t, active: t.id === ctx.viewer.membership?.teamId })),
  ),
  create: authedProcedure
    .input(z.object({ name: TeamName }))
    .mutation(({ ctx, input }) => createTeam(ctx.db, ctx.viewer.user.id, ctx.viewer.sessionId, input.name)),
  switch: authedProcedure
    .input(z.object({ teamId: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => switchTeam(ctx.db, ctx.viewer.user.id, ctx.viewer.sessionId, input.teamId)),
  rename: teamProcedure("admin")
    .input(z.object({ name: TeamName }))
    .mutation(({ ctx, input }) => renameTeam(ctx.db, scopeOf(ctx), input.name)),
  members: router({
    list: teamProcedure("viewer").query(({ ctx }) => listMembers(ctx.db, scopeOf(ctx))),
    add: teamProcedure("admin")
      .input(z.object({ email: EmailSchema, role: z.enum(["viewer", "editor", "admin"]) }))
      .mutation(({ ctx, input }) => addMember(ctx.db, scopeOf(ctx), input)),
    remove: teamProcedure("admin")
      .input(z.object({ userId: z.string().min(1).max(64) }))
      .mutation(({ ctx, input }) => removeMember(ctx.db, scopeOf(ctx), input.userId)),
  }),
});

export { scopeOf };
