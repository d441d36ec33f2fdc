import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CredentialList } from "#app/components/credentials/credential-list";
import { requireViewer } from "#app/lib/require-viewer.server";

export const meta: MetaFunction = () => [{ title: "Credentials · Settings · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { me } = await requireViewer(context);
  const credentials = await context.trpc.credential.list();
  return { credentials, canEdit: me.team !== null && me.team.role !== "viewer" };
}

export default function CredentialsSettings() {
  const { credentials, canEdit } = useLoaderData<typeof loader>();
  return <CredentialList credentials={credentials} canEdit={canEdit} />;
}
