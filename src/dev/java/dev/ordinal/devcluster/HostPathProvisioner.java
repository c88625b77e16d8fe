package dev.ordinal.devcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Dynamic provisioning for the real node's StorageClass ({@link RealNode#STORAGE_CLASS}): for each pending claim of
 * that class it makes a folder {@code <volumes>/pvc-<claim uid>} and a hostPath PersistentVolume pre-bound to the
 * claim, which kube-controller-manager's volume binder then binds; a released volume of reclaim policy Delete loses
 * its folder and its PersistentVolume. This is what an external provisioner does (Kubernetes "Dynamic Volume
 * Provisioning"; Rancher's local-path-provisioner works the same way on one node).
 * <p>
 * The folders are mode 0777: the kubelet applies a pod's {@code fsGroup} to volumes that support ownership
 * management (CSI, emptyDir), not to hostPath, so a non-root container (Kafka's uid 1000) could not write to a
 * root-owned folder otherwise. That is the one way these volumes differ from a production cluster's.
 */
public final class HostPathProvisioner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HostPathProvisioner.class);
    /** The StorageClass provisioner name this provisioner serves. */
    public static final String PROVISIONER = "ordinal.dev/hostpath";
    private static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

    private final KubernetesClient client;
    private final Path volumes;
    private SharedIndexInformer<PersistentVolumeClaim> claims;
    private SharedIndexInformer<PersistentVolume> released;

    /** A provisioner that writes with {@code client} and keeps volume folders under {@code volumes}. */
    public HostPathProvisioner(KubernetesClient client, Path volumes) {
        this.client = client;
        this.volumes = volumes;
    }

    /** Starts watching claims and volumes; returns this. */
    public HostPathProvisioner start() {
        try {
            Files.createDirectories(volumes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        claims = client.persistentVolumeClaims().inAnyNamespace().inform(onAddOrUpdate(this::provision));
        released = client.persistentVolumes().inform(onAddOrUpdate(this::reclaim));
        return this;
    }

    /** A handler that gives every added or changed object to {@code action} (a deletion needs nothing). */
    private static <T> ResourceEventHandler<T> onAddOrUpdate(java.util.function.Consumer<T> action) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                action.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                action.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            }
        };
    }

    private void provision(PersistentVolumeClaim claim) {
        var spec = claim.getSpec();
        if (claim.getMetadata().getDeletionTimestamp() != null || spec.getVolumeName() != null
                || !RealNode.STORAGE_CLASS.equals(spec.getStorageClassName())
                || (claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase()))) {
            return;
        }
        String name = "pvc-" + claim.getMetadata().getUid();
        Path folder = volumes.resolve(name);
        Quantity size = spec.getResources() == null || spec.getResources().getRequests() == null ? null
                : spec.getResources().getRequests().get("storage");
        try {
            Files.createDirectories(folder);
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
            client.persistentVolumes().resource(new PersistentVolumeBuilder()
                    .withNewMetadata().withName(name).withAnnotations(Map.of(PROVISIONED_BY, PROVISIONER)).endMetadata()
                    .withNewSpec()
                    .withCapacity(Map.of("storage", size == null ? new Quantity("1Gi") : size))
                    .withAccessModes(spec.getAccessModes())
                    .withVolumeMode(spec.getVolumeMode())
                    .withStorageClassName(RealNode.STORAGE_CLASS)
                    .withPersistentVolumeReclaimPolicy("Delete")
                    .withNewHostPath().withPath(folder.toString()).withType("Directory").endHostPath()
                    .withNewClaimRef().withNamespace(claim.getMetadata().getNamespace())
                    .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid()).endClaimRef()
                    .endSpec().build()).create();
            LOG.debugf("provisioned %s for claim %s/%s at %s", name, claim.getMetadata().getNamespace(),
                    claim.getMetadata().getName(), folder);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) { // 409: provisioned already
                LOG.warnf("cannot provision %s for claim %s/%s: %s", name, claim.getMetadata().getNamespace(),
                        claim.getMetadata().getName(), e.getMessage());
            }
        } catch (IOException e) {
            LOG.warnf("cannot make the folder %s: %s", folder, e.getMessage());
        }
    }

    private void reclaim(PersistentVolume volume) {
        if (!PROVISIONER.equals(volume.getMetadata().getAnnotations() == null ? null
                : volume.getMetadata().getAnnotations().get(PROVISIONED_BY))
                || volume.getStatus() == null || !"Released".equals(volume.getStatus().getPhase())
                || !"Delete".equals(volume.getSpec().getPersistentVolumeReclaimPolicy())) {
            return;
        }
        Path folder = Path.of(volume.getSpec().getHostPath().getPath());
        if (folder.startsWith(volumes)) {
            ControlPlane.deleteRecursively(folder);
        }
        try {
            client.persistentVolumes().withName(volume.getMetadata().getName()).delete();
            LOG.debugf("deleted released volume %s and its folder", volume.getMetadata().getName());
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot delete released volume %s: %s", volume.getMetadata().getName(), e.getMessage());
        }
    }

    @Override
    public void close() {
        if (claims != null) {
            claims.close();
        }
        if (released != null) {
            released.close();
        }
    }
}
