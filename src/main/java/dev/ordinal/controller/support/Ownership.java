package dev.ordinal.controller.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/**
 * Who controls an object (spec amendment §7a "names are unique": Ordinal never adopts what another owner made). Shared
 * by the Cluster controller (InstanceSets) and the InstanceSet controller (pods, Services).
 */
public final class Ownership {
    private Ownership() {
    }

    /**
     * @return true when {@code object}'s controller ownerReference is {@code owner} (same uid); false for a null
     *         {@code object} or an owner without a uid
     */
    public static boolean ownedBy(HasMetadata object, HasMetadata owner) {
        if (object == null) {
            return false;
        }
        return object.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && owner.getMetadata().getUid() != null
                        && owner.getMetadata().getUid().equals(r.getUid()));
    }

    /** "Cluster t17 (uid …)" or "no controller (created by hand?)": who controls an object, for messages. */
    public static String owner(HasMetadata object) {
        return object.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
                .findFirst().map(Ownership::describe).orElse("no controller (created by hand?)");
    }

    /** The controller ownerReference Ordinal puts on what {@code owner} makes (blocks the owner's foreground deletion). */
    public static OwnerReference ownerOf(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static String describe(OwnerReference r) {
        return r.getKind() + " " + r.getName() + " (uid " + r.getUid() + ")";
    }
}
