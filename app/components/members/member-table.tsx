import { useRevalidator } from "@remix-run/react";
import { Crown, LogOut, UserMinus } from "lucide-react";
import { useState } from "react";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { FormError } from "../ui/field";

type Member = RouterOutputs["team"]["members"]["list"][number];
type Role = Member["role"];
export type Viewer = { userId: string; role: Role; teamName: string; personal: boolean };

const ASSIGNABLE: Exclude<Role, "owner">[] = ["viewer", "editor", "admin"];
const isAdmin = (role: Role) => role === "admin" || role === "owner";

type Pending = { kind: "remove" | "transfer"; member: Member } | { kind: "leave" } | null;

/**
 * The team's members with their roles. Admins change roles and remove members; the owner
 * also transfers ownership; everyone but the owner can leave. Each lasting change asks first.
 */
export function MemberTable({ members, viewer }: { members: Member[]; viewer: Viewer }) {
  const client = useTRPCClient();
  const revalidator = useRevalidator();
  const [pending, setPending] = useState<Pending>(null);
  const done = () => {
    setPending(null);
    revalidator.revalidate();
  };
  const [notice, setNotice] = useState<string | null>(null);
  const changeRole = useAction(async (member: Member, role: Exclude<Role, "owner">) => {
    setNotice(null);
    await client.team.members.updateRole.mutate({ userId: member.userId, role });
    setNotice(`${member.email} is now ${role === "viewer" ? "a" : "an"} ${role}.`);
    revalidator.revalidate();
  });
  const remove = useAction(async (userId: string) => {
    await client.team.members.remove.mutate({ userId });
    done();
  });
  const transfer = useAction(async (userId: string) => {
    await client.team.members.transferOwnership.mutate({ userId });
    done();
  });
  const leave = useAction(async () => {
    await client.team.members.leave.mutate();
    window.location.assign("/");
  });
  const ask = (next: Pending) => {
    remove.clearError();
    transfer.clearError();
    leave.clearError();
    setPending(next);
  };

  return (
    <section>
      <table className="w-full text-left text-sm" data-testid="member-table">
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-2 pr-3 font-medium">Name</th>
            <th className="py-2 pr-3 font-medium">Email</th>
            <th className="py-2 pr-3 font-medium">Role</th>
            <th className="py-2" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {members.map((m) => {
            const self = m.userId === viewer.userId;
            const editable = isAdmin(viewer.role) && !self && m.role !== "owner";
            return (
              <tr key={m.userId} data-testid="member-row">
                <td className="py-2 pr-3 font-medium">
                  {m.name} {self && <span className="text-xs font-normal text-slate-500">(you)</span>}
                </td>
                <td className="py-2 pr-3 text-slate-600">{m.email}</td>
                <td className="py-2 pr-3">
                  {editable ? (
                    <select
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      disabled={changeRole.busy}
                      onChange={(e) => void changeRole.run(m, e.target.value as Exclude<Role, "owner">)}
                      className="rounded-md border border-slate-300 px-2 py-1 text-sm"
                    >
                      {ASSIGNABLE.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span className="inline-flex items-center gap-1 text-slate-700" data-testid="member-role">
                      {m.role === "owner" && <Crown size={14} className="text-amber-500" aria-hidden />}
                      {m.role}
                    </span>
                  )}
                </td>
                <td className="py-2 text-right">
                  <span className="inline-flex gap-1">
                    {viewer.role === "owner" && !self && !viewer.personal && (
                      <Button variant="ghost" className="!px-2 !py-1" onClick={() => ask({ kind: "transfer", member: m })} aria-label={`Make ${m.email} the owner`}>
                        <Crown size={14} /> Make owner
                      </Button>
                    )}
                    {editable && (
                      <Button variant="ghost" className="!px-2 !py-1 text-red-700" onClick={() => ask({ kind: "remove", member: m })} aria-label={`Remove ${m.email}`}>
                        <UserMinus size={14} />
                      </Button>
                    )}
                    {self && viewer.role !== "owner" && (
                      <Button variant="ghost" className="!px-2 !py-1 text-red-700" onClick={() => ask({ kind: "leave" })}>
                        <LogOut size={14} /> Leave team
                      </Button>
                    )}
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <FormError message={changeRole.error?.message} />
      <p role="status" className={notice ? "mt-2 text-sm text-green-700" : "sr-only"}>
        {notice}
      </p>
      {viewer.role === "owner" && (
        <p className="mt-3 text-xs text-slate-500">
          {viewer.personal
            ? "This is your personal team: it stays with your account. Create a team to share ownership."
            : "You own this team. To leave it, first make another member the owner."}
        </p>
      )}

      <ConfirmDialog
        open={pending?.kind === "remove"}
        title={`Remove ${pending?.kind === "remove" ? pending.member.email : ""}?`}
        description={`They lose access to ${viewer.teamName} at once: its flows, agents, keys and credentials.`}
        confirmLabel="Remove"
        busy={remove.busy}
        error={remove.error?.message}
        onConfirm={() => pending?.kind === "remove" && void remove.run(pending.member.userId)}
        onCancel={() => setPending(null)}
      />
      <ConfirmDialog
        open={pending?.kind === "transfer"}
        title={`Make ${pending?.kind === "transfer" ? pending.member.email : ""} the owner?`}
        description={`A team has one owner. You become an admin of ${viewer.teamName} and cannot undo this yourself.`}
        confirmLabel="Transfer ownership"
        busy={transfer.busy}
        error={transfer.error?.message}
        onConfirm={() => pending?.kind === "transfer" && void transfer.run(pending.member.userId)}
        onCancel={() => setPending(null)}
      />
      <ConfirmDialog
        open={pending?.kind === "leave"}
        title={`Leave ${viewer.teamName}?`}
        description="You lose access to its flows, agents, keys and credentials until someone invites you again."
        confirmLabel="Leave team"
        busy={leave.busy}
        error={leave.error?.message}
        onConfirm={() => void leave.run()}
        onCancel={() => setPending(null)}
      />
    </section>
  );
}
