import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AuthForm } from "#app/components/auth-form";
import { safeNextPath } from "#app/lib/next-path";
import { useTRPCClient } from "#app/lib/trpc";

export const meta: MetaFunction = () => [{ title: "Sign up · Skyloom" }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  const next = safeNextPath(new URL(request.url).searchParams.get("next"));
  if (await context.trpc.auth.me()) throw redirect(next);
  return { next };
}

export default function SignupPage() {
  const client = useTRPCClient();
  const { next } = useLoaderData<typeof loader>();
  return (
    <AuthForm
      mode="signup"
      next={next}
      submit={(v) => client.auth.signup.mutate({ email: v.email, password: v.password, name: v.name || undefined })}
    />
  );
}
