#!/usr/bin/env bash
# Checks, without GraalVM, that the native build has what it needs: generates the native-image inputs
# (target/native-sources: native-image.args and the reflection/resource configuration Quarkus computed), then
# runs NativeReadinessTest, which fails when a CR class or a fabric8 model type Ordinal serialises is not
# registered for reflection. About a minute on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q package -Dnative -Dquarkus.native.sources-only=true -DskipTests
./mvnw -B -ntp -q test -Dtest=NativeReadinessTest -Dsurefire.failIfNoSpecifiedTests=false
grep -h "Tests run" target/surefire-reports/dev.ordinal.manifests.NativeReadinessTest.txt
