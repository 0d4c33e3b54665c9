# syntax=docker/dockerfile:1
# Statefront: build with the Maven wrapper on a JDK, run on a JRE.
#
#   docker build -t statefront .
#   docker run --rm -p 8080:8080 statefront run --demo                   # embedded Kafka
#   docker run --rm -p 8080:8080 -e STATEFRONT_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 statefront run --demo

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# the local Maven repository (/m2) is a BuildKit cache mount,
# so rebuilds after a source change do not download dependencies again
COPY . .
RUN --mount=type=cache,target=/m2 \
    ./mvnw -B -q -Dmaven.repo.local=/m2 -Dmaven.test.skip=true -Dcds.skip=true package -pl app -am \
 && mkdir -p /out/lib \
 && cp app/target/statefront-app-*.jar /out/statefront-app.jar \
 && cp app/target/lib/*.jar /out/lib/

FROM eclipse-temurin:17-jre
# curl for the compose healthcheck; a non-root user that owns the data directory
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /opt/statefront statefront \
 && mkdir -p /opt/statefront/data \
 && chown -R statefront /opt/statefront
WORKDIR /opt/statefront
# the jar's manifest Class-Path points at lib/ next to it
COPY --from=build /out/lib/ /opt/statefront/lib/
COPY --from=build /out/statefront-app.jar /opt/statefront/statefront-app.jar
# the JVM options the launcher uses too (the class-data archive when it matches)
COPY scripts/jvm-options.sh /opt/statefront/jvm-options.sh
# the class-data archive of this image's JVM and jars, recorded by a 3 s demo run as the build does for the launcher
# (README, "Class data sharing"); without one the JVM simply starts without it
RUN java -XX:ArchiveClassesAtExit=/opt/statefront/statefront.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
      -jar /opt/statefront/statefront-app.jar run --demo --stop-after 3 --set data.dir=/tmp/cds-training \
      --set rest.host=127.0.0.1 --set rest.port=0 --set grpc.port=0 --set embedded.kafka.port=0 \
      > /tmp/cds-training.log 2>&1 \
 || { tail -n 20 /tmp/cds-training.log; echo "statefront: no class-data archive, start-up is slower without it"; } \
 ; rm -rf /tmp/cds-training /tmp/cds-training.log
USER statefront
# mount a volume here to keep data across containers: -v statefront-data:/opt/statefront/data
ENV STATEFRONT_DATA_DIR=/opt/statefront/data
# REST and gRPC (reserved); the embedded broker listens on 127.0.0.1 inside the container only
EXPOSE 8080 9090
# java with the options of jvm-options.sh, then STATEFRONT_JAVA_OPTS, then the image's arguments ("$@")
ENTRYPOINT ["bash", "-c", ". /opt/statefront/jvm-options.sh && statefront_jvm_options /opt/statefront/statefront-app.jar /opt/statefront/statefront.jsa /opt/statefront/lib && exec java \"${STATEFRONT_JVM_OPTIONS[@]}\" ${STATEFRONT_JAVA_OPTS:-} -jar /opt/statefront/statefront-app.jar \"$@\"", "statefront"]
CMD ["run", "--demo"]
