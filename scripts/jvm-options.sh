# The JVM options Statefront starts with, in one place: sourced by the statefront launcher, scripts/bench.sh and the
# Docker image's entrypoint, so all three start the same JVM.
#
#   . scripts/jvm-options.sh
#   statefront_jvm_options JAR ARCHIVE LIB_DIR    # fills the array STATEFRONT_JVM_OPTIONS
#
# * Class data sharing: -XX:SharedArchiveFile=ARCHIVE when the archive (recorded by the build, app/pom.xml) is at
#   least as new as JAR and every jar in LIB_DIR; the JVM would refuse a stale one, with a warning, and load every
#   class from the jars as usual. STATEFRONT_CDS=0 leaves it out.
# * The parallel garbage collector, -XX:+UseParallelGC, unless STATEFRONT_JAVA_OPTS, JAVA_TOOL_OPTIONS or
#   JDK_JAVA_OPTIONS chooses one (-XX:+Use...GC).
#   The state lives in RocksDB, so the heap's live set stays small (about 100 MB after a 2,000,000-order catch-up)
#   and a stop-the-world collection of it is short, while G1's write barriers and concurrent refinement cost the
#   processing thread and the request threads CPU all the time. Measured (README, "Garbage collector"): more
#   events/s in catch-up, more lookups/s, freshness no worse.
# * Later C2 compilation: the thresholds at which a method is compiled by C2 (tier 4) six times the JVM's defaults,
#   unless those options choose JIT thresholds themselves (-XX:Tier... or -XX:CompileThreshold...). On two cores
#   the compiler threads took 31-60% of a core through a whole 2,000,000-order catch-up (1,119 C2 compilations),
#   beside the processing thread's 40-55%; a method called once per record still crosses 30,000 calls within a
#   fraction of a second at 100,000 records/s. Measured (README, "JIT thresholds"): more events/s in catch-up,
#   lookups and freshness no different.
# Options given later on the java command line win: STATEFRONT_JAVA_OPTS for the launcher and the image,
# SUT_JAVA_OPTS for the bench. One measured there (README, "JIT compiler threads"): -XX:CICompilerCount=4 on a
# 2-CPU machine warms the lookup path up faster but slows start-up, so it is not a default.
statefront_jvm_options() {
  local jar="$1" archive="$2" lib="$3"
  STATEFRONT_JVM_OPTIONS=()
  if [ "${STATEFRONT_CDS:-1}" != 0 ] && [ -f "$archive" ] && [ ! "$jar" -nt "$archive" ] \
     && [ -z "$(find "$lib" -name '*.jar' -newer "$archive" -print -quit 2>/dev/null)" ]; then
    STATEFRONT_JVM_OPTIONS+=("-XX:SharedArchiveFile=$archive")
  fi
  # what the user chose anywhere the JVM reads options: a second collector would stop it ("Multiple garbage
  # collectors"); JIT thresholds of ours would override theirs from JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS
  local chosen option collector=0 thresholds=0
  read -r -a chosen <<< "${STATEFRONT_JAVA_OPTS:-} ${JAVA_TOOL_OPTIONS:-} ${JDK_JAVA_OPTIONS:-}"
  for option in "${chosen[@]}"; do
    case "$option" in
      -XX:+Use*GC) collector=1 ;;
      -XX:Tier*|-XX:CompileThreshold*) thresholds=1 ;;
    esac
  done
  [ "$collector" = 1 ] || STATEFRONT_JVM_OPTIONS+=("-XX:+UseParallelGC")
  [ "$thresholds" = 1 ] || STATEFRONT_JVM_OPTIONS+=("-XX:Tier4InvocationThreshold=30000"
    "-XX:Tier4MinInvocationThreshold=3600" "-XX:Tier4CompileThreshold=90000" "-XX:Tier4BackEdgeThreshold=240000")
}
