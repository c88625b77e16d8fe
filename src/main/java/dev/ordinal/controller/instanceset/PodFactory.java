package dev.ordinal.controller.instanceset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ordinal.api.common.InstanceTemplate;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.Ownership;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Builds the pods, claims and headless Service of an InstanceSet from its spec. A pod is the set's pod template
 * plus its instance template's overrides, its stable DNS name ({@code hostname.subdomain}) and one volume per
 * claim template, bound to the claim {@code <template>-<pod>} so a pod brought back gets its data back.
 */
public final class PodFactory {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private PodFactory() {
    }

    public static Pod pod(InstanceSet set, String podName, String templateName, long ordinal) {
        InstanceSetSpec spec = set.getSpec();
        Optional<InstanceTemplate> override = template(spec, templateName);
        PodTemplateSpec template = spec.template == null ? new PodTemplateSpec() : JSON.clone(spec.template);
        PodSpec podSpec = template.getSpec() == null ? new PodSpec() : template.getSpec();

        ObjectMeta meta = new ObjectMeta();
        meta.setName(podName);
        meta.setNamespace(set.getMetadata().getNamespace());
        Map<String, String> labels = new LinkedHashMap<>();
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            labels.putAll(template.getMetadata().getLabels());
        }
        override.map(t -> t.labels).ifPresent(labels::putAll);
        labels.putAll(Labels.forInstanceSet(spec.clusterName, spec.componentName));
        if (templateName != null && !templateName.isEmpty()) {
            labels.put(Labels.TEMPLATE, templateName);
        }
        labels.put(Labels.ORDINAL, Long.toString(ordinal));
        meta.setLabels(labels);
        Map<String, String> annotations = new LinkedHashMap<>();
        if (template.getMetadata() != null && template.getMetadata().getAnnotations() != null) {
            annotations.putAll(template.getMetadata().getAnnotations());
        }
        override.map(t -> t.annotations).ifPresent(annotations::putAll);
        meta.setAnnotations(annotations.isEmpty() ? null : annotations);
        meta.setOwnerReferences(List.of(Ownership.ownerOf(set)));

        podSpec.setHostname(podName);
        podSpec.setSubdomain(Labels.headlessServiceName(set.getMetadata().getName()));
        List<Container> containers = podSpec.getContainers() == null ? new ArrayList<>() : podSpec.getContainers();
        for (Container c : containers) {
            List<EnvVar> env = c.getEnv() == null ? new ArrayList<>() : new ArrayList<>(c.getEnv());
            env.add(new EnvVarBuilder().withName("ORDINAL_POD_NAME").withValue(podName).build());
            env.add(new EnvVarBuilder().withName("ORDINAL_POD_ORDINAL").withValue(Long.toString(ordinal)).build());
            env.add(new EnvVarBuilder().withName("ORDINAL_SERVICE").withValue(podSpec.getSubdomain()).build());
            c.setEnv(env);
        }
        if (override.isPresent() && !containers.isEmpty()) {
            applyOverride(containers.get(0), override.get());
        }
        List<io.fabric8.kubernetes.api.model.Volume> volumes = podSpec.getVolumes() == null ? new ArrayList<>()
                : new ArrayList<>(podSpec.getVolumes());
        for (PersistentVolumeClaim vct : claimTemplates(spec, override)) {
            String vctName = vct.getMetadata().getName();
            volumes.removeIf(v -> vctName.equals(v.getName()));
            volumes.add(new VolumeBuilder().withName(vctName).withNewPersistentVolumeClaim()
                    .withClaimName(Labels.claimName(vctName, podName)).endPersistentVolumeClaim().build());
        }
        podSpec.setVolumes(volumes.isEmpty() ? null : volumes);

        Pod pod = new Pod();
        pod.setMetadata(meta);
        pod.setSpec(podSpec);
        return pod;
    }

    private static void applyOverride(Container container, InstanceTemplate t) {
        if (t.image != null) {
            container.setImage(t.image);
        }
        if (t.resources != null) {
            container.setResources(t.resources);
        }
        if (t.env != null && !t.env.isEmpty()) {
            List<EnvVar> env = new ArrayList<>(container.getEnv());
            for (EnvVar e : t.env) {
                env.removeIf(old -> old.getName().equals(e.getName()));
                env.add(e);
            }
            container.setEnv(env);
        }
    }

    /** The claim templates of a pod: the set's, with same-named ones replaced by its instance template's. */
    public static List<PersistentVolumeClaim> claimTemplates(InstanceSetSpec spec, Optional<InstanceTemplate> override) {
        Map<String, PersistentVolumeClaim> byName = new LinkedHashMap<>();
        for (PersistentVolumeClaim vct : spec.volumeClaimTemplates == null ? List.<PersistentVolumeClaim> of() : spec.volumeClaimTemplates) {
            byName.put(vct.getMetadata().getName(), vct);
        }
        override.map(t -> t.volumeClaimTemplates).ifPresent(list -> list.forEach(v -> byName.put(v.getMetadata().getName(), v)));
        return new ArrayList<>(byName.values());
    }

    public static PersistentVolumeClaim claim(InstanceSet set, PersistentVolumeClaim template, String podName) {
        InstanceSetSpec spec = set.getSpec();
        Map<String, String> labels = new LinkedHashMap<>(Labels.forInstanceSet(spec.clusterName, spec.componentName));
        labels.put("workloads.ordinal.dev/pod", podName);
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(Labels.claimName(template.getMetadata().getName(), podName))
                .withNamespace(set.getMetadata().getNamespace())
                .withLabels(labels)
                .endMetadata()
                .withSpec(JSON.clone(template.getSpec()))
                .build();
    }

    public static Service headlessService(InstanceSet set) {
        InstanceSetSpec spec = set.getSpec();
        var selector = new LinkedHashMap<String, String>();
        selector.put(Labels.INSTANCE_SET, set.getMetadata().getName());
        var ports = new ArrayList<io.fabric8.kubernetes.api.model.ServicePort>();
        if (spec.template != null && spec.template.getSpec() != null && spec.template.getSpec().getContainers() != null) {
            for (Container c : spec.template.getSpec().getContainers()) {
                if (c.getPorts() != null) {
                    c.getPorts().forEach(p -> ports.add(new io.fabric8.kubernetes.api.model.ServicePortBuilder()
                            .withName(p.getName()).withPort(p.getContainerPort()).withProtocol(p.getProtocol()).build()));
                }
            }
        }
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(Labels.headlessServiceName(set.getMetadata().getName()))
                .withNamespace(set.getMetadata().getNamespace())
                .withLabels(Labels.forInstanceSet(spec.clusterName, spec.componentName))
                .withOwnerReferences(Ownership.ownerOf(set))
                .endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(selector)
                .withPorts(ports.isEmpty() ? null : ports)
                .endSpec()
                .build();
    }

    public static Optional<InstanceTemplate> template(InstanceSetSpec spec, String name) {
        if (name == null || name.isEmpty() || spec.instances == null) {
            return Optional.empty();
        }
        return spec.instances.stream().filter(t -> name.equals(t.name)).findFirst();
    }
}
