package dev.ordinal.manifests;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.ordinal.testkube.TestKube;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs the {@link RbacTest} application's operator on the run's real control plane ({@link TestKube#shared}
 * "quarkus") as the ServiceAccount {@value OperatorServiceAccount#USER}, bound to the committed kubernetes/rbac,
 * so every request it makes is authorized (or refused) by the API server's RBAC authorizer and logged under that
 * user in the audit log. The test's own traffic uses an administrator client of its own.
 */
public class RbacKubeResource implements QuarkusTestResourceLifecycleManager {

    /**
     * After every other resource: {@code KubeResource} is declared without restrictToAnnotatedClass by other test
     * classes, which makes it global (Quarkus starts it for this application too). Resources start in ascending
     * order and a later one's properties replace an earlier one's, so this one's client properties win.
     */
    @Override
    public int order() {
        return OperatorServiceAccount.RESOURCE_ORDER;
    }

    @Override
    public Map<String, String> start() {
        TestKube kube = TestKube.shared("quarkus");
        kube.kubelet().reset().readyDelay(Duration.ofMillis(50));
        return new HashMap<>(OperatorServiceAccount.quarkusProperties(kube));
    }

    @Override
    public void stop() {
        // the control plane is shared by the test run and stopped when the test JVM exits
    }
}
