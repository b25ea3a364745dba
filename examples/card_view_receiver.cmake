# card_view_receiver: answers widgetCardView events with cards (cpp-httplib), built into
# <build>/examples/ when cpp-httplib is found. Included from examples/CMakeLists.txt and from
# tests/e2e/CMakeLists.txt (configured first, and needing the target even when
# MORPH_WEBHOOK_BUILD_EXAMPLES is OFF); the guard makes the second include a no-op.
include_guard(GLOBAL)
include(${morph_webhook_SOURCE_DIR}/cmake/MorphWebhookHttpStacks.cmake)
if(TARGET httplib::httplib)
  add_executable(card_view_receiver ${CMAKE_CURRENT_LIST_DIR}/card_view_receiver.cpp)
  set_target_properties(card_view_receiver PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${morph_webhook_BINARY_DIR}/examples)
  target_link_libraries(card_view_receiver PRIVATE morph::webhook morph_webhook_warnings
                        httplib::httplib)
  message(STATUS "morph-webhook: building card_view_receiver")
endif()
