import { z } from "zod";
import { defineBlock } from "../define-block";

/**
 * A note on the canvas: text for people, with no ports. It never runs and never deploys
 * (part "note"). Importers use it for the nodes they could not map, saying what was left out.
 */
export const canvasNoteBlock = defineBlock({
  type: "canvas.note",
  version: 1,
  title: "Note",
  category: "Notes",
  part: "note",
  description: "A note for people reading the flow; it does not run.",
  icon: "sticky-note",
  inputs: [],
  outputs: [],
  config: z.object({
    text: z
      .string()
      .max(20_000, "A note is at most 20,000 characters")
      .default("")
      .meta({ title: "Text", widget: "textarea" }),
  }),
});
