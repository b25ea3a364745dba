# `cmake --build <dir> --target demo`: the CLI on the bundled sample payloads.
# The samples include invalid bodies on purpose, so exit status 1 (some body invalid) is the
# expected outcome; only a usage or I/O error (2) or a crash fails the target.
if(TARGET morph-webhook)
  add_custom_target(demo
    COMMAND ${CMAKE_COMMAND}
            -DCLI=$<TARGET_FILE:morph-webhook>
            -DPAYLOADS=${PROJECT_SOURCE_DIR}/examples/payloads
            -P ${CMAKE_CURRENT_LIST_DIR}/run_demo.cmake
    DEPENDS morph-webhook
    USES_TERMINAL
    VERBATIM
    COMMENT "morph-webhook check on examples/payloads")
endif()
