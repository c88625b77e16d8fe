package dev.ordinal.devcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ordinal.deployment.DevControlPlaneConfig;

/** Certificates per user and groups, under the names dev mode's configuration (src/main) points the client at. */
class PkiTest {

    @Test
    void theOperatorsCertificateIsWhereDevModeLooksForIt(@TempDir Path dir) {
        Pki pki = new Pki(dir);
        pki.init();
        Pki.Credentials operator = pki.issue(DevControlPlaneConfig.OPERATOR_USER, "system:masters");
        assertEquals(DevControlPlaneConfig.OPERATOR_CREDENTIALS + ".crt", operator.cert().getFileName().toString());
        assertEquals(DevControlPlaneConfig.OPERATOR_CREDENTIALS + ".key", operator.key().getFileName().toString());
        assertTrue(Files.exists(operator.cert()) && Files.exists(operator.key()));
    }

    @Test
    void oneUserInOtherGroupsGetsAnotherCertificate(@TempDir Path dir) throws Exception {
        Pki pki = new Pki(dir);
        pki.init();
        Pki.Credentials admin = pki.issue("someone", "system:masters");
        Pki.Credentials plain = pki.issue("someone");
        assertNotEquals(admin.cert(), plain.cert(), "a user without system:masters must not get the masters certificate");
        assertTrue(Files.readString(admin.cert()).contains("BEGIN CERTIFICATE"));
        assertEquals(admin, pki.issue("someone", "system:masters"), "issued once per user and groups");
    }
}
