package dev.ordinal.core;

import dev.ordinal.core.ScalingRequest.ScaleIn;
import dev.ordinal.core.ScalingRequest.ScaleOut;
import dev.ordinal.core.ScalingRequest.TemplateChange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Spec §3: turns the component's snapshot (R, T, O) and one horizontalScaling entry into the
 * target (R', T', O') plus the pods to create and delete, or into every validation error (§4)
 * that concerns this one component. Pure and deterministic: the controller may call it on
 * every reconcile with the same snapshot and get the same answer.
 */
public final class ScalingPlanner {
    private static final String DEFAULT_TEMPLATE = "";
    private static final String OUT_NAMES = "scaleOut.offlineInstancesToOnline";
    private static final String IN_NAMES = "scaleIn.onlineInstancesToOffline";

    private ScalingPlanner() {
    }

    public static PlanResult plan(String cluster, String component, ComponentShape before,
                                  ReplicasLimits limits, ScalingRequest request) {
        return new Run(cluster, component, before, limits, request).plan();
    }

    /** State of one planning call; keeps the step methods short without threading ten parameters. */
    private static final class Run {
        final String cluster;
        final String component;
        final ComponentShape before;
        final ReplicasLimits limits;
        final ScalingRequest request;
        final ScaleOut out;
        final ScaleIn in;
        final boolean explicit;
        final List<ValidationError> errors = new ArrayList<>();

        Set<String> templateNames;
        Set<String> liveBefore;
        Set<String> offlineBefore;
        /** template name → (index in the list, change), for listed templates with a valid change. */
        Map<String, int[]> outListed;
        Map<String, int[]> inListed;
        /** template ("" = default) → how many valid names of it are in the on / off list. */
        final Map<String, Integer> onPerTemplate = new HashMap<>();
        final Map<String, Integer> offPerTemplate = new HashMap<>();
        final List<String> validOn = new ArrayList<>();
        final List<String> validOff = new ArrayList<>();
        int inTotal;
        int outTotal;

        Run(String cluster, String component, ComponentShape before, ReplicasLimits limits, ScalingRequest request) {
            this.cluster = cluster;
            this.component = component;
            this.before = before;
            this.limits = limits == null ? ReplicasLimits.DEFAULT : limits;
            this.request = request;
            this.out = request.scaleOut();
            this.in = request.scaleIn();
            this.explicit = request.replicas() != null;
        }

        PlanResult plan() {
            List<String> namesBefore;
            try {
                namesBefore = InstanceNames.names(cluster, component, before);
            } catch (NamingException e) {
                return PlanResult.rejected(List.of(new ValidationError("lastConfiguration",
                        "component " + component + " is not in a nameable state: " + e.getMessage())));
            }
            liveBefore = new HashSet<>(namesBefore);
            offlineBefore = new LinkedHashSet<>(before.offlineInstances());
            templateNames = before.templateNames();

            checkScalars();
            outListed = checkTemplateChanges("scaleOut", out.instances());
            inListed = checkTemplateChanges("scaleIn", in.instances());
            checkOffNames();
            checkOnNames();
            checkListedCoversNamed("scaleIn", inListed, offPerTemplate, IN_NAMES);
            checkListedCoversNamed("scaleOut", outListed, onPerTemplate, OUT_NAMES);

            // Steps 2 and 3: totals in each direction.
            inTotal = total("scaleIn", in.replicaChanges(), inListed, offPerTemplate, validOff.size(), IN_NAMES);
            outTotal = total("scaleOut", out.replicaChanges(), outListed, onPerTemplate, validOn.size(), OUT_NAMES);

            // Step 4: R'.
            if (!explicit && inTotal > before.replicas()) {
                errors.add(new ValidationError(in.replicaChanges() != null ? "scaleIn.replicaChanges" : "scaleIn",
                        "scales in by " + inTotal + " but component " + component + " has only "
                                + before.replicas() + " live replicas"));
            }
            int newReplicas = explicit ? request.replicas() : before.replicas() + outTotal - inTotal;
            Map<String, Integer> newTemplateReplicas = templateReplicasAfter();
            if (errors.isEmpty()) {
                // The result is judged only on a request whose own fields hold: a count that is already wrong makes the
                // result wrong too, and saying so again would be a second message for one root cause (issue #27 E).
                checkResultCounts(newReplicas, newTemplateReplicas);
            }

            if (!errors.isEmpty()) {
                return PlanResult.rejected(errors);
            }

            // Step 1: O' = O + off − on, order kept, no duplicates.
            LinkedHashSet<String> offline = new LinkedHashSet<>(offlineBefore);
            offline.addAll(validOff);
            validOn.forEach(offline::remove);
            ComponentShape after = before.withCounts(newReplicas, newTemplateReplicas, List.copyOf(offline));

            List<String> namesAfter;
            try {
                namesAfter = InstanceNames.names(cluster, component, after);
            } catch (NamingException e) {
                return PlanResult.rejected(List.of(new ValidationError(explicit ? "replicas" : "horizontalScaling",
                        "the result cannot be named: " + e.getMessage())));
            }
            Set<String> afterSet = new HashSet<>(namesAfter);
            // Names must fit Kubernetes (spec amendment §7a): a new pod name is its hostname and a label value.
            for (String n : namesAfter) {
                if (n.length() > GeneratedNames.MAX_POD && !liveBefore.contains(n)) {
                    return PlanResult.rejected(List.of(new ValidationError(explicit ? "replicas" : ValidationError.ENTRY, "pod name " + n
                            + " would have " + n.length() + " characters; at most " + GeneratedNames.MAX_POD
                            + " are allowed (a pod name is its hostname and a label value)")));
                }
            }

            // Step 6: the two sets that drive progress.
            List<String> create = namesAfter.stream().filter(n -> !liveBefore.contains(n)).toList();
            List<String> delete = namesBefore.stream().filter(n -> !afterSet.contains(n)).toList();

            // Step 5: every name brought online must really be produced by the naming rule.
            Set<String> validOnSet = new HashSet<>(validOn);
            for (int i = 0; i < out.offlineInstancesToOnline().size(); i++) {
                String name = out.offlineInstancesToOnline().get(i);
                if (validOnSet.contains(name) && !afterSet.contains(name)) {
                    errors.add(new ValidationError(OUT_NAMES + "[" + i + "]",
                            notProducedMessage(name, after, create)));
                }
            }
            if (!errors.isEmpty()) {
                return PlanResult.rejected(errors);
            }
            return PlanResult.of(new ScalingPlan(component, before, after, create, delete));
        }

        private void checkScalars() {
            if (explicit && request.replicas() < 0) {
                errors.add(new ValidationError("replicas", request.replicas() + " must not be negative"));
            }
            // An absolute target and a relative change contradict each other; refuse to guess.
            if (explicit && out.replicaChanges() != null) {
                errors.add(new ValidationError("scaleOut.replicaChanges", out.replicaChanges()
                        + " cannot be combined with an explicit replicas " + request.replicas()
                        + "; give either the target or the change"));
            }
            if (explicit && in.replicaChanges() != null) {
                errors.add(new ValidationError("scaleIn.replicaChanges", in.replicaChanges()
                        + " cannot be combined with an explicit replicas " + request.replicas()
                        + "; give either the target or the change"));
            }
            if (out.replicaChanges() != null && out.replicaChanges() < 0) {
                errors.add(new ValidationError("scaleOut.replicaChanges", out.replicaChanges() + " must not be negative"));
            }
            if (in.replicaChanges() != null && in.replicaChanges() < 0) {
                errors.add(new ValidationError("scaleIn.replicaChanges", in.replicaChanges() + " must not be negative"));
            }
        }

        /** Validates scaleOut/scaleIn.instances[] and returns the valid entries by template name. */
        private Map<String, int[]> checkTemplateChanges(String direction, List<TemplateChange> changes) {
            Map<String, int[]> valid = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < changes.size(); i++) {
                TemplateChange change = changes.get(i);
                String field = direction + ".instances[" + i + "]";
                String name = change == null ? null : change.templateName();
                if (name == null || name.isEmpty()) {
                    errors.add(new ValidationError(field + ".name", "must name an instance template"));
                    continue;
                }
                if (!seen.add(name)) {
                    errors.add(new ValidationError(field + ".name", name + " is listed twice"));
                    continue;
                }
                if (!templateNames.contains(name)) {
                    errors.add(new ValidationError(field + ".name", name + " is not an instance template of component "
                            + component + " (templates: " + templateNames + ")"));
                    continue;
                }
                Integer value = change.replicaChanges();
                if (value == null) {
                    errors.add(new ValidationError(field + ".replicaChanges", "must be set for template " + name));
                } else if (value < 0) {
                    errors.add(new ValidationError(field + ".replicaChanges", value + " must not be negative"));
                } else {
                    valid.put(name, new int[]{i, value});
                }
            }
            return valid;
        }

        private void checkOffNames() {
            List<String> off = in.onlineInstancesToOffline();
            Set<String> onNames = new HashSet<>(out.offlineInstancesToOnline());
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < off.size(); i++) {
                String name = off.get(i);
                String field = IN_NAMES + "[" + i + "]";
                if (name == null || name.isEmpty()) {
                    errors.add(new ValidationError(field, "must be a pod name"));
                } else if (!seen.add(name)) {
                    errors.add(new ValidationError(field, name + " is listed twice"));
                } else if (onNames.contains(name)) {
                    errors.add(new ValidationError(field, name + " is also in " + OUT_NAMES
                            + "; one ops cannot take an instance offline and bring it back"));
                } else if (offlineBefore.contains(name)) {
                    errors.add(new ValidationError(field, name + " is already offline"));
                } else if (!liveBefore.contains(name)) {
                    errors.add(new ValidationError(field, name + " is not a live instance of component " + component));
                } else {
                    // A live name always parses: the naming rule produced it.
                    String template = InstanceNames.parse(cluster, component, name, templateNames).orElseThrow().template();
                    offPerTemplate.merge(template, 1, Integer::sum);
                    validOff.add(name);
                }
            }
        }

        private void checkOnNames() {
            List<String> on = out.offlineInstancesToOnline();
            Set<String> offNames = new HashSet<>(in.onlineInstancesToOffline());
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < on.size(); i++) {
                String name = on.get(i);
                String field = OUT_NAMES + "[" + i + "]";
                if (name == null || name.isEmpty()) {
                    errors.add(new ValidationError(field, "must be a pod name"));
                } else if (!seen.add(name)) {
                    errors.add(new ValidationError(field, name + " is listed twice"));
                } else if (offNames.contains(name)) {
                    continue; // reported once, on the scaleIn side
                } else if (!offlineBefore.contains(name)) {
                    errors.add(new ValidationError(field, name + " is not an offline instance of component "
                            + component + " (offlineInstances: " + offlineBefore + ")"));
                } else {
                    Optional<InstanceNames.ParsedName> parsed =
                            InstanceNames.parse(cluster, component, name, templateNames);
                    if (parsed.isEmpty()) {
                        errors.add(new ValidationError(field, name + " is offline but is not a name of any instance "
                                + "template of component " + component + ", so no pod can take it"));
                        continue;
                    }
                    onPerTemplate.merge(parsed.get().template(), 1, Integer::sum);
                    validOn.add(name);
                }
            }
        }

        /** A listed template change may not be smaller than the names of that template in the same direction. */
        private void checkListedCoversNamed(String direction, Map<String, int[]> listed, Map<String, Integer> named,
                                            String namesField) {
            listed.forEach((template, indexAndChange) -> {
                int count = named.getOrDefault(template, 0);
                if (indexAndChange[1] < count) {
                    errors.add(new ValidationError(direction + ".instances[" + indexAndChange[0] + "].replicaChanges",
                            indexAndChange[1] + " is smaller than the " + count + " instances of template " + template
                                    + " named in " + namesField));
                }
            });
        }

        /**
         * The total change in one direction. Without an explicit replicaChanges it is what the listed
         * templates ask for plus one per named instance of an unlisted template (the #9000 fix for
         * scale-out); with one, it must cover all of that.
         */
        private int total(String direction, Integer given, Map<String, int[]> listed, Map<String, Integer> named,
                          int namedCount, String namesField) {
            int claimed = listed.values().stream().mapToInt(v -> v[1]).sum();
            for (Map.Entry<String, Integer> e : named.entrySet()) {
                if (!listed.containsKey(e.getKey())) {
                    claimed += e.getValue();
                }
            }
            if (given == null || given < 0) {
                return claimed;
            }
            if (given < namedCount) {
                errors.add(new ValidationError(direction + ".replicaChanges", given + " is smaller than the "
                        + namedCount + " instances named in " + namesField + "; they are part of the total"));
            } else if (given < claimed) {
                // name only what the request contains
                String by = listed.isEmpty() ? namesField : namedCount == 0 ? direction + ".instances"
                        : direction + ".instances and " + namesField;
                errors.add(new ValidationError(direction + ".replicaChanges", given + " is smaller than the "
                        + claimed + " replicas claimed by " + by));
            }
            return given;
        }

        /**
         * T': each template gains/loses its listed change or, if unlisted, one per named instance.
         * With an explicit replicas the names only move the offline set (spec §4), so only listed
         * changes apply.
         */
        private Map<String, Integer> templateReplicasAfter() {
            Map<String, Integer> result = new LinkedHashMap<>();
            for (TemplateShape t : before.templates()) {
                String name = t.name();
                int gain = outListed.containsKey(name) ? outListed.get(name)[1]
                        : explicit ? 0 : onPerTemplate.getOrDefault(name, 0);
                int loss = inListed.containsKey(name) ? inListed.get(name)[1]
                        : explicit ? 0 : offPerTemplate.getOrDefault(name, 0);
                result.put(name, t.replicas() + gain - loss);
            }
            return result;
        }

        private void checkResultCounts(int newReplicas, Map<String, Integer> newTemplateReplicas) {
            int claimed = 0;
            for (Map.Entry<String, Integer> e : newTemplateReplicas.entrySet()) {
                claimed += Math.max(0, e.getValue());
                if (e.getValue() < 0) {
                    String field = inListed.containsKey(e.getKey())
                            ? "scaleIn.instances[" + inListed.get(e.getKey())[0] + "].replicaChanges" : IN_NAMES;
                    errors.add(new ValidationError(field, "template " + e.getKey() + " would go to " + e.getValue()
                            + " replicas (it has " + before.template(e.getKey()).orElseThrow().replicas() + ")"));
                }
            }
            if (newReplicas < 0) {
                return; // already reported as a negative target or as scaling in too far
            }
            if (claimed > newReplicas) {
                errors.add(new ValidationError(explicit ? "replicas" : "scaleIn",
                        "instance templates would claim " + claimed + " replicas, more than the " + newReplicas
                                + " replicas of component " + component
                                + "; scale the templates in through scaleIn.instances"));
            }
            // A component already outside its limits may still be left as is (a no-op must not fail).
            if (!limits.allows(newReplicas) && newReplicas != before.replicas()) {
                String hint = newReplicas == 0 && !validOff.isEmpty()
                        ? "; the only replica cannot be taken offline unless replicasLimit.min is 0" : "";
                errors.add(new ValidationError(explicit ? "replicas" : "horizontalScaling",
                        "the result would be " + newReplicas + " replicas, outside replicasLimit " + limits
                                + " of component " + component + hint));
            }
        }

        /** Step 5 message: explain which ordinal the naming rule would use instead and what to do. */
        private String notProducedMessage(String name, ComponentShape after, List<String> create) {
            InstanceNames.ParsedName parsed = InstanceNames.parse(cluster, component, name, templateNames).orElseThrow();
            String template = parsed.template();
            String what = template.isEmpty() ? "the default template" : "template " + template;
            Set<String> offlineAfter = new HashSet<>(after.offlineInstances());
            List<Integer> allowed = template.isEmpty() ? List.of()
                    : after.template(template).orElseThrow().ordinals();
            if (!allowed.isEmpty() && !allowed.contains(parsed.ordinal())) {
                return name + " cannot come back: ordinal " + parsed.ordinal() + " is not among the ordinals "
                        + allowed + " of " + what;
            }
            // How many replicas the template needs so that this ordinal is among its lowest free ones.
            int position = 0;
            if (allowed.isEmpty()) {
                for (int o = 0; o <= parsed.ordinal(); o++) {
                    if (!offlineAfter.contains(InstanceNames.podName(cluster, component, template, o))) {
                        position++;
                    }
                }
            } else {
                for (int o : allowed) {
                    if (o <= parsed.ordinal()
                            && !offlineAfter.contains(InstanceNames.podName(cluster, component, template, o))) {
                        position++;
                    }
                }
            }
            int has = template.isEmpty() ? after.defaultTemplateReplicas()
                    : after.template(template).orElseThrow().replicas();
            int missing = Math.max(1, position - has);
            Set<String> onNames = new HashSet<>(validOn);
            List<Integer> usedInstead = create.stream()
                    .filter(n -> !onNames.contains(n))
                    .map(n -> InstanceNames.parse(cluster, component, n, templateNames).orElseThrow())
                    .filter(p -> p.template().equals(template))
                    .map(InstanceNames.ParsedName::ordinal)
                    .toList();
            String instead = usedInstead.isEmpty() ? ""
                    : "; ordinal" + (usedInstead.size() == 1 ? " " + usedInstead.get(0) : "s " + usedInstead)
                    + " would be used instead";
            String fix;
            if (!template.isEmpty()) {
                // Template replicas only move through scaleOut.instances when replicas is explicit.
                int gain = outListed.containsKey(template) ? outListed.get(template)[1]
                        : explicit ? 0 : onPerTemplate.getOrDefault(template, 0);
                fix = "scale out template " + template + " by " + (gain + missing) + " together with it"
                        + " (scaleOut.instances: [{name: " + template + ", replicaChanges: " + (gain + missing) + "}])";
            } else if (explicit) {
                fix = "set replicas to " + (after.replicas() + missing) + " together with it";
            } else {
                fix = "scale out by " + (outTotal + missing) + " together with it (scaleOut.replicaChanges: "
                        + (outTotal + missing) + ")";
            }
            return name + " would not be brought back: " + what + " fills its lowest free ordinals first and "
                    + "would have " + has + " live replicas, so " + name + " is not among them" + instead
                    + "; " + fix + ", or bring it back after filling the gap";
        }
    }
}
