import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { AuthForm } from "#app/components/auth-form";
import { useTRPCClient } from "#app/lib/trpc";

export const meta: MetaFunction = () => [{ title: "Log in · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  if (await context.trpc.auth.me()) throw redirect("/");
  return null;
}

export default function LoginPage() {
  const client = useTRPCClient();
  return <AuthForm mode="login" submit={(v) => client.auth.login.mutate({ email: v.email, password: v.password })} />;
}
