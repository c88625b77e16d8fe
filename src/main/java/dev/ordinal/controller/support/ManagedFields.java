package dev.ordinal.controller.support;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ordinal.api.cluster.Cluster;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;

/**
 * Who owns what in a Cluster's spec, read from {@code metadata.managedFields} (Kubernetes server-side apply: each entry
 * names a field manager and, in {@code fieldsV1}, the fields it set: {@code f:<field>} for a field, {@code k:<key as
 * JSON>} for an entry of a list keyed by name). Pure; entries of a subresource (the status) are ignored.
 */
public final class ManagedFields {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ManagedFields() {
    }

    /**
     * A field of one component: {@code replicas}, {@code offlineInstances}, or {@code instances[<template>].replicas}.
     *
     * @param template null for a field of the component itself
     * @param field    {@code replicas} or {@code offlineInstances}
     */
    public record ComponentField(String component, String template, String field) {
        /** As a user reads it: {@code spec.componentSpecs[broker].instances[hot].replicas}. */
        public String path() {
            return "spec.componentSpecs[" + component + "]" + (template == null ? "" : ".instances[" + template + "]") + "." + field;
        }
    }

    /** The field managers that own {@code field} (spec writers only), in the order the Cluster lists them. */
    public static List<String> owners(Cluster cluster, ComponentField field) {
        List<String> owners = new ArrayList<>();
        for (ManagedFieldsEntry m : specEntries(cluster)) {
            JsonNode node = component(fields(m), field.component());
            if (field.template() != null) {
                node = keyed(node.path("f:instances"), field.template());
            }
            if (!node.path("f:" + field.field()).isMissingNode() && !owners.contains(m.getManager())) {
                owners.add(m.getManager());
            }
        }
        return owners;
    }

    /** The components whose entry {@code manager} owns fields of, with an apply of its own. */
    public static List<String> componentsAppliedBy(Cluster cluster, String manager) {
        List<String> owned = new ArrayList<>();
        for (ManagedFieldsEntry m : specEntries(cluster)) {
            if (!manager.equals(m.getManager()) || !"Apply".equals(m.getOperation())) {
                continue;
            }
            for (Iterator<String> keys = fields(m).path("f:spec").path("f:componentSpecs").fieldNames(); keys.hasNext();) {
                nameOf(keys.next()).filter(n -> !owned.contains(n)).ifPresent(owned::add);
            }
        }
        return owned;
    }

    /**
     * The manager that wrote the Cluster's spec last, other than {@code except}: the newest {@code time} of the spec
     * entries. A field that was removed is owned by nobody, so this is the best answer to "who removed it".
     */
    public static Optional<String> lastSpecWriter(Cluster cluster, String except) {
        ManagedFieldsEntry last = null;
        for (ManagedFieldsEntry m : specEntries(cluster)) {
            if (m.getManager() == null || m.getManager().equals(except)) {
                continue;
            }
            if (last == null || time(m).isAfter(time(last))) {
                last = m;
            }
        }
        return Optional.ofNullable(last).map(ManagedFieldsEntry::getManager);
    }

    private static List<ManagedFieldsEntry> specEntries(Cluster cluster) {
        List<ManagedFieldsEntry> managed = cluster.getMetadata().getManagedFields();
        if (managed == null) {
            return List.of();
        }
        return managed.stream().filter(m -> m.getFieldsV1() != null && (m.getSubresource() == null || m.getSubresource().isEmpty()))
                .toList();
    }

    private static JsonNode fields(ManagedFieldsEntry m) {
        Map<String, Object> raw = m.getFieldsV1().getAdditionalProperties();
        return MAPPER.valueToTree(raw == null ? Map.of() : raw);
    }

    private static JsonNode component(JsonNode fields, String name) {
        return keyed(fields.path("f:spec").path("f:componentSpecs"), name);
    }

    /** The entry {@code k:{"name":"<name>"}} of a list keyed by name (a missing node when there is none). */
    private static JsonNode keyed(JsonNode list, String name) {
        for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (nameOf(e.getKey()).filter(name::equals).isPresent()) {
                return e.getValue();
            }
        }
        return MAPPER.missingNode();
    }

    private static Optional<String> nameOf(String key) {
        if (!key.startsWith("k:")) {
            return Optional.empty();
        }
        try {
            JsonNode name = MAPPER.readTree(key.substring(2)).path("name");
            return name.isTextual() ? Optional.of(name.asText()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty(); // not a list-map key we understand: nothing named there
        }
    }

    private static Instant time(ManagedFieldsEntry m) {
        try {
            return m.getTime() == null ? Instant.EPOCH : Instant.parse(m.getTime());
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
