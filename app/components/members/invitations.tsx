import { useRevalidator } from "@remix-run/react";
import { MailPlus, X } from "lucide-react";
import { useState } from "react";
import { useTRPCClient, type RouterOutputs } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { CopyBlock } from "../publish/copy-block";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { FormError, TextField } from "../ui/field";

type Created = RouterOutputs["team"]["invitations"]["create"];
// Loaders hand over Dates; JSON would hand strings.
type PendingInvitation = Omit<RouterOutputs["team"]["invitations"]["list"]["pending"][number], "createdAt" | "expiresAt"> & {
  createdAt: Date | string;
  expiresAt: Date | string;
};
type Role = Created["invitation"]["role"];

const when = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

const DELIVERY: Record<Created["email"], (email: string) => string> = {
  sent: (email) => `We emailed this link to ${email}. You can also send it yourself.`,
  "not-configured": (email) => `Email is not set up on this Skyloom (SMTP_URL), so send this link to ${email} yourself.`,
  failed: (email) => `The email to ${email} could not be sent; send this link yourself.`,
};

/**
 * Inviting: an email address and a role make a link that works once, for that address only,
 * for 7 days. The link is shown here once (Skyloom keeps only its hash); it is also emailed
 * when the server has SMTP_URL. Inviting an address again replaces its earlier link.
 */
export function InviteForm({ sendsEmail }: { sendsEmail: boolean }) {
  const client = useTRPCClient();
  const revalidator = useRevalidator();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [created, setCreated] = useState<Created | null>(null);
  const invite = useAction(async () => {
    const result = await client.team.invitations.create.mutate({ email, role });
    setCreated(result);
    setEmail("");
    revalidator.revalidate();
  });
  const formError = invite.error && Object.keys(invite.error.fields).length === 0 ? invite.error.message : null;

  return (
    <section className="space-y-3">
      <form
        className="flex flex-wrap items-end gap-3 rounded-md border border-slate-200 bg-white p-4"
        aria-label="Invite someone"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void invite.run();
        }}
      >
        <TextField
          label="Email"
          type="email"
          className="min-w-64 flex-1"
          placeholder="ada@example.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={invite.error?.fields.email?.[0]}
        />
        <div>
          <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700">
            Role
          </label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm">
            <option value="viewer">viewer (reads)</option>
            <option value="editor">editor (builds)</option>
            <option value="admin">admin (manages members and keys)</option>
          </select>
        </div>
        <Button type="submit" busy={invite.busy}>
          <MailPlus size={16} /> Invite
        </Button>
        <p className="basis-full text-xs text-slate-500">
          {sendsEmail
            ? "Skyloom emails the invitation link; you also see it here once, to copy."
            : "Email is not set up on this Skyloom (SMTP_URL): you will get a link to copy and share yourself."}{" "}
          Nobody joins until they accept, logged in with this address.
        </p>
      </form>
      <FormError message={formError} />

      {created && (
        <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4" role="status" data-testid="created-invitation">
          <p className="text-sm font-medium text-amber-900">
            {created.reissued ? `${created.invitation.email} was already invited: this new link replaces the earlier one. ` : ""}
            {DELIVERY[created.email](created.invitation.email)}
          </p>
          <CopyBlock label="invitation link" text={created.link} testId="invitation-link" wrap />
          <p className="text-xs text-amber-900">
            Shown only now. It works once, only for {created.invitation.email}, until {when.format(new Date(created.invitation.expiresAt))} UTC.
          </p>
          <Button variant="secondary" className="!py-1 text-xs" onClick={() => setCreated(null)}>
            Done
          </Button>
        </div>
      )}
    </section>
  );
}

/** Invitations not yet accepted or declined; revoking one makes its link stop working. */
export function PendingInvitations({ invitations }: { invitations: PendingInvitation[] }) {
  const client = useTRPCClient();
  const revalidator = useRevalidator();
  const [revoking, setRevoking] = useState<PendingInvitation | null>(null);
  const revoke = useAction(async (id: string) => {
    await client.team.invitations.revoke.mutate({ id });
    setRevoking(null);
    revalidator.revalidate();
  });

  return (
    <section>
      <h3 className="mb-2 font-semibold">Pending invitations</h3>
      {invitations.length === 0 ? (
        <p className="text-sm text-slate-500">No open invitations.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="pending-invitations">
          {invitations.map((i) => (
            <li key={i.id} className="flex items-center gap-3 py-2" data-testid="invitation-row">
              <span className="font-medium">{i.email}</span>
              <span className="text-slate-600">{i.role}</span>
              <span className="text-xs text-slate-500">
                {i.invitedBy ? `by ${i.invitedBy} · ` : ""}
                {i.expired ? <span className="text-red-700">expired: invite again for a new link</span> : `expires ${when.format(new Date(i.expiresAt))} UTC`}
              </span>
              <Button
                variant="ghost"
                className="ml-auto !px-2 !py-1 text-red-700"
                aria-label={`Revoke the invitation for ${i.email}`}
                onClick={() => {
                  revoke.clearError();
                  setRevoking(i);
                }}
              >
                <X size={14} /> Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke the invitation for ${revoking?.email ?? ""}?`}
        description="Its link stops working at once. You can invite the address again later."
        confirmLabel="Revoke"
        busy={revoke.busy}
        error={revoke.error?.message}
        onConfirm={() => revoking && void revoke.run(revoking.id)}
        onCancel={() => setRevoking(null)}
      />
    </section>
  );
}
