# One image for every Isthmus component; the arguments choose which:
#   isthmus gateway run --config /etc/isthmus/gateway.yaml
#   isthmus mirror run --link <name>
#   isthmus identity run --kubernetes ...
# and the CLI itself: docker run --rm <image> install --crds
#
# Builds with the legacy builder and with BuildKit alike (no `# syntax=` line, no RUN --mount).
# The base images are arguments: the defaults are the public images a user pulls; where no registry
# is reachable, tools/k3s-testenv/build.sh passes images it made from Debian's packages.
# DockerfileStaticTest checks this file's invariants.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-jammy

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# The poms first, and Maven's downloads in a layer of their own: a rebuild with unchanged poms
# starts from that layer instead of downloading every dependency again. The downloads come from
# packaging the modules without their sources (dependency:go-offline resolves more than the build
# uses, some of it not published), and the empty build output is removed.
COPY pom.xml ./
COPY bin/maven bin/
COPY .mvn/ .mvn/
COPY testkit/pom.xml testkit/
COPY identity/pom.xml identity/
COPY issuer/pom.xml issuer/
COPY gateway/pom.xml gateway/
COPY mirror/pom.xml mirror/
COPY cli/pom.xml cli/
COPY benchmarks/pom.xml benchmarks/
RUN bin/maven -B -q -Dmaven.test.skip=true -pl cli -am package \
 && rm -rf */target
COPY . .
# cli/pom.xml builds target/isthmus-cli.jar, whose manifest class path names the jars it copies to target/lib/.
RUN bin/maven -B -Dmaven.test.skip=true -Dbuild.dir.name=target -pl cli -am package \
 && mkdir -p /out/lib \
 && cp cli/target/isthmus-cli.jar /out/ \
 && cp cli/target/lib/*.jar /out/lib/

FROM ${RUNTIME_IMAGE} AS runtime
# A numeric non-root user, so runAsNonRoot can verify it without resolving names.
RUN groupadd --system --gid 65532 isthmus \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin isthmus
COPY --from=build --chown=0:0 /out/ /opt/isthmus/
USER 65532:65532
WORKDIR /tmp
# The heap follows the container's memory limit; the rest is for Netty's direct buffers and metaspace.
# The gateway's Deployment sets tighter flags (JAVA_TOOL_OPTIONS in deploy/multicluster/gateway.yaml).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/isthmus/isthmus-cli.jar"]
CMD ["--help"]
