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
    ./mvnw -B -q -Dmaven.repo.local=/m2 -Dmaven.test.skip=true package -pl app -am \
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
USER statefront
# mount a volume here to keep data across containers: -v statefront-data:/opt/statefront/data
ENV STATEFRONT_DATA_DIR=/opt/statefront/data
# REST and gRPC (reserved); the embedded broker listens on 127.0.0.1 inside the container only
EXPOSE 8080 9090
ENTRYPOINT ["java", "-jar", "/opt/statefront/statefront-app.jar"]
CMD ["run", "--demo"]
