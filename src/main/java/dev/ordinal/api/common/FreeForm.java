package dev.ordinal.api.common;

import io.fabric8.crd.generator.annotation.PreserveUnknownFields;

/**
 * Schema stand-in for embedded Kubernetes objects (pod templates, PVC templates, env, resources): the CRD
 * records them as open objects so it stays small enough for client-side {@code kubectl apply}; the
 * API server that runs the pods validates them.
 */
@PreserveUnknownFields
public final class FreeForm {
    private FreeForm() {
    }
}
