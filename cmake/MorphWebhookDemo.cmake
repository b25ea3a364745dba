# `cmake --build <dir> --target demo`: the whole product on the bundled samples
# (examples/serve/demo.sh: serve on a fresh SQLite inbox in <dir>/demo, the samples posted with a
# retry, an identical re-send, an out-of-order update and an invalid body, `inbox work`, a
# summary; exit 0 when all behaved as expected). Without serve (its dependencies missing) or
# without bash and curl, `demo` is the CLI demo below.
#
# `cmake --build <dir> --target demo-check`: `morph-webhook check` on the sample payloads. The
# samples include invalid bodies on purpose, so exit status 1 (some body invalid) is the
# expected outcome; only a usage or I/O error (2) or a crash fails the target.
if(TARGET morph-webhook)
  add_custom_target(demo-check
    COMMAND ${CMAKE_COMMAND}
            -DCLI=$<TARGET_FILE:morph-webhook>
            -DPAYLOADS=${PROJECT_SOURCE_DIR}/examples/payloads
            -P ${CMAKE_CURRENT_LIST_DIR}/run_demo.cmake
    DEPENDS morph-webhook
    USES_TERMINAL
    VERBATIM
    COMMENT "morph-webhook check on examples/payloads")

  include(${CMAKE_CURRENT_LIST_DIR}/MorphWebhookServe.cmake)
  find_program(MORPH_WEBHOOK_BASH bash)
  find_program(MORPH_WEBHOOK_CURL curl)
  if(MORPH_WEBHOOK_SERVE_FOUND AND MORPH_WEBHOOK_BASH AND MORPH_WEBHOOK_CURL)
    add_custom_target(demo
      COMMAND ${MORPH_WEBHOOK_BASH} ${PROJECT_SOURCE_DIR}/examples/serve/demo.sh
              $<TARGET_FILE:morph-webhook> ${PROJECT_SOURCE_DIR}/examples/payloads
              ${PROJECT_BINARY_DIR}/demo
      DEPENDS morph-webhook
      USES_TERMINAL
      VERBATIM
      COMMENT "morph-webhook serve + inbox work on examples/payloads")
  else()
    add_custom_target(demo DEPENDS demo-check)
  endif()
endif()
