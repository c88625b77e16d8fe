package dev.ordinal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import dev.ordinal.devcluster.RealNode;

/**
 * The end of the node tier: closing the node stops every process it started and removes every interface, address,
 * mount, network namespace and iptables rule it made (docs/control-plane.md, "The node"). Runs last.
 */
@RequiresRealNode
@Order(Integer.MAX_VALUE)
class NodeLeavesNothingIT {

    @Test
    void closingTheNodeLeavesNothingBehind() throws Exception {
        RealNode node = TestNode.shared();
        Path state = node.dir();
        try (var client = TestNode.admin()) {
            String memory = MemoryFigures.table(client);
            java.nio.file.Files.writeString(state.resolve("memory.md"), memory);
            System.out.println("Memory at the end of the node tier:\n" + memory);
        }
        Map<String, Long> pids = node.pids();
        Map<String, Long> controlPlane = node.controlPlane().pids();
        assertEquals(4, pids.size(), "containerd, kubelet, kube-scheduler, kube-proxy run: " + pids);
        TestNode.stop();
        for (var e : pids.entrySet()) {
            assertTrue(ProcessHandle.of(e.getValue()).map(p -> !p.isAlive()).orElse(true), e.getKey() + " still runs");
        }
        for (var e : controlPlane.entrySet()) {
            assertTrue(ProcessHandle.of(e.getValue()).map(p -> !p.isAlive()).orElse(true), e.getKey() + " still runs");
        }
        assertEquals("", RealNode.leftovers(Path.of("kube"), state), "the node left this behind");
    }
}
