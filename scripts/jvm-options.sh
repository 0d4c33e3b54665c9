# The JVM options Statefront starts with, in one place: sourced by the statefront launcher, scripts/bench.sh and the
# Docker image's entrypoint, so all three start the same JVM.
#
#   . scripts/jvm-options.sh
#   statefront_jvm_options JAR ARCHIVE LIB_DIR [CPUS]    # fills the array STATEFRONT_JVM_OPTIONS
#
# * Class data sharing: -XX:SharedArchiveFile=ARCHIVE when the archive (recorded by the build, app/pom.xml) is at
#   least as new as JAR and every jar in LIB_DIR; the JVM would refuse a stale one, with a warning, and load every
#   class from the jars as usual. STATEFRONT_CDS=0 leaves it out.
# * JIT compiler threads: on fewer than 8 CPUs, -XX:CICompilerCount=4 (one C1 and three C2 threads, what the JVM
#   picks by itself on 8). The JVM's own choice below 8 CPUs is 2 or 3 threads (one C2 thread on 2 CPUs); under load
#   that thread gets one scheduler share among the busy request or processing threads, so code stays interpreted or
#   in the profiling tier for many seconds. CPUS defaults to nproc.
# Options given later on the java command line win (STATEFRONT_JAVA_OPTS="-XX:CICompilerCount=2" restores the
# JVM's choice).
statefront_jvm_options() {
  local jar="$1" archive="$2" lib="$3" cpus="${4:-}"
  STATEFRONT_JVM_OPTIONS=()
  if [ "${STATEFRONT_CDS:-1}" != 0 ] && [ -f "$archive" ] && [ ! "$jar" -nt "$archive" ] \
     && [ -z "$(find "$lib" -name '*.jar' -newer "$archive" -print -quit 2>/dev/null)" ]; then
    STATEFRONT_JVM_OPTIONS+=("-XX:SharedArchiveFile=$archive")
  fi
  [ -n "$cpus" ] || cpus="$(nproc 2>/dev/null || echo 1)"
  if [ "$cpus" -lt 8 ]; then
    STATEFRONT_JVM_OPTIONS+=("-XX:CICompilerCount=4")
  fi
}
