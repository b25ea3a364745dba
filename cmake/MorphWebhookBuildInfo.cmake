# morph_webhook_build_info(<target>): <target> can include "morph_webhook_build_info.hpp", which
# defines MORPH_WEBHOOK_GIT_COMMIT (cmake/build_info.cmake), refreshed at every build.
# MORPH_WEBHOOK_GIT_COMMIT (cache) overrides the commit for builds outside git.
set(MORPH_WEBHOOK_GIT_COMMIT "" CACHE STRING
    "Commit shown by `morph-webhook --version` (empty: git describe of the source tree)")

function(morph_webhook_build_info target)
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/generated")
  set(header "${dir}/morph_webhook_build_info.hpp")
  # Configure time too: the header exists before the first build (IDEs, clang-tidy).
  execute_process(COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                          -DOUTPUT=${header} -DCOMMIT=${MORPH_WEBHOOK_GIT_COMMIT}
                          -P "${PROJECT_SOURCE_DIR}/cmake/build_info.cmake")
  add_custom_target(${target}_build_info
    COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${header}
            -DCOMMIT=${MORPH_WEBHOOK_GIT_COMMIT} -P "${PROJECT_SOURCE_DIR}/cmake/build_info.cmake"
    BYPRODUCTS "${header}"
    COMMENT "morph-webhook: commit for --version"
    VERBATIM)
  add_dependencies(${target} ${target}_build_info)
  target_include_directories(${target} PRIVATE "${dir}")
endfunction()
