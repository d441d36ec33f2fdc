import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { AuthForm } from "#app/components/auth-form";
import { useTRPCClient } from "#app/lib/trpc";

export const meta: MetaFunction = () => [{ title: "Sign up · Skyloom" }];

export async function loader({ context }: LoaderFunctionArgs) {
  if (await context.trpc.auth.me()) throw redirect("/");
  return null;
}

export default function SignupPage() {
  const client = useTRPCClient();
  return (
    <AuthForm
      mode="signup"
      submit={(v) => client.auth.signup.mutate({ email: v.email, password: v.password, name: v.name || undefined })}
    />
  );
}
