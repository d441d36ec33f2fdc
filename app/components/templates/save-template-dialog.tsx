import { Link } from "@remix-run/react";
import { LayoutTemplate } from "lucide-react";
import { useEffect, useId, useState } from "react";
import { useTRPCClient } from "#app/lib/trpc";
import { useAction } from "#app/lib/use-action";
import { useEditor } from "../canvas/editor-context";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { FormError, TextField } from "../ui/field";
import { Markdown } from "./markdown";

/** Categories offered before the gallery has any; the person may type another. */
export const DEFAULT_CATEGORIES = ["Agents", "Chatbots", "Knowledge", "Data extraction", "Routing", "Tools", "Models"];

/** "support, FAQ ,, memory" → ["support", "faq", "memory"]: the server's tag rules, said before sending. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== ""))];
}

type OwnTemplate = { id: string; name: string; version: number };
type Saved = { id: string; version: number; name: string };

/**
 * "Save as template" in the editor: the flow as it is now (saved first), as a new template
 * or as a newer version of one the team owns, with a name, description, category, tags and a
 * Markdown readme, shared with the team or (admins) publicly.
 */
export function SaveAsTemplateButton({ isAdmin }: { isAdmin: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="inline-flex h-8 items-center gap-1.5 rounded-md px-2 text-sm text-slate-700 hover:bg-slate-100"
        aria-label="Save as template"
        title="Save as template"
        data-testid="save-as-template"
      >
        <LayoutTemplate size={16} aria-hidden />
        <span className="hidden xl:inline">Save as template</span>
      </button>
      {open && <SaveTemplateDialog isAdmin={isAdmin} onClose={() => setOpen(false)} />}
    </>
  );
}

