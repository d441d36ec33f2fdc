import { z } from "zod";
import { containerBaseFields, containerDeploy } from "../container-deploy";
import { imageField } from "../workload-config";
import { defineBlock } from "../define-block";

/**
 * A batch job: a container that runs to completion (a fine-tune, an embedding backfill, a
 * render). It has no ports; it can still call the workloads wired into `uses`.
 */
export const workloadJobBlock = defineBlock({
  type: "workload.job",
  version: 1,
  title: "Batch Job",
  category: "Workloads",
  part: "workload",
  description: "Runs a container to completion on rented CPUs or GPUs.",
  icon: "list-checks",
  inputs: [
    { id: "uses", label: "Uses", type: "endpoint", multiple: true, description: "Workloads this job calls." },
  ],
  outputs: [],
  config: z.object({
    image: imageField("python:3.12-slim"),
    ...containerBaseFields,
    command: containerBaseFields.command.default(["python", "-c"]),
    args: containerBaseFields.args.default(["print('hello from Skyloom')"]),
  }),
  deploy(config) {
    return containerDeploy(config, { kind: "job", ports: [], replicas: 1, readiness: null, persistent: null });
  },
});
