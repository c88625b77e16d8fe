package dev.ordinal.testkube;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.DevServicesContext;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} application at the run's real control plane ({@link TestKube#shared} "quarkus"):
 * the operator talks to the real kube-apiserver as user {@value TestKube#OPERATOR_USER} (through a {@link FaultProxy}
 * unless init arg {@code proxy=false}), the committed CRDs are installed, and the one kubelet simulator makes pods
 * Running and Ready.
 *
 * <pre>
 * &#64;QuarkusTest
 * &#64;QuarkusTestResource(KubeResource.class)
 * class MyTest {
 *     &#64;KubeResource.Inject
 *     TestKube kube;
 * }
 * </pre>
 *
 * Init arg {@code readyDelayMillis} sets the kubelet's delay (default 50). With {@code -Dordinal.test.server=devservices}
 * ({@code -Pdevservices}) it starts no control plane: the application talks to the API server Quarkus Dev Services for
 * Kubernetes started (flavor api-only: kube-apiserver and etcd containers, docs/control-plane.md "Quarkus Dev
 * Services") with the settings Dev Services gave it, and the test's {@link TestKube} is
 * {@link TestKube#devServices} on that server (CRDs installed, kubelet simulator); no fault proxy.
 */
public class KubeResource implements QuarkusTestResourceLifecycleManager, DevServicesContext.ContextAware {

    /**
     * Marks a test field of type {@link TestKube}, or of type KubernetesClient for the test's own client (an
     * administrator, {@value dev.ordinal.devcluster.ControlPlane#ADMIN}: its requests are not the operator's).
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    /** Marks a test field of type {@link FaultProxy}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectProxy {
    }

    private static volatile TestKube current;
    private static volatile FaultProxy currentProxy;

    private long readyDelayMillis = 50;
    private boolean proxy = true;
    private TestKube kube;
    private FaultProxy faultProxy;
    private io.fabric8.kubernetes.client.KubernetesClient testClient;
    private Map<String, String> devServicesProperties = Map.of();

    /** The control plane of the running test application. */
    public static TestKube kube() {
        return current;
    }

    /** The fault proxy the running application's operator talks through (null with init arg proxy=false). */
    public static FaultProxy proxy() {
        return currentProxy;
    }

    /** True with {@code -Dordinal.test.server=devservices} (-Pdevservices): Quarkus Dev Services' API server instead. */
    public static boolean useDevServices() {
        return "devservices".equalsIgnoreCase(System.getProperty("ordinal.test.server", "kube"));
    }

    @Override
    public void init(Map<String, String> initArgs) {
        if (initArgs.containsKey("readyDelayMillis")) {
            readyDelayMillis = Long.parseLong(initArgs.get("readyDelayMillis"));
        }
        if (initArgs.containsKey("proxy")) {
            proxy = Boolean.parseBoolean(initArgs.get("proxy"));
        }
    }

    /** Quarkus hands over the properties its Dev Services set (the Kubernetes client's among them) before start. */
    @Override
    public void setIntegrationTestContext(DevServicesContext context) {
        devServicesProperties = context.devServicesProperties();
    }

    @Override
    public Map<String, String> start() {
        if (useDevServices()) {
            kube = TestKube.devServices(devServicesProperties);
            current = kube;
            testClient = kube.newAdminClient();
            kube.kubelet().reset().readyDelay(java.time.Duration.ofMillis(readyDelayMillis));
            // the application keeps the client settings Dev Services gave it
            return Map.of();
        }
        kube = TestKube.shared("quarkus");
        current = kube;
        testClient = kube.newAdminClient();
        kube.kubelet().reset().readyDelay(java.time.Duration.ofMillis(readyDelayMillis));
        if (!proxy) {
            return new HashMap<>(kube.quarkusProperties(TestKube.OPERATOR_USER, "system:masters"));
        }
        faultProxy = FaultProxy.start(kube.config(TestKube.OPERATOR_USER, "system:masters"));
        currentProxy = faultProxy;
        return new HashMap<>(faultProxy.quarkusProperties());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(kube, new TestInjector.AnnotatedAndMatchesType(Inject.class, TestKube.class));
        testInjector.injectIntoFields(testClient, new TestInjector.AnnotatedAndMatchesType(Inject.class,
                io.fabric8.kubernetes.client.KubernetesClient.class));
        testInjector.injectIntoFields(faultProxy, new TestInjector.AnnotatedAndMatchesType(InjectProxy.class,
                FaultProxy.class));
    }

    @Override
    public void stop() {
        // the control plane is shared by the run and stopped when the test JVM exits; the proxy is this app's
        if (testClient != null) {
            testClient.close();
            testClient = null;
        }
        if (faultProxy != null) {
            faultProxy.close();
            faultProxy = null;
            currentProxy = null;
        }
    }
}