function SaveTemplateDialog({ isAdmin, onClose }: { isAdmin: boolean; onClose(): void }) {
  const client = useTRPCClient();
  const { flowId, flowName, autosave } = useEditor();
  const ids = { category: useId(), readme: useId(), description: useId(), target: useId() };
  const [own, setOwn] = useState<OwnTemplate[]>([]);
  const [categories, setCategories] = useState(DEFAULT_CATEGORIES);
  const [target, setTarget] = useState(""); // "" = a new template
  const [name, setName] = useState(flowName);
  const [description, setDescription] = useState("");
  const [category, setCategory] = useState(DEFAULT_CATEGORIES[0] ?? "Agents");
  const [tags, setTags] = useState("");
  const [readme, setReadme] = useState("");
  const [previewing, setPreviewing] = useState(false);
  const [visibility, setVisibility] = useState<"team" | "public">("team");
  const [saved, setSaved] = useState<Saved | null>(null);

  // The team's templates (for "a newer version of …") and the categories in use.
  const load = useAction(async () => {
    const [team, skyloom] = await Promise.all([client.template.list.query({ shelf: "team", limit: 500 }), client.template.list.query({ shelf: "skyloom", limit: 1 })]);
    setOwn(team.templates.filter((t) => t.canManage).map((t) => ({ id: t.id, name: t.name, version: t.version })));
    setCategories([...new Set([...skyloom.categories, ...team.categories, ...DEFAULT_CATEGORIES])].sort());
  });
  // Once, on opening.
  useEffect(() => void load.run(), []);

  const save = useAction(async () => {
    // The template captures the flow as the person sees it: unsaved edits are saved first.
    await autosave.flush();
    const fields = { name, description, category, tags: parseTags(tags), readme };
    if (target) {
      const result = await client.template.update.mutate({ id: target, flowId, ...fields });
      setSaved({ id: result.id, version: result.version, name });
    } else {
      const result = await client.template.saveFromFlow.mutate({ flowId, ...fields, visibility });
      setSaved({ id: result.id, version: result.version, name });
    }
  });
  const fieldError = (field: string) => save.error?.fields[field]?.[0];

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title="Save as template" description="Credentials and knowledge bases are never saved in a template: whoever uses it picks their own.">
      {saved ? (
        <div className="space-y-4" role="status" data-testid="template-saved">
          <p className="text-sm text-slate-700">
            “{saved.name}” is saved as a template{saved.version > 1 ? ` (version ${saved.version})` : ""}.
          </p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>
              Back to the flow
            </Button>
            <Link to={`/templates/${saved.id}`} className="inline-flex items-center rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
              View template
            </Link>
          </div>
        </div>
      ) : (
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          {own.length > 0 && (
            <div>
              <label htmlFor={ids.target} className="block text-sm font-medium text-slate-700">
                Save as
              </label>
              <select
                id={ids.target}
                value={target}
                onChange={(e) => {
                  setTarget(e.target.value);
                  const chosen = own.find((t) => t.id === e.target.value);
                  if (chosen) setName(chosen.name);
                }}
                className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
              >
                <option value="">A new template</option>
                {own.map((t) => (
                  <option key={t.id} value={t.id}>
                    Version {t.version + 1} of “{t.name}”
                  </option>
                ))}
              </select>
            </div>
          )}
          <TextField label="Template name" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} error={fieldError("name")} autoFocus />
          <div>
            <label htmlFor={ids.description} className="block text-sm font-medium text-slate-700">
              Description
            </label>
            <textarea id={ids.description} value={description} maxLength={2000} rows={2} onChange={(e) => setDescription(e.target.value)} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm" />
            {fieldError("description") && <p className="mt-1 text-xs text-red-600">{fieldError("description")}</p>}
          </div>
          <div className="grid grid-cols-2 gap-3">
            <div>
              <label htmlFor={ids.category} className="block text-sm font-medium text-slate-700">
                Category
              </label>
              <select id={ids.category} value={category} onChange={(e) => setCategory(e.target.value)} className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
                {categories.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </div>
            <TextField label="Tags" hint="Separated by commas" value={tags} onChange={(e) => setTags(e.target.value)} error={fieldError("tags")} />
          </div>
          <div>
            <div className="flex items-center justify-between">
              <label htmlFor={ids.readme} className="block text-sm font-medium text-slate-700">
                Readme (Markdown)
              </label>
              <button type="button" className="text-xs text-brand-700 underline" onClick={() => setPreviewing((p) => !p)} aria-pressed={previewing}>
                {previewing ? "Edit" : "Preview"}
              </button>
            </div>
            {previewing ? (
              <div className="mt-1 max-h-60 overflow-y-auto rounded-md border border-slate-200 p-3" data-testid="readme-preview">
                {readme.trim() ? <Markdown source={readme} /> : <p className="text-sm text-slate-500">Nothing to preview yet.</p>}
              </div>
            ) : (
              <textarea
                id={ids.readme}
                value={readme}
                maxLength={50_000}
                rows={6}
                placeholder={"# What it does\n\nHow to use it, what it needs…"}
                onChange={(e) => setReadme(e.target.value)}
                className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
              />
            )}
            {fieldError("readme") && <p className="mt-1 text-xs text-red-600">{fieldError("readme")}</p>}
          </div>
          {!target && (
            <fieldset>
              <legend className="text-sm font-medium text-slate-700">Share with</legend>
              <label className="mt-1 flex items-center gap-2 text-sm">
                <input type="radio" name="template-visibility" checked={visibility === "team"} onChange={() => setVisibility("team")} /> My team
              </label>
              {isAdmin ? (
                <label className="flex items-center gap-2 text-sm">
                  <input type="radio" name="template-visibility" checked={visibility === "public"} onChange={() => setVisibility("public")} /> Everyone (public)
                </label>
              ) : (
                <p className="text-xs text-slate-500">Only the team's admins can share a template publicly.</p>
              )}
            </fieldset>
          )}
          <FormError message={save.error && Object.keys(save.error.fields).length === 0 ? save.error.message : (load.error?.message ?? null)} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" busy={save.busy}>
              {target ? "Publish new version" : "Save template"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
