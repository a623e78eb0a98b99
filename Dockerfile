# syntax=docker/dockerfile:1
# One image for every Isthmus component; the arguments choose which:
#   isthmus gateway run --config /etc/isthmus/gateway.yaml
#   isthmus mirror run --link <name>
#   isthmus identity run --kubernetes ...
# and the CLI itself: docker run --rm <image> install --crds
# DockerfileStaticTest checks this file's invariants (no Docker where the tests run).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# cli/pom.xml builds target/isthmus-cli.jar, whose manifest class path names the jars it copies to target/lib/.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -Dmaven.test.skip=true -Dbuild.dir.name=target -pl cli -am package \
 && mkdir -p /out/lib \
 && cp cli/target/isthmus-cli.jar /out/ \
 && cp cli/target/lib/*.jar /out/lib/

FROM eclipse-temurin:17-jre-jammy AS runtime
# A numeric non-root user, so runAsNonRoot can verify it without resolving names.
RUN groupadd --system --gid 65532 isthmus \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin isthmus
COPY --from=build --chown=0:0 /out/ /opt/isthmus/
USER 65532:65532
WORKDIR /tmp
# The heap follows the container's memory limit; the rest is for Netty's direct buffers and metaspace.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/isthmus/isthmus-cli.jar"]
CMD ["--help"]
