import { Link } from "@remix-run/react";
import { useState } from "react";
import { authPath } from "#app/lib/next-path";
import { useAction } from "#app/lib/use-action";
import { Button } from "./ui/button";
import { FormError, TextField } from "./ui/field";

type Mode = "login" | "signup";

/**
 * The log-in and sign-up form; on success the browser goes to `next` (a path on this site
 * that sent the person here, such as an invitation), or the dashboard.
 */
export function AuthForm({
  mode,
  next = "/",
  submit,
}: {
  mode: Mode;
  next?: string;
  submit: (values: { email: string; password: string; name: string }) => Promise<unknown>;
}) {
  const [values, setValues] = useState({ email: "", password: "", name: "" });
  const action = useAction(async () => {
    await submit(values);
    window.location.assign(next);
  });
  const field = (name: keyof typeof values) => action.error?.fields[name]?.[0];
  const generalError = action.error && !field("email") && !field("password") && !field("name") ? action.error.message : null;

  return (
    <main className="flex min-h-full items-center justify-center px-4 py-16">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex items-center gap-2 text-xl font-semibold">
          <img src="/favicon.svg" alt="" width={28} height={28} /> Skyloom
        </div>
        <h1 className="text-2xl font-semibold">{mode === "login" ? "Log in" : "Create your account"}</h1>
        <p className="mt-1 text-sm text-slate-600">
          {mode === "login" ? "Build agents and deploy models in a few clicks." : "Free to start. Your personal team is created for you."}
        </p>
        {/* POST, so a submit before the page is interactive never puts the password in the URL. */}
        <form
          method="post"
          className="mt-6 space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void action.run();
          }}
        >
          {mode === "signup" && (
            <TextField
              label="Name"
              name="name"
              autoComplete="name"
              value={values.name}
              onChange={(e) => setValues({ ...values, name: e.target.value })}
              error={field("name")}
            />
          )}
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            value={values.email}
            onChange={(e) => setValues({ ...values, email: e.target.value })}
            error={field("email")}
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete={mode === "login" ? "current-password" : "new-password"}
            value={values.password}
            onChange={(e) => setValues({ ...values, password: e.target.value })}
            error={field("password")}
            hint={mode === "signup" ? "At least 10 characters." : undefined}
          />
          <FormError message={generalError} />
          <Button type="submit" className="w-full" busy={action.busy}>
            {mode === "login" ? "Log in" : "Sign up"}
          </Button>
        </form>
        <p className="mt-6 text-sm text-slate-600">
          {mode === "login" ? (
            <>
              New to Skyloom? <Link className="text-brand-600 underline" to={authPath("/signup", next)}>Create an account</Link>
            </>
          ) : (
            <>
              Already have an account? <Link className="text-brand-600 underline" to={authPath("/login", next)}>Log in</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
