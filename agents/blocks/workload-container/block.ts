import { z } from "zod";
import { containerBaseFields, containerDeploy } from "../container-deploy";
import { imageField, replicasField } from "../workload-config";
import { defineBlock } from "../define-block";

const portSchema = z.object({
  port: z.number().int().min(1, "A port is 1–65535").max(65_535, "A port is 1–65535"),
  public: z.boolean().default(false).meta({ title: "Public", description: "Reachable from the internet." }),
  http: z.boolean().default(true).meta({ title: "HTTP", description: "A public HTTP port gets a hostname URL." }),
  proto: z.enum(["tcp", "udp"]).default("tcp"),
});

/**
 * Any container image as a long-running service (an API, a database, a vector store). Wiring
 * another workload into `uses` lets that workload reach this one's internal ports by name.
 */
export const workloadContainerBlock = defineBlock({
  type: "workload.container",
  version: 1,
  title: "Container",
  category: "Workloads",
  part: "workload",
  description: "Runs any container image as a service on the compute marketplace.",
  icon: "container",
  inputs: [
    {
      id: "uses",
      label: "Uses",
      type: "endpoint",
      multiple: true,
      description: "Workloads this one calls; their internal ports open to it.",
    },
  ],
  outputs: [{ id: "service", label: "Service", type: "endpoint", description: "Wire into the workloads that call this one." }],
  config: z.object({
    image: imageField("nginx:1.27-alpine"),
    ...containerBaseFields,
    ports: z
      .array(portSchema)
      .max(20)
      .default([{ port: 80, public: true, http: true, proto: "tcp" }])
      .meta({ title: "Ports" }),
    healthPath: z
      .string()
      .max(200)
      .regex(/^(\/[^\s]*)?$/, "A health path starts with /")
      .default("")
      .meta({ title: "Health check path", description: "Optional HTTP path that answers 200 when ready." }),
    persistentVolume: z
      .object({
        sizeGi: z.number().min(1).max(10_000).meta({ title: "Size (GiB)" }),
        mount: z.string().regex(/^\/[^\s]*$/, "Mount at an absolute path, e.g. /data"),
      })
      .nullable()
      .default(null)
      .meta({ title: "Persistent volume", description: "Data-centre mode only; the data is kept as long as the rental (lease) runs." }),
    replicas: replicasField,
  }),
  deploy(config) {
    const firstHttp = config.ports.find((p) => p.http && p.proto === "tcp");
    return containerDeploy(config, {
      kind: "service",
      ports: config.ports,
      replicas: config.replicas,
      readiness: config.healthPath && firstHttp ? { httpPath: config.healthPath, port: firstHttp.port } : null,
      persistent: config.persistentVolume,
    });
  },
});
