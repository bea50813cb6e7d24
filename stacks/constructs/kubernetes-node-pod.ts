// The pod spec shared by the deployer Job, its ensure CronJob and the simulator Deployment:
// one Node container running a bundled script from a ConfigMap, hardened (non-root, read-only
// root file system, no privilege escalation, no capabilities, no service account token).
import type {
  JobV1SpecTemplateSpec,
  JobV1SpecTemplateSpecContainerEnv,
  JobV1SpecTemplateSpecContainerVolumeMount,
  JobV1SpecTemplateSpecVolume,
} from "@cdktf/provider-kubernetes/lib/job-v1";

/** CPU and memory of the container, in Kubernetes quantities. */
export interface NodeContainerResources {
  /** Guaranteed CPU. @default "100m" */
  readonly cpuRequest?: string;
  /** Guaranteed memory. @default "128Mi" */
  readonly memoryRequest?: string;
  /** CPU ceiling. @default "500m" */
  readonly cpuLimit?: string;
  /** Memory ceiling. @default "256Mi" */
  readonly memoryLimit?: string;
}

/** A file of the script's ConfigMap mounted read-only at a fixed path. */
export interface ConfigMapFileMount {
  /** Key in the ConfigMap. */
  readonly key: string;
  /** Absolute path in the container. */
  readonly mountPath: string;
  /** The ConfigMap holding the key, when not the script's own. @default NodePodSpecProps.configMapName */
  readonly configMapName?: string;
}

/** An environment variable read from a key of a Secret. */
export interface SecretEnv {
  /** Variable name seen by the script. */
  readonly name: string;
  /** Secret that holds it. */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
}

export interface NodePodSpecProps {
  /** Container name. */
  readonly name: string;
  /** Image with Node 20 or later. */
  readonly image: string;
  /** `node` and its arguments. */
  readonly command: string[];
  /** ConfigMap holding the bundled script (and its config). */
  readonly configMapName: string;
  /** Files of that ConfigMap to mount. */
  readonly files: readonly ConfigMapFileMount[];
  /** Variables read from Secrets. @default [] */
  readonly secretEnv?: readonly SecretEnv[];
  /** Extra secret volumes, e.g. a CA bundle. @default [] */
  readonly secretFiles?: readonly { secretName: string; key: string; mountPath: string }[];
  /** Pod restart policy (Jobs: "Never"; Deployments: "Always"). */
  readonly restartPolicy: "Never" | "OnFailure" | "Always";
  /** Image pull secrets, for private registries. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** CPU and memory. @default see NodeContainerResources */
  readonly resources?: NodeContainerResources;
  /** UID the container runs as; 1000 is the `node` user of the official images. @default 1000 */
  readonly runAsUser?: number;
  /** ServiceAccount of the pod (its token is never mounted). @default the namespace's default */
  readonly serviceAccountName?: string;
}

/** Builds the pod spec; the same object fits Job, CronJob and Deployment templates. */
export function nodePodSpec(props: NodePodSpecProps): JobV1SpecTemplateSpec {
  const uid = String(props.runAsUser ?? 1000);
  const otherMaps = [...new Set(props.files.flatMap((f) => (f.configMapName !== undefined && f.configMapName !== props.configMapName ? [f.configMapName] : [])))];
  const volumeOf = (f: ConfigMapFileMount) => (f.configMapName === undefined || f.configMapName === props.configMapName ? "script" : `script-${otherMaps.indexOf(f.configMapName) + 1}`);
  const volumes: JobV1SpecTemplateSpecVolume[] = [
    { name: "script", configMap: { name: props.configMapName, defaultMode: "0444" } },
    ...otherMaps.map((name, i) => ({ name: `script-${i + 1}`, configMap: { name, defaultMode: "0444" } })),
    // Node and its libraries may write temporary files; the root file system is read-only.
    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
  ];
  const mounts: JobV1SpecTemplateSpecContainerVolumeMount[] = [
    ...props.files.map((f) => ({ name: volumeOf(f), mountPath: f.mountPath, subPath: f.key, readOnly: true })),
    { name: "tmp", mountPath: "/tmp" },
  ];
  (props.secretFiles ?? []).forEach((f, i) => {
    const name = `secret-file-${i}`;
    volumes.push({ name, secret: { secretName: f.secretName, defaultMode: "0444", items: [{ key: f.key, path: f.key }] } });
    mounts.push({ name, mountPath: f.mountPath, subPath: f.key, readOnly: true });
  });
  const env: JobV1SpecTemplateSpecContainerEnv[] = (props.secretEnv ?? []).map((e) => ({
    name: e.name,
    valueFrom: { secretKeyRef: { name: e.secretName, key: e.key, optional: false } },
  }));
  const r = props.resources ?? {};
  return {
    restartPolicy: props.restartPolicy,
    automountServiceAccountToken: false,
    ...(props.serviceAccountName !== undefined ? { serviceAccountName: props.serviceAccountName } : {}),
    enableServiceLinks: false,
    imagePullSecrets: (props.imagePullSecrets ?? []).map((name) => ({ name })),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: uid,
      seccompProfile: { type: "RuntimeDefault" },
    },
    container: [
      {
        name: props.name,
        image: props.image,
        command: props.command,
        env,
        volumeMount: mounts,
        resources: {
          requests: { cpu: r.cpuRequest ?? "100m", memory: r.memoryRequest ?? "128Mi" },
          limits: { cpu: r.cpuLimit ?? "500m", memory: r.memoryLimit ?? "256Mi" },
        },
        securityContext: {
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ["ALL"] },
        },
      },
    ],
    volume: volumes,
  };
}
