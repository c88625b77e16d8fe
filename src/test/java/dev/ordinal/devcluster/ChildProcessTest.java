package dev.ordinal.devcluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A control-plane process under its wrapper: its exit and last log lines are reported, and stop() leaves nothing. */
class ChildProcessTest {

    @Test
    void aProcessThatDiesReportsItsExitCodeAndLastLogLines(@TempDir Path dir) {
        ChildProcess p = ChildProcess.start("crasher", Path.of("/bin/sh"),
                List.of("-c", "echo starting; echo 'fatal: cannot bind 127.0.0.1:2379'; exit 3"), dir.resolve("crasher.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !p.isAlive());
        assertEquals(3, p.exitValue(), "the wrapper passes the binary's exit code on");
        assertTrue(p.tail(2).contains("fatal: cannot bind 127.0.0.1:2379"), p.tail(5));
        assertFalse(p.stoppedOnPurpose());
    }

    @Test
    void stopEndsTheBinaryAndItsWrapper(@TempDir Path dir) throws IOException {
        ChildProcess p = ChildProcess.start("sleeper", Path.of("/bin/sleep"), List.of("600"), dir.resolve("sleeper.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> p.binaryPid() > 0);
        assertEquals(List.of("600"), List.of(ProcessHandle.of(p.binaryPid()).orElseThrow().info().arguments().orElseThrow()),
                "the pid is the binary's (sleep 600), not the wrapper's or its watchdog's (sleep 1)");
        long binary = p.binaryPid();
        p.stop();
        assertFalse(p.isAlive(), "the wrapper is gone");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(binary).map(h -> !h.isAlive()).orElse(true));
        assertTrue(p.stoppedOnPurpose());
        assertTrue(Files.readString(dir.resolve("sleeper.log")).startsWith("# "), "the log starts with the command line");
    }
}
