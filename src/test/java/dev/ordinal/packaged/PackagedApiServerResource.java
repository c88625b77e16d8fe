package dev.ordinal.packaged;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.ordinal.manifests.OperatorServiceAccount;
import dev.ordinal.testkube.TestKube;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The cluster side of the packaged-artifact tests, in the test JVM (failsafe's, so a control plane of its own:
 * {@link TestKube#shared} {@value #KUBE}, with the CRDs users install from kubernetes/crds and the kubelet
 * simulator), the operator's namespace, ServiceAccount and RBAC from kubernetes/ ({@link OperatorServiceAccount}).
 * The packaged operator (jar, or native binary with -Dnative) is started by Quarkus in its own process, in the prod
 * profile, with the properties returned here: it talks to the API server as the ServiceAccount, with leader
 * election on (Lease ordinal-leader in ordinal-system, holder {@value #IDENTITY}), as the Deployment runs it.
 */
public class PackagedApiServerResource implements QuarkusTestResourceLifecycleManager {
    /**
     * The control plane's name. "quarkus", because the KubeResource other test classes declare is global and so
     * starts that one in this JVM too: one control plane, not two. (Its state folder, target/kube-quarkus, is
     * emptied first, replacing what the surefire run left there.)
     */
    static final String KUBE = "quarkus";
    /** The packaged operator's leader-election identity (the Deployment uses the pod name). */
    static final String IDENTITY = "packaged-it";

    /** The IT's control plane (started on first use, stopped when the test JVM exits). */
    static TestKube kube() {
        return TestKube.shared(KUBE);
    }

    /** After the global KubeResource, whose client properties these replace (see RbacKubeResource#order). */
    @Override
    public int order() {
        return OperatorServiceAccount.RESOURCE_ORDER;
    }

    @Override
    public Map<String, String> start() {
        TestKube kube = kube();
        kube.kubelet().reset().readyDelay(Duration.ofMillis(50));
        Map<String, String> props = new HashMap<>(OperatorServiceAccount.quarkusProperties(kube));
        // As the Deployment runs it (POD_NAMESPACE and POD_NAME from the downward API).
        props.put("ordinal.leader-election.enabled", "true");
        props.put("ordinal.leader-election.lease-namespace", OperatorServiceAccount.NAMESPACE);
        props.put("ordinal.leader-election.identity", IDENTITY);
        return props;
    }

    @Override
    public void stop() {
        // the control plane is stopped when the test JVM exits
    }
}
